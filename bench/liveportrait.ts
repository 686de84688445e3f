/**
 * Neural engine benchmark: per-stage times of the LivePortrait engine (crop, each session.run, paste-back) and the
 * share of render time spent outside session.run, on the synthetic models (real I/O signatures, cheap weights) on
 * CPU. With the real models installed (`REENACT_LP_REAL=1`, models in the cache) the same table measures them; on a
 * GPU machine set `REENACT_LP_DEVICE=cuda`.
 */
import path from 'node:path';
import { createLivePortraitEngine, type LivePortraitEngine } from '../bridge/src/engines/liveportrait/index.js';
import { type DeviceRequest, parseDevice } from '../bridge/src/onnx/providers.js';
import { drivingFrame, installSyntheticModels, makeFace, makeImage } from '../test/engines/liveportrait/fixtures.js';
import { benchDir, type Row } from './lib.js';

export interface LivePortraitBench {
  rows: Row[];
  summary: Row[];
}

/** Renders `frames` frames of a `portraitSide`² portrait and returns per-stage mean times. */
export async function benchLivePortrait(frames = 12, portraitSide = 1024): Promise<LivePortraitBench> {
  const real = process.env.REENACT_LP_REAL === '1';
  const env = real ? process.env : await installSyntheticModels(path.join(benchDir, 'liveportrait'));
  const device: DeviceRequest = parseDevice(process.env.REENACT_LP_DEVICE ?? 'cpu');
  const engine: LivePortraitEngine = createLivePortraitEngine({ device }, { env });
  const portrait = makeImage(portraitSide, portraitSide, 1);
  const face = makeFace(portraitSide / 2, portraitSide / 2, portraitSide / 6);
  const driving = (i: number) =>
    drivingFrame(i, makeImage(640, 480, 2 + i), makeFace(320 + (i % 5), 220, 90, 0.1 + (i % 3) * 0.1));
  try {
    await engine.prepare(portrait, face);
    await engine.setReference(driving(0));
    await engine.render(driving(1)); // warm-up (first run allocates)
    engine.resetTimings();
    for (let i = 0; i < frames; i++) await engine.render(driving(i + 1));
    const t = engine.timings();
    const rows: Row[] = Object.entries(t.stages)
      .filter(([name]) => name !== 'load')
      .map(([name, s]) => ({
        stage: name,
        'calls/frame': Math.round((s.calls / t.frames) * 100) / 100,
        'ms/frame': s.ms / t.frames,
        'share %': (s.ms / t.renderMs) * 100,
      }));
    const summary: Row[] = [
      {
        models: real ? 'installed (real)' : 'synthetic',
        device: engine.info.device,
        portrait: `${portraitSide}²`,
        frames: t.frames,
        'ms/frame': t.renderMs / t.frames,
        fps: (1000 * t.frames) / t.renderMs,
        'outside session.run %': t.outsideShare * 100,
      },
    ];
    return { rows, summary };
  } finally {
    await engine.dispose();
  }
}
