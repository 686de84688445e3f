/**
 * The mouth interior. A warp can only stretch the lips' inside; an opening mouth needs new pixels: a dark
 * throat shaded toward the back, a tongue, upper and lower teeth. Teeth come from the portrait when its
 * mouth shows them (upper half hangs from the upper lip, lower half rides on the lower lip), else a
 * synthetic set: an off-white band with tooth gaps and tips, receding into shadow toward the corners.
 * Everything is composited inside the moved inner-lip polygon with an anti-aliased edge.
 *
 * Coordinates: a mouth frame with u along the corner line (0 at landmark 78, 1 at 308) and t across it
 * (px, positive towards the chin).
 */
import type { MeshwarpConfig } from './config.js';
import { boundsOf, clamp, polygonCoverage, smooth01 } from './geometry.js';
import { sampleRgb } from './raster.js';
import { LIP_LOWER_INNER, LIP_UPPER_INNER, MOUTH_LOOP } from './regions.js';
import type { Pixels } from './warp.js';

const BINS = 64;

/** A lip chain resampled along u: t of the upper and lower inner lip at BINS+1 even steps of u. */
interface MouthFrame {
  ox: number;
  oy: number;
  /** Unit vector along the corner line, and its length in px. */
  ex: number;
  ey: number;
  length: number;
  upper: Float64Array;
  lower: Float64Array;
}

export interface MouthModel {
  source: MouthFrame;
  /** Mean lip colour (RGB 0..255). */
  lip: [number, number, number];
  /** True when the portrait's open mouth shows teeth we can reuse. */
  sourceTeeth: boolean;
  /** Synthetic tooth boundaries in u (sorted), shared by every frame. */
  toothEdges: Float64Array;
}

/**
 * How far (portrait px, across the mouth, positive towards the chin) the pose moves the teeth against the upper and
 * the lower lip (mouth3d.ts teethParallax); none in the 2-D warp.
 */
export interface TeethParallax {
  upper: number;
  lower: number;
}

export const NO_PARALLAX: TeethParallax = { upper: 0, lower: 0 };

/** Mouth frame from 468 × stride landmarks. */
export function mouthFrame(points: ArrayLike<number>, stride = 3): MouthFrame {
  const a = LIP_UPPER_INNER[0];
  const b = LIP_UPPER_INNER[LIP_UPPER_INNER.length - 1];
  const ox = points[a * stride];
  const oy = points[a * stride + 1];
  const dx = points[b * stride] - ox;
  const dy = points[b * stride + 1] - oy;
  const length = Math.hypot(dx, dy) || 1;
  const ex = dx / length;
  const ey = dy / length;
  const chain = (idx: readonly number[]): Float64Array => {
    const us = idx.map((i) => ((points[i * stride] - ox) * ex + (points[i * stride + 1] - oy) * ey) / length);
    const ts = idx.map((i) => -(points[i * stride] - ox) * ey + (points[i * stride + 1] - oy) * ex);
    const out = new Float64Array(BINS + 1);
    for (let k = 0; k <= BINS; k++) out[k] = interpolate(us, ts, k / BINS);
    return out;
  };
  return { ox, oy, ex, ey, length, upper: chain(LIP_UPPER_INNER), lower: chain(LIP_LOWER_INNER) };
}

/** Piecewise-linear t(u) along a chain ordered by (roughly increasing) u; clamps at the ends. */
function interpolate(us: number[], ts: number[], u: number): number {
  if (u <= us[0]) return ts[0];
  for (let i = 1; i < us.length; i++) {
    if (u <= us[i]) {
      const span = us[i] - us[i - 1];
      return span > 1e-9 ? ts[i - 1] + ((u - us[i - 1]) / span) * (ts[i] - ts[i - 1]) : ts[i];
    }
  }
  return ts[ts.length - 1];
}

function lookup(table: Float64Array, u: number): number {
  const f = clamp(u, 0, 1) * BINS;
  const i = Math.min(BINS - 1, f | 0);
  return table[i] + (f - i) * (table[i + 1] - table[i]);
}

/** Tooth boundaries in u for a synthetic set: incisors, laterals, canines, premolars, foreshortened on an arc. */
function toothEdges(): Float64Array {
  const widths = [8.5, 6.5, 7.5, 7, 7];
  const total = widths.reduce((s, x) => s + x, 0);
  const edges = [0.5];
  let acc = 0;
  for (const w of widths) {
    acc += w;
    const off = (0.4 * Math.sin((acc / total) * Math.PI * 0.45)) / Math.sin(Math.PI * 0.45);
    edges.push(0.5 + off, 0.5 - off);
  }
  return Float64Array.from(edges.sort((x, y) => x - y));
}

