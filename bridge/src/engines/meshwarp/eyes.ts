/**
 * Eyes: blinks and gaze that a mesh warp alone gets wrong. Squashing the eye triangles makes a closing
 * eye look like a shrinking one; instead the eyeball stays where the head puts it and the upper lid
 * slides over it: pixels of the original eye opening that the lowered lid now covers are painted with
 * lid skin (sampled above the lid) and a lash line is drawn along the moving lid edge. Gaze shifts the
 * iris disc (resampled from the portrait's own iris) inside the opening and fills what it uncovers with
 * sclera; the lids do not move with it.
 */
import type { Affine } from '../../util/affine.js';
import { boundsOf, clamp, fitAffine, polygonCoverage, segmentDistance2, smooth01 } from './geometry.js';
import type { MotionResult } from './motion.js';
import { sampleRgb } from './raster.js';
import { EYES, type EyeIndices } from './regions.js';
import type { Pixels } from './warp.js';

export interface EyeModel {
  indices: EyeIndices;
  /** Source eye opening polygon, 16 × 2. */
  opening: Float64Array;
  width: number;
  /** Iris centre and radius in source px. */
  iris: [number, number, number];
  sclera: [number, number, number];
  irisMean: [number, number, number];
  lash: [number, number, number];
  /** Lid skin colour at each upper-lid point (outer → inner), 7 × 3. */
  lid: Float64Array;
  /** Points used to fit the per-frame head-only affine (indices into the 468) and their source positions (n × 2). */
  anchors: number[];
  anchorSrc: Float64Array;
}

function lum(rgb: ArrayLike<number>): number {
  return 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2];
}

/**
 * Analyses both eyes once.
 * @param landmarks 468 × 3 portrait landmarks; @param iris 10 × 3 (image-left eye first) or null
 */
export function prepareEyes(
  src: Pixels,
  landmarks: ArrayLike<number>,
  iris: ArrayLike<number> | null,
): [EyeModel, EyeModel] {
  return [prepareEye(src, landmarks, iris, 0), prepareEye(src, landmarks, iris, 1)];
}

