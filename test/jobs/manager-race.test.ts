/**
 * Cancel while the job's record is still being saved (issue #19 item 4): `create` and `resume` await the store before
 * the job reaches the queue, and a cancel in that window used to splice index -1 — removing ANOTHER queued job — while
 * the cancelled job was queued and run afterwards anyway. The store here is the real one, with its first write of
 * one job held until the test lets it go.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { JobSummary } from '../../bridge/src/api/schema.js';
import { JobManager } from '../../bridge/src/jobs/manager.js';
import type { JobRunner } from '../../bridge/src/jobs/runner.js';
import { JobStore } from '../../bridge/src/jobs/store.js';
import { JobSpecSchema, type Manifest } from '../../bridge/src/pipeline/spec.js';
import { tempDir, waitFor } from '../server/helpers.js';

/**
 * A JobStore whose next save waits until `release()`. Saves stay in call order (as the real store keeps them per
 * job), each with the job as it was when save was called.
 */
class HeldStore extends JobStore {
  private hold: Promise<void> | undefined;
  private tail: Promise<void> = Promise.resolve();
  release: () => void = () => {};
  holdNext(): void {
    this.hold = new Promise((resolve) => {
      this.release = resolve;
    });
  }
  override save(job: JobSummary): Promise<void> {
    const snapshot = structuredClone(job);
    const hold = this.hold;
    this.hold = undefined;
    const next = this.tail.then(() => hold).then(() => super.save(snapshot));
    this.tail = next.catch(() => {});
    return next;
  }
}

/** Runs each job until the test releases it; records every job that started. */
function gatedRunner() {
  const started: string[] = [];
  const releases = new Map<string, () => void>();
  const runner: JobRunner = (_spec, { jobId = '' }) =>
    new Promise<Manifest>((resolve) => {
      started.push(jobId);
      releases.set(jobId, () => resolve({ frameCount: 0 } as Manifest));
    });
  return { runner, started, releases };
}

const specIn = (dir: string, name: string) =>
  JobSpecSchema.parse({
    source: path.join(dir, 'in.png'),
    driving: path.join(dir, 'in.mp4'),
    output: { dir: path.join(dir, name) },
    engine: { name: 'fixture', device: 'cpu' },
  });

describe('cancel racing a save', () => {
  for (const during of ['create', 'resume'] as const) {
    it(`cancel while ${during} is saving leaves other queued jobs alone and never runs the cancelled job`, async () => {
      const dir = await tempDir();
      const store = new HeldStore(path.join(dir, 'jobs'));
      const g = gatedRunner();
      const m = new JobManager({ store, runner: g.runner });
      await m.init();
      const busy = await m.create(specIn(dir, 'busy')); // occupies the cpu slot
      await waitFor(() => g.started.includes(busy.id));
      const waiting = await m.create(specIn(dir, 'waiting')); // queued behind it

      let racing: Promise<JobSummary>;
      let id: string;
      if (during === 'create') {
        store.holdNext();
        racing = m.create(specIn(dir, 'racing'));
        id = await waitFor(() => m.list().find((j) => j.spec.output.dir.endsWith('racing'))?.id);
      } else {
        const earlier = await m.create(specIn(dir, 'racing'));
        await m.cancel(earlier.id);
        store.holdNext();
        racing = m.resume(earlier.id);
        id = earlier.id;
        await waitFor(() => m.get(id).state === 'queued');
      }
      const cancelled = m.cancel(id); // its own save waits behind the held one
      store.release();
      await Promise.all([cancelled, racing]);

      g.releases.get(busy.id)!();
      await waitFor(() => g.started.includes(waiting.id));
      g.releases.get(waiting.id)!();
      await waitFor(() => m.get(waiting.id).state === 'done');
      await new Promise((r) => setImmediate(r));
      expect(m.get(id).state).toBe('cancelled');
      expect(g.started).toEqual([busy.id, waiting.id]);
      await m.close();
      await store.flush();
      const saved = await new JobStore(path.join(dir, 'jobs')).load();
      expect(saved.find((j) => j.id === id)?.state).toBe('cancelled');
    });
  }
});
