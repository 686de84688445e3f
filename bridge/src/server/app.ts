/**
 * The bridge's HTTP + WebSocket application (fastify): security first (origin, CORS, token), then the routes,
 * with one error shape for every refusal. Built without listening, so tests can also `inject` into it.
 */
import websocket from '@fastify/websocket';
import Fastify, { type FastifyInstance, LogController } from 'fastify';
import { MAX_BODY_BYTES } from '../api/schema.js';
import type { JobManager } from '../jobs/manager.js';
import { handleError } from './http-errors.js';
import { limitJsonDepth } from './json-depth.js';
import { loggerOptions } from './log.js';
import { batchRoutes } from './routes/batches.js';
import { eventRoutes } from './routes/events.js';
import { jobRoutes } from './routes/jobs.js';
import { mediaRoutes } from './routes/media.js';
import { modelRoutes } from './routes/models.js';
import { systemRoutes } from './routes/system.js';
import { securityHook } from './security.js';
import type { BridgeServices } from './services.js';

export interface AppOptions {
  token: string;
  /** The interface the bridge listens on (Host headers are checked against it); default 127.0.0.1. */
  host?: string;
  manager: JobManager;
  services: BridgeServices;
  dataDir: string;
  /** Where log lines go (the rotating file); none = no logging. */
  logStream?: { write(msg: string): void };
  logLevel?: string;
  /** Called after `POST /shutdown` was answered. */
  onShutdown?: () => void;
}

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logStream ? loggerOptions(options.logStream, options.logLevel) : false,
    bodyLimit: MAX_BODY_BYTES,
    // Request lines are logged by the onResponse hook below (with the token removed from the URL).
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
    forceCloseConnections: true,
  });
  app.setErrorHandler(handleError);
  // JSON only: a text/plain body is refused with 415 rather than reaching a schema as a string.
  app.removeContentTypeParser('text/plain');
  limitJsonDepth(app);
  app.setNotFoundHandler((req, reply) =>
    reply.status(404).send({
      error: { code: 'NOT_FOUND', message: `No route ${req.method} ${req.url.split('?')[0]}.` },
    }),
  );
  app.addHook('onRequest', securityHook(options.token, options.host ?? '127.0.0.1'));
  app.addHook('onResponse', async (req, reply) => {
    // A refused WebSocket upgrade (401/403/404) leaves its raw socket open; close it so it cannot linger.
    if (req.headers.upgrade && reply.statusCode !== 101) req.raw.socket?.destroy();
    // Polling is frequent: successful GETs at debug level, everything else at info.
    const level = req.method === 'GET' && reply.statusCode < 400 ? 'debug' : 'info';
    req.log[level]({ req, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
  });

  await app.register(websocket, { options: { maxPayload: 64 * 1024 } });
  systemRoutes(app, options.services, options.onShutdown ?? (() => {}));
  mediaRoutes(app, options.services);
  modelRoutes(app, options.services);
  jobRoutes(app, options.manager, options.dataDir, options.services);
  batchRoutes(app, options.manager, options.dataDir, options.services);
  eventRoutes(app, options.manager);
  return app;
}