/** Analyses the portrait's mouth once: lip colour, and whether its inside shows teeth to reuse. */
export function prepareMouth(src: Pixels, landmarks: ArrayLike<number>, config: MeshwarpConfig): MouthModel {
  const rgb = new Float64Array(3);
  const lip: [number, number, number] = [0, 0, 0];
  const pairs = [
    [0, 13],
    [37, 82],
    [267, 312],
    [17, 14],
    [84, 87],
    [314, 317],
  ];
  for (const [o, i] of pairs) {
    sampleRgb(src, (landmarks[o * 3] + landmarks[i * 3]) / 2, (landmarks[o * 3 + 1] + landmarks[i * 3 + 1]) / 2, rgb);
    for (let k = 0; k < 3; k++) lip[k] += rgb[k] / pairs.length;
  }
  const source = mouthFrame(landmarks);
  let sourceTeeth = false;
  if (config.teeth !== 'synthetic') {
    const gap = lookup(source.lower, 0.5) - lookup(source.upper, 0.5);
    const poly = loopPolygon(landmarks);
    const [x0, y0, x1, y1] = boundsOf(landmarks, MOUTH_LOOP, 3);
    let inside = 0;
    let bright = 0;
    for (let y = Math.floor(y0); y <= Math.ceil(y1); y++) {
      for (let x = Math.floor(x0); x <= Math.ceil(x1); x++) {
        if (polygonCoverage(poly, MOUTH_LOOP.length, x, y) < 1) continue;
        sampleRgb(src, x, y, rgb);
        inside++;
        const hi = Math.max(rgb[0], rgb[1], rgb[2]);
        const lo = Math.min(rgb[0], rgb[1], rgb[2]);
        if (hi > 120 && hi - lo < 0.45 * hi) bright++;
      }
    }
    const shows = gap > 0.08 * source.length && inside >= 12 && bright >= 0.15 * inside;
    sourceTeeth = config.teeth === 'source' ? gap > 0.04 * source.length : shows;
  }
  return { source, lip, sourceTeeth, toothEdges: toothEdges() };
}

function loopPolygon(points: ArrayLike<number>, stride = 3): Float64Array {
  const poly = new Float64Array(MOUTH_LOOP.length * 2);
  MOUTH_LOOP.forEach((i, k) => {
    poly[k * 2] = points[i * stride];
    poly[k * 2 + 1] = points[i * stride + 1];
  });
  return poly;
}

/**
 * Synthetic interior colour at mouth position u (0..1), a px below the upper lip, b px above the lower
 * lip (gap = a + b), mouth length `len` px; writes RGB into `rgb`.
 */
