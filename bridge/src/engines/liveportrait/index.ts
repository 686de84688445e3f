import * as ort from 'onnxruntime-node';
import { ReenactError } from '../../errors.js';
import type { FaceObservation } from '../../face/types.js';
import type { Image } from '../../media/types.js';
import { releaseSessions } from '../../onnx/providers.js';
import { runNamed } from '../../onnx/session.js';
import { VERSION } from '../../version.js';
import type { DrivingFrame, Engine, EngineInfo, EngineModule, RenderedFrame } from '../types.js';
import { cropToTensor } from './affine.js';
import {
  type LivePortraitConfig,
  type LivePortraitConfigInput,
  type LivePortraitOptions,
  parseLivePortraitConfig,
} from './config.js';
import { type CropBox, cropFromLandmarks, fullFrameBox, isTightSquareCrop } from './crop.js';
import { anchors203, meshAnchors, meshExtentPoints, meshOpenness, type Openness, openness203 } from './landmarks.js';
import {
  addKeypoints,
  applyMultiplier,
  applyStitching,
  decodeMotion,
  eyeRetargetInput,
  gazeOffset,
  type KpInfo,
  lipRetargetInput,
  relativeKeypoints,
  smoothKeypoints,
  stitchingInput,
  transformKeypoints,
} from './motion.js';
import { matteBase, type PasteRegion, pasteBack, preparePasteRegion } from './pasteback.js';
import {
  describeDevice,
  type LoadedModels,
  type ModelPlan,
  openModels,
  planModels,
  type SessionDeps,
} from './sessions.js';
import { INPUT_SIZE, LANDMARK_SIZE, type ModelId, OUTPUT_SIZE, SPECS } from './specs.js';
import { StageTimer, type StageTimings } from './timing.js';

export type { LivePortraitConfig, LivePortraitConfigInput } from './config.js';
export { parseLivePortraitConfig } from './config.js';
export type { StageTimings } from './timing.js';

/** Seams for tests: platform and session factory (providers.ts), catalog, environment (cache folder). */
export type LivePortraitDeps = SessionDeps;

export interface LivePortraitEngine extends Engine {
  /**
   * Opens the ONNX sessions now (idempotent; prepare() calls it). Call it before tracking so a missing model fails
   * fast and `info.device` says what runs before the job starts.
   */
  load(): Promise<void>;
  /** Job-level warnings (e.g. "CUDA could not start … running on CPU"); also attached to the first frame. */
  readonly warnings: string[];
  /** Per-stage timings since creation or the last reset (bench hook). */
  timings(): StageTimings;
  resetTimings(): void;
}

interface SourceState {
  info: KpInfo;
  xs: Float32Array;
  feature: ort.Tensor;
  openness: Openness;
  region: PasteRegion;
  base: Uint8Array;
  width: number;
  height: number;
  /** Constant deltas: eye/lip ratio overrides (before stitching) and lip normalisation (after). */
  retargetDelta: Float32Array | null;
  normalizeDelta: Float32Array | null;
}

interface ReferenceState {
  info: KpInfo;
  /** The reference frame's crop; every frame's crop unless `crop` is 'face'. */
  box: CropBox;
  /** The driving crop in use (drivingCrop, with auto decided on the reference frame). */
  crop: 'full' | 'reference' | 'face';
}

/**
 * An error from ONNX Runtime while a session ran (not one of our own input checks): on a GPU provider it means that
 * device failed (out of memory, a cuDNN or driver error, a device reset), so the job moves to CPU.
 */
class RuntimeRunError extends Error {
  override readonly name = 'RuntimeRunError';
}

/** The portrait unchanged, alpha 0 (nothing animated): what the pipeline writes for a frame without a face. */
function neutral(src: { base: Uint8Array }): Uint8Array {
  const out = src.base.slice();
  for (let i = 3; i < out.length; i += 4) out[i] = 0;
  return out;
}

function f32(data: Float32Array, dims: number[]): ort.Tensor {
  return new ort.Tensor('float32', data, dims);
}

function faceCrop(face: FaceObservation, dsize: number, scale: number, vy: number, rotate: boolean): CropBox {
  if (face.landmarks.length < 468 * 3)
    throw new ReenactError(
      'BAD_INPUT',
      `Expected 468 landmarks (1404 values) for the face but received ${face.landmarks.length} values.`,
    );
  const { eye, mouth } = meshAnchors(face.landmarks);
  return cropFromLandmarks(meshExtentPoints(face.landmarks), 2, eye, mouth, {
    dsize,
    scale,
    vyRatio: vy,
    vxRatio: 0,
    rotate,
  });
}

