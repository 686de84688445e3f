/**
 * What the two rasterisers share (warp.ts, the 2-D warp; raster3d.ts, the 3-D head): a screen triangle's barycentric
 * set-up, its row spans, which of its pixels are inside and nearer than the depth buffer (visiblePixels lists them),
 * a texture's per-triangle frame, the bilinear taps of a source point, and the frame copy each render starts from.
 * Plain functions filling objects the caller reuses, so the shading loops in the callers have no closure or
 * allocation per pixel.
 */
import type { PixelBox, Pixels, WarpScratch } from './warp.js';

/** A pixel centre counts as inside when its barycentric weights are ≥ this (a hair outside: shared edges leave no gap). */
const EDGE_EPS = -1e-7;

/**
 * The box of the first `vertexCount` screen vertices of `dst` (x, y, depth each), clipped to `clip`; the depth buffer
 * is reset there only.
 */
export function startDepth(dst: Float64Array, vertexCount: number, clip: PixelBox, scratch: WarpScratch): PixelBox {
  let bx0 = Number.POSITIVE_INFINITY;
  let by0 = Number.POSITIVE_INFINITY;
  let bx1 = Number.NEGATIVE_INFINITY;
  let by1 = Number.NEGATIVE_INFINITY;
  for (let v = 0; v < vertexCount; v++) {
    const x = dst[v * 3];
    const y = dst[v * 3 + 1];
    if (x < bx0) bx0 = x;
    if (x > bx1) bx1 = x;
    if (y < by0) by0 = y;
    if (y > by1) by1 = y;
  }
  const box: PixelBox = [
    Math.max(clip[0], Math.floor(bx0)),
    Math.max(clip[1], Math.floor(by0)),
    Math.min(clip[2], Math.ceil(bx1)),
    Math.min(clip[3], Math.ceil(by1)),
  ];
  const [rx0, ry0] = scratch.region;
  for (let y = box[1]; y <= box[3]; y++) {
    const z0 = (y - ry0) * scratch.stride - rx0;
    scratch.depth.fill(Number.POSITIVE_INFINITY, z0 + box[0], z0 + box[2] + 1);
  }
  return box;
}

/**
 * A screen triangle set up by setupTriangle, then its rows' spans by scanRows (one call per triangle, not per row:
 * the meshes' triangles are a few pixels tall, so a call per row costs several per cent of the render). Barycentric
 * l1 (towards b) and l2 (towards c) are linear in the pixel centre: l1 = c1 + l1x·px on a row.
 */
export interface TriScan {
  xa: number;
  ya: number;
  det: number;
  l1x: number;
  l1y: number;
  l2x: number;
  l2y: number;
  /** Pixel columns x0..x1 and rows y0..y1: the triangle's box clipped to the scanned box. */
  x0: number;
  x1: number;
  y0: number;
  y1: number;
  /** Set by scanRows, per row y0 + r: its first and last pixel inside (hi < lo: none), and l1, l2 at its first. */
  lo: Int32Array;
  hi: Int32Array;
  l1: Float64Array;
  l2: Float64Array;
  /** Set by visiblePixels, per visible pixel k < its count: [2k] depth-buffer index, [2k + 1] image pixel index. */
  hitIndex: Int32Array;
  /** Set by visiblePixels: [2k] l1, [2k + 1] l2 of visible pixel k. */
  hitL: Float64Array;
}

/** A TriScan for triangles clipped to boxes at most `rows` pixels tall. */
export function createTriScan(rows: number): TriScan {
  const n = Math.max(1, rows);
  const [lo, hi, l1, l2] = [new Int32Array(n), new Int32Array(n), new Float64Array(n), new Float64Array(n)];
  const hits = { hitIndex: new Int32Array(0), hitL: new Float64Array(0) };
  return {
    xa: 0,
    ya: 0,
    det: 0,
    l1x: 0,
    l1y: 0,
    l2x: 0,
    l2y: 0,
    x0: 0,
    x1: -1,
    y0: 0,
    y1: -1,
    lo,
    hi,
    l1,
    l2,
    ...hits,
  };
}

/**
 * Sets `t` up for triangle (a, b, c) of `dst` (x, y, depth per vertex) within `box`.
 * @returns false when it is degenerate or covers no pixel centre of the box
 */