function prepareEye(src: Pixels, lm: ArrayLike<number>, iris: ArrayLike<number> | null, e: number): EyeModel {
  const idx = EYES[e];
  const opening = new Float64Array(idx.opening.length * 2);
  idx.opening.forEach((i, k) => {
    opening[k * 2] = lm[i * 3];
    opening[k * 2 + 1] = lm[i * 3 + 1];
  });
  const [c0, c1] = idx.corners;
  const width = Math.hypot(lm[c1 * 3] - lm[c0 * 3], lm[c1 * 3 + 1] - lm[c0 * 3 + 1]);
  let irisDisc: [number, number, number];
  if (iris && iris.length >= 30) {
    const b = e * 15;
    let r = 0;
    for (let k = 1; k <= 4; k++) r += Math.hypot(iris[b + k * 3] - iris[b], iris[b + k * 3 + 1] - iris[b + 1]) / 4;
    irisDisc = [iris[b], iris[b + 1], r > 0 ? r : 0.21 * width];
  } else {
    let x = 0;
    let y = 0;
    for (let k = 0; k < idx.opening.length; k++) {
      x += opening[k * 2];
      y += opening[k * 2 + 1];
    }
    irisDisc = [x / idx.opening.length, y / idx.opening.length, 0.21 * width];
  }
  // Sclera = the brighter half of the opening outside the iris; iris mean inside the disc.
  const rgb = new Float64Array(3);
  const outside: number[][] = [];
  const inside = [0, 0, 0, 0];
  const [x0, y0, x1, y1] = boundsOf(lm, idx.opening, 3);
  for (let y = Math.floor(y0); y <= Math.ceil(y1); y++) {
    for (let x = Math.floor(x0); x <= Math.ceil(x1); x++) {
      if (polygonCoverage(opening, idx.opening.length, x, y) < 1) continue;
      sampleRgb(src, x, y, rgb);
      const d = Math.hypot(x - irisDisc[0], y - irisDisc[1]);
      if (d > irisDisc[2] + 1) outside.push([rgb[0], rgb[1], rgb[2]]);
      else if (d < irisDisc[2] - 0.5) {
        inside[0] += rgb[0];
        inside[1] += rgb[1];
        inside[2] += rgb[2];
        inside[3]++;
      }
    }
  }
  outside.sort((p, q) => lum(q) - lum(p));
  // The brightest quarter: the few sclera pixels of a small opening (the lashes along its edge, the lid's shadow and
  // the corners are the darker ones; the iris disc, with its catch-lights, is left out). The brighter half read about
  // 10 % darker than the sclera beside the iris, and a widened lid uncovered a grey band that read as lid skin.
  const top = outside.slice(0, Math.max(1, Math.ceil(outside.length / 4)));
  const sclera: [number, number, number] =
    outside.length > 0
      ? ([0, 1, 2].map((c) => top.reduce((s, p) => s + p[c], 0) / top.length) as [number, number, number])
      : [215, 205, 200];
  const irisMean: [number, number, number] =
    inside[3] > 0 ? [inside[0] / inside[3], inside[1] / inside[3], inside[2] / inside[3]] : [70, 50, 40];
  // Lid skin a little above the lid edge (towards the crease), and the darkest lash pixel on the edge.
  const lid = new Float64Array(idx.upper0.length * 3);
  let lash: [number, number, number] = [40, 30, 28];
  let lashLum = Number.POSITIVE_INFINITY;
  const samples: number[][] = [];
  idx.upper0.forEach((u, k) => {
    // Lid skin: the second-brightest of four samples between the crease ring and the brow-bone ring
    // (darker ones are crease shadow or make-up, the brightest may be a highlight).
    const v = idx.upper1[k];
    const t = idx.upper2[k];
    samples.length = 0;
    for (const f of [0, 0.33, 0.66, 1]) {
      sampleRgb(src, lm[v * 3] + f * (lm[t * 3] - lm[v * 3]), lm[v * 3 + 1] + f * (lm[t * 3 + 1] - lm[v * 3 + 1]), rgb);
      samples.push([rgb[0], rgb[1], rgb[2]]);
    }
    samples.sort((p, q) => lum(q) - lum(p));
    lid.set(samples[1], k * 3);
    for (const dy of [-1, 0, 1]) {
      sampleRgb(src, lm[u * 3], lm[u * 3 + 1] + dy, rgb);
      if (lum(rgb) < lashLum) {
        lashLum = lum(rgb);
        lash = [rgb[0], rgb[1], rgb[2]];
      }
    }
  });
  // Lashes read as lashes only when clearly darker than skin.
  lash = lash.map((c) => Math.min(c, 0.45 * c + 10)) as [number, number, number];
  const anchors = [...idx.opening, ...idx.upper1, ...idx.upper2, ...idx.lower1];
  const anchorSrc = new Float64Array(anchors.length * 2);
  anchors.forEach((i, k) => {
    anchorSrc[k * 2] = lm[i * 3];
    anchorSrc[k * 2 + 1] = lm[i * 3 + 1];
  });
  return { indices: idx, opening, width, iris: irisDisc, sclera, irisMean, lash, lid, anchors, anchorSrc };
}

export interface EyeScratch {
  dstOpening: Float64Array;
  lidLine: Float64Array;
  from: Float64Array;
  rgb: Float64Array;
  tmp: Float64Array;
  iris: Float64Array;
  /** Old and new upper lid (along, across the eye axis), source px. */
  lidOld: Float64Array;
  lidNew: Float64Array;
}

export function createEyeScratch(): EyeScratch {
  return {
    dstOpening: new Float64Array(32),
    lidLine: new Float64Array(18),
    from: new Float64Array(64 * 2),
    rgb: new Float64Array(3),
    tmp: new Float64Array(3),
    iris: new Float64Array(3),
    lidOld: new Float64Array(18),
    lidNew: new Float64Array(18),
  };
}

/** Renders blink/widen/gaze for both eyes into `out` (RGBA); returns how many eyes were drawn. */
export function renderEyes(
  src: Pixels,
  out: Uint8Array,
  eyes: [EyeModel, EyeModel],
  motion: MotionResult,
  lashLine: boolean,
  scratch: EyeScratch,
): number {
  let drawn = 0;
  for (let e = 0; e < 2; e++) {
    const closure = motion.eyeClosure[e];
    const widen = motion.eyeWiden[e];
    const [gx, gy] = motion.gaze[e];
    if (closure < 0.003 && widen < 0.003 && Math.hypot(gx, gy) < 0.05) continue;
    renderEye(src, out, eyes[e], motion, closure, widen, gx, gy, lashLine, scratch);
    drawn++;
  }
  return drawn;
}

