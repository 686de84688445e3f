/**
 * The 3-D head's layer and base frame, built once per portrait (head-model.ts): which photo pixels belong to the
 * moving head, and the photo with those pixels, grown past the hair's fringe, inpainted from the backdrop (what a
 * moved head uncovers). Both work over the head's box only, before the first frame of every render, so their code
 * runs cold: each pass over the box is its own small function with one loop, because V8 compiles a hot loop alone
 * (on-stack replacement) and drops that code again at the next loop of the same function, which has not run yet.
 */
import { boxBlur } from './head-matte.js';
import { pushPullFill } from './inpaint.js';
import { type HeadMesh, type Layer, rasterHead, withFullTable } from './raster3d.js';
import { createWarpScratch, type PixelBox, type Pixels } from './warp.js';

/** Head-frame height (cm, y down) where the proxy ends: below it, only the face and the neck band belong to the head. */
export interface HeightMap {
  /** Head-frame height of every pixel of the box, row-major. */
  heights: Float64Array;
  cutY: number;
}

/**
 * The head layer over `box`: the matte (head-matte.ts) where the head covers the photo at rest, 1 over the face mesh,
 * faded out above the proxy's lower cut outside the face, then softened by a pixel.
 * @param dst the head's vertices at rest on screen (x, y, depth per vertex)
 */
export function headLayer(
  src: Pixels,
  mesh: HeadMesh,
  dst: Float64Array,
  box: PixelBox,
  matte: Float32Array,
  at: HeightMap,
): Layer {
  const bw = box[2] - box[0] + 1;
  const bh = box[3] - box[1] + 1;
  // Coverage 1 over the box; its table of pixels below full coverage is all zeros, so triangles inside the box skip
  // the per-pixel lookup.
  const ones: Layer = {
    box,
    stride: bw,
    data: new Float32Array(bw * bh).fill(1),
    partial: new Int32Array((bw + 1) * (bh + 1)),
  };
  // What the head covers, and what of it is the face: two draws of the mesh at rest, over the box only (the layer is
  // read nowhere else). Only their alpha is read, so each draws over itself as its base (a base lends colour only).
  const cover = new Uint8Array(src.width * src.height * 4);
  const faceCover = new Uint8Array(cover.length);
  const scratch = createWarpScratch(box);
  const none = new Uint32Array(0);
  rasterHead(src, cover, cover, { ...mesh, neckTriangles: none }, dst, ones, scratch);
  rasterHead(src, faceCover, faceCover, { ...mesh, proxyTriangles: none, neckTriangles: none }, dst, ones, scratch);
  const data = layerValues(cover, faceCover, src.width, box, matte, at);
  boxBlur(data, bw, bh, 1);
  return withFullTable({ box, stride: bw, data });
}

/**
 * The base frame: `blank` (the photo as RGBA, alpha 0) with the layer inpainted. The layer is grown by `grow` pixels
 * first, since the matte stops where the hair is half background and the fringe beyond it would stay behind as a
 * ghost of the head's outline (and tint the fill). Only the part above the proxy's cut grows that far (the hair);
 * below it the jaw's edge grows by a pixel (the neck band covers what lies under the jaw, and the collar and shoulders
 * keep their own pixels). The fill's colour comes from above the cut too: the background beside and above the head,
 * not the neck, collar and shoulders (those smeared a grey-brown shadow behind the jaw once the head turned).
 */
export function baseFrame(src: Pixels, blank: Uint8Array, layer: Layer, at: HeightMap, grow: number): Uint8Array {
  const { box } = layer;
  const bw = box[2] - box[0] + 1;
  const bh = box[3] - box[1] + 1;
  const n = bw * bh;
  // Heights compare as single floats, as they were once stored (the base frame stays byte for byte what it was).
  const above = new Uint8Array(n);
  const seed = new Uint8Array(n);
  holeMasks(at, layer.data, above, seed);
  const far = dilate(seed, bw, bh, grow);
  const near = dilate(seed, bw, bh, 1);
  const hole = new Uint8Array(n);
  // The fill's edge is feathered into the photo over a few pixels (colour and matte alike), so neither shows a cut.
  const feather = new Float32Array(n);
  holeOf(near, far, above, hole, feather);
  const patch = patchOf(src, box);
  pushPullFill(patch, 4, bw, bh, hole, above);
  boxBlur(feather, bw, bh, 2);
  const base = blank.slice();
  paste(base, src.width, box, patch, hole, feather);
  return base;
}

/**
 * Binary dilation of a w × h mask by a (2r + 1)² square: 1 wherever a set pixel lies within r columns and r rows.
 * Separable: each row by the distance to the nearest set pixel along it, then each column the same way, scanning
 * rows in order with one running distance per column (down, then up).
 */
function dilate(mask: Uint8Array, w: number, h: number, r: number): Uint8Array {
  const rows = new Uint8Array(w * h);
  dilateRows(mask, rows, w, h, r);
  const out = new Uint8Array(w * h);
  const gap = new Int32Array(w);
  dilateColumns(rows, out, gap, w, h, r, 1);
  dilateColumns(rows, out, gap, w, h, r, -1);
  return out;
}

