/**
 * The bridge's wire contract: every request body, query and WebSocket message the bridge accepts is parsed with
 * these zod schemas, and the response shapes are typed here too. The panel imports the types (`import type`), the
 * typed client imports the schemas; nothing here may touch Node (this file ends up in the panel's browser bundle).
 */
import { z } from 'zod';
import type { EngineListing } from '../engines/registry.js';
import type { ErrorCode } from '../errors.js';
import type { ProbeResult, ToolsReport } from '../media/types.js';
import type { DeviceRequest } from '../onnx/devices.js';
import { type JobEvent, JobEventSchema } from '../pipeline/events.js';
import { type JobSpec, JobSpecSchema, type Manifest, OutputSchema, outputOrFolder } from '../pipeline/spec.js';

/** Largest request body the bridge reads (bytes). Specs and face requests are a few kB. */
export const MAX_BODY_BYTES = 1024 * 1024;

// ---------------------------------------------------------------------------------------------------------------
// Paths: the bridge may run on another machine, so paths are the bridge's own; they must be absolute and may not
// climb with `..` (a path is confined by what it says, not by what it resolves to after a symlink dance).

const WINDOWS_ABSOLUTE = /^(?:[A-Za-z]:[\\/]|\\\\[^\\/]+[\\/][^\\/]+)/;

/** True for `/x`, `C:\x`, `C:/x` and `\\server\share\x`. */
export function isAbsolutePath(p: string): boolean {
  return p.startsWith('/') || WINDOWS_ABSOLUTE.test(p);
}

/** True when any segment of `p` is `..`. */
export function hasTraversal(p: string): boolean {
  return p.split(/[\\/]+/).some((segment) => segment === '..');
}

/** An absolute path without `..` segments or NUL bytes. */
export function absolutePath(name: string) {
  return z
    .string({ error: `Expected a path string for ${name}.` })
    .min(1, { error: `Expected a non-empty path for ${name}.` })
    .max(4096, { error: `Expected a path of at most 4096 characters for ${name}.` })
    .superRefine((p, ctx) => {
      if (p.includes('\0')) ctx.addIssue({ code: 'custom', message: `Expected ${name} without NUL bytes.` });
      else if (!isAbsolutePath(p))
        ctx.addIssue({
          code: 'custom',
          message: `Expected an absolute path for ${name} but received ${JSON.stringify(p)}.`,
        });
      else if (hasTraversal(p))
        ctx.addIssue({
          code: 'custom',
          message: `Expected a path without ".." segments for ${name} but received ${JSON.stringify(p)}.`,
        });
    });
}

// ---------------------------------------------------------------------------------------------------------------
// Errors

/** Codes of API errors: the ReenactError codes plus HTTP-level ones. */
export type ApiErrorCode =
  | ErrorCode
  | 'UNAUTHORIZED'
  | 'FORBIDDEN_ORIGIN'
  | 'FORBIDDEN_HOST'
  | 'BAD_REQUEST'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE';

/** Every non-2xx response body. */
export interface ApiErrorBody {
  error: { code: ApiErrorCode; message: string; details?: Record<string, unknown> };
}

// ---------------------------------------------------------------------------------------------------------------
// System

export interface HealthResponse {
  ok: true;
  name: 'reenact';
  version: string;
  pid: number;
  uptimeSeconds: number;
  /** Resident set size and V8 heap in bytes (the load bench watches these). */
  memory: { rss: number; heapUsed: number };
  /** Where jobs render: a thread per job (the compiled bridge), this thread, or a runner a test injected. */
  renderer: 'thread' | 'in-process' | 'custom';
  /** The ffmpeg and ffprobe jobs run: path, where it came from, version, and a warning when it is too old. */
  ffmpeg: ToolsReport;
}

/** One engine of the registry and whether it can run here. */
export type EngineAvailability = EngineListing;

export interface EnginesResponse {
  engines: EngineAvailability[];
}

