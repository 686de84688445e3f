/** Health and version, engines and devices on offer, and the panel's "shut down" request. */
import type { FastifyInstance } from 'fastify';
import type { DevicesResponse, EnginesResponse, HealthResponse } from '../../api/schema.js';
import { defaultRunner, renderMode } from '../../jobs/runner.js';
import { cachedToolReport } from '../../media/locator.js';
import { VERSION } from '../../version.js';
import type { BridgeServices } from '../services.js';

export function systemRoutes(app: FastifyInstance, services: BridgeServices, onShutdown: () => void): void {
  const started = Date.now();

  app.get('/health', async (): Promise<HealthResponse> => {
    const memory = process.memoryUsage();
    return {
      ok: true,
      name: 'reenact',
      version: VERSION,
      pid: process.pid,
      uptimeSeconds: (Date.now() - started) / 1000,
      memory: { rss: memory.rss, heapUsed: memory.heapUsed },
      renderer: services.runner === defaultRunner ? renderMode() : 'custom',
      ffmpeg: cachedToolReport(),
    };
  });

  app.get('/engines', async (): Promise<EnginesResponse> => ({ engines: await services.engines() }));

  app.get('/devices', async (): Promise<DevicesResponse> => ({ devices: await services.devices() }));

  app.post('/shutdown', async (_req, reply) => {
    // Answer first, then close: the panel gets its 202 before the socket goes away.
    reply.raw.once('finish', () => setImmediate(onShutdown));
    return reply.status(202).send({ ok: true });
  });
}
