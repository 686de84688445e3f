/**
 * Which pixels around the face belong to the head (hair, ears, skin) and which to the background, decided from
 * colour: no model ships a hair class on npm, and a person matte would not separate the head from the shoulders
 * either (see docs/design-notes.md). Colours sampled where the answer is known — hair above the forehead and skin
 * inside the face oval for the head; a ring well outside the head proxy, above the shoulders, for the background —
 * are clustered (k-means), every pixel near the head is scored by its distance to either set, the score is
 * smoothed, and the part connected to the face is kept. Runs once per portrait.
 */
import type { PixelBox, Pixels } from './warp.js';

/** Where a pixel sits relative to the head proxy, in the portrait's head plane. */
export interface HeadPlane {
  /** Normalised ellipse radius of the pixel about the proxy's centre (1 = the proxy's outline). */
  radius(x: number, y: number): number;
  /** Head-frame height of the pixel, cm (y down; the chin is near +9). */
  height(x: number, y: number): number;
}

export interface HeadMatteInput {
  src: Pixels;
  box: PixelBox;
  plane: HeadPlane;
  /** Face oval polygon in portrait px (n × 2). */
  oval: Float64Array;
  /** Head-frame height of the top of the face (the forehead landmark), cm. */
  foreheadHeight: number;
  /** Head-frame height below which the shoulders may start (background samples stay above it), cm. */
  shoulderHeight: number;
}

const K = 5;

/** k-means on RGB samples (n × 3), k centres, a fixed number of rounds (deterministic seeding by spread). */
function kmeans(samples: Float64Array, k: number): Float64Array {
  const n = samples.length / 3;
  const centres = new Float64Array(k * 3);
  if (n === 0) return centres;
  for (let j = 0; j < k; j++) {
    const i = Math.floor(((j + 0.5) / k) * n);
    centres.set(samples.subarray(i * 3, i * 3 + 3), j * 3);
  }
  const sum = new Float64Array(k * 3);
  const count = new Float64Array(k);
  for (let round = 0; round < 8; round++) {
    sum.fill(0);
    count.fill(0);
    for (let i = 0; i < n; i++) {
      const j = nearestIndex(centres, k, samples[i * 3], samples[i * 3 + 1], samples[i * 3 + 2]);
      count[j]++;
      for (let c = 0; c < 3; c++) sum[j * 3 + c] += samples[i * 3 + c];
    }
    for (let j = 0; j < k; j++)
      if (count[j] > 0) for (let c = 0; c < 3; c++) centres[j * 3 + c] = sum[j * 3 + c] / count[j];
  }
  return centres;
}

function nearestIndex(centres: Float64Array, k: number, r: number, g: number, b: number): number {
  let best = 0;
  let bestD = Number.POSITIVE_INFINITY;
  for (let j = 0; j < k; j++) {
    const d = (centres[j * 3] - r) ** 2 + (centres[j * 3 + 1] - g) ** 2 + (centres[j * 3 + 2] - b) ** 2;
    if (d < bestD) {
      bestD = d;
      best = j;
    }
  }
  return best;
}

/** Distance from (r, g, b) to the nearest of k centres (no allocation: called per pixel). */
function nearestDistance(centres: Float64Array, k: number, r: number, g: number, b: number): number {
  let bestD = Number.POSITIVE_INFINITY;
  for (let j = 0; j < k; j++) {
    const d = (centres[j * 3] - r) ** 2 + (centres[j * 3 + 1] - g) ** 2 + (centres[j * 3 + 2] - b) ** 2;
    if (d < bestD) bestD = d;
  }
  return Math.sqrt(bestD);
}

