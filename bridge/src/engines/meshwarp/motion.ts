/**
 * Motion transfer: how the driving face moved since its reference frame, re-expressed on the portrait's
 * own face. Pure and deterministic, so the controls (#11: gaze, hold, per-region gains) are tested on
 * this output directly, without rendering.
 *
 * Pipeline per frame:
 *  1. yaw/pitch of driving and reference from the 3-D landmarks (face/measure.ts headYawPitch); the driving face is de-rotated by the
 *     difference so what remains is in-plane motion plus expression;
 *  2. a least-squares similarity on stable points (eye corners, nose bridge, forehead, temples, cheek
 *     sides) separates head motion (roll, scale, shift) from expression deltas;
 *  3. deltas are mapped into the portrait's frame by the reference→portrait similarity (rotation and
 *     scale only), so the portrait keeps its own proportions, and weighted by region gains;
 *  4. eyelids follow a lid model (closure/widening relative to the portrait's own lid gap), not raw deltas;
 *     gaze moves only the iris;
 *  5. head pose: yaw/pitch as a 3-D rotation of the mesh points by their depth (parallax), clamped, then
 *     roll/scale/shift about the portrait's face centre.
 */
import { eyeOpenness, headYawPitch } from '../../face/measure.js';
import type { FaceObservation } from '../../face/types.js';
import type { FrameControls } from '../controls.js';
import { headLimits, lidOptions, type MeshwarpConfig } from './config.js';
import {
  applySimilarity,
  clamp,
  fitSimilarity,
  invertSimilarity,
  meanPoint,
  type Similarity,
  similarityAngle,
  similarityScale,
} from './geometry.js';
import {
  EYES,
  LID_CHAIN,
  LIP_LOWER_INNER,
  LIP_UPPER_INNER,
  REGION_BROWS,
  REGION_EYES,
  REGION_MOUTH,
  regionWeights,
  STABLE,
} from './regions.js';

const N = 468;
const DEG = Math.PI / 180;

/** The landmarks motion needs from a face: 468 × (x, y, z) and optionally 10 × (x, y, z) iris points. */
export type FaceLandmarks = Pick<FaceObservation, 'landmarks' | 'iris'>;

/** The portrait, analysed once. */
export interface PortraitModel {
  landmarks: Float32Array;
  iris: Float32Array | null;
  /** Centroid of the stable points (x, y) and their mean depth. */
  centre: [number, number, number];
  /** In-plane angle of the eye line (radians, clockwise on screen). */
  roll: number;
  /** Distance between the outer eye corners, px. */
  faceWidth: number;
  /** Outer-to-inner corner distance per eye (A = image left first), px. */
  eyeWidth: [number, number];
  /** Float32Array 468 × 3 region weights (eyes, brows, mouth). */
  weights: Float32Array;
}

/** The driving reference frame, analysed against the portrait. */
export interface ReferenceModel {
  landmarks: Float32Array;
  yaw: number;
  pitch: number;
  /** Lid gap / eye width per eye. */
  openness: [number, number];
  /** Iris offset per eye in eye widths (x along the eye line, y across), or null without iris points. */
  gaze: [[number, number], [number, number]] | null;
  /** Similarity from reference face coordinates into portrait coordinates (fitted on stable points). */
  toPortrait: Similarity;
}

/** Head pose actually applied to the portrait (after gains, hold and limits). */
export interface AppliedPose {
  /** Radians, clockwise on screen. */
  roll: number;
  yaw: number;
  pitch: number;
  scale: number;
  /** Shift of the face centre, px. */
  dx: number;
  dy: number;
}

export interface MotionResult {
  /** Target landmark positions in portrait pixels: 468 × (x, y, z). */
  points: Float32Array;
  /** Where each landmark lands from head motion alone (no expression, lids or gaze): 468 × (x, y, z). */
  rigid: Float32Array;
  /** Target iris points 10 × (x, y, z) (image-left eye first), or null when the portrait has none. */
  iris: Float32Array | null;
  /** Lid closure per eye, 0 open .. 1 shut. */
  eyeClosure: [number, number];
  /** Extra lid opening per eye (fraction of the portrait's lid gap). */
  eyeWiden: [number, number];
  /** Iris shift per eye in portrait source pixels (before head motion). */
  gaze: [[number, number], [number, number]];
  pose: AppliedPose;
  /** True when nothing moves: the renderer may return the portrait untouched. */
  identity: boolean;
  warnings: string[];
}

