/**
 * Neural engine benchmark on graphs with the published LivePortrait topology and seeded random weights (speed and
 * memory do not depend on weight values; test/engines/liveportrait/random-graphs/). Generates them into the cache
 * (reused while unchanged), installs them with the real installer (which builds the GridSample-rewritten warping
 * graph), then measures:
 * - the engine end to end on a 1024² portrait (crop, each network, paste-back, fps, first-frame latency, peak RSS,
 *   non-finite network outputs) with 1 and 2 intra-op threads, each run in a fresh process;
 * - the GridSample rewrite against the original warping graph (time, largest output difference);
 * - fp16 and dynamic int8 variants of warping_spade and motion_extractor (time only).
 * `REENACT_LP_FRAMES` (default 10) sets the frame count; `REENACT_LP_REAL=1` measures the installed real models
 * instead (engine table only); `REENACT_LP_DEVICE=cuda` picks the engine's device.
 */
import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { loadCatalog, modelDir } from '../bridge/src/models/catalog.js';
import { installModelFolder } from '../test/engines/liveportrait/fixtures.js';
import { generateRandomGraphs, NETWORKS, randomGraphsDir } from '../test/engines/liveportrait/random-graphs/index.js';
import { benchDir, mib, type Row } from './lib.js';
import type { EngineRun, EngineRunOptions } from './liveportrait-engine.js';
import {
  fp16Variant,
  int8Variant,
  maxAbsDiff,
  nonFinite,
  timeSession,
  timeSessionApart,
} from './liveportrait-sessions.js';

/** Decided when the bench starts, before other sections point REENACT_CACHE_DIR at their scratch folders. */
const GRAPHS = randomGraphsDir();
const ENGINE_ENTRY = path.join(import.meta.dirname, 'liveportrait-engine.ts');

export interface Table {
  title: string;
  rows: Row[];
}

const seconds = (ms: number) => ms / 1000;
const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' / ');

/** Installs the random-weight graphs (or uses the real installed models) and returns the env for the engine. */
async function installed(): Promise<{ env: NodeJS.ProcessEnv; note: Row }> {
  if (process.env.REENACT_LP_REAL === '1')
    return { env: process.env, note: { step: 'models', value: 'installed (real)' } };
  let t = performance.now();
  generateRandomGraphs(GRAPHS);
  const generateMs = performance.now() - t;
  t = performance.now();
  const env = await installModelFolder(path.join(benchDir, 'liveportrait-random'), GRAPHS);
  return {
    env,
    note: {
      step: 'models',
      value: `random weights: generated or reused in ${seconds(generateMs).toFixed(1)} s; installed with the real installer (sha256, copy, GridSample rewrite of the 420 MB graph) in ${seconds(performance.now() - t).toFixed(1)} s`,
    },
  };
}

async function engineApart(o: EngineRunOptions, env: NodeJS.ProcessEnv): Promise<EngineRun> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', ENGINE_ENTRY, JSON.stringify(o)], {
    maxBuffer: 1 << 20,
    env,
  });
  return JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as EngineRun;
}

function engineTables(runs: EngineRun[], side: number): Table[] {
  const summary = runs.map((r) => ({
    device: r.device,
    threads: r.threads || 'default',
    portrait: `${side}²`,
    frames: r.frames,
    's/frame mean': seconds(r.renderMs / r.frames),
    's/frame best': seconds(r.bestFrameMs),
    'fps mean': (1000 * r.frames) / r.renderMs,
    'first frame s (load + prepare + reference + frame)': `${seconds(r.loadMs + r.prepareMs + r.referenceMs + r.firstFrameMs).toFixed(1)} (${[r.loadMs, r.prepareMs, r.referenceMs, r.firstFrameMs].map((ms) => seconds(ms).toFixed(1)).join(' + ')})`,
    'outside session.run %': 100 * r.outsideShare,
    'peak RSS MiB': mib(r.peakRssBytes),
    'non-finite outputs': `${r.nonFinite} of ${r.checkedValues.toLocaleString('en-US')}`,
  }));
  const names = [...new Set(runs.flatMap((r) => Object.keys(r.stages)))].filter((n) => n !== 'load');
  const stages = names.map((name) => {
    const row: Row = { stage: name.replace(/^run:/, 'run: ') };
    for (const r of runs) {
      const s = r.stages[name];
      row[`ms/frame, ${r.threads || 'default'} thr`] = s ? s.ms / r.frames : 0;
      row[`share %, ${r.threads || 'default'} thr`] = s ? (100 * s.ms) / r.renderMs : 0;
    }
    return row;
  });
  return [
    { title: 'LivePortrait engine on random-weight graphs with the published topology', rows: summary },
    {
      title:
        'LivePortrait engine, per stage (calls per frame: crop 1, motion_extractor 1, stitching 1, warping_spade 1)',
      rows: stages,
    },
  ];
}