export interface DeviceAvailability {
  name: DeviceRequest;
  available: boolean;
  reason?: string;
  /** Runs only when chosen by name, never by auto (WebGPU: unverified on GPUs). */
  experimental?: true;
}

/** The neural engine's model files: what is missing, the licence to show before downloading, and an install. */
export interface ModelsResponse {
  /** Model set, e.g. "liveportrait". */
  set: string;
  /** Every required model is installed. */
  installed: boolean;
  /** Required models not installed yet. */
  missing: string[];
  /** Download size of the missing models, for the button ("1.1 GiB"); null when the catalog does not say. */
  downloadSize: string | null;
  licence: { name: string; text: string; urls: string[] };
  install: ModelInstallState;
}

export interface ModelInstallState {
  state: 'idle' | 'running' | 'done' | 'failed' | 'cancelled';
  /** The file being fetched, its place among the files to fetch, and its bytes. */
  file?: string;
  index?: number;
  count?: number;
  done?: number;
  total?: number | null;
  error?: { code: string; message: string };
}

export interface DevicesResponse {
  devices: DeviceAvailability[];
}

// ---------------------------------------------------------------------------------------------------------------
// Media

export const ProbeQuerySchema = z.strictObject({ path: absolutePath('path') });
export type ProbeResponse = ProbeResult;

export const FacesRequestSchema = z.strictObject({
  source: absolutePath('source'),
  driving: absolutePath('driving').optional(),
  /** Driving frames sampled evenly across the clip (or the range). */
  samples: z.number().int().min(1).max(16).default(5),
  /** Longest side of each thumbnail in pixels. */
  thumbSize: z.number().int().min(32).max(256).default(96),
  range: z
    .object({ start: z.number().int().min(0), end: z.number().int().min(0) })
    .refine((r) => r.end >= r.start, { message: 'range end must be ≥ start' })
    .optional(),
});
export type FacesRequest = z.input<typeof FacesRequestSchema>;

/** `POST /stills/straight`: a PNG After Effects rendered (premultiplied colour) → a straight-colour copy to read. */
export const StraightStillRequestSchema = z.strictObject({ file: absolutePath('file') });
export type StraightStillRequest = z.input<typeof StraightStillRequestSchema>;
export interface StraightStillResponse {
  /** The copy, in the bridge's cache folder; the exported file is left as it is. */
  file: string;
}
export type FacesRequestParsed = z.infer<typeof FacesRequestSchema>;

export interface FaceThumb {
  /** Index in the frame, largest face first (what FaceChoice {by:'index'} means). */
  index: number;
  /** Track id across sampled driving frames (FaceChoice {by:'id'}); equals `index` for the still. */
  id: number;
  score: number;
  box: { x: number; y: number; width: number; height: number };
  /** PNG, base64 without a data: prefix. */
  thumbnail: string;
  thumbWidth: number;
  thumbHeight: number;
}

