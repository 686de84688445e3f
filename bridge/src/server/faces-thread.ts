/**
 * The face picker off the bridge's thread: one worker, started on the first request and kept (its face models load
 * once), so the panel's other requests and the job streams are answered while faces are found. A crashed worker
 * fails its requests and the next request starts a new one.
 */
import { Worker } from 'node:worker_threads';
import type { FacesRequestParsed, FacesResponse } from '../api/schema.js';
import { type ErrorData, ReenactError } from '../errors.js';

type Reply = { id: number; response: FacesResponse } | { id: number; error: ErrorData };

let worker: Worker | undefined;
let nextId = 0;
const pending = new Map<number, { resolve: (r: FacesResponse) => void; reject: (e: Error) => void }>();

function start(): Worker {
  const w = new Worker(new URL('./faces-worker.js', import.meta.url));
  w.on('message', (m: Reply) => {
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if ('response' in m) p.resolve(m.response);
    else p.reject(ReenactError.fromJSON(m.error));
  });
  const fail = (why: string) => {
    if (worker === w) worker = undefined;
    for (const p of pending.values()) p.reject(new ReenactError('INTERNAL', `The face scan stopped: ${why}.`));
    pending.clear();
  };
  w.on('error', (err) => fail(err.message));
  w.on('exit', (code) => fail(`exit code ${code}`));
  // Never keeps the bridge alive. After the listeners: adding a 'message' listener refs the worker's port again.
  w.unref();
  return w;
}

/** Ends the thread, if one was started (the bridge's close: nothing of the bridge outlives it). */
export async function stopFacesThread(): Promise<void> {
  const w = worker;
  worker = undefined;
  await w?.terminate();
}

export function listFacesInThread(request: FacesRequestParsed, signal: AbortSignal): Promise<FacesResponse> {
  worker ??= start();
  const w = worker;
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    w.postMessage({ type: 'faces', id, request });
    signal.addEventListener('abort', () => w.postMessage({ type: 'cancel', id }), { once: true });
  });
}
