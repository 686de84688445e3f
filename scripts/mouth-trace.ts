/**
 * Per frame: the driver's tracked lip gap, what the engine commands (its target landmarks' lip gap ÷ eye line, at
 * the default options) and what the tracker reads off the rendered frames, for the 3-D head and the 2-D warp, each
 * relative to the reference frame 235 (the neutral frame head-fidelity.ts picks), with the pitch read off each.
 * Needs two head-fidelity runs at the default options:
 *   npx tsx scripts/head-fidelity.ts /tmp/hf && npx tsx scripts/head-fidelity.ts /tmp/hf2 '{"head":"2d"}'
 * Usage: npx tsx scripts/mouth-trace.ts /tmp/hf /tmp/hf2 [out.json] [frames,to,crop crops.png]
 * (crops: one row per frame, driver | 3-D | 2-D mouths ×4, tracked lips green, commanded blue).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';
import { DEFAULT_CONTROLS } from '../bridge/src/engines/controls.js';
import { parseMeshwarpConfig } from '../bridge/src/engines/meshwarp/config.js';
import { toRendererCoords } from '../bridge/src/engines/meshwarp/index.js';
import { computeMotion, preparePortrait, prepareReference } from '../bridge/src/engines/meshwarp/motion.js';
import {
  computeMotion3d,
  motion3dOptions,
  preparePortrait3d,
  prepareReference3d,
} from '../bridge/src/engines/meshwarp/motion3d.js';
import { createFaceTracker } from '../bridge/src/face/index.js';
import { expression, headPose } from '../bridge/src/face/measure.js';
import type { FaceObservation } from '../bridge/src/face/types.js';
import { decodeFrames, readImage } from '../bridge/src/media/decode.js';
import type { Image } from '../bridge/src/media/types.js';
import { DRIVING, PORTRAIT } from '../test/helpers/media.js';

const [dir3, dir2, outJson, cropArg, cropPng] = process.argv.slice(2);
const cropFrames = cropArg ? cropArg.split(',').map(Number) : [];
const driverImages = new Map<number, Image>();
const REF = 235;
const tracker = await createFaceTracker();
const portraitImg = await readImage(PORTRAIT, { channels: 3 });
const pFace = (await tracker.detect(portraitImg, { largestOnly: true }))[0];
tracker.reset();
const driver: (FaceObservation | null)[] = [];
let i = 0;
for await (const f of decodeFrames(DRIVING)) {
  if (cropFrames.includes(i)) driverImages.set(i, { ...f, data: Uint8Array.from(f.data) });
  driver.push((await tracker.track(f, i++)).faces[0] ?? null);
}
async function trackDir(dir: string): Promise<(FaceObservation | null)[]> {
  tracker.reset();
  const out: (FaceObservation | null)[] = [];
  for (let k = 0; k < driver.length; k++) {
    const img: Image = await readImage(path.join(dir, 'frames', `frame_${String(k).padStart(5, '0')}.png`), {
      channels: 3,
    });
    out.push((await tracker.track(img, k)).faces[0] ?? null);
  }
  return out;
}
const out3 = await trackDir(dir3);
const out2 = await trackDir(dir2);
await tracker.dispose();

const local = toRendererCoords(pFace);
const c3 = parseMeshwarpConfig({});
const c2 = parseMeshwarpConfig({ head: '2d' });
const p2 = preparePortrait(local);
const p3 = preparePortrait3d(local, c3.cameraDistance, c3.depthGain);
const refFace = driver[REF] as FaceObservation;
const r2 = prepareReference(p2, refFace);
const r3 = prepareReference3d(refFace);
const o3 = motion3dOptions(c3);
const gap = (l: ArrayLike<number>): number =>
  Math.hypot(l[13 * 3] - l[14 * 3], l[13 * 3 + 1] - l[14 * 3 + 1]) /
  Math.hypot(l[33 * 3] - l[263 * 3], l[33 * 3 + 1] - l[263 * 3 + 1]);
const mouth = (f: FaceObservation | null): number => (f ? expression(f.landmarks).mouthOpen : Number.NaN);
const pitch = (f: FaceObservation | null): number => (f ? (headPose(f.landmarks).pitch * 180) / Math.PI : Number.NaN);
const rows = driver.map((d, k) => {
  if (!d) return null;
  const m3 = computeMotion3d(p3, r3, d, DEFAULT_CONTROLS, o3);
  const m2 = computeMotion(p2, r2, d, DEFAULT_CONTROLS, c2);
  return {
    k,
    driver: mouth(d) - mouth(driver[REF]),
    cmd3: gap(m3.points) - gap(local.landmarks),
    trk3: mouth(out3[k]) - mouth(out3[REF]),
    cmd2: gap(m2.points) - gap(local.landmarks),
    trk2: mouth(out2[k]) - mouth(out2[REF]),
    pitchD: pitch(d) - pitch(driver[REF]),
    pitch3: pitch(out3[k]) - pitch(out3[REF]),
    pitch2: pitch(out2[k]) - pitch(out2[REF]),
  };
});
if (cropPng) {
  // One row per frame: driver | 3-D | 2-D mouths, ×4, tracked inner lips green, commanded blue.
  const W = 120;
  const H = 80;
  const Z = 4;
  const png = new PNG({ width: W * Z * 3, height: H * Z * cropFrames.length });
  const LIPS = [78, 191, 80, 81, 82, 13, 312, 311, 310, 415, 308, 95, 88, 178, 87, 14, 317, 402, 318, 324];
  const put = (
    img: Image,
    col: number,
    row: number,
    cx: number,
    cy: number,
    marks: [ArrayLike<number> | undefined, number, number, number][],
  ): void => {
    for (let y = 0; y < H * Z; y++) {
      for (let x = 0; x < W * Z; x++) {
        const sx = Math.round(cx - W / 2 + x / Z);
        const sy = Math.round(cy - H / 2 + y / Z);
        const o = ((row * H * Z + y) * png.width + col * W * Z + x) * 4;
        const inside = sx >= 0 && sy >= 0 && sx < img.width && sy < img.height;
        for (let c = 0; c < 3; c++) png.data[o + c] = inside ? img.data[(sy * img.width + sx) * img.channels + c] : 0;
        png.data[o + 3] = 255;
      }
    }
    for (const [pts, r, g, b] of marks) {
      if (!pts) continue;
      for (const l of LIPS) {
        const x = Math.round((pts[l * 3] - (cx - W / 2)) * Z);
        const y = Math.round((pts[l * 3 + 1] - (cy - H / 2)) * Z);
        for (let dy = -2; dy <= 2; dy++)
          for (let dx = -2; dx <= 2; dx++) {
            if (x + dx < 0 || y + dy < 0 || x + dx >= W * Z || y + dy >= H * Z) continue;
            const o = ((row * H * Z + y + dy) * png.width + col * W * Z + x + dx) * 4;
            png.data[o] = r;
            png.data[o + 1] = g;
            png.data[o + 2] = b;
          }
      }
    }
  };
  const centre = (l: ArrayLike<number>): [number, number] => [
    (l[13 * 3] + l[14 * 3]) / 2,
    (l[13 * 3 + 1] + l[14 * 3 + 1]) / 2,
  ];
  for (const [row, k] of cropFrames.entries()) {
    const d = driver[k] as FaceObservation;
    put(driverImages.get(k) as Image, 0, row, ...centre(d.landmarks), [[d.landmarks, 0, 255, 0]]);
    const m3 = computeMotion3d(p3, r3, d, DEFAULT_CONTROLS, o3).points.map((v, j) => (j % 3 < 2 ? v + 0.5 : v));
    const m2 = computeMotion(p2, r2, d, DEFAULT_CONTROLS, c2).points.map((v, j) => (j % 3 < 2 ? v + 0.5 : v));
    const img = (dir: string) =>
      readImage(path.join(dir, 'frames', `frame_${String(k).padStart(5, '0')}.png`), { channels: 3 });
    put(await img(dir3), 1, row, ...centre(m3), [
      [m3, 0, 0, 255],
      [out3[k]?.landmarks, 0, 255, 0],
    ]);
    put(await img(dir2), 2, row, ...centre(m2), [
      [m2, 0, 0, 255],
      [out2[k]?.landmarks, 0, 255, 0],
    ]);
  }
  writeFileSync(cropPng, PNG.sync.write(png));
}
if (outJson) writeFileSync(outJson, JSON.stringify(rows));
const f = (v: number): string => (Number.isNaN(v) ? '   -  ' : v.toFixed(3).padStart(6));
console.log('  k  driver |  cmd3  trk3 |  cmd2  trk2 | pitch d 3 2');
for (const r of rows) {
  if (r && r.k % 5 === 0)
    console.log(
      `${String(r.k).padStart(3)} ${f(r.driver)} | ${f(r.cmd3)} ${f(r.trk3)} | ${f(r.cmd2)} ${f(r.trk2)} | ${r.pitchD.toFixed(1)} ${r.pitch3.toFixed(1)} ${r.pitch2.toFixed(1)}`,
    );
}
