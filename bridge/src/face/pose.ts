/**
 * Head pose from 468 landmarks by weighted Procrustes against MediaPipe's canonical face (the method of MediaPipe's
 * face geometry pipeline, after Akca 2003): one uniform scale, a rotation and a translation that map the canonical
 * face onto the tracked points, fitted on 33 rigid landmarks (nose wings, eye corners, jaw, cheeks, forehead) with
 * MediaPipe's weights, so lips, lids and brows do not move it. The inverse map gives a pose-free ("unposed") mesh:
 * the same face in head coordinates, where expression can be measured without the turn of the head leaking in.
 *
 * Conventions: image pixels, x right, y down, z away from the camera, z on x's scale (FaceMesh). Head coordinates
 * use the same axes for a face looking into the camera, in centimetres. Angles (radians), all 0 for that face:
 * yaw > 0 turns the face towards image right, pitch > 0 tilts it up, roll > 0 turns it clockwise on screen.
 * Rotation = Roll · Yaw · Pitch (pitch applied first).
 */
import { CANONICAL_FACE, POSE_LANDMARKS, POSE_WEIGHTS } from './canonical-face.js';

/** 3×3 matrix, row-major. */
export type Mat3 = Float64Array;

export interface HeadFit {
  /** Head coordinates → image axes. */
  rotation: Mat3;
  /** Image px per head centimetre. */
  scale: number;
  /** Where the canonical origin (inside the head, behind the nose) lands, image px. */
  translation: [number, number, number];
}

export interface HeadAngles {
  yaw: number;
  pitch: number;
  roll: number;
}

/**
 * MediaPipe's basis weights, less the two jaw points (136, 365): they sit below the mouth corners and drop when the
 * mouth opens, so with them a laugh reads as a nod and part of the mouth's opening is lost to head pose.
 */
const WEIGHTS: readonly number[] = POSE_LANDMARKS.map((i, k) => (i === 136 || i === 365 ? 0 : POSE_WEIGHTS[k]));

/** The canonical face in head coordinates (image axes: y down, z away), 468 × 3, cm. */
export const CANONICAL_HEAD: Float64Array = (() => {
  const out = new Float64Array(468 * 3);
  for (let i = 0; i < 468; i++) {
    out[i * 3] = CANONICAL_FACE[i * 3];
    out[i * 3 + 1] = -CANONICAL_FACE[i * 3 + 1];
    out[i * 3 + 2] = -CANONICAL_FACE[i * 3 + 2];
  }
  return out;
})();

/**
 * Fits head pose to landmarks (468 × 3, image px). Pure; O(33).
 * @example const { rotation } = fitHead(face.landmarks); const { yaw } = anglesOf(rotation);
 */
export function fitHead(lm: ArrayLike<number>): HeadFit {
  const C = CANONICAL_HEAD;
  let wsum = 0;
  const cm = [0, 0, 0];
  const pm = [0, 0, 0];
  for (let k = 0; k < POSE_LANDMARKS.length; k++) {
    const i = POSE_LANDMARKS[k];
    const w = WEIGHTS[k];
    wsum += w;
    for (let a = 0; a < 3; a++) {
      cm[a] += w * C[i * 3 + a];
      pm[a] += w * lm[i * 3 + a];
    }
  }
  for (let a = 0; a < 3; a++) {
    cm[a] /= wsum;
    pm[a] /= wsum;
  }
  // Weighted cross-covariance S[a][b] = Σ w (c − c̄)_a (p − p̄)_b, and the canonical spread.
  const S = new Float64Array(9);
  let spread = 0;
  for (let k = 0; k < POSE_LANDMARKS.length; k++) {
    const i = POSE_LANDMARKS[k];
    const w = WEIGHTS[k];
    const c = [C[i * 3] - cm[0], C[i * 3 + 1] - cm[1], C[i * 3 + 2] - cm[2]];
    const p = [lm[i * 3] - pm[0], lm[i * 3 + 1] - pm[1], lm[i * 3 + 2] - pm[2]];
    spread += w * (c[0] * c[0] + c[1] * c[1] + c[2] * c[2]);
    for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) S[a * 3 + b] += w * c[a] * p[b];
  }
  const rotation = hornRotation(S);
  // Scale: Σ w p·R c / Σ w |c|² (the least-squares scale for the fitted rotation).
  let dot = 0;
  for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) dot += rotation[b * 3 + a] * S[a * 3 + b];
  const scale = dot / spread;
  const translation: [number, number, number] = [0, 0, 0];
  for (let a = 0; a < 3; a++) {
    let rc = 0;
    for (let b = 0; b < 3; b++) rc += rotation[a * 3 + b] * cm[b];
    translation[a] = pm[a] - scale * rc;
  }
  return { rotation, scale, translation };
}

/**
 * The rotation R maximising Σ w p·R c (Horn 1987, closed form by unit quaternions): the eigenvector of the
 * largest eigenvalue of a symmetric 4×4 built from the cross-covariance S (S[a][b] = Σ w c_a p_b).
 */
