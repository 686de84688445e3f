/**
 * The studio backend (DESIGN §9): renders queued in BullMQ on Redis and taken by `reenact worker`s on any machine that
 * sees the same files. A submitted job becomes a BullMQ flow: one `chunk` child per frame range (retried with
 * exponential backoff; a worker that dies loses its lock and the chunk goes back to the queue) under one `merge`
 * parent that runs once every chunk is done. Queues are per device (`reenact-cpu`, `reenact-cuda`, `reenact-auto` …):
 * a worker takes the jobs that asked for its device.
 */
import { randomBytes } from 'node:crypto';
import { FlowProducer, type Job, Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { ReenactError } from '../errors.js';
import type { JobSpec } from '../pipeline/spec.js';
import { chunkSpecs, type JobPlan, planJob, splitIntoChunks } from './chunks.js';

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
}

/** Runs `fn` with a short-lived Redis client. */
async function withRedis<T>(url: string, fn: (r: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: true });
  try {
    await redis.connect().catch((err: Error) => {
      throw new ReenactError(
        'MISSING_DEPENDENCY',
        `Cannot reach Redis at ${url} (${err.message}). Start redis-server or pass --redis redis://host:port.`,
        { cause: err },
      );
    });
    return await fn(redis);
  } finally {
    redis.disconnect();
  }
}

function submissionId(name: string): string {
  const safe = name.replace(/[^\w.-]/g, '_').slice(0, 40) || 'job';
  return `${safe}-${randomBytes(4).toString('hex')}`;
}

/**
 * Queues jobs as chunk flows. Each job's frames are counted here (probe), so a bad input fails at submit time.
 * @throws BAD_INPUT for a bad spec or input, MISSING_DEPENDENCY when Redis cannot be reached.
 */
export async function submitJobs(jobs: { name: string; spec: JobSpec }[], o: SubmitOptions): Promise<Submitted[]> {
  const plans: { name: string; spec: JobSpec; plan: JobPlan }[] = [];
  for (const job of jobs) plans.push({ ...job, plan: await planJob(job.spec) });
  return withRedis(o.redis, async (redis) => {
    const flows = new FlowProducer({ connection: connection(o.redis), prefix: PREFIX });
    try {
      const out: Submitted[] = [];
      for (const { name, plan } of plans) {
        const spec = plan.spec;
        const id = submissionId(name);
        const queue = queueName(spec.engine.device);
        const chunks = splitIntoChunks(plan.total, o.chunkSize ?? 50);
        const childOpts = {
          attempts: o.attempts ?? 3,
          backoff: { type: 'exponential', delay: o.backoffMs ?? 2000 },
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
            submission: id,
            name,
            dir: spec.output.dir,
            format: spec.output.format,
            preview: spec.output.preview,
            force: spec.output.force,
            total: plan.total,
            chunks: chunks.length,
          } satisfies MergeData,
          opts: { jobId: id, attempts: o.attempts ?? 3, backoff: childOpts.backoff },
          children: chunkSpecs(spec, chunks).map((s) => ({
            name: 'chunk',
            queueName: queue,
            data: { kind: 'chunk', submission: id, name, spec: s } satisfies ChunkData,
            opts: { ...childOpts, jobId: `${id}-c${s.chunk!.start}-${s.chunk!.end}` },
          })),
        });
        out.push({ id, name, queue, chunks: chunks.length, frames: plan.total, output: spec.output.dir });
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

async function jobsWithState(queue: Queue): Promise<{ job: Job<QueueJobData>; state: string }[]> {
  const out: { job: Job<QueueJobData>; state: string }[] = [];
  for (const state of ALL_STATES) {
    for (const job of (await queue.getJobs([state])) as Job<QueueJobData>[]) if (job) out.push({ job, state });
  }
  return out;
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
          for (const c of chunks) {
            const cd = c.job.data as ChunkData;
            if (c.state === 'completed') {
              counts.done++;
              framesDone += size(cd);
            } else if (c.state === 'active') {
              counts.running++;
              framesDone += (c.job.progress as { done?: number })?.done ?? 0;
            } else if (c.state === 'failed') counts.failed++;
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
            ...(job.failedReason ? { error: job.failedReason } : {}),
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
 * flow ends failed and shows as cancelled. @throws BAD_INPUT for an unknown id.
 */
export async function cancelSubmission(o: { redis: string; id: string }): Promise<SubmissionStatus> {
  const status = (await queueStatus(o)).find((s) => s.id === o.id);
  if (!status)
    throw new ReenactError('BAD_INPUT', `No queued job with id ${o.id}. See reenact queue status for the ids.`, {
      details: { notFound: true },
    });
  if (status.state === 'done' || status.state === 'failed') {
    throw new ReenactError('USAGE', `Expected a queued or running job to cancel but job ${o.id} is ${status.state}.`);
  }
  // Workers check this key before each chunk and between frames; a cancelled chunk fails for good, and with it the flow.
  await withRedis(o.redis, (redis) => redis.set(CANCEL_KEY(o.id), '1', 'EX', 7 * 24 * 3600));
  return { ...status, state: 'cancelled' };
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
