/**
 * One LivePortrait engine run in its own process (so peak RSS is this run's alone): opens the installed models on
 * `device` with `threads` intra-op threads, prepares a `side`² portrait, takes a reference frame, renders one warm-up
 * frame and then `frames` frames, and prints one JSON line: first-frame latency and its parts, per-stage times,
 * peak RSS, and how many network output values were not finite (every session.run output is checked).
 * `node --import tsx bench/liveportrait-engine.ts '{"device":"cpu","threads":2,"frames":10,"side":1024}'`
 * with REENACT_CACHE_DIR / REENACT_MODEL_CATALOG pointing at the installed models.
 */
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { createLivePortraitEngine } from '../bridge/src/engines/liveportrait/index.js';
import { loadCatalog } from '../bridge/src/models/catalog.js';
import { parseDevice } from '../bridge/src/onnx/devices.js';
import { executionProviders, type SessionFactory } from '../bridge/src/onnx/providers.js';
import { ortSessionOptions } from '../bridge/src/onnx/session.js';
import { drivingFrame, makeFace, makeImage } from '../test/engines/liveportrait/fixtures.js';
import { peakRss } from './lib.js';

export interface EngineRunOptions {
  device: string;
  /** Intra-op threads per session (0: ONNX Runtime's default, one per core). */
  threads: number;
  frames: number;
  side: number;
}

export interface EngineRun {
  device: string;
  threads: number;
  frames: number;
  /** Milliseconds: session creation, prepare (portrait crop, F, M), reference frame, first rendered frame. */
  loadMs: number;
  prepareMs: number;
  referenceMs: number;
  firstFrameMs: number;
  /** Per-stage totals over `frames` frames after the warm-up (StageTimer). */
  stages: Record<string, { calls: number; ms: number }>;
  renderMs: number;
  /** Wall time of the fastest of the `frames` frames (the least disturbed on a shared machine). */
  bestFrameMs: number;
  /** Share of render time outside session.run (the engine's own work: crop, keypoint maths, paste-back). */
  outsideShare: number;
  peakRssBytes: number;
  checkedValues: number;
  nonFinite: number;
  warnings: string[];
}

/** Counts the non-finite values of every float output of every session.run. */
function finiteChecker() {
  const counts = { checked: 0, nonFinite: 0 };
  const wrap = (session: ort.InferenceSession): ort.InferenceSession => {
    const run = session.run.bind(session) as (
      feeds: ort.InferenceSession.FeedsType,
    ) => Promise<ort.InferenceSession.ReturnType>;
    const checked = async (feeds: ort.InferenceSession.FeedsType) => {
      const out = await run(feeds);
      for (const t of Object.values(out)) {
        if (!(t.data instanceof Float32Array)) continue;
        counts.checked += t.data.length;
        for (const v of t.data) if (!Number.isFinite(v)) counts.nonFinite++;
      }
      return out;
    };
    return Object.assign(session, { run: checked });
  };
  return { counts, wrap };
}

export async function runEngine(o: EngineRunOptions): Promise<EngineRun> {
  const device = parseDevice(o.device);
  const checker = finiteChecker();
  // The engine's own factory settings (graph optimisation 'all'), with the thread count the bench asks for.
  const createSession: SessionFactory = async (model, eps, d) =>
    checker.wrap(
      await ort.InferenceSession.create(
        model as Uint8Array,
        ortSessionOptions({
          executionProviders: eps.length ? eps : executionProviders(d),
          device: d,
          threads: o.threads,
        }),
      ),
    );
  const engine = createLivePortraitEngine({ device }, { createSession, catalog: loadCatalog() });
  const portrait = makeImage(o.side, o.side, 1);
  const face = makeFace(o.side / 2, o.side / 2, o.side / 6);
  const driving = (i: number) =>
    drivingFrame(i, makeImage(640, 480, 2 + i), makeFace(320 + (i % 5), 220, 90, 0.1 + (i % 3) * 0.1));
  const lap = (() => {
    let t = performance.now();
    return () => {
      const now = performance.now();
      const ms = now - t;
      t = now;
      return ms;
    };
  })();
  try {
    await engine.load();
    const loadMs = lap();
    await engine.prepare(portrait, face);
    const prepareMs = lap();
    await engine.setReference(driving(0));
    const referenceMs = lap();
    await engine.render(driving(1));
    const firstFrameMs = lap();
    engine.resetTimings();
    let bestFrameMs = Number.POSITIVE_INFINITY;
    for (let i = 0; i < o.frames; i++) {
      lap();
      await engine.render(driving(i + 2));
      bestFrameMs = Math.min(bestFrameMs, lap());
    }
    const t = engine.timings();
    return {
      device: engine.info.device,
      threads: o.threads,
      frames: t.frames,
      loadMs,
      prepareMs,
      referenceMs,
      firstFrameMs,
      stages: Object.fromEntries(Object.entries(t.stages).map(([k, s]) => [k, { calls: s.calls, ms: s.ms }])),
      renderMs: t.renderMs,
      bestFrameMs,
      outsideShare: t.outsideShare,
      peakRssBytes: peakRss(),
      checkedValues: checker.counts.checked,
      nonFinite: checker.counts.nonFinite,
      warnings: engine.warnings,
    };
  } finally {
    await engine.dispose();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(await runEngine(JSON.parse(process.argv[2]) as EngineRunOptions)));
}