function dilateRows(mask: Uint8Array, rows: Uint8Array, w: number, h: number, r: number): void {
  for (let y = 0; y < h; y++) {
    const o = y * w;
    let last = -r - 1;
    for (let x = 0; x < w; x++) {
      if (mask[o + x]) last = x;
      if (x - last <= r) rows[o + x] = 1;
    }
    let next = w + r;
    for (let x = w - 1; x >= 0; x--) {
      if (mask[o + x]) next = x;
      if (next - x <= r) rows[o + x] = 1;
    }
  }
}

/** One sweep of the columns (down: dir 1, up: −1), one running distance to the last set pixel per column. */
function dilateColumns(
  rows: Uint8Array,
  out: Uint8Array,
  gap: Int32Array,
  w: number,
  h: number,
  r: number,
  dir: number,
): void {
  gap.fill(r + 1);
  for (let k = 0; k < h; k++) {
    const o = (dir > 0 ? k : h - 1 - k) * w;
    for (let x = 0; x < w; x++) {
      gap[x] = rows[o + x] ? 0 : gap[x] + 1;
      if (gap[x] <= r) out[o + x] = 1;
    }
  }
}

/** The layer over the box: 1 on the face, the matte faded above the cut elsewhere the head covers, 0 outside it. */
function layerValues(
  cover: Uint8Array,
  faceCover: Uint8Array,
  width: number,
  box: PixelBox,
  matte: Float32Array,
  at: HeightMap,
): Float32Array {
  const bw = box[2] - box[0] + 1;
  const bh = box[3] - box[1] + 1;
  const data = new Float32Array(bw * bh);
  const { heights, cutY } = at;
  for (let y = 0, i = 0; y < bh; y++) {
    for (let x = 0, p = ((y + box[1]) * width + box[0]) * 4 + 3; x < bw; x++, i++, p += 4) {
      if (cover[p] === 0) continue;
      if (faceCover[p] !== 0) data[i] = 1;
      else data[i] = matte[i] * Math.min(1, Math.max(0, (cutY - heights[i]) / 0.5));
    }
  }
  return data;
}

/** Above the cut (as single floats), and the layer's seed for the hole. */
function holeMasks(at: HeightMap, layer: Float32Array, above: Uint8Array, seed: Uint8Array): void {
  for (let i = 0; i < above.length; i++) {
    above[i] = Math.fround(at.heights[i]) < at.cutY ? 1 : 0;
    seed[i] = layer[i] > 0.02 ? 1 : 0;
  }
}

/** The hole: grown by a pixel everywhere, by `far` above the cut; its feather starts as a copy of it. */
function holeOf(near: Uint8Array, far: Uint8Array, above: Uint8Array, hole: Uint8Array, feather: Float32Array): void {
  for (let i = 0; i < hole.length; i++) {
    const h = near[i] || (far[i] && above[i]) ? 1 : 0;
    hole[i] = h;
    feather[i] = h;
  }
}

/**
 * The box of the photo as RGBA. A cut-out portrait's alpha is inpainted with its colour, so a hole among transparent
 * pixels stays transparent (alpha 0 there means "the photo's own pixel", which is then what the base holds).
 */
function patchOf(src: Pixels, box: PixelBox): Uint8Array {
  const bw = box[2] - box[0] + 1;
  const bh = box[3] - box[1] + 1;
  const ch = src.channels;
  const data = src.data;
  const patch = new Uint8Array(bw * bh * 4);
  for (let y = 0, o = 0; y < bh; y++) {
    for (let x = 0, q = ((y + box[1]) * src.width + box[0]) * ch; x < bw; x++, o += 4, q += ch) {
      patch[o] = data[q];
      patch[o + 1] = data[q + 1];
      patch[o + 2] = data[q + 2];
      patch[o + 3] = ch === 4 ? data[q + 3] : 255;
    }
  }
  return patch;
}

/** The filled hole blended into `base` (RGBA, photo width) by its feather. */
function paste(
  base: Uint8Array,
  width: number,
  box: PixelBox,
  patch: Uint8Array,
  hole: Uint8Array,
  feather: Float32Array,
): void {
  const bw = box[2] - box[0] + 1;
  const bh = box[3] - box[1] + 1;
  for (let y = 0, j = 0; y < bh; y++) {
    for (let x = 0, p = ((y + box[1]) * width + box[0]) * 4; x < bw; x++, j++, p += 4) {
      if (!hole[j]) continue;
      const i = j * 4;
      const t = Math.min(1, feather[j]);
      const a = Math.round(patch[i + 3] * t);
      if (a === 0) continue;
      base[p] = Math.round(base[p] + (patch[i] - base[p]) * t);
      base[p + 1] = Math.round(base[p + 1] + (patch[i + 1] - base[p + 1]) * t);
      base[p + 2] = Math.round(base[p + 2] + (patch[i + 2] - base[p + 2]) * t);
      base[p + 3] = a;
    }
  }
}
