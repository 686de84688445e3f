/**
 * Paste-back (research §6): the generated 512² face goes back into the full-resolution portrait through the crop's
 * inverse affine, blended with LivePortrait's feathered mask (value 1 on [16, 496]², falling linearly to 0 over
 * 16 px with rounded corners). The mask is evaluated analytically at each portrait pixel's crop position, once per
 * portrait; it is also the frame's matte (alpha).
 */
import type { Affine } from './affine.js';

/** LivePortrait mask template value (0..1) at crop position (u, v) of a `size`² crop (512 in LivePortrait). */
export function featherMask(u: number, v: number, size = 512): number {
  const k = size / 512;
  const lo = 16 * k;
  const hi = 496 * k;
  const dx = u < lo ? lo - u : u > hi ? u - hi : 0;
  const dy = v < lo ? lo - v : v > hi ? v - hi : 0;
  const d = Math.hypot(dx, dy) / k;
  return Math.max(0, 1 - d / 16);
}

export interface PasteRegion {
  /** Portrait-pixel rectangle covered by the crop (clamped to the image). */
  x0: number;
  y0: number;
  width: number;
  height: number;
  /** Mask per region pixel (row-major), 0..1. */
  mask: Float32Array;
  /** Crop position (u, v) per region pixel, interleaved, for sampling the generated face. */
  uv: Float32Array;
}

/**
 * Precomputes, for every portrait pixel under the crop, its crop position and mask value.
 * @param o2c original → crop affine for a `size`² crop.
 */
export function preparePasteRegion(o2c: Affine, c2o: Affine, size: number, width: number, height: number): PasteRegion {
  const corners = [
    [0, 0],
    [size, 0],
    [0, size],
    [size, size],
  ].map(([u, v]) => [c2o[0] * u + c2o[1] * v + c2o[2], c2o[3] * u + c2o[4] * v + c2o[5]]);
  const x0 = Math.max(0, Math.floor(Math.min(...corners.map((c) => c[0]))));
  const y0 = Math.max(0, Math.floor(Math.min(...corners.map((c) => c[1]))));
  const x1 = Math.min(width, Math.ceil(Math.max(...corners.map((c) => c[0]))) + 1);
  const y1 = Math.min(height, Math.ceil(Math.max(...corners.map((c) => c[1]))) + 1);
  const w = Math.max(0, x1 - x0);
  const h = Math.max(0, y1 - y0);
  const mask = new Float32Array(w * h);
  const uv = new Float32Array(w * h * 2);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const px = x0 + x;
      const py = y0 + y;
      const u = o2c[0] * px + o2c[1] * py + o2c[2];
      const v = o2c[3] * px + o2c[4] * py + o2c[5];
      const i = y * w + x;
      mask[i] = featherMask(u, v, size);
      uv[i * 2] = u;
      uv[i * 2 + 1] = v;
    }
  }
  return { x0, y0, width: w, height: h, mask, uv };
}

/** Bilinear sample of a planar CHW float image (0..1) at (u, v), 0 outside. */
function samplePlanar(out: Float32Array, size: number, plane: number, u: number, v: number): number {
  const x0 = Math.floor(u);
  const y0 = Math.floor(v);
  const fx = u - x0;
  const fy = v - y0;
  const base = plane * size * size;
  const at = (x: number, y: number) => (x < 0 || y < 0 || x >= size || y >= size ? 0 : out[base + y * size + x]);
  return (
    (at(x0, y0) * (1 - fx) + at(x0 + 1, y0) * fx) * (1 - fy) +
    (at(x0, y0 + 1) * (1 - fx) + at(x0 + 1, y0 + 1) * fx) * fy
  );
}

/**
 * Writes the portrait with the generated face blended in.
 * @param base Portrait RGBA (width×height×4) whose alpha is already the matte; copied, not modified.
 * @param generated Float32Array 3×size×size RGB in 0..1 (warping_spade `out`), clipped here.
 * @returns RGBA bytes: rgb = mask·face + (1 − mask)·portrait, alpha = matte.
 */
export function pasteBack(
  base: Uint8Array,
  width: number,
  region: PasteRegion,
  generated: Float32Array,
  size: number,
): Uint8Array {
  const out = Uint8Array.from(base);
  const { x0, y0, width: w, height: h, mask, uv } = region;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      const m = mask[i];
      if (m <= 0) continue;
      const u = uv[i * 2];
      const v = uv[i * 2 + 1];
      const o = ((y0 + y) * width + x0 + x) * 4;
      for (let c = 0; c < 3; c++) {
        const g = Math.min(1, Math.max(0, samplePlanar(generated, size, c, u, v))) * 255;
        out[o + c] = Math.round(m * g + (1 - m) * out[o + c]);
      }
    }
  }
  return out;
}

/** The portrait as RGBA with alpha = the matte (mask × 255), the base every frame is pasted into. */
export function matteBase(
  source: { data: Uint8Array; width: number; height: number; channels: 3 | 4 },
  region: PasteRegion,
): Uint8Array {
  const { data, width, height, channels } = source;
  const out = new Uint8Array(width * height * 4);
  for (let i = 0, n = width * height; i < n; i++) {
    out[i * 4] = data[i * channels];
    out[i * 4 + 1] = data[i * channels + 1];
    out[i * 4 + 2] = data[i * channels + 2];
  }
  for (let y = 0; y < region.height; y++)
    for (let x = 0; x < region.width; x++)
      out[((region.y0 + y) * width + region.x0 + x) * 4 + 3] = Math.round(region.mask[y * region.width + x] * 255);
  return out;
}
