/** Benchmark helpers: timing, RSS sampling, markdown tables. Figures are ratios measured in one run (machines are noisy). */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type RawInput, rawEncodeArgs } from '../bridge/src/media/ffmpeg-args.js';

/** This run's scratch folder (a child process of the bench shares its parent's through REENACT_BENCH_DIR). */
export const benchDir = process.env.REENACT_BENCH_DIR ?? mkdtempSync(path.join(os.tmpdir(), 'reenact-bench-'));

export async function timeIt(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return (performance.now() - t) / 1000;
}

/** Best of `runs` (the least disturbed measurement). */
export async function best(runs: number, fn: () => Promise<unknown>): Promise<number> {
  let min = Number.POSITIVE_INFINITY;
  for (let i = 0; i < runs; i++) min = Math.min(min, await timeIt(fn));
  return min;
}

/** Best times of two contenders measured alternately (a, b, a, b, …), so load on the machine hits both alike. */
export async function duel(
  runs: number,
  a: () => Promise<unknown>,
  b: () => Promise<unknown>,
): Promise<[number, number]> {
  let ta = Number.POSITIVE_INFINITY;
  let tb = Number.POSITIVE_INFINITY;
  for (let i = 0; i < runs; i++) {
    ta = Math.min(ta, await timeIt(a));
    tb = Math.min(tb, await timeIt(b));
  }
  return [ta, tb];
}

/**
 * Runs a command; resolves on exit 0. stdout is drained through a pipe into this process (`pipe: true`, the same
 * delivery reenact's decoder has) or discarded by the OS.
 */
export function runQuiet(bin: string, args: string[], options: { pipe?: boolean } = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ['ignore', options.pipe ? 'pipe' : 'ignore', 'pipe'] });
    child.stdout?.resume();
    let err = '';
    child.stderr!.on('data', (d) => {
      err += d;
    });
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`${bin} exited ${code}: ${err.slice(-500)}`)),
    );
  });
}

export interface Row {
  [column: string]: string | number;
}

export function table(title: string, rows: Row[]): string {
  if (!rows.length) return `### ${title}\n\n(no rows)\n`;
  const cols = Object.keys(rows[0]);
  const fmt = (v: string | number) => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(2)) : v);
  return [
    `### ${title}`,
    '',
    `| ${cols.join(' | ')} |`,
    `| ${cols.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${cols.map((c) => fmt(r[c])).join(' | ')} |`),
    '',
  ].join('\n');
}

/**
 * This process's peak RSS in bytes. Linux: VmHWM of /proc/self/status, because getrusage's ru_maxrss (Node's
 * resourceUsage().maxRSS) keeps the high-water mark of the process image before exec, so a child spawned by a large
 * parent reports at least the parent's size. Elsewhere: maxRSS.
 */
export function peakRss(): number {
  try {
    const kb = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    if (kb) return Number(kb) * 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS * 1024;
}

export function mib(bytes: number): number {
  return Math.round((bytes / 1024 / 1024) * 10) / 10;
}

/**
 * PNG sequence from raw frames on stdin with ffmpeg's fast settings (compression 1 + paeth: ~2.5× default speed, the
 * first plan's encoder). reenact writes PNG sequences in-process (bridge/src/media/png-sequence.ts, docs/design-notes.md
 * §4); this plain-ffmpeg command is the baseline the benchmarks measure it against. `pattern` is a printf pattern
 * like /out/frames/frame_%05d.png.
 */
export function ffmpegPngArgs(i: RawInput & { pattern: string; startNumber: number }): string[] {
  return rawEncodeArgs(
    i,
    [
      '-c:v',
      'png',
      '-compression_level',
      '1',
      '-pred',
      'paeth',
      '-pix_fmt',
      i.channels === 4 ? 'rgba' : 'rgb24',
      '-f',
      'image2',
      '-atomic_writing',
      '1',
      '-start_number',
      String(i.startNumber),
    ],
    i.pattern,
  );
}
