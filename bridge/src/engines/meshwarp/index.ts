/**
 * The default engine, "meshwarp": animates the portrait by warping it along its 468-point face mesh,
 * driven by the driving clip's landmarks (no neural model, nothing to download). It is the honest
 * baseline: in-plane head motion, blinks, brows, mouth, gaze; yaw/pitch only as far as a parallax
 * shift allows (warned past the limit). See motion.ts and render.ts for the two halves.
 */
import { ReenactError } from '../../errors.js';
import type { FaceObservation } from '../../face/types.js';
import type { Image, PixelRect } from '../../media/types.js';
import { VERSION } from '../../version.js';
import type { DrivingFrame, Engine, EngineInfo, EngineModule, RenderedFrame } from '../types.js';
import { type MeshwarpConfig, parseMeshwarpConfig } from './config.js';
import {
  computeMotion,
  type FaceLandmarks,
  type MotionResult,
  type PortraitModel,
  preparePortrait,
  prepareReference,
  type ReferenceModel,
} from './motion.js';
import {
  computeMotion3d,
  motion3dOptions,
  type Portrait3d,
  preparePortrait3d,
  prepareReference3d,
  type Reference3d,
} from './motion3d.js';
import { copyFrame } from './raster.js';
import { prepareRenderer, type RendererState, renderFrame } from './render.js';
import { prepareRenderer3d, type Renderer3dState, renderFrame3d } from './render3d.js';

export { DEFAULT_MESHWARP_CONFIG, type MeshwarpConfig, MeshwarpConfigSchema, parseMeshwarpConfig } from './config.js';
export { computeMotion, type MotionResult, preparePortrait, prepareReference } from './motion.js';
export { prepareRenderer, type RendererState, renderFrame } from './render.js';

/**
 * Landmarks arrive with pixel centres at +0.5 (the face stage's convention); the renderer samples with
 * pixel centres at integers. Shifting x and y by −0.5 once here keeps every renderer loop simple.
 */
export function toRendererCoords(face: FaceLandmarks): FaceLandmarks {
  const shift = (a: Float32Array): Float32Array => {
    const out = Float32Array.from(a);
    for (let i = 0; i < out.length; i += 3) {
      out[i] -= 0.5;
      out[i + 1] -= 0.5;
    }
    return out;
  };
  return { landmarks: shift(face.landmarks), iris: face.iris ? shift(face.iris) : undefined };
}

function checkFace(face: FaceObservation | FaceLandmarks, name: string): void {
  if (!(face.landmarks instanceof Float32Array) || face.landmarks.length !== 468 * 3) {
    const got = face.landmarks ? `${(face.landmarks as ArrayLike<number>).length} values` : String(face.landmarks);
    throw new ReenactError('BAD_INPUT', `Expected 468 × 3 landmarks for ${name} but received ${got}.`);
  }
  for (let i = 0; i < face.landmarks.length; i++) {
    if (!Number.isFinite(face.landmarks[i])) {
      throw new ReenactError(
        'BAD_INPUT',
        `Expected finite landmark values for ${name} but received ${face.landmarks[i]} at index ${i}.`,
      );
    }
  }
}

export interface MeshwarpEngine extends Engine {
  /** The motion the last render used (for previews and tests); null before the first render. */
  readonly lastMotion: MotionResult | null;
}

/**
 * @param config meshwarp options (see config.ts for every field and default); throws USAGE on a bad value
 */
