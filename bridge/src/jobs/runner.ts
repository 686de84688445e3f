/**
 * The seam between the job manager and the render pipeline: the bridge runs jobs through the same `renderJob` as
 * the CLI. Tests may inject another runner (one that fails, hangs or ignores its signal) to prove the manager copes.
 */
import { Worker } from 'node:worker_threads';
import { asReenactError, type ErrorData, ReenactError } from '../errors.js';
import type { JobEvent } from '../pipeline/events.js';
import type { JobSpecInput, Manifest } from '../pipeline/spec.js';
import type { RenderWorkerData } from './render-worker.js';

export interface RunOptions {
  jobId?: string;
  signal?: AbortSignal;
  onEvent?: (event: JobEvent) => void;
  /** Emit a preview event every N rendered frames. */
  previewEvery?: number;
}

/** Renders one job; resolves with the manifest, rejects (CANCELLED when aborted) otherwise. */
export type JobRunner = (spec: JobSpecInput, options: RunOptions) => Promise<Manifest>;

/** The real pipeline in this thread, loaded on first use so the server starts fast and loads ONNX only when needed. */
export const inProcessRunner: JobRunner = async (spec, options) => {
  const { renderJob } = await import('../pipeline/render.js');
  return renderJob(spec, options);
};

/**
 * The real pipeline in a worker thread of its own, so the bridge's event loop stays free while frames render (the
 * panel's requests, other clients, cancel). Events, the manifest and errors cross the thread as plain data.
 */
export const workerRunner: JobRunner = (spec, options) =>
  new Promise((resolve, reject) => {
    const data: RenderWorkerData = { spec, jobId: options.jobId, previewEvery: options.previewEvery };
    const worker = new Worker(new URL('./render-worker.js', import.meta.url), { workerData: data });
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      options.signal?.removeEventListener('abort', cancel);
      fn();
    };
    const cancel = () => worker.postMessage({ type: 'cancel' });
    options.signal?.addEventListener('abort', cancel, { once: true });
    if (options.signal?.aborted) cancel();
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'event') options.onEvent?.(m.event);
      else if (m.type === 'done') settle(() => resolve(m.manifest));
      else settle(() => reject(ReenactError.fromJSON(m.error)));
    });
    worker.on('error', (err) => settle(() => reject(asReenactError(err))));
    worker.on('exit', (code) =>
      settle(() =>
        reject(new ReenactError('INTERNAL', `The render thread stopped (exit code ${code}) before the job finished.`)),
      ),
    );
  });

type WorkerMessage =
  | { type: 'event'; event: JobEvent }
  | { type: 'done'; manifest: Manifest }
  | { type: 'error'; error: ErrorData };

/**
 * The bridge's runner: a render thread per job when running the compiled bridge (the worker needs its compiled
 * entry), in this thread when running from TypeScript sources (tests) or with REENACT_RENDER_IN_PROCESS=1.
 */
export const defaultRunner: JobRunner = (spec, options) =>
  renderMode() === 'thread' ? workerRunner(spec, options) : inProcessRunner(spec, options);

/** Where defaultRunner renders (reported by GET /health). */
export function renderMode(): 'thread' | 'in-process' {
  return import.meta.url.endsWith('.js') && process.env.REENACT_RENDER_IN_PROCESS !== '1' ? 'thread' : 'in-process';
}
