/**
 * The bridge's render thread: runs one job with the same `renderJob` as the CLI and reports over its port (events,
 * then the manifest or the error). `{type: 'cancel'}` from the bridge aborts it. See runner.ts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { asReenactError } from '../errors.js';
import { renderJob } from '../pipeline/render.js';
import type { JobSpecInput } from '../pipeline/spec.js';

export interface RenderWorkerData {
  spec: JobSpecInput;
  jobId?: string;
  previewEvery?: number;
}

const port = parentPort;
if (port) {
  const { spec, jobId, previewEvery } = workerData as RenderWorkerData;
  const controller = new AbortController();
  port.on('message', (m: { type?: string }) => {
    if (m?.type === 'cancel') controller.abort();
  });
  try {
    const manifest = await renderJob(spec, {
      jobId,
      previewEvery,
      signal: controller.signal,
      onEvent: (event) => port.postMessage({ type: 'event', event }),
    });
    port.postMessage({ type: 'done', manifest });
  } catch (err) {
    port.postMessage({ type: 'error', error: asReenactError(err).toJSON() });
  }
  port.close();
}
