/**
 * Small 2-D geometry kernels shared by motion and rendering: least-squares similarity and affine fits,
 * and polygon coverage with a one-pixel anti-aliased edge. Pure functions on plain numbers/typed arrays.
 */
import type { Affine } from '../../util/affine.js';

/** x' = a·x − b·y + tx, y' = b·x + a·y + ty (scale √(a²+b²), angle atan2(b, a), clockwise on screen). */
export interface Similarity {
  a: number;
  b: number;
  tx: number;
  ty: number;
}

/**
 * Least-squares similarity (Umeyama, no reflection) taking `from` to `to` over the listed points.
 * `from`/`to` are N × stride arrays (x, y first). Throws nothing; degenerate input gives identity scale 0.
 */
export function fitSimilarity(
  from: ArrayLike<number>,
  to: ArrayLike<number>,
  indices: readonly number[],
  strideFrom = 3,
  strideTo = 3,
): Similarity {
  const n = indices.length;
  let fx = 0;
  let fy = 0;
  let tx = 0;
  let ty = 0;
  for (const i of indices) {
    fx += from[i * strideFrom];
    fy += from[i * strideFrom + 1];
    tx += to[i * strideTo];
    ty += to[i * strideTo + 1];
  }
  fx /= n;
  fy /= n;
  tx /= n;
  ty /= n;
  let dot = 0;
  let cross = 0;
  let norm = 0;
  for (const i of indices) {
    const ax = from[i * strideFrom] - fx;
    const ay = from[i * strideFrom + 1] - fy;
    const bx = to[i * strideTo] - tx;
    const by = to[i * strideTo + 1] - ty;
    dot += ax * bx + ay * by;
    cross += ax * by - ay * bx;
    norm += ax * ax + ay * ay;
  }
  const a = norm > 0 ? dot / norm : 1;
  const b = norm > 0 ? cross / norm : 0;
  return { a, b, tx: tx - (a * fx - b * fy), ty: ty - (b * fx + a * fy) };
}

export function applySimilarity(s: Similarity, x: number, y: number): [number, number] {
  return [s.a * x - s.b * y + s.tx, s.b * x + s.a * y + s.ty];
}

export function invertSimilarity(s: Similarity): Similarity {
  const d = s.a * s.a + s.b * s.b;
  const a = s.a / d;
  const b = -s.b / d;
  return { a, b, tx: -(a * s.tx - b * s.ty), ty: -(b * s.tx + a * s.ty) };
}

export function similarityScale(s: Similarity): number {
  return Math.hypot(s.a, s.b);
}

export function similarityAngle(s: Similarity): number {
  return Math.atan2(s.b, s.a);
}

/** Least-squares affine from point pairs (x, y interleaved, N × 2 each, N ≥ 3). Identity when singular. */
export function fitAffine(from: ArrayLike<number>, to: ArrayLike<number>, n: number): Affine {
  // Normal equations for [x y 1]: M^T M (3×3) shared by both output rows.
  let sxx = 0;
  let sxy = 0;
  let sx = 0;
  let syy = 0;
  let sy = 0;
  const rx = [0, 0, 0];
  const ry = [0, 0, 0];
  for (let i = 0; i < n; i++) {
    const x = from[2 * i];
    const y = from[2 * i + 1];
    const u = to[2 * i];
    const v = to[2 * i + 1];
    sxx += x * x;
    sxy += x * y;
    sx += x;
    syy += y * y;
    sy += y;
    rx[0] += x * u;
    rx[1] += y * u;
    rx[2] += u;
    ry[0] += x * v;
    ry[1] += y * v;
    ry[2] += v;
  }
  const m = [sxx, sxy, sx, sxy, syy, sy, sx, sy, n];
  const inv = invert3(m);
  if (!inv) return [1, 0, 0, 0, 1, 0];
  const mul = (r: number[]): [number, number, number] => [
    inv[0] * r[0] + inv[1] * r[1] + inv[2] * r[2],
    inv[3] * r[0] + inv[4] * r[1] + inv[5] * r[2],
    inv[6] * r[0] + inv[7] * r[1] + inv[8] * r[2],
  ];
  return [...mul(rx), ...mul(ry)] as Affine;
}