function dist(p: ArrayLike<number>, i: number, j: number, stride = 3): number {
  return Math.hypot(p[i * stride] - p[j * stride], p[i * stride + 1] - p[j * stride + 1]);
}

/**
 * Rotates one point by yaw φ (about the vertical axis) then pitch ψ (about the horizontal axis) around
 * (cx, cy, cz); writes x, y, z into `out` at `o`.
 */
export function rotateYawPitch(
  x: number,
  y: number,
  z: number,
  cx: number,
  cy: number,
  cz: number,
  yaw: number,
  pitch: number,
  out: Float32Array | Float64Array,
  o: number,
): void {
  const X = x - cx;
  const Y = y - cy;
  const Z = z - cz;
  const cyw = Math.cos(yaw);
  const syw = Math.sin(yaw);
  const x1 = X * cyw + Z * syw;
  const z1 = -X * syw + Z * cyw;
  const cp = Math.cos(pitch);
  const sp = Math.sin(pitch);
  out[o] = x1 + cx;
  out[o + 1] = Y * cp - z1 * sp + cy;
  out[o + 2] = Y * sp + z1 * cp + cz;
}

function stableCentre(lm: ArrayLike<number>): [number, number, number] {
  return meanPoint(lm, STABLE);
}

/** Iris offset in eye widths along/across the eye line, per eye; null without iris points. */
export function gazeOf(face: FaceLandmarks): [[number, number], [number, number]] | null {
  const iris = face.iris;
  if (!iris || iris.length < 30) return null;
  const lm = face.landmarks;
  const out: [number, number][] = EYES.map((eye, e) => {
    const [o, i] = eye.corners;
    // Axis from the image-left corner to the image-right corner of this eye.
    const left = lm[o * 3] < lm[i * 3] ? o : i;
    const right = left === o ? i : o;
    const ex = lm[right * 3] - lm[left * 3];
    const ey = lm[right * 3 + 1] - lm[left * 3 + 1];
    const w = Math.hypot(ex, ey) || 1;
    const mx = (lm[left * 3] + lm[right * 3]) / 2;
    const my = (lm[left * 3 + 1] + lm[right * 3 + 1]) / 2;
    const dx = iris[e * 15] - mx;
    const dy = iris[e * 15 + 1] - my;
    return [(dx * ex + dy * ey) / (w * w), (-dx * ey + dy * ex) / (w * w)];
  });
  return [out[0], out[1]];
}

/** Analyses the portrait once (throws nothing; a face with too few points is the caller's check). */
export function preparePortrait(face: FaceLandmarks): PortraitModel {
  const lm = face.landmarks;
  const roll = Math.atan2(lm[263 * 3 + 1] - lm[33 * 3 + 1], lm[263 * 3] - lm[33 * 3]);
  return {
    landmarks: lm,
    iris: face.iris && face.iris.length >= 30 ? face.iris : null,
    centre: stableCentre(lm),
    roll,
    faceWidth: dist(lm, 33, 263),
    eyeWidth: [dist(lm, 33, 133), dist(lm, 263, 362)],
    weights: regionWeights(),
  };
}

/** Analyses the driving reference frame against the portrait. */
export function prepareReference(portrait: PortraitModel, reference: FaceLandmarks): ReferenceModel {
  const lm = reference.landmarks;
  const { yaw, pitch } = headYawPitch(lm);
  return {
    landmarks: lm,
    yaw,
    pitch,
    openness: [eyeOpenness(lm, EYES[0]), eyeOpenness(lm, EYES[1])],
    gaze: gazeOf(reference),
    toPortrait: fitSimilarity(lm, portrait.landmarks, STABLE),
  };
}

