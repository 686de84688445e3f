/**
 * The warp mesh: the 468 face points, one extra vertex that closes the mouth hole TRI468 leaves open,
 * and two rings around the face oval whose triangles fade the deformation into the untouched image:
 * an inner ring that follows part of the oval's motion (so hair, neck and collar move a little with the
 * head instead of being squeezed into a thin band) and an outer ring that stays fixed. Built once per
 * portrait; per frame only the target positions change.
 */
import { TRI468 } from './facemesh-data.js';
import { meanPoint } from './geometry.js';
import { MOUTH_LOOP, SILHOUETTE } from './regions.js';

/**
 * Ring depth behind the oval point it belongs to, in face widths per ring (inner 1×, outer 2×): far enough
 * that the face wins where it folds over the rings, continuous at the oval so a depth jump means a fold.
 */
const RING_DEPTH_STEP = 0.5;

export interface WarpMesh {
  /** 468 + 1 + 2 × 36 ring vertices. */
  vertexCount: number;
  /** Source positions, vertexCount × 2 (portrait pixels). */
  src: Float64Array;
  /** Source depth per vertex (rings sit behind their oval point). */
  srcZ: Float64Array;
  /** Matte weight per vertex: 1 on the face and the inner ring, 0 on the outer ring. */
  weight: Float32Array;
  /** Triangles × 3 vertex indices. */
  triangles: Uint16Array;
  /** Index of the vertex closing the mouth hole. */
  mouthCentre: number;
  /** First inner-ring vertex; inner-ring vertex k sits outside SILHOUETTE[k], outer-ring vertex k after all inner ones. */
  ringStart: number;
  /** First outer-ring vertex. */
  outerStart: number;
  /** Fraction of the oval's motion the inner ring follows. */
  innerFollow: number;
  /** Depth offset (behind the lips) of the mouth-closing vertex. */
  mouthDepth: number;
  /** Depth step between oval, inner ring and outer ring, px. */
  ringDepth: number;
  /** Oval width (landmarks 234–454), px. */
  faceWidth: number;
}

export interface RingOptions {
  /** Outer (fixed) ring size relative to the face oval, about its centre. */
  ringScale: number;
  /** Inner ring size, between 1 and ringScale. */
  innerRingScale: number;
  /** Fraction of the oval's motion the inner ring follows (0 = fixed). */
  innerRingFollow: number;
}

/**
 * @param landmarks the portrait's 468 × (x, y, z) landmarks
 * @param width image width, px (ring points are clamped inside the image)
 */
