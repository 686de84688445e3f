/**
 * The warp mesh: the 468 face points, one extra vertex that closes the mouth hole TRI468 leaves open,
 * and an outer ring (ringScale × the face oval, fixed in place) whose triangles fade the deformation to
 * zero into the untouched image. Built once per portrait; per frame only the target positions change.
 */
import { TRI468 } from './facemesh-data.js';
import { MOUTH_LOOP, SILHOUETTE } from './regions.js';

/** Depth given to ring vertices so every face triangle wins the depth test over the background. */
export const RING_DEPTH = 1e9;

export interface WarpMesh {
  /** 468 + 1 + ring vertices. */
  vertexCount: number;
  /** Source positions, vertexCount × 2 (portrait pixels). */
  src: Float64Array;
  /** Source depth per vertex (ring = RING_DEPTH). */
  srcZ: Float64Array;
  /** Matte weight per vertex: 1 on the face, 0 on the ring; interpolated across the ring band. */
  weight: Float32Array;
  /** Triangles × 3 vertex indices. */
  triangles: Uint16Array;
  /** Index of the vertex closing the mouth hole. */
  mouthCentre: number;
  /** First ring vertex; ring vertex k sits outside SILHOUETTE[k]. */
  ringStart: number;
  /** Depth offset (behind the lips) of the mouth-closing vertex. */
  mouthDepth: number;
}

/**
 * @param landmarks the portrait's 468 × (x, y, z) landmarks
 * @param width image width, px (ring points are clamped inside the image)
 */
export function buildWarpMesh(
  landmarks: ArrayLike<number>,
  width: number,
  height: number,
  ringScale: number,
): WarpMesh {
  const ringCount = SILHOUETTE.length;
  const mouthCentre = 468;
  const ringStart = 469;
  const vertexCount = ringStart + ringCount;
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
  SILHOUETTE.forEach((s, k) => {
    const v = ringStart + k;
    src[v * 2] = Math.min(width - 1, Math.max(0, ox + ringScale * (landmarks[s * 3] - ox)));
    src[v * 2 + 1] = Math.min(height - 1, Math.max(0, oy + ringScale * (landmarks[s * 3 + 1] - oy)));
    srcZ[v] = RING_DEPTH;
    weight[v] = 0;
  });
  const tris: number[] = [...TRI468];
  MOUTH_LOOP.forEach((a, k) => {
    tris.push(a, MOUTH_LOOP[(k + 1) % MOUTH_LOOP.length], mouthCentre);
  });
  SILHOUETTE.forEach((a, k) => {
    const b = SILHOUETTE[(k + 1) % ringCount];
    const ra = ringStart + k;
    const rb = ringStart + ((k + 1) % ringCount);
    tris.push(a, b, rb, a, rb, ra);
  });
  return { vertexCount, src, srcZ, weight, triangles: Uint16Array.from(tris), mouthCentre, ringStart, mouthDepth };
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
 * the mouth vertex at the mean of the moved lip loop, the ring where it was.
 */
export function targetVertices(mesh: WarpMesh, points: ArrayLike<number>, dst: Float64Array): void {
  for (let i = 0; i < 468; i++) {
    dst[i * 3] = points[i * 3];
    dst[i * 3 + 1] = points[i * 3 + 1];
    dst[i * 3 + 2] = points[i * 3 + 2];
  }
  let x = 0;
  let y = 0;
  let z = 0;
  for (const i of MOUTH_LOOP) {
    x += points[i * 3];
    y += points[i * 3 + 1];
    z += points[i * 3 + 2];
  }
  const m = mesh.mouthCentre;
  dst[m * 3] = x / MOUTH_LOOP.length;
  dst[m * 3 + 1] = y / MOUTH_LOOP.length;
  dst[m * 3 + 2] = z / MOUTH_LOOP.length + mesh.mouthDepth;
  for (let v = mesh.ringStart; v < mesh.vertexCount; v++) {
    dst[v * 3] = mesh.src[v * 2];
    dst[v * 3 + 1] = mesh.src[v * 2 + 1];
    dst[v * 3 + 2] = RING_DEPTH;
  }
}