/**
 * Creates the engine. Nothing is loaded until prepare(); options are validated now.
 * @throws ReenactError USAGE for a bad option.
 */
export function createLivePortraitEngine(
  config: LivePortraitConfigInput | Record<string, unknown> = {},
  deps: LivePortraitDeps = {},
): LivePortraitEngine {
  const cfg: LivePortraitConfig = parseLivePortraitConfig(config);
  const timer = new StageTimer();
  const warnings: string[] = [];
  let pendingWarnings: string[] = [];
  let plan: ModelPlan | null = null;
  let loaded: LoadedModels | null = null;
  let source: SourceState | null = null;
  let reference: ReferenceState | null = null;
  let previous: Float32Array | null = null;

  const info: EngineInfo = {
    name: 'liveportrait',
    version: VERSION,
    device: cfg.device,
    models: [],
    needsDrivingPixels: true,
  };

  async function run(id: ModelId, feeds: Record<string, ort.Tensor>): Promise<Record<string, ort.Tensor>> {
    const session = loaded?.sessions[id];
    if (!session) throw new ReenactError('INTERNAL', `Model ${id} was not loaded.`);
    return timer.time(
      `run:${id}`,
      async () => {
        try {
          return await runNamed(session, SPECS[id], feeds);
        } catch (err) {
          if (err instanceof ReenactError) throw err;
          throw new RuntimeRunError(`${id}: ${(err as Error).message.trim()}`, { cause: err });
        }
      },
      true,
    );
  }

  function adopt(next: LoadedModels): void {
    loaded = next;
    info.device = next.device;
    info.models = next.models;
  }

  async function openAll(): Promise<void> {
    plan = await planModels(cfg, deps);
    const next = await timer.time('load', () => openModels(plan!, cfg, cfg.device, deps));
    adopt(next);
    if (next.failures.length)
      info.deviceChanges = next.failures.map((f) => ({
        from: f.device,
        to: next.device,
        frame: null,
        reason: f.reason,
      }));
    warnings.push(...next.warnings);
    if (next.device === 'webgpu')
      warnings.push(
        "WebGPU (--device webgpu) is experimental: onnxruntime-node's WebGPU provider runs the GridSample-rewritten warping graph, which reenact has not verified on a real GPU. If frames look wrong, compare one with --device cpu.",
      );
    pendingWarnings = [...warnings];
  }

  /**
   * A GPU provider failed while running (out of memory, cuDNN, a driver reset): release every session on it (a
   * removed device cannot be reused) and reopen the whole set on CPU for the rest of the job, with a warning that
   * goes into the manifest through this frame's warnings.
   */
  async function switchToCpu(reason: string, frame: number | null): Promise<string> {
    const from = loaded!.device;
    await releaseSessions(loaded!.sessions);
    loaded = null;
    const next = await openModels(plan!, cfg, 'cpu', deps);
    adopt(next);
    info.deviceChanges = [...(info.deviceChanges ?? []), { from, to: 'cpu', frame, reason }];
    const where = frame === null ? 'while preparing the portrait' : `at frame ${frame}`;
    const warning = `${describeDevice(from)} failed ${where} (${reason.split('\n')[0]}); that frame and the rest of the job run on CPU, which is much slower.`;
    warnings.push(warning, ...next.warnings);
    return warning;
  }

  /**
   * Runs `step` on the current device; when a GPU provider fails in it, moves the job to CPU and runs it once more
   * there (after `reset` restores any state the failed attempt changed). Failures on CPU propagate.
   */
  async function onDevice<T>(frame: number | null, step: () => Promise<T>, reset?: () => void): Promise<T> {
    try {
      return await step();
    } catch (err) {
      if (!(err instanceof RuntimeRunError) || !loaded || loaded.device === 'cpu') throw err;
      pendingWarnings.push(await switchToCpu(err.message, frame));
      reset?.();
      return step();
    }
  }

  async function motionOf(image: Image, box: CropBox): Promise<KpInfo> {
    const input = await timer.time('crop', () => cropToTensor(image, box.c2o, INPUT_SIZE, 2));
    const out = await run('motion_extractor', { img: f32(input, [1, 3, INPUT_SIZE, INPUT_SIZE]) });
    const data = (name: string) => out[name].data as Float32Array;
    return decodeMotion({
      pitch: data('pitch'),
      yaw: data('yaw'),
      roll: data('roll'),
      t: data('t'),
      exp: data('exp'),
      scale: data('scale'),
      kp: data('kp'),
    });
  }

  async function mlp(id: 'stitching' | 'stitching_eye' | 'stitching_lip', input: Float32Array): Promise<Float32Array> {
    const out = await run(id, { input: f32(input, [1, input.length]) });
    return out.output.data as Float32Array;
  }

  /**
   * LivePortrait's 203 points of `face` in image pixels: landmark.onnx on its 224² crop (scale 1.5, vy −0.1, rotated)
   * seeded from the tracker's points, mapped back through the crop (LP src/utils/human_landmark_runner.py); null
   * without the optional model.
   */
  async function points203(image: Image, face: FaceObservation): Promise<Float32Array | null> {
    if (!loaded?.sessions.landmark) return null;
    const box = faceCrop(face, LANDMARK_SIZE, 1.5, -0.1, true);
    const input = cropToTensor(image, box.c2o, LANDMARK_SIZE);
    const out = (await run('landmark', { input: f32(input, [1, 3, LANDMARK_SIZE, LANDMARK_SIZE]) }))['856']
      .data as Float32Array;
    const [a, b, c, d, e, f] = box.c2o;
    const pts = new Float32Array(out.length);
    for (let i = 0; i < out.length; i += 2) {
      const u = out[i] * LANDMARK_SIZE;
      const v = out[i + 1] * LANDMARK_SIZE;
      pts[i] = a * u + b * v + c;
      pts[i + 1] = d * u + e * v + f;
    }
    return pts;
  }

  /**
   * A 512² crop of `face`: from the 203 points when the landmark model is installed (the landmark set LivePortrait
   * crops source videos and driving clips from), else from the tracker's 468 points.
   */
  function cropOf(
    face: FaceObservation,
    pts: Float32Array | null,
    scale: number,
    vy: number,
    rotate: boolean,
  ): CropBox {
    if (!pts) return faceCrop(face, OUTPUT_SIZE, scale, vy, rotate);
    const { eye, mouth } = anchors203(pts);
    return cropFromLandmarks(pts, 2, eye, mouth, { dsize: OUTPUT_SIZE, scale, vyRatio: vy, vxRatio: 0, rotate });
  }

  /** The driving crop of one frame: the whole frame, or the face box (from 203 points when installed). */
  async function drivingBox(image: Image, face: FaceObservation, mode: 'full' | 'face'): Promise<CropBox> {
    if (mode === 'full') return fullFrameBox(image.width, image.height, OUTPUT_SIZE);
    return cropOf(face, await points203(image, face), cfg.drivingCropScale, cfg.drivingCropOffsetY, false);
  }

  async function prepareSource(image: Image, face: FaceObservation): Promise<void> {
    const pts = await points203(image, face);
    const box = cropOf(face, pts, cfg.cropScale, cfg.cropOffsetY, true);
    const srcInfo = await motionOf(image, box);
    const input = await timer.time('crop', () => cropToTensor(image, box.c2o, INPUT_SIZE, 2));
    const feature = (await run('appearance_feature_extractor', { img: f32(input, [1, 3, INPUT_SIZE, INPUT_SIZE]) }))
      .output;
    const xs = transformKeypoints(srcInfo.kp, srcInfo.R, srcInfo.exp, srcInfo.scale, [srcInfo.t[0], srcInfo.t[1], 0]);
    const openness = pts ? openness203(pts) : meshOpenness(face.landmarks);
    let retargetDelta: Float32Array | null = null;
    if (cfg.eyeRatio !== null)
      retargetDelta = await mlp('stitching_eye', eyeRetargetInput(xs, openness.eyes, cfg.eyeRatio));
    if (cfg.lipRatio !== null)
      retargetDelta = addKeypoints(
        retargetDelta ?? new Float32Array(63),
        await mlp('stitching_lip', lipRetargetInput(xs, openness.lip, cfg.lipRatio)),
      );
    const normalizeDelta =
      cfg.normalizeLip && openness.lip >= 0.03
        ? await mlp('stitching_lip', lipRetargetInput(xs, openness.lip, 0))
        : null;
    const region = preparePasteRegion(box.o2c, box.c2o, OUTPUT_SIZE, image.width, image.height);
    source = {
      info: srcInfo,
      xs,
      feature,
      openness,
      region,
      base: matteBase(image, region),
      width: image.width,
      height: image.height,
      retargetDelta,
      normalizeDelta,
    };
  }

  async function renderFace(
    src: SourceState,
    ref: ReferenceState,
    image: Image,
    face: FaceObservation,
    c: DrivingFrame['controls'],
  ): Promise<Uint8Array> {
    const box = ref.crop === 'face' ? await drivingBox(image, face, 'face') : ref.box;
    const drv = await motionOf(image, box);
    const gains = {
      head: c.holdPose ? 0 : c.head,
      eyes: cfg.eyeRatio !== null ? 0 : c.eyes * c.blink,
      mouth: cfg.lipRatio !== null ? 0 : c.mouth,
      brows: c.brows,
    };
    const gx = (c.gazeLeft[0] + c.gazeRight[0]) / 2;
    const gy = (c.gazeLeft[1] + c.gazeRight[1]) / 2;
    let xd = relativeKeypoints(src.info, drv, ref.info, cfg.regions, gains, gx || gy ? gazeOffset(gx, gy) : undefined);
    xd = addKeypoints(xd, src.retargetDelta ?? undefined);
    if (cfg.stitching) xd = applyStitching(xd, await mlp('stitching', stitchingInput(src.xs, xd)));
    xd = addKeypoints(xd, src.normalizeDelta ?? undefined);
    xd = applyMultiplier(src.xs, xd, cfg.intensity * c.intensity);
    xd = smoothKeypoints(previous, xd, 1 - 0.9 * cfg.motionSmoothing);
    previous = xd;
    const out = await run('warping_spade', {
      feature_3d: src.feature,
      kp_driving: f32(xd, [1, 21, 3]),
      kp_source: f32(src.xs, [1, 21, 3]),
    });
    const generated = out.out.data as Float32Array;
    const data = await timer.time('pasteback', () =>
      pasteBack(src.base, src.width, src.region, generated, OUTPUT_SIZE),
    );
    return data;
  }

  let loading: Promise<void> | null = null;
  const load = () => {
    loading ??= openAll().catch((err) => {
      loading = null;
      throw err;
    });
    return loading;
  };

  return {
    info,
    warnings,
    load,

    async prepare(image: Image, face: FaceObservation): Promise<void> {
      await load();
      await onDevice(null, () => prepareSource(image, face));
      previous = null;
    },

    async setReference(frame: DrivingFrame): Promise<void> {
      if (!source) throw new ReenactError('INTERNAL', 'prepare() must run before setReference().');
      if (!frame.face || !frame.image)
        throw new ReenactError(
          'BAD_INPUT',
          `Expected a face in the reference frame ${frame.index} but none was found. Pick another reference frame.`,
        );
      const { face, image } = frame;
      reference = await onDevice(frame.index, async () => {
        const faceBox = await drivingBox(image, face, 'face');
        // auto: a square clip that is already a tight face crop is used whole, as LivePortrait uses square clips.
        const crop =
          cfg.drivingCrop === 'auto'
            ? isTightSquareCrop(faceBox, image.width, image.height)
              ? 'full'
              : 'reference'
            : cfg.drivingCrop;
        const box = crop === 'full' ? fullFrameBox(image.width, image.height, OUTPUT_SIZE) : faceBox;
        return { info: await motionOf(image, box), box, crop };
      });
      previous = null;
    },

    async render(frame: DrivingFrame): Promise<RenderedFrame> {
      if (!source || !reference)
        throw new ReenactError('INTERNAL', 'prepare() and setReference() must run before render().');
      const src = source;
      const ref = reference;
      const { face, image } = frame;
      let data: Uint8Array;
      if (!face || !image) data = neutral(src);
      else {
        const before = previous;
        data = await timer.frame(() =>
          onDevice(
            frame.index,
            () => renderFace(src, ref, image, face, frame.controls),
            () => {
              previous = before; // the retry must not smooth against the failed attempt's keypoints
            },
          ),
        );
      }
      // Taken after rendering, so a switch to CPU during this frame is reported on this frame.
      const frameWarnings = pendingWarnings;
      pendingWarnings = [];
      return {
        image: { data, width: src.width, height: src.height, channels: 4 },
        ...(frameWarnings.length ? { warnings: frameWarnings } : {}),
      };
    },

    async dispose(): Promise<void> {
      await loading?.catch(() => {});
      if (loaded) await releaseSessions(loaded.sessions);
      loaded = null;
      loading = null;
      source = null;
      reference = null;
    },

    timings: () => timer.snapshot(),
    resetTimings: () => timer.reset(),
  };
}

/** The registry's entry point (engines/registry.ts): the spec's device fills the config's. */
export const create: EngineModule<LivePortraitOptions>['create'] = async ({ device, options }) => {
  const engine = createLivePortraitEngine({ ...options, device });
  // Sessions open now: a missing model fails before tracking, and info.device is known for the 'started' event.
  await engine.load();
  return engine;
};