export function syntheticInterior(
  model: MouthModel,
  u: number,
  a: number,
  b: number,
  len: number,
  upperTeeth: boolean,
  lowerTeeth: boolean,
  rgb: Float64Array,
): void {
  const gap = Math.max(1e-3, a + b);
  const lip = model.lip;
  const side = Math.abs(u - 0.5) * 2;
  const edge = clamp(Math.min(a, b) / (gap / 2), 0, 1);
  // Throat: dark and warm, a little light bounced near the lips, darkest at the back and in the corners.
  const shade = clamp(0.55 - 0.35 * edge - 0.3 * side * side, 0.08, 1);
  let r = (0.3 * lip[0] + 30) * shade;
  let g = (0.2 * lip[1] + 8) * shade;
  let bl = (0.2 * lip[2] + 10) * shade;
  const bright = clamp((0.3 * lip[0] + 0.59 * lip[1] + 0.11 * lip[2]) / 120, 0.6, 1.05);
  // Tongue: an ellipse resting on the lower lip, lit on its top surface.
  if (gap > 0.1 * len) {
    const tu = (u - 0.5) / 0.3;
    const tv = b / (0.5 * gap);
    const d2 = tu * tu + tv * tv;
    if (d2 < 1) {
      const cover = clamp((1 - d2) * 5, 0, 1);
      const lit = (0.35 + 0.35 * Math.sqrt(1 - d2)) * bright;
      r += (0.55 * lip[0] + 80) * lit * cover - r * cover;
      g += (0.45 * lip[1] + 30) * lit * cover - g * cover;
      bl += (0.45 * lip[2] + 35) * lit * cover - bl * cover;
    }
  }
  if (upperTeeth || lowerTeeth) {
    const edges = model.toothEdges;
    // Which tooth, and where across it (s in −1..1).
    let k = 0;
    while (k < edges.length - 1 && u > edges[k + 1]) k++;
    const inTeeth = u >= edges[0] && u <= edges[edges.length - 1];
    if (inTeeth) {
      const lo = edges[k];
      const hi = edges[k + 1];
      const s = ((u - lo) / Math.max(1e-6, hi - lo)) * 2 - 1;
      const gapPx = Math.min(u - lo, hi - u) * len;
      // Subtle seams between teeth (a grille look comes from seams that are too dark or too wide).
      const seam = 0.8 + 0.2 * smooth01(gapPx / 0.7);
      const recede = 1 - 0.85 * side ** 1.4;
      // Upper teeth hang from the upper lip; tips rounded.
      const hU = Math.min(0.14 * len, 0.48 * gap) * (1 - 0.22 * s * s);
      const upperCover = upperTeeth ? clamp(hU - a + 0.5, 0, 1) : 0;
      if (upperCover > 0) {
        const lipShadow = 0.7 + 0.3 * smooth01(a / Math.max(1, 0.3 * hU));
        const t = bright * recede * seam * lipShadow * (1 - 0.1 * s * s);
        r += (236 * t - r) * upperCover;
        g += (229 * t - g) * upperCover;
        bl += (214 * t - bl) * upperCover;
      }
      // Lower teeth: shorter, in the upper teeth's shadow, only when the mouth is well open.
      const hL = Math.min(0.07 * len, 0.22 * gap) * (1 - 0.25 * s * s);
      const lowerCover = (lowerTeeth ? clamp(hL - b + 0.5, 0, 1) : 0) * clamp((gap - 0.15 * len) / (0.1 * len), 0, 1);
      if (lowerCover > 0 && side < 0.55) {
        const t = 0.55 * bright * recede * (1 - side / 0.55) ** 0.5 * seam;
        r += (228 * t - r) * lowerCover;
        g += (220 * t - g) * lowerCover;
        bl += (205 * t - bl) * lowerCover;
      }
    }
  }
  rgb[0] = r;
  rgb[1] = g;
  rgb[2] = bl;
}

/** Reusable polygon buffer so rendering allocates nothing per pixel. */
export interface MouthScratch {
  poly: Float64Array;
  rgb: Float64Array;
  tmp: Float64Array;
}

export function createMouthScratch(): MouthScratch {
  return { poly: new Float64Array(MOUTH_LOOP.length * 2), rgb: new Float64Array(3), tmp: new Float64Array(3) };
}

/**
 * Paints the mouth interior into `out` (RGBA) inside the target inner-lip polygon.
 * @param points target landmarks 468 × 3
 * @returns the number of pixels painted (0 when the mouth is closed)
 */
export function renderMouth(
  src: Pixels,
  out: Uint8Array,
  model: MouthModel,
  points: ArrayLike<number>,
  scratch: MouthScratch,
  parallax: TeethParallax = NO_PARALLAX,
): number {
  const f = mouthFrame(points);
  const gapMid = lookup(f.lower, 0.5) - lookup(f.upper, 0.5);
  if (gapMid < 1) return 0;
  // A mouth that only moved rigidly is already right from the warp (and stays byte-exact when unmoved).
  if (movedRigidly(model.source, f) && parallax.upper === 0 && parallax.lower === 0) return 0;
  const poly = scratch.poly;
  MOUTH_LOOP.forEach((i, k) => {
    poly[k * 2] = points[i * 3];
    poly[k * 2 + 1] = points[i * 3 + 1];
  });
  const [bx0, by0, bx1, by1] = boundsOf(points, MOUTH_LOOP, 3);
  const { width: w, height: h } = src;
  const x0 = Math.max(0, Math.floor(bx0) - 1);
  const y0 = Math.max(0, Math.floor(by0) - 1);
  const x1 = Math.min(w - 1, Math.ceil(bx1) + 1);
  const y1 = Math.min(h - 1, Math.ceil(by1) + 1);
  const rgb = scratch.rgb;
  const tmp = scratch.tmp;
  let painted = 0;
  for (let py = y0; py <= y1; py++) {
    for (let px = x0; px <= x1; px++) {
      const cover = polygonCoverage(poly, MOUTH_LOOP.length, px, py);
      if (cover <= 0) continue;
      const rx = px - f.ox;
      const ry = py - f.oy;
      const u = clamp((rx * f.ex + ry * f.ey) / f.length, 0, 1);
      const t = -rx * f.ey + ry * f.ex;
      const a = t - lookup(f.upper, u);
      const b = lookup(f.lower, u) - t;
      if (model.sourceTeeth) sourceInterior(src, model, u, a, b, f.length, parallax, rgb, tmp);
      else {
        // Synthetic teeth hang from the lips as seen at the portrait's pose, shifted as its own teeth would be.
        const k = model.source.length / f.length;
        const ua = Math.max(0, a + parallax.upper / k);
        const ub = Math.max(0, b - parallax.lower / k);
        syntheticInterior(model, u, ua, ub, f.length, true, true, rgb);
      }
      const o = (py * w + px) * 4;
      for (let c = 0; c < 3; c++) out[o + c] = clamp(out[o + c] + (rgb[c] - out[o + c]) * cover + 0.5, 0, 255);
      if (out[o + 3] < 255) out[o + 3] = 255;
      painted++;
    }
  }
  return painted;
}

