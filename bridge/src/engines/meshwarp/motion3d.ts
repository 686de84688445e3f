/**
 * Motion transfer for the 3-D head: the driving face's head pose (weighted Procrustes against the canonical face,
 * face/pose.ts) relative to its reference frame is applied to the portrait's own head pose, and its expression is
 * measured in head coordinates (the pose-free mesh), so a turn does not read as an expression nor an expression as
 * a turn. Pure and deterministic; the renderer (render3d.ts) turns the result into pixels.
 *
 * Per frame:
 *  1. pose of driving and reference; relative rotation ΔR = R_d R_refᵀ as yaw/pitch/roll, times head gain, limited;
 *     scale and shift of the head relative to the reference, in the portrait's own size;
 *  2. expression = unposed driving − unposed reference, per landmark, in cm, weighted by region gains; lids follow
 *     a lid model on pose-free openness; gaze moves only the iris;
 *  3. the portrait's unposed mesh plus expression is posed with the portrait's rotation turned by ΔR, then projected
 *     through a pinhole camera that maps the unmoved portrait onto itself.
 */

import { anglesOf, fitHead, type HeadFit, type Mat3, mul3, rotationOf, transpose3, unpose } from '../../face/pose.js';
import type { FrameControls } from '../controls.js';
import { headLimits, lidOptions, type MeshwarpConfig, type ResolvedHeadLimits } from './config.js';
import { clamp } from './geometry.js';
import { type FaceLandmarks, gazeOf, gazeOffsets, lidClosure, type MotionResult } from './motion.js';
import {
  EYES,
  type EyeIndices,
  LID_CHAIN,
  LIP_LOWER_INNER,
  LIP_UPPER_INNER,
  REGION_BROWS,
  REGION_EYES,
  REGION_MOUTH,
  regionWeights,
} from './regions.js';

const N = 468;
const DEG = Math.PI / 180;

/** Pinhole camera about the portrait's head: principal point (px, py), depth pz of the head, distance d (px). */
export interface Camera {
  px: number;
  py: number;
  pz: number;
  d: number;
}

/** The portrait, analysed once for the 3-D head. */
export interface Portrait3d {
  landmarks: Float32Array;
  iris: Float32Array | null;
  fit: HeadFit;
  camera: Camera;
  /** Unprojected, unposed mesh (cm), 468 × 3: posing it with `fit` and projecting gives `landmarks`. */
  head: Float64Array;
  /** Unposed iris points (cm), 10 × 3, or null. */
  irisHead: Float64Array | null;
  eyeWidth: [number, number];
  roll: number;
  weights: Float32Array;
  /**
   * Head point (cm) the turn swings the face about, so that the eye corners and the relief in front of them swing as
   * far as the tracked (not depth-gained) face would: the head origin moved forward by the depth the gain added there.
   */
  pivot: [number, number, number];
}

export interface Reference3d {
  fit: HeadFit;
  head: Float64Array;
  openness: [number, number];
  gaze: [[number, number], [number, number]] | null;
}

/** Pose actually applied (head → image): rotation, px per cm, where the head origin lands. */
export interface PoseTransform {
  rotation: Mat3;
  scale: number;
  translation: [number, number, number];
}

export interface Motion3d extends MotionResult {
  transform: PoseTransform;
  /** Target face in head coordinates (cm), 468 × 3 (expression applied). */
  targetHead: Float64Array;
}

/** Projects head point (hx, hy, hz) through `t` and the camera into out[o..o+2] = screen x, y and camera depth. */
export function projectHead(
  t: PoseTransform,
  cam: Camera,
  hx: number,
  hy: number,
  hz: number,
  out: Float32Array | Float64Array,
  o: number,
): void {
  const R = t.rotation;
  const s = t.scale;
  const X = t.translation[0] + s * (R[0] * hx + R[1] * hy + R[2] * hz);
  const Y = t.translation[1] + s * (R[3] * hx + R[4] * hy + R[5] * hz);
  const Z = t.translation[2] + s * (R[6] * hx + R[7] * hy + R[8] * hz);
  const k = cam.d / (cam.d + Z - cam.pz);
  out[o] = cam.px + (X - cam.px) * k;
  out[o + 1] = cam.py + (Y - cam.py) * k;
  out[o + 2] = Z;
}

