/**
 * Job events: one stream (rxjs) per job, consumed by the CLI progress bar, the bridge WebSocket and queue workers.
 * Plain JSON-safe objects; `--json` prints one per line.
 */
import type { Manifest } from './spec.js';

export type JobStage = 'probe' | 'track' | 'render' | 'encode' | 'preview';

export type JobEvent =
  | { type: 'queued'; jobId: string }
  | { type: 'started'; jobId: string; totalFrames: number; engine: string; device: string }
  | {
      type: 'progress';
      jobId: string;
      stage: JobStage;
      done: number;
      total: number;
      fps: number;
      /** Seconds left for this stage, or null before the rate is known. */
      eta: number | null;
    }
  /** A downscaled JPEG/PNG of the latest frame, every N frames (base64 data, no data: prefix). */
  | { type: 'preview'; jobId: string; index: number; mime: 'image/png'; width: number; height: number; data: string }
  | { type: 'warning'; jobId: string; message: string; frames?: [number, number] }
  | { type: 'done'; jobId: string; manifestPath: string; manifest: Manifest }
  | { type: 'failed'; jobId: string; error: { code: string; message: string } }
  | { type: 'cancelled'; jobId: string };
