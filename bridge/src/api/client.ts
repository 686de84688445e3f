/**
 * The typed bridge client used by the panel (in CEP's Chromium) and by the tests (in Node). Browser-safe: it uses
 * the global fetch and WebSocket; in Node < 22, which has no global WebSocket, it loads `ws` on first use (or takes
 * a WebSocket constructor from the caller). Errors are BridgeApiError with the bridge's code and message.
 *
 *   const bridge = createClient({ url: `http://127.0.0.1:${port}`, token });
 *   const { job } = await bridge.createJob(spec);
 *   bridge.jobEvents(job.id).subscribe((e) => console.log(e.type));
 */
import { filter, map, Observable } from 'rxjs';
import { messageOf } from '../errors.js';
import type { JobEvent } from '../pipeline/events.js';
import {
  type ApiErrorBody,
  type ApiErrorCode,
  type BatchResponse,
  type CreateBatchRequest,
  type CreateJobRequest,
  type DeleteOutputsResponse,
  type DevicesResponse,
  type EnginesResponse,
  type FacesRequest,
  type FacesResponse,
  type HealthResponse,
  type JobDetailResponse,
  type JobListResponse,
  type JobResponse,
  type ModelsResponse,
  type ProbeResponse,
  type ServerMessage,
  ServerMessageSchema,
  type StraightStillRequest,
  type StraightStillResponse,
} from './schema.js';

export type ClientErrorCode = ApiErrorCode | 'UNREACHABLE' | 'TIMEOUT' | 'PROTOCOL';

export class BridgeApiError extends Error {
  override readonly name = 'BridgeApiError';
  constructor(
    /** HTTP status, or 0 when no response came (unreachable, timeout, WebSocket failure). */
    readonly status: number,
    readonly code: ClientErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

/** The part of the WebSocket API the client uses (the browser's and `ws` both have it). */
interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: { message?: string }) => void) | null;
}

export interface BridgeClientOptions {
  /** Base URL, e.g. http://127.0.0.1:45123 */
  url: string;
  token: string;
  /** Defaults to the global fetch. */
  fetch?: typeof fetch;
  /** A WebSocket constructor (browser WebSocket or `ws`); defaults to the global one, else `ws`. */
  WebSocket?: new (
    url: string,
  ) => unknown;
  /** Per-request timeout in ms (default 30 s). */
  timeoutMs?: number;
}

export interface JobStreamOptions {
  /** Receive preview images (default true). */
  previews?: boolean;
}

export interface BridgeClient {
  readonly url: string;
  health(): Promise<HealthResponse>;
  engines(): Promise<EnginesResponse>;
  devices(): Promise<DevicesResponse>;
  /** The neural engine's models: missing files, download size, licence, install progress. */
  models(): Promise<ModelsResponse>;
  /** Starts installing the missing models (one install at a time); poll models() for progress. */
  installModels(): Promise<ModelsResponse>;
  cancelModelInstall(): Promise<ModelsResponse>;
  probe(path: string): Promise<ProbeResponse>;
  faces(request: FacesRequest): Promise<FacesResponse>;
  /** A straight-colour copy of a PNG that After Effects rendered (saveFrameToPng premultiplies). */
  straightStill(file: string): Promise<StraightStillResponse>;
  createJob(spec: CreateJobRequest): Promise<JobResponse>;
  /** Queues several jobs at once (all checked first; a bad one queues nothing). */
  createBatch(batch: CreateBatchRequest): Promise<BatchResponse>;
  listJobs(): Promise<JobListResponse>;
  getJob(id: string): Promise<JobDetailResponse>;
  cancelJob(id: string): Promise<JobResponse>;
  resumeJob(id: string): Promise<JobResponse>;
  /** Forgets a finished job (the record; outputs stay). */
  removeJob(id: string): Promise<{ ok: true; id: string }>;
  /** Deletes exactly the files the job's reenact.json lists (frames, movie, preview, the manifest). */
  deleteOutputs(id: string): Promise<DeleteOutputsResponse>;
  shutdown(): Promise<{ ok: true }>;
  /** Every message of a job's stream: the job's state first, then events. Completes after a final event. */
  jobMessages(id: string, options?: JobStreamOptions): Observable<ServerMessage>;
  /** A job's events (history first); completes after done/failed/cancelled. Unsubscribing closes the socket. */
  jobEvents(id: string, options?: JobStreamOptions): Observable<JobEvent>;
}

async function resolveWebSocket(given?: new (url: string) => unknown): Promise<new (url: string) => SocketLike> {
  if (given) return given as new (url: string) => SocketLike;
  const global = (globalThis as { WebSocket?: new (url: string) => SocketLike }).WebSocket;
  if (global) return global;
  const specifier = 'ws'; // not a literal: bundlers for the browser leave it alone
  const mod = (await import(specifier)) as { default: new (url: string) => SocketLike };
  return mod.default;
}