/** Original warping graph vs its GridSample rewrite, on the same seeded inputs. */
async function rewriteTable(env: NodeJS.ProcessEnv, threads: number): Promise<Table> {
  const catalog = loadCatalog(env.REENACT_MODEL_CATALOG);
  const dir = modelDir(catalog.set, env);
  const entry = catalog.models.find((m) => m.id === 'warping_spade');
  const original = path.join(dir, entry?.file ?? 'warping_spade.onnx');
  const rewritten = path.join(dir, entry?.derived?.file ?? 'warping_spade.gs-rewrite.onnx');
  const eps = ['cpu'];
  const a = await timeSession(original, { executionProviders: eps, threads, runs: 2 });
  const b = await timeSession(rewritten, { executionProviders: eps, threads, runs: 2 });
  const row = (graph: string, t: typeof a, diff: string): Row => ({
    graph,
    'file MiB': mib(statSync(graph === 'original' ? original : rewritten).size),
    'create s': seconds(t.createMs),
    'first run s': seconds(t.firstRunMs),
    'best run s': seconds(t.bestRunMs),
    'max abs diff vs original': diff,
  });
  return {
    title: `warping_spade: GridSample rewrite vs original, CPU, ${threads} threads, best of 2 after a warm-up`,
    rows: [
      row('original', a, '0'),
      row(
        'gs-rewrite',
        b,
        `${maxAbsDiff(a.outputs, b.outputs).toExponential(2)} (non-finite: ${nonFinite(b.outputs)})`,
      ),
    ],
  };
}

/** fp32, fp16 and dynamic int8 of warping_spade and motion_extractor on CPU: time only. */
async function variantTable(threads: number): Promise<Table> {
  const rows: Row[] = [];
  // The peak RSS of a process that runs only the tiny stitching MLP: what Node, tsx and ONNX Runtime take alone.
  const tiny = await timeSessionApart(path.join(GRAPHS, 'stitching.onnx'), {
    executionProviders: ['cpu'],
    threads,
    runs: 1,
  });
  const baseline = 'error' in tiny ? 'unknown' : `${mib(tiny.peakRssBytes)} MiB`;
  for (const name of ['motion_extractor.onnx', 'warping_spade.onnx']) {
    const base = NETWORKS[name]();
    const stem = path.join(GRAPHS, name.replace('.onnx', ''));
    const fp16 = await fp16Variant(base, stem, ['cpu']);
    const files: [string, string, string][] = [
      ['fp32', path.join(GRAPHS, name), ''],
      [
        'fp16',
        fp16.file,
        fp16.keptFloat32.length ? `kept in fp32 (no CPU fp16 kernel): ${fp16.keptFloat32.join(', ')}` : '',
      ],
      ['int8 dynamic', int8Variant(base, stem), 'ConvInteger / MatMulInteger; GridSample, Gemm and the rest fp32'],
    ];
    let fp32Ms = 0;
    for (const [variant, file, note] of files) {
      // After a warm-up (a first run of the warping graph is 2–4× slower: allocation), the best of a few runs; one
      // for int8 warping, whose runs take most of a minute.
      const runs = name === 'motion_extractor.onnx' ? 5 : variant.startsWith('int8') ? 1 : 2;
      const t = await timeSessionApart(file, { executionProviders: ['cpu'], threads, runs });
      const row: Row = { network: name.replace('.onnx', ''), variant, 'file MiB': mib(statSync(file).size) };
      if ('error' in t) {
        rows.push({
          ...row,
          'create s': '',
          runs: '',
          'best run s': '',
          'vs fp32': '',
          'peak RSS MiB': '',
          note: `failed: ${t.error}`,
        });
        continue;
      }
      if (variant === 'fp32') fp32Ms = t.bestRunMs;
      rows.push({
        ...row,
        'create s': seconds(t.createMs),
        runs,
        'best run s': seconds(t.bestRunMs),
        'vs fp32': `${(fp32Ms / t.bestRunMs).toFixed(2)}×`,
        'peak RSS MiB': mib(t.peakRssBytes),
        note,
      });
    }
  }
  return {
    title: `Reduced precision on CPU, ${threads} threads (TIME ONLY: quality needs the real weights); each in a fresh process, best run after a warm-up; peak RSS is the process's (${baseline} with only a tiny MLP loaded)`,
    rows,
  };
}

export async function benchLivePortrait(): Promise<Table[]> {
  const frames = Number(process.env.REENACT_LP_FRAMES ?? 10);
  const side = 1024;
  const device = process.env.REENACT_LP_DEVICE ?? 'cpu';
  const conditions: Row[] = [
    { step: 'machine', value: `${os.cpus().length}× ${os.cpus()[0]?.model ?? 'cpu'}, ${mib(os.totalmem())} MiB` },
    { step: 'load average (1/5/15 min) at start', value: load() },
  ];
  const { env, note } = await installed();
  conditions.push(note);
  const runs: EngineRun[] = [];
  for (const threads of device === 'cpu' ? [1, 2] : [0])
    runs.push(await engineApart({ device, threads, frames, side }, env));
  const tables = engineTables(runs, side);
  const bad = runs.filter((r) => r.nonFinite > 0);
  if (bad.length)
    throw new Error(`Non-finite network outputs in the engine run: ${JSON.stringify(bad.map((r) => r.nonFinite))}`);
  if (process.env.REENACT_LP_REAL !== '1' && device === 'cpu') {
    tables.push(await rewriteTable(env, 2));
    tables.push(await variantTable(2));
  }
  for (const r of runs)
    for (const w of r.warnings)
      conditions.push({ step: `engine warning (${r.threads || 'default'} threads)`, value: w });
  conditions.push({ step: 'load average (1/5/15 min) at end', value: load() });
  return [{ title: 'Conditions', rows: conditions }, ...tables];
}
