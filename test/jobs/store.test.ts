/**
 * The job store (issue #19 item 6): a job's spec is written once (and again only when it changes, on resume), not
 * with every progress save, so a spec with long control curves costs one write; records stay small. A record that
 * cannot be written (full disk, folder gone) is an error for the caller, never an unhandled rejection.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { JobManager } from '../../bridge/src/jobs/manager.js';
import type { JobRunner } from '../../bridge/src/jobs/runner.js';
import { JobStore } from '../../bridge/src/jobs/store.js';
import { JobSpecSchema, type Manifest } from '../../bridge/src/pipeline/spec.js';
import { tempDir, waitFor } from '../server/helpers.js';

/** Reports 200 progress events, one every millisecond, then finishes (or fails the first time, when asked). */
function progressRunner(failFirst = false): JobRunner {
  let runs = 0;
  return async (_spec, { jobId = '', onEvent }) => {
    runs++;
    for (let done = 1; done <= 200; done++) {
      onEvent?.({ type: 'progress', jobId, stage: 'render', done, total: 200, fps: 1, eta: 0 });
      await new Promise((r) => setTimeout(r, 1));
    }
    if (failFirst && runs === 1) throw new Error('first run fails');
    return { frameCount: 200 } as Manifest;
  };
}

const specWithCurves = (dir: string) =>
  JobSpecSchema.parse({
    source: path.join(dir, 'in.png'),
    driving: path.join(dir, 'in.mp4'),
    output: { dir: path.join(dir, 'out') },
    engine: { name: 'fixture' },
    curves: { frames: Array.from({ length: 5000 }, (_, i) => ({ mouth: (i % 100) / 50 })) },
  });

describe('JobStore', () => {
  it('writes the spec once per change, not with every progress save; records stay small', async () => {
    const dir = await tempDir();
    const store = new JobStore(path.join(dir, 'jobs'));
    const m = new JobManager({ store, runner: progressRunner(true), persistEveryMs: 0 });
    await m.init();
    const job = await m.create(specWithCurves(dir));
    const specFile = store.specFileOf(job.id);
    const first = await fs.stat(specFile);
    await waitFor(() => m.get(job.id).state === 'failed');
    await store.flush();
    // The atomic write renames a new file over the old one: an unchanged inode means it was never rewritten.
    expect((await fs.stat(specFile)).ino).toBe(first.ino);
    expect((await fs.stat(store.fileOf(job.id))).size).toBeLessThan(2048);
    await m.resume(job.id); // the spec changes (force off): written once more
    await waitFor(() => m.get(job.id).state === 'done');
    await store.flush();
    const resumed = await fs.stat(specFile);
    expect(resumed.ino).not.toBe(first.ino);
    // A restart reads record and spec back together.
    const again = new JobManager({ store: new JobStore(path.join(dir, 'jobs')) });
    await again.init();
    expect(again.get(job.id)).toMatchObject({ state: 'done', runs: 2 });
    expect(again.get(job.id).spec.curves?.frames).toHaveLength(5000);
  });

  it('reads records of older versions that hold their spec, and moves the spec out on the next save', async () => {
    const dir = await tempDir();
    const jobs = path.join(dir, 'jobs');
    await fs.mkdir(jobs);
    const id = 'j-20260101-000000-0a1b2c3d';
    const spec = specWithCurves(dir);
    const old = { id, state: 'failed', spec, device: 'auto', createdAt: 'x', updatedAt: 'x', runs: 1 };
    await fs.writeFile(path.join(jobs, `${id}.json`), JSON.stringify(old));
    const store = new JobStore(jobs);
    const m = new JobManager({ store, runner: progressRunner() });
    await m.init();
    expect(m.get(id).spec.curves?.frames).toHaveLength(5000);
    await m.resume(id);
    await waitFor(() => m.get(id).state === 'done');
    await store.flush();
    expect(JSON.parse(await fs.readFile(store.fileOf(id), 'utf8')).spec).toBeUndefined();
    expect(JSON.parse(await fs.readFile(store.specFileOf(id), 'utf8')).curves.frames).toHaveLength(5000);
  });

  it('a record that cannot be written rejects the save, and nothing else', async () => {
    const dir = await tempDir();
    const store = new JobStore(path.join(dir, 'jobs'));
    await store.load();
    await fs.rm(path.join(dir, 'jobs'), { recursive: true });
    await fs.writeFile(path.join(dir, 'jobs'), 'a file where the folder was');
    const spec = specWithCurves(dir);
    const job = {
      id: 'j-20260101-000000-0a1b2c3d',
      state: 'queued' as const,
      spec,
      device: 'auto',
      createdAt: 'x',
      updatedAt: 'x',
      runs: 0,
    };
    await expect(store.save(job)).rejects.toThrow();
    await store.flush();
    await new Promise((r) => setTimeout(r, 50)); // an unhandled rejection would fail this test file here
  });
});
