/**
 * One frame of the 3-D head: start from the base frame (the photo, with the head's own place inpainted), pose and
 * project every head vertex, pick this frame's textures for the parts the turn brings round (turnedTexture,
 * mirroredFace), draw the head with its depth buffer, soften fold edges, then paint the mouth interior
 * and the eyes as the 2-D engine does (they work on the projected landmarks). Everything outside the head's old
 * and new place keeps alpha 0 and the photo's bytes.
 */
import { changedBox } from '../../media/png-delta.js';
import type { Image, PixelRect } from '../../media/types.js';
import { changedRegion } from './changed.js';
import type { MeshwarpConfig } from './config.js';
import { createEyeScratch, type EyeModel, type EyeScratch, prepareEyes, renderEyes } from './eyes.js';
import { buildHeadModel, type HeadModel3d } from './head-model.js';
import { transparentCopy } from './matte.js';
import { type Motion3d, type Portrait3d, projectHead } from './motion3d.js';
import { createMouthScratch, type MouthModel, type MouthScratch, prepareMouth, renderMouth } from './mouth.js';
import { teethParallax } from './mouth3d.js';
import { copyFrame } from './raster.js';
import { rasterHead } from './raster3d.js';
import { MOUTH_LOOP, SILHOUETTE } from './regions.js';
import { createWarpScratch, type PixelBox, type Pixels, softenFolds, type WarpScratch } from './warp.js';

export interface Renderer3dState {
  source: Pixels;
  /** The photo with alpha 0: an unmoved frame. */
  blank: Uint8Array;
  model: HeadModel3d;
  /** Where the base frame differs from `blank` (the inpainted hole), or null. */
  baseBox: PixelBox | null;
  portrait: Portrait3d;
  mouth: MouthModel;
  eyes: [EyeModel, EyeModel];
  lashLine: boolean;
  scratch: {
    warp: WarpScratch;
    mouth: MouthScratch;
    eyes: EyeScratch;
    dst: Float64Array;
    /** This frame's texture positions and proxy opacities (see turnedTexture). */
    tex: Float64Array;
    alpha: Float32Array;
    mirror: Float32Array;
    faceAlpha: Float32Array;
  };
}