/**
 * Analyses the portrait. The landmarks are taken as a perspective view from `cameraDistance` cm (in head units):
 * they are pushed out to where a pinhole would have seen them, then unposed, so that posing and projecting the
 * unmoved head returns the portrait exactly.
 */
export function preparePortrait3d(face: FaceLandmarks, cameraDistance: number, depthGain = 1): Portrait3d {
  const lm = face.landmarks;
  const fit = fitHead(lm);
  const camera: Camera = {
    px: fit.translation[0],
    py: fit.translation[1],
    pz: fit.translation[2],
    d: cameraDistance * fit.scale,
  };
  // The gain deepens the head behind the eye corners (temples, cheeks, jaw: how far the sides wrap back); the relief
  // in front of them (brow, nose, lips) keeps its tracked height, so a deeper head does not grow a longer nose. The
  // mouth keeps its tracked relief too (by its region weight), although its corners lie behind the eye corners: a
  // smile's corners deepened 1.7× hooked the far corner up past the lips on a turned head and lifted both corners
  // on a nod, which the tracker read as a more closed mouth (test: "depthGain deepens the head behind the eyes").
  const eyeZ = [33, 133, 362, 263].reduce((z, i) => z + lm[i * 3 + 2], 0) / 4;
  const eyeDeep = camera.pz + (eyeZ - camera.pz) * depthGain;
  const deepen = (z: number): number => (z >= eyeZ ? camera.pz + (z - camera.pz) * depthGain : eyeDeep + z - eyeZ);
  const weights = regionWeights();
  /** `mouth`: the landmarks' own mouth weights (468 × 3 points), else none (iris points). */
  const unproject = (src: ArrayLike<number>, mouth: boolean): Float64Array => {
    const out = new Float64Array(src.length);
    for (let i = 0; i < src.length; i += 3) {
      const wm = mouth ? weights[i + REGION_MOUTH] : 0;
      const z = deepen(src[i + 2]) * (1 - wm) + (eyeDeep + src[i + 2] - eyeZ) * wm;
      const k = (camera.d + z - camera.pz) / camera.d;
      out[i] = camera.px + (src[i] - camera.px) * k;
      out[i + 1] = camera.py + (src[i + 1] - camera.py) * k;
      out[i + 2] = z;
    }
    return out;
  };
  const iris = face.iris && face.iris.length >= 30 ? face.iris : null;
  const d2 = (i: number, j: number): number => Math.hypot(lm[i * 3] - lm[j * 3], lm[i * 3 + 1] - lm[j * 3 + 1]);
  const head = unpose(unproject(lm, true), fit);
  const eyes = [33, 133, 362, 263].reduce((z, i) => z + head[i * 3 + 2], 0) / 4;
  return {
    landmarks: lm,
    iris,
    fit,
    camera,
    pivot: [0, 0, (eyes * (depthGain - 1)) / depthGain],
    head,
    irisHead: iris ? unpose(unproject(iris, false), fit) : null,
    eyeWidth: [d2(33, 133), d2(263, 362)],
    roll: Math.atan2(lm[263 * 3 + 1] - lm[33 * 3 + 1], lm[263 * 3] - lm[33 * 3]),
    weights,
  };
}

/** Lid gap ÷ eye width of one eye on an unposed mesh (pose-free: a nod or turn does not change it). */
function headOpenness(head: ArrayLike<number>, eye: EyeIndices): number {
  const [a, b] = eye.corners;
  const width = Math.hypot(
    head[a * 3] - head[b * 3],
    head[a * 3 + 1] - head[b * 3 + 1],
    head[a * 3 + 2] - head[b * 3 + 2],
  );
  if (width <= 0) return 0;
  let gap = 0;
  for (const [u, l] of eye.gapPairs) gap += Math.hypot(head[u * 3] - head[l * 3], head[u * 3 + 1] - head[l * 3 + 1]);
  return gap / eye.gapPairs.length / width;
}

export function prepareReference3d(reference: FaceLandmarks): Reference3d {
  const fit = fitHead(reference.landmarks);
  const head = unpose(reference.landmarks, fit);
  return { fit, head, openness: [headOpenness(head, EYES[0]), headOpenness(head, EYES[1])], gaze: gazeOf(reference) };
}

/** The angle in −π…π. */
function wrapAngle(v: number): number {
  return Math.atan2(Math.sin(v), Math.cos(v));
}

