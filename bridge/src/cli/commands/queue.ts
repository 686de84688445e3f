/**
 * `reenact queue submit|status|cancel|dead`: the studio queue on Redis (BullMQ). Submit splits each job into chunks
 * that `reenact worker`s render; the last step merges them into the job's output folder.
 */
import type { Command } from 'commander';
import { ReenactError } from '../../errors.js';
import { loadJobsFile } from '../../jobs/batch.js';
import { cancelSubmission, deadJobs, queueStatus, redisUrl, submitJobs } from '../../jobs/queue.js';
import { printJson, printLine } from '../output.js';

function positiveInt(name: string) {
  return (text: string): number => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < 1) throw new ReenactError('USAGE', `Expected ${name} ≥ 1 but received "${text}".`);
    return n;
  };
}

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

export function register(program: Command): void {
  const queue = program.command('queue').description('Studio queue on Redis: submit chunked jobs, watch, cancel.');
  const redisOption = ['--redis <url>', 'Redis URL (default: $REENACT_REDIS or redis://127.0.0.1:6379)'] as const;

  queue
    .command('submit')
    .description('Queue a job spec or a batch file, split into chunks for the workers.')
    .argument('<spec>', 'job spec or batch file (.json, .yaml)')
    .option('--chunk-size <n>', 'frames per chunk', positiveInt('--chunk-size'), 50)
    .option('--attempts <n>', 'tries per chunk before it is dead', positiveInt('--attempts'), 3)
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
        for (const s of submitted)
          printLine(`queued ${s.id}: ${s.frames} frames in ${s.chunks} chunk(s) on ${s.queue} → ${s.output}`);
    });

  queue
    .command('status')
    .description('Show every queued, running and finished job.')
    .option(...redisOption)
    .option('--json', 'print as JSON')
    .action(async (o: { redis?: string; json?: boolean }) => {
      const status = await queueStatus({ redis: redisUrl(o.redis) });
      if (o.json) return printJson({ type: 'status', jobs: status });
      if (!status.length) return printLine('No jobs in the queue.');
      printLine(
        table(
          ['id', 'state', 'chunks', 'frames', 'output'],
          status.map((s) => [
            s.id,
            s.state,
            `${s.chunks.done}/${s.chunks.total}${s.chunks.failed ? ` (${s.chunks.failed} failed)` : ''}`,
            `${s.frames.done}/${s.frames.total}`,
            s.error && s.state !== 'done' ? `${s.output} (${s.error})` : s.output,
          ]),
        ),
      );
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
