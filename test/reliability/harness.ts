/**
 * The reliability harness: runs one case (library or CLI) under a time bound, hashes the inputs before and after,
 * checks the output folder holds no partial frame under a final name, and records the outcome as a row of
 * test/RELIABILITY.md (written by the test run, never by hand).
 */
import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { ReenactError } from '../../bridge/src/errors.js';
import { probe } from '../../bridge/src/media/probe.js';
import { renderJob } from '../../bridge/src/pipeline/render.js';
import type { JobSpecInput, Manifest } from '../../bridge/src/pipeline/spec.js';
import { isCompletePng } from '../../bridge/src/util/png.js';

export const TABLE = path.resolve(import.meta.dirname, '..', 'RELIABILITY.md');

export function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

export interface Outcome {
  manifest?: Manifest;
  error?: ReenactError;
  /** Anything thrown that is not a ReenactError (a crash). */
  crash?: unknown;
  hung?: boolean;
  seconds: number;
}

/**
 * Runs renderJob with a hard time bound: after `timeoutMs` the job is aborted, and if it still has not settled
 * 5 s later it counts as hung.
 */
export async function renderBounded(spec: JobSpecInput, timeoutMs = 60_000): Promise<Outcome> {
  const t0 = performance.now();
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  let hangTimer: NodeJS.Timeout | undefined;
  const hang = new Promise<'hung'>((resolve) => {
    hangTimer = setTimeout(() => resolve('hung'), timeoutMs + 5000);
  });
  try {
    const result = await Promise.race([renderJob(spec, { signal: controller.signal }), hang]);
    if (result === 'hung') return { hung: true, seconds: (performance.now() - t0) / 1000 };
    if (controller.signal.aborted) return { hung: true, seconds: (performance.now() - t0) / 1000 };
    return { manifest: result, seconds: (performance.now() - t0) / 1000 };
  } catch (err) {
    const seconds = (performance.now() - t0) / 1000;
    if (controller.signal.aborted) return { hung: true, seconds };
    return err instanceof ReenactError ? { error: err, seconds } : { crash: err, seconds };
  } finally {
    clearTimeout(timer);
    clearTimeout(hangTimer);
  }
}

/**
 * Problems in an output folder: a frame file that is not a complete PNG, a temp/partial file left behind, a movie
 * under its final name that does not probe, a manifest that is not JSON. Empty list = clean.
 */
export async function outputProblems(dir: string): Promise<string[]> {
  const problems: string[] = [];
  if (!existsSync(dir)) return problems;
  const frames = path.join(dir, 'frames');
  if (existsSync(frames)) {
    for (const n of readdirSync(frames)) {
      if (!/^frame_\d{5}\.png$/.test(n)) problems.push(`stray file frames/${n}`);
      else if (!isCompletePng(readFileSync(path.join(frames, n)))) problems.push(`partial frame frames/${n}`);
    }
  }
  for (const n of readdirSync(dir)) {
    const file = path.join(dir, n);
    if (n.startsWith('.') && !statSync(file).isDirectory()) problems.push(`temp file left: ${n}`);
    if (/\.(mov|mp4)$/.test(n) && !n.startsWith('.')) {
      try {
        await probe(file);
      } catch {
        problems.push(`unreadable movie under a final name: ${n}`);
      }
    }
    if (n === 'reenact.json') {
      try {
        JSON.parse(readFileSync(file, 'utf8'));
      } catch {
        problems.push('reenact.json is not JSON');
      }
    }
  }
  return problems;
}

/** True when no test of the file was filtered out (-t, .only): only a whole run may rewrite its table section. */
export function ranWholeFile(suite: { tasks?: unknown[] }): boolean {
  const walk = (tasks: unknown[]): boolean =>
    tasks.every((t) => {
      const task = t as { mode?: string; tasks?: unknown[] };
      return task.mode !== 'skip' && task.mode !== 'todo' && walk(task.tasks ?? []);
    });
  return walk(suite.tasks ?? []);
}

