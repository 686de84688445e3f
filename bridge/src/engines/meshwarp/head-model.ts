/**
 * The portrait as a 3-D head, built once: the face is the portrait's own 468-point mesh (unposed, with its tracked
 * depth); around it a head proxy for the skull, hair and ears — a surface of revolution whose rings follow the
 * head's outline in the photo (from the colour matte, head-matte.ts) and whose depth follows an ellipsoid fitted
 * through the face oval, so face and proxy meet without a step. Every vertex is textured from where it sits in the
 * photo; proxy points the photo never saw (the side and back of the head) or saw edge-on also get a folded texture,
 * the visible hair mirrored round the head (ProxyFold), and face points seen edge-on the cheek folded inwards
 * (FaceMirror); render3d.ts switches to them as a turn brings those parts round. The head layer (which photo pixels
 * belong to the moving head) and the base frame (the photo with that layer, grown past the hair's fringe, inpainted
 * from the backdrop: what a moved head uncovers) are built here too.
 */
import { anglesOf } from '../../face/pose.js';
import { TRI468 } from './facemesh-data.js';
import { baseFrame, headLayer } from './head-base.js';
import { type HeadPlane, headMatte } from './head-matte.js';
import { type Portrait3d, type PoseTransform, projectHead } from './motion3d.js';
import type { HeadMesh, Layer } from './raster3d.js';
import { MOUTH_LOOP, SILHOUETTE } from './regions.js';
import type { PixelBox, Pixels } from './warp.js';

/** Head proxy shape in head coordinates (cm; y down, z away). */
export interface Proxy {
  /** Vertical centre and half-height of the ellipsoid that shapes depth. */
  yc: number;
  b: number;
  /** Depth centre and depth radius. */
  zc: number;
  c: number;
  /** Height where the proxy ends (below: jaw and neck; only the face mesh goes lower). */
  yCut: number;
  /** Ring heights (top first) and the half-width of each ring to the left (−x) and right (+x). */
  rings: Float64Array;
  left: Float64Array;
  right: Float64Array;
}

export interface HeadModel3d {
  mesh: HeadMesh;
  /** First neck-ring vertex: these stay where they are in the photo (screen x, y and depth in `neckRest`). */
  neckStart: number;
  neckRest: Float64Array;
  /** Head coordinates of every vertex (cm), vertexCount × 3: the 468 face points, the mouth centre, the proxy. */
  head: Float64Array;
  mouthCentre: number;
  proxyStart: number;
  /** First vertex of the proxy's rings (after the crown): RINGS × SEGMENTS of them, up to `neckStart`. */
  ringStart: number;
  layer: Layer;
  /** The photo (RGBA, alpha 0) with the head layer inpainted (alpha 255 there): each frame starts from it. */
  base: Uint8Array;
  proxy: Proxy;
  fold: ProxyFold;
  mirror: FaceMirror;
}

/**
 * The face's mirrored texture, for a cheek a turn brings round to face the camera: the photo saw its outer part
 * edge-on, so that part takes the cheek's texture folded back from inside it (render3d.ts mixes it in per vertex).
 */
export interface FaceMirror {
  /** Photo position each face point's mirrored texture comes from, vertexCount × 2 (the 468 face points). */
  tex: Float64Array;
  /** How squarely (facing) the photo saw where each face point's mirrored texture comes from; 0: none. */
  lend: Float64Array;
  /** Outward normal of each face point in head coordinates, 468 × 3. */
  normal: Float64Array;
}

/**
 * The proxy's second texture, for the parts a turn brings round to face the camera: the photo saw them edge-on (the
 * head's outline, a few pixels for a hand's width of hair) or not at all, so their own texture would stretch into
 * stripes and carry the photo's outline with its background. Instead they take the photo's texture mirrored back
 * into a band the photo saw well (render3d.ts blends the two per frame by how much each vertex turned towards the
 * camera).
 */
export interface ProxyFold {
  /** Folded photo position per vertex, vertexCount × 2 (the proxy's ring vertices; others unused). */
  tex: Float64Array;
  /** Outward surface normal per vertex in head coordinates, vertexCount × 3 (ring vertices; others 0). */
  normal: Float64Array;
  /** 1, falling to 0 at the proxy's lower cut: the folded texture has no soft lower edge of its own. */
  fade: Float32Array;
}