function limit(value: number, max: number, what: string, warnings: string[]): number {
  if (Math.abs(value) <= max + 1e-4) return value;
  const shown = Math.round((Math.abs(value) / DEG) * 10) / 10;
  warnings.push(
    `Head ${what} of ${shown}° is beyond what the 3-D head can show (limit ${Math.round((max / DEG) * 10) / 10}°); clamped.`,
  );
  return Math.sign(value) * max;
}

export interface Motion3dOptions {
  limits: ResolvedHeadLimits;
  /** Rendered pitch per unit of driving pitch (see config.ts). */
  pitchGain: number;
  residualGain: number;
  blinkDeadZone: number;
  blinkFull: number;
  maxWiden: number;
  widenGain: number;
  gazeDeadZone: number;
  maxGazeX: number;
  maxGazeY: number;
}

/** What a meshwarp configuration asks of the 3-D head's motion (the engine's; scripts and tests use the same). */
export function motion3dOptions(config: MeshwarpConfig): Motion3dOptions {
  return {
    limits: headLimits(config),
    pitchGain: config.pitchGain,
    residualGain: config.residualGain,
    ...lidOptions(config),
    gazeDeadZone: config.gazeDeadZone,
    maxGazeX: config.maxGazeX,
    maxGazeY: config.maxGazeY,
  };
}