export function createMeshwarpEngine(config: unknown = {}): MeshwarpEngine {
  const options: MeshwarpConfig = parseMeshwarpConfig(config);
  let portrait: PortraitModel | null = null;
  let reference: ReferenceModel | null = null;
  let renderer: RendererState | null = null;
  // The 3-D head (options.head === '3d'): its own portrait analysis, reference and renderer.
  let portrait3d: Portrait3d | null = null;
  let reference3d: Reference3d | null = null;
  let renderer3d: Renderer3dState | null = null;
  const motion3d = motion3dOptions(options);
  let source: Image | null = null;
  let lastMotion: MotionResult | null = null;
  const info: EngineInfo = { name: 'meshwarp', version: VERSION, device: 'cpu', models: [], needsDrivingPixels: false };

  // Output frames the pipeline handed back (RenderedFrame.release): the next frames are drawn into them instead of
  // fresh 8 MB allocations at 1080p (page faults and garbage collection). Emptied when the portrait changes.
  let spare: Uint8Array[] = [];
  const released = (data: Uint8Array) => {
    let done = false;
    return () => {
      if (done || data.length !== (source?.width ?? 0) * (source?.height ?? 0) * 4 || spare.length >= SPARE_LIMIT)
        return;
      done = true;
      spare.push(data);
    };
  };

  const neutral = (): RenderedFrame => {
    const blank = renderer?.blank ?? renderer3d?.blank;
    if (!blank || !source) throw notPrepared();
    return {
      image: { data: copyFrame(blank), width: source.width, height: source.height, channels: 4 },
      changed: null,
    };
  };

  return {
    info,
    get lastMotion() {
      return lastMotion;
    },
    async prepare(image: Image, face: FaceObservation): Promise<void> {
      if (image.width < 2 || image.height < 2 || image.data.length !== image.width * image.height * image.channels) {
        throw new ReenactError(
          'BAD_INPUT',
          `Expected ${image.width}×${image.height}×${image.channels} bytes for the portrait but received ${image.data.length}.`,
        );
      }
      checkFace(face, 'the portrait face');
      const local = toRendererCoords(face);
      portrait = preparePortrait(local);
      if (options.head === '3d') {
        portrait3d = preparePortrait3d(local, options.cameraDistance, options.depthGain);
        renderer3d = prepareRenderer3d(image, portrait3d, options);
      } else {
        renderer = prepareRenderer(image, local.landmarks, local.iris ?? null, options);
      }
      source = image;
      spare = [];
      reference = null;
      reference3d = null;
    },
    async setReference(frame: DrivingFrame): Promise<void> {
      if (!portrait) throw notPrepared();
      if (!frame.face) {
        throw new ReenactError(
          'BAD_INPUT',
          `Expected a face in the reference frame but received none in frame ${frame.index}. Choose another --ref-frame.`,
        );
      }
      checkFace(frame.face, `reference frame ${frame.index}`);
      reference = prepareReference(portrait, frame.face);
      reference3d = prepareReference3d(frame.face);
    },
    async render(frame: DrivingFrame): Promise<RenderedFrame> {
      if (!portrait || !source || !(renderer || renderer3d)) throw notPrepared();
      if (!frame.face) {
        lastMotion = null;
        return neutral();
      }
      checkFace(frame.face, `driving frame ${frame.index}`);
      // Without an explicit reference, the first frame with a face is the neutral one (the spec's `referenceFrame: 'auto'`).
      if (!reference) reference = prepareReference(portrait, frame.face);
      if (!reference3d) reference3d = prepareReference3d(frame.face);
      let motion: MotionResult;
      let result: { data: Uint8Array; changed: PixelRect | null };
      if (renderer3d && portrait3d) {
        const m3 = computeMotion3d(portrait3d, reference3d, frame.face, frame.controls, motion3d);
        motion = m3;
        result = renderFrame3d(renderer3d, m3, spare.pop());
      } else if (renderer) {
        motion = computeMotion(portrait, reference, frame.face, frame.controls, options);
        result = renderFrame(renderer, motion, spare.pop());
      } else {
        throw notPrepared();
      }
      lastMotion = motion;
      const image: Image = { data: result.data, width: source.width, height: source.height, channels: 4 };
      const { changed } = result;
      const release = released(result.data);
      return motion.warnings.length > 0
        ? { image, changed, release, warnings: motion.warnings }
        : { image, changed, release };
    },
    async dispose(): Promise<void> {
      portrait = null;
      reference = null;
      renderer = null;
      portrait3d = null;
      reference3d = null;
      renderer3d = null;
      source = null;
      lastMotion = null;
    },
  };
}

/** Spare output frames kept for reuse; the pipeline holds at most two frames (the one written, the held one). */
const SPARE_LIMIT = 2;

function notPrepared(): ReenactError {
  return new ReenactError(
    'INTERNAL',
    'The meshwarp engine was used before prepare(). Call prepare(source, face) first.',
  );
}

/**
 * Times the renderer alone (motion + warp + mouth + eyes) for the benchmark: renders `frames` in turn,
 * `rounds` times. Reports wall-clock fps and CPU-time fps (user + system of this process), the fairer
 * figure on a machine shared with other work. The engine must be prepared.
 */
export async function benchMeshwarp(
  engine: Engine,
  frames: DrivingFrame[],
  rounds = 1,
): Promise<{ frames: number; seconds: number; fps: number; cpuSeconds: number; cpuFps: number }> {
  const start = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  let n = 0;
  for (let r = 0; r < rounds; r++) {
    for (const f of frames) {
      await engine.render(f);
      n++;
    }
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  return { frames: n, seconds, fps: n / seconds, cpuSeconds, cpuFps: n / cpuSeconds };
}

/** The registry's entry point (engines/registry.ts): options already validated. */
export const create: EngineModule<MeshwarpConfig>['create'] = async ({ options }) => createMeshwarpEngine(options);
