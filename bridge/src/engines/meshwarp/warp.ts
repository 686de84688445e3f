/**
 * Piecewise-affine warp by inverse mapping: every target triangle is scanned over its bounding box, each
 * pixel centre inside it is mapped back into the source triangle by barycentric weights and sampled
 * bilinearly. A depth buffer resolves fold-overs (the nose in front of the far cheek on a head turn) and
 * keeps the face in front of the ring. One tight loop per triangle, no allocation per pixel.
 */
import type { WarpMesh } from './mesh.js';
import {
  alphaAt,
  createTaps,
  createTriFrame,
  createTriScan,
  sampleRgb,
  setupTriangle,
  startDepth,
  type Taps,
  type TriScan,
  tapSum,
  tapsAt,
  triFrame,
  visiblePixels,
} from './raster.js';

/** Pixel source for the warp: 8-bit, row-major, 3 or 4 channels (only RGB is read). */
export interface Pixels {
  data: Uint8Array;
  width: number;
  height: number;
  channels: 3 | 4;
}

/**
 * Reusable per-engine buffers over a fixed region of the image (the outer ring's box: nothing outside it
 * ever changes), so memory follows the face, not the portrait's resolution. Never reallocated per frame.
 */
export interface WarpScratch {
  /** Region covered, inclusive image pixels [x0, y0, x1, y1]. */
  region: PixelBox;
  /** Region width (x1 − x0 + 1). */
  stride: number;
  depth: Float32Array;
  /** Source position each warped pixel was sampled from (valid where depth is finite). */
  srcX: Float32Array;
  srcY: Float32Array;
  tap: Float64Array;
  acc: Float64Array;
  taps: Taps;
  scan: TriScan;
}

export function createWarpScratch(region: PixelBox): WarpScratch {
  const stride = Math.max(0, region[2] - region[0] + 1);
  const n = stride * Math.max(0, region[3] - region[1] + 1);
  return {
    region,
    stride,
    depth: new Float32Array(n),
    srcX: new Float32Array(n),
    srcY: new Float32Array(n),
    tap: new Float64Array(3),
    acc: new Float64Array(3),
    taps: createTaps(),
    scan: createTriScan(region[3] - region[1] + 1),
  };
}

/** Pixel box [x0, y0, x1, y1] inclusive; x1 < x0 means empty. */
export type PixelBox = [number, number, number, number];

/**
 * Warps `src` into `out` (RGBA, same size) along the mesh.
 * @param dst target vertices, vertexCount × 3 (x, y, depth)
 * @param lut matte lookup (see matte.ts): interpolated face weight × 1024 → alpha
 * @returns the pixel box that was scanned (pixels outside it are untouched)
 */
export function warpMesh(
  src: Pixels,
  out: Uint8Array,
  mesh: WarpMesh,
  dst: Float64Array,
  lut: Uint8Array,
  scratch: WarpScratch,
): PixelBox {
  const { width: w, channels: ch, data } = src;
  // Box of all target vertices, clipped to the scratch region; reset depth there only.
  const box = startDepth(dst, mesh.vertexCount, scratch.region, scratch);

  const tri = mesh.triangles;
  const s = mesh.src;
  const wt = mesh.weight;
  const tap = scratch.tap;
  const acc = scratch.acc;
  const taps = scratch.taps;
  const scan = scratch.scan;
  const frame = createTriFrame();
  const mapX = scratch.srcX;
  const mapY = scratch.srcY;
  for (let t = 0; t < tri.length; t += 3) {
    const a = tri[t];
    const b = tri[t + 1];
    const c = tri[t + 2];
    if (!setupTriangle(dst, a, b, c, box, scan)) continue;
    const { l1x, l1y, l2x, l2y } = scan;
    const za = dst[a * 3 + 2];
    const dzb = dst[b * 3 + 2] - za;
    const dzc = dst[c * 3 + 2] - za;
    const { xa: sxa, ya: sya, dxb: dsxb, dyb: dsyb, dxc: dsxc, dyc: dsyc } = triFrame(s, a, b, c, frame);
    const wa = wt[a];
    const dwb = wt[b] - wa;
    const dwc = wt[c] - wa;
    // Source offsets of a quarter target pixel along x (qx, qy) and y (rx, ry); minified when the
    // source triangle is over 1.5× the target's area.
    const jxx = l1x * dsxb + l2x * dsxc;
    const jyx = l1x * dsyb + l2x * dsyc;
    const jxy = l1y * dsxb + l2y * dsxc;
    const jyy = l1y * dsyb + l2y * dsyc;
    const minified = Math.abs(jxx * jyy - jxy * jyx) > 1.5;
    const qx = 0.25 * jxx;
    const qy = 0.25 * jyx;
    const rx = 0.25 * jxy;
    const ry = 0.25 * jyy;
    const end = 2 * visiblePixels(scan, za, dzb, dzc, scratch, w);
    const { hitIndex, hitL } = scan;
    for (let k = 0; k < end; k += 2) {
      const l1 = hitL[k];
      const l2 = hitL[k + 1];
      const row = hitIndex[k + 1];
      const zi = hitIndex[k];
      const weight = wa + l1 * dwb + l2 * dwc;
      const alpha = lut[weight <= 0 ? 0 : weight >= 1 ? 1024 : (weight * 1024 + 0.5) | 0];
      const o = row * 4;
      if (alpha === 0) continue;
      const sx = sxa + l1 * dsxb + l2 * dsxc;
      const sy = sya + l1 * dsyb + l2 * dsyc;
      mapX[zi] = sx;
      mapY[zi] = sy;
      if (minified) {
        // Squeezed triangle (e.g. the neck under an opening jaw): average 2×2 taps so it does not alias.
        sampleRgb(src, sx - qx - rx, sy - qy - ry, tap);
        acc[0] = tap[0];
        acc[1] = tap[1];
        acc[2] = tap[2];
        sampleRgb(src, sx + qx - rx, sy + qy - ry, tap);
        acc[0] += tap[0];
        acc[1] += tap[1];
        acc[2] += tap[2];
        sampleRgb(src, sx - qx + rx, sy - qy + ry, tap);
        acc[0] += tap[0];
        acc[1] += tap[1];
        acc[2] += tap[2];
        sampleRgb(src, sx + qx + rx, sy + qy + ry, tap);
        out[o] = (acc[0] + tap[0]) * 0.25 + 0.5;
        out[o + 1] = (acc[1] + tap[1]) * 0.25 + 0.5;
        out[o + 2] = (acc[2] + tap[2]) * 0.25 + 0.5;
        out[o + 3] = alpha;
        if (ch === 4) keepSourceAlpha(src, out, o, row, alpha, alphaAt(src, sx, sy));
        continue;
      }
      // Bilinear sample at the mapped source point, clamped to the image.
      tapsAt(src, sx, sy, 1, taps);
      out[o] = tapSum(data, taps, 0, 0) + 0.5;
      out[o + 1] = tapSum(data, taps, 1, 0) + 0.5;
      out[o + 2] = tapSum(data, taps, 2, 0) + 0.5;
      out[o + 3] = alpha;
      if (ch === 4) keepSourceAlpha(src, out, o, row, alpha, tapSum(data, taps, 3, 0));
    }
  }
  return box;
}

