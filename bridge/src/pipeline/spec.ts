/**
 * JobSpec: everything a render needs, validated at every boundary (CLI, bridge API, batch files, queue).
 * The same spec drives the CLI, the bridge and the workers; `reenact.json` records it with the results.
 */
import { z } from 'zod';
import { ControlsPatchSchema, FrameControlsSchema } from '../engines/controls.js';
import { engineNames, engineProblems } from '../engines/registry.js';
import type { DeviceChange } from '../engines/types.js';
import { DeviceSchema } from '../onnx/devices.js';
import { faceChoiceFromText, orText, RateSchema, spanFromText } from './spec-text.js';

/** Which face: an object, or the command line's text ("largest", "index:1", "id:0", "point:120,80"). */
export const FaceChoiceSchema = orText(
  z.union([
    z.object({ by: z.literal('largest') }),
    z.object({ by: z.literal('index'), index: z.number().int().min(0) }),
    z.object({ by: z.literal('id'), id: z.number().int().min(0) }),
    z.object({ by: z.literal('point'), x: z.number(), y: z.number() }),
  ]),
  faceChoiceFromText,
  'largest, index:N, id:N or point:X,Y',
);

export const OutputFormatSchema = z.enum(['png', 'prores']);

/** Inclusive range of driving-clip frames (0-based, in the clip's own frame numbers): `{start, end}` or "start-end". */
export const FrameRangeSchema = orText(
  z
    .object({ start: z.number().int().min(0), end: z.number().int().min(0) })
    .refine((r) => r.end >= r.start, { message: 'range end must be ≥ start' }),
  spanFromText,
  'clip frames START-END like "0-99"',
);

/**
 * A chunk of a job: OUTPUT frame indices (inclusive). Tracking, smoothing, the reference frame and the conform map stay
 * those of the whole job, so a chunk's frames are the same bytes as in an unchunked render; only these are rendered,
 * into `<output.dir>/chunks/<start>-<end>/`, and `mergeChunks` (jobs/chunks.ts) joins them.
 */
export const ChunkSchema = orText(
  z
    .object({ start: z.number().int().min(0), end: z.number().int().min(0) })
    .refine((r) => r.end >= r.start, { message: 'chunk end must be ≥ start' }),
  spanFromText,
  'output frames START-END like "0-49"',
);
export type Chunk = z.infer<typeof ChunkSchema>;

/** Where and how a render is written. */
export const OutputSchema = z.object({
  dir: z.string().min(1),
  format: OutputFormatSchema.default('png'),
  /** Also write an H.264 side-by-side preview (driving | result). */
  preview: z.boolean().default(false),
  /** Start over, replacing what the folder holds from an earlier run. */
  force: z.boolean().default(false),
});

/** `output` as an object, or just the folder (`output: renders/alice`). */
export function outputOrFolder<T extends z.ZodType<unknown, { dir: string }>>(schema: T) {
  return orText(schema, (dir) => ({ dir }) as z.input<T>, 'an output folder');
}

/**
 * Per-frame control curves (AE-native controls): frames[i] holds the controls keyed at output frame start + i, and
 * only those: merged over `controls`, so a curve changes only the controls it names.
 */
export const ControlCurvesSchema = z.object({
  /** Output frame index of curves[0]. */
  start: z.number().int().min(0).default(0),
  frames: z.array(ControlsPatchSchema),
});