const RINGS = 18;
const SEGMENTS = 40;
/** Default head half-width and half-height (cm) before the matte adjusts them. */
const HALF_WIDTH = 8.4;
const HALF_HEIGHT = 11.8;
const CENTRE_Y = -1.8;
const CUT_Y = 6;
/** Degrees past the face oval's edge where the band that textures the unseen side of the head begins. */
const BAND_MARGIN = 6;
/** Longitude (degrees) past which the photo shows the head's soft outline rather than hair or skin. */
const EDGE_LIMIT = 80;

/** How far (cm) the inpainted hole reaches past the head layer: the hair's soft fringe. */
const GROW = 1;

const DEG = Math.PI / 180;

/** The jaw half of the face oval (SILHOUETTE from 454 round the chin to 234): the neck band hangs from it. */
const JAW_LINE: readonly number[] = SILHOUETTE.slice(SILHOUETTE.indexOf(454), SILHOUETTE.indexOf(234) + 1);
/** How far below the jaw the neck band reaches, relative to the jaw point's distance from the oval's centre. */
const NECK_REACH = 0.7;
/** Depth of the neck band's fixed ring behind the head's origin, cm (behind the hair proxy). */
const NECK_DEPTH = 20;

function poseOf(portrait: Portrait3d): PoseTransform {
  const f = portrait.fit;
  return { rotation: f.rotation, scale: f.scale, translation: f.translation };
}

/** The photo plane in head units, ignoring the portrait's yaw and pitch (its roll, scale and shift are kept). */
function headPlane(
  portrait: Portrait3d,
  a: number,
  b: number,
  yc: number,
): HeadPlane & { hx: (x: number, y: number) => number; heights: (box: PixelBox) => Float64Array } {
  const { scale: s, translation: t } = portrait.fit;
  const roll = anglesOf(portrait.fit.rotation).roll;
  const cr = Math.cos(roll);
  const sr = Math.sin(roll);
  const hx = (x: number, y: number): number => ((x - t[0]) * cr + (y - t[1]) * sr) / s;
  const hy = (x: number, y: number): number => (-(x - t[0]) * sr + (y - t[1]) * cr) / s;
  return {
    hx,
    height: hy,
    radius: (x, y) => Math.hypot(hx(x, y) / a, (hy(x, y) - yc) / b),
    // Every pixel's height over a box, row-major (the same sums as `height`, without a call per pixel).
    heights: (box) => {
      const w = box[2] - box[0] + 1;
      const out = new Float64Array(w * (box[3] - box[1] + 1));
      for (let y = box[1], i = 0; y <= box[3]; y++) {
        const dy = (y - t[1]) * cr;
        for (let x = box[0]; x <= box[2]; x++, i++) out[i] = (-(x - t[0]) * sr + dy) / s;
      }
      return out;
    },
  };
}

/** Least-squares depth centre and radius of the ellipsoid through the face oval: z ≈ zc − c·k(x, y). */
function fitDepth(head: Float64Array, a: number, b: number, yc: number): { zc: number; c: number } {
  let sk = 0;
  let skk = 0;
  let sz = 0;
  let skz = 0;
  let n = 0;
  for (const i of SILHOUETTE) {
    const x = head[i * 3];
    const y = head[i * 3 + 1];
    const z = head[i * 3 + 2];
    const k = Math.sqrt(Math.max(0, 1 - (x / a) ** 2 - ((y - yc) / b) ** 2));
    sk += k;
    skk += k * k;
    sz += z;
    skz += k * z;
    n++;
  }
  const det = n * skk - sk * sk;
  let c = det > 1e-9 ? -(n * skz - sk * sz) / det : 9;
  c = Math.min(14, Math.max(6, c));
  const zc = (sz + c * sk) / n;
  return { zc, c };
}

