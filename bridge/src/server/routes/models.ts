/** The neural engine's models: status (missing files, size, licence, install progress), install, cancel. */
import type { FastifyInstance } from 'fastify';
import type { ModelsResponse } from '../../api/schema.js';
import type { BridgeServices } from '../services.js';

export function modelRoutes(app: FastifyInstance, services: BridgeServices): void {
  app.get('/models', async (): Promise<ModelsResponse> => services.models.status());

  app.post('/models/install', async (_req, reply) => reply.status(202).send(await services.models.start()));

  app.delete('/models/install', async (): Promise<ModelsResponse> => services.models.cancel());
}