/** The portrait's target for one driving frame. */
export function computeMotion3d(
  portrait: Portrait3d,
  reference: Reference3d,
  driving: FaceLandmarks,
  controls: FrameControls,
  options: Motion3dOptions,
): Motion3d {
  const warnings: string[] = [];
  const fitD = fitHead(driving.landmarks);
  const headD = unpose(driving.landmarks, fitD);
  // 1. Pose.
  const g = controls.holdPose ? 0 : controls.head * controls.intensity;
  // Each angle of the driver relative to its reference, added to the portrait's own: its tracked yaw, pitch and roll
  // then change as the driver's did. The rotation between the two driving poses (R_d R_refᵀ), applied to a portrait
  // posed differently from the reference, turned it about the camera's axes: the portrait's 3° of roll and a few of
  // yaw made the driver's nods and turns tilt its eye line (whole-clip roll amplitude 1.18, frames 0–142 read 0.9°
  // more roll than the driver on average; test: "each angle changes as the driver's").
  const P = portrait.fit;
  const aD = anglesOf(fitD.rotation);
  const aR = anglesOf(reference.fit.rotation);
  const aP = anglesOf(P.rotation);
  const L = options.limits;
  const d = {
    yaw: limit((aD.yaw - aR.yaw) * g, L.maxYaw, 'yaw', warnings),
    pitch: limit(wrapAngle(aD.pitch - aR.pitch) * g, L.maxPitch, 'pitch', warnings) * options.pitchGain,
    roll: limit(wrapAngle(aD.roll - aR.roll) * g, L.maxRoll, 'roll', warnings),
  };
  const posed = rotationOf({ yaw: aP.yaw + d.yaw, pitch: aP.pitch + d.pitch, roll: aP.roll + d.roll });
  // The turn from the portrait's own pose (what the renderer and the reported pose work from).
  const turn = mul3(posed, transpose3(P.rotation));
  const scale = P.scale * clamp((fitD.scale / reference.fit.scale) ** g, L.minScale, L.maxScale);
  const k = (g * P.scale) / reference.fit.scale;
  const shiftX = k * (fitD.translation[0] - reference.fit.translation[0]);
  const shiftY = k * (fitD.translation[1] - reference.fit.translation[1]);
  // The driver's pose is what its camera saw. A head moved off the camera's axis is seen from the side, so it turns to
  // face the camera along its new line of sight: the turn that shows is then the driver's (test: "a moved head").
  const rotation = mul3(lineOfSight(shiftX, shiftY, portrait.camera.d), posed);
  // Turning about the pivot: t + s·R·(h − v) + s·R_p·v, written as a translation s·(R_p − R)·v.
  const v = portrait.pivot;
  const swing = [0, 1, 2].map(
    (a) =>
      scale *
      ((P.rotation[a * 3] - rotation[a * 3]) * v[0] +
        (P.rotation[a * 3 + 1] - rotation[a * 3 + 1]) * v[1] +
        (P.rotation[a * 3 + 2] - rotation[a * 3 + 2]) * v[2]),
  );
  const transform: PoseTransform = {
    rotation,
    scale,
    translation: [
      P.translation[0] + shiftX + swing[0],
      P.translation[1] + shiftY + swing[1],
      P.translation[2] + swing[2],
    ],
  };
  // 2. Expression in head coordinates.
  const yawD = anglesOf(fitD.rotation).yaw;
  const eyeTurn = Math.abs(yawD);
  const targetHead = expressionTarget(portrait, reference, headD, controls, options.residualGain, turnTrust(eyeTurn));
  const { closure, widen } = moveLids3d(portrait, reference, headD, targetHead, controls, options, yawD);
  keepLipsApart3d(targetHead);
  const gaze = gazeOffsets3d(portrait, reference, driving, controls, options, eyeTurn);
  // 3. Posed and projected.
  const cam = portrait.camera;
  const H = portrait.head;
  const points = new Float32Array(N * 3);
  const rigid = new Float32Array(N * 3);
  let moved = 0;
  const lm = portrait.landmarks;
  for (let i = 0; i < N; i++) {
    projectHead(transform, cam, targetHead[i * 3], targetHead[i * 3 + 1], targetHead[i * 3 + 2], points, i * 3);
    projectHead(transform, cam, H[i * 3], H[i * 3 + 1], H[i * 3 + 2], rigid, i * 3);
    moved = Math.max(moved, Math.abs(points[i * 3] - lm[i * 3]), Math.abs(points[i * 3 + 1] - lm[i * 3 + 1]));
  }
  let iris: Float32Array | null = null;
  if (portrait.irisHead) {
    iris = new Float32Array(30);
    const R = P.rotation;
    for (let i = 0; i < 10; i++) {
      const [gx, gy] = gaze[i < 5 ? 0 : 1];
      // The gaze offset is in portrait pixels; into head centimetres through the portrait's own pose.
      const hx = portrait.irisHead[i * 3] + (R[0] * gx + R[3] * gy) / P.scale;
      const hy = portrait.irisHead[i * 3 + 1] + (R[1] * gx + R[4] * gy) / P.scale;
      const hz = portrait.irisHead[i * 3 + 2] + (R[2] * gx + R[5] * gy) / P.scale;
      projectHead(transform, cam, hx, hy, hz, iris, i * 3);
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
  const a = anglesOf(turn);
  a.pitch /= options.pitchGain || 1;
  const nz = (v: number): number => (v === 0 ? 0 : v);
  return {
    points,
    rigid,
    iris,
    eyeClosure: closure,
    eyeWiden: widen,
    gaze,
    pose: {
      roll: nz(a.roll),
      yaw: nz(a.yaw),
      pitch: nz(a.pitch),
      scale: scale / P.scale,
      dx: nz(transform.translation[0] - P.translation[0]),
      dy: nz(transform.translation[1] - P.translation[1]),
    },
    identity,
    warnings,
    transform,
    targetHead,
  };
}

/**
 * The rotation that turns the camera's axis (0, 0, 1) onto the line of sight to a point (x, y) px off the axis at
 * distance d px: the least rotation between the two (Rodrigues, about their cross product).
 */
export function lineOfSight(x: number, y: number, d: number): Mat3 {
  const n = Math.hypot(x, y, d);
  const bx = x / n;
  const by = y / n;
  const c = d / n;
  // v = e_z × b = (−by, bx, 0); R = I + [v]× + [v]×² / (1 + c).
  const f = 1 / (1 + c);
  return new Float64Array([
    1 - bx * bx * f,
    -bx * by * f,
    bx,
    -bx * by * f,
    1 - by * by * f,
    by,
    -bx,
    -by,
    1 - (bx * bx + by * by) * f,
  ]);
}

/** Portrait head + (driving − reference) per landmark, times the mix of region gains (lid chain: lid model only). */
function expressionTarget(
  portrait: Portrait3d,
  reference: Reference3d,
  headD: Float64Array,
  controls: FrameControls,
  residualGain: number,
  eyeTrust: number,
): Float64Array {
  const w = portrait.weights;
  const k = controls.intensity;
  const R = reference.head;
  const out = Float64Array.from(portrait.head);
  // Vertically a turned driver's lower lids count only as far as they move with their eye's corners.
  const lids = eyeTrust < 1 ? lowerLidRise(portrait.head, R, headD, eyeTrust) : null;
  for (let i = 0; i < N; i++) {
    const we = LID_CHAIN.has(i) ? 0 : w[i * 3 + REGION_EYES];
    const wb = w[i * 3 + REGION_BROWS];
    const wm = w[i * 3 + REGION_MOUTH];
    const wr = Math.max(0, 1 - w[i * 3 + REGION_EYES] - wb - wm);
    const gain = (we * controls.eyes + wb * controls.brows + wm * controls.mouth + wr * residualGain) * k;
    // Sideways and in depth (x, z) the eyes' deltas of a turned driver are the tracker's turned mesh, not expression.
    const across = gain - we * controls.eyes * (1 - eyeTrust) * k;
    const lid = lids?.get(i);
    out[i * 3] += across * (headD[i * 3] - R[i * 3]);
    out[i * 3 + 1] += gain * (lid ?? headD[i * 3 + 1] - R[i * 3 + 1]);
    out[i * 3 + 2] += across * (headD[i * 3 + 2] - R[i * 3 + 2]);
  }
  return out;
}

/**
 * The lower lids' vertical deltas taken relative to their own eye's corners, the shape change trusted as the eyes'
 * sideways deltas are (`trust`, by the driver's turn), by landmark index. The tracker's mesh of a turned head
 * is not rigid: unposed, its lower lids rise against their eye (drawn, a narrower eye the tracker reads nearly shut),
 * while the eye as a whole may shift in the head (kept: the corners' own deltas, interpolated along the eye).
 */
function lowerLidRise(H: Float64Array, R: Float64Array, D: Float64Array, trust: number): Map<number, number> {
  const out = new Map<number, number>();
  for (const eye of EYES) {
    const [c0, c1] = eye.corners;
    const ax = H[c1 * 3] - H[c0 * 3];
    const ay = H[c1 * 3 + 1] - H[c0 * 3 + 1];
    const len2 = ax * ax + ay * ay;
    if (len2 <= 0) continue;
    const d0 = D[c0 * 3 + 1] - R[c0 * 3 + 1];
    const d1 = D[c1 * 3 + 1] - R[c1 * 3 + 1];
    for (const i of [...eye.lower0, ...eye.lower1, ...eye.lower2]) {
      const t = clamp(((H[i * 3] - H[c0 * 3]) * ax + (H[i * 3 + 1] - H[c0 * 3 + 1]) * ay) / len2, 0, 1);
      const corners = d0 + (d1 - d0) * t;
      out.set(i, corners + trust * (D[i * 3 + 1] - R[i * 3 + 1] - corners));
    }
  }
  return out;
}

/**
 * Lids: closure and widening from pose-free openness relative to the reference, applied to the portrait's own lid
 * gap. Past 25° of turn the far eye is unreliable, so both eyes follow the one nearer the camera.
 */
function moveLids3d(
  portrait: Portrait3d,
  reference: Reference3d,
  headD: Float64Array,
  target: Float64Array,
  controls: FrameControls,
  options: Motion3dOptions,
  yaw: number,
): { closure: [number, number]; widen: [number, number] } {
  const H = portrait.head;
  const k = controls.intensity;
  const ratio = [0, 1].map((e) => {
    const ref = reference.openness[e];
    return ref > 0 ? headOpenness(headD, EYES[e]) / ref : 1;
  });
  if (Math.abs(yaw) > 25 * DEG) {
    // The eye nearer the camera: the image-left eye (A) when the face turns towards image right.
    const near = yaw > 0 ? 0 : 1;
    ratio[0] = ratio[1] = ratio[near];
  }
  const closure: [number, number] = [0, 0];
  const widen: [number, number] = [0, 0];
  EYES.forEach((eye, e) => {
    const c = lidClosure(ratio[e], 1, options.blinkDeadZone, options.blinkFull);
    closure[e] = clamp(c * controls.eyes * controls.blink * k, 0, 1);
    widen[e] = clamp(
      Math.min((ratio[e] - 1) * options.widenGain, options.maxWiden) * controls.eyes * k,
      0,
      options.maxWiden,
    );
    const rise = widen[e] > 0 ? lidRoom(portrait, e, widen[e]) : null;
    for (let j = 0; j < eye.upper0.length; j++) {
      const u = eye.upper0[j];
      const l = eye.lower0[j];
      const f = 0.96 * closure[e] - widen[e] * (rise ? rise[j] : 1);
      for (let a = 0; a < 3; a++) {
        const v = H[l * 3 + a] - H[u * 3 + a];
        target[u * 3 + a] += v * f;
        target[eye.upper1[j] * 3 + a] += v * f * 0.35;
        target[eye.upper2[j] * 3 + a] += v * f * 0.1;
        target[l * 3 + a] -= v * 0.04 * closure[e];
        // A widening eye's lower lid drops a little (15 % of the widening), less than the upper lid rises.
        target[l * 3 + a] += v * 0.15 * widen[e];
      }
    }
  });
  return { closure, widen };
}

/**
 * How much of the widening each upper-lid point of eye `e` takes (0..1), so that the raised lid rounds over the
 * eyeball as a real one does: beside the iris it rises, over the iris it stops a sliver above the iris's top edge (a
 * widening's share of the iris radius: half of it at maxWiden 0.5). The bound is a rounded arch over the corner line
 * through both corners and that point above the iris. Raising the whole lid by a share of its gap put a band of sclera above the iris of a
 * lid that rests on it (this portrait's): a white ring all round the iris, a startled stare (test: "a widening eye").
 */
function lidRoom(portrait: Portrait3d, e: number, widen: number): number[] | null {
  const I = portrait.irisHead;
  if (!I) return null;
  const H = portrait.head;
  const eye = EYES[e];
  const [c0, c1] = eye.corners;
  const mx = (H[c0 * 3] + H[c1 * 3]) / 2;
  const my = (H[c0 * 3 + 1] + H[c1 * 3 + 1]) / 2;
  let ax = H[c1 * 3] - H[c0 * 3];
  let ay = H[c1 * 3 + 1] - H[c0 * 3 + 1];
  const half = Math.hypot(ax, ay) / 2;
  if (half <= 0) return null;
  ax /= 2 * half;
  ay /= 2 * half;
  // Up across the eye (head y points down): the side the upper lid is on.
  let nx = ay;
  let ny = -ax;
  const mid = eye.upper0[3];
  if ((H[mid * 3] - mx) * nx + (H[mid * 3 + 1] - my) * ny < 0) {
    nx = -nx;
    ny = -ny;
  }
  const b = e * 15;
  const cx = I[b];
  const cy = I[b + 1];
  let r = 0;
  for (let k = 1; k <= 4; k++) r += Math.hypot(I[b + k * 3] - cx, I[b + k * 3 + 1] - cy) / 4;
  const along = (x: number, y: number): number => (x - mx) * ax + (y - my) * ay;
  const up = (x: number, y: number): number => (x - mx) * nx + (y - my) * ny;
  const tc = along(cx, cy) / half;
  // A superellipse (exponent 3): rounder than the almond of the resting lid, so the sides rise more than the middle.
  const arch = (t: number): number => Math.cbrt(Math.max(0, 1 - Math.abs(t) ** 3));
  const top = (up(cx, cy) + r * (1 + widen)) / Math.max(0.2, arch(tc));
  return eye.upper0.map((u, j) => {
    const l = eye.lower0[j];
    const t = along(H[u * 3], H[u * 3 + 1]) / half;
    const room = top * arch(t) - up(H[u * 3], H[u * 3 + 1]);
    const lift = widen * up(H[u * 3] - H[l * 3] + mx, H[u * 3 + 1] - H[l * 3 + 1] + my);
    return lift > 0 ? clamp(room / lift, 0, 1) : 1;
  });
}

/** Lips may meet but not cross (head coordinates: up is −y). */
function keepLipsApart3d(target: Float64Array): void {
  for (let j = 1; j < LIP_UPPER_INNER.length - 1; j++) {
    const u = LIP_UPPER_INNER[j];
    const l = LIP_LOWER_INNER[j];
    const sep = target[l * 3 + 1] - target[u * 3 + 1];
    if (sep < 0) {
      target[u * 3 + 1] += sep / 2;
      target[l * 3 + 1] -= sep / 2;
    }
  }
}

/** Iris shift per eye in portrait pixels (as in the 2-D engine), trusted fully to 15° of turn, not past 30°. */
function gazeOffsets3d(
  portrait: Portrait3d,
  reference: Reference3d,
  driving: FaceLandmarks,
  controls: FrameControls,
  options: Motion3dOptions,
  turn: number,
): [[number, number], [number, number]] {
  return gazeOffsets(portrait, reference, driving, controls, options, turnTrust(turn));
}

/** How far the driver's per-landmark eye motion is trusted at `turn` (rad): fully to 15°, not past 30°. */
function turnTrust(turn: number): number {
  return clamp(1 - (turn - 15 * DEG) / (15 * DEG), 0, 1);
}
