/**
 * Times the meshwarp engine alone (motion + warp + mouth + eyes) on the astronaut portrait at 512² and
 * upscaled into a 1920×1080 frame, driven by synthetic known motion (head roll/shift, jaw, blinks, gaze).
 * Usage: npx tsx scripts/bench-meshwarp.ts [frames]
 */
import { benchMeshwarp, createMeshwarpEngine } from '../bridge/src/engines/meshwarp/index.js';
import type { DrivingFrame } from '../bridge/src/engines/types.js';
import type { FaceObservation } from '../bridge/src/face/types.js';
import type { Image } from '../bridge/src/media/types.js';
import { astronaut, cloneFace, closeEyes, controls, moveHead, openMouth } from '../test/engines/meshwarp/fixtures.js';

/** The portrait scaled by k (nearest) into a W×H canvas at (ox, oy), with its face moved to match. */
function placed(image: Image, face: FaceObservation, k: number, W: number, H: number, ox: number, oy: number) {
  const data = new Uint8Array(W * H * 3);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const sx = Math.min(image.width - 1, Math.max(0, Math.floor((x - ox) / k)));
      const sy = Math.min(image.height - 1, Math.max(0, Math.floor((y - oy) / k)));
      data.set(image.data.subarray((sy * image.width + sx) * 3, (sy * image.width + sx) * 3 + 3), (y * W + x) * 3);
    }
  }
  const f = cloneFace(face);
  for (const arr of [f.landmarks, f.iris]) {
    if (!arr) continue;
    for (let i = 0; i < arr.length; i += 3) {
      arr[i] = arr[i] * k + ox;
      arr[i + 1] = arr[i + 1] * k + oy;
      arr[i + 2] *= k;
    }
  }
  return { image: { data, width: W, height: H, channels: 3 as const }, face: f };
}

function frames(face: FaceObservation, n: number, cx: number, cy: number, k: number): DrivingFrame[] {
  return Array.from({ length: n }, (_, i) => {
    const t = i / n;
    let f = openMouth(face, 14 * k * Math.max(0, Math.sin(t * Math.PI * 6)));
    if (i % 25 > 21) f = closeEyes(f, 0.9);
    f = moveHead(
      f,
      6 * Math.sin(t * Math.PI * 2),
      8 * k * Math.sin(t * Math.PI * 4),
      3 * k * Math.cos(t * Math.PI * 2),
      cx,
      cy,
    );
    return {
      index: i,
      time: i / 25,
      face: f,
      controls: controls({ gazeLeft: [0.1 * Math.sin(t * 9), 0], gazeRight: [0.1 * Math.sin(t * 9), 0] }),
    };
  });
}

const n = Number(process.argv[2] ?? 100);
const { image, face } = astronaut();
for (const [label, setup, k] of [
  ['512x512', { image, face }, 1],
  ['1920x1080 (face ~2.1x)', placed(image, face, 2.1, 1920, 1080, 500, -20), 2.1],
] as const) {
  const engine = createMeshwarpEngine();
  await engine.prepare(setup.image, setup.face);
  await engine.setReference({ index: 0, time: 0, face: setup.face, controls: controls() });
  const cx = setup.face.landmarks[1 * 3];
  const cy = setup.face.landmarks[1 * 3 + 1];
  const fs = frames(setup.face, n, cx, cy, k);
  await benchMeshwarp(engine, fs.slice(0, 10)); // warm-up (JIT)
  const r = await benchMeshwarp(engine, fs);
  console.log(
    `${label}: ${r.fps.toFixed(1)} fps wall, ${r.cpuFps.toFixed(1)} fps CPU time (${((r.cpuSeconds / r.frames) * 1000).toFixed(2)} ms CPU/frame, ${r.frames} frames)`,
  );
  await engine.dispose();
}
