/**
 * LivePortrait's motion maths (research §3–4) as pure functions on small typed arrays. Keypoints are 21×3
 * Float32Array (k-major: k0x, k0y, k0z, k1x, …). Matrices are face/pose.ts's 3×3 row-major Mat3 in LivePortrait's
 * convention: R is the TRANSPOSE of Rz·Ry·Rx, so keypoints as row vectors rotate as kp·R.
 */
import { type Mat3, mul3, transpose3 } from '../../face/pose.js';

export const NUM_KP = 21;

/** Pose angle in degrees from 66 bin logits: softmax expectation × 3 − 97.5 (range ±97.5°). */
export function headposeDegrees(logits: ArrayLike<number>): number {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]);
  let sum = 0;
  let expect = 0;
  for (let i = 0; i < logits.length; i++) {
    const e = Math.exp(logits[i] - max);
    sum += e;
    expect += i * e;
  }
  return (expect / sum) * 3 - 97.5;
}

/**
 * LivePortrait's `get_rotation_matrix`: angles in degrees; returns (Rz(roll)·Ry(yaw)·Rx(pitch))ᵀ.
 */
export function rotationMatrix(pitchDeg: number, yawDeg: number, rollDeg: number): Mat3 {
  const [p, y, r] = [pitchDeg, yawDeg, rollDeg].map((d) => (d * Math.PI) / 180);
  const rx = Float64Array.of(1, 0, 0, 0, Math.cos(p), -Math.sin(p), 0, Math.sin(p), Math.cos(p));
  const ry = Float64Array.of(Math.cos(y), 0, Math.sin(y), 0, 1, 0, -Math.sin(y), 0, Math.cos(y));
  const rz = Float64Array.of(Math.cos(r), -Math.sin(r), 0, Math.sin(r), Math.cos(r), 0, 0, 0, 1);
  return transpose3(mul3(rz, mul3(ry, rx)));
}

/**
 * R^g for a rotation matrix (axis–angle: same axis, angle × g). g = 1 returns R, g = 0 the identity.
 * Used to scale head motion by the `head` control without leaving the rotation group.
 */
export function rotationPower(R: Mat3, g: number): Mat3 {
  if (g === 1) return R.slice();
  const cos = Math.min(1, Math.max(-1, (R[0] + R[4] + R[8] - 1) / 2));
  const angle = Math.acos(cos);
  if (angle < 1e-9 || g === 0) return Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1);
  // Axis from the skew part (valid away from angle = π, far beyond head motion).
  const s = 2 * Math.sin(angle);
  const ax = (R[7] - R[5]) / s;
  const ay = (R[2] - R[6]) / s;
  const az = (R[3] - R[1]) / s;
  const t = angle * g;
  const c = Math.cos(t);
  const sn = Math.sin(t);
  const v = 1 - c;
  return Float64Array.of(
    c + ax * ax * v,
    ax * ay * v - az * sn,
    ax * az * v + ay * sn,
    ay * ax * v + az * sn,
    c + ay * ay * v,
    ay * az * v - ax * sn,
    az * ax * v - ay * sn,
    az * ay * v + ax * sn,
    c + az * az * v,
  );
}

/** One frame's motion-extractor result, decoded. */
export interface KpInfo {
  pitch: number;
  yaw: number;
  roll: number;
  /** LivePortrait-convention rotation (see rotationMatrix). */
  R: Mat3;
  /** Translation (tx, ty, tz) in keypoint units. */
  t: [number, number, number];
  /** Expression offsets 21×3. */
  exp: Float32Array;
  scale: number;
  /** Canonical keypoints 21×3. */
  kp: Float32Array;
}

