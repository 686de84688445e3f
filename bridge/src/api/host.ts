/**
 * The contract between the panel and the ExtendScript host scripts (`host-scripts/`, loaded into AE as
 * `$.global.reenact`). The host side is hand-written ES3 and cannot import these types, so this file is the one
 * place that states what each call takes and returns; the host-script tests check the real outputs against it.
 * The panel imports it with `import type` and turns `{ok:false}` envelopes into a typed HostError.
 *
 * Every call is made as `evalScript('reenact.<name>(<args>)')` and answers a JSON string of `HostEnvelope<T>`.
 * Times are seconds in comp time unless a name says otherwise; layer indices are AE's 1-based stacking order.
 */
import type { FrameControls } from '../engines/controls.js';
import type { Rational } from '../util/rational.js';

/** What a failed host call reports. Each code comes with a message that names the layer or file and the fix. */
export type HostErrorCode =
  | 'NO_COMP' // no active composition
  | 'NO_SELECTION' // nothing selected
  | 'WRONG_SELECTION' // the selection holds layers of the wrong kind or count
  | 'OFFLINE_FOOTAGE' // a layer's footage is missing on disk
  | 'NO_FILE' // a footage layer has no file (placeholder, generated)
  | 'READ_ONLY' // the project file is read-only
  | 'NOT_FOUND' // a layer index, a rendered file or the controls are missing
  | 'BAD_ARGUMENT' // an argument of the wrong type or form (a bug in the caller)
  | 'IMPORT_FAILED' // AE refused to import the render
  | 'EXPORT_FAILED' // the still's PNG could not be written
  | 'INTERNAL'; // AE threw something unexpected (message carries AE's text and the script line)

export interface HostErrorInfo {
  code: HostErrorCode;
  message: string;
}

export type HostEnvelope<T> = { ok: true; value: T } | { ok: false; error: HostErrorInfo };

export type LayerKind =
  | 'still' // a still image file
  | 'video' // a movie file
  | 'sequence' // an image sequence
  | 'solid'
  | 'comp' // a precomp
  | 'text'
  | 'shape'
  | 'camera'
  | 'light'
  | 'other';

export interface CompInfo {
  id: number;
  name: string;
  width: number;
  height: number;
  pixelAspect: number;
  /** Exact rate recovered from AE's double (29.97002997… → 30000/1001). */
  fps: Rational;
  duration: number;
  /** Current time indicator. */
  time: number;
  displayStartTime: number;
  workArea: { start: number; duration: number };
}

export interface LayerTransform {
  anchorPoint: number[] | null;
  position: number[] | null;
  scale: number[] | null;
  rotation: number | null;
  opacity: number | null;
}

export interface LayerInfo {
  index: number;
  id: number;
  name: string;
  kind: LayerKind;
  /** Native path of the footage file (for offline footage, the path AE last knew); null when there is none. */
  file: string | null;
  width: number | null;
  height: number | null;
  /** Footage rate of clips and sequences; null for stills and non-footage layers. */
  sourceFps: Rational | null;
  sourceDuration: number | null;
  inPoint: number;
  outPoint: number;
  startTime: number;
  /** Percent; 100 = no stretch. */
  stretch: number;
  timeRemap: boolean;
  enabled: boolean;
  effects: number;
  masks: number;
  /** Used as the portrait, this layer must first be rendered with exportStill (comp, text, shape, effects, masks). */
  needsExport: boolean;
  transform: LayerTransform;
  /** Why the layer cannot be used, if it cannot. */
  problem: HostErrorInfo | null;
  /** Performance layers from pickInputs/listBatchLayers: clip frames the work area shows (inclusive). */
  range?: { start: number; end: number } | null;
}

// ---- calls ----

/** `reenact.getSelection()` */
export interface SelectionResult {
  comp: CompInfo;
  /** In selection order (AE's 0-based selectedLayers). */
  layers: LayerInfo[];
}

/** `reenact.pickInputs()`: the "Use selected" pair; either may be null when only one kind is selected. */
export interface PickInputsResult {
  comp: CompInfo;
  portrait: LayerInfo | null;
  performance: LayerInfo | null;
}

export interface BatchEntry {
  comp: { id: number; name: string };
  portrait: LayerInfo;
  performance: LayerInfo;
  /** Clip frames the work area shows, or null when it shows none. */
  range: { start: number; end: number } | null;
}

/** `reenact.listBatchLayers()`: selected layers of the active comp paired up, else comps selected in the Project panel. */
export interface BatchLayersResult {
  entries: BatchEntry[];
  /** Selected comps that hold no usable pair, with the reason. */
  skipped: { name: string; reason: string }[];
}

/** `reenact.exportStill(layerIndex, time?, outPath?)`: PNG of one layer at `time` (default: current time). */
export interface ExportStillResult {
  file: string;
  width: number;
  height: number;
  time: number;
  /**
   * False when AE had not finished writing the PNG when the call returned (saveFrameToPng renders in the
   * background in recent AE): wait until the file is a complete PNG (see png-ready.ts) before reading it.
   */
  written: boolean;
}

