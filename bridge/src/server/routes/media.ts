/**
 * Media questions the panel asks before a job: what is this file, which faces are in the still and the clip, and a
 * straight-colour copy of a still After Effects rendered.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { FacesRequestSchema, ProbeQuerySchema, StraightStillRequestSchema } from '../../api/schema.js';
import { straightCopy } from '../../media/unpremultiply.js';
import { cacheDir } from '../../util/paths.js';
import { ApiError, parseOr400 } from '../http-errors.js';
import type { BridgeServices } from '../services.js';

/** Checks that `file` is an absolute path on this machine naming an existing regular file. */
export async function assertInputFile(file: string, name: string): Promise<string> {
  if (!path.isAbsolute(file)) {
    throw new ApiError(
      400,
      'BAD_INPUT',
      `Expected an absolute path on the bridge's machine for ${name} but received ${JSON.stringify(file)}.`,
    );
  }
  const resolved = path.resolve(file);
  let stat: Awaited<ReturnType<typeof fs.stat>>;
  try {
    stat = await fs.stat(resolved);
  } catch {
    throw new ApiError(
      400,
      'BAD_INPUT',
      `Expected an existing file for ${name} but received ${resolved} (not found). Check the path.`,
    );
  }
  if (!stat.isFile()) {
    throw new ApiError(400, 'BAD_INPUT', `Expected a file for ${name} but received ${resolved} (not a regular file).`);
  }
  return resolved;
}

/** Query without the `token` parameter (which the security hook already consumed). */
export function queryWithoutToken(query: unknown): Record<string, unknown> {
  const { token: _token, ...rest } = (query ?? {}) as Record<string, unknown>;
  return rest;
}

export function mediaRoutes(app: FastifyInstance, services: BridgeServices): void {
  app.get('/probe', async (req) => {
    const { path: file } = parseOr400(ProbeQuerySchema, queryWithoutToken(req.query), 'query');
    return services.probe(await assertInputFile(file, 'path'));
  });

  app.post('/faces', async (req, reply) => {
    const body = parseOr400(FacesRequestSchema, req.body, 'body');
    body.source = await assertInputFile(body.source, 'source');
    if (body.driving) body.driving = await assertInputFile(body.driving, 'driving');
    // Stop scanning if the panel goes away.
    const abort = new AbortController();
    reply.raw.once('close', () => {
      if (!reply.raw.writableFinished) abort.abort();
    });
    return services.faces(body, abort.signal);
  });

  app.post('/stills/straight', async (req) => {
    const { file } = parseOr400(StraightStillRequestSchema, req.body, 'body');
    return { file: await straightCopy(await assertInputFile(file, 'file'), cacheDir()) };
  });
}
