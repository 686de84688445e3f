/**
 * Classical inpainting for the background a moved head uncovers: a push–pull (pyramid) fill. Known pixels are
 * averaged down a pyramid until every level-cell has some known colour, then the holes are filled on the way back
 * up with bilinear interpolation of the coarser level, so the fill is smooth and follows the colours around the
 * hole from every side. Runs once per portrait, over the head's box only.
 */

/**
 * Fills the pixels of `rgb` (`channels` bytes per pixel, row-major width × height) where `hole` is non-zero, in
 * place: all `channels` components (a cut-out portrait's alpha is filled like its colour). `hole` is width × height.
 * `source` (width × height, optional): only pixels non-zero there lend their colour (e.g. background, not the body
 * below the head); the others are neither filled nor used.
 */
export function pushPullFill(
  rgb: Uint8Array,
  channels: number,
  width: number,
  height: number,
  hole: Uint8Array,
  source?: Uint8Array,
): void {
  const n = channels;
  // Level 0: colour × weight and weight, weight 1 where known.
  const levels: { w: number; h: number; c: Float32Array; a: Float32Array }[] = [];
  let w = width;
  let h = height;
  let c = new Float32Array(w * h * n);
  let a = new Float32Array(w * h);
  for (let i = 0; i < w * h; i++) {
    if (hole[i] || (source && !source[i])) continue;
    a[i] = 1;
    for (let k = 0; k < n; k++) c[i * n + k] = rgb[i * channels + k];
  }
  levels.push({ w, h, c, a });
  while (w > 1 || h > 1) {
    const nw = Math.max(1, Math.ceil(w / 2));
    const nh = Math.max(1, Math.ceil(h / 2));
    const nc = new Float32Array(nw * nh * n);
    const na = new Float32Array(nw * nh);
    // Each coarse cell averages its 2 × 2 fine cells (the last row and column clamped), summed in row order.
    for (let y = 0; y < nh; y++) {
      const r0 = Math.min(h - 1, y * 2) * w;
      const r1 = Math.min(h - 1, y * 2 + 1) * w;
      for (let x = 0; x < nw; x++) {
        const x0 = Math.min(w - 1, x * 2);
        const x1 = Math.min(w - 1, x * 2 + 1);
        const j0 = r0 + x0;
        const j1 = r0 + x1;
        const j2 = r1 + x0;
        const j3 = r1 + x1;
        const sa = a[j0] + a[j1] + a[j2] + a[j3];
        const o = y * nw + x;
        // Weights saturate at 1: a cell with any known colour counts as known on the way up.
        const norm = sa > 1 ? 1 / sa : 1;
        na[o] = Math.min(1, sa);
        for (let k = 0; k < n; k++)
          nc[o * n + k] = (c[j0 * n + k] + c[j1 * n + k] + c[j2 * n + k] + c[j3 * n + k]) * norm;
      }
    }
    w = nw;
    h = nh;
    c = nc;
    a = na;
    levels.push({ w, h, c, a });
  }
  // Pull: each level's premultiplied colour plus (1 − weight) × the coarser level, bilinearly upsampled.
  for (let l = levels.length - 2; l >= 0; l--) {
    const fine = levels[l];
    const coarse = levels[l + 1];
    for (let y = 0; y < fine.h; y++) {
      const cy = Math.min(coarse.h - 1, Math.max(0, (y + 0.5) / 2 - 0.5));
      const y0 = Math.floor(cy);
      const y1 = Math.min(coarse.h - 1, y0 + 1);
      const fy = cy - y0;
      for (let x = 0; x < fine.w; x++) {
        const i = y * fine.w + x;
        const wa = fine.a[i];
        if (wa >= 1) continue;
        const cx = Math.min(coarse.w - 1, Math.max(0, (x + 0.5) / 2 - 0.5));
        const x0 = Math.floor(cx);
        const x1 = Math.min(coarse.w - 1, x0 + 1);
        const fx = cx - x0;
        for (let k = 0; k < n; k++) {
          const v =
            (coarse.c[(y0 * coarse.w + x0) * n + k] * (1 - fx) + coarse.c[(y0 * coarse.w + x1) * n + k] * fx) *
              (1 - fy) +
            (coarse.c[(y1 * coarse.w + x0) * n + k] * (1 - fx) + coarse.c[(y1 * coarse.w + x1) * n + k] * fx) * fy;
          fine.c[i * n + k] += (1 - wa) * v;
        }
        fine.a[i] = 1;
      }
    }
  }
  const top = levels[0];
  for (let i = 0; i < width * height; i++) {
    if (!hole[i]) continue;
    for (let k = 0; k < n; k++) rgb[i * channels + k] = Math.max(0, Math.min(255, Math.round(top.c[i * n + k])));
  }
}