export interface Row {
  case: string;
  input: string;
  via: 'library' | 'CLI' | 'HTTP' | 'WebSocket';
  /** What happened, in words that do not change from run to run (no timings, ports, ids or measured sizes). */
  outcome: string;
  /** How long the case took: kept in test-artifacts/reliability/<section>.json, never in the committed table. */
  seconds: number;
  /** Figures measured in this run (memory, counts), kept beside the timing and out of the table. */
  figures?: Record<string, number>;
}

/** Timings and other per-run figures of the last run (git-ignored: they change with every run and every machine). */
const ARTIFACTS = path.resolve(import.meta.dirname, '..', '..', 'test-artifacts', 'reliability');

/**
 * What of a row's text the table keeps: a CLI summary's "in 0.15 s" is the run's timing, so it reads "in <t> s"
 * (the timing is in the artifacts). Without it every `npm test` rewrote the committed file.
 */
function steady(text: string): string {
  return text.replace(/\bin \d+(?:\.\d+)? s\b/g, 'in <t> s');
}

/** Shortens temp paths in messages so the committed table does not change with every run. */
export function scrub(text: string, dirs: string[]): string {
  let out = text;
  for (const d of dirs) out = out.split(d).join('<tmp>');
  return out.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function describe(o: Outcome): string {
  if (o.hung) return 'HANG';
  if (o.crash) return `CRASH: ${String(o.crash)}`;
  if (o.error) return `clear error ${o.error.code}: ${o.error.message}`;
  const counts: Record<string, number> = {};
  for (const f of o.manifest?.frames ?? []) counts[f.status] = (counts[f.status] ?? 0) + 1;
  const parts = Object.entries(counts).map(([k, v]) => `${v} ${k}`);
  return `rendered ${o.manifest?.frameCount} frames at ${o.manifest?.fps} fps (${parts.join(', ')})`;
}

/**
 * Replaces this section of test/RELIABILITY.md (between its markers) with `rows`, and writes the rows with their
 * timings and figures to test-artifacts/reliability/<section>.json. The committed table holds only what
 * stays the same from run to run, so a test run leaves the tree clean. Sections are written by different test files
 * (separate processes), so a lock file serialises the read-modify-write.
 */
export function writeSection(section: string, title: string, note: string, rows: Row[]): void {
  mkdirSync(ARTIFACTS, { recursive: true });
  writeFileSync(path.join(ARTIFACTS, `${section}.json`), `${JSON.stringify({ title, rows }, null, 2)}\n`);
  const lock = `${TABLE}.lock`;
  let fd: number | undefined;
  for (let tries = 0; fd === undefined && tries < 200; tries++) {
    try {
      fd = openSync(lock, 'wx');
    } catch {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 25); // sleep 25 ms: another file is writing
      if (tries === 199) rmSync(lock, { force: true }); // a stale lock from a killed run
    }
  }
  try {
    const header =
      '# Reliability results\n\nGenerated by `npm test` (test/reliability/*.test.ts); do not edit by hand. ' +
      'Each case either renders correctly or fails with a clear error naming the file and the fix; every case is ' +
      'also checked for hangs, crashes (non-ReenactError throws), partial frames under final names and changed inputs.\n';
    const current = existsSync(TABLE) ? readFileSync(TABLE, 'utf8') : header;
    const begin = `<!-- section:${section} -->`;
    const end = `<!-- /section:${section} -->`;
    const body = [
      begin,
      `## ${title}`,
      '',
      note,
      '',
      '| Case | Input | Via | Outcome |',
      '|---|---|---|---|',
      ...rows.map((r) => `| ${r.case} | ${r.input} | ${r.via} | ${steady(r.outcome)} |`),
      '',
      end,
    ].join('\n');
    const start = current.indexOf(begin);
    const stop = current.indexOf(end);
    const next =
      start >= 0 && stop > start
        ? current.slice(0, start) + body + current.slice(stop + end.length)
        : `${current.trimEnd()}\n\n${body}\n`;
    const tmp = `${TABLE}.${process.pid}.tmp`;
    writeFileSync(tmp, next);
    renameSync(tmp, TABLE);
  } finally {
    if (fd !== undefined) closeSync(fd);
    rmSync(lock, { force: true });
  }
}