/** The portrait unchanged (no face in the driving frame, or zero intensity). */
export function neutralMotion(portrait: PortraitModel): MotionResult {
  const points = Float32Array.from(portrait.landmarks);
  return {
    points,
    rigid: Float32Array.from(points),
    iris: portrait.iris ? Float32Array.from(portrait.iris) : null,
    eyeClosure: [0, 0],
    eyeWiden: [0, 0],
    gaze: [
      [0, 0],
      [0, 0],
    ],
    pose: { roll: 0, yaw: 0, pitch: 0, scale: 1, dx: 0, dy: 0 },
    identity: true,
    warnings: [],
  };
}

/** Shrinks v towards 0 by `dead` (values within ±dead become 0), continuous at the threshold. */
export function softThreshold(v: number, dead: number): number {
  return v > dead ? v - dead : v < -dead ? v + dead : 0;
}

/** Lid closure 0..1 from openness relative to the reference, through the dead zone and full-closure point. */
export function lidClosure(open: number, refOpen: number, deadZone: number, full: number): number {
  if (refOpen <= 0) return 0;
  const c = 1 - open / refOpen;
  return clamp((c - deadZone) / Math.max(1e-6, full - deadZone), 0, 1);
}

/**
 * A value and the limit it went past, each to the fewest decimals (1-3) that still show it past the limit: never
 * "19 px beyond the limit of 19 px".
 * @example pastLimit(19.04, 19) // ["19.04", "19"]
 */
export function pastLimit(value: number, limit: number): [string, string] {
  for (let digits = 1; digits <= 3; digits++) {
    const v = Number(value.toFixed(digits));
    const l = Number(limit.toFixed(digits));
    if (v > l || digits === 3) return [String(v), String(l)];
  }
  return [String(value), String(limit)];
}

function limit(value: number, max: number, what: string, unit: string, scaleShown: number, warnings: string[]): number {
  if (Math.abs(value) <= max) return value;
  const [shown, lim] = pastLimit(Math.abs(value) * scaleShown, max * scaleShown);
  warnings.push(`Head ${what} of ${shown}${unit} is beyond what a 2-D warp can show (limit ${lim}${unit}); clamped.`);
  return Math.sign(value) * max;
}

/**
 * The portrait's target mesh for one driving frame.
 * @param driving the driving face (landmarks 468 × 3, optional iris 10 × 3), or null for the neutral portrait
 */
export function computeMotion(
  portrait: PortraitModel,
  reference: ReferenceModel,
  driving: FaceLandmarks | null,
  controls: FrameControls,
  config: MeshwarpConfig,
): MotionResult {
  if (!driving) return neutralMotion(portrait);
  const warnings: string[] = [];
  // 1. Out-of-plane rotation of the driving face, removed before measuring expression.
  const { yaw: yawD, pitch: pitchD } = headYawPitch(driving.landmarks);
  const dYaw = yawD - reference.yaw;
  const dPitch = pitchD - reference.pitch;
  const D2 = derotate(driving.landmarks, dYaw, dPitch);
  // 2. Head motion = similarity reference → driving on stable points; expression = what it leaves.
  const align = fitSimilarity(D2, reference.landmarks, STABLE); // driving → reference frame
  // 3. Expression deltas in portrait pixels, weighted by region gains.
  const expr = expressionDeltas(portrait, reference, D2, align, controls, config);
  // Eye measures (lids, iris) get unreliable as the driving face turns away: trust them fully up to 15°
  // of turn, not at all past 30°.
  const eyeTrust = clamp(1 - (Math.abs(dYaw) - 15 * DEG) / (15 * DEG), 0, 1);
  // 4. Lids, lips, gaze.
  const { closure, widen } = moveLids(portrait, reference, driving.landmarks, expr, controls, config, eyeTrust);
  keepLipsApart(portrait, expr);
  const gaze = gazeOffsets(portrait, reference, driving, controls, config, eyeTrust);
  // 5. Head pose on the portrait, then every point placed.
  const pose = headPose(portrait, reference, invertSimilarity(align), dYaw, dPitch, controls, config, warnings);
  const P = portrait.landmarks;
  const place = placer(portrait, pose, config.depthScale);
  const points = new Float32Array(N * 3);
  const rigid = new Float32Array(N * 3);
  let moved = 0;
  for (let i = 0; i < N; i++) {
    place(P[i * 3] + expr[i * 2], P[i * 3 + 1] + expr[i * 2 + 1], P[i * 3 + 2], points, i * 3);
    place(P[i * 3], P[i * 3 + 1], P[i * 3 + 2], rigid, i * 3);
    moved = Math.max(moved, Math.abs(points[i * 3] - P[i * 3]), Math.abs(points[i * 3 + 1] - P[i * 3 + 1]));
  }
  let iris: Float32Array | null = null;
  if (portrait.iris) {
    const src = portrait.iris;
    iris = new Float32Array(30);
    for (let i = 0; i < 10; i++) {
      const e = i < 5 ? 0 : 1;
      place(src[i * 3] + gaze[e][0], src[i * 3 + 1] + gaze[e][1], src[i * 3 + 2], iris, i * 3);
    }
  }
  const still = (v: number): boolean => Math.abs(v) < 1e-4;
  const identity =
    moved < 1e-3 &&
    closure[0] === 0 &&
    closure[1] === 0 &&
    widen[0] === 0 &&
    widen[1] === 0 &&
    still(gaze[0][0]) &&
    still(gaze[0][1]) &&
    still(gaze[1][0]) &&
    still(gaze[1][1]);
  return { points, rigid, iris, eyeClosure: closure, eyeWiden: widen, gaze, pose, identity, warnings };
}

