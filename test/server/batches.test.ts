/** POST /batches: several jobs queued at once by the panel; all checked first, errors name the entry. */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreateJobRequest } from '../../bridge/src/api/schema.js';
import { collect, expectApiError, makeMedia, startTestBridge, type TestBridge, tempDir } from './helpers.js';

let t: TestBridge;
let work: string;
let media: { source: string; driving: string };

const spec = (out: string): CreateJobRequest => ({
  source: media.source,
  driving: media.driving,
  output: { dir: path.join(work, out) },
  engine: { name: 'fixture' },
});

beforeAll(async () => {
  work = await tempDir();
  media = await makeMedia(work, 6);
  t = await startTestBridge({ concurrency: 2 });
});

afterAll(async () => {
  await t?.bridge.close();
  await fs.rm(work, { recursive: true, force: true });
  await fs.rm(t.dataDir, { recursive: true, force: true });
});

describe('POST /batches', () => {
  it('queues every job of the batch and runs them', async () => {
    const { jobs } = await t.client.createBatch({ jobs: [spec('a'), spec('b'), spec('c')] });
    expect(jobs.map((j) => j.spec.output.dir)).toEqual(['a', 'b', 'c'].map((d) => path.join(work, d)));
    for (const job of jobs) {
      const events = await collect(t.client.jobEvents(job.id));
      expect(events.at(-1)?.type).toBe('done');
    }
    for (const d of ['a', 'b', 'c']) expect(await fs.readdir(path.join(work, d, 'frames'))).toHaveLength(6);
  });

  it('queues nothing when one entry is bad, and names it', async () => {
    const before = (await t.client.listJobs()).jobs.length;
    const missing = path.join(work, 'missing.mp4');
    await expectApiError(t.client.createBatch({ jobs: [spec('d'), { ...spec('e'), driving: missing }] }), {
      status: 400,
      code: 'BAD_INPUT',
      message: `Expected an existing file for jobs[1].driving but received ${missing} (not found). Check the path.`,
    });
    await expectApiError(t.client.createBatch({ jobs: [spec('f'), spec('f')] }), {
      status: 400,
      code: 'BAD_INPUT',
      message: `Expected a different output folder for jobs[1] but it is the same as jobs[0] (${path.join(work, 'f')}).`,
    });
    await expectApiError(t.client.createBatch({ jobs: [] }), {
      status: 400,
      code: 'BAD_REQUEST',
      message: /^Invalid batch: jobs: /,
    });
    expect((await t.client.listJobs()).jobs).toHaveLength(before);
  });
});
