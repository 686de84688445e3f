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
  // Level 0 is the pixels themselves (colour and weight 1 where known, 0 elsewhere); it is never copied into floats:
  // level 1 is summed from the bytes, and on the way back up only the hole's pixels are interpolated.
  const known = knownPixels(hole, source);
  if (width <= 1 && height <= 1) {
    // Nothing to average: a hole here has no colour to take.
    if (hole[0]) for (let k = 0; k < n; k++) rgb[k] = 0;
    return;
  }
  const levels: Level[] = [push({ w: width, h: height, c: rgb, a: known }, n)];
  for (let l = levels[0]; l.w > 1 || l.h > 1; ) {
    l = push(l, n);
    levels.push(l);
  }
  // Pull: each level's premultiplied colour plus (1 − weight) × the coarser level, bilinearly upsampled.
  for (let l = levels.length - 2; l >= 0; l--) pull(levels[l], levels[l + 1], n);
  // The hole's pixels: weight 0 at level 0, so each is level 1 upsampled (rounded through a float, as level 0 was).
  fillHole(rgb, n, width, height, hole, levels[0]);
}

/** 1 where a pixel lends its colour: outside the hole, and inside `source` when there is one. */
function knownPixels(hole: Uint8Array, source: Uint8Array | undefined): Uint8Array {
  const known = new Uint8Array(hole.length);
  for (let i = 0; i < hole.length; i++) known[i] = hole[i] || (source && !source[i]) ? 0 : 1;
  return known;
}

/** Completes `fine` where its weight is below 1 from `coarse`, bilinearly upsampled. */
function pull(fine: Level, coarse: Level, n: number): void {
  const cols = taps(coarse.w, fine.w);
  const rows = taps(coarse.h, fine.h);
  for (let y = 0; y < fine.h; y++) {
    for (let x = 0; x < fine.w; x++) {
      const i = y * fine.w + x;
      const wa = fine.a[i];
      if (wa >= 1) continue;
      for (let k = 0; k < n; k++) fine.c[i * n + k] += (1 - wa) * upsampled(coarse, n, k, rows, y, cols, x);
      fine.a[i] = 1;
    }
  }
}

/** Writes level 1, upsampled, into the hole's pixels of `rgb`. */
function fillHole(rgb: Uint8Array, n: number, width: number, height: number, hole: Uint8Array, first: Level): void {
  const cols = taps(first.w, width);
  const rows = taps(first.h, height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      if (!hole[i]) continue;
      for (let k = 0; k < n; k++) {
        const v = Math.fround(upsampled(first, n, k, rows, y, cols, x));
        rgb[i * n + k] = Math.max(0, Math.min(255, Math.round(v)));
      }
    }
  }
}

interface Level {
  w: number;
  h: number;
  /** Colour × weight, w × h × channels. */
  c: Float32Array;
  /** Weight, saturated at 1. */
  a: Float32Array;
}

/** A grid of colours (n per cell, weighted) and weights: the pixels themselves (weight = known, 0 or 1) or a level. */
interface Grid {
  w: number;
  h: number;
  c: Uint8Array | Float32Array;
  a: Uint8Array | Float32Array;
}

/**
 * The next coarser level: each cell averages its 2 × 2 cells (the last row and column clamped) that have weight,
 * summed in row order. Weights saturate at 1: a cell with any known colour counts as known on the way up. From the
 * pixels (level 1) the unknown ones' colours are skipped; in a level, a cell without weight has no colour anyway.
 */
function push(fine: Grid, n: number): Level {
  const { w, h, c, a } = fine;
  const nw = Math.max(1, Math.ceil(w / 2));
  const nh = Math.max(1, Math.ceil(h / 2));
  const nc = new Float32Array(nw * nh * n);
  const na = new Float32Array(nw * nh);
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
      if (sa === 0) continue;
      const o = y * nw + x;
      const norm = sa > 1 ? 1 / sa : 1;
      na[o] = Math.min(1, sa);
      for (let k = 0; k < n; k++) {
        const sum =
          (a[j0] ? c[j0 * n + k] : 0) +
          (a[j1] ? c[j1 * n + k] : 0) +
          (a[j2] ? c[j2 * n + k] : 0) +
          (a[j3] ? c[j3 * n + k] : 0);
        nc[o * n + k] = sum * norm;
      }
    }
  }
  return { w: nw, h: nh, c: nc, a: na };
}

/** For each of `fine` rows (or columns): its two neighbours among `coarse` and the fraction between them. */
interface Taps {
  i0: Int32Array;
  i1: Int32Array;
  f: Float64Array;
}

function taps(coarse: number, fine: number): Taps {
  const t: Taps = { i0: new Int32Array(fine), i1: new Int32Array(fine), f: new Float64Array(fine) };
  for (let v = 0; v < fine; v++) {
    const cv = Math.min(coarse - 1, Math.max(0, (v + 0.5) / 2 - 0.5));
    const i0 = Math.floor(cv);
    t.i0[v] = i0;
    t.i1[v] = Math.min(coarse - 1, i0 + 1);
    t.f[v] = cv - i0;
  }
  return t;
}

/** Channel k of `coarse` interpolated bilinearly at fine pixel (x, y) (along x, then y). */
function upsampled(coarse: Level, n: number, k: number, rows: Taps, y: number, cols: Taps, x: number): number {
  const { c, w } = coarse;
  const fx = cols.f[x];
  const fy = rows.f[y];
  const r0 = rows.i0[y] * w;
  const r1 = rows.i1[y] * w;
  const x0 = cols.i0[x];
  const x1 = cols.i1[x];
  return (
    (c[(r0 + x0) * n + k] * (1 - fx) + c[(r0 + x1) * n + k] * fx) * (1 - fy) +
    (c[(r1 + x0) * n + k] * (1 - fx) + c[(r1 + x1) * n + k] * fx) * fy
  );
}