/**
 * Interior from the portrait's own open mouth. While the target gap is no wider than the source's, the
 * source interior is squeezed to fit (so an unchanged mouth reproduces the source). Wider, the upper
 * teeth stay attached to the upper lip and whatever the source shows below them rides on the lower lip;
 * the new space between is synthetic throat and tongue (with synthetic lower teeth if the source has none).
 */
function sourceInterior(
  src: Pixels,
  model: MouthModel,
  u: number,
  a: number,
  b: number,
  len: number,
  parallax: TeethParallax,
  rgb: Float64Array,
  tmp: Float64Array,
): void {
  const S = model.source;
  const k = S.length / len; // source px per target px
  const top = lookup(S.upper, u);
  const sGap = Math.max(0, lookup(S.lower, u) - top);
  const us = u * S.length;
  const at = (ts: number): void => sampleRgb(src, S.ox + us * S.ex - ts * S.ey, S.oy + us * S.ey + ts * S.ex, tmp);
  const dGap = (a + b) * k;
  if (dGap <= sGap) {
    // a may be slightly negative at the polygon edge; keep it so an unchanged mouth maps onto itself.
    const row = dGap > 0 ? (a * k * sGap) / dGap : 0;
    // Each lip's teeth move with the pose (none at the portrait's own): upper at the top, lower at the bottom.
    const w = sGap > 0 ? clamp(row / sGap, 0, 1) : 0;
    const shift = parallax.upper + (parallax.lower - parallax.upper) * w;
    at(top + (shift === 0 ? row : clamp(row + shift, 0, sGap)));
    rgb.set(tmp);
    return;
  }
  // Distances from each lip as the portrait's pose would show them (the teeth behind the lips move with the pose).
  const ua = Math.max(0, a + parallax.upper / k);
  const ub = Math.max(0, b - parallax.lower / k);
  const upperDepth = Math.min(sGap, 0.16 * S.length);
  const lowerDepth = sGap - upperDepth;
  syntheticInterior(model, u, ua, ub, len, false, lowerDepth < 0.04 * S.length, rgb);
  const up = smooth01((upperDepth - ua * k) / 1.5 + 0.5);
  if (up > 0) {
    at(top + Math.min(ua * k, upperDepth));
    for (let c = 0; c < 3; c++) rgb[c] += (tmp[c] - rgb[c]) * up;
    return;
  }
  const low = lowerDepth > 0.5 ? smooth01((lowerDepth - ub * k) / 1.5 + 0.5) : 0;
  if (low > 0) {
    at(top + sGap - Math.min(ub * k, lowerDepth));
    for (let c = 0; c < 3; c++) rgb[c] += (tmp[c] - rgb[c]) * low;
  }
}

/** True when the target lip chains equal the source's up to scale (within 0.25 px everywhere). */
function movedRigidly(S: MouthFrame, f: MouthFrame): boolean {
  const k = f.length / S.length;
  for (let i = 0; i <= BINS; i++) {
    if (Math.abs(f.upper[i] - S.upper[i] * k) > 0.25 || Math.abs(f.lower[i] - S.lower[i] * k) > 0.25) return false;
  }
  return true;
}
