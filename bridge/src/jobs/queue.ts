/**
 * The studio backend (docs/ARCHITECTURE.md, scale-out): renders queued in BullMQ on Redis and taken by `reenact worker`s on any machine that
 * sees the same files. A submitted job becomes a BullMQ flow: one `chunk` child per frame range (retried with
 * exponential backoff; a worker that dies loses its lock and the chunk goes back to the queue) under one `merge`
 * parent that runs once every chunk is done. Queues are per device (`reenact-cpu`, `reenact-cuda`, `reenact-auto` …):
 * a worker takes the jobs that asked for its device.
 */
import { randomBytes } from 'node:crypto';
import { FlowProducer, Job, Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { ReenactError } from '../errors.js';
import type { Chunk, JobSpec } from '../pipeline/spec.js';
import { checkJob } from './check.js';
import { chunkSpecs, type JobPlan, splitIntoChunks } from './chunks.js';

/** Redis key prefix of every reenact queue. */
export const PREFIX = 'reenact';
const QUEUES_KEY = `${PREFIX}:queues`;
const CANCEL_KEY = (id: string) => `${PREFIX}:cancel:${id}`;

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** The Redis URL from the flag, REENACT_REDIS, or the local default. */
export function redisUrl(flag?: string): string {
  const url = flag ?? process.env.REENACT_REDIS ?? DEFAULT_REDIS_URL;
  if (!/^rediss?:\/\//.test(url))
    throw new ReenactError('USAGE', `Expected a Redis URL like redis://host:6379 but received "${url}".`);
  return url;
}

/** BullMQ connection options (workers need maxRetriesPerRequest null to block on the queue). */
export function connection(url: string) {
  return { url, maxRetriesPerRequest: null };
}

export function queueName(device: string): string {
  return `${PREFIX}-${device}`;
}

export interface ChunkData {
  kind: 'chunk';
  submission: string;
  name: string;
  spec: JobSpec;
}

export interface MergeData {
  kind: 'merge';
  submission: string;
  name: string;
  dir: string;
  format: 'png' | 'prores';
  preview: boolean;
  /** Replace a different render already in `dir` (the job's output.force). */
  force: boolean;
  total: number;
  chunks: number;
}

export type QueueJobData = ChunkData | MergeData;

export interface SubmitOptions {
  redis: string;
  /** Frames per chunk (default 50). */
  chunkSize?: number;
  /** Tries per chunk before it is dead (default 3). */
  attempts?: number;
  /** First retry delay in ms, doubled each retry (default 2000). */
  backoffMs?: number;
}

export interface Submitted {
  id: string;
  name: string;
  queue: string;
  chunks: number;
  frames: number;
  output: string;
  /** What planning changed (a range cut to the clip), said once here rather than by every chunk. */
  warnings: string[];
}

/** The one message for an unreachable Redis, with the socket's reason (ECONNREFUSED…), never ioredis' stack. */
export function unreachable(url: string, err: Error): ReenactError {
  return new ReenactError(
    'MISSING_DEPENDENCY',
    `Cannot reach Redis at ${url} (${err.message}). Start redis-server or pass --redis redis://host:port.`,
    { cause: err },
  );
}

/**
 * Runs `fn` with a short-lived Redis client. It tries to connect once: a client with no 'error' listener makes
 * ioredis print "Unhandled error event" with a stack trace on every retry, and its connect() rejects with only
 * "Connection is closed.", so the first socket error is kept for the message.
 */
async function withRedis<T>(url: string, fn: (r: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: true, retryStrategy: () => null });
  let first: Error | undefined;
  redis.on('error', (err: Error) => {
    first ??= err;
  });
  try {
    await redis.connect().catch((err: Error) => {
      throw unreachable(url, first ?? err);
    });
    return await fn(redis);
  } finally {
    redis.disconnect();
  }
}

/** Connects once and disconnects: the check a long-running client (the worker) makes before it starts. */
export async function checkRedis(url: string): Promise<void> {
  await withRedis(url, (redis) => redis.ping());
}

function submissionId(name: string): string {
  const safe = name.replace(/[^\w.-]/g, '_').slice(0, 40) || 'job';
  return `${safe}-${randomBytes(4).toString('hex')}`;
}

interface FlowOptions {
  id: string;
  name: string;
  spec: JobSpec;
  total: number;
  chunks: Chunk[];
  attempts: number;
  backoffMs: number;
}

/** One submission as a BullMQ flow: the merge parent (job id = submission id) over one child per chunk. */
async function addFlow(redis: Redis, flows: FlowProducer, f: FlowOptions): Promise<Omit<Submitted, 'warnings'>> {
  const queue = queueName(f.spec.engine.device);
  const backoff = { type: 'exponential', delay: f.backoffMs };
  const childOpts = {
    attempts: f.attempts,
    backoff,
    failParentOnFailure: true,
    removeOnComplete: false,
    removeOnFail: false,
  };
  await redis.sadd(QUEUES_KEY, queue);
  await flows.add({
    name: 'merge',
    queueName: queue,
    data: {
      kind: 'merge',
      submission: f.id,
      name: f.name,
      dir: f.spec.output.dir,
      format: f.spec.output.format,
      preview: f.spec.output.preview,
      force: f.spec.output.force,
      total: f.total,
      chunks: f.chunks.length,
    } satisfies MergeData,
    opts: { jobId: f.id, attempts: f.attempts, backoff },
    children: chunkSpecs(f.spec, f.chunks).map((s) => ({
      name: 'chunk',
      queueName: queue,
      data: { kind: 'chunk', submission: f.id, name: f.name, spec: s } satisfies ChunkData,
      opts: { ...childOpts, jobId: `${f.id}-c${s.chunk!.start}-${s.chunk!.end}` },
    })),
  });
  return { id: f.id, name: f.name, queue, chunks: f.chunks.length, frames: f.total, output: f.spec.output.dir };
}

/**
 * Queues jobs as chunk flows. Each job is checked first (checkJob), so a bad input fails at submit time and nothing
 * of the batch is queued.
 * @throws BAD_INPUT for a bad spec or input, OUTPUT_EXISTS, MISSING_DEPENDENCY when Redis cannot be reached.
 */
export async function submitJobs(jobs: { name: string; spec: JobSpec }[], o: SubmitOptions): Promise<Submitted[]> {
  const plans: { name: string; plan: JobPlan }[] = [];
  for (const job of jobs) plans.push({ name: job.name, plan: await checkJob(job.spec) });
  return withRedis(o.redis, async (redis) => {
    const flows = new FlowProducer({ connection: connection(o.redis), prefix: PREFIX });
    try {
      const out: Submitted[] = [];
      for (const { name, plan } of plans) {
        const flow = await addFlow(redis, flows, {
          id: submissionId(name),
          name,
          spec: plan.spec,
          total: plan.total,
          chunks: splitIntoChunks(plan.total, o.chunkSize ?? 50),
          attempts: o.attempts ?? 3,
          backoffMs: o.backoffMs ?? 2000,
        });
        out.push({ ...flow, warnings: plan.warnings });
      }
      return out;
    } finally {
      await flows.close();
    }
  });
}

export type SubmissionState = 'queued' | 'running' | 'merging' | 'done' | 'failed' | 'cancelled';

export interface SubmissionStatus {
  id: string;
  name: string;
  queue: string;
  state: SubmissionState;
  chunks: { total: number; done: number; running: number; failed: number };
  frames: { total: number; done: number };
  output: string;
  /** Merge result: the reenact.json of the merged render. */
  manifest?: string;
  error?: string;
}

/** Every queue a submission ever used (status and dead-letter views read them all). */
async function knownQueues(redis: Redis): Promise<string[]> {
  return (await redis.smembers(QUEUES_KEY)).sort();
}

const ALL_STATES = ['active', 'waiting', 'waiting-children', 'prioritized', 'delayed', 'completed', 'failed'] as const;

/**
 * Every job of the queue with its state. The ids of all states are read in one call (one Redis script, so atomic),
 * then each job's own state: reading the states one call each lost a job that moved on between two calls (waiting
 * when "active" was read, active when "waiting" was) and counted twice one that moved the other way (a chunk active,
 * then completed), so status showed a running job as gone or done+running over its total. A job removed since the
 * ids were read answers "unknown" and is left out, as it is gone.
 */
async function jobsWithState(queue: Queue): Promise<{ job: Job<QueueJobData>; state: string }[]> {
  return withStates(queue, ((await queue.getJobs([...ALL_STATES])) as Job<QueueJobData>[]).filter(Boolean));
}

/**
 * Each job of a snapshot with its state now. The snapshot is read before the states, so a job that finished in
 * between reads 'completed' or 'failed' while its snapshot lacks what finishing wrote (BullMQ's moveToFinished sets
 * the return value or failed reason and finishedOn in the same step): such a job is read again, or a finished merge
 * would show no manifest (\`queue watch\` printed the folder instead of its reenact.json).
 */
export async function withStates<T>(queue: Queue, jobs: Job<T>[]): Promise<{ job: Job<T>; state: string }[]> {
  const states = await Promise.all(jobs.map((job) => job.getState()));
  const current = await Promise.all(
    jobs.map(async (job, i) =>
      (states[i] === 'completed' || states[i] === 'failed') && !job.finishedOn && job.id
        ? ((await Job.fromId<T>(queue, job.id)) ?? job)
        : job,
    ),
  );
  return current.map((job, i) => ({ job, state: states[i] })).filter((j) => j.state !== 'unknown');
}

/** The state of every submission in every reenact queue, newest first. */
export async function queueStatus(o: { redis: string }): Promise<SubmissionStatus[]> {
  return withRedis(o.redis, async (redis) => {
    const result: SubmissionStatus[] = [];
    for (const name of await knownQueues(redis)) {
      const queue = new Queue(name, { connection: connection(o.redis), prefix: PREFIX });
      try {
        const jobs = await jobsWithState(queue);
        const chunksOf = new Map<string, { job: Job<QueueJobData>; state: string }[]>();
        for (const j of jobs) {
          if (j.job.data.kind !== 'chunk') continue;
          const list = chunksOf.get(j.job.data.submission) ?? [];
          list.push(j);
          chunksOf.set(j.job.data.submission, list);
        }
        for (const { job, state } of jobs) {
          const data = job.data;
          if (data.kind !== 'merge') continue;
          const chunks = chunksOf.get(data.submission) ?? [];
          const size = (c: ChunkData) => c.spec.chunk!.end - c.spec.chunk!.start + 1;
          let framesDone = 0;
          const counts = { total: data.chunks, done: 0, running: 0, failed: 0 };
          // BullMQ fails the merge with "child … failed"; the chunk's own reason is what the user can act on.
          let chunkError: string | undefined;
          for (const c of chunks) {
            const cd = c.job.data as ChunkData;
            if (c.state === 'completed') {
              counts.done++;
              framesDone += size(cd);
            } else if (c.state === 'active') {
              counts.running++;
              framesDone += (c.job.progress as { done?: number })?.done ?? 0;
            } else if (c.state === 'failed') {
              counts.failed++;
              chunkError ??= `chunk ${cd.spec.chunk!.start}-${cd.spec.chunk!.end}: ${c.job.failedReason}`;
            }
          }
          const cancelled = (await redis.exists(CANCEL_KEY(data.submission))) === 1;
          const st: SubmissionState =
            state === 'completed'
              ? 'done'
              : cancelled
                ? 'cancelled'
                : state === 'failed'
                  ? 'failed'
                  : state === 'active'
                    ? 'merging'
                    : counts.running || counts.done
                      ? 'running'
                      : 'queued';
          const rv = job.returnvalue as { manifest?: string } | null;
          result.push({
            id: data.submission,
            name: data.name,
            queue: name,
            state: st,
            chunks: counts,
            frames: { total: data.total, done: state === 'completed' ? data.total : framesDone },
            output: data.dir,
            ...(rv?.manifest ? { manifest: rv.manifest } : {}),
            ...(chunkError || job.failedReason ? { error: chunkError ?? job.failedReason } : {}),
          });
        }
      } finally {
        await queue.close();
      }
    }
    return result.sort((a, b) => (a.id < b.id ? 1 : -1));
  });
}

/** True when the submission was cancelled (workers check between frames). */
export async function isCancelled(redis: Redis, submission: string): Promise<boolean> {
  return (await redis.exists(CANCEL_KEY(submission))) === 1;
}

/**
 * Cancels a submission: running chunks stop at their next frame, queued ones fail when a worker takes them, so the
 * flow ends failed and shows as cancelled. @throws NOT_FOUND for an unknown id, CONFLICT for a finished one.
 */
export async function cancelSubmission(o: { redis: string; id: string }): Promise<SubmissionStatus> {
  const status = (await queueStatus(o)).find((s) => s.id === o.id);
  if (!status)
    throw new ReenactError('NOT_FOUND', `No queued job with id ${o.id}. See reenact queue status for the ids.`);
  if (status.state === 'done' || status.state === 'failed') {
    throw new ReenactError(
      'CONFLICT',
      `Expected a queued or running job to cancel but job ${o.id} is ${status.state}.`,
    );
  }
  // Workers check this key before each chunk and between frames; a cancelled chunk fails for good, and with it the flow.
  await withRedis(o.redis, (redis) => redis.set(CANCEL_KEY(o.id), '1', 'EX', 7 * 24 * 3600));
  return { ...status, state: 'cancelled' };
}

/** A submission's jobs in one queue: its merge parent and its chunks, with their states. */
interface SubmissionJobs {
  queue: Queue;
  merge: { job: Job<QueueJobData>; state: string };
  chunks: { job: Job<QueueJobData>; state: string }[];
}

/**
 * Finds a submission by its id, or by the id of one of its jobs (a dead letter's "…-c0-23"), and runs `fn` on its
 * jobs. @throws BAD_INPUT for an unknown id.
 */
async function withSubmission<T>(
  o: { redis: string; id: string },
  fn: (redis: Redis, s: SubmissionJobs) => Promise<T>,
): Promise<T> {
  return withRedis(o.redis, async (redis) => {
    for (const name of await knownQueues(redis)) {
      const queue = new Queue(name, { connection: connection(o.redis), prefix: PREFIX });
      try {
        const jobs = await jobsWithState(queue);
        const hit = jobs.find((j) => j.job.id === o.id || j.job.data.submission === o.id);
        if (!hit) continue;
        const submission = hit.job.data.submission;
        const merge = jobs.find((j) => j.job.data.kind === 'merge' && j.job.data.submission === submission);
        if (!merge) continue;
        const chunks = jobs.filter((j) => j.job.data.kind === 'chunk' && j.job.data.submission === submission);
        return await fn(redis, { queue, merge, chunks });
      } finally {
        await queue.close();
      }
    }
    throw new ReenactError('BAD_INPUT', `No queued job with id ${o.id}. See reenact queue status for the ids.`, {
      details: { notFound: true },
    });
  });
}

const FINISHED = new Set(['completed', 'failed']);

/** "done", "failed", "cancelled" or a state that still runs, from the merge's state and the cancel flag. */
async function finishedState(redis: Redis, s: SubmissionJobs): Promise<'done' | 'failed' | 'cancelled' | undefined> {
  if (!FINISHED.has(s.merge.state) || s.chunks.some((c) => c.state === 'active')) return undefined;
  if (s.merge.state === 'completed') return 'done';
  return (await isCancelled(redis, s.merge.job.data.submission)) ? 'cancelled' : 'failed';
}

/**
 * Queues a failed or cancelled submission again under the same id: its dead letters are dropped and every chunk is
 * queued anew (chunks that had finished keep their frames on disk, so they only check them), then the merge.
 * @throws USAGE while it still runs or when it is done; BAD_INPUT for an unknown id.
 */
export async function retrySubmission(o: {
  redis: string;
  id: string;
  attempts?: number;
}): Promise<Omit<Submitted, 'warnings'>> {
  return withSubmission(o, async (redis, s) => {
    const merge = s.merge.job.data as MergeData;
    const state = await finishedState(redis, s);
    if (state === undefined || state === 'done')
      throw new ReenactError(
        'USAGE',
        `Expected a failed or cancelled job to retry but job ${merge.submission} is ${state ?? 'still running'}.${state ? ' Submit it again to render it anew.' : ' Wait for it (reenact queue watch) or cancel it first.'}`,
      );
    const chunkData = s.chunks
      .map((c) => c.job.data as ChunkData)
      .sort((a, b) => a.spec.chunk!.start - b.spec.chunk!.start);
    if (!chunkData.length)
      throw new ReenactError('INTERNAL', `Job ${merge.submission} has no chunks left in Redis to retry from.`);
    const { chunk: _chunk, ...rest } = chunkData[0].spec;
    const spec: JobSpec = {
      ...rest,
      output: { ...rest.output, format: merge.format, preview: merge.preview, force: merge.force },
    };
    const attempts = o.attempts ?? s.merge.job.opts.attempts ?? 3;
    const backoff = s.merge.job.opts.backoff;
    await s.merge.job.remove({ removeChildren: true });
    await redis.del(CANCEL_KEY(merge.submission));
    const flows = new FlowProducer({ connection: connection(o.redis), prefix: PREFIX });
    try {
      return await addFlow(redis, flows, {
        id: merge.submission,
        name: merge.name,
        spec,
        total: merge.total,
        chunks: chunkData.map((c) => c.spec.chunk!),
        attempts,
        backoffMs: typeof backoff === 'object' && backoff?.delay !== undefined ? backoff.delay : 2000,
      });
    } finally {
      await flows.close();
    }
  });
}

/**
 * Drops a finished submission (done, failed or cancelled) and its dead letters from Redis. Its files are never
 * touched. @throws USAGE while it still runs; BAD_INPUT for an unknown id.
 */
export async function removeSubmission(o: { redis: string; id: string }): Promise<{ id: string; output: string }> {
  return withSubmission(o, async (redis, s) => {
    const merge = s.merge.job.data as MergeData;
    const state = await finishedState(redis, s);
    if (state === undefined)
      throw new ReenactError(
        'USAGE',
        `Expected a finished job to remove but job ${merge.submission} is still running. Cancel it first (reenact queue cancel ${merge.submission}).`,
      );
    await s.merge.job.remove({ removeChildren: true });
    await redis.del(CANCEL_KEY(merge.submission));
    return { id: merge.submission, output: merge.dir };
  });
}

export interface DeadJob {
  id: string;
  submission: string;
  name: string;
  kind: 'chunk' | 'merge';
  queue: string;
  /** Output frames of a chunk ("0-49"). */
  frames?: string;
  attempts: number;
  reason: string;
  failedAt?: string;
}

/** Dead letters: jobs that failed for good (retries exhausted, or an error retrying cannot fix). */
export async function deadJobs(o: { redis: string }): Promise<DeadJob[]> {
  return withRedis(o.redis, async (redis) => {
    const out: DeadJob[] = [];
    for (const name of await knownQueues(redis)) {
      const queue = new Queue(name, { connection: connection(o.redis), prefix: PREFIX });
      try {
        for (const job of (await queue.getFailed()) as Job<QueueJobData>[]) {
          if (!job) continue;
          const d = job.data;
          out.push({
            id: job.id ?? '?',
            submission: d.submission,
            name: d.name,
            kind: d.kind,
            queue: name,
            ...(d.kind === 'chunk' ? { frames: `${d.spec.chunk!.start}-${d.spec.chunk!.end}` } : {}),
            attempts: job.attemptsMade,
            reason: job.failedReason,
            ...(job.finishedOn ? { failedAt: new Date(job.finishedOn).toISOString() } : {}),
          });
        }
      } finally {
        await queue.close();
      }
    }
    return out;
  });
}

export { CANCEL_KEY };
