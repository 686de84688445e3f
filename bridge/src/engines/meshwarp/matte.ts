/**
 * The matte: alpha for each warped pixel from its interpolated face weight (1 on the face, 0 on the outer
 * ring). Full opacity over the face and the inner ring band, a smooth fade over the outer `feather` part of
 * the band where the warp's displacement is already nearly zero, so AE's composite over the still shows
 * no seam and no ghost. Pixels with alpha 0 are never written, so they stay byte-equal to the source.
 */

/** 1025-entry lookup: weight (0..1, quantised to 1/1024) → alpha byte. */
export function matteLut(feather: number): Uint8Array {
  const lut = new Uint8Array(1025);
  for (let i = 0; i <= 1024; i++) lut[i] = matteAlpha(i / 1024, feather);
  return lut;
}

/** Alpha byte for face weight w: smoothstep(w / feather) × 255, rounded. */
export function matteAlpha(w: number, feather: number): number {
  const t = w <= 0 ? 0 : w >= feather ? 1 : w / feather;
  return Math.round(t * t * (3 - 2 * t) * 255);
}

/**
 * The output frame before any warp: the source's RGB with alpha 0 everywhere (RGBA, width × height × 4).
 * Built once per portrait and copied per frame.
 */
export function transparentCopy(data: Uint8Array, width: number, height: number, channels: 3 | 4): Uint8Array {
  const out = new Uint8Array(width * height * 4);
  for (let i = 0, n = width * height; i < n; i++) {
    out[i * 4] = data[i * channels];
    out[i * 4 + 1] = data[i * channels + 1];
    out[i * 4 + 2] = data[i * channels + 2];
  }
  return out;
}
