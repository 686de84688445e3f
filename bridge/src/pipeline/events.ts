/**
 * Job events: one stream (rxjs) per job, consumed by the CLI progress bar, the bridge WebSocket and queue workers.
 * Plain JSON-safe objects; `--json` prints one per line. The schema is the one definition: the type is inferred from
 * it, and the bridge's client checks every event it receives with it. Browser-safe (the panel's client uses it).
 */
import { z } from 'zod';
import type { Manifest } from './spec.js';

export const JobStageSchema = z.enum(['probe', 'track', 'render', 'encode', 'preview']);
export type JobStage = z.infer<typeof JobStageSchema>;

/** The manifest inside a `done` event: checked as far as the client reads it (its frames). */
const ManifestSchema = z.custom<Manifest>(
  (v) => typeof v === 'object' && v !== null && Array.isArray((v as { frames?: unknown }).frames),
  { error: 'Expected a manifest with frames.' },
);

export const JobEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('queued'), jobId: z.string() }),
  z.object({
    type: z.literal('started'),
    jobId: z.string(),
    totalFrames: z.number(),
    engine: z.string(),
    device: z.string(),
  }),
  z.object({
    type: z.literal('progress'),
    jobId: z.string(),
    stage: JobStageSchema,
    done: z.number(),
    total: z.number(),
    fps: z.number(),
    /** Seconds left for this stage, or null before the rate is known. */
    eta: z.number().nullable(),
  }),
  /** A downscaled PNG of the latest frame, every N frames (base64 data, no data: prefix). */
  z.object({
    type: z.literal('preview'),
    jobId: z.string(),
    index: z.number(),
    mime: z.literal('image/png'),
    width: z.number(),
    height: z.number(),
    data: z.string(),
  }),
  z.object({
    type: z.literal('warning'),
    jobId: z.string(),
    message: z.string(),
    frames: z.tuple([z.number(), z.number()]).optional(),
  }),
  z.object({ type: z.literal('done'), jobId: z.string(), manifestPath: z.string(), manifest: ManifestSchema }),
  z.object({
    type: z.literal('failed'),
    jobId: z.string(),
    error: z.object({ code: z.string(), message: z.string() }),
  }),
  z.object({ type: z.literal('cancelled'), jobId: z.string() }),
]);

export type JobEvent = z.infer<typeof JobEventSchema>;