export const JobSpecSchema = z.object({
  source: z.string().min(1),
  driving: z.string().min(1),
  output: outputOrFolder(OutputSchema),
  engine: z
    .object({
      /** One of the registry's engines (engines/registry.ts); the first registered is the default. */
      name: z.string().default(() => engineNames()[0]),
      device: DeviceSchema.default('auto'),
      /** Engine-specific options, checked against the engine's strict schema and kept as given (defaults unfilled). */
      options: z.record(z.string(), z.unknown()).default({}),
    })
    .superRefine((engine, ctx) => {
      for (const problem of engineProblems(engine)) ctx.addIssue({ code: 'custom', ...problem });
    })
    .default(() => ({ name: engineNames()[0], device: 'auto' as const, options: {} })),
  face: z
    .object({
      source: FaceChoiceSchema.default({ by: 'largest' }),
      driving: FaceChoiceSchema.default({ by: 'largest' }),
    })
    .default({ source: { by: 'largest' }, driving: { by: 'largest' } }),
  /**
   * Driving frame (clip frame number) taken as neutral; 'auto' = the first frame with a face; 'neutral' = the most
   * neutral face in the range (mouth closed, eyes open, facing the camera), for clips that open mid-expression.
   */
  referenceFrame: z.union([z.literal('auto'), z.literal('neutral'), z.number().int().min(0)]).default('auto'),
  range: FrameRangeSchema.optional(),
  /** Render only these output frames of the job (farm/queue chunks). */
  chunk: ChunkSchema.optional(),
  /**
   * Conform output to this rate: a number or text (24, 29.97, "30000/1001"), kept as the exact rational text
   * ("30000/1001"); default: the driving clip's rate.
   */
  fps: RateSchema.optional(),
  /**
   * When `fps` differs from the clip's rate, how output frames between clip frames are made: `motion` interpolates the
   * tracked face to each output frame's time and renders it (smooth); `nearest` repeats or skips clip frames, as a
   * frame-based tool does. Engines that read the driving pixels always conform by nearest frame.
   */
  conform: z.enum(['motion', 'nearest']).default('motion'),
  /** Landmark smoothing strength 0 (none) … 1 (heavy). */
  smoothing: z.number().min(0).max(1).default(0.5),
  controls: FrameControlsSchema.default(FrameControlsSchema.parse({})),
  curves: ControlCurvesSchema.optional(),
  /** When a frame has no face or the engine fails on it: hold the previous good frame, show the neutral portrait, or fail the job. */
  onFrameFailure: z.enum(['hold', 'neutral', 'fail']).default('hold'),
});

export type JobSpec = z.infer<typeof JobSpecSchema>;
/** What callers may pass (defaults filled by parse). */
export type JobSpecInput = z.input<typeof JobSpecSchema>;

/**
 * What an output frame shows: the engine's render; the last good frame held (no face, or the engine failed, with
 * policy hold); the neutral portrait for a frame without a face, or one the engine failed on.
 */
export type FrameStatus = 'rendered' | 'held' | 'no-face' | 'failed';

export interface ManifestFrame {
  /** Output frame index (file number). */
  index: number;
  /** Driving clip frame it came from. */
  sourceIndex: number;
  status: FrameStatus;
  /**
   * The frame's recipe key (frame-decision.ts): a later run in the same folder keeps the file when its key is the
   * same. Manifests not written by reenact may lack it; such frames are never kept.
   */
  key: string;
  /**
   * The engine's warnings for this frame (e.g. a clamped head turn), kept with the frame so a later run that keeps the
   * file reports them again.
   */
  warnings?: string[];
}

/** `reenact.json`, written beside the frames: the spec, the inputs' hashes, the engine and models, every frame. */
export interface Manifest {
  tool: { name: 'reenact'; version: string };
  spec: JobSpec;
  inputs: {
    source: { path: string; sha256: string; width: number; height: number };
    driving: { path: string; sha256: string; fps: string; frameCount: number };
  };
  engine: {
    name: string;
    version: string;
    /** The device that ran (the last one, after a fallback). */
    device: string;
    /** Each move to another device: at load (frame null) or mid-job (the frame rendered again on `to`). */
    deviceChanges?: DeviceChange[];
    models: { id: string; sha256: string; licence: string }[];
  };
  /** Output frame rate as a rational string ("30000/1001"). */
  fps: string;
  width: number;
  height: number;
  format: 'png' | 'prores';
  /** PNG: printf pattern relative to the manifest ("frames/frame_%05d.png"); ProRes: file name. */
  output: string;
  /** Side-by-side preview mp4, when written. */
  preview?: string;
  firstFrame: number;
  frameCount: number;
  frames: ManifestFrame[];
  referenceFrame: number;
  warnings: string[];
  timings: { totalSeconds: number; trackSeconds: number; renderSeconds: number; encodeSeconds: number };
  complete: boolean;
  /** Frames rendered by this run, and frames kept from an earlier run in the folder (resume / update in place). */
  stats?: { rendered: number; kept: number };
  createdAt: string;
}
