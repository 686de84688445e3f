/**
 * The 3-D head's rasteriser: textured triangles with a depth buffer, texture = the portrait itself (each vertex
 * knows where it was in the photo), coverage = the head layer sampled at that same photo position, composited
 * over a base frame (the portrait with the head's old place inpainted). Two passes: the head proxy (skull, hair;
 * back faces culled), then the face mesh, which always wins over the proxy it sits on and resolves its own folds
 * (nose over the far cheek) by depth. Screen-space (affine) interpolation: the triangles are small enough that
 * perspective correction would move texture by well under a pixel.
 */
import {
  alphaAt,
  createTaps,
  createTriFrame,
  setupTriangle,
  startDepth,
  tapLerp,
  tapSum,
  tapsAt,
  triFrame,
  visiblePixels,
} from './raster.js';
import type { PixelBox, Pixels, WarpScratch } from './warp.js';

export interface HeadMesh {
  vertexCount: number;
  /** Photo position of each vertex, vertexCount × 2 (portrait px). */
  tex: Float64Array;
  /** Proxy triangles (skull, hair), consistently wound. */
  proxyTriangles: Uint32Array;
  /** Face triangles (TRI468 and the mouth fan). */
  faceTriangles: Uint32Array;
  /** Neck band triangles (jaw line → a fixed ring below it): photo pixels, always opaque head-side. */
  neckTriangles: Uint32Array;
  /** Sign of the screen-space determinant of a proxy triangle that faces the camera. */
  frontSign: number;
  /** Opacity per vertex for the proxy triangles (this frame's turn, render3d.ts); none: opaque. */
  proxyAlpha?: Float32Array;
  /**
   * A second texture for the face triangles, mixed in per vertex (render3d.ts: the mirrored face where a turn brings
   * round a cheek the photo saw edge-on); none: the face's own texture only.
   */
  faceMirror?: { tex: Float64Array; mix: Float32Array };
  /** Opacity per vertex for the face triangles (the oval's edge where a turn brings it round); none: opaque. */
  faceAlpha?: Float32Array;
}

/** Head coverage per photo pixel over `box` (0..1; 0 outside the box). */
export interface Layer {
  box: PixelBox;
  stride: number;
  data: Float32Array;
  /**
   * Summed-area table of the pixels below full coverage, (width + 1) × (height + 1) (see withFullTable): a triangle
   * whose texture lies where the layer is 1 throughout skips the per-pixel lookup (most of the face and hair).
   */
  partial?: Int32Array;
}

/** The layer with its summed-area table of pixels below full coverage. */
export function withFullTable(layer: Layer): Layer {
  const w = layer.stride;
  const h = layer.box[3] - layer.box[1] + 1;
  const table = new Int32Array((w + 1) * (h + 1));
  for (let y = 0; y < h; y++) {
    let row = 0;
    for (let x = 0; x < w; x++) {
      row += layer.data[y * w + x] < 1 ? 1 : 0;
      table[(y + 1) * (w + 1) + x + 1] = table[y * (w + 1) + x + 1] + row;
    }
  }
  return { ...layer, partial: table };
}

/** True when the layer is 1 at every pixel a bilinear lookup inside [x0, x1] × [y0, y1] can touch. */
function layerFull(layer: Layer, x0: number, y0: number, x1: number, y1: number): boolean {
  const table = layer.partial;
  if (!table) return false;
  const [bx0, by0, bx1, by1] = layer.box;
  const a = Math.floor(x0) - bx0;
  const b = Math.floor(y0) - by0;
  const c = Math.min(Math.floor(x1) + 1, bx1) - bx0;
  const d = Math.min(Math.floor(y1) + 1, by1) - by0;
  if (a < 0 || b < 0 || c >= layer.stride || d > by1 - by0) return false;
  const w = layer.stride + 1;
  return table[(d + 1) * w + c + 1] - table[b * w + c + 1] - table[(d + 1) * w + a] + table[b * w + a] === 0;
}

function layerAt(layer: Layer, x: number, y: number): number {
  const [x0, y0, x1, y1] = layer.box;
  if (x < x0 || y < y0 || x > x1 || y > y1) return 0;
  const fx0 = x - x0;
  const fy0 = y - y0;
  const ix = fx0 | 0;
  const iy = fy0 | 0;
  const fx = fx0 - ix;
  const fy = fy0 - iy;
  const w = layer.stride;
  const h = y1 - y0 + 1;
  const ix1 = ix + 1 < w ? ix + 1 : ix;
  const iy1 = iy + 1 < h ? iy + 1 : iy;
  const d = layer.data;
  return (
    (d[iy * w + ix] * (1 - fx) + d[iy * w + ix1] * fx) * (1 - fy) +
    (d[iy1 * w + ix] * (1 - fx) + d[iy1 * w + ix1] * fx) * fy
  );
}

