/**
 * The job queue without HTTP: restart turns unfinished jobs into `interrupted`, concurrency is per device, a
 * runner that ignores abort still ends cancelled, the event log compacts history, and records are written
 * atomically.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { firstValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { JobEventLog } from '../../bridge/src/jobs/events.js';
import { JobManager } from '../../bridge/src/jobs/manager.js';
import type { JobRunner } from '../../bridge/src/jobs/runner.js';
import { JobStore } from '../../bridge/src/jobs/store.js';
import { JobSpecSchema } from '../../bridge/src/pipeline/spec.js';
import { tempDir, waitFor } from '../server/helpers.js';
import { createFixtureRunner } from './fixture-runner.js';

const specIn = (dir: string, device: 'cpu' | 'cuda' = 'cpu') =>
  JobSpecSchema.parse({
    source: path.join(dir, 'in.png'),
    driving: path.join(dir, 'in.mp4'),
    output: { dir: path.join(dir, `out-${Math.random().toString(36).slice(2)}`) },
    engine: { name: 'fixture', device },
  });

/** A runner that waits until released (or aborted), recording which jobs ran at once. */
function gate() {
  const running = new Set<string>();
  let peak = 0;
  const releases = new Map<string, () => void>();
  const runner: JobRunner = (_spec, { jobId = '', signal }) =>
    new Promise((resolve, reject) => {
      running.add(jobId);
      peak = Math.max(peak, running.size);
      const done = () => running.delete(jobId);
      releases.set(jobId, () => {
        done();
        resolve({ frameCount: 0 } as never);
      });
      signal?.addEventListener('abort', () => {
        done();
        reject(signal.reason);
      });
    });
  return { runner, running, releases, peak: () => peak };
}

describe('JobManager', () => {
  it('runs one job per device at a time, and different devices side by side', async () => {
    const dir = await tempDir();
    const g = gate();
    const m = new JobManager({ store: new JobStore(path.join(dir, 'jobs')), runner: g.runner });
    await m.init();
    const a = await m.create(specIn(dir, 'cpu'));
    const b = await m.create(specIn(dir, 'cpu'));
    const c = await m.create(specIn(dir, 'cuda'));
    await waitFor(() => g.running.size === 2);
    expect([...g.running].sort()).toEqual([a.id, c.id].sort());
    expect(m.get(b.id).state).toBe('queued');
    g.releases.get(a.id)!();
    await waitFor(() => g.running.has(b.id));
    expect(m.get(a.id).state).toBe('done');
    g.releases.get(b.id)!();
    g.releases.get(c.id)!();
    await waitFor(() => m.get(b.id).state === 'done' && m.get(c.id).state === 'done');
    expect(g.peak()).toBe(2);
  });

  it('marks queued and running jobs interrupted after a restart, and resumes them without force', async () => {
    const dir = await tempDir();
    const store = new JobStore(path.join(dir, 'jobs'));
    const g = gate();
    const first = new JobManager({ store, runner: g.runner });
    await first.init();
    const spec = specIn(dir);
    spec.output.force = true;
    const running = await first.create(spec);
    const queued = await first.create(specIn(dir));
    await waitFor(() => g.running.has(running.id));
    await store.flush(); // the process "dies" here: no close()

    const inputs = path.join(dir, 'in.png');
    await fs.writeFile(inputs, 'x');
    const second = new JobManager({ store, runner: createFixtureRunner({ frames: 3 }) });
    await second.init();
    expect(second.get(running.id).state).toBe('interrupted');
    expect(second.get(queued.id).state).toBe('interrupted');
    const resumed = await second.resume(running.id);
    expect(resumed.spec.output.force).toBe(false);
    const events = await firstValueFrom(second.events(running.id).pipe(toArray()));
    expect(events.map((e) => e.type)).toEqual(['queued', 'started', 'progress', 'progress', 'progress', 'done']);
    const record = JSON.parse(await fs.readFile(store.fileOf(running.id), 'utf8'));
    expect(record).toMatchObject({ state: 'done', runs: 2 });
    expect((await fs.readdir(path.join(dir, 'jobs'))).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('skips unreadable job records instead of failing to start', async () => {
    const dir = await tempDir();
    await fs.mkdir(path.join(dir, 'jobs'), { recursive: true });
    await fs.writeFile(path.join(dir, 'jobs', 'j-20260101-000000-00000000.json'), '{"id": "torn');
    const skipped: string[] = [];
    const m = new JobManager({
      store: new JobStore(path.join(dir, 'jobs')),
      log: { info() {}, warn: (o) => skipped.push((o as { file: string }).file), error() {} },
    });
    await m.init();
    expect(m.list()).toEqual([]);
    expect(skipped).toHaveLength(1);
  });

  it('close() stops running jobs as interrupted (resumable), not cancelled', async () => {
    const dir = await tempDir();
    const g = gate();
    const store = new JobStore(path.join(dir, 'jobs'));
    const m = new JobManager({ store, runner: g.runner });
    await m.init();
    const job = await m.create(specIn(dir));
    await waitFor(() => g.running.has(job.id));
    await m.close();
    expect(m.get(job.id).state).toBe('interrupted');
    expect(JSON.parse(await fs.readFile(store.fileOf(job.id), 'utf8')).state).toBe('interrupted');
    await expect(m.create(specIn(dir))).rejects.toMatchObject({
      code: 'SHUTTING_DOWN',
      message: 'The bridge is shutting down; no new jobs are accepted.',
    });
  });

  it('says what went wrong by its code: an unknown id is NOT_FOUND, a verb that does not fit the state CONFLICT', async () => {
    const dir = await tempDir();
    const g = gate();
    const m = new JobManager({ store: new JobStore(path.join(dir, 'jobs')), runner: g.runner });
    await m.init();
    const job = await m.create(specIn(dir));
    await waitFor(() => g.running.has(job.id));
    expect(() => m.get('j-20260101-000000-00000000')).toThrow(
      expect.objectContaining({ code: 'NOT_FOUND', message: 'No job with id j-20260101-000000-00000000.' }),
    );
    await expect(m.resume(job.id)).rejects.toMatchObject({ code: 'CONFLICT', details: { state: 'running' } });
    await expect(m.remove(job.id)).rejects.toMatchObject({ code: 'CONFLICT' });
    await m.close();
  });
});

describe('JobEventLog', () => {
  it('replays a compacted history (latest progress and preview only) then live events', async () => {
    const log = new JobEventLog();
    const jobId = 'j';
    log.push({ type: 'queued', jobId });
    log.push({ type: 'started', jobId, totalFrames: 3, engine: 'fixture', device: 'cpu' });
    for (let done = 1; done <= 3; done++) {
      log.push({ type: 'progress', jobId, stage: 'render', done, total: 3, fps: 1, eta: 0 });
      log.push({ type: 'preview', jobId, index: done, mime: 'image/png', width: 1, height: 1, data: '' });
    }
    const late = firstValueFrom(log.events().pipe(toArray()));
    log.push({ type: 'warning', jobId, message: 'w' });
    log.push({ type: 'cancelled', jobId });
    expect(log.push({ type: 'warning', jobId, message: 'after the end' })).toBe(false);
    const events = await late;
    expect(events.map((e) => e.type)).toEqual(['queued', 'started', 'progress', 'preview', 'warning', 'cancelled']);
    expect(events[2]).toMatchObject({ done: 3 });
    // A subscriber after the end gets the history, without the preview, and completes at once.
    const after = await firstValueFrom(log.events().pipe(toArray()));
    expect(after.map((e) => e.type)).toEqual(['queued', 'started', 'progress', 'warning', 'cancelled']);
  });
});
