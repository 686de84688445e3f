/**
 * Head pose and expression scalars from 468 landmarks (and optional iris points): the numbers motion transfer
 * and the panel use. Pure functions of the points, so they are unit-tested on hand-made landmark sets.
 *
 * Conventions: image pixels, x right, y down, z away from the camera (MediaPipe), same scale as x.
 * "Left"/"right" are as seen in the image: the image-left eye is the subject's right eye (landmarks 33/133).
 */
import { headAngles } from './pose.js';
import type { Expression, HeadPose } from './types.js';

/** Landmark indices used here (MediaPipe canonical face mesh). */
export const LM = {
  /** Outer eye corners: image-left eye, image-right eye. */
  eyeOuterL: 33,
  eyeOuterR: 263,
  eyeInnerL: 133,
  eyeInnerR: 362,
  /** Eyelid mid-points, upper/lower. */
  lidUpperL: 159,
  lidLowerL: 145,
  lidUpperR: 386,
  lidLowerR: 374,
  /** Inner lip mid-points (upper, lower) and mouth corners. */
  lipUpper: 13,
  lipLower: 14,
  mouthL: 61,
  mouthR: 291,
  /** Mid-brow points (two per brow). */
  browL: [105, 66],
  browR: [334, 296],
  noseBridge: 168,
  noseTop: 6,
} as const;

/** Points whose mean is the face centre: eye corners and the nose bridge, which expressions barely move. */
const CENTRE_POINTS = [LM.eyeOuterL, LM.eyeInnerL, LM.eyeInnerR, LM.eyeOuterR, LM.noseBridge, LM.noseTop];

const px = (l: Float32Array, i: number) => l[3 * i];
const py = (l: Float32Array, i: number) => l[3 * i + 1];
const dist = (l: Float32Array, i: number, j: number) => Math.hypot(px(l, i) - px(l, j), py(l, i) - py(l, j));

/**
 * Head yaw and pitch (radians) from 468 × 3 landmarks: the face poses, the neutral reference frame and the 2-D
 * warp's parallax read the head turn here. It is a view of face/pose.ts `headAngles` (weighted Procrustes against
 * the canonical face, the one head-angle estimator), in the 2-D convention, whose rotation is meshwarp's
 * rotateYawPitch (x→z about the vertical axis, then y→z about the horizontal one):
 * - yaw > 0 = the face turns toward image left (the performer's right): headAngles' yaw negated;
 * - pitch > 0 = the face tilts down: headAngles' pitch negated.
 * This negation is the only conversion between the two conventions; nothing else may restate either.
 * Rotating the points by rotateYawPitch(φ, 0) or (0, ψ) raises these by exactly φ or ψ (both together: to within
 * the second-order difference of rotation order). Roll does not change them. A frontal neutral face reads ~0, 0.
 * @example const { yaw, pitch } = headYawPitch(face.landmarks);
 */
export function headYawPitch(l: ArrayLike<number>): { yaw: number; pitch: number } {
  const { yaw, pitch } = headAngles(l);
  return { yaw: -yaw, pitch: -pitch };
}

/**
 * Head pose from landmarks (Float32Array 468×3).
 * - roll: eye line angle (outer corners), radians, positive = clockwise on screen.
 * - yaw, pitch: headYawPitch (pose.ts headAngles).
 * - scale: outer-eye-corner distance in px; x, y: mean of eye corners and nose bridge.
 */
export function headPose(l: Float32Array): HeadPose {
  const dx = px(l, LM.eyeOuterR) - px(l, LM.eyeOuterL);
  const dy = py(l, LM.eyeOuterR) - py(l, LM.eyeOuterL);
  const { yaw, pitch } = headYawPitch(l);
  let x = 0;
  let y = 0;
  for (const i of CENTRE_POINTS) {
    x += px(l, i);
    y += py(l, i);
  }
  return {
    roll: Math.atan2(dy, dx),
    yaw,
    pitch,
    scale: Math.hypot(dx, dy),
    x: x / CENTRE_POINTS.length,
    y: y / CENTRE_POINTS.length,
  };
}

/** The landmarks that measure one eye's opening: outer then inner corner, and upper/lower lid pairs across it. */
export interface EyeGap {
  corners: readonly [number, number];
  gapPairs: readonly (readonly [number, number])[];
}