/** Depth offset that puts every face triangle in front of every proxy triangle. */
const FACE_BIAS = -1e7;

/**
 * Draws the head into `out` (RGBA, portrait size), starting from `base` (same layout) wherever it draws.
 * @param dst screen x, y and camera depth per vertex, vertexCount × 3
 * @returns the box that may have changed
 */
export function rasterHead(
  src: Pixels,
  out: Uint8Array,
  base: Uint8Array,
  mesh: HeadMesh,
  dst: Float64Array,
  layer: Layer,
  scratch: WarpScratch,
): PixelBox {
  // Clipped to the image and to the depth buffer's region (the whole frame when rendering; the head's box when
  // the portrait is analysed).
  const [rx0, ry0, rx1, ry1] = scratch.region;
  const clip: PixelBox = [
    Math.max(0, rx0),
    Math.max(0, ry0),
    Math.min(src.width - 1, rx1),
    Math.min(src.height - 1, ry1),
  ];
  const box = startDepth(dst, mesh.vertexCount, clip, scratch);
  drawTriangles(src, out, base, mesh, mesh.neckTriangles, dst, null, null, null, scratch, box, 0, 0);
  const alpha = mesh.proxyAlpha ?? null;
  drawTriangles(src, out, base, mesh, mesh.proxyTriangles, dst, layer, alpha, null, scratch, box, 0, mesh.frontSign);
  const mirror = mesh.faceMirror ?? null;
  const faceAlpha = mesh.faceAlpha ?? null;
  drawTriangles(src, out, base, mesh, mesh.faceTriangles, dst, layer, faceAlpha, mirror, scratch, box, FACE_BIAS, 0);
  return box;
}