function renderEye(
  src: Pixels,
  out: Uint8Array,
  eye: EyeModel,
  motion: MotionResult,
  closure: number,
  widen: number,
  gx: number,
  gy: number,
  lashLine: boolean,
  s: EyeScratch,
): void {
  const idx = eye.indices;
  const P = motion.points;
  // Head-only mapping target → source around this eye (the eyeball does not squash with the lid).
  const n = eye.anchors.length;
  eye.anchors.forEach((i, k) => {
    s.from[k * 2] = motion.rigid[i * 3];
    s.from[k * 2 + 1] = motion.rigid[i * 3 + 1];
  });
  const A: Affine = fitAffine(s.from, eye.anchorSrc, n);
  const nOpen = idx.opening.length;
  idx.opening.forEach((i, k) => {
    s.dstOpening[k * 2] = P[i * 3];
    s.dstOpening[k * 2 + 1] = P[i * 3 + 1];
  });
  const lidIdx = [idx.corners[0], ...idx.upper0, idx.corners[1]];
  lidIdx.forEach((i, k) => {
    s.lidLine[k * 2] = P[i * 3];
    s.lidLine[k * 2 + 1] = P[i * 3 + 1];
  });
  const [ax0, ay0, ax1, ay1] = boundsOf(motion.rigid, idx.opening, 3);
  const [bx0, by0, bx1, by1] = boundsOf(P, idx.opening, 3);
  const pad = 2 + 0.08 * eye.width;
  const x0 = Math.max(0, Math.floor(Math.min(ax0, bx0) - pad));
  const y0 = Math.max(0, Math.floor(Math.min(ay0, by0) - pad));
  const x1 = Math.min(src.width - 1, Math.ceil(Math.max(ax1, bx1) + pad));
  const y1 = Math.min(src.height - 1, Math.ceil(Math.max(ay1, by1) + pad));
  const [cx, cy, r] = eye.iris;
  const gazing = Math.hypot(gx, gy) >= 0.05;
  const lashT = Math.max(0.7, 0.035 * eye.width);
  const lashStrength = lashLine ? 0.85 * smooth01(closure * 3) : 0;
  const rgb = s.rgb;
  const tmp = s.tmp;
  const w = src.width;
  // Eye axis in source (outer → inner corner) for lid-colour lookup.
  const lm = eye.opening;
  const ox = lm[0];
  const oy = lm[1];
  const cornerK = idx.upper0.length + 1;
  const exv = lm[cornerK * 2] - ox;
  const eyv = lm[cornerK * 2 + 1] - oy;
  const elen2 = exv * exv + eyv * eyv || 1;
  // A widening lid takes its margin (lashes and the shadow under them, the dark band the photo shows below its lid
  // line) up with it, and the eye it uncovers is drawn like the part the old lid hid: both lid lines in source px,
  // as offsets across the eye axis, to find where each uncovered pixel's margin came from.
  const widening = widen > 0.003;
  const elen = Math.sqrt(elen2);
  // Unit normal across the eye axis, pointing from the upper lid to the lower one.
  let nx = -eyv / elen;
  let ny = exv / elen;
  const lowMid = idx.lower0[3];
  const upMid = idx.upper0[3];
  const down = (P[lowMid * 3] - P[upMid * 3]) * nx + (P[lowMid * 3 + 1] - P[upMid * 3 + 1]) * ny;
  if (down < 0) {
    nx = -nx;
    ny = -ny;
  }
  const lidCount = lidIdx.length;
  for (let k = 0; k < lidCount; k++) {
    // Old lid in source px: the opening's first points. New lid: the moved lid mapped to source by the head affine.
    const sx = lm[k * 2];
    const sy = lm[k * 2 + 1];
    const mx = A[0] * s.lidLine[k * 2] + A[1] * s.lidLine[k * 2 + 1] + A[2];
    const my = A[3] * s.lidLine[k * 2] + A[4] * s.lidLine[k * 2 + 1] + A[5];
    s.lidOld[k * 2] = ((sx - ox) * exv + (sy - oy) * eyv) / elen;
    s.lidOld[k * 2 + 1] = (sx - ox) * nx + (sy - oy) * ny;
    s.lidNew[k * 2] = ((mx - ox) * exv + (my - oy) * eyv) / elen;
    s.lidNew[k * 2 + 1] = (mx - ox) * nx + (my - oy) * ny;
  }
  const margin = Math.max(1.2, 0.12 * eye.width);
  for (let py = y0; py <= y1; py++) {
    for (let px = x0; px <= x1; px++) {
      const qx = A[0] * px + A[1] * py + A[2];
      const qy = A[3] * px + A[4] * py + A[5];
      const srcCov = polygonCoverage(eye.opening, nOpen, qx, qy);
      const dstCov = polygonCoverage(s.dstOpening, nOpen, px, py);
      let lidD2 = Number.POSITIVE_INFINITY;
      for (let k = 0; k < lidIdx.length - 1; k++) {
        const d2 = segmentDistance2(
          px,
          py,
          s.lidLine[k * 2],
          s.lidLine[k * 2 + 1],
          s.lidLine[k * 2 + 2],
          s.lidLine[k * 2 + 3],
        );
        if (d2 < lidD2) lidD2 = d2;
      }
      const lidD = Math.sqrt(lidD2);
      const lashCov = lashStrength > 0 ? clamp(lashT - lidD + 0.5, 0, 1) * lashStrength : 0;
      if (srcCov <= 0 && dstCov <= 0 && lashCov <= 0) continue;
      const o = (py * w + px) * 4;
      let r0 = out[o];
      let g0 = out[o + 1];
      let b0 = out[o + 2];
      if (srcCov > 0) {
        // Covered by the lid: skin colour from above the lid at this position along the eye, shaded
        // slightly darker towards the lid edge where the lid curves away.
        const u = clamp(((qx - ox) * exv + (qy - oy) * eyv) / elen2, 0, 1);
        const f = u * (idx.upper0.length - 1);
        const k = Math.min(idx.upper0.length - 2, f | 0);
        const t = f - k;
        const shade = 0.9 + 0.1 * smooth01(lidD / Math.max(1, 0.2 * eye.width));
        for (let c = 0; c < 3; c++) rgb[c] = (eye.lid[k * 3 + c] * (1 - t) + eye.lid[k * 3 + 3 + c] * t) * shade;
        // Just below the original lid line keep some of the warped lid skin, so the painted lid has no edge.
        const fade = srcCov * (0.35 + 0.65 * smooth01(srcEdge(eye, qx, qy) / Math.max(1, 0.15 * eye.width)));
        r0 += (rgb[0] - r0) * fade;
        g0 += (rgb[1] - g0) * fade;
        b0 += (rgb[2] - b0) * fade;
      }
      if (dstCov > 0) {
        let seen = srcCov;
        let marginCov = 0;
        if (widening) {
          const a = ((qx - ox) * exv + (qy - oy) * eyv) / elen;
          const t = (qx - ox) * nx + (qy - oy) * ny;
          const tOld = acrossAt(s.lidOld, lidCount, a);
          const tNew = acrossAt(s.lidNew, lidCount, a);
          // The old margin band is uncovered eye now; the band under the new lid line is the old margin, moved.
          seen = srcCov * smooth01((t - tOld - margin) / (0.5 * margin));
          marginCov = 1 - smooth01((t - tNew - 0.5 * margin) / (0.5 * margin));
          if (marginCov > 0) {
            const shift = tOld - tNew;
            sampleRgb(src, qx + shift * nx, qy + shift * ny, tmp);
          }
        }
        eyeball(src, eye, qx, qy, cx, cy, r, gx, gy, gazing, seen, rgb, s.iris);
        // A soft shadow under the upper lid; a widening lid brings the photo's own (its margin, moved).
        const shadow = widening ? 1 : 0.9 + 0.1 * smooth01(lidD / Math.max(1, 0.12 * eye.width));
        for (let c = 0; c < 3; c++) rgb[c] = rgb[c] * shadow + (tmp[c] - rgb[c] * shadow) * marginCov;
        r0 += (rgb[0] - r0) * dstCov;
        g0 += (rgb[1] - g0) * dstCov;
        b0 += (rgb[2] - b0) * dstCov;
      }
      if (lashCov > 0) {
        r0 += (eye.lash[0] - r0) * lashCov;
        g0 += (eye.lash[1] - g0) * lashCov;
        b0 += (eye.lash[2] - b0) * lashCov;
      }
      out[o] = clamp(r0 + 0.5, 0, 255);
      out[o + 1] = clamp(g0 + 0.5, 0, 255);
      out[o + 2] = clamp(b0 + 0.5, 0, 255);
      out[o + 3] = 255;
    }
  }
}

