/**
 * The Engine seam. One engine = one folder = one factory (`engines/<name>/index.ts` exports
 * `create<Name>Engine(config)`), listed once in engines/registry.ts. Engines never spawn ffmpeg or touch the file
 * system for frames: the pipeline hands them pixels and face observations, and takes back RGBA frames.
 */
import type { FaceObservation } from '../face/types.js';
import type { Image, PixelRect } from '../media/types.js';
import type { DeviceRequest } from '../onnx/devices.js';
import type { FrameControls } from './controls.js';

export interface DeviceChange {
  from: string;
  to: string;
  frame: number | null;
  reason: string;
}

export interface ModelRef {
  id: string;
  file: string;
  sha256: string;
  licence: string;
}

export interface EngineInfo {
  /** The registry name (engines/registry.ts). */
  name: string;
  version: string;
  /** The execution provider that actually ran (e.g. 'cpu', 'cuda'); after a fallback, the one running now. */
  device: string;
  /**
   * Each move to another device: at load (frame null: the requested GPU could not start or run) or mid-job (the
   * frame it failed on, which was rendered again on `to`). Recorded in the manifest.
   */
  deviceChanges?: DeviceChange[];
  models: ModelRef[];
  /** True when render() needs the driving frame's pixels (not only its landmarks). */
  needsDrivingPixels: boolean;
  /** False for engines that need no face tracking (the test fixture engine). Default true. */
  needsFaces?: boolean;
}

/** One driving frame as the engine sees it. `image` is present when the engine asked for pixels. */
export interface DrivingFrame {
  index: number;
  time: number;
  image?: Image;
  /** The chosen face (smoothed), or null when none was found in this frame. */
  face: FaceObservation | null;
  controls: FrameControls;
}

export interface RenderedFrame {
  /** Full portrait resolution RGBA; alpha is the feathered matte of the changed region. */
  image: Image;
  /**
   * Where the frame may differ from the neutral portrait (the source's RGB, alpha 0): every pixel outside this box
   * equals it; null when the whole frame does. Absent when the engine does not know. The PNG writer then compares
   * only this box with the portrait, so it must never be too small.
   */
  changed?: PixelRect | null;
  /**
   * Hands `image.data` back to the engine, which may overwrite it from then on (its next frames reuse the memory).
   * Called at most once, when nothing reads the frame any more; absent when the engine never reuses a buffer.
   */
  release?: () => void;
  /** Warnings for this frame (e.g. "yaw beyond what a 2-D warp can show"). */
  warnings?: string[];
}

export interface Engine {
  readonly info: EngineInfo;
  /** Analyse the portrait once. `face` is the portrait's face chosen by the user. */
  prepare(source: Image, face: FaceObservation): Promise<void>;
  /** The neutral driving frame that motion is measured against. */
  setReference(reference: DrivingFrame): Promise<void>;
  /** Renders the portrait performing `frame`. A frame with `face: null` returns the neutral portrait. */
  render(frame: DrivingFrame): Promise<RenderedFrame>;
  /** Releases every ONNX session and buffer. */
  dispose(): Promise<void>;
}

/** Whether an engine can run on this machine, and if not why and what to do. */
export interface EngineState {
  available: boolean;
  /** Why it is not available, and what to do. */
  reason?: string;
  /** Unavailable only because its model files are not installed (`reenact models install`, the panel's button). */
  needsModels?: boolean;
}

/** Environment variables (model catalog and cache folders); the process's, or a test's own. */
export type Env = Readonly<Record<string, string | undefined>>;

/** What an engine folder's index.ts exports for the registry (engines/registry.ts). */
export interface EngineModule<Options> {
  /** Builds the engine for one job; `options` are validated, defaults filled. */
  create(request: { device: DeviceRequest; options: Options }): Promise<Engine>;
}