/** Decodes the motion extractor's named outputs (pitch/yaw/roll [1,66], t [1,3], exp [1,63], scale [1,1], kp [1,63]). */
export function decodeMotion(out: {
  pitch: ArrayLike<number>;
  yaw: ArrayLike<number>;
  roll: ArrayLike<number>;
  t: ArrayLike<number>;
  exp: ArrayLike<number>;
  scale: ArrayLike<number>;
  kp: ArrayLike<number>;
}): KpInfo {
  const pitch = headposeDegrees(out.pitch);
  const yaw = headposeDegrees(out.yaw);
  const roll = headposeDegrees(out.roll);
  return {
    pitch,
    yaw,
    roll,
    R: rotationMatrix(pitch, yaw, roll),
    t: [out.t[0], out.t[1], out.t[2]],
    exp: Float32Array.from(out.exp),
    scale: out.scale[0],
    kp: Float32Array.from(out.kp),
  };
}

/** x = scale · (kp · R + exp) + (tx, ty, 0): z translation is never applied. Returns 21×3. */
export function transformKeypoints(
  kp: Float32Array,
  R: Mat3,
  exp: Float32Array,
  scale: number,
  t: readonly number[],
): Float32Array {
  const out = new Float32Array(NUM_KP * 3);
  for (let k = 0; k < NUM_KP; k++) {
    const x = kp[k * 3];
    const y = kp[k * 3 + 1];
    const z = kp[k * 3 + 2];
    for (let c = 0; c < 3; c++) {
      const rotated = x * R[c] + y * R[3 + c] + z * R[6 + c];
      out[k * 3 + c] = scale * (rotated + exp[k * 3 + c]) + (c < 2 ? t[c] : 0);
    }
  }
  return out;
}

/** Keypoint groups (LivePortrait regions; brows from the official eyebrow slider). */
export const KP_GROUPS = {
  lips: [6, 12, 14, 17, 19, 20],
  eyes: [11, 13, 15, 16, 18],
  brows: [1, 2],
} as const;

export type Region = 'expression' | 'pose' | 'lips' | 'eyes' | 'all';

/** Per-frame gains: 1 = as performed, 0 = frozen at the source. */
export interface MotionGains {
  /** Head rotation, translation and scale. */
  head: number;
  eyes: number;
  mouth: number;
  brows: number;
}

/** Expression gain of each keypoint for a region set (0 = keep the source's expression). */
export function expressionGains(regions: readonly Region[], gains: MotionGains): Float32Array {
  const g = new Float32Array(NUM_KP);
  const all = regions.includes('all') || regions.includes('expression');
  if (all) g.fill(1);
  if (regions.includes('lips')) for (const k of KP_GROUPS.lips) g[k] = 1;
  if (regions.includes('eyes')) for (const k of KP_GROUPS.eyes) g[k] = 1;
  for (const k of KP_GROUPS.lips) g[k] *= gains.mouth;
  for (const k of KP_GROUPS.eyes) g[k] *= gains.eyes;
  for (const k of KP_GROUPS.brows) g[k] *= gains.brows;
  return g;
}

/**
 * Relative motion (LivePortrait's live_portrait_pipeline.py): the change of driving frame i against the reference
 * frame, applied to the source. R_new = (R_i·R_refᵀ)^head · R_s; exp_new = exp_s + g_k·(exp_i − exp_ref);
 * t_new = t_s + head·(t_i − t_ref) with tz = 0; rotation and translation apply with the 'pose' or 'all' region.
 * scale_new = scale_s·(scale_i/scale_ref)^head only with 'all', as in the reference. Returns x_d (21×3) before
 * stitching.
 */
export function relativeKeypoints(
  src: KpInfo,
  drv: KpInfo,
  ref: KpInfo,
  regions: readonly Region[],
  gains: MotionGains,
  expOffset?: Float32Array,
): Float32Array {
  const pose = regions.includes('all') || regions.includes('pose');
  const head = pose ? gains.head : 0;
  const Rrel = rotationPower(mul3(drv.R, transpose3(ref.R)), head);
  const R = mul3(Rrel, src.R);
  const g = expressionGains(regions, gains);
  const exp = new Float32Array(NUM_KP * 3);
  for (let k = 0; k < NUM_KP; k++)
    for (let c = 0; c < 3; c++) {
      const i = k * 3 + c;
      exp[i] = src.exp[i] + g[k] * (drv.exp[i] - ref.exp[i]) + (expOffset ? expOffset[i] : 0);
    }
  // LivePortrait applies the driving scale ratio only for region 'all'; 'pose' is rotation and translation.
  const scale = src.scale * (drv.scale / ref.scale) ** (regions.includes('all') ? head : 0);
  const t = [src.t[0] + head * (drv.t[0] - ref.t[0]), src.t[1] + head * (drv.t[1] - ref.t[1]), 0];
  return transformKeypoints(src.kp, R, exp, scale, t);
}