/** Offset across the eye axis of a lid polyline (n points as along, across pairs, along increasing or not) at `a`. */
function acrossAt(line: Float64Array, n: number, a: number): number {
  const first = line[0];
  const last = line[(n - 1) * 2];
  const dir = last >= first ? 1 : -1;
  if ((a - first) * dir <= 0) return line[1];
  for (let k = 0; k < n - 1; k++) {
    const a0 = line[k * 2];
    const a1 = line[k * 2 + 2];
    if ((a - a1) * dir <= 0) {
      const t = a1 !== a0 ? (a - a0) / (a1 - a0) : 0;
      return line[k * 2 + 1] + t * (line[k * 2 + 3] - line[k * 2 + 1]);
    }
  }
  return line[(n - 1) * 2 + 1];
}

/** Distance (source px) from (qx, qy) to the portrait's upper lid edge (corner, upper0…, corner). */
function srcEdge(eye: EyeModel, qx: number, qy: number): number {
  const o = eye.opening;
  const n = eye.indices.upper0.length + 2;
  let best = Number.POSITIVE_INFINITY;
  for (let k = 0; k < n - 1; k++) {
    const d2 = segmentDistance2(qx, qy, o[k * 2], o[k * 2 + 1], o[k * 2 + 2], o[k * 2 + 3]);
    if (d2 < best) best = d2;
  }
  return Math.sqrt(best);
}