/** The driving face with a yaw/pitch change undone about its stable centre: 468 × 3 (inverse of rotateYawPitch). */
function derotate(D: Float32Array, dYaw: number, dPitch: number): Float64Array {
  const [dcx, dcy, dcz] = stableCentre(D);
  const out = new Float64Array(N * 3);
  const cp = Math.cos(dPitch);
  const sp = Math.sin(dPitch);
  const cyw = Math.cos(dYaw);
  const syw = Math.sin(dYaw);
  for (let i = 0; i < N; i++) {
    const X = D[i * 3] - dcx;
    const Y = D[i * 3 + 1] - dcy;
    const Z = D[i * 3 + 2] - dcz;
    const y1 = Y * cp + Z * sp; // un-pitch
    const z1 = -Y * sp + Z * cp;
    out[i * 3] = X * cyw - z1 * syw + dcx; // un-yaw
    out[i * 3 + 1] = y1 + dcy;
    out[i * 3 + 2] = X * syw + z1 * cyw + dcz;
  }
  return out;
}

/**
 * Expression deltas in portrait pixels, 468 × 2: aligned driving minus reference, through the linear part
 * of reference→portrait (deltas are directions), times the per-landmark mix of region gains. Upper-lid
 * chain points take no raw eye delta (the lid model moves them).
 */
function expressionDeltas(
  portrait: PortraitModel,
  reference: ReferenceModel,
  D2: Float64Array,
  align: Similarity,
  controls: FrameControls,
  config: MeshwarpConfig,
): Float64Array {
  const R = reference.landmarks;
  const T = reference.toPortrait;
  const w = portrait.weights;
  const k = controls.intensity;
  const gEyes = controls.eyes * k;
  const gBrows = controls.brows * k;
  const gMouth = controls.mouth * k;
  const gRest = config.residualGain * k;
  const expr = new Float64Array(N * 2);
  for (let i = 0; i < N; i++) {
    const [ax, ay] = applySimilarity(align, D2[i * 3], D2[i * 3 + 1]);
    const dx = ax - R[i * 3];
    const dy = ay - R[i * 3 + 1];
    const we = LID_CHAIN.has(i) ? 0 : w[i * 3 + REGION_EYES];
    const wb = w[i * 3 + REGION_BROWS];
    const wm = w[i * 3 + REGION_MOUTH];
    const wr = Math.max(0, 1 - w[i * 3 + REGION_EYES] - wb - wm);
    const g = we * gEyes + wb * gBrows + wm * gMouth + wr * gRest;
    expr[i * 2] = g * (T.a * dx - T.b * dy);
    expr[i * 2 + 1] = g * (T.b * dx + T.a * dy);
  }
  return expr;
}