export function buildWarpMesh(
  landmarks: ArrayLike<number>,
  width: number,
  height: number,
  rings: RingOptions,
): WarpMesh {
  const ringCount = SILHOUETTE.length;
  const mouthCentre = 468;
  const ringStart = 469;
  const outerStart = ringStart + ringCount;
  const vertexCount = outerStart + ringCount;
  const src = new Float64Array(vertexCount * 2);
  const srcZ = new Float64Array(vertexCount);
  const weight = new Float32Array(vertexCount);
  for (let i = 0; i < 468; i++) {
    src[i * 2] = landmarks[i * 3];
    src[i * 2 + 1] = landmarks[i * 3 + 1];
    srcZ[i] = landmarks[i * 3 + 2];
    weight[i] = 1;
  }
  let ox = 0;
  let oy = 0;
  for (const i of SILHOUETTE) {
    ox += landmarks[i * 3];
    oy += landmarks[i * 3 + 1];
  }
  ox /= ringCount;
  oy /= ringCount;
  const faceWidth = Math.hypot(
    landmarks[454 * 3] - landmarks[234 * 3],
    landmarks[454 * 3 + 1] - landmarks[234 * 3 + 1],
  );
  const mouthDepth = 0.08 * faceWidth;
  const [mx, my, mz] = loopMean(src, srcZ, MOUTH_LOOP);
  src[mouthCentre * 2] = mx;
  src[mouthCentre * 2 + 1] = my;
  srcZ[mouthCentre] = mz + mouthDepth;
  weight[mouthCentre] = 1;
  const ringDepth = RING_DEPTH_STEP * faceWidth;
  const place = (v: number, s: number, scale: number, w: number, depth: number): void => {
    src[v * 2] = Math.min(width - 1, Math.max(0, ox + scale * (landmarks[s * 3] - ox)));
    src[v * 2 + 1] = Math.min(height - 1, Math.max(0, oy + scale * (landmarks[s * 3 + 1] - oy)));
    srcZ[v] = landmarks[s * 3 + 2] + depth;
    weight[v] = w;
  };
  SILHOUETTE.forEach((s, k) => {
    place(ringStart + k, s, rings.innerRingScale, 1, ringDepth);
    place(outerStart + k, s, rings.ringScale, 0, 2 * ringDepth);
  });
  const tris: number[] = [...TRI468];
  MOUTH_LOOP.forEach((a, k) => {
    tris.push(a, MOUTH_LOOP[(k + 1) % MOUTH_LOOP.length], mouthCentre);
  });
  // Quads between consecutive loops: oval → inner ring → outer ring.
  const band = (inner: (k: number) => number, outer: (k: number) => number): void => {
    for (let k = 0; k < ringCount; k++) {
      const k1 = (k + 1) % ringCount;
      tris.push(inner(k), inner(k1), outer(k1), inner(k), outer(k1), outer(k));
    }
  };
  band(
    (k) => SILHOUETTE[k],
    (k) => ringStart + k,
  );
  band(
    (k) => ringStart + k,
    (k) => outerStart + k,
  );
  return {
    vertexCount,
    src,
    srcZ,
    weight,
    triangles: Uint16Array.from(tris),
    mouthCentre,
    ringStart,
    outerStart,
    innerFollow: rings.innerRingFollow,
    mouthDepth,
    ringDepth,
    faceWidth,
  };
}

function loopMean(xy: Float64Array, z: Float64Array, loop: readonly number[]): [number, number, number] {
  let x = 0;
  let y = 0;
  let d = 0;
  for (const i of loop) {
    x += xy[i * 2];
    y += xy[i * 2 + 1];
    d += z[i];
  }
  return [x / loop.length, y / loop.length, d / loop.length];
}

/**
 * Fills `dst` (vertexCount × 3: x, y, depth) with this frame's target positions: the motion's 468 points,
 * the mouth vertex at the mean of the moved lip loop, the inner ring following part of its oval point's
 * motion, the outer ring where it was.
 */
export function targetVertices(mesh: WarpMesh, points: ArrayLike<number>, dst: Float64Array): void {
  for (let i = 0; i < 468; i++) {
    dst[i * 3] = points[i * 3];
    dst[i * 3 + 1] = points[i * 3 + 1];
    dst[i * 3 + 2] = points[i * 3 + 2];
  }
  const [x, y, z] = meanPoint(points, MOUTH_LOOP);
  const m = mesh.mouthCentre;
  dst[m * 3] = x;
  dst[m * 3 + 1] = y;
  dst[m * 3 + 2] = z + mesh.mouthDepth;
  const f = mesh.innerFollow;
  SILHOUETTE.forEach((s, k) => {
    const v = mesh.ringStart + k;
    dst[v * 3] = mesh.src[v * 2] + f * (points[s * 3] - mesh.src[s * 2]);
    dst[v * 3 + 1] = mesh.src[v * 2 + 1] + f * (points[s * 3 + 1] - mesh.src[s * 2 + 1]);
    dst[v * 3 + 2] = points[s * 3 + 2] + mesh.ringDepth;
    const o = mesh.outerStart + k;
    dst[o * 3] = mesh.src[o * 2];
    dst[o * 3 + 1] = mesh.src[o * 2 + 1];
    dst[o * 3 + 2] = points[s * 3 + 2] + 2 * mesh.ringDepth;
  });
}