export function createClient(options: BridgeClientOptions): BridgeClient {
  const base = options.url.replace(/\/+$/, '');
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const timeoutMs = options.timeoutMs ?? 30_000;

  async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { authorization: `Bearer ${options.token}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    // AbortSignal.timeout is missing in CEP's Chromium 88: a timer and a controller do the same.
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), timeoutMs);
    let res: Response;
    let text: string;
    try {
      res = await doFetch(base + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: abort.signal,
      });
      text = await res.text();
    } catch (err) {
      if (abort.signal.aborted) {
        throw new BridgeApiError(0, 'TIMEOUT', `The bridge did not answer ${method} ${path} within ${timeoutMs} ms.`);
      }
      throw new BridgeApiError(
        0,
        'UNREACHABLE',
        `Could not reach the bridge at ${base}: ${messageOf(err)}. Is it running?`,
      );
    } finally {
      clearTimeout(timer);
    }
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (!res.ok) {
      const error = (json as Partial<ApiErrorBody> | undefined)?.error;
      throw new BridgeApiError(
        res.status,
        error?.code ?? 'INTERNAL',
        error?.message ?? `The bridge answered ${method} ${path} with HTTP ${res.status}.`,
        error?.details,
      );
    }
    return json as T;
  }

  const enc = encodeURIComponent;

  function jobMessages(id: string, streamOptions: JobStreamOptions = {}): Observable<ServerMessage> {
    return new Observable<ServerMessage>((subscriber) => {
      let socket: SocketLike | undefined;
      let done = false;
      let lastError = '';
      const previews = streamOptions.previews === false ? '&previews=false' : '';
      const wsUrl = `${base.replace(/^http/, 'ws')}/jobs/${enc(id)}/events?token=${enc(options.token)}${previews}`;
      resolveWebSocket(options.WebSocket).then(
        (Ctor) => {
          if (done) return;
          socket = new Ctor(wsUrl);
          socket.onmessage = (ev) => {
            let value: unknown;
            try {
              value = JSON.parse(String(ev.data));
            } catch {}
            const parsed = ServerMessageSchema.safeParse(value);
            if (!parsed.success) {
              subscriber.error(new BridgeApiError(0, 'PROTOCOL', 'The bridge sent a message this client cannot read.'));
              return;
            }
            const message = parsed.data as ServerMessage;
            if (message.type === 'error') {
              subscriber.error(new BridgeApiError(0, message.error.code, message.error.message));
              return;
            }
            subscriber.next(message);
          };
          socket.onerror = (ev) => {
            lastError = ev?.message ?? '';
          };
          socket.onclose = (ev) => {
            if (ev.code === 1000) subscriber.complete();
            else {
              const why = lastError || ev.reason || `code ${ev.code}`;
              subscriber.error(new BridgeApiError(0, 'UNREACHABLE', `The event stream of job ${id} closed: ${why}.`));
            }
          };
        },
        (err) => subscriber.error(new BridgeApiError(0, 'UNREACHABLE', `No WebSocket available: ${String(err)}`)),
      );
      return () => {
        done = true;
        if (socket && socket.readyState <= 1) socket.close(1000, 'client done');
      };
    });
  }

  return {
    url: base,
    health: () => request('GET', '/health'),
    engines: () => request('GET', '/engines'),
    devices: () => request('GET', '/devices'),
    models: () => request('GET', '/models'),
    installModels: () => request('POST', '/models/install'),
    cancelModelInstall: () => request('DELETE', '/models/install'),
    probe: (path) => request('GET', `/probe?path=${enc(path)}`),
    faces: (body) => request('POST', '/faces', body),
    straightStill: (file) => request('POST', '/stills/straight', { file } satisfies StraightStillRequest),
    createJob: (spec) => request('POST', '/jobs', spec),
    createBatch: (batch) => request('POST', '/batches', batch),
    listJobs: () => request('GET', '/jobs'),
    getJob: (id) => request('GET', `/jobs/${enc(id)}`),
    cancelJob: (id) => request('POST', `/jobs/${enc(id)}/cancel`),
    resumeJob: (id) => request('POST', `/jobs/${enc(id)}/resume`),
    removeJob: (id) => request('DELETE', `/jobs/${enc(id)}`),
    deleteOutputs: (id) => request('DELETE', `/jobs/${enc(id)}/outputs`),
    shutdown: () => request('POST', '/shutdown'),
    jobMessages,
    jobEvents: (id, streamOptions) =>
      jobMessages(id, streamOptions).pipe(
        filter((m): m is Extract<ServerMessage, { type: 'event' }> => m.type === 'event'),
        map((m) => m.event),
      ),
  };
}
