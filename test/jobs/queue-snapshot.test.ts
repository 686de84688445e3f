/**
 * Queue status reads a snapshot of the jobs, then their states (real redis-server, real BullMQ). A job that finishes
 * between the two reads must not be reported as finished without what finishing wrote: `reenact queue watch` printed
 * "done … → <folder>" instead of "→ <folder>/reenact.json" when the merge completed between the reads (a flake of
 * test/jobs/queue.test.ts's dead-letter case, seen on a fresh-clone CI run).
 */
import { Queue, Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connection, withStates } from '../../bridge/src/jobs/queue.js';
import { startRedis, type TestRedis } from '../helpers/redis.js';

let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis();
}, 30_000);
afterAll(async () => {
  await redis?.stop();
});

describe('queue status of a job that finishes while it is read', () => {
  it.each([
    ['completes', true],
    ['fails', false],
  ] as const)('a job that %s after the snapshot reads with its result', async (_, succeed) => {
    const prefix = `reenact-test-snapshot-${succeed ? 'ok' : 'fail'}`;
    const queue = new Queue('merge', { connection: connection(redis.url), prefix });
    try {
      await queue.add('merge', { manifest: '/out/reenact.json' });
      // The snapshot, as queueStatus lists it: the job is waiting.
      const snapshot = (await queue.getJobs(['waiting', 'active', 'completed', 'failed'])).filter(Boolean);
      expect(snapshot).toHaveLength(1);
      expect(snapshot[0].finishedOn).toBeUndefined();
      // It finishes before the states are read.
      const finished = new Promise<void>((resolve) => {
        const worker = new Worker(
          'merge',
          async (job) => {
            if (!succeed) throw new Error('chunk 0-23: File not found');
            return { manifest: (job.data as { manifest: string }).manifest };
          },
          { connection: connection(redis.url), prefix, autorun: true },
        );
        worker.on(succeed ? 'completed' : 'failed', () => void worker.close().then(resolve));
      });
      await finished;
      const [{ job, state }] = await withStates(queue, snapshot);
      if (succeed) {
        expect(state).toBe('completed');
        expect(job.returnvalue).toEqual({ manifest: '/out/reenact.json' });
      } else {
        expect(state).toBe('failed');
        expect(job.failedReason).toBe('chunk 0-23: File not found');
      }
    } finally {
      await queue.obliterate({ force: true });
      await queue.close();
    }
  });
});