/** Stitching network input: [x_s ‖ x_d], 126 values. */
export function stitchingInput(xs: Float32Array, xd: Float32Array): Float32Array {
  const out = new Float32Array(126);
  out.set(xs, 0);
  out.set(xd, 63);
  return out;
}

/** Applies the stitching output δ (65): per-keypoint δ[0:63], then δ[63] to every x and δ[64] to every y. */
export function applyStitching(xd: Float32Array, delta: ArrayLike<number>): Float32Array {
  const out = new Float32Array(63);
  for (let k = 0; k < NUM_KP; k++) {
    out[k * 3] = xd[k * 3] + delta[k * 3] + delta[63];
    out[k * 3 + 1] = xd[k * 3 + 1] + delta[k * 3 + 1] + delta[64];
    out[k * 3 + 2] = xd[k * 3 + 2] + delta[k * 3 + 2];
  }
  return out;
}

/** Eye retargeting input: [x_s ‖ source left eye ratio, source right eye ratio, target eye ratio], 66 values. */
export function eyeRetargetInput(xs: Float32Array, sourceEyes: [number, number], target: number): Float32Array {
  const out = new Float32Array(66);
  out.set(xs, 0);
  out[63] = sourceEyes[0];
  out[64] = sourceEyes[1];
  out[65] = target;
  return out;
}

/** Lip retargeting input: [x_s ‖ source lip ratio, target lip ratio], 65 values. */
export function lipRetargetInput(xs: Float32Array, sourceLip: number, target: number): Float32Array {
  const out = new Float32Array(65);
  out.set(xs, 0);
  out[63] = sourceLip;
  out[64] = target;
  return out;
}

/** a + b (63 values); b may be absent. */
export function addKeypoints(a: Float32Array, b?: ArrayLike<number>): Float32Array {
  const out = Float32Array.from(a);
  if (b) for (let i = 0; i < out.length; i++) out[i] += b[i];
  return out;
}

/** Driving multiplier: x_s + (x_d − x_s)·k (applied last; k = 0 gives the source pose and expression). */
export function applyMultiplier(xs: Float32Array, xd: Float32Array, k: number): Float32Array {
  const out = new Float32Array(xd.length);
  for (let i = 0; i < xd.length; i++) out[i] = xs[i] + (xd[i] - xs[i]) * k;
  return out;
}

/**
 * Gaze as expression offsets, from the official gaze sliders' coefficients (research §9.1): horizontal moves
 * kps 11/15 x, vertical their y. `gx`, `gy` are in eye widths (x right, y down); 0.5 eye width ≈ the slider's end.
 */
export function gazeOffset(gx: number, gy: number): Float32Array {
  const out = new Float32Array(63);
  const h = Math.max(-30, Math.min(30, gx * 60));
  const v = Math.max(-63, Math.min(63, -gy * 126));
  out[11 * 3] += (h > 0 ? 0.0007 : 0.001) * h;
  out[15 * 3] += (h > 0 ? 0.001 : 0.0007) * h;
  out[11 * 3 + 1] -= 0.001 * v;
  out[15 * 3 + 1] -= 0.001 * v;
  return out;
}

/** Exponential smoothing of keypoints across frames: alpha 1 = none. */
export function smoothKeypoints(previous: Float32Array | null, current: Float32Array, alpha: number): Float32Array {
  if (!previous || alpha >= 1) return current;
  const out = new Float32Array(current.length);
  for (let i = 0; i < current.length; i++) out[i] = previous[i] + alpha * (current[i] - previous[i]);
  return out;
}