/**
 * A portrait with its own alpha (a cut-out) keeps it: output alpha = matte × warped source alpha. Where
 * that is 0 the pixel goes back to the source bytes, so alpha 0 always means "untouched".
 */
function keepSourceAlpha(src: Pixels, out: Uint8Array, o: number, pixel: number, matte: number, a: number): void {
  const v = Math.round((matte * a) / 255);
  out[o + 3] = v;
  if (v === 0) {
    out[o] = src.data[pixel * 4];
    out[o + 1] = src.data[pixel * 4 + 1];
    out[o + 2] = src.data[pixel * 4 + 2];
  }
}

/**
 * Softens fold-over edges. Where the source position jumps between neighbouring pixels (the nose passing
 * in front of the cheek on a turn, the chin over the neck) the warp has a hard, aliased edge; each such
 * pair of pixels is blended 3:1 towards the other, a one-pixel anti-aliasing. A continuous mapping
 * (including the identity, whatever the mesh's own overlaps) has no jump and is left byte-exact; pixels
 * outside the matte are never touched.
 * @param jump source distance between neighbours that counts as a fold, px
 */
export function softenFolds(out: Uint8Array, width: number, box: PixelBox, scratch: WarpScratch, jump: number): number {
  const depth = scratch.depth;
  const j2 = jump * jump;
  const [rx0, ry0] = scratch.region;
  const zs = scratch.stride;
  let softened = 0;
  for (let y = box[1]; y <= box[3]; y++) {
    for (let x = box[0]; x <= box[2]; x++) {
      const i = y * width + x;
      const zi = (y - ry0) * zs + (x - rx0);
      if (depth[zi] === Number.POSITIVE_INFINITY || out[i * 4 + 3] === 0) continue;
      if (x < box[2]) softened += blendPair(out, scratch, i, i + 1, zi, zi + 1, j2);
      if (y < box[3]) softened += blendPair(out, scratch, i, i + width, zi, zi + zs, j2);
    }
  }
  return softened;
}

/** Pixels i, j of `out` with scratch entries zi, zj. */
function blendPair(
  out: Uint8Array,
  s: WarpScratch,
  i: number,
  j: number,
  zi: number,
  zj: number,
  jump2: number,
): number {
  if (s.depth[zj] === Number.POSITIVE_INFINITY || out[j * 4 + 3] === 0) return 0;
  const dx = s.srcX[zj] - s.srcX[zi];
  const dy = s.srcY[zj] - s.srcY[zi];
  if (dx * dx + dy * dy < jump2) return 0;
  for (let c = 0; c < 3; c++) {
    const a = out[i * 4 + c];
    const b = out[j * 4 + c];
    out[i * 4 + c] = (3 * a + b + 2) >> 2;
    out[j * 4 + c] = (a + 3 * b + 2) >> 2;
  }
  return 1;
}