/**
 * Lid model: closure/widening relative to each driving eye's reference openness, applied to the
 * portrait's own lid gap (so big stylised eyes still shut). Adds to `expr`; returns closure and widening.
 */
function moveLids(
  portrait: PortraitModel,
  reference: ReferenceModel,
  D: Float32Array,
  expr: Float64Array,
  controls: FrameControls,
  config: MeshwarpConfig,
  trust: number,
): { closure: [number, number]; widen: [number, number] } {
  const P = portrait.landmarks;
  const k = controls.intensity;
  const closure: [number, number] = [0, 0];
  const widen: [number, number] = [0, 0];
  const lids = lidOptions(config);
  EYES.forEach((eye, e) => {
    const open = eyeOpenness(D, eye);
    const ratio = reference.openness[e] > 0 ? open / reference.openness[e] : 1;
    const c = lidClosure(open, reference.openness[e], lids.blinkDeadZone, lids.blinkFull);
    closure[e] = clamp(c * controls.eyes * controls.blink * k * trust, 0, 1);
    widen[e] = clamp(
      Math.min((ratio - 1) * lids.widenGain, lids.maxWiden) * controls.eyes * k * trust,
      0,
      lids.maxWiden,
    );
    const f = 0.96 * closure[e] - widen[e];
    for (let j = 0; j < eye.upper0.length; j++) {
      const u = eye.upper0[j];
      const l = eye.lower0[j];
      const vx = P[l * 3] - P[u * 3];
      const vy = P[l * 3 + 1] - P[u * 3 + 1];
      expr[u * 2] += vx * f;
      expr[u * 2 + 1] += vy * f;
      // Skin above the lid edge slides with it (less the further up), so the lid does not crease sharply.
      expr[eye.upper1[j] * 2] += vx * f * 0.35;
      expr[eye.upper1[j] * 2 + 1] += vy * f * 0.35;
      expr[eye.upper2[j] * 2] += vx * f * 0.1;
      expr[eye.upper2[j] * 2 + 1] += vy * f * 0.1;
      // The lower lid rises a little in a blink.
      expr[l * 2] -= vx * 0.04 * closure[e];
      expr[l * 2 + 1] -= vy * 0.04 * closure[e];
    }
  });
  return { closure, widen };
}

/** Lips may meet but not cross (a driving mouth more closed than its reference): adjusts `expr`. */
function keepLipsApart(portrait: PortraitModel, expr: Float64Array): void {
  const P = portrait.landmarks;
  const upX = Math.sin(portrait.roll);
  const upY = -Math.cos(portrait.roll);
  for (let j = 1; j < LIP_UPPER_INNER.length - 1; j++) {
    const u = LIP_UPPER_INNER[j];
    const l = LIP_LOWER_INNER[j];
    const ux = P[u * 3] + expr[u * 2];
    const uy = P[u * 3 + 1] + expr[u * 2 + 1];
    const lx = P[l * 3] + expr[l * 2];
    const ly = P[l * 3 + 1] + expr[l * 2 + 1];
    const sep = (ux - lx) * upX + (uy - ly) * upY; // > 0 when the upper lip is above the lower
    if (sep < 0) {
      expr[u * 2] -= (sep / 2) * upX;
      expr[u * 2 + 1] -= (sep / 2) * upY;
      expr[l * 2] += (sep / 2) * upX;
      expr[l * 2 + 1] += (sep / 2) * upY;
    }
  }
}

/**
 * Iris shift per eye in portrait pixels: the driving iris offset relative to its reference (less the
 * jitter dead zone, times eyes gain and trust) plus the control offset, in eye widths, clamped.
 */