export interface FacesResponse {
  source: { path: string; width: number; height: number; faces: FaceThumb[] };
  driving?: {
    path: string;
    width: number;
    height: number;
    /** Sampled clip frames and the faces found in each. */
    frames: { index: number; faces: FaceThumb[] }[];
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Jobs

/** A job spec as the API accepts it: the pipeline's JobSpec with its paths required absolute and confined. */
export const CreateJobSchema = JobSpecSchema.extend({
  source: absolutePath('source'),
  driving: absolutePath('driving'),
  output: outputOrFolder(OutputSchema.extend({ dir: absolutePath('output.dir') })),
});
type CreateJobInput = z.input<typeof CreateJobSchema>;
/** A job as the typed client sends it: `output` as the object (the API also takes just the folder, as spec files do). */
export type CreateJobRequest = Omit<CreateJobInput, 'output'> & { output: Exclude<CreateJobInput['output'], string> };

/**
 * POST /batches: several jobs queued at once (AE: the selected layers, or a list of comps/layers, as one batch).
 * All are checked before any is queued; each must write to its own output folder.
 */
export const CreateBatchSchema = z.strictObject({ jobs: z.array(CreateJobSchema).min(1).max(200) });
export type CreateBatchRequest = z.input<typeof CreateBatchSchema>;

export const JobIdSchema = z
  .string()
  .regex(/^j-[0-9]{8}-[0-9]{6}-[0-9a-f]{8}$/, { error: 'Expected a job id like j-20260101-120000-0a1b2c3d.' });
export const JobParamsSchema = z.strictObject({ id: JobIdSchema });

/**
 * DELETE /jobs/:id/outputs takes no body: it deletes exactly what the job's reenact.json lists. (It once took
 * `paths`; any key now is refused, so an old client learns that rather than deleting something else.)
 */
export const DeleteOutputsSchema = z
  .strictObject(
    {},
    {
      error: (issue) =>
        issue.code === 'unrecognized_keys'
          ? `Expected no body: the job's outputs are the files its reenact.json lists, nothing else can be named (received ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}).`
          : undefined,
    },
  )
  .optional();

export type JobState = 'queued' | 'running' | 'done' | 'failed' | 'cancelled' | 'interrupted';

/** A running job's latest progress: its last `progress` event without the type and job id. */
export type JobProgress = Omit<Extract<JobEvent, { type: 'progress' }>, 'type' | 'jobId'>;

export interface JobSummary {
  id: string;
  state: JobState;
  spec: JobSpec;
  /** Device slot the job runs in (the spec's device; 'auto' stays 'auto'). */
  device: string;
  createdAt: string;
  updatedAt: string;
  startedAt?: string;
  finishedAt?: string;
  /** How many times it was started (1 + resumes). */
  runs: number;
  progress?: JobProgress;
  error?: { code: string; message: string };
  /** `reenact.json` once written. */
  manifestPath?: string;
}

export interface JobResponse {
  job: JobSummary;
}

/** POST /batches → the queued jobs, in request order. */
export interface BatchResponse {
  jobs: JobSummary[];
}

export interface JobDetailResponse {
  job: JobSummary;
  /** The manifest on disk, when there is one. */
  manifest?: Manifest;
}

export interface JobListResponse {
  jobs: JobSummary[];
}

export interface DeleteOutputsResponse {
  job: JobSummary;
  /** Absolute paths removed. */
  deleted: string[];
}

// ---------------------------------------------------------------------------------------------------------------
// WebSocket `GET /jobs/:id/events?token=…`: the server first sends the job's current state, then its events
// (history first, so a late subscriber misses nothing), and closes with 1000 after a final event.

/** Query of the events WebSocket besides `token`: `previews=false` leaves preview images out from the start. */
export const EventsQuerySchema = z.strictObject({
  previews: z.enum(['true', 'false']).default('true'),
});

export const ClientMessageSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('ping'), id: z.number().int().optional() }),
  /** Turn frame previews off (saves bandwidth) or on again. */
  z.strictObject({ type: z.literal('previews'), enabled: z.boolean() }),
]);

export const ServerMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('job'), job: z.looseObject({ id: z.string(), state: z.string() }) }),
  z.object({ type: z.literal('event'), event: JobEventSchema }),
  z.object({ type: z.literal('pong'), id: z.number().int().optional() }),
  z.object({ type: z.literal('error'), error: z.object({ code: z.string(), message: z.string() }) }),
]);

export type ServerMessage =
  | { type: 'job'; job: JobSummary }
  | { type: 'event'; event: JobEvent }
  | { type: 'pong'; id?: number }
  | { type: 'error'; error: { code: ApiErrorCode; message: string } };

/** Event types after which a job's stream ends. */
export const TERMINAL_EVENTS: readonly JobEvent['type'][] = ['done', 'failed', 'cancelled'];
