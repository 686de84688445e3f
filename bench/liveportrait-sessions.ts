/**
 * Session-level timings of single LivePortrait networks: the GridSample-rewritten warping graph against the original
 * (time and largest output difference on the same seeded inputs), and reduced-precision variants (fp16, dynamic
 * int8) of warping_spade and motion_extractor. Times only for the variants: their quality needs the real weights.
 * Each session: created, one warm-up run, then the best of `runs` timed runs (the least disturbed on a shared machine).
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as ort from 'onnxruntime-node';
import { randomFeeds } from '../bridge/src/models/check-rewrite.js';
import { ortSessionOptions } from '../bridge/src/onnx/session.js';
import type { Skeleton } from '../test/engines/liveportrait/random-graphs/graph.js';
import { ensureGraph } from '../test/engines/liveportrait/random-graphs/index.js';
import { toDynamicInt8, toFp16 } from '../test/engines/liveportrait/random-graphs/variants.js';
import { peakRss } from './lib.js';

export interface SessionTiming {
  createMs: number;
  firstRunMs: number;
  bestRunMs: number;
  outputs: Record<string, Float32Array>;
}

export interface SessionOptions {
  executionProviders: string[];
  threads: number;
  runs: number;
  seed?: number;
}

/** Creates a session for `file`, runs it 1 + `runs` times on seeded random inputs, releases it. */
export async function timeSession(file: string, o: SessionOptions): Promise<SessionTiming> {
  let t = performance.now();
  const session = await ort.InferenceSession.create(
    file,
    ortSessionOptions({ executionProviders: o.executionProviders, threads: o.threads }),
  );
  const createMs = performance.now() - t;
  try {
    const feeds = randomFeeds(session, o.seed ?? 1);
    t = performance.now();
    let out = await session.run(feeds);
    const firstRunMs = performance.now() - t;
    let bestRunMs = Number.POSITIVE_INFINITY;
    for (let i = 0; i < o.runs; i++) {
      t = performance.now();
      out = await session.run(feeds);
      bestRunMs = Math.min(bestRunMs, performance.now() - t);
    }
    const outputs = Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.data as Float32Array]));
    return { createMs, firstRunMs, bestRunMs, outputs };
  } finally {
    await session.release();
  }
}

export interface ApartTiming {
  createMs: number;
  firstRunMs: number;
  bestRunMs: number;
  peakRssBytes: number;
}

/**
 * timeSession in a fresh process: its peak RSS is this session's alone, and a variant that crashes or runs out of
 * memory becomes an error message (exit code or signal, last lines of stderr) instead of ending the bench.
 */
export async function timeSessionApart(file: string, o: SessionOptions): Promise<ApartTiming | { error: string }> {
  try {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(import.meta.url), JSON.stringify({ file, ...o })],
      { maxBuffer: 1 << 20 },
    );
    return JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as ApartTiming;
  } catch (err) {
    const e = err as { code?: number; signal?: string; stderr?: string };
    const tail = (e.stderr ?? '').trim().split('\n').slice(-2).join(' ').slice(0, 200);
    return { error: `${e.signal ? `killed by ${e.signal}` : `exit ${e.code}`}${tail ? `: ${tail}` : ''}` };
  }
}

export function maxAbsDiff(a: Record<string, Float32Array>, b: Record<string, Float32Array>): number {
  let max = 0;
  for (const [name, x] of Object.entries(a)) {
    const y = b[name];
    if (!y || y.length !== x.length) return Number.POSITIVE_INFINITY;
    for (let i = 0; i < x.length; i++) {
      const d = Math.abs(x[i] - y[i]);
      if (!(d <= max)) max = Number.isNaN(d) ? Number.POSITIVE_INFINITY : d;
    }
  }
  return max;
}

/** How many output values are NaN or ±∞. */
export function nonFinite(outputs: Record<string, Float32Array>): number {
  let n = 0;
  for (const data of Object.values(outputs)) for (const v of data) if (!Number.isFinite(v)) n++;
  return n;
}

const MISSING_KERNEL = /Could not find an implementation for (\w+)\(/;

/**
 * The fp16 variant of `base` written to `<stem>.fp16.onnx`, with every op type the execution provider has no
 * float16 kernel for kept in float32 behind Casts (found by trying: ONNX Runtime names the first such node when it
 * refuses the session). Returns the file and the op types kept in float32.
 */
export async function fp16Variant(
  base: Skeleton,
  stem: string,
  executionProviders: string[],
): Promise<{ file: string; keptFloat32: string[] }> {
  const kept = new Set<string>();
  for (;;) {
    const file = `${stem}.fp16${kept.size ? `-keep-${[...kept].sort().join('-')}` : ''}.onnx`;
    ensureGraph(file, toFp16(base, kept));
    try {
      const session = await ort.InferenceSession.create(file, { executionProviders, logSeverityLevel: 3 });
      await session.release();
      return { file, keptFloat32: [...kept].sort() };
    } catch (err) {
      const op = MISSING_KERNEL.exec((err as Error).message)?.[1];
      if (!op || kept.has(op) || kept.size > 20) throw err;
      kept.add(op);
    }
  }
}

/** The dynamic int8 variant of `base` written to `<stem>.int8.onnx`. */
export function int8Variant(base: Skeleton, stem: string): string {
  const file = `${stem}.int8.onnx`;
  ensureGraph(file, toDynamicInt8(base));
  return file;
}

// Entry for one session in its own process: `node --import tsx bench/liveportrait-sessions.ts '{"file":…,"executionProviders":["cpu"],"threads":2,"runs":1}'`.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { file, ...o } = JSON.parse(process.argv[2]) as SessionOptions & { file: string };
  const t = await timeSession(file, o);
  const result: ApartTiming = {
    createMs: t.createMs,
    firstRunMs: t.firstRunMs,
    bestRunMs: t.bestRunMs,
    peakRssBytes: peakRss(),
  };
  console.log(JSON.stringify(result));
}