export function setupTriangle(dst: Float64Array, a: number, b: number, c: number, box: PixelBox, t: TriScan): boolean {
  const xa = dst[a * 3];
  const ya = dst[a * 3 + 1];
  const xb = dst[b * 3];
  const yb = dst[b * 3 + 1];
  const xc = dst[c * 3];
  const yc = dst[c * 3 + 1];
  const det = (xb - xa) * (yc - ya) - (xc - xa) * (yb - ya);
  if (Math.abs(det) < 1e-9) return false;
  const x0 = Math.max(box[0], Math.ceil(Math.min(xa, xb, xc) - 1e-7));
  const x1 = Math.min(box[2], Math.floor(Math.max(xa, xb, xc) + 1e-7));
  const y0 = Math.max(box[1], Math.ceil(Math.min(ya, yb, yc) - 1e-7));
  const y1 = Math.min(box[3], Math.floor(Math.max(ya, yb, yc) + 1e-7));
  if (x1 < x0 || y1 < y0) return false;
  const inv = 1 / det;
  t.xa = xa;
  t.ya = ya;
  t.det = det;
  t.l1x = (yc - ya) * inv;
  t.l1y = -(xc - xa) * inv;
  t.l2x = -(yb - ya) * inv;
  t.l2y = (xb - xa) * inv;
  t.x0 = x0;
  t.x1 = x1;
  t.y0 = y0;
  t.y1 = y1;
  return true;
}

/**
 * Each row's span inside the set-up triangle (l1 ≥ 0, l2 ≥ 0, 1 − l1 − l2 ≥ 0, each solved for px) into t.lo, t.hi,
 * with l1, l2 at the span's first pixel. The caller still tests each pixel: spans are rounded outwards by a hair.
 */
function scanRows(t: TriScan): void {
  const { l1x, l1y, l2x, l2y, xa, ya, x0, x1, y0 } = t;
  const l0x = -(l1x + l2x);
  for (let py = y0; py <= t.y1; py++) {
    const r = py - y0;
    const c1 = -xa * l1x + (py - ya) * l1y;
    const c2 = -xa * l2x + (py - ya) * l2y;
    const c0 = 1 - c1 - c2;
    let lo = x0;
    let hi = x1;
    t.lo[r] = 0;
    t.hi[r] = -1;
    if (l1x > 0) lo = Math.max(lo, Math.ceil((EDGE_EPS - c1) / l1x - 1e-6));
    else if (l1x < 0) hi = Math.min(hi, Math.floor((EDGE_EPS - c1) / l1x + 1e-6));
    else if (c1 < EDGE_EPS) continue;
    if (l2x > 0) lo = Math.max(lo, Math.ceil((EDGE_EPS - c2) / l2x - 1e-6));
    else if (l2x < 0) hi = Math.min(hi, Math.floor((EDGE_EPS - c2) / l2x + 1e-6));
    else if (c2 < EDGE_EPS) continue;
    if (l0x > 0) lo = Math.max(lo, Math.ceil((EDGE_EPS - c0) / l0x - 1e-6));
    else if (l0x < 0) hi = Math.min(hi, Math.floor((EDGE_EPS - c0) / l0x + 1e-6));
    else if (c0 < EDGE_EPS) continue;
    if (hi < lo) continue;
    t.lo[r] = lo;
    t.hi[r] = hi;
    t.l1[r] = c1 + lo * l1x;
    t.l2[r] = c2 + lo * l2x;
  }
}

/** A triangle's 2-D vertex attribute (a texture position) at corner a and its changes towards b and c. */
export interface TriFrame {
  xa: number;
  ya: number;
  dxb: number;
  dyb: number;
  dxc: number;
  dyc: number;
}

export function createTriFrame(): TriFrame {
  return { xa: 0, ya: 0, dxb: 0, dyb: 0, dxc: 0, dyc: 0 };
}

/** Fills `f` from `v` (x, y per vertex) for triangle (a, b, c); at barycentric (l1, l2): xa + l1·dxb + l2·dxc. */
export function triFrame(v: Float64Array, a: number, b: number, c: number, f: TriFrame): TriFrame {
  f.xa = v[a * 2];
  f.ya = v[a * 2 + 1];
  f.dxb = v[b * 2] - f.xa;
  f.dyb = v[b * 2 + 1] - f.ya;
  f.dxc = v[c * 2] - f.xa;
  f.dyc = v[c * 2 + 1] - f.ya;
  return f;
}

/**
 * The pixels of the triangle set up in `t` that are inside it and nearer than the depth buffer (depth za + l1·dzb +
 * l2·dzc); their depth is written, and each is listed in t.hitIndex and t.hitL for the caller to shade.
 * One call per triangle; the depth test is here once for both rasterisers.
 * @param width the image width (pixel index = y · width + x)
 * @returns how many pixels are listed
 */