/** Point-in-polygon test with the polygon's box checked first (called for every pixel near the head). */
function polygonTest(poly: Float64Array): (x: number, y: number) => boolean {
  let x0 = Number.POSITIVE_INFINITY;
  let x1 = Number.NEGATIVE_INFINITY;
  let y0 = Number.POSITIVE_INFINITY;
  let y1 = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < poly.length; i += 2) {
    x0 = Math.min(x0, poly[i]);
    x1 = Math.max(x1, poly[i]);
    y0 = Math.min(y0, poly[i + 1]);
    y1 = Math.max(y1, poly[i + 1]);
  }
  return (x, y) => x >= x0 && x <= x1 && y >= y0 && y <= y1 && insidePolygon(poly, x, y);
}

function insidePolygon(poly: Float64Array, x: number, y: number): boolean {
  const n = poly.length / 2;
  let inside = false;
  for (let i = 0, j = n - 1; i < n; j = i++) {
    const xi = poly[2 * i];
    const yi = poly[2 * i + 1];
    const xj = poly[2 * j];
    const yj = poly[2 * j + 1];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/**
 * Separable box blur of a w × h float map, radius r, in place (edges clamped). Each output is the mean of its
 * 2r + 1 neighbours summed in order (the same sums as a naive loop, so results do not depend on how it is scanned);
 * only the border columns and rows clamp. Both passes run along rows, so memory is read in order.
 */
export function boxBlur(map: Float32Array, w: number, h: number, r: number): void {
  const rows = new Float32Array(w * h);
  blurRows(map, rows, w, h, r);
  blurColumns(rows, map, w, h, r);
}

function blurRows(map: Float32Array, rows: Float32Array, w: number, h: number, r: number): void {
  const n = 2 * r + 1;
  for (let y = 0; y < h; y++) {
    const o = y * w;
    for (let x = 0; x < w; x++) {
      let s = 0;
      if (x >= r && x + r < w) for (let d = -r; d <= r; d++) s += map[o + x + d];
      else for (let d = -r; d <= r; d++) s += map[o + Math.min(w - 1, Math.max(0, x + d))];
      rows[o + x] = s / n;
    }
  }
}

function blurColumns(rows: Float32Array, map: Float32Array, w: number, h: number, r: number): void {
  const n = 2 * r + 1;
  for (let y = 0; y < h; y++) {
    const inside = y >= r && y + r < h;
    for (let x = 0; x < w; x++) {
      let s = 0;
      if (inside) for (let d = -r; d <= r; d++) s += rows[(y + d) * w + x];
      else for (let d = -r; d <= r; d++) s += rows[Math.min(h - 1, Math.max(0, y + d)) * w + x];
      map[y * w + x] = s / n;
    }
  }
}

/**
 * Head probability 0..1 for each pixel of `box` (row-major, box width × height): 1 inside the face oval, 0 past 1.75
 * proxy radii; in between, from colour, smoothed, kept only where connected to the face, holes filled.
 *
 * The colours are scored on every `step`-th pixel of every `step`-th row (the pixels k-means samples), and the hard
 * mask made there is interpolated bilinearly up to the box: the matte is a smoothed colour score whose edge the
 * renderer softens again, so at step 2 it stays within a pixel or two of the full-resolution one (head-matte.test.ts)
 * for a quarter of the per-pixel work, which runs before the first frame of every render. Step 1 is the
 * full-resolution matte (its last blur is then over a pixel instead of the interpolation's).
 */
export function headMatte(input: HeadMatteInput, step = 1): Float32Array {
  const { box, oval } = input;
  const inOval = polygonTest(oval);
  const bw = box[2] - box[0] + 1;
  const bh = box[3] - box[1] + 1;
  const grid: Grid = { box, step, gw: Math.ceil(bw / step), gh: Math.ceil(bh / step) };
  // (Each pass is its own function: the preparation runs cold, see head-base.ts.)
  const radius = new Float64Array(grid.gw * grid.gh);
  const { fg, bg } = sampleColours(input, grid, inOval, radius);
  const prob = colourScore(input.src, grid, radius, kmeans(Float64Array.from(fg), K), kmeans(Float64Array.from(bg), K));
  // Smoothed over about five pixels at any step.
  boxBlur(prob, grid.gw, grid.gh, Math.max(1, Math.round(2 / step)));
  // Hard mask: the face oval is head; keep the region connected to it; fill enclosed holes.
  const mask = hardMask(prob, grid, inOval);
  const kept = connectedTo(mask, grid.gw, grid.gh, seedOf(oval, box, grid.gw, step));
  fillHoles(kept, grid.gw, grid.gh);
  const out = new Float32Array(bw * bh);
  if (step === 1) {
    for (let i = 0; i < bw * bh; i++) out[i] = kept[i];
    boxBlur(out, bw, bh, 1);
  } else {
    upsample(kept, grid.gw, grid.gh, out, bw, bh, step);
  }
  return out;
}

/** The pixels the colours are scored on: (box[0] + gx·step, box[1] + gy·step) for gx < gw, gy < gh. */
interface Grid {
  box: PixelBox;
  step: number;
  gw: number;
  gh: number;
}

/**
 * Each grid pixel's proxy radius into `radius`, and the colour samples k-means clusters: head (hair above the
 * forehead, skin in the face oval) and background (a ring well outside the proxy, above the shoulders), taken on every
 * other pixel of every other row whatever the step.
 */
function sampleColours(
  input: HeadMatteInput,
  grid: Grid,
  inOval: (x: number, y: number) => boolean,
  radius: Float64Array,
): { fg: number[]; bg: number[] } {
  const { src, plane } = input;
  const { box, step, gw, gh } = grid;
  const fg: number[] = [];
  const bg: number[] = [];
  const ch = src.channels;
  const d = src.data;
  for (let gy = 0, i = 0; gy < gh; gy++) {
    const y = box[1] + gy * step;
    for (let gx = 0; gx < gw; gx++, i++) {
      const x = box[0] + gx * step;
      const rho = plane.radius(x, y);
      radius[i] = rho;
      if ((gx * step) % 2 !== 0 || (gy * step) % 2 !== 0) continue;
      const hy = plane.height(x, y);
      const p = (y * src.width + x) * ch;
      if (rho > 1.75 && rho < 2.1 && hy < input.shoulderHeight) bg.push(d[p], d[p + 1], d[p + 2]);
      else if ((rho > 0.72 && rho < 0.92 && hy < input.foreheadHeight - 1) || inOval(x, y))
        fg.push(d[p], d[p + 1], d[p + 2]);
    }
  }
  return { fg, bg };
}

/** Head score of each grid pixel within 1.75 proxy radii: background distance over both, biased past 1.3 radii. */
function colourScore(
  src: Pixels,
  grid: Grid,
  radius: Float64Array,
  fgC: Float64Array,
  bgC: Float64Array,
): Float32Array {
  const { box, step, gw, gh } = grid;
  const ch = src.channels;
  const d = src.data;
  const prob = new Float32Array(gw * gh);
  for (let gy = 0, i = 0; gy < gh; gy++) {
    const y = box[1] + gy * step;
    for (let gx = 0; gx < gw; gx++, i++) {
      const rho = radius[i];
      if (rho > 1.75) continue;
      const p = (y * src.width + box[0] + gx * step) * ch;
      const df = nearestDistance(fgC, K, d[p], d[p + 1], d[p + 2]);
      const db = nearestDistance(bgC, K, d[p], d[p + 1], d[p + 2]);
      // Beyond the proxy outline the background is the likelier answer: bias the score towards it.
      const bias = rho > 1.3 ? (rho - 1.3) * 2 : 0;
      prob[i] = Math.max(0, db / (df + db + 1e-6) - bias);
    }
  }
  return prob;
}

function hardMask(prob: Float32Array, grid: Grid, inOval: (x: number, y: number) => boolean): Uint8Array {
  const { box, step, gw, gh } = grid;
  const mask = new Uint8Array(gw * gh);
  for (let gy = 0, i = 0; gy < gh; gy++) {
    const y = box[1] + gy * step;
    for (let gx = 0; gx < gw; gx++, i++) mask[i] = prob[i] > 0.5 || inOval(box[0] + gx * step, y) ? 1 : 0;
  }
  return mask;
}

/** Bilinear interpolation of a gw × gh grid (point g at pixel g·step) onto w × h pixels, clamped at the far edges. */
function upsample(
  grid: Uint8Array,
  gw: number,
  gh: number,
  out: Float32Array,
  w: number,
  h: number,
  step: number,
): void {
  for (let y = 0, o = 0; y < h; y++) {
    const gy0 = Math.floor(y / step);
    const gy1 = Math.min(gh - 1, gy0 + 1);
    const fy = y / step - gy0;
    for (let x = 0; x < w; x++, o++) {
      const gx0 = Math.floor(x / step);
      const gx1 = Math.min(gw - 1, gx0 + 1);
      const fx = x / step - gx0;
      const top = grid[gy0 * gw + gx0] * (1 - fx) + grid[gy0 * gw + gx1] * fx;
      const bottom = grid[gy1 * gw + gx0] * (1 - fx) + grid[gy1 * gw + gx1] * fx;
      out[o] = top * (1 - fy) + bottom * fy;
    }
  }
}

/** The grid index (every `step`-th pixel, `gw` a row) nearest the face oval's centre. */
function seedOf(oval: Float64Array, box: PixelBox, gw: number, step: number): number {
  let x = 0;
  let y = 0;
  const n = oval.length / 2;
  for (let i = 0; i < n; i++) {
    x += oval[i * 2] / n;
    y += oval[i * 2 + 1] / n;
  }
  return Math.round((Math.round(y) - box[1]) / step) * gw + Math.round((Math.round(x) - box[0]) / step);
}

/** The 4-connected component of `mask` holding `seed` (1 there, 0 elsewhere). */
function connectedTo(mask: Uint8Array, w: number, h: number, seed: number): Uint8Array {
  const out = new Uint8Array(w * h);
  if (seed < 0 || seed >= w * h || !mask[seed]) return out;
  const stack = [seed];
  out[seed] = 1;
  // Neighbours are checked inline (a closure made per pixel cost more than the fill itself).
  while (stack.length > 0) {
    const i = stack.pop() as number;
    const x = i % w;
    if (x > 0 && mask[i - 1] && !out[i - 1]) {
      out[i - 1] = 1;
      stack.push(i - 1);
    }
    if (x < w - 1 && mask[i + 1] && !out[i + 1]) {
      out[i + 1] = 1;
      stack.push(i + 1);
    }
    if (i >= w && mask[i - w] && !out[i - w]) {
      out[i - w] = 1;
      stack.push(i - w);
    }
    if (i < (h - 1) * w && mask[i + w] && !out[i + w]) {
      out[i + w] = 1;
      stack.push(i + w);
    }
  }
  return out;
}

/** Sets every 0-pixel not connected to the box border to 1 (holes inside the head). */
function fillHoles(mask: Uint8Array, w: number, h: number): void {
  const outside = new Uint8Array(w * h);
  const stack: number[] = [];
  const push = (j: number): void => {
    if (!mask[j] && !outside[j]) {
      outside[j] = 1;
      stack.push(j);
    }
  };
  for (let x = 0; x < w; x++) {
    push(x);
    push((h - 1) * w + x);
  }
  for (let y = 0; y < h; y++) {
    push(y * w);
    push(y * w + w - 1);
  }
  while (stack.length > 0) {
    const i = stack.pop() as number;
    const x = i % w;
    const y = (i - x) / w;
    if (x > 0) push(i - 1);
    if (x < w - 1) push(i + 1);
    if (y > 0) push(i - w);
    if (y < h - 1) push(i + w);
  }
  for (let i = 0; i < w * h; i++) if (!outside[i]) mask[i] = 1;
}
