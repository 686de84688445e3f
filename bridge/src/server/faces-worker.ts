/**
 * The face picker's thread: answers `{type: 'faces', id, request}` with listFaces (its face models stay loaded for
 * the thread's life) and `{type: 'cancel', id}` by aborting that request. See faces-thread.ts.
 */
import { parentPort } from 'node:worker_threads';
import type { FacesRequestParsed } from '../api/schema.js';
import { asReenactError } from '../errors.js';
import { listFaces } from './faces.js';

type Message = { type: 'faces'; id: number; request: FacesRequestParsed } | { type: 'cancel'; id: number };

const port = parentPort;
if (port) {
  const running = new Map<number, AbortController>();
  port.on('message', async (m: Message) => {
    if (m.type === 'cancel') {
      running.get(m.id)?.abort();
      return;
    }
    const controller = new AbortController();
    running.set(m.id, controller);
    try {
      port.postMessage({ id: m.id, response: await listFaces(m.request, controller.signal) });
    } catch (err) {
      port.postMessage({ id: m.id, error: asReenactError(err).toJSON() });
    } finally {
      running.delete(m.id);
    }
  });
}