/** Eyeball colour at source point (qx, qy): sclera/iris from the portrait, the iris disc shifted by gaze. */
function eyeball(
  src: Pixels,
  eye: EyeModel,
  qx: number,
  qy: number,
  cx: number,
  cy: number,
  r: number,
  gx: number,
  gy: number,
  gazing: boolean,
  srcCov: number,
  rgb: Float64Array,
  tmp: Float64Array,
): void {
  const nOpen = eye.indices.opening.length;
  // Background: the portrait's own eye, with its iris replaced by sclera when the iris moves away.
  sampleRgb(src, qx, qy, rgb);
  const oldIris = gazing ? clamp(r + 1.5 - Math.hypot(qx - cx, qy - cy), 0, 1) : 0;
  const keep = srcCov * (1 - oldIris);
  // Sclera fill: shaded darker towards the corners and under the upper lid.
  const side = clamp(Math.abs(qx - cx) / (0.5 * eye.width), 0, 1);
  const sh = (0.92 + 0.08 * clamp((qy - cy + r) / (2 * r), 0, 1)) * (1 - 0.15 * side * side);
  for (let c = 0; c < 3; c++) rgb[c] = eye.sclera[c] * sh + (rgb[c] - eye.sclera[c] * sh) * keep;
  // The iris disc at its new centre, resampled from the portrait's iris (mirrored top/bottom where the
  // portrait's lids hid part of it).
  const dx = qx - (cx + gx);
  const dy = qy - (cy + gy);
  const irisCov = clamp(r + 0.5 - Math.hypot(dx, dy), 0, 1);
  if (irisCov <= 0 || (!gazing && keep >= 1)) return;
  const sx = qx - gx;
  let sy = qy - gy;
  if (polygonCoverage(eye.opening, nOpen, sx, sy) < 1) sy = 2 * cy - sy;
  if (polygonCoverage(eye.opening, nOpen, sx, sy) < 1) tmp.set(eye.irisMean);
  else sampleRgb(src, sx, sy, tmp);
  for (let c = 0; c < 3; c++) rgb[c] += (tmp[c] - rgb[c]) * irisCov;
}