/** Argument of `reenact.importResult(<JSON string>)`, built by the panel from the render's `reenact.json`. */
export interface ImportRequest {
  /** Absolute path of the first PNG of the sequence, or of the ProRes movie. */
  file: string;
  format: 'png' | 'prores';
  /** Output rate as a rational string ("30000/1001") or object; conformed exactly on the footage. */
  fps: string | Rational;
  /**
   * Layer index of the portrait in the active comp: the result goes directly above it. Passing an earlier result
   * layer means that result's portrait. Give `stillLayerId` (LayerInfo.id) instead when indices may have shifted.
   */
  stillLayer?: number;
  stillLayerId?: number;
  /** Layer index (or id) of the performance: the result starts where it shows driving frame `firstFrame`. */
  drivingLayer?: number | null;
  drivingLayerId?: number | null;
  /** Driving clip frame shown by output frame 0 (Manifest.frames[0].sourceIndex). Default 0. */
  firstFrame?: number;
  /** Explicit comp time of output frame 0; overrides the alignment to drivingLayer. */
  startTime?: number;
}

/** `reenact.importResult(json)` */
export interface ImportResult {
  layer: number;
  layerId: number;
  name: string;
  itemId: number;
  /** True when an earlier result's footage was replaced in place instead of adding a layer. */
  replaced: boolean;
  /** How the result covers the portrait: same size (copied), scaled onto it (fitted), or left as the artist had it (kept). */
  placement: 'copied' | 'fitted' | 'kept';
  startTime: number;
  fps: Rational;
  warnings: string[];
}

/** `reenact.addControls(layerIndex)`: names of the Expression Controls added now and already present. */
export interface AddControlsResult {
  layer: number;
  added: string[];
  existing: string[];
}

/**
 * `reenact.sampleControls(layerIndex, startTime|null, frameCount, fpsNum, fpsDen)`: every control once per output
 * frame k at comp time startTime + k·fpsDen/fpsNum (startTime null: the layer's start), expressions evaluated.
 * `curves` has the shape of ControlCurvesSchema (bridge/src/pipeline/spec.ts).
 */
export interface SampleControlsResult {
  curves: { start: number; frames: FrameControls[] };
  /** JobSpec.smoothing (one value per job): the control's value at the first frame, 0..1. */
  smoothing: number;
  warnings: string[];
}

/** `reenact.readNeutralMarker(layerIndex)`: the "reenact neutral" layer marker, or null when there is none. */
export interface NeutralMarkerResult {
  /** Comp time of the marker. */
  time: number;
  /** Seconds from the layer's start. */
  layerTime: number;
  /** Clip frame number under the marker (JobSpec.referenceFrame). */
  frame: number;
}

/** `reenact.hostInfo()`: the loaded host script's version (compare with the panel's) and AE's version string. */
export interface HostInfoResult {
  version: string;
  /** app.version, e.g. "25.2x14". */
  appVersion: string;
  /** Project file path, or null for an unsaved project. */
  project: string | null;
}

/** Names and signatures of the host calls, for a typed evalScript wrapper in the panel. */
export interface HostApi {
  hostInfo(): HostInfoResult;
  getSelection(): SelectionResult;
  pickInputs(): PickInputsResult;
  listBatchLayers(): BatchLayersResult;
  exportStill(layerIndex: number, time?: number | null, outPath?: string): ExportStillResult;
  /** Removes temp comps of finished exports; AE also runs it on a timer while exports are pending. */
  finishExports(): { pending: number };
  importResult(request: ImportRequest): ImportResult;
  addControls(layerIndex: number): AddControlsResult;
  sampleControls(
    layerIndex: number,
    startTime: number | null,
    frameCount: number,
    fpsNum: number,
    fpsDen: number,
  ): SampleControlsResult;
  readNeutralMarker(layerIndex: number): NeutralMarkerResult | null;
  /** Moves (or adds) the one "reenact neutral" marker to `time` (default: current time), in one undo group. */
  setNeutralMarker(layerIndex: number, time?: number | null): NeutralMarkerResult;
}

/** The Expression Controls addControls creates (name in AE → FrameControls field or the job's smoothing). */
export const CONTROL_NAMES = {
  intensity: 'reenact intensity',
  head: 'reenact head',
  brows: 'reenact brows',
  eyes: 'reenact eyes',
  mouth: 'reenact mouth',
  blink: 'reenact blink',
  smoothing: 'reenact smoothing',
  gazeLeft: 'reenact gaze left',
  gazeRight: 'reenact gaze right',
  holdPose: 'reenact hold pose',
} as const;

/** Layer marker comment that marks the neutral reference frame on the performance layer. */
export const NEUTRAL_MARKER_COMMENT = 'reenact neutral';
