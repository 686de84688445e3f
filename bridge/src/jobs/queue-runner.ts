/**
 * A JobRunner that hands the bridge's jobs to the studio queue instead of rendering them in the bridge process
 * (`reenact serve --queue redis://…`): the job is submitted as chunks, its progress is polled from Redis and reported
 * as ordinary job events, cancelling the bridge job cancels the queued one, and the merged manifest is the result.
 */
import path from 'node:path';
import { ReenactError } from '../errors.js';
import { readManifest } from '../pipeline/output.js';
import { parseJobSpec } from '../pipeline/parse.js';
import { cancelSubmission, queueStatus, submitJobs } from './queue.js';
import type { JobRunner } from './runner.js';

export interface QueueRunnerOptions {
  redis: string;
  /** Frames per chunk (default 50). */
  chunkSize?: number;
  /** Status poll interval in ms (default 500). */
  pollMs?: number;
}

export function queueRunner(o: QueueRunnerOptions): JobRunner {
  return async (input, run) => {
    const jobId = run.jobId ?? 'job';
    const spec = parseJobSpec(input);
    const [submitted] = await submitJobs([{ name: jobId, spec }], { redis: o.redis, chunkSize: o.chunkSize });
    let started = false;
    for (;;) {
      if (run.signal?.aborted) {
        await cancelSubmission({ redis: o.redis, id: submitted.id }).catch(() => {});
        throw new ReenactError('CANCELLED', 'Cancelled.');
      }
      const status = (await queueStatus({ redis: o.redis })).find((s) => s.id === submitted.id);
      if (!status) throw new ReenactError('INTERNAL', `The queued job ${submitted.id} disappeared from Redis.`);
      if (!started && status.state !== 'queued') {
        started = true;
        run.onEvent?.({
          type: 'started',
          jobId,
          totalFrames: status.frames.total,
          engine: spec.engine.name,
          device: `queue:${submitted.queue}`,
        });
      }
      if (started)
        run.onEvent?.({
          type: 'progress',
          jobId,
          stage: 'render',
          done: status.frames.done,
          total: status.frames.total,
          fps: 0,
          eta: null,
        });
      if (status.state === 'done') {
        const manifest = await readManifest(path.join(spec.output.dir, 'reenact.json'));
        if (!manifest?.complete)
          throw new ReenactError(
            'INTERNAL',
            `The queue finished ${submitted.id} but ${spec.output.dir} holds no complete reenact.json.`,
          );
        return manifest;
      }
      if (status.state === 'cancelled') throw new ReenactError('CANCELLED', 'Cancelled in the queue.');
      if (status.state === 'failed')
        throw new ReenactError(
          'ENGINE_FAILED',
          `The queued job ${submitted.id} failed: ${status.error ?? 'see reenact queue dead'}.`,
        );
      await new Promise((r) => setTimeout(r, o.pollMs ?? 500));
    }
  };
}
