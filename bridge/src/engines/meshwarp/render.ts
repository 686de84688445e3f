/**
 * One frame of the meshwarp renderer: copy the portrait once (alpha 0), warp the face region along the
 * mesh, paint the mouth interior and the eyes, all at the portrait's full resolution. `prepareRenderer`
 * does every per-portrait analysis so `renderFrame` is a few tight loops over the face's bounding box;
 * it is exported on its own so a benchmark can time the renderer without the pipeline.
 */
import type { Image, PixelRect } from '../../media/types.js';
import { changedRegion } from './changed.js';
import type { MeshwarpConfig } from './config.js';
import { createEyeScratch, type EyeModel, type EyeScratch, prepareEyes, renderEyes } from './eyes.js';
import { matteLut, transparentCopy } from './matte.js';
import { buildWarpMesh, targetVertices, type WarpMesh } from './mesh.js';
import type { MotionResult } from './motion.js';
import { createMouthScratch, type MouthModel, type MouthScratch, prepareMouth, renderMouth } from './mouth.js';
import { copyFrame } from './raster.js';
import { createWarpScratch, type PixelBox, type Pixels, softenFolds, type WarpScratch, warpMesh } from './warp.js';

export interface RendererState {
  source: Pixels;
  /** Source RGB with alpha 0, width × height × 4: every frame starts as a copy of this. */
  blank: Uint8Array;
  mesh: WarpMesh;
  mouth: MouthModel;
  eyes: [EyeModel, EyeModel];
  lut: Uint8Array;
  lashLine: boolean;
  scratch: { warp: WarpScratch; mouth: MouthScratch; eyes: EyeScratch; dst: Float64Array };
}

/**
 * Analyses the portrait once.
 * @param landmarks 468 × 3 in renderer pixel coordinates (pixel centres at integers)
 * @param iris 10 × 3 in the same coordinates, or null
 */
export function prepareRenderer(
  source: Image,
  landmarks: Float32Array,
  iris: Float32Array | null,
  config: MeshwarpConfig,
): RendererState {
  const pixels: Pixels = { data: source.data, width: source.width, height: source.height, channels: source.channels };
  const mesh = buildWarpMesh(landmarks, source.width, source.height, config);
  return {
    source: pixels,
    blank: transparentCopy(source.data, source.width, source.height, source.channels),
    mesh,
    mouth: prepareMouth(pixels, landmarks, config),
    eyes: prepareEyes(pixels, landmarks, iris),
    lut: matteLut(config.matteFeather),
    lashLine: config.lashLine,
    scratch: {
      warp: createWarpScratch(scratchRegion(mesh, source.width, source.height)),
      mouth: createMouthScratch(),
      eyes: createEyeScratch(),
      dst: new Float64Array(mesh.vertexCount * 3),
    },
  };
}

export interface RenderResult {
  /** RGBA, portrait size. */
  data: Uint8Array;
  /** Box the warp touched, or null for an untouched frame. */
  box: PixelBox | null;
  /** Every pixel outside this box equals `blank` (changed.ts); null for an untouched frame. */
  changed: PixelRect | null;
}

/** Renders the portrait at `motion` (renderer pixel coordinates), into `into` when given (a spare frame). Deterministic. */
export function renderFrame(state: RendererState, motion: MotionResult, into?: Uint8Array): RenderResult {
  const out = copyFrame(state.blank, into);
  if (motion.identity) return { data: out, box: null, changed: null };
  targetVertices(state.mesh, motion.points, state.scratch.dst);
  const box = warpMesh(state.source, out, state.mesh, state.scratch.dst, state.lut, state.scratch.warp);
  softenFolds(out, state.source.width, box, state.scratch.warp, 4);
  renderMouth(state.source, out, state.mouth, motion.points, state.scratch.mouth);
  renderEyes(state.source, out, state.eyes, motion, state.lashLine, state.scratch.eyes);
  const { width, height } = state.source;
  return { data: out, box, changed: changedRegion([box], motion.points, motion.rigid, state.eyes, width, height) };
}

/** The outer ring's box (plus a pixel): the only part of the image the warp can change. */
function scratchRegion(mesh: WarpMesh, width: number, height: number): PixelBox {
  let x0 = Number.POSITIVE_INFINITY;
  let y0 = Number.POSITIVE_INFINITY;
  let x1 = Number.NEGATIVE_INFINITY;
  let y1 = Number.NEGATIVE_INFINITY;
  for (let v = mesh.outerStart; v < mesh.vertexCount; v++) {
    x0 = Math.min(x0, mesh.src[v * 2]);
    y0 = Math.min(y0, mesh.src[v * 2 + 1]);
    x1 = Math.max(x1, mesh.src[v * 2]);
    y1 = Math.max(y1, mesh.src[v * 2 + 1]);
  }
  return [
    Math.max(0, Math.floor(x0) - 1),
    Math.max(0, Math.floor(y0) - 1),
    Math.min(width - 1, Math.ceil(x1) + 1),
    Math.min(height - 1, Math.ceil(y1) + 1),
  ];
}