function hornRotation(S: Float64Array): Mat3 {
  const [xx, xy, xz, yx, yy, yz, zx, zy, zz] = S;
  const N = [
    [xx + yy + zz, yz - zy, zx - xz, xy - yx],
    [yz - zy, xx - yy - zz, xy + yx, zx + xz],
    [zx - xz, xy + yx, -xx + yy - zz, yz + zy],
    [xy - yx, zx + xz, yz + zy, -xx - yy + zz],
  ];
  const [q0, q1, q2, q3] = largestEigenvector(N);
  return new Float64Array([
    q0 * q0 + q1 * q1 - q2 * q2 - q3 * q3,
    2 * (q1 * q2 - q0 * q3),
    2 * (q1 * q3 + q0 * q2),
    2 * (q2 * q1 + q0 * q3),
    q0 * q0 - q1 * q1 + q2 * q2 - q3 * q3,
    2 * (q2 * q3 - q0 * q1),
    2 * (q3 * q1 - q0 * q2),
    2 * (q3 * q2 + q0 * q1),
    q0 * q0 - q1 * q1 - q2 * q2 + q3 * q3,
  ]);
}

/** Eigenvector of the largest eigenvalue of a symmetric 4×4 (cyclic Jacobi; converges in a few sweeps). */
function largestEigenvector(M: number[][]): [number, number, number, number] {
  const a = M.map((r) => [...r]);
  const v = [
    [1, 0, 0, 0],
    [0, 1, 0, 0],
    [0, 0, 1, 0],
    [0, 0, 0, 1],
  ];
  for (let sweep = 0; sweep < 50; sweep++) {
    let off = 0;
    for (let p = 0; p < 3; p++) for (let q = p + 1; q < 4; q++) off += a[p][q] * a[p][q];
    if (off < 1e-22) break;
    for (let p = 0; p < 3; p++) {
      for (let q = p + 1; q < 4; q++) {
        if (Math.abs(a[p][q]) < 1e-300) continue;
        const theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < 4; k++) {
          const akp = a[k][p];
          const akq = a[k][q];
          a[k][p] = c * akp - s * akq;
          a[k][q] = s * akp + c * akq;
        }
        for (let k = 0; k < 4; k++) {
          const apk = a[p][k];
          const aqk = a[q][k];
          a[p][k] = c * apk - s * aqk;
          a[q][k] = s * apk + c * aqk;
        }
        for (let k = 0; k < 4; k++) {
          const vkp = v[k][p];
          const vkq = v[k][q];
          v[k][p] = c * vkp - s * vkq;
          v[k][q] = s * vkp + c * vkq;
        }
      }
    }
  }
  let best = 0;
  for (let k = 1; k < 4; k++) if (a[k][k] > a[best][best]) best = k;
  return [v[0][best], v[1][best], v[2][best], v[3][best]];
}

/** Yaw, pitch and roll of a head rotation (see the file header for signs). */
export function anglesOf(R: Mat3): HeadAngles {
  const yaw = Math.asin(Math.max(-1, Math.min(1, R[6])));
  return { yaw, pitch: Math.atan2(-R[7], R[8]), roll: Math.atan2(R[3], R[0]) };
}

/** The rotation with these angles: Roll · Yaw · Pitch. */
export function rotationOf({ yaw, pitch, roll }: HeadAngles): Mat3 {
  const cy = Math.cos(yaw);
  const sy = Math.sin(yaw);
  const cp = Math.cos(pitch);
  const sp = Math.sin(pitch);
  const cr = Math.cos(roll);
  const sr = Math.sin(roll);
  // Yaw·Pitch, then roll about the view axis.
  const yp = [cy, sy * sp, -sy * cp, 0, cp, sp, sy, -cy * sp, cy * cp];
  return new Float64Array([
    cr * yp[0] - sr * yp[3],
    cr * yp[1] - sr * yp[4],
    cr * yp[2] - sr * yp[5],
    sr * yp[0] + cr * yp[3],
    sr * yp[1] + cr * yp[4],
    sr * yp[2] + cr * yp[5],
    yp[6],
    yp[7],
    yp[8],
  ]);
}

/** A · B. */
export function mul3(A: Mat3, B: Mat3): Mat3 {
  const out = new Float64Array(9);
  for (let r = 0; r < 3; r++)
    for (let c = 0; c < 3; c++) out[r * 3 + c] = A[r * 3] * B[c] + A[r * 3 + 1] * B[3 + c] + A[r * 3 + 2] * B[6 + c];
  return out;
}

/** Aᵀ (the inverse of a rotation). */
export function transpose3(A: Mat3): Mat3 {
  return new Float64Array([A[0], A[3], A[6], A[1], A[4], A[7], A[2], A[5], A[8]]);
}

/** The landmarks in head coordinates (cm): Rᵀ (p − t) / s for each of the `lm.length / 3` points. */
export function unpose(lm: ArrayLike<number>, fit: HeadFit): Float64Array {
  const { rotation: R, scale, translation: t } = fit;
  const n = Math.floor(lm.length / 3);
  const out = new Float64Array(n * 3);
  for (let i = 0; i < n; i++) {
    const x = lm[i * 3] - t[0];
    const y = lm[i * 3 + 1] - t[1];
    const z = lm[i * 3 + 2] - t[2];
    out[i * 3] = (R[0] * x + R[3] * y + R[6] * z) / scale;
    out[i * 3 + 1] = (R[1] * x + R[4] * y + R[7] * z) / scale;
    out[i * 3 + 2] = (R[2] * x + R[5] * y + R[8] * z) / scale;
  }
  return out;
}

/** Yaw, pitch and roll of a tracked face (the one head-angle estimator). */
export function headAngles(lm: ArrayLike<number>): HeadAngles {
  return anglesOf(fitHead(lm).rotation);
}
