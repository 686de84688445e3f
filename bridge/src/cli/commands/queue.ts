/**
 * `reenact queue submit|status|watch|cancel|retry|remove|dead`: the studio queue on Redis (BullMQ). Submit checks
 * each job's inputs, then splits it into chunks that `reenact worker`s render; the last step merges them into the
 * job's output folder. Watch follows jobs to the end and exits with their outcome.
 */
import type { Command } from 'commander';
import { ReenactError } from '../../errors.js';
import { loadJobsFile } from '../../jobs/batch.js';
import {
  cancelSubmission,
  deadJobs,
  queueStatus,
  redisUrl,
  removeSubmission,
  retrySubmission,
  type SubmissionState,
  type SubmissionStatus,
  submitJobs,
} from '../../jobs/queue.js';
import { intFlag } from '../flags.js';
import { printJson, printLine } from '../output.js';

/** Fixed-width table of string rows under a header. */
export function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  return [head, ...rows]
    .map((r) =>
      r
        .map((v, c) => v.padEnd(widths[c]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

const FINISHED_STATES = new Set<SubmissionState>(['done', 'failed', 'cancelled']);

function statusTable(status: SubmissionStatus[]): string {
  return table(
    ['id', 'state', 'chunks', 'frames', 'output'],
    status.map((s) => [
      s.id,
      s.state,
      `${s.chunks.done}/${s.chunks.total}${s.chunks.failed ? ` (${s.chunks.failed} failed)` : ''}`,
      `${s.frames.done}/${s.frames.total}`,
      s.error && s.state !== 'done' ? `${s.output} (${s.error})` : s.output,
    ]),
  );
}

/** One line per job and change: "alice-1a2b3c4d running 2/4 chunks, 98/200 frames". */
function statusLine(s: SubmissionStatus): string {
  const chunks = `${s.chunks.done}/${s.chunks.total} chunks${s.chunks.failed ? ` (${s.chunks.failed} failed)` : ''}`;
  const tail =
    s.state === 'done'
      ? ` → ${s.manifest ?? s.output}`
      : s.error && s.state !== 'queued' && s.state !== 'running'
        ? `: ${s.error}`
        : '';
  return `${s.id} ${s.state} ${chunks}, ${s.frames.done}/${s.frames.total} frames${tail}`;
}

/**
 * Follows jobs until each has finished: a line (or a JSON status) whenever one changes. Exits like a render: 0 when
 * all are done, 1 when one failed, 130 when one was cancelled. With no ids, it follows every job still queued or
 * running when it starts.
 * @throws BAD_INPUT for an unknown id; ReenactError (exit 1 or 130) when a job failed or was cancelled.
 */
async function watch(ids: string[], o: { redis: string; json?: boolean; intervalMs?: number }): Promise<void> {
  const first = await queueStatus({ redis: o.redis });
  for (const id of ids)
    if (!first.some((s) => s.id === id))
      throw new ReenactError('BAD_INPUT', `No queued job with id ${id}. See reenact queue status for the ids.`);
  const watched = ids.length ? ids : first.filter((s) => !FINISHED_STATES.has(s.state)).map((s) => s.id);
  if (!watched.length) {
    if (o.json) printJson({ type: 'status', jobs: [] });
    else printLine('No job is queued or running.');
    return;
  }
  const seen = new Map<string, string>();
  let status = first;
  for (;;) {
    const mine = watched.map((id) => status.find((s) => s.id === id));
    for (const [i, s] of mine.entries()) {
      if (!s) throw new ReenactError('BAD_INPUT', `Job ${watched[i]} was removed from the queue while watched.`);
      const line = statusLine(s);
      if (seen.get(s.id) === line) continue;
      seen.set(s.id, line);
      if (o.json) printJson({ type: 'status', job: s });
      else printLine(line);
    }
    const finished = mine as SubmissionStatus[];
    if (finished.every((s) => FINISHED_STATES.has(s.state))) {
      const failed = finished.filter((s) => s.state === 'failed');
      const cancelled = finished.filter((s) => s.state === 'cancelled');
      if (failed.length)
        throw new ReenactError(
          'ENGINE_FAILED',
          `${failed.length} of ${finished.length} job(s) failed (${failed.map((s) => `${s.id}: ${s.error ?? 'see reenact queue dead'}`).join('; ')}).`,
        );
      if (cancelled.length)
        throw new ReenactError('CANCELLED', `Cancelled in the queue: ${cancelled.map((s) => s.id).join(', ')}.`);
      return;
    }
    await new Promise((r) => setTimeout(r, o.intervalMs ?? 1000));
    status = await queueStatus({ redis: o.redis });
  }
}

export function register(program: Command): void {
  const queue = program
    .command('queue')
    .description('Studio queue on Redis: submit chunked jobs, watch, cancel, retry, remove.');
  const redisOption = ['--redis <url>', 'Redis URL (default: $REENACT_REDIS or redis://127.0.0.1:6379)'] as const;

  queue
    .command('submit')
    .description('Queue a job spec or a batch file, split into chunks for the workers.')
    .argument('<spec>', 'job spec or batch file (.json, .yaml)')
    .option('--chunk-size <n>', 'frames per chunk', intFlag('--chunk-size', 1), 50)
    .option('--attempts <n>', 'tries per chunk before it is dead', intFlag('--attempts', 1), 3)
    .option(...redisOption)
    .option('--json', 'print the queued jobs as JSON')
    .action(async (file: string, o: { chunkSize: number; attempts: number; redis?: string; json?: boolean }) => {
      const jobs = await loadJobsFile(file);
      const submitted = await submitJobs(jobs, {
        redis: redisUrl(o.redis),
        chunkSize: o.chunkSize,
        attempts: o.attempts,
      });
      if (o.json) printJson({ type: 'submitted', jobs: submitted });
      else
        for (const s of submitted) {
          for (const w of s.warnings) process.stderr.write(`warning: ${s.name}: ${w}\n`);
          printLine(`queued ${s.id}: ${s.frames} frames in ${s.chunks} chunk(s) on ${s.queue} → ${s.output}`);
        }
    });

  queue
    .command('status')
    .description('Show every queued, running and finished job (with --follow, until none is queued or running).')
    .option('-f, --follow', 'keep showing changes until every job has finished (as reenact queue watch)')
    .option(...redisOption)
    .option('--json', 'print as JSON (with --follow: one status per change)')
    .action(async (o: { redis?: string; json?: boolean; follow?: boolean }) => {
      if (o.follow) return watch([], { redis: redisUrl(o.redis), json: o.json });
      const status = await queueStatus({ redis: redisUrl(o.redis) });
      if (o.json) return printJson({ type: 'status', jobs: status });
      if (!status.length) return printLine('No jobs in the queue.');
      printLine(statusTable(status));
    });

  queue
    .command('watch')
    .description('Follow jobs until they finish; exit 0 when all are done, 1 when one failed, 130 when cancelled.')
    .argument('[ids...]', 'job ids (default: every job still queued or running)')
    .option('--interval <ms>', 'how often to look', intFlag('--interval', 1), 1000)
    .option(...redisOption)
    .option('--json', 'print one JSON status per change')
    .action(async (ids: string[], o: { redis?: string; json?: boolean; interval: number }) =>
      watch(ids, { redis: redisUrl(o.redis), json: o.json, intervalMs: o.interval }),
    );

  queue
    .command('retry')
    .description('Queue a failed or cancelled job again (its dead letters go; finished chunks keep their frames).')
    .argument('<id>', 'job id, or the id of one of its dead letters (from status or dead)')
    .option('--attempts <n>', 'tries per chunk (default: as submitted)', intFlag('--attempts', 1))
    .option(...redisOption)
    .option('--json', 'print the queued job as JSON')
    .action(async (id: string, o: { redis?: string; json?: boolean; attempts?: number }) => {
      const s = await retrySubmission({ redis: redisUrl(o.redis), id, attempts: o.attempts });
      if (o.json) printJson({ type: 'retried', job: s });
      else printLine(`queued ${s.id} again: ${s.frames} frames in ${s.chunks} chunk(s) on ${s.queue} → ${s.output}`);
    });

  queue
    .command('remove')
    .description('Remove finished jobs (done, failed or cancelled) and their dead letters from Redis; files are kept.')
    .argument('[ids...]', 'job ids')
    .option('--finished', 'every finished job')
    .option(...redisOption)
    .option('--json', 'print the removed jobs as JSON')
    .action(async (ids: string[], o: { redis?: string; json?: boolean; finished?: boolean }) => {
      const redis = redisUrl(o.redis);
      if (!ids.length && !o.finished)
        throw new ReenactError('USAGE', 'Expected job ids to remove, or --finished for every finished job.');
      const targets = o.finished
        ? [
            ...ids,
            ...(await queueStatus({ redis }))
              .filter((s) => FINISHED_STATES.has(s.state) && !ids.includes(s.id))
              .map((s) => s.id),
          ]
        : ids;
      const removed = [];
      for (const id of targets) removed.push(await removeSubmission({ redis, id }));
      if (o.json) printJson({ type: 'removed', jobs: removed });
      else if (!removed.length) printLine('No finished jobs to remove.');
      else for (const r of removed) printLine(`removed ${r.id} from the queue (its files in ${r.output} are kept)`);
    });

  queue
    .command('cancel')
    .description('Cancel a queued or running job (running chunks stop at their next frame).')
    .argument('<id>', 'job id (from submit or status)')
    .option(...redisOption)
    .option('--json', 'print as JSON')
    .action(async (id: string, o: { redis?: string; json?: boolean }) => {
      const s = await cancelSubmission({ redis: redisUrl(o.redis), id });
      if (o.json) printJson({ type: 'cancelled', job: s });
      else printLine(`cancelled ${s.id}`);
    });

  queue
    .command('dead')
    .description('Dead letters: chunks and merges that failed for good (retries exhausted or unfixable).')
    .option(...redisOption)
    .option('--json', 'print as JSON')
    .action(async (o: { redis?: string; json?: boolean }) => {
      const dead = await deadJobs({ redis: redisUrl(o.redis) });
      if (o.json) return printJson({ type: 'dead', jobs: dead });
      if (!dead.length) return printLine('No dead jobs.');
      printLine(
        table(
          ['id', 'kind', 'frames', 'tries', 'reason'],
          dead.map((d) => [d.id, d.kind, d.frames ?? '', String(d.attempts), d.reason]),
        ),
      );
    });
}
