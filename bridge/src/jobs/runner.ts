/**
 * The seam between the job manager and the render pipeline: the bridge runs jobs through the same `renderJob` as
 * the CLI. Tests may inject another runner (one that fails, hangs or ignores its signal) to prove the manager copes.
 */
import type { JobEvent } from '../pipeline/events.js';
import type { JobSpecInput, Manifest } from '../pipeline/spec.js';

export interface RunOptions {
  jobId?: string;
  signal?: AbortSignal;
  onEvent?: (event: JobEvent) => void;
  /** Emit a preview event every N rendered frames. */
  previewEvery?: number;
}

/** Renders one job; resolves with the manifest, rejects (CANCELLED when aborted) otherwise. */
export type JobRunner = (spec: JobSpecInput, options: RunOptions) => Promise<Manifest>;

/** The real pipeline, loaded on first use so the server starts fast and loads ONNX only when a job runs. */
export const defaultRunner: JobRunner = async (spec, options) => {
  const { renderJob } = await import('../pipeline/render.js');
  return renderJob(spec, options);
};