/** Image-left eye, image-right eye: the corners and the three central lid pairs of each. */
export const EYE_GAPS: readonly [EyeGap, EyeGap] = [
  {
    corners: [33, 133],
    gapPairs: [
      [160, 144],
      [159, 145],
      [158, 153],
    ],
  },
  {
    corners: [263, 362],
    gapPairs: [
      [387, 373],
      [386, 374],
      [385, 380],
    ],
  },
];

/**
 * Lid gap / eye width for one eye (0 closed, ~0.3 open), from 468 × 3 landmarks. The width is measured in 3-D so a
 * head turn (which foreshortens the width, not the gap) does not read as wider eyes.
 */
export function eyeOpenness(lm: ArrayLike<number>, eye: EyeGap): number {
  const [a, b] = eye.corners;
  const width = Math.hypot(lm[a * 3] - lm[b * 3], lm[a * 3 + 1] - lm[b * 3 + 1], lm[a * 3 + 2] - lm[b * 3 + 2]);
  if (width <= 0) return 0;
  let gap = 0;
  for (const [u, l] of eye.gapPairs) gap += Math.hypot(lm[u * 3] - lm[l * 3], lm[u * 3 + 1] - lm[l * 3 + 1]);
  return gap / eye.gapPairs.length / width;
}

/**
 * Expression scalars from landmarks (Float32Array 468×3) and optional iris points (Float32Array 10×3, image-left eye
 * first, centre first per eye). Distances are divided by the outer-eye-corner distance. Gaze: iris centre offset
 * from the eye-corner midpoint in the face's frame, divided by half the eye width (x) and a quarter of it (y),
 * averaged over both eyes and clamped to −1..1; 0 without iris points.
 */
export function expression(l: Float32Array, iris?: Float32Array): Expression {
  const s = Math.hypot(px(l, LM.eyeOuterR) - px(l, LM.eyeOuterL), py(l, LM.eyeOuterR) - py(l, LM.eyeOuterL)) || 1;
  const brow = (pts: readonly number[], outer: number, inner: number) => {
    let bx = 0;
    let by = 0;
    for (const i of pts) {
      bx += px(l, i) / pts.length;
      by += py(l, i) / pts.length;
    }
    const ex = (px(l, outer) + px(l, inner)) / 2;
    const ey = (py(l, outer) + py(l, inner)) / 2;
    return Math.hypot(bx - ex, by - ey) / s;
  };
  let gazeX = 0;
  let gazeY = 0;
  if (iris && iris.length >= 30) {
    const roll = Math.atan2(py(l, LM.eyeOuterR) - py(l, LM.eyeOuterL), px(l, LM.eyeOuterR) - px(l, LM.eyeOuterL));
    const cos = Math.cos(roll);
    const sin = Math.sin(roll);
    const eyes = [
      [LM.eyeOuterL, LM.eyeInnerL],
      [LM.eyeInnerR, LM.eyeOuterR],
    ];
    for (let e = 0; e < 2; e++) {
      const [a, b] = eyes[e];
      const half = dist(l, a, b) / 2 || 1;
      const ox = iris[e * 15] - (px(l, a) + px(l, b)) / 2;
      const oy = iris[e * 15 + 1] - (py(l, a) + py(l, b)) / 2;
      gazeX += (cos * ox + sin * oy) / half / 2;
      gazeY += (-sin * ox + cos * oy) / (half / 2) / 2;
    }
    gazeX = Math.max(-1, Math.min(1, gazeX));
    gazeY = Math.max(-1, Math.min(1, gazeY));
  }
  return {
    leftEyeOpen: dist(l, LM.lidUpperL, LM.lidLowerL) / s,
    rightEyeOpen: dist(l, LM.lidUpperR, LM.lidLowerR) / s,
    mouthOpen: dist(l, LM.lipUpper, LM.lipLower) / s,
    mouthWidth: dist(l, LM.mouthL, LM.mouthR) / s,
    leftBrowRaise: brow(LM.browL, LM.eyeOuterL, LM.eyeInnerL),
    rightBrowRaise: brow(LM.browR, LM.eyeOuterR, LM.eyeInnerR),
    gazeX,
    gazeY,
  };
}

/** Axis-aligned bounding box of the 468 landmarks (frame px). */
export function landmarksBox(l: Float32Array): { x: number; y: number; width: number; height: number } {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (let i = 0; i < l.length; i += 3) {
    if (l[i] < x0) x0 = l[i];
    if (l[i] > x1) x1 = l[i];
    if (l[i + 1] < y0) y0 = l[i + 1];
    if (l[i + 1] > y1) y1 = l[i + 1];
  }
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}
