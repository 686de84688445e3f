/**
 * Paste-back (research §6): the generated 512² face goes back into the full-resolution portrait through the crop's
 * inverse affine, blended with LivePortrait's feathered mask (value 1 on [16, 496]², falling linearly to 0 over
 * 16 px with rounded corners). The mask is evaluated analytically at each portrait pixel's crop position, once per
 * portrait, and becomes the frame's matte (alpha); the RGB under it is the generated face, unblended, so the blend
 * happens once, where the frame is composited over the portrait.
 */
import { type Affine, applyAffine } from '../../util/affine.js';

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
  /** Mask per rectangle pixel (row-major), 0..1: the matte. */
  mask: Float32Array;
  /** Pixels with mask > 0, precomputed once per portrait so the per-frame loop only blends: */
  count: number;
  /** …their pixel index in the portrait, */
  dst: Int32Array;
  /** …the index of their top-left bilinear neighbour in the generated plane, */
  src: Int32Array;
  /** …and their four bilinear weights (top-left, top-right, bottom-left, bottom-right). */
  weights: Float32Array;
}

/**
 * Precomputes, for every portrait pixel under the crop, its mask value and bilinear sampling of the generated face.
 * @param o2c original → crop affine for a `size`² crop; `c2o` its inverse.
 */
export function preparePasteRegion(o2c: Affine, c2o: Affine, size: number, width: number, height: number): PasteRegion {
  const corners = [
    [0, 0],
    [size, 0],
    [0, size],
    [size, size],
  ].map(([u, v]) => applyAffine(c2o, u, v));
  const x0 = Math.max(0, Math.floor(Math.min(...corners.map((c) => c[0]))));
  const y0 = Math.max(0, Math.floor(Math.min(...corners.map((c) => c[1]))));
  const x1 = Math.min(width, Math.ceil(Math.max(...corners.map((c) => c[0]))) + 1);
  const y1 = Math.min(height, Math.ceil(Math.max(...corners.map((c) => c[1]))) + 1);
  const w = Math.max(0, x1 - x0);
  const h = Math.max(0, y1 - y0);
  const mask = new Float32Array(w * h);
  const dst: number[] = [];
  const src: number[] = [];
  const weights: number[] = [];
  const max = size - 1 - 1e-6;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const px = x0 + x;
      const py = y0 + y;
      const u = o2c[0] * px + o2c[1] * py + o2c[2];
      const v = o2c[3] * px + o2c[4] * py + o2c[5];
      const m = featherMask(u, v, size);
      mask[y * w + x] = m;
      if (m <= 0) continue;
      // The mask is 0 at the crop border, so clamping into the crop only touches near-invisible edge pixels.
      const cu = Math.min(max, Math.max(0, u));
      const cv = Math.min(max, Math.max(0, v));
      const iu = Math.floor(cu);
      const iv = Math.floor(cv);
      const fx = cu - iu;
      const fy = cv - iv;
      dst.push(py * width + px);
      src.push(iv * size + iu);
      weights.push((1 - fx) * (1 - fy), fx * (1 - fy), (1 - fx) * fy, fx * fy);
    }
  }
  return {
    x0,
    y0,
    width: w,
    height: h,
    mask,
    count: dst.length,
    dst: Int32Array.from(dst),
    src: Int32Array.from(src),
    weights: Float32Array.from(weights),
  };
}

/**
 * Writes the generated face over the portrait as straight (unpremultiplied) RGBA: RGB is the face itself wherever the
 * mask is above 0, alpha is the mask. Composited over the portrait (in After Effects, or the preview) that gives
 * LivePortrait's blend m·face + (1 − m)·portrait; pre-blending the RGB as well would apply the mask twice (m²).
 * @param base Portrait RGBA (width×height×4) whose alpha is already the matte; copied, not modified.
 * @param generated Float32Array 3×size×size RGB in 0..1 (warping_spade `out`), clipped here.
 */
export function pasteBack(
  base: Uint8Array,
  _width: number,
  region: PasteRegion,
  generated: Float32Array,
  size: number,
): Uint8Array {
  const out = base.slice();
  const { count, dst, src, weights } = region;
  const plane = size * size;
  // One pixel per step, the three planes unrolled (this loop is most of the engine's time outside session.run).
  for (let i = 0; i < count; i++) {
    const o = dst[i] * 4;
    const k = i * 4;
    const w00 = weights[k];
    const w10 = weights[k + 1];
    const w01 = weights[k + 2];
    const w11 = weights[k + 3];
    const r = src[i];
    const g = r + plane;
    const b = g + plane;
    out[o] = toByte(
      generated[r] * w00 + generated[r + 1] * w10 + generated[r + size] * w01 + generated[r + size + 1] * w11,
    );
    out[o + 1] = toByte(
      generated[g] * w00 + generated[g + 1] * w10 + generated[g + size] * w01 + generated[g + size + 1] * w11,
    );
    out[o + 2] = toByte(
      generated[b] * w00 + generated[b + 1] * w10 + generated[b + size] * w01 + generated[b + size + 1] * w11,
    );
  }
  return out;
}

/** A generated value (0..1, clipped) as a byte; rounds half up. */
function toByte(v: number): number {
  return v <= 0 ? 0 : v >= 1 ? 255 : (v * 255 + 0.5) | 0;
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