function invert3(m: number[]): number[] | null {
  const [a, b, c, d, e, f, g, h, i] = m;
  const A = e * i - f * h;
  const B = -(d * i - f * g);
  const C = d * h - e * g;
  const det = a * A + b * B + c * C;
  if (Math.abs(det) < 1e-12) return null;
  const k = 1 / det;
  return [
    A * k,
    -(b * i - c * h) * k,
    (b * f - c * e) * k,
    B * k,
    (a * i - c * g) * k,
    -(a * f - c * d) * k,
    C * k,
    -(a * h - b * g) * k,
    (a * e - b * d) * k,
  ];
}

/**
 * Coverage of pixel centre (px, py) by a closed polygon `poly` (n × 2 interleaved): 1 well inside, 0 well
 * outside, a linear ramp across one pixel at the edge (anti-aliasing without supersampling).
 */
export function polygonCoverage(poly: ArrayLike<number>, n: number, px: number, py: number): number {
  let inside = false;
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0, j = n - 1; i < n; j = i++) {
    const xi = poly[2 * i];
    const yi = poly[2 * i + 1];
    const xj = poly[2 * j];
    const yj = poly[2 * j + 1];
    if (yi > py !== yj > py && px < ((xj - xi) * (py - yi)) / (yj - yi) + xi) inside = !inside;
    // Only edges within a pixel can change the answer; a box test skips the rest cheaply.
    if (
      px < Math.min(xi, xj) - 1 ||
      px > Math.max(xi, xj) + 1 ||
      py < Math.min(yi, yj) - 1 ||
      py > Math.max(yi, yj) + 1
    ) {
      continue;
    }
    const d2 = segmentDistance2(px, py, xj, yj, xi, yi);
    if (d2 < best) best = d2;
  }
  const d = Math.sqrt(best);
  const c = inside ? 0.5 + d : 0.5 - d;
  return c <= 0 ? 0 : Math.min(c, 1);
}

/** Squared distance from (px, py) to segment (ax, ay)–(bx, by). */
export function segmentDistance2(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax;
  const dy = by - ay;
  const len2 = dx * dx + dy * dy;
  let t = len2 > 0 ? ((px - ax) * dx + (py - ay) * dy) / len2 : 0;
  t = t < 0 ? 0 : Math.min(t, 1);
  const ex = ax + t * dx - px;
  const ey = ay + t * dy - py;
  return ex * ex + ey * ey;
}

/** Bounding box of the listed points of an N × stride array: [minX, minY, maxX, maxY]. */
export function boundsOf(
  points: ArrayLike<number>,
  indices: readonly number[],
  stride: number,
): [number, number, number, number] {
  let x0 = Number.POSITIVE_INFINITY;
  let y0 = Number.POSITIVE_INFINITY;
  let x1 = Number.NEGATIVE_INFINITY;
  let y1 = Number.NEGATIVE_INFINITY;
  for (const i of indices) {
    const x = points[i * stride];
    const y = points[i * stride + 1];
    if (x < x0) x0 = x;
    if (y < y0) y0 = y;
    if (x > x1) x1 = x;
    if (y > y1) y1 = y;
  }
  return [x0, y0, x1, y1];
}

/** The mean of the points `indices` picks from x, y, z triples (landmarks, mesh targets). */
export function meanPoint(points: ArrayLike<number>, indices: readonly number[]): [number, number, number] {
  let x = 0;
  let y = 0;
  let z = 0;
  for (const i of indices) {
    x += points[i * 3];
    y += points[i * 3 + 1];
    z += points[i * 3 + 2];
  }
  return [x / indices.length, y / indices.length, z / indices.length];
}

export function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : Math.min(v, hi);
}

/** Hermite smoothstep on 0..1. */
export function smooth01(t: number): number {
  const c = t <= 0 ? 0 : Math.min(t, 1);
  return c * c * (3 - 2 * c);
}