/** Ring heights and per-ring half-widths from the matte (head-frame extents of head pixels), smoothed. */
function ringWidths(
  matte: Float32Array,
  box: PixelBox,
  plane: ReturnType<typeof headPlane>,
  heights: Float64Array,
  portrait: Portrait3d,
  proxy: { yc: number; b: number; yCut: number },
): { rings: Float64Array; left: Float64Array; right: Float64Array; top: number } {
  const bw = box[2] - box[0] + 1;
  const bins = 48;
  const top0 = proxy.yc - 1.6 * proxy.b;
  const step = (proxy.yCut - top0) / bins;
  const left = new Float64Array(bins);
  const right = new Float64Array(bins);
  let top = proxy.yCut;
  for (let i = 0; i < matte.length; i++) {
    if (matte[i] < 0.5) continue;
    const hy = heights[i];
    if (hy >= proxy.yCut || hy < top0) continue;
    const hx = plane.hx((i % bw) + box[0], Math.floor(i / bw) + box[1]);
    const bin = Math.floor((hy - top0) / step);
    if (hx < 0) left[bin] = Math.max(left[bin], -hx);
    else right[bin] = Math.max(right[bin], hx);
    if (Math.abs(hx) < 3) top = Math.min(top, hy);
  }
  // The face oval is always inside the proxy.
  const H = portrait.head;
  for (const i of SILHOUETTE) {
    const hy = H[i * 3 + 1];
    if (hy >= proxy.yCut || hy < top0) continue;
    const bin = Math.floor((hy - top0) / step);
    if (H[i * 3] < 0) left[bin] = Math.max(left[bin], -H[i * 3]);
    else right[bin] = Math.max(right[bin], H[i * 3]);
  }
  if (top >= proxy.yCut - 2) top = proxy.yc - proxy.b;
  const rings = new Float64Array(RINGS);
  const L = new Float64Array(RINGS);
  const R = new Float64Array(RINGS);
  const bFit = proxy.yc - top;
  for (let r = 0; r < RINGS; r++) {
    // Rings from just below the crown down to the cut, denser near the top where the outline curves fastest.
    const u = (r + 1) / RINGS;
    const hy = top + (proxy.yCut - top) * (1 - Math.cos((u * Math.PI) / 2) * 0.999) ** 1;
    rings[r] = hy;
    const ell = HALF_WIDTH * Math.sqrt(Math.max(0.05, 1 - ((hy - proxy.yc) / bFit) ** 2));
    const bin = Math.min(bins - 1, Math.max(0, Math.floor((hy - top0) / step)));
    let l = 0;
    let rr = 0;
    for (let d = -1; d <= 1; d++) {
      const j = Math.min(bins - 1, Math.max(0, bin + d));
      l = Math.max(l, left[j]);
      rr = Math.max(rr, right[j]);
    }
    L[r] = l > 0 ? Math.min(1.5 * ell, Math.max(0.6 * ell, l)) : ell;
    R[r] = rr > 0 ? Math.min(1.5 * ell, Math.max(0.6 * ell, rr)) : ell;
  }
  for (let pass = 0; pass < 2; pass++) {
    for (const arr of [L, R]) {
      const copy = Float64Array.from(arr);
      for (let r = 1; r < RINGS - 1; r++) arr[r] = (copy[r - 1] + 2 * copy[r] + copy[r + 1]) / 4;
    }
  }
  return { rings, left: L, right: R, top };
}

/**
 * Texture longitude for a proxy point at longitude `phi` as seen from the photo's camera: visible points
 * (|phi| ≤ 90°) are themselves; unseen ones mirror about the outline (the hair beyond the outline continues like
 * the hair before it), but never onto the face: past the mirror of `band` they keep the band's start.
 */
function textureLongitude(phi: number, band: number): number {
  const a = Math.abs(phi);
  if (a <= Math.PI / 2) return phi;
  // The last few degrees before the outline are the hair's soft edge (part background): not mirrored outwards.
  return Math.sign(phi) * Math.max(Math.min(Math.PI - a, EDGE_LIMIT * DEG), band);
}

/** Longitude (degrees) up to which the photo shows hair well enough to mirror it round the head. */
const FOLD_HAIR = 55;
/** How much of a hair band (degrees) a ring needs past the face to mirror its own hair. */
const FOLD_MIN_BAND = 20;

/**
 * Longitude `psi` (as the photo sees it) folded into [lo, hi] like a triangle wave: up to `hi` itself, beyond it
 * mirrored back and forth inside the band, so the texture continues without a seam and never stretches.
 */
function foldLongitude(psi: number, lo: number, hi: number): number {
  const a = Math.abs(psi);
  if (a <= hi) return psi;
  const period = hi - lo;
  if (period <= 1e-6) return Math.sign(psi) * hi;
  const d = a - hi;
  const k = Math.floor(d / period);
  const rem = d - k * period;
  return Math.sign(psi) * (k % 2 === 0 ? hi - rem : lo + rem);
}

