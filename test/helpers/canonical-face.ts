/** MediaPipe's canonical face, posed: known landmarks for the head-pose tests. */
import { CANONICAL_HEAD, rotationOf } from '../../bridge/src/face/pose.js';

/** The canonical face rotated by `angles` (pose.ts conventions), `scale` px per cm, its origin at `t`. */
export function posedCanonicalFace(
  angles: { yaw: number; pitch: number; roll: number },
  scale: number,
  t: readonly number[],
): Float32Array {
  const R = rotationOf(angles);
  const out = new Float32Array(468 * 3);
  for (let i = 0; i < 468; i++) {
    for (let a = 0; a < 3; a++) {
      let v = 0;
      for (let b = 0; b < 3; b++) v += R[a * 3 + b] * CANONICAL_HEAD[i * 3 + b];
      out[i * 3 + a] = scale * v + t[a];
    }
  }
  return out;
}
