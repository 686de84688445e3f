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

/** Separable box blur of a w × h float map, radius r, in place (edges clamped). */
export function boxBlur(map: Float32Array, w: number, h: number, r: number): void {
  const tmp = new Float32Array(Math.max(w, h));
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let d = -r; d <= r; d++) s += map[y * w + Math.min(w - 1, Math.max(0, x + d))];
      tmp[x] = s / (2 * r + 1);
    }
    map.set(tmp.subarray(0, w), y * w);
  }
  for (let x = 0; x < w; x++) {
    for (let y = 0; y < h; y++) {
      let s = 0;
      for (let d = -r; d <= r; d++) s += map[Math.min(h - 1, Math.max(0, y + d)) * w + x];
      tmp[y] = s / (2 * r + 1);
    }
    for (let y = 0; y < h; y++) map[y * w + x] = tmp[y];
  }
}

/**
 * Head probability 0..1 for each pixel of `box` (row-major, box width × height): 1 inside the face oval, 0 past 1.75
 * proxy radii; in between, from colour, smoothed, kept only where connected to the face, holes filled.
 */
export function headMatte(input: HeadMatteInput): Float32Array {
  const { src, box, plane, oval } = input;
  const inOval = polygonTest(oval);
  const bw = box[2] - box[0] + 1;
  const bh = box[3] - box[1] + 1;
  const fg: number[] = [];
  const bg: number[] = [];
  const ch = src.channels;
  for (let y = box[1]; y <= box[3]; y += 2) {
    for (let x = box[0]; x <= box[2]; x += 2) {
      const rho = plane.radius(x, y);
      const hy = plane.height(x, y);
      const p = (y * src.width + x) * ch;
      const rgb = [src.data[p], src.data[p + 1], src.data[p + 2]];
      if (rho > 1.75 && rho < 2.1 && hy < input.shoulderHeight) bg.push(...rgb);
      else if ((rho > 0.72 && rho < 0.92 && hy < input.foreheadHeight - 1) || inOval(x, y)) fg.push(...rgb);
    }
  }
  const fgC = kmeans(Float64Array.from(fg), K);
  const bgC = kmeans(Float64Array.from(bg), K);
  const prob = new Float32Array(bw * bh);
  for (let y = 0; y < bh; y++) {
    for (let x = 0; x < bw; x++) {
      const ix = x + box[0];
      const iy = y + box[1];
      const rho = plane.radius(ix, iy);
      if (rho > 1.75) continue;
      const p = (iy * src.width + ix) * ch;
      const df = nearestDistance(fgC, K, src.data[p], src.data[p + 1], src.data[p + 2]);
      const db = nearestDistance(bgC, K, src.data[p], src.data[p + 1], src.data[p + 2]);
      // Beyond the proxy outline the background is the likelier answer: bias the score towards it.
      const bias = rho > 1.3 ? (rho - 1.3) * 2 : 0;
      prob[y * bw + x] = Math.max(0, db / (df + db + 1e-6) - bias);
    }
  }
  boxBlur(prob, bw, bh, 2);
  // Hard mask: the face oval is head; keep the region connected to it; fill enclosed holes.
  const mask = new Uint8Array(bw * bh);
  for (let i = 0; i < bw * bh; i++) {
    const x = (i % bw) + box[0];
    const y = Math.floor(i / bw) + box[1];
    mask[i] = prob[i] > 0.5 || inOval(x, y) ? 1 : 0;
  }
  const kept = connectedTo(mask, bw, bh, seedOf(oval, box, bw));
  fillHoles(kept, bw, bh);
  const out = new Float32Array(bw * bh);
  for (let i = 0; i < bw * bh; i++) out[i] = kept[i];
  boxBlur(out, bw, bh, 1);
  return out;
}

function seedOf(oval: Float64Array, box: PixelBox, bw: number): number {
  let x = 0;
  let y = 0;
  const n = oval.length / 2;
  for (let i = 0; i < n; i++) {
    x += oval[i * 2] / n;
    y += oval[i * 2 + 1] / n;
  }
  return (Math.round(y) - box[1]) * bw + (Math.round(x) - box[0]);
}

/** The 4-connected component of `mask` holding `seed` (1 there, 0 elsewhere). */
function connectedTo(mask: Uint8Array, w: number, h: number, seed: number): Uint8Array {
  const out = new Uint8Array(w * h);
  if (seed < 0 || seed >= w * h || !mask[seed]) return out;
  const stack = [seed];
  out[seed] = 1;
  while (stack.length > 0) {
    const i = stack.pop() as number;
    const x = i % w;
    const y = (i - x) / w;
    const visit = (j: number): void => {
      if (mask[j] && !out[j]) {
        out[j] = 1;
        stack.push(j);
      }
    };
    if (x > 0) visit(i - 1);
    if (x < w - 1) visit(i + 1);
    if (y > 0) visit(i - w);
    if (y < h - 1) visit(i + w);
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
