/**
 * `reenact worker`: takes chunk and merge jobs from the device's queue and runs them through the same renderJob and
 * mergeChunks as the CLI. Progress goes to the queue; input errors fail a job for good (retrying cannot fix them),
 * other failures are retried with backoff; a killed worker's chunk is picked up by another once its lock expires, and
 * resumes from the frames already on disk.
 */
import { type Job, UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { asReenactError } from '../errors.js';
import { renderJob } from '../pipeline/render.js';
import { mergeChunks } from './chunks.js';
import { checkRedis, connection, isCancelled, PREFIX, type QueueJobData, queueName } from './queue.js';

export interface WorkerOptions {
  redis: string;
  /** Devices whose queues this worker takes jobs from (default ['auto']). */
  devices?: string[];
  /** Jobs at once per device queue (default 1). */
  concurrency?: number;
  /** How long a job's lock lasts without renewal (ms, default 30000): a dead worker's job is retried after it. */
  lockDuration?: number;
  /** How often stalled jobs are looked for (ms, default 30000). */
  stalledInterval?: number;
  /** One line per job start/end/failure. */
  log?: (line: string) => void;
}

export interface RunningWorker {
  close(): Promise<void>;
}

/** Errors that another attempt cannot fix: bad inputs, refused outputs, cancellation. */
const FINAL = new Set(['USAGE', 'BAD_INPUT', 'OUTPUT_EXISTS', 'CANCELLED', 'MISSING_MODEL', 'MISSING_DEPENDENCY']);

function processor(redis: Redis, log: (line: string) => void) {
  return async (job: Job<QueueJobData>, _token?: string, signal?: AbortSignal) => {
    const data = job.data;
    const label = `${job.id} (${data.kind}${data.kind === 'chunk' ? ` ${data.spec.chunk!.start}-${data.spec.chunk!.end}` : ''}, try ${job.attemptsMade + 1})`;
    if (await isCancelled(redis, data.submission)) throw new UnrecoverableError('Cancelled.');
    const abort = new AbortController();
    signal?.addEventListener('abort', () => abort.abort(), { once: true });
    // Cancellation from `reenact queue cancel`, checked twice a second while the job runs.
    const poll = setInterval(() => {
      void isCancelled(redis, data.submission).then(
        (c) => c && abort.abort(),
        () => {},
      );
    }, 500);
    log(`start ${label}`);
    const t0 = performance.now();
    try {
      if (data.kind === 'chunk') {
        let last = 0;
        const manifest = await renderJob(data.spec, {
          jobId: job.id,
          signal: abort.signal,
          onEvent: (e) => {
            if (e.type !== 'progress' || e.stage !== 'render') return;
            const now = performance.now();
            if (now - last < 200 && e.done < e.total) return;
            last = now;
            void job.updateProgress({ stage: e.stage, done: e.done, total: e.total, fps: e.fps }).catch(() => {});
          },
        });
        log(`done ${label} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
        return { frames: manifest.frameCount, warnings: manifest.warnings };
      }
      const manifest = await mergeChunks(data.dir, {
        format: data.format,
        preview: data.preview,
        force: data.force,
        signal: abort.signal,
      });
      log(`done ${label}: ${manifest.frameCount} frames in ${data.dir}`);
      return { manifest: `${data.dir}/reenact.json`, frames: manifest.frameCount, warnings: manifest.warnings };
    } catch (err) {
      const e = asReenactError(err);
      log(`failed ${label}: ${e.message}`);
      if (FINAL.has(e.code)) throw new UnrecoverableError(e.message);
      throw e;
    } finally {
      clearInterval(poll);
    }
  };
}

/**
 * One log line per distinct connection problem (ioredis reports every reconnect attempt, several a second), and one
 * when it is over, instead of a stack trace per attempt.
 */
function connectionLog(log: (line: string) => void) {
  let last: string | undefined;
  return {
    error: (err: Error) => {
      if (err.message === last) return;
      last = err.message;
      log(`worker error: ${err.message}; retrying`);
    },
    ready: () => {
      if (last === undefined) return;
      last = undefined;
      log('Redis connection back: taking jobs again');
    },
  };
}

/**
 * Starts taking jobs; resolves once connected.
 * @throws MISSING_DEPENDENCY when Redis cannot be reached at start (later outages are retried and logged once).
 */
export async function startWorker(o: WorkerOptions): Promise<RunningWorker> {
  const log = o.log ?? (() => {});
  await checkRedis(o.redis);
  const connectionState = connectionLog(log);
  const redis = new Redis(o.redis, { maxRetriesPerRequest: null });
  redis.on('error', connectionState.error);
  redis.on('ready', connectionState.ready);
  const workers = (o.devices ?? ['auto']).map(
    (device) =>
      new Worker<QueueJobData>(queueName(device), processor(redis, log), {
        connection: connection(o.redis),
        prefix: PREFIX,
        concurrency: o.concurrency ?? 1,
        lockDuration: o.lockDuration ?? 30_000,
        stalledInterval: o.stalledInterval ?? 30_000,
        // A chunk whose worker died is retried; one that kills workers twice is dead.
        maxStalledCount: 2,
      }),
  );
  for (const w of workers) w.on('error', connectionState.error);
  await Promise.all(workers.map((w) => w.waitUntilReady()));
  return {
    async close() {
      await Promise.all(workers.map((w) => w.close()));
      redis.disconnect();
    },
  };
}
