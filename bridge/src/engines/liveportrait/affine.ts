/**
 * Bilinear crops through a 2×3 affine (util/affine.ts) with OpenCV's conventions (integer coordinates are pixel centres,
 * zero outside the image), so crops and paste-back match LivePortrait's `warpAffine` calls.
 */
import type { Affine } from '../../util/affine.js';

/**
 * Crops an RGB(A) image into a model input: Float32Array NCHW 1×3×size×size, RGB in 0..1.
 * `c2o` maps crop coordinates of a (size·supersample)² crop to the image; each output pixel is the mean of its
 * supersample² bilinear samples (LivePortrait crops 512² and box-downsamples to 256² with INTER_AREA).
 * Hot path (once per frame): one bilinear weight set per sample for all three channels, no closures.
 */
export function cropToTensor(
  image: { data: Uint8Array; width: number; height: number; channels: number },
  c2o: Affine,
  size: number,
  supersample = 1,
): Float32Array {
  const out = new Float32Array(3 * size * size);
  const plane = size * size;
  const { data, width, height, channels } = image;
  const norm = 1 / (255 * supersample * supersample);
  const [a, b, c, d, e, f] = c2o;
  for (let v = 0; v < size; v++) {
    for (let u = 0; u < size; u++) {
      let r = 0;
      let g = 0;
      let bl = 0;
      for (let j = 0; j < supersample; j++) {
        const cv = v * supersample + j;
        for (let i = 0; i < supersample; i++) {
          const cu = u * supersample + i;
          const x = a * cu + b * cv + c;
          const y = d * cu + e * cv + f;
          const x0 = Math.floor(x);
          const y0 = Math.floor(y);
          if (x0 < -1 || y0 < -1 || x0 >= width || y0 >= height) continue;
          const fx = x - x0;
          const fy = y - y0;
          if (x0 >= 0 && y0 >= 0 && x0 + 1 < width && y0 + 1 < height) {
            // All four taps inside the image (nearly every sample): no per-tap bounds checks.
            const o00 = (y0 * width + x0) * channels;
            const o01 = o00 + width * channels;
            const w00 = (1 - fx) * (1 - fy);
            const w10 = fx * (1 - fy);
            const w01 = (1 - fx) * fy;
            const w11 = fx * fy;
            r += data[o00] * w00 + data[o00 + channels] * w10 + data[o01] * w01 + data[o01 + channels] * w11;
            g +=
              data[o00 + 1] * w00 +
              data[o00 + channels + 1] * w10 +
              data[o01 + 1] * w01 +
              data[o01 + channels + 1] * w11;
            bl +=
              data[o00 + 2] * w00 +
              data[o00 + channels + 2] * w10 +
              data[o01 + 2] * w01 +
              data[o01 + channels + 2] * w11;
            continue;
          }
          const inX0 = x0 >= 0;
          const inX1 = x0 + 1 < width;
          const inY0 = y0 >= 0;
          const inY1 = y0 + 1 < height;
          const row0 = y0 * width;
          const row1 = row0 + width;
          if (inY0) {
            const wy = 1 - fy;
            if (inX0) {
              const w = (1 - fx) * wy;
              const o = (row0 + x0) * channels;
              r += data[o] * w;
              g += data[o + 1] * w;
              bl += data[o + 2] * w;
            }
            if (inX1) {
              const w = fx * wy;
              const o = (row0 + x0 + 1) * channels;
              r += data[o] * w;
              g += data[o + 1] * w;
              bl += data[o + 2] * w;
            }
          }
          if (inY1) {
            if (inX0) {
              const w = (1 - fx) * fy;
              const o = (row1 + x0) * channels;
              r += data[o] * w;
              g += data[o + 1] * w;
              bl += data[o + 2] * w;
            }
            if (inX1) {
              const w = fx * fy;
              const o = (row1 + x0 + 1) * channels;
              r += data[o] * w;
              g += data[o + 1] * w;
              bl += data[o + 2] * w;
            }
          }
        }
      }
      const o = v * size + u;
      out[o] = r * norm;
      out[plane + o] = g * norm;
      out[2 * plane + o] = bl * norm;
    }
  }
  return out;
}