/** Facing (cos of the angle to the camera) above which the photo shows a face point well enough to lend texture. */
const WELL_SEEN = 0.45;
/** The furthest (cm) a cheek point's texture is taken from inside the well-seen part of its row. */
const FOLD_REACH = 1.2;

/**
 * How near (cm, in the face's plane) to an outer eye corner a folded cheek or temple point may not take its texture
 * from: there lies the end of the eye's own lash line, which folded outwards drew a second eye corner on the temple of
 * a head turned towards profile, and the tracker put the near eye's corner on it (6–17 px out on the bundled clip's
 * frames 146–165; the eye then read 0.55–0.98 open where the driver's read 1.5). Such a point keeps its own texture.
 */
const EYE_CLEAR = 1.2;

/** Whether head point (x, y) lies within EYE_CLEAR of an outer eye corner (33, 263), in the face's plane. */
function nearEyeCorner(head: Float64Array, x: number, y: number): boolean {
  return [33, 263].some((k) => Math.hypot(head[k * 3] - x, head[k * 3 + 1] - y) < EYE_CLEAR);
}

/**
 * Where each face point the photo saw edge-on (a frontal portrait's outer cheeks, jaw and temples) takes its
 * mirrored texture from: its reflection inwards, in head coordinates, about the last well-seen point of its row,
 * located in the well-seen face triangles and interpolated there, so the texture folds back continuously (like the
 * proxy's hair). Returns photo positions (468 × 2) and the facing the photo saw there (0 where nothing is lent).
 */
function foldedFace(
  head: Float64Array,
  tex: Float64Array,
  seen: Float64Array,
): { tex: Float64Array; lend: Float64Array } {
  const out = new Float64Array(468 * 2);
  const lend = new Float64Array(468);
  const tris: number[] = [];
  for (let t = 0; t < TRI468.length; t += 3) {
    if (seen[TRI468[t]] >= 0.3 && seen[TRI468[t + 1]] >= 0.3 && seen[TRI468[t + 2]] >= 0.3)
      tris.push(TRI468[t], TRI468[t + 1], TRI468[t + 2]);
  }
  const wellSeen: number[] = [];
  for (let j = 0; j < 468; j++) if (seen[j] >= WELL_SEEN) wellSeen.push(j);
  for (let i = 0; i < 468; i++) {
    out[i * 2] = tex[i * 2];
    out[i * 2 + 1] = tex[i * 2 + 1];
    if (seen[i] >= WELL_SEEN) continue;
    const x = head[i * 3];
    const y = head[i * 3 + 1];
    let edge = 0;
    for (const j of wellSeen) {
      if (Math.abs(head[j * 3 + 1] - y) < 0.8 && head[j * 3] * x > 0) edge = Math.max(edge, Math.abs(head[j * 3]));
    }
    const past = Math.abs(x) - edge;
    if (edge === 0 || past <= 0) continue;
    const xr = Math.sign(x) * (edge - Math.min(past, FOLD_REACH));
    if (nearEyeCorner(head, xr, y)) continue;
    for (let t = 0; t < tris.length; t += 3) {
      const a = tris[t];
      const b = tris[t + 1];
      const c = tris[t + 2];
      const ax = head[a * 3];
      const ay = head[a * 3 + 1];
      const det = (head[b * 3] - ax) * (head[c * 3 + 1] - ay) - (head[c * 3] - ax) * (head[b * 3 + 1] - ay);
      if (Math.abs(det) < 1e-12) continue;
      const l1 = ((xr - ax) * (head[c * 3 + 1] - ay) - (head[c * 3] - ax) * (y - ay)) / det;
      const l2 = ((head[b * 3] - ax) * (y - ay) - (xr - ax) * (head[b * 3 + 1] - ay)) / det;
      if (l1 < 0 || l2 < 0 || l1 + l2 > 1) continue;
      const l0 = 1 - l1 - l2;
      out[i * 2] = l0 * tex[a * 2] + l1 * tex[b * 2] + l2 * tex[c * 2];
      out[i * 2 + 1] = l0 * tex[a * 2 + 1] + l1 * tex[b * 2 + 1] + l2 * tex[c * 2 + 1];
      lend[i] = l0 * seen[a] + l1 * seen[b] + l2 * seen[c];
      break;
    }
  }
  return { tex: out, lend };
}

