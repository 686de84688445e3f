/**
 * Long clips (issue #9): renders generated clips of 10 s, 60 s and 10 min, each in a fresh process (so earlier bench
 * sections do not count), and reports its peak RSS (sampled every 250 ms) and the longest gap between progress events,
 * to show memory stays flat with clip length and progress keeps coming. The 10-minute clip uses the fixture engine on 64×48 frames (a 10-minute meshwarp render takes
 * most of an hour on 2 cores); the others loop the real driving clip through meshwarp.
 */
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ensureFaceModel, FACE_MODEL_NAMES } from '../bridge/src/face/models.js';
import { renderJob } from '../bridge/src/pipeline/render.js';
import type { JobSpecInput } from '../bridge/src/pipeline/spec.js';
import { brightnessClip, DRIVING, ffmpeg, PORTRAIT } from '../test/helpers/media.js';
import { benchDir, mib, type Row } from './lib.js';

/** The cases' own cache folder: tracks are never reused from an earlier run. */
const CACHE = path.join(benchDir, 'cache-long');

export interface LongCase {
  seconds: number;
  engine: 'meshwarp' | 'fixture';
}

export const LONG_CASES: LongCase[] = [
  { seconds: 10, engine: 'meshwarp' },
  { seconds: 60, engine: 'meshwarp' },
  { seconds: 600, engine: 'fixture' },
];

/** A clip of `seconds`: the driving clip looped (meshwarp needs a face) or a 64×48 brightness ramp (fixture). */
async function makeClip(c: LongCase): Promise<{ driving: string; source: string }> {
  const file = path.join(benchDir, `long-${c.engine}-${c.seconds}s.mp4`);
  if (c.engine === 'meshwarp') {
    await ffmpeg(
      '-stream_loop',
      '-1',
      '-i',
      DRIVING,
      '-t',
      String(c.seconds),
      '-an',
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      file,
    );
    return { driving: file, source: PORTRAIT };
  }
  await brightnessClip(file, c.seconds * 25, 'sin(N/9)');
  const source = path.join(benchDir, 'long-source.png');
  await ffmpeg('-f', 'lavfi', '-i', 'testsrc=size=64x64', '-frames:v', '1', source);
  return { driving: file, source };
}

export interface LongResult {
  frames: number;
  seconds: number;
  peakRss: number;
  startRss: number;
  /** RSS sampled at 25 %, 50 %, 75 % and 100 % of the frames rendered. */
  rssAtQuarters: number[];
  maxProgressGap: number;
  progressEvents: number;
}

/** Renders one long clip, sampling RSS every 250 ms and timing the gaps between progress events. */
export async function renderLong(c: LongCase): Promise<LongResult> {
  const { driving, source } = await makeClip(c);
  const out = path.join(benchDir, `long-out-${c.engine}-${c.seconds}s`);
  mkdirSync(out, { recursive: true });
  const spec: JobSpecInput = { source, driving, output: { dir: out, force: true }, engine: { name: c.engine } };
  global.gc?.();
  const startRss = process.memoryUsage().rss;
  let peakRss = startRss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 250);
  let last = performance.now();
  let maxGap = 0;
  let events = 0;
  const quarters: number[] = [];
  const t0 = performance.now();
  try {
    const manifest = await renderJob(spec, {
      onEvent: (e) => {
        if (e.type !== 'progress') return;
        const now = performance.now();
        maxGap = Math.max(maxGap, now - last);
        last = now;
        events++;
        while (e.stage === 'render' && quarters.length < 4 && e.done >= ((quarters.length + 1) * e.total) / 4) {
          const rss = process.memoryUsage().rss;
          peakRss = Math.max(peakRss, rss);
          quarters.push(rss);
        }
      },
    });
    return {
      frames: manifest.frameCount,
      seconds: (performance.now() - t0) / 1000,
      peakRss,
      startRss,
      rssAtQuarters: quarters,
      maxProgressGap: maxGap / 1000,
      progressEvents: events,
    };
  } finally {
    clearInterval(sampler);
  }
}

/** Runs one case in a fresh Node process (this file as its entry) and returns its result. */
async function renderLongApart(c: LongCase): Promise<LongResult> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(import.meta.url), JSON.stringify(c)],
    { maxBuffer: 1 << 20, env: { ...process.env, REENACT_BENCH_DIR: benchDir, REENACT_CACHE_DIR: CACHE } },
  );
  return JSON.parse(stdout.trim().split('\n').pop()!) as LongResult;
}

/** Rows for bench/run.ts: one per clip length. */
export async function benchLong(cases: LongCase[] = LONG_CASES): Promise<Row[]> {
  // Face models converted beforehand, so no case pays for it; each clip's track is computed cold (new clip hash).
  for (const name of FACE_MODEL_NAMES) ensureFaceModel(name, { env: { ...process.env, REENACT_CACHE_DIR: CACHE } });
  const rows: Row[] = [];
  for (const c of cases) {
    const r = await renderLongApart(c);
    rows.push({
      clip: `${c.seconds >= 60 ? `${c.seconds / 60} min` : `${c.seconds} s`}`,
      engine: c.engine,
      frames: r.frames,
      'render fps': r.frames / r.seconds,
      'RSS start MiB': mib(r.startRss),
      'RSS at 25/50/75/100 % MiB': r.rssAtQuarters.map(mib).join(' / '),
      'peak RSS MiB': mib(r.peakRss),
      'progress events': r.progressEvents,
      'max gap between progress events s': r.maxProgressGap,
    });
  }
  return rows;
}

// Entry for one case in its own process: `node --import tsx bench/long.ts '{"seconds":10,"engine":"meshwarp"}'`.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = await renderLong(JSON.parse(process.argv[2]) as LongCase);
  console.log(JSON.stringify(result));
}
