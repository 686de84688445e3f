/**
 * The contract between the panel and the ExtendScript host scripts (`host-scripts/`, loaded into AE as
 * `$.global.reenact`). The host side is hand-written ES3 and cannot import these types, so this file is the one
 * place that states what each call takes and returns; the host-script tests check the real outputs against it.
 * The panel imports it with `import type` and turns `{ok:false}` envelopes into a typed HostError.
 *
 * Every call is made as `evalScript('reenact.<name>(<args>)')` and answers a JSON string of `HostEnvelope<T>`.
 * Times are seconds in comp time unless a name says otherwise. Calls name layers by id (LayerInfo.id, AE 22.0's
 * Layer.id): ids survive reordering and reach a layer whichever comp is open; indices are AE's 1-based stacking
 * order at the time of the answer, for messages only.
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
  | 'NOT_ALLOWED' // AE does not let scripts write files (Allow Scripts to Write Files and Access Network is off)
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
  | 'audio' // footage without video (a sound file): never a portrait or a performance
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
  /** Clip frames shown between the layer's in and out points (inclusive), stretch and reversal included; null for
   * stills, non-footage and time-remapped layers. */
  layerRange: { start: number; end: number } | null;
  /** The clip frame shown at its comp's current time (clamped to the clip); null for stills and non-footage. */
  frameAtTime: number | null;
  /** Performance layers from pickInputs/listBatchLayers/describeLayer: clip frames the work area shows (inclusive). */
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

/** `reenact.describeLayer(layerId)`: one layer wherever it is, with its comp (for frameAtTime's time). */
export interface DescribeLayerResult {
  comp: CompInfo;
  layer: LayerInfo;
}

/** A rectangle in a layer's own coordinates (AVLayer.sourceRectAtTime). */
export interface LayerRect {
  left: number;
  top: number;
  width: number;
  height: number;
}

/**
 * `reenact.exportStill(layerId, time | null, outPath)`: PNG of what one layer draws at `time` (default: its comp's
 * current time, or the layer's in point when it is not shown then), into `outPath`, whose folder must exist.
 */
export interface ExportStillResult {
  file: string;
  width: number;
  height: number;
  /** Comp time rendered. */
  time: number;
  /** What the PNG shows, in the layer's coordinates: pass it on as ImportRequest.portraitRect. */
  rect: LayerRect;
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
   * Layer id of the portrait: the result goes directly above it, in its comp (whichever comp is open). Passing an
   * earlier result layer means that result's portrait.
   */
  stillLayerId: number;
  /** Layer id of the performance: the result starts where it shows driving frame `firstFrame`, at its stretch. */
  drivingLayerId?: number | null;
  /** The part of the portrait the render was made from (ExportStillResult.rect); default: the whole layer. */
  portraitRect?: LayerRect;
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

/** `reenact.addControls(layerId)`: names of the Expression Controls added now and already present. */
export interface AddControlsResult {
  layer: number;
  added: string[];
  existing: string[];
}

/**
 * `reenact.sampleControls(layerId, startTime|null, frameCount, fpsNum, fpsDen)`: every control once per output
 * frame k at comp time startTime + k·fpsDen/fpsNum·stretch/100 (startTime null: the layer's start; stretch: the
 * layer's), expressions evaluated.
 * `curves` has the shape of ControlCurvesSchema (bridge/src/pipeline/spec.ts).
 */
export interface SampleControlsResult {
  curves: { start: number; frames: FrameControls[] };
  /** JobSpec.smoothing (one value per job): the control's value at the first frame, 0..1. */
  smoothing: number;
  warnings: string[];
}

/** `reenact.readNeutralMarker(layerId)`: the "reenact neutral" layer marker, or null when there is none. */
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
  describeLayer(layerId: number): DescribeLayerResult;
  exportStill(layerId: number, time: number | null, outPath: string): ExportStillResult;
  /** Removes temp comps of finished exports; AE also runs it on a timer while exports are pending. */
  finishExports(): { pending: number };
  importResult(request: ImportRequest): ImportResult;
  addControls(layerId: number): AddControlsResult;
  sampleControls(
    layerId: number,
    startTime: number | null,
    frameCount: number,
    fpsNum: number,
    fpsDen: number,
  ): SampleControlsResult;
  readNeutralMarker(layerId: number): NeutralMarkerResult | null;
  /** Moves (or adds) the one "reenact neutral" marker to `time` (default: current time), in one undo group. */
  setNeutralMarker(layerId: number, time?: number | null): NeutralMarkerResult;
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
