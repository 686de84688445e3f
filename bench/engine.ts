/**
 * Default engine throughput: tracker fps, meshwarp render fps (512² and 1080p output), end-to-end render throughput as
 * a ratio to the ffmpeg decode+encode floor on the same clip (target ≥ 0.8), and the fast re-render after one control
 * change (target ≥ 5× faster than the first render).
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_CONTROLS } from '../bridge/src/engines/controls.js';
import { benchMeshwarp, createMeshwarpEngine } from '../bridge/src/engines/meshwarp/index.js';
import type { DrivingFrame } from '../bridge/src/engines/types.js';
import { benchTracker } from '../bridge/src/face/bench.js';
import { createFaceTracker } from '../bridge/src/face/index.js';
import { decodeFrames, readImage } from '../bridge/src/media/decode.js';
import { decodeArgs } from '../bridge/src/media/ffmpeg-args.js';
import { ffmpegPaths } from '../bridge/src/media/locator.js';
import { runProcess } from '../bridge/src/media/run.js';
import type { Image } from '../bridge/src/media/types.js';
import { renderJob } from '../bridge/src/pipeline/render.js';
import type { JobSpecInput } from '../bridge/src/pipeline/spec.js';
import { benchDir, duel, ffmpegPngArgs, type Row, runQuiet, timeIt } from './lib.js';

const MEDIA = path.resolve(import.meta.dirname, '..', 'test', 'fixtures', 'media');
const PORTRAIT = path.join(MEDIA, 'portrait-astronaut.png');
const DRIVING = path.join(MEDIA, 'driving-talk.mp4');

async function drivingFrames(count: number): Promise<DrivingFrame[]> {
  const tracker = await createFaceTracker();
  const frames: DrivingFrame[] = [];
  for await (const f of decodeFrames(DRIVING, { range: { start: 0, end: count - 1 } })) {
    const found = await tracker.track(f, f.index);
    frames.push({ index: f.index, time: f.time, face: found.faces[0] ?? null, controls: DEFAULT_CONTROLS });
  }
  await tracker.dispose();
  return frames;
}

async function engineFps(portrait: Image, frames: DrivingFrame[]): Promise<number> {
  const tracker = await createFaceTracker();
  const [face] = await tracker.detect(portrait);
  await tracker.dispose();
  const engine = createMeshwarpEngine();
  await engine.prepare(portrait, face);
  await engine.setReference(frames[0]);
  const { fps } = await benchMeshwarp(
    engine,
    frames.filter((f) => f.face),
  );
  await engine.dispose();
  return fps;
}

export async function benchEngine(): Promise<{ speed: Row[]; endToEnd: Row[] }> {
  process.env.REENACT_CACHE_DIR = path.join(benchDir, 'cache');
  const { ffmpeg } = ffmpegPaths();
  const speed: Row[] = [];

  const track = await benchTracker(decodeFrames(DRIVING));
  speed.push({
    what: 'tracker (320×400 driving clip, detect every 30 frames)',
    fps: track.fps,
    note: `${track.withFace}/${track.frames} frames with a face`,
  });

  const frames = await drivingFrames(60);
  const portrait512 = await readImage(PORTRAIT, { channels: 3 });
  speed.push({
    what: 'meshwarp render, 512² output',
    fps: await engineFps(portrait512, frames),
    note: 'motion + warp + mouth + eyes',
  });
  const portrait1080 = path.join(benchDir, 'portrait1080.png');
  await runProcess(ffmpeg, [
    '-v',
    'error',
    '-y',
    '-i',
    PORTRAIT,
    '-vf',
    'scale=-1:1080:flags=lanczos,pad=1920:1080:(ow-iw)/2:0:color=gray',
    portrait1080,
  ]);
  const p1080 = await readImage(portrait1080, { channels: 3 });
  speed.push({
    what: 'meshwarp render, 1920×1080 output',
    fps: await engineFps(p1080, frames),
    note: 'face ≈ 130×130 → 270×270 px',
  });

  // End to end at 1080p output, 100 frames, PNG: reenact render vs the ffmpeg floor (decode the same driving frames +
  // encode the same number of 1080p RGBA PNGs with the same settings).
  const n = 100;
  const out = path.join(benchDir, 'e2e');
  const spec: JobSpecInput = {
    source: portrait1080,
    driving: DRIVING,
    output: { dir: out },
    range: { start: 0, end: n - 1 },
  };
  // A first render warms up; the floor encodes its frame 50 n times (the same content as a render writes).
  await renderJob(spec);
  const raw = path.join(benchDir, 'e2e.rgba');
  const rgba = await readImage(path.join(out, 'frames', 'frame_00050.png'), { channels: 4 });
  writeFileSync(raw, Buffer.concat(Array.from({ length: n }, () => Buffer.from(rgba.data))));
  mkdirSync(path.join(benchDir, 'floor'), { recursive: true });
  // Alternately, best of two: a cold render (no track cache, empty output folder) vs the floor.
  const [first, floor] = await duel(
    2,
    () => {
      rmSync(path.join(benchDir, 'cache', 'tracks'), { recursive: true, force: true });
      rmSync(out, { recursive: true, force: true });
      return renderJob(spec);
    },
    async () => {
      await runQuiet(ffmpeg, decodeArgs(DRIVING, { channels: 3, startFrame: 0, endFrame: n - 1 }), { pipe: true });
      const args = ffmpegPngArgs({
        width: 1920,
        height: 1080,
        channels: 4,
        fps: { num: 20, den: 1 },
        pattern: path.join(benchDir, 'floor', 'f_%05d.png'),
        startNumber: 0,
      });
      await runQuiet(
        ffmpeg,
        args.map((a) => (a === '-' ? raw : a)),
      );
    },
  );
  // Change one "keyframe": mouth gain 0 on frames 40–45 only; the re-render keeps every other frame.
  const curves = { start: 0, frames: Array.from({ length: n }, (_, i) => (i >= 40 && i <= 45 ? { mouth: 0 } : {})) };
  const again = await timeIt(() => renderJob({ ...spec, curves }));
  const endToEnd: Row[] = [
    {
      what: `reenact render, ${n} frames → 1080p PNG (tracking included)`,
      seconds: first,
      fps: n / first,
      'ratio to floor': floor / first,
    },
    {
      what: 'ffmpeg floor: decode the driving frames + encode the PNGs',
      seconds: floor,
      fps: n / floor,
      'ratio to floor': 1,
    },
    {
      what: 're-render after changing frames 40–45 (cached track, 6 frames)',
      seconds: again,
      fps: n / again,
      'ratio to floor': first / again,
    },
  ];
  return { speed, endToEnd };
}
