/**
 * Per frame: the driver's tracked roll (eye line, raw and smoothed as the engine sees it), the roll the 3-D head
 * commands (its pose, and the eye line of its target landmarks) and the roll the tracker reads off the rendered
 * frames, relative to the reference frame 235. Needs a head-fidelity run at the default options.
 * Usage: npx tsx scripts/roll-trace.ts /tmp/hf [out.json]
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_CONTROLS } from '../bridge/src/engines/controls.js';
import { parseMeshwarpConfig } from '../bridge/src/engines/meshwarp/config.js';
import { toRendererCoords } from '../bridge/src/engines/meshwarp/index.js';
import {
  computeMotion3d,
  motion3dOptions,
  preparePortrait3d,
  prepareReference3d,
} from '../bridge/src/engines/meshwarp/motion3d.js';
import { EYES } from '../bridge/src/engines/meshwarp/regions.js';
import { createFaceTracker } from '../bridge/src/face/index.js';
import { headAngles } from '../bridge/src/face/pose.js';
import { smoothFaces } from '../bridge/src/face/smooth-track.js';
import type { FaceObservation } from '../bridge/src/face/types.js';
import { decodeFrames, readImage } from '../bridge/src/media/decode.js';
import type { Image } from '../bridge/src/media/types.js';
import { DRIVING, PORTRAIT } from '../test/helpers/media.js';

const [dir3, outJson] = process.argv.slice(2);
const REF = 235;
const tracker = await createFaceTracker();
const portraitImg = await readImage(PORTRAIT, { channels: 3 });
const pFace = (await tracker.detect(portraitImg, { largestOnly: true }))[0];
tracker.reset();
const raw: (FaceObservation | null)[] = [];
let i = 0;
for await (const f of decodeFrames(DRIVING)) raw.push((await tracker.track(f, i++)).faces[0] ?? null);
tracker.reset();
const out: (FaceObservation | null)[] = [];
for (let k = 0; k < raw.length; k++) {
  const img: Image = await readImage(path.join(dir3, 'frames', `frame_${String(k).padStart(5, '0')}.png`), {
    channels: 3,
  });
  out.push((await tracker.track(img, k)).faces[0] ?? null);
}
await tracker.dispose();
const smooth = smoothFaces(raw, { strength: 0.5, fps: 30 });
const local = toRendererCoords(pFace);
const c3 = parseMeshwarpConfig({});
const p3 = preparePortrait3d(local, c3.cameraDistance, c3.depthGain);
const r3 = prepareReference3d(smooth[REF] as FaceObservation);
const o3 = motion3dOptions(c3);
const D = 180 / Math.PI;
const eyeLine = (l: ArrayLike<number>): number =>
  Math.atan2(l[263 * 3 + 1] - l[33 * 3 + 1], l[263 * 3] - l[33 * 3]) * D;
const rows = raw.map((d, k) => {
  const s = smooth[k];
  const o = out[k];
  if (!d || !s || !o) return null;
  const m3 = computeMotion3d(p3, r3, s, DEFAULT_CONTROLS, o3);
  const a = headAngles(s.landmarks);
  const ao = headAngles(o.landmarks);
  return {
    k,
    yawD: a.yaw * D,
    pitchD: a.pitch * D,
    rawD: d.pose.roll * D,
    smoothD: s.pose.roll * D,
    procD: a.roll * D,
    cmdPose: m3.pose.roll * D,
    cmdLine: eyeLine(m3.points),
    out: o.pose.roll * D,
    procOut: ao.roll * D,
    yawOut: ao.yaw * D,
    pitchOut: ao.pitch * D,
    corners: [33, 263, 133, 362].map((j) => [
      m3.points[j * 3] + 0.5 - o.landmarks[j * 3],
      m3.points[j * 3 + 1] + 0.5 - o.landmarks[j * 3 + 1],
    ]),
    eyePts: [...EYES[0].opening, ...EYES[1].opening].map((j) => [
      m3.points[j * 3] + 0.5,
      m3.points[j * 3 + 1] + 0.5,
      o.landmarks[j * 3],
      o.landmarks[j * 3 + 1],
      d.landmarks[j * 3],
      d.landmarks[j * 3 + 1],
    ]),
    widen: m3.eyeWiden,
    closure: m3.eyeClosure,
    openD: [d.expression.leftEyeOpen, d.expression.rightEyeOpen],
    openOut: [o.expression.leftEyeOpen, o.expression.rightEyeOpen],
    cmdInner: Math.atan2(m3.points[362 * 3 + 1] - m3.points[133 * 3 + 1], m3.points[362 * 3] - m3.points[133 * 3]) * D,
    outInner:
      Math.atan2(o.landmarks[362 * 3 + 1] - o.landmarks[133 * 3 + 1], o.landmarks[362 * 3] - o.landmarks[133 * 3]) * D,
  };
});
const ref = rows[REF];
if (!ref) throw new Error('no reference');
type Row = NonNullable<(typeof rows)[number]>;
const keys = ['rawD', 'smoothD', 'procD', 'cmdPose', 'cmdLine', 'out', 'procOut', 'cmdInner', 'outInner'] as const;
const rel = rows.map((r) =>
  r ? ({ ...r, ...Object.fromEntries(keys.map((key) => [key, r[key] - ref[key]])) } as Row) : null,
);
const std = (a: number[]): number => {
  const m = a.reduce((s, v) => s + v, 0) / a.length;
  return Math.sqrt(a.reduce((s, v) => s + (v - m) ** 2, 0) / a.length);
};
const pearson = (a: number[], b: number[]): number => {
  const ma = a.reduce((s, v) => s + v, 0) / a.length;
  const mb = b.reduce((s, v) => s + v, 0) / b.length;
  let n = 0;
  let da = 0;
  let db = 0;
  for (let j = 0; j < a.length; j++) {
    n += (a[j] - ma) * (b[j] - mb);
    da += (a[j] - ma) ** 2;
    db += (b[j] - mb) ** 2;
  }
  return n / Math.sqrt(da * db);
};
for (const [name, lo, hi] of [
  ['all', 0, 344],
  ['0-142', 0, 142],
  ['143-214', 143, 214],
  ['215-344', 215, 344],
] as const) {
  const sel = rel.filter((r): r is Row => !!r && r.k >= lo && r.k <= hi && Math.abs(r.yawD - ref.yawD) <= 45);
  const col = (key: (typeof keys)[number]) => sel.map((r) => r[key]);
  console.log(
    `${name.padEnd(8)} n=${sel.length} std: ${keys.map((key) => `${key} ${std(col(key)).toFixed(2)}`).join(' ')}` +
      `\n         r vs rawD: ${keys.map((key) => `${key} ${pearson(col('rawD'), col(key)).toFixed(2)}`).join(' ')}` +
      `\n         out-cmdLine std ${std(sel.map((r) => r.out - r.cmdLine)).toFixed(2)}, smoothD-rawD std ${std(sel.map((r) => r.smoothD - r.rawD)).toFixed(2)}, cmdLine-smoothD std ${std(sel.map((r) => r.cmdLine - r.smoothD)).toFixed(2)}`,
  );
}
if (outJson) writeFileSync(outJson, JSON.stringify(rel, null, 1));
