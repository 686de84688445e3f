/**
 * Piecewise-affine warp by inverse mapping: every target triangle is scanned over its bounding box, each
 * pixel centre inside it is mapped back into the source triangle by barycentric weights and sampled
 * bilinearly. A depth buffer resolves fold-overs (the nose in front of the far cheek on a head turn) and
 * keeps the face in front of the ring. One tight loop per triangle, no allocation per pixel.
 */
import type { WarpMesh } from './mesh.js';

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
  const { width: w, height: h, channels: ch, data } = src;
  const depth = scratch.depth;
  // Box of all target vertices, clipped to the image; reset depth there only.
  let bx0 = Number.POSITIVE_INFINITY;
  let by0 = Number.POSITIVE_INFINITY;
  let bx1 = Number.NEGATIVE_INFINITY;
  let by1 = Number.NEGATIVE_INFINITY;
  for (let v = 0; v < mesh.vertexCount; v++) {
    const x = dst[v * 3];
    const y = dst[v * 3 + 1];
    if (x < bx0) bx0 = x;
    if (x > bx1) bx1 = x;
    if (y < by0) by0 = y;
    if (y > by1) by1 = y;
  }
  const [rx0, ry0, rx1, ry1] = scratch.region;
  const zs = scratch.stride;
  const box: PixelBox = [
    Math.max(rx0, Math.floor(bx0)),
    Math.max(ry0, Math.floor(by0)),
    Math.min(rx1, Math.ceil(bx1)),
    Math.min(ry1, Math.ceil(by1)),
  ];
  for (let y = box[1]; y <= box[3]; y++) {
    const z0 = (y - ry0) * zs - rx0;
    depth.fill(Number.POSITIVE_INFINITY, z0 + box[0], z0 + box[2] + 1);
  }

  const tri = mesh.triangles;
  const s = mesh.src;
  const wt = mesh.weight;
  const maxX = w - 1;
  const maxY = h - 1;
  const tap = scratch.tap;
  const acc = scratch.acc;
  const mapX = scratch.srcX;
  const mapY = scratch.srcY;
  for (let t = 0; t < tri.length; t += 3) {
    const a = tri[t];
    const b = tri[t + 1];
    const c = tri[t + 2];
    const xa = dst[a * 3];
    const ya = dst[a * 3 + 1];
    const xb = dst[b * 3];
    const yb = dst[b * 3 + 1];
    const xc = dst[c * 3];
    const yc = dst[c * 3 + 1];
    const det = (xb - xa) * (yc - ya) - (xc - xa) * (yb - ya);
    if (Math.abs(det) < 1e-9) continue;
    const x0 = Math.max(box[0], Math.ceil(Math.min(xa, xb, xc) - 1e-7));
    const x1 = Math.min(box[2], Math.floor(Math.max(xa, xb, xc) + 1e-7));
    const y0 = Math.max(box[1], Math.ceil(Math.min(ya, yb, yc) - 1e-7));
    const y1 = Math.min(box[3], Math.floor(Math.max(ya, yb, yc) + 1e-7));
    if (x1 < x0 || y1 < y0) continue;
    // Barycentric l1 (towards b) and l2 (towards c) as linear functions of the pixel centre.
    const inv = 1 / det;
    const l1x = (yc - ya) * inv;
    const l1y = -(xc - xa) * inv;
    const l2x = -(yb - ya) * inv;
    const l2y = (xb - xa) * inv;
    const za = dst[a * 3 + 2];
    const dzb = dst[b * 3 + 2] - za;
    const dzc = dst[c * 3 + 2] - za;
    const sxa = s[a * 2];
    const sya = s[a * 2 + 1];
    const dsxb = s[b * 2] - sxa;
    const dsyb = s[b * 2 + 1] - sya;
    const dsxc = s[c * 2] - sxa;
    const dsyc = s[c * 2 + 1] - sya;
    const wa = wt[a];
    const dwb = wt[b] - wa;
    const dwc = wt[c] - wa;
    const eps = -1e-7;
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
    const l0x = -(l1x + l2x);
    for (let py = y0; py <= y1; py++) {
      // This row's span inside the triangle: l1 = c1 + l1x·px ≥ 0, l2 = c2 + l2x·px ≥ 0, 1 − l1 − l2 ≥ 0.
      const c1 = -xa * l1x + (py - ya) * l1y;
      const c2 = -xa * l2x + (py - ya) * l2y;
      const c0 = 1 - c1 - c2;
      let lo = x0;
      let hi = x1;
      if (l1x > 0) lo = Math.max(lo, Math.ceil((eps - c1) / l1x - 1e-6));
      else if (l1x < 0) hi = Math.min(hi, Math.floor((eps - c1) / l1x + 1e-6));
      else if (c1 < eps) continue;
      if (l2x > 0) lo = Math.max(lo, Math.ceil((eps - c2) / l2x - 1e-6));
      else if (l2x < 0) hi = Math.min(hi, Math.floor((eps - c2) / l2x + 1e-6));
      else if (c2 < eps) continue;
      if (l0x > 0) lo = Math.max(lo, Math.ceil((eps - c0) / l0x - 1e-6));
      else if (l0x < 0) hi = Math.min(hi, Math.floor((eps - c0) / l0x + 1e-6));
      else if (c0 < eps) continue;
      if (hi < lo) continue;
      let l1 = c1 + lo * l1x;
      let l2 = c2 + lo * l2x;
      let row = py * w + lo;
      let zi = (py - ry0) * zs + (lo - rx0);
      for (let px = lo; px <= hi; px++, l1 += l1x, l2 += l2x, row++, zi++) {
        if (l1 < eps || l2 < eps || l1 + l2 > 1 - eps) continue;
        const z = za + l1 * dzb + l2 * dzc;
        if (z >= depth[zi]) continue;
        depth[zi] = z;
        const weight = wa + l1 * dwb + l2 * dwc;
        const alpha = lut[weight <= 0 ? 0 : weight >= 1 ? 1024 : (weight * 1024 + 0.5) | 0];
        const o = row * 4;
        if (alpha === 0) continue;
        let sx = sxa + l1 * dsxb + l2 * dsxc;
        let sy = sya + l1 * dsyb + l2 * dsyc;
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
          if (ch === 4) keepSourceAlpha(src, out, o, row, alpha, sampleAlpha(src, sx, sy));
          continue;
        }
        // Bilinear sample at the mapped source point, clamped to the image.
        sx = sx < 0 ? 0 : Math.min(sx, maxX);
        sy = sy < 0 ? 0 : Math.min(sy, maxY);
        const ix = sx | 0;
        const iy = sy | 0;
        const fx = sx - ix;
        const fy = sy - iy;
        const ix1 = ix < maxX ? ix + 1 : ix;
        const iy1 = iy < maxY ? iy + 1 : iy;
        const p00 = (iy * w + ix) * ch;
        const p10 = (iy * w + ix1) * ch;
        const p01 = (iy1 * w + ix) * ch;
        const p11 = (iy1 * w + ix1) * ch;
        const w00 = (1 - fx) * (1 - fy);
        const w10 = fx * (1 - fy);
        const w01 = (1 - fx) * fy;
        const w11 = fx * fy;
        out[o] = data[p00] * w00 + data[p10] * w10 + data[p01] * w01 + data[p11] * w11 + 0.5;
        out[o + 1] = data[p00 + 1] * w00 + data[p10 + 1] * w10 + data[p01 + 1] * w01 + data[p11 + 1] * w11 + 0.5;
        out[o + 2] = data[p00 + 2] * w00 + data[p10 + 2] * w10 + data[p01 + 2] * w01 + data[p11 + 2] * w11 + 0.5;
        out[o + 3] = alpha;
        if (ch === 4) {
          const a = data[p00 + 3] * w00 + data[p10 + 3] * w10 + data[p01 + 3] * w01 + data[p11 + 3] * w11;
          keepSourceAlpha(src, out, o, row, alpha, a);
        }
      }
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

/** Bilinear alpha of a 4-channel `src` at (x, y), clamped. */
function sampleAlpha(src: Pixels, x: number, y: number): number {
  const { width: w, height: h, data } = src;
  const sx = Math.min(Math.max(x, 0), w - 1);
  const sy = Math.min(Math.max(y, 0), h - 1);
  const ix = sx | 0;
  const iy = sy | 0;
  const fx = sx - ix;
  const fy = sy - iy;
  const ix1 = ix < w - 1 ? ix + 1 : ix;
  const iy1 = iy < h - 1 ? iy + 1 : iy;
  const top = data[(iy * w + ix) * 4 + 3] * (1 - fx) + data[(iy * w + ix1) * 4 + 3] * fx;
  const bottom = data[(iy1 * w + ix) * 4 + 3] * (1 - fx) + data[(iy1 * w + ix1) * 4 + 3] * fx;
  return top * (1 - fy) + bottom * fy;
}

/** Bilinear RGB sample of `src` at (x, y) (clamped), written into rgb[0..2] as floats 0..255. */
export function sampleRgb(src: Pixels, x: number, y: number, rgb: Float64Array): void {
  const { width: w, height: h, channels: ch, data } = src;
  const sx = x < 0 ? 0 : Math.min(x, w - 1);
  const sy = y < 0 ? 0 : Math.min(y, h - 1);
  const ix = sx | 0;
  const iy = sy | 0;
  const fx = sx - ix;
  const fy = sy - iy;
  const ix1 = ix < w - 1 ? ix + 1 : ix;
  const iy1 = iy < h - 1 ? iy + 1 : iy;
  const p00 = (iy * w + ix) * ch;
  const p10 = (iy * w + ix1) * ch;
  const p01 = (iy1 * w + ix) * ch;
  const p11 = (iy1 * w + ix1) * ch;
  const w00 = (1 - fx) * (1 - fy);
  const w10 = fx * (1 - fy);
  const w01 = (1 - fx) * fy;
  const w11 = fx * fy;
  for (let k = 0; k < 3; k++) {
    rgb[k] = data[p00 + k] * w00 + data[p10 + k] * w10 + data[p01 + k] * w01 + data[p11 + k] * w11;
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