/** Area-weighted vertex normals of the face mesh (head coordinates), turned to face the camera (−z) at the nose. */
function faceNormals(head: Float64Array): Float64Array {
  const n = new Float64Array(468 * 3);
  for (let t = 0; t < TRI468.length; t += 3) {
    const [a, b, c] = [TRI468[t], TRI468[t + 1], TRI468[t + 2]];
    const ux = head[b * 3] - head[a * 3];
    const uy = head[b * 3 + 1] - head[a * 3 + 1];
    const uz = head[b * 3 + 2] - head[a * 3 + 2];
    const vx = head[c * 3] - head[a * 3];
    const vy = head[c * 3 + 1] - head[a * 3 + 1];
    const vz = head[c * 3 + 2] - head[a * 3 + 2];
    const nx = uy * vz - uz * vy;
    const ny = uz * vx - ux * vz;
    const nz = ux * vy - uy * vx;
    for (const k of [a, b, c]) {
      n[k * 3] += nx;
      n[k * 3 + 1] += ny;
      n[k * 3 + 2] += nz;
    }
  }
  const sign = n[1 * 3 + 2] > 0 ? -1 : 1;
  for (let i = 0; i < 468; i++) {
    const len = Math.hypot(n[i * 3], n[i * 3 + 1], n[i * 3 + 2]) || 1;
    for (let k = 0; k < 3; k++) n[i * 3 + k] *= sign / len;
  }
  return n;
}

/** Half-width (cm) of the face oval at height `hy` on the side `sign` (−1 left, +1 right), 0 outside it. */
function ovalHalfWidth(head: Float64Array, hy: number, sign: number): number {
  let best = 0;
  const n = SILHOUETTE.length;
  for (let k = 0; k < n; k++) {
    const i = SILHOUETTE[k];
    const j = SILHOUETTE[(k + 1) % n];
    const y0 = head[i * 3 + 1];
    const y1 = head[j * 3 + 1];
    if (hy < y0 === hy < y1) continue;
    const t = (hy - y0) / (y1 - y0);
    const x = head[i * 3] + t * (head[j * 3] - head[i * 3]);
    if (x * sign > best) best = x * sign;
  }
  return best;
}

/**
 * Head scale (px a cm) from which the matte is scored on a 2-px grid: 2 px are then at most 1/6 cm of the head (the
 * bench's 1080p portrait has ~14 px a cm, the bundled 512² one ~6.6), so the matte's detail on the head stays about
 * the same whatever the photo's size. A grid of 2 is what head-matte.test.ts checks against the full matte.
 */
const MATTE_GRID_SCALE = 12;

/**
 * The portrait's head matte (head-matte.ts) over the box around a default head proxy, colours scored on every
 * `step`-th pixel (see headMatte; by default from the head's size in the photo, MATTE_GRID_SCALE).
 */
export function portraitMatte(
  src: Pixels,
  portrait: Portrait3d,
  step = portrait.fit.scale >= MATTE_GRID_SCALE ? 2 : 1,
): { matte: Float32Array; box: PixelBox; plane: ReturnType<typeof headPlane> } {
  const H = portrait.head;
  const s = portrait.fit.scale;
  const t = portrait.fit.translation;
  const plane = headPlane(portrait, HALF_WIDTH, HALF_HEIGHT, CENTRE_Y);
  const reach = 2.1 * HALF_HEIGHT * s;
  const box: PixelBox = [
    Math.max(0, Math.floor(t[0] - reach)),
    Math.max(0, Math.floor(t[1] + CENTRE_Y * s - reach)),
    Math.min(src.width - 1, Math.ceil(t[0] + reach)),
    Math.min(src.height - 1, Math.ceil(t[1] + CENTRE_Y * s + reach)),
  ];
  const oval = new Float64Array(SILHOUETTE.length * 2);
  SILHOUETTE.forEach((i, k) => {
    oval[k * 2] = portrait.landmarks[i * 3];
    oval[k * 2 + 1] = portrait.landmarks[i * 3 + 1];
  });
  const chin = H[152 * 3 + 1];
  const matte = headMatte({ src, box, plane, oval, foreheadHeight: H[10 * 3 + 1], shoulderHeight: chin }, step);
  return { matte, box, plane };
}

