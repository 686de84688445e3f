/**
 * One frame of the 3-D head: start from the base frame (the photo, with the head's own place inpainted), pose and
 * project every head vertex, draw the head with its depth buffer, soften fold edges, then paint the mouth interior
 * and the eyes as the 2-D engine does (they work on the projected landmarks). Everything outside the head's old
 * and new place keeps alpha 0 and the photo's bytes.
 */
import type { Image } from '../../media/types.js';
import type { MeshwarpConfig } from './config.js';
import { createEyeScratch, type EyeModel, type EyeScratch, prepareEyes, renderEyes } from './eyes.js';
import { buildHeadModel, type HeadModel3d } from './head-model.js';
import { transparentCopy } from './matte.js';
import { type Motion3d, type Portrait3d, projectHead } from './motion3d.js';
import { createMouthScratch, type MouthModel, type MouthScratch, prepareMouth, renderMouth } from './mouth.js';
import { rasterHead } from './raster3d.js';
import { MOUTH_LOOP } from './regions.js';
import { createWarpScratch, type PixelBox, type Pixels, softenFolds, type WarpScratch } from './warp.js';

export interface Renderer3dState {
  source: Pixels;
  /** The photo with alpha 0: an unmoved frame. */
  blank: Uint8Array;
  model: HeadModel3d;
  portrait: Portrait3d;
  mouth: MouthModel;
  eyes: [EyeModel, EyeModel];
  lashLine: boolean;
  scratch: { warp: WarpScratch; mouth: MouthScratch; eyes: EyeScratch; dst: Float64Array };
}

export function prepareRenderer3d(source: Image, portrait: Portrait3d, config: MeshwarpConfig): Renderer3dState {
  const pixels: Pixels = { data: source.data, width: source.width, height: source.height, channels: source.channels };
  const blank = transparentCopy(source.data, source.width, source.height, source.channels);
  const model = buildHeadModel(pixels, blank, portrait);
  return {
    source: pixels,
    blank,
    model,
    portrait,
    mouth: prepareMouth(pixels, portrait.landmarks, config),
    eyes: prepareEyes(pixels, portrait.landmarks, portrait.iris),
    lashLine: config.lashLine,
    scratch: {
      // The head may go anywhere in the frame (no ring), so the depth buffer spans it.
      warp: createWarpScratch([0, 0, source.width - 1, source.height - 1]),
      mouth: createMouthScratch(),
      eyes: createEyeScratch(),
      dst: new Float64Array(model.mesh.vertexCount * 3),
    },
  };
}

const NO_TRIANGLES = new Uint32Array(0);

/** True when the head pose equals the portrait's own (to a thousandth of a pixel). */
function atRest(motion: Motion3d, portrait: Portrait3d): boolean {
  const t = motion.transform;
  const f = portrait.fit;
  const eps = 1e-9;
  for (let i = 0; i < 9; i++) if (Math.abs(t.rotation[i] - f.rotation[i]) > eps) return false;
  return (
    Math.abs(t.scale - f.scale) < eps &&
    Math.abs(t.translation[0] - f.translation[0]) < 1e-6 &&
    Math.abs(t.translation[1] - f.translation[1]) < 1e-6
  );
}

/** Renders the portrait at `motion`. Deterministic. */
export function renderFrame3d(state: Renderer3dState, motion: Motion3d): { data: Uint8Array; box: PixelBox | null } {
  if (motion.identity) return { data: state.blank.slice(), box: null };
  const { model, portrait } = state;
  // Head at rest (held pose, or an expression-only frame): only the face mesh moves, drawn over the photo itself,
  // so hair, background and everything else keep their bytes.
  const still = atRest(motion, portrait);
  const out = still ? state.blank.slice() : model.base.slice();
  const dst = state.scratch.dst;
  const head = model.head;
  for (let i = 0; i < 468; i++) {
    dst[i * 3] = motion.points[i * 3];
    dst[i * 3 + 1] = motion.points[i * 3 + 1];
    dst[i * 3 + 2] = motion.points[i * 3 + 2];
  }
  const m = model.mouthCentre;
  // The mouth centre follows the lips' mean (in head coordinates, behind them).
  let mx = 0;
  let my = 0;
  let mz = 0;
  const T = motion.targetHead;
  const loop = MOUTH_LOOP;
  for (const i of loop) {
    mx += T[i * 3] / loop.length;
    my += T[i * 3 + 1] / loop.length;
    mz += T[i * 3 + 2] / loop.length;
  }
  projectHead(motion.transform, portrait.camera, mx, my, mz + 1.2, dst, m * 3);
  for (let v = model.proxyStart; v < model.neckStart; v++) {
    projectHead(motion.transform, portrait.camera, head[v * 3], head[v * 3 + 1], head[v * 3 + 2], dst, v * 3);
  }
  dst.set(model.neckRest, model.neckStart * 3);
  const mesh = still ? { ...model.mesh, proxyTriangles: NO_TRIANGLES, neckTriangles: NO_TRIANGLES } : model.mesh;
  const box = rasterHead(
    state.source,
    out,
    still ? state.blank : model.base,
    mesh,
    dst,
    model.layer,
    state.scratch.warp,
  );
  softenFolds(out, state.source.width, box, state.scratch.warp, 4);
  renderMouth(state.source, out, state.mouth, motion.points, state.scratch.mouth);
  renderEyes(state.source, out, state.eyes, motion, state.lashLine, state.scratch.eyes);
  return { data: out, box };
}
