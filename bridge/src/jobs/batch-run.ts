/**
 * Runs a batch locally with bounded concurrency and reports each job's outcome. A re-run skips jobs whose output is
 * already complete and resumes partial ones (renderJob keeps every valid frame), so a crashed or cancelled batch is
 * finished by running the same command again.
 */
import path from 'node:path';
import { asReenactError, ReenactError } from '../errors.js';
import { isCompletePngFile } from '../media/png-sequence.js';
import type { JobEvent } from '../pipeline/events.js';
import { outputLayout, readManifest } from '../pipeline/output.js';
import { renderJob } from '../pipeline/render.js';
import type { JobSpec, Manifest } from '../pipeline/spec.js';
import type { Batch, BatchJob } from './batch.js';

export type BatchJobStatus = 'done' | 'skipped' | 'failed' | 'cancelled';

export interface BatchJobReport {
  index: number;
  name: string;
  output: string;
  status: BatchJobStatus;
  /** Output frames of the job (0 when it failed before rendering). */
  frames: number;
  /** Frames by status (rendered, held, no-face…). */
  statuses: Record<string, number>;
  seconds: number;
  warnings: string[];
  error?: { code: string; message: string };
}

export interface BatchReport {
  spec?: string;
  startedAt: string;
  finishedAt: string;
  seconds: number;
  concurrency: number;
  counts: Record<BatchJobStatus, number>;
  jobs: BatchJobReport[];
}

export interface BatchRunOptions {
  concurrency?: number;
  signal?: AbortSignal;
  /** Every job event, with the batch job it belongs to. */
  onEvent?: (job: BatchJob, event: JobEvent) => void;
  /** Called when a job finishes (any status). */
  onJobEnd?: (report: BatchJobReport) => void;
  /** The render function (tests may count calls); default renderJob. */
  render?: typeof renderJob;
}

/** The spec fields that decide the output's bytes (force only decides whether to start over). */
function sameJob(a: JobSpec, b: JobSpec): boolean {
  const strip = (s: JobSpec) => JSON.stringify({ ...s, output: { ...s.output, force: false } });
  return strip(a) === strip(b);
}

/** The manifest of a finished render of exactly this spec with every frame on disk, or undefined. */
export async function completedManifest(spec: JobSpec): Promise<Manifest | undefined> {
  if (spec.output.force) return undefined;
  const layout = outputLayout(spec);
  const manifest = await readManifest(layout.manifest);
  if (!manifest?.complete || !manifest.spec || !sameJob(manifest.spec, spec)) return undefined;
  if (manifest.format === 'png') {
    for (const f of manifest.frames) if (!(await isCompletePngFile(layout.framePath(f.index)))) return undefined;
  }
  return manifest;
}

function countStatuses(m: Manifest): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const f of m.frames) counts[f.status] = (counts[f.status] ?? 0) + 1;
  return counts;
}

async function runOne(job: BatchJob, o: BatchRunOptions): Promise<BatchJobReport> {
  const t0 = performance.now();
  const base = { index: job.index, name: job.name, output: job.spec.output.dir };
  const seconds = () => (performance.now() - t0) / 1000;
  const done = await completedManifest(job.spec);
  if (done)
    return {
      ...base,
      status: 'skipped',
      frames: done.frameCount,
      statuses: countStatuses(done),
      seconds: seconds(),
      warnings: done.warnings,
    };
  const warnings: string[] = [];
  try {
    if (o.signal?.aborted) throw new ReenactError('CANCELLED', 'Cancelled.');
    const manifest = await (o.render ?? renderJob)(job.spec, {
      jobId: `${job.index}-${job.name}`,
      signal: o.signal,
      onEvent: (e) => {
        if (e.type === 'warning') warnings.push(e.message);
        o.onEvent?.(job, e);
      },
    });
    return {
      ...base,
      status: 'done',
      frames: manifest.frameCount,
      statuses: countStatuses(manifest),
      seconds: seconds(),
      warnings: manifest.warnings,
    };
  } catch (err) {
    const e = asReenactError(err);
    return {
      ...base,
      status: e.code === 'CANCELLED' ? 'cancelled' : 'failed',
      frames: 0,
      statuses: {},
      seconds: seconds(),
      warnings,
      error: { code: e.code, message: e.message },
    };
  }
}

/** Runs every job (at most `concurrency` at once, in file order); never throws for a failed job. */
export async function runBatch(batch: Batch, options: BatchRunOptions = {}): Promise<BatchReport> {
  const concurrency = Math.max(1, options.concurrency ?? batch.concurrency ?? 1);
  const startedAt = new Date();
  const reports: BatchJobReport[] = new Array(batch.jobs.length);
  let next = 0;
  const lane = async () => {
    while (next < batch.jobs.length) {
      const i = next++;
      reports[i] = await runOne(batch.jobs[i], options);
      options.onJobEnd?.(reports[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, batch.jobs.length) }, lane));
  const counts: Record<BatchJobStatus, number> = { done: 0, skipped: 0, failed: 0, cancelled: 0 };
  for (const r of reports) counts[r.status]++;
  const finishedAt = new Date();
  return {
    ...(batch.file ? { spec: batch.file } : {}),
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    seconds: (finishedAt.getTime() - startedAt.getTime()) / 1000,
    concurrency,
    counts,
    jobs: reports,
  };
}

/** A readable table of a batch report (fixed-width columns, one job per line, output paths relative to `cwd`). */
export function formatBatchTable(report: BatchReport, cwd = process.cwd()): string {
  const rows = report.jobs.map((j) => [
    String(j.index),
    j.name,
    j.status,
    String(j.frames),
    `${j.seconds.toFixed(1)} s`,
    String(j.warnings.length),
    j.error ? j.error.message : path.relative(cwd, j.output) || '.',
  ]);
  const head = ['#', 'name', 'status', 'frames', 'time', 'warnings', 'output / error'];
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (r: string[]) =>
    r
      .map((v, c) => (c === r.length - 1 ? v : v.padEnd(widths[c])))
      .join('  ')
      .trimEnd();
  const c = report.counts;
  const total = `${report.jobs.length} job(s): ${c.done} done, ${c.skipped} skipped (already complete), ${c.failed} failed, ${c.cancelled} cancelled in ${report.seconds.toFixed(1)} s`;
  return [line(head), ...rows.map(line), total].join('\n');
}