export function prepareRenderer3d(source: Image, portrait: Portrait3d, config: MeshwarpConfig): Renderer3dState {
  const pixels: Pixels = { data: source.data, width: source.width, height: source.height, channels: source.channels };
  const blank = transparentCopy(source.data, source.width, source.height, source.channels);
  const model = buildHeadModel(pixels, blank, portrait);
  return {
    source: pixels,
    blank,
    model,
    baseBox: boxOf(changedBox(model.base, blank, source.width, source.height, 4)),
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
      tex: Float64Array.from(model.mesh.tex),
      alpha: new Float32Array(model.mesh.vertexCount).fill(1),
      mirror: new Float32Array(model.mesh.vertexCount),
      faceAlpha: new Float32Array(model.mesh.vertexCount).fill(1),
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

/** Facing below which the proxy's folded texture fades out towards its silhouette (cos of the angle to the camera). */
const RIM = 0.25;
/** How much narrower the photo may have seen a proxy point than it shows now before its texture is folded. */
const STRETCH_OWN = 0.75;
const STRETCH_FOLDED = 0.5;

/**
 * Per-frame texture of the proxy's rings: each vertex keeps the photo's texture for it while the photo saw it about
 * as squarely as this frame shows it; as the turn brings it round to face the camera more squarely than the photo
 * did (the outline's hair, the unseen side), it takes the folded texture instead (head-model.ts ProxyFold), and
 * because that texture has no soft outline of its own, its opacity falls off towards the proxy's silhouette and its
 * lower cut.
 */
function turnedTexture(state: Renderer3dState, motion: Motion3d): void {
  const { model, portrait } = state;
  const { tex, alpha } = state.scratch;
  const own = model.mesh.tex;
  const { normal, fade } = model.fold;
  const folded = model.fold.tex;
  const R0 = portrait.fit.rotation;
  const R = motion.transform.rotation;
  for (let v = model.ringStart; v < model.neckStart; v++) {
    const nx = normal[v * 3];
    const ny = normal[v * 3 + 1];
    const nz = normal[v * 3 + 2];
    const seen = -(R0[6] * nx + R0[7] * ny + R0[8] * nz);
    const now = -(R[6] * nx + R[7] * ny + R[8] * nz);
    const ratio = seen <= 0 ? 0 : now <= seen ? 1 : seen / now;
    const w = Math.min(1, Math.max(0, (STRETCH_OWN - ratio) / (STRETCH_OWN - STRETCH_FOLDED)));
    tex[v * 2] = own[v * 2] + w * (folded[v * 2] - own[v * 2]);
    tex[v * 2 + 1] = own[v * 2 + 1] + w * (folded[v * 2 + 1] - own[v * 2 + 1]);
    const rim = Math.min(1, Math.max(0, now / RIM));
    alpha[v] = 1 - w + w * rim * rim * (3 - 2 * rim) * fade[v];
  }
}

/**
 * The face's own texture stretches less visibly than the hair's, and its folded cheek changes what the tracker
 * reads off a turned face (eye openness over the bundled clip, at depthGain 1: r 0.82 without it, 0.80 from these,
 * 0.74 from the hair's thresholds): only the most stretched parts take it.
 */
const FACE_OWN = 0.45;
const FACE_FOLDED = 0.2;
/** How far the face oval's edge fades out at most where a turn brings it round, down to this head height (cm). */
const EDGE_FADE = 0.8;
const EDGE_FADE_BELOW = 2;
/** How much more squarely (facing) the photo must have seen where a face point's mirrored texture comes from. */
const MIRROR_GAIN = 0.15;

/** How much each face point takes of its mirror partner's texture this frame (0 for most of them). */
function mirroredFace(state: Renderer3dState, motion: Motion3d): void {
  const { normal, lend } = state.model.mirror;
  const mix = state.scratch.mirror;
  const R0 = state.portrait.fit.rotation;
  const R = motion.transform.rotation;
  // Turning only (the normal's sideways part): the fold runs along the face's rows, so a nod that shows the chin's
  // underside is not a reason to fold the cheek.
  const facing = (M: Float64Array, i: number): number => {
    const nx = normal[i * 3];
    const nz = normal[i * 3 + 2];
    const len = Math.hypot(nx, nz) || 1;
    return -(M[6] * nx + M[8] * nz) / len;
  };
  // The oval's own edge, brought round, fades into what is drawn beside it (the hair, the backdrop) over its outer
  // ring of triangles instead of ending on a hard line.
  const alpha = state.scratch.faceAlpha;
  const head = state.model.head;
  for (const i of SILHOUETTE) {
    // Not the jaw: below the hair there is nothing of the head beside it to fade into.
    if (head[i * 3 + 1] > EDGE_FADE_BELOW) continue;
    const seen = facing(R0, i);
    const now = facing(R, i);
    const ratio = seen <= 0 ? 0 : now <= seen ? 1 : seen / now;
    alpha[i] = 1 - EDGE_FADE * Math.min(1, Math.max(0, (STRETCH_OWN - ratio) / (STRETCH_OWN - STRETCH_FOLDED)));
  }
  for (let i = 0; i < 468; i++) {
    const seen = facing(R0, i);
    const now = facing(R, i);
    const ratio = seen <= 0 ? 0 : now <= seen ? 1 : seen / now;
    const w = Math.min(1, Math.max(0, (FACE_OWN - ratio) / (FACE_OWN - FACE_FOLDED)));
    const better = Math.min(1, Math.max(0, (lend[i] - seen) / MIRROR_GAIN));
    mix[i] = w * better;
  }
}

/** Renders the portrait at `motion`, into `into` when given (a spare frame of the same size). Deterministic. */
export function renderFrame3d(
  state: Renderer3dState,
  motion: Motion3d,
  into?: Uint8Array,
): { data: Uint8Array; box: PixelBox | null; changed: PixelRect | null } {
  if (motion.identity) return { data: copyFrame(state.blank, into), box: null, changed: null };
  const { model, portrait } = state;
  // Head at rest (held pose, or an expression-only frame): only the face mesh moves, drawn over the photo itself,
  // so hair, background and everything else keep their bytes.
  const still = atRest(motion, portrait);
  const out = copyFrame(still ? state.blank : model.base, into);
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
  if (!still) {
    turnedTexture(state, motion);
    mirroredFace(state, motion);
  }
  const mesh = still
    ? { ...model.mesh, proxyTriangles: NO_TRIANGLES, neckTriangles: NO_TRIANGLES }
    : {
        ...model.mesh,
        tex: state.scratch.tex,
        proxyAlpha: state.scratch.alpha,
        faceMirror: { tex: model.mirror.tex, mix: state.scratch.mirror },
        faceAlpha: state.scratch.faceAlpha,
      };
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
  renderMouth(state.source, out, state.mouth, motion.points, state.scratch.mouth, teethParallax(portrait, motion));
  renderEyes(state.source, out, state.eyes, motion, state.lashLine, state.scratch.eyes);
  const { width, height } = state.source;
  const changed = changedRegion(
    [box, still ? null : state.baseBox],
    motion.points,
    motion.rigid,
    state.eyes,
    width,
    height,
  );
  return { data: out, box, changed };
}

function boxOf(rect: PixelRect | null): PixelBox | null {
  return rect ? [rect.x0, rect.y0, rect.x1, rect.y1] : null;
}