export function visiblePixels(
  t: TriScan,
  za: number,
  dzb: number,
  dzc: number,
  scratch: Pick<WarpScratch, 'depth' | 'region' | 'stride'>,
  width: number,
): number {
  scanRows(t);
  const need = 2 * (t.x1 - t.x0 + 1) * (t.y1 - t.y0 + 1);
  if (t.hitL.length < need) {
    t.hitIndex = new Int32Array(Math.max(need, t.hitL.length * 2));
    t.hitL = new Float64Array(t.hitIndex.length);
  }
  const { depth, stride } = scratch;
  const rx0 = scratch.region[0];
  const ry0 = scratch.region[1];
  const { l1x, l2x, hitIndex, hitL, y0, y1 } = t;
  const rowLo = t.lo;
  const rowHi = t.hi;
  const rowL1 = t.l1;
  const rowL2 = t.l2;
  let count = 0;
  for (let py = y0; py <= y1; py++) {
    const lo = rowLo[py - y0];
    const hi = rowHi[py - y0];
    if (hi < lo) continue;
    let l1 = rowL1[py - y0];
    let l2 = rowL2[py - y0];
    let zi = (py - ry0) * stride + (lo - rx0);
    let pixel = py * width + lo;
    for (let px = lo; px <= hi; px++, l1 += l1x, l2 += l2x, zi++, pixel++) {
      if (l1 < EDGE_EPS || l2 < EDGE_EPS || l1 + l2 > 1 - EDGE_EPS) continue;
      const z = za + l1 * dzb + l2 * dzc;
      if (z >= depth[zi]) continue;
      depth[zi] = z;
      hitIndex[count] = zi;
      hitIndex[count + 1] = pixel;
      hitL[count] = l1;
      hitL[count + 1] = l2;
      count += 2;
    }
  }
  return count / 2;
}

/** The four texels around a source point (offsets into its data, × channels), the fractions and the weights. */
export interface Taps {
  p00: number;
  p10: number;
  p01: number;
  p11: number;
  fx: number;
  fy: number;
  w00: number;
  w10: number;
  w01: number;
  w11: number;
}

export function createTaps(): Taps {
  return { p00: 0, p10: 0, p01: 0, p11: 0, fx: 0, fy: 0, w00: 0, w10: 0, w01: 0, w11: 0 };
}

/** Fills `t` for (x, y) in `src`, clamped to the image, with the bilinear weights times `scale`. */
export function tapsAt(src: Pixels, x: number, y: number, scale: number, t: Taps): void {
  const { width: w, height: h, channels: ch } = src;
  const maxX = w - 1;
  const maxY = h - 1;
  const sx = x < 0 ? 0 : Math.min(x, maxX);
  const sy = y < 0 ? 0 : Math.min(y, maxY);
  const ix = sx | 0;
  const iy = sy | 0;
  const fx = sx - ix;
  const fy = sy - iy;
  const ix1 = ix < maxX ? ix + 1 : ix;
  const iy1 = iy < maxY ? iy + 1 : iy;
  t.p00 = (iy * w + ix) * ch;
  t.p10 = (iy * w + ix1) * ch;
  t.p01 = (iy1 * w + ix) * ch;
  t.p11 = (iy1 * w + ix1) * ch;
  t.fx = fx;
  t.fy = fy;
  t.w00 = (1 - fx) * (1 - fy) * scale;
  t.w10 = fx * (1 - fy) * scale;
  t.w01 = (1 - fx) * fy * scale;
  t.w11 = fx * fy * scale;
}

/** `start` plus channel `k` of `data` at the taps (weights w00…w11). */
export function tapSum(data: Uint8Array, t: Taps, k: number, start: number): number {
  return start + data[t.p00 + k] * t.w00 + data[t.p10 + k] * t.w10 + data[t.p01 + k] * t.w01 + data[t.p11 + k] * t.w11;
}

/** Channel `k` of `data` at the taps, interpolated along x, then y (the 3-D head's form, kept for exact output). */
export function tapLerp(data: Uint8Array, t: Taps, k: number): number {
  const top = data[t.p00 + k] * (1 - t.fx) + data[t.p10 + k] * t.fx;
  const bottom = data[t.p01 + k] * (1 - t.fx) + data[t.p11 + k] * t.fx;
  return top * (1 - t.fy) + bottom * t.fy;
}

const taps = createTaps();

/** Bilinear RGB sample of `src` at (x, y) (clamped), written into rgb[0..2] as floats 0..255. */
export function sampleRgb(src: Pixels, x: number, y: number, rgb: Float64Array): void {
  tapsAt(src, x, y, 1, taps);
  for (let k = 0; k < 3; k++) rgb[k] = tapSum(src.data, taps, k, 0);
}

/** Bilinear alpha of a 4-channel `src` at (x, y), clamped. */
export function alphaAt(src: Pixels, x: number, y: number): number {
  tapsAt(src, x, y, 1, taps);
  return tapLerp(src.data, taps, 3);
}

/**
 * A copy of a whole frame in memory that is not zeroed first, since the copy writes every byte: at 1080p the frame is
 * 8 MB, and slice() zeroing it before copying cost ~0.5 ms of a ~20 ms frame. A plain Uint8Array, not a Buffer (whose
 * slice() would be a view).
 */
export function copyFrame(frame: Uint8Array, into?: Uint8Array): Uint8Array {
  const out =
    into?.length === frame.length ? into : new Uint8Array(Buffer.allocUnsafeSlow(frame.length).buffer, 0, frame.length);
  out.set(frame);
  return out;
}