function drawTriangles(
  src: Pixels,
  out: Uint8Array,
  base: Uint8Array,
  mesh: HeadMesh,
  tri: Uint32Array,
  dst: Float64Array,
  layer: Layer | null,
  alpha: Float32Array | null,
  mirror: { tex: Float64Array; mix: Float32Array } | null,
  scratch: WarpScratch,
  box: PixelBox,
  bias: number,
  cull: number,
): void {
  const { width: w, channels: ch, data } = src;
  const s = mesh.tex;
  const mapX = scratch.srcX;
  const mapY = scratch.srcY;
  const { scan, taps } = scratch;
  const frame = createTriFrame();
  const mirrorFrame = createTriFrame();
  for (let t = 0; t < tri.length; t += 3) {
    const a = tri[t];
    const b = tri[t + 1];
    const c = tri[t + 2];
    if (!setupTriangle(dst, a, b, c, box, scan)) continue;
    if (cull !== 0 && scan.det * cull < 0) continue;
    const za = dst[a * 3 + 2] + bias;
    const dzb = dst[b * 3 + 2] - dst[a * 3 + 2];
    const dzc = dst[c * 3 + 2] - dst[a * 3 + 2];
    const { xa: sxa, ya: sya, dxb: dsxb, dyb: dsyb, dxc: dsxc, dyc: dsyc } = triFrame(s, a, b, c, frame);
    // Texture entirely where the layer is 1 (and the source has no alpha of its own): coverage 1, no lookups.
    const full =
      layer !== null &&
      ch !== 4 &&
      layerFull(
        layer,
        Math.min(sxa, sxa + dsxb, sxa + dsxc),
        Math.min(sya, sya + dsyb, sya + dsyc),
        Math.max(sxa, sxa + dsxb, sxa + dsxc),
        Math.max(sya, sya + dsyb, sya + dsyc),
      );
    const aa = alpha ? alpha[a] : 1;
    const dab = alpha ? alpha[b] - aa : 0;
    const dac = alpha ? alpha[c] - aa : 0;
    if (aa <= 0 && aa + dab <= 0 && aa + dac <= 0) continue;
    // The mirrored texture, where any corner mixes it in.
    const ma = mirror ? mirror.mix[a] : 0;
    const mixed = mirror !== null && (ma > 0 || mirror.mix[b] > 0 || mirror.mix[c] > 0);
    const m2 = mirror?.tex ?? s;
    const dmb = mixed ? (mirror?.mix[b] ?? 0) - ma : 0;
    const dmc = mixed ? (mirror?.mix[c] ?? 0) - ma : 0;
    const { xa: txa, ya: tya, dxb: dtxb, dyb: dtyb, dxc: dtxc, dyc: dtyc } = triFrame(m2, a, b, c, mirrorFrame);
    const end = 2 * visiblePixels(scan, za, dzb, dzc, scratch, w);
    const { hitIndex, hitL } = scan;
    for (let k = 0; k < end; k += 2) {
      const l1 = hitL[k];
      const l2 = hitL[k + 1];
      const zi = hitIndex[k];
      const o = hitIndex[k + 1] * 4;
      const sx = sxa + l1 * dsxb + l2 * dsxc;
      const sy = sya + l1 * dsyb + l2 * dsyc;
      let cov = layer && !full ? layerAt(layer, sx, sy) : 1;
      if (alpha) cov *= aa + l1 * dab + l2 * dac;
      // A cut-out portrait keeps its alpha: its transparent pixels are not head.
      if (ch === 4 && cov > 0) cov *= alphaAt(src, sx, sy) / 255;
      mapX[zi] = sx;
      mapY[zi] = sy;
      if (mixed) {
        const m = ma + l1 * dmb + l2 * dmc;
        if (m > 0) {
          cov = blendMirrored(
            src,
            out,
            o,
            layer,
            sx,
            sy,
            cov,
            txa + l1 * dtxb + l2 * dtxc,
            tya + l1 * dtyb + l2 * dtyc,
            m,
          );
          if (out[o + 3] === 0) for (let q = 0; q < 3; q++) out[o + q] = base[o + q];
          continue;
        }
      }
      // Not head here (background inside the proxy's outline): whatever is behind shows.
      if (cov <= 0) continue;
      tapsAt(src, sx, sy, cov, taps);
      // Partly covered pixels blend with what is already drawn there (the neck band under the jaw's edge, the
      // base elsewhere), so no seam of inpainted colour shows where two parts of the head meet.
      const keep = 1 - cov;
      out[o] = tapSum(data, taps, 0, out[o] * keep) + 0.5;
      out[o + 1] = tapSum(data, taps, 1, out[o + 1] * keep) + 0.5;
      out[o + 2] = tapSum(data, taps, 2, out[o + 2] * keep) + 0.5;
      out[o + 3] = out[o + 3] * keep + 255 * cov + 0.5;
      if (out[o + 3] === 0) {
        // Alpha 0 always means "the photo's own pixel".
        out[o] = base[o];
        out[o + 1] = base[o + 1];
        out[o + 2] = base[o + 2];
      }
    }
  }
}

const tap = new Float64Array(3);
const sampleTaps = createTaps();

/** Bilinear colour of the source at (x, y), clamped, into `tap`. */
function sample(src: Pixels, x: number, y: number): void {
  tapsAt(src, x, y, 1, sampleTaps);
  for (let k = 0; k < 3; k++) tap[k] = tapLerp(src.data, sampleTaps, k);
}

/**
 * Draws one pixel from the own texture at (sx, sy) with coverage `cov`, mixed with the mirrored texture at (tx, ty)
 * by `m`, over what `out` holds; returns the coverage used.
 */
function blendMirrored(
  src: Pixels,
  out: Uint8Array,
  o: number,
  layer: Layer | null,
  sx: number,
  sy: number,
  cov: number,
  tx: number,
  ty: number,
  m: number,
): number {
  let cov2 = layer ? layerAt(layer, tx, ty) : 1;
  if (src.channels === 4 && cov2 > 0) cov2 *= alphaAt(src, tx, ty) / 255;
  const c = cov + (cov2 - cov) * m;
  if (c <= 0) return c;
  sample(src, sx, sy);
  const r = tap[0];
  const g = tap[1];
  const b = tap[2];
  sample(src, tx, ty);
  const keep = 1 - c;
  out[o] = out[o] * keep + (r + (tap[0] - r) * m) * c + 0.5;
  out[o + 1] = out[o + 1] * keep + (g + (tap[1] - g) * m) * c + 0.5;
  out[o + 2] = out[o + 2] * keep + (b + (tap[2] - b) * m) * c + 0.5;
  out[o + 3] = out[o + 3] * keep + 255 * c + 0.5;
  return c;
}
