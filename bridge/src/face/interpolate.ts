/**
 * A face between two tracked frames, for conforming a performance to another frame rate by its motion instead of by
 * repeating frames: the engines render from face observations, so an output frame that falls between clip frames
 * gets the face as it was at that instant. Pure functions of two observations and a weight.
 */
import { expression, landmarksBox } from './measure.js';
import type { FaceObservation, HeadPose } from './types.js';

/** Linear interpolation of two equally long arrays (Float32Array x, y, z points), weight `w` of `b`. */
export function lerpPoints(a: Float32Array, b: Float32Array, w: number): Float32Array {
  const out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] + (b[i] - a[i]) * w;
  return out;
}

/**
 * An angle (radians) between two, along the shorter arc: from 170° to −170° goes through 180°, not through 0°.
 * @example lerpAngle(3.1, -3.1, 0.5) // ≈ ±π
 */
export function lerpAngle(a: number, b: number, w: number): number {
  let d = (b - a) % (2 * Math.PI);
  if (d > Math.PI) d -= 2 * Math.PI;
  if (d < -Math.PI) d += 2 * Math.PI;
  const v = a + d * w;
  return Math.atan2(Math.sin(v), Math.cos(v));
}

/**
 * Head pose between two: angles along the shorter arc, size geometrically (a face growing by the same factor each
 * frame grows by the same factor per unit of time), centre linearly.
 */
export function lerpPose(a: HeadPose, b: HeadPose, w: number): HeadPose {
  return {
    roll: lerpAngle(a.roll, b.roll, w),
    yaw: lerpAngle(a.yaw, b.yaw, w),
    pitch: lerpAngle(a.pitch, b.pitch, w),
    scale: a.scale > 0 && b.scale > 0 ? a.scale * (b.scale / a.scale) ** w : a.scale + (b.scale - a.scale) * w,
    x: a.x + (b.x - a.x) * w,
    y: a.y + (b.y - a.y) * w,
  };
}

/**
 * The face at weight `w` (0 = `a`, 1 = `b`) between two observations of the same person: landmarks and iris points
 * linearly, pose by lerpPose, score linearly; box and expression measured again from the interpolated points (as the
 * smoother does), so they agree with them. Without the other face (not found, or another person) there is nothing to
 * interpolate with: the nearer frame's face is returned, or null when that frame has none.
 */
export function interpolateFace(
  a: FaceObservation | null,
  b: FaceObservation | null,
  w: number,
): FaceObservation | null {
  if (w <= 0) return a;
  if (w >= 1) return b;
  if (!a || !b || a.id !== b.id || a.landmarks.length !== b.landmarks.length) return w < 0.5 ? a : b;
  const landmarks = lerpPoints(a.landmarks, b.landmarks, w);
  const iris =
    a.iris && b.iris && a.iris.length === b.iris.length ? lerpPoints(a.iris, b.iris, w) : w < 0.5 ? a.iris : b.iris;
  return {
    id: a.id,
    score: a.score + (b.score - a.score) * w,
    box: landmarksBox(landmarks),
    landmarks,
    ...(iris ? { iris } : {}),
    pose: lerpPose(a.pose, b.pose, w),
    expression: expression(landmarks, iris),
  };
}
