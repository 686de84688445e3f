/**
 * The face stage's front door: `createFaceTracker(options)` loads the three converted models (building them
 * into the cache on first use) and offers still detection and stateful video tracking; plus face choice and the
 * track smoother. Pure helpers (measure.ts, smoothing.ts…) are imported from their own files.
 *
 * @example
 *   const tracker = await createFaceTracker();
 *   const faces = await tracker.detect(portrait);          // all faces, largest first
 *   for await (const frame of frames) track.push(await tracker.track(frame, frame.index));
 *   await tracker.dispose();
 */
import type * as ort from 'onnxruntime-node';
import { ReenactError } from '../errors.js';
import type { Image } from '../media/types.js';
import { checkSessionNames, createSession, type ModelSpec } from '../onnx/session.js';
import { BLAZEFACE_SPEC, createDetector, type DetectorOptions } from './detector.js';
import { createIris, IRIS_SPEC } from './iris.js';
import { createMesh, FACEMESH_SPEC } from './mesh.js';
import { ensureFaceModel, type FaceModelFile, type FaceModelName } from './models.js';
import { createTracker, detectStill, type StillOptions, type TrackerOptions } from './tracker.js';
import type { FaceObservation, FrameFaces } from './types.js';

export type { FaceModelFile } from './models.js';
export { createFaceSmoother, smoothFaces } from './smooth-track.js';
export { boxIou, chooseFace, createChoiceFollower, followChoice, sortLargestFirst } from './tracker.js';
export type * from './types.js';

export interface FaceTrackerOptions extends TrackerOptions, DetectorOptions {
  /** ONNX execution providers (default ['cpu']). */
  executionProviders?: string[];
  /** Threads per model session (default 1: the models are small and the pipeline runs other stages beside them). */
  threads?: number;
  /** Environment for the cache folder (tests pass REENACT_CACHE_DIR). */
  env?: NodeJS.ProcessEnv;
}

export interface FaceTracker {
  /** All faces in a still, largest first, ids 0, 1, … in that order (with `largestOnly`, maybe only the largest). */
  detect(image: Image, options?: StillOptions): Promise<FaceObservation[]>;
  /** Stateful tracking of one video frame; frames must come in order. Frames without faces come back with a reason. */
  track(image: Image, index: number): Promise<FrameFaces>;
  /** Forget tracks and ids (e.g. before a new clip). */
  reset(): void;
  /** The converted model files in use (paths, sha256) for the job manifest. */
  readonly models: FaceModelFile[];
  /** Releases the ONNX sessions (after any call still queued). */
  dispose(): Promise<void>;
}

async function load(
  name: FaceModelName,
  spec: ModelSpec,
  options: FaceTrackerOptions,
): Promise<{ file: FaceModelFile; session: ort.InferenceSession }> {
  const file = ensureFaceModel(name, { env: options.env });
  const session = await createSession(file.file, {
    executionProviders: options.executionProviders,
    intraOpNumThreads: options.threads ?? 1,
  });
  checkSessionNames(session, spec);
  return { file, session };
}

/**
 * Loads blazeface, facemesh and (unless `iris: false`) iris, converting them into the cache on first use.
 * @throws ReenactError MISSING_DEPENDENCY / OUTPUT_UNWRITABLE / ENGINE_FAILED from model preparation or loading.
 */
export async function createFaceTracker(options: FaceTrackerOptions = {}): Promise<FaceTracker> {
  const withIris = options.iris !== false;
  const det = await load('blazeface', BLAZEFACE_SPEC, options);
  const mesh = await load('facemesh', FACEMESH_SPEC, options);
  const iris = withIris ? await load('iris', IRIS_SPEC, options) : undefined;
  const models = {
    detector: createDetector(det.session, options),
    mesh: createMesh(mesh.session),
    iris: iris ? createIris(iris.session) : undefined,
  };
  const tracker = createTracker(models, options);
  const loaded = [det, mesh, ...(iris ? [iris] : [])];
  // The models share input buffers, so calls run one at a time, in call order (a shared tracker in the server may
  // get overlapping requests; `track` order is the caller's frame order).
  let queue: Promise<unknown> = Promise.resolve();
  let disposed = false;
  const exclusive = <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    if (disposed) {
      return Promise.reject(
        new ReenactError('INTERNAL', `Expected a live face tracker for ${what}() but it was disposed.`),
      );
    }
    const run = queue.then(fn, fn);
    queue = run.catch(() => undefined);
    return run;
  };
  return {
    detect: (image, still) => exclusive('detect', () => detectStill(models, image, { ...options, ...still })),
    track: (image, index) => exclusive('track', () => tracker.track(image, index)),
    reset: () => tracker.reset(),
    models: loaded.map((l) => l.file),
    async dispose() {
      if (disposed) return;
      disposed = true;
      await queue;
      await Promise.all(loaded.map((l) => l.session.release()));
    },
  };
}