/** Builds the head model and its base frame. `blank` is the photo as RGBA with alpha 0. */
export function buildHeadModel(src: Pixels, blank: Uint8Array, portrait: Portrait3d): HeadModel3d {
  const H = portrait.head;
  const s = portrait.fit.scale;
  const t = portrait.fit.translation;
  // 1. Matte around a default proxy, then the proxy fitted to it.
  const first = portraitMatte(src, portrait);
  const { matte, box } = first;
  let plane = first.plane;
  // Heights do not depend on the proxy's size: one map serves the widths, the layer and the base frame.
  const heights = plane.heights(box);
  const widths = ringWidths(matte, box, plane, heights, portrait, { yc: CENTRE_Y, b: HALF_HEIGHT, yCut: CUT_Y });
  const b = CENTRE_Y - widths.top;
  plane = headPlane(portrait, HALF_WIDTH, b, CENTRE_Y);
  const { zc, c } = fitDepth(H, HALF_WIDTH, b, CENTRE_Y);
  const proxy: Proxy = {
    yc: CENTRE_Y,
    b,
    zc,
    c,
    yCut: CUT_Y,
    rings: widths.rings,
    left: widths.left,
    right: widths.right,
  };

  // 2. Vertices: face, mouth centre, crown, then RINGS × SEGMENTS.
  const mouthCentre = 468;
  const proxyStart = 469;
  const crown = proxyStart;
  const ring0 = crown + 1;
  const neckStart = ring0 + RINGS * SEGMENTS;
  const vertexCount = neckStart + JAW_LINE.length;
  const head = new Float64Array(vertexCount * 3);
  const tex = new Float64Array(vertexCount * 2);
  head.set(H);
  for (let i = 0; i < 468; i++) {
    tex[i * 2] = portrait.landmarks[i * 3];
    tex[i * 2 + 1] = portrait.landmarks[i * 3 + 1];
  }
  let mx = 0;
  let my = 0;
  let mz = 0;
  let ux = 0;
  let uy = 0;
  for (const i of MOUTH_LOOP) {
    mx += H[i * 3] / MOUTH_LOOP.length;
    my += H[i * 3 + 1] / MOUTH_LOOP.length;
    mz += H[i * 3 + 2] / MOUTH_LOOP.length;
    ux += portrait.landmarks[i * 3] / MOUTH_LOOP.length;
    uy += portrait.landmarks[i * 3 + 1] / MOUTH_LOOP.length;
  }
  head.set([mx, my, mz + 1.2], mouthCentre * 3);
  tex.set([ux, uy], mouthCentre * 2);
  const pose = poseOf(portrait);
  const cam = portrait.camera;
  const tmp = new Float64Array(3);
  const yawP = anglesOf(portrait.fit.rotation).yaw;
  const depthAt = (hy: number): number => c * Math.sqrt(Math.max(0, 1 - ((hy - proxy.yc) / b) ** 2));
  const ringPoint = (r: number, phi: number, out: Float64Array, o: number): void => {
    const hy = proxy.rings[r];
    const half = phi < 0 ? proxy.left[r] : proxy.right[r];
    out[o] = half * Math.sin(phi);
    out[o + 1] = hy;
    out[o + 2] = zc - depthAt(hy) * Math.cos(phi);
  };
  const topY = widths.top;
  head.set([0, topY, zc], crown * 3);
  projectHead(pose, cam, 0, topY, zc - 0.3 * c, tmp, 0);
  tex.set([tmp[0], tmp[1]], crown * 2);
  const at = new Float64Array(2);
  const matteWidth = box[2] - box[0] + 1;
  const matteHeight = box[3] - box[1] + 1;
  const fold: ProxyFold = {
    tex: new Float64Array(vertexCount * 2),
    normal: new Float64Array(vertexCount * 3),
    fade: new Float32Array(vertexCount).fill(1),
  };
  const p = new Float64Array(3);
  const texAt = (r: number, phi: number, out: Float64Array, o: number): void => {
    ringPoint(r, phi, p, 0);
    projectHead(pose, cam, p[0], p[1], p[2], tmp, 0);
    out[o] = tmp[0];
    out[o + 1] = tmp[1];
  };
  // The face oval's edge on each ring and side (longitude, 0 where the ring passes above or below the face).
  const edges = Array.from({ length: RINGS }, (_, r) =>
    [-1, 1].map((sign) => {
      const half = sign < 0 ? proxy.left[r] : proxy.right[r];
      return Math.asin(Math.min(1, ovalHalfWidth(H, proxy.rings[r], sign) / half));
    }),
  );
  // The band each ring's turned-in texture folds into, per side: the hair past the face, where the photo shows
  // enough of it on this ring; lower down (beside the face, where the photo shows a sliver of hair or an ear edge-on)
  // the hair of the rings above, mirrored upwards about the lowest ring that shows enough (so the hair keeps its
  // vertical texture rather than repeating one ring's).
  const foldBands = [0, 1].map((side) => {
    const own = edges.map((pair) => {
      const lo = pair[side] > 0 ? pair[side] + BAND_MARGIN * DEG : 0;
      return FOLD_HAIR * DEG - lo >= FOLD_MIN_BAND * DEG ? { lo, hi: FOLD_HAIR * DEG } : null;
    });
    let last = 0;
    return own.map((band, r) => {
      if (band) {
        last = r;
        return { ring: r, ...band };
      }
      const d = r - last;
      const period = Math.max(1, last);
      const k = Math.floor(d / period);
      const rem = d - k * period;
      let ring = k % 2 === 0 ? last - rem : rem;
      while (ring > 0 && !own[ring]) ring--;
      return { ring, ...(own[ring] ?? { lo: 0, hi: FOLD_HAIR * DEG }) };
    });
  });
  for (let r = 0; r < RINGS; r++) {
    const hy = proxy.rings[r];
    // Where the unseen side's texture band starts on each side: past the face oval's edge on this ring.
    const bands = edges[r].map((e) => Math.min(EDGE_LIMIT * DEG, e + BAND_MARGIN * DEG));
    const rho = depthAt(hy) / c;
    const ny = (hy - proxy.yc) / (b * b);
    const fade = Math.min(1, Math.max(0, (proxy.yCut - hy) / (proxy.yCut - proxy.rings[RINGS - 2])));
    // Whether the photo shows head (hair, ears) past the face on this ring, each side: where it shows background,
    // the head is no wider than the face there, and the folded texture must not paint hair the photo never had.
    const headBeside = edges[r].map((e, side) => {
      let most = 0;
      for (let deg = e / DEG + BAND_MARGIN; deg <= 85; deg += 3) {
        texAt(r, (side === 0 ? -deg : deg) * DEG - yawP, at, 0);
        const mx = Math.round(at[0]) - box[0];
        const my = Math.round(at[1]) - box[1];
        if (mx >= 0 && my >= 0 && mx < matteWidth && my < matteHeight)
          most = Math.max(most, matte[my * matteWidth + mx]);
      }
      return most;
    });
    for (let k = 0; k < SEGMENTS; k++) {
      const phi = -Math.PI + (2 * Math.PI * k) / SEGMENTS;
      const v = ring0 + r * SEGMENTS + k;
      ringPoint(r, phi, head, v * 3);
      // Texture: the same ring point at the longitude the photo shows for it.
      const seen = phi + yawP;
      const side = seen < 0 ? 0 : 1;
      texAt(r, textureLongitude(seen, bands[side]) - yawP, tex, v * 2);
      const f = foldBands[side][r];
      texAt(f.ring, foldLongitude(seen, f.lo, f.hi) - yawP, fold.tex, v * 2);
      // Normal of the ellipsoid-like surface (x = half·sin φ, z = zc − depth·cos φ).
      const half = phi < 0 ? proxy.left[r] : proxy.right[r];
      const nx = (rho * rho * Math.sin(phi)) / half;
      const nz = (-rho * Math.cos(phi)) / c;
      const len = Math.hypot(nx, ny, nz) || 1;
      fold.normal.set([nx / len, ny / len, nz / len], v * 3);
      fold.fade[v] = fade * headBeside[side];
    }
  }
  const proxyTris: number[] = [];
  for (let k = 0; k < SEGMENTS; k++) proxyTris.push(crown, ring0 + ((k + 1) % SEGMENTS), ring0 + k);
  for (let r = 0; r < RINGS - 1; r++) {
    for (let k = 0; k < SEGMENTS; k++) {
      const a0 = ring0 + r * SEGMENTS + k;
      const a1 = ring0 + r * SEGMENTS + ((k + 1) % SEGMENTS);
      const b0 = a0 + SEGMENTS;
      const b1 = a1 + SEGMENTS;
      proxyTris.push(a0, a1, b1, a0, b1, b0);
    }
  }
  // The neck band: jaw points (moving with the head) to a ring below them that stays in the photo.
  let ox = 0;
  let oy = 0;
  for (const i of SILHOUETTE) {
    ox += portrait.landmarks[i * 3] / SILHOUETTE.length;
    oy += portrait.landmarks[i * 3 + 1] / SILHOUETTE.length;
  }
  const neckRest = new Float64Array(JAW_LINE.length * 3);
  JAW_LINE.forEach((i, k) => {
    const x = portrait.landmarks[i * 3];
    const y = portrait.landmarks[i * 3 + 1];
    const nx = Math.min(src.width - 1, Math.max(0, x + (x - ox) * NECK_REACH));
    const ny = Math.min(src.height - 1, Math.max(0, y + Math.max(0, y - oy) * NECK_REACH));
    neckRest.set([nx, ny, t[2] + NECK_DEPTH * s], k * 3);
    tex.set([nx, ny], (neckStart + k) * 2);
  });
  const neckTris: number[] = [];
  for (let k = 0; k + 1 < JAW_LINE.length; k++) {
    neckTris.push(JAW_LINE[k], JAW_LINE[k + 1], neckStart + k + 1, JAW_LINE[k], neckStart + k + 1, neckStart + k);
  }
  const faceTris: number[] = [...TRI468];
  MOUTH_LOOP.forEach((a, k) => {
    faceTris.push(a, MOUTH_LOOP[(k + 1) % MOUTH_LOOP.length], mouthCentre);
  });
  // Which winding faces the camera: a front ring quad (φ = 0) at rest.
  const dst = new Float64Array(vertexCount * 3);
  for (let v = 0; v < vertexCount; v++)
    projectHead(pose, cam, head[v * 3], head[v * 3 + 1], head[v * 3 + 2], dst, v * 3);
  const mid = ring0 + Math.floor(RINGS / 2) * SEGMENTS + SEGMENTS / 2;
  const [fa, fb, fc] = [mid, mid + 1, mid + 1 + SEGMENTS];
  const frontDet =
    (dst[fb * 3] - dst[fa * 3]) * (dst[fc * 3 + 1] - dst[fa * 3 + 1]) -
    (dst[fc * 3] - dst[fa * 3]) * (dst[fb * 3 + 1] - dst[fa * 3 + 1]);
  const mesh: HeadMesh = {
    vertexCount,
    tex,
    proxyTriangles: Uint32Array.from(proxyTris),
    faceTriangles: Uint32Array.from(faceTris),
    neckTriangles: Uint32Array.from(neckTris),
    frontSign: Math.sign(frontDet) || 1,
  };

  // 3. Layer = matte ∩ what the head covers at rest, faded above the proxy's lower cut outside the face; 4. the base
  // frame, the photo with the layer (grown by GROW cm) inpainted (head-base.ts).
  const heightMap = { heights, cutY: CUT_Y };
  const layer = headLayer(src, mesh, dst, box, matte, heightMap);
  const base = baseFrame(src, blank, layer, heightMap, Math.max(1, Math.round(GROW * s)));
  const normal = faceNormals(H);
  const R0 = portrait.fit.rotation;
  const seenFacing = new Float64Array(468);
  for (let i = 0; i < 468; i++) {
    // Sideways facing only, as render3d.ts measures it (see mirroredFace).
    const len = Math.hypot(normal[i * 3], normal[i * 3 + 2]) || 1;
    seenFacing[i] = -(R0[6] * normal[i * 3] + R0[8] * normal[i * 3 + 2]) / len;
  }
  const folded = foldedFace(H, tex, seenFacing);
  const mirror: FaceMirror = { tex: new Float64Array(vertexCount * 2), lend: folded.lend, normal };
  mirror.tex.set(folded.tex);
  return {
    mesh,
    neckStart,
    neckRest,
    head,
    mouthCentre,
    proxyStart,
    ringStart: ring0,
    layer,
    base,
    proxy,
    fold,
    mirror,
  };
}