export function gazeOffsets(
  portrait: { roll: number; eyeWidth: readonly [number, number] },
  reference: { gaze: [[number, number], [number, number]] | null },
  driving: FaceLandmarks,
  controls: FrameControls,
  limits: Pick<MeshwarpConfig, 'gazeDeadZone' | 'maxGazeX' | 'maxGazeY'>,
  trust: number,
): [[number, number], [number, number]] {
  const gazeD = gazeOf(driving);
  const gain = controls.eyes * controls.intensity * trust;
  const ctrl = [controls.gazeLeft, controls.gazeRight];
  const ex = Math.cos(portrait.roll);
  const ey = Math.sin(portrait.roll);
  const out: [[number, number], [number, number]] = [
    [0, 0],
    [0, 0],
  ];
  for (let e = 0; e < 2; e++) {
    let gx = ctrl[e][0];
    let gy = ctrl[e][1];
    if (gazeD && reference.gaze) {
      gx += softThreshold(gazeD[e][0] - reference.gaze[e][0], limits.gazeDeadZone) * gain;
      gy += softThreshold(gazeD[e][1] - reference.gaze[e][1], limits.gazeDeadZone) * gain;
    }
    gx = clamp(gx, -limits.maxGazeX, limits.maxGazeX) * portrait.eyeWidth[e];
    gy = clamp(gy, -limits.maxGazeY, limits.maxGazeY) * portrait.eyeWidth[e];
    out[e] = [gx * ex - gy * ey, gx * ey + gy * ex];
  }
  return out;
}

/**
 * Head pose for the portrait: the driving head motion (reference → driving similarity, yaw/pitch change)
 * times head gain and intensity (0 when held), limited with a warning for each limit passed.
 */
function headPose(
  portrait: PortraitModel,
  reference: ReferenceModel,
  head: Similarity,
  dYaw: number,
  dPitch: number,
  controls: FrameControls,
  config: MeshwarpConfig,
  warnings: string[],
): AppliedPose {
  const g = controls.holdPose ? 0 : controls.head * controls.intensity;
  const T = reference.toPortrait;
  const L = headLimits(config);
  const yaw = limit(dYaw * g, L.maxYaw, 'yaw', '°', 1 / DEG, warnings);
  const pitch = limit(dPitch * g, L.maxPitch, 'pitch', '°', 1 / DEG, warnings);
  const roll = limit(similarityAngle(head) * g, L.maxRoll, 'roll', '°', 1 / DEG, warnings);
  const scale = clamp(similarityScale(head) ** g, L.minScale, L.maxScale);
  const [rcx, rcy] = stableCentre(reference.landmarks);
  const [mcx, mcy] = applySimilarity(head, rcx, rcy);
  let dx = g * (T.a * (mcx - rcx) - T.b * (mcy - rcy));
  let dy = g * (T.b * (mcx - rcx) + T.a * (mcy - rcy));
  const shift = Math.hypot(dx, dy);
  const maxShift = config.maxShift * portrait.faceWidth;
  if (shift > maxShift) {
    const [shown, lim] = pastLimit(shift, maxShift);
    warnings.push(`Head shift of ${shown} px is beyond what the warp ring allows (limit ${lim} px); clamped.`);
    dx *= maxShift / shift;
    dy *= maxShift / shift;
  }
  // (x === 0 ? 0 : x) turns −0 into 0 so a held pose compares equal across frames.
  const nz = (v: number): number => (v === 0 ? 0 : v);
  return { roll: nz(roll), yaw: nz(yaw), pitch: nz(pitch), scale, dx: nz(dx), dy: nz(dy) };
}

/**
 * A function placing one portrait point under `pose`: yaw/pitch parallax on a flattened depth (a 2-D
 * warp cannot show what the turn hides or reveals), then roll, scale and shift about the face centre.
 */
function placer(
  portrait: PortraitModel,
  pose: AppliedPose,
  depthScale: number,
): (x: number, y: number, z: number, out: Float32Array, o: number) => void {
  const [cx, cy, cz] = portrait.centre;
  const cr = Math.cos(pose.roll) * pose.scale;
  const sr = Math.sin(pose.roll) * pose.scale;
  const tmp = new Float64Array(3);
  return (x, y, z, out, o) => {
    rotateYawPitch(x, y, cz + (z - cz) * depthScale, cx, cy, cz, pose.yaw, pose.pitch, tmp, 0);
    const X = tmp[0] - cx;
    const Y = tmp[1] - cy;
    out[o] = cx + pose.dx + cr * X - sr * Y;
    out[o + 1] = cy + pose.dy + sr * X + cr * Y;
    out[o + 2] = (cz + (tmp[2] - cz) / (depthScale || 1)) * pose.scale;
  };
}
