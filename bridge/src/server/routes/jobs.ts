/** Jobs: create, list, detail, cancel, resume, forget, delete outputs. Paths are checked on this machine before queuing. */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import {
  CreateJobSchema,
  type DeleteOutputsResponse,
  DeleteOutputsSchema,
  type JobDetailResponse,
  type JobListResponse,
  JobParamsSchema,
  type JobResponse,
} from '../../api/schema.js';
import { readJson } from '../../jobs/atomic.js';
import type { JobManager } from '../../jobs/manager.js';
import { deleteOutputs, isInside } from '../../jobs/outputs.js';
import type { JobSpec, Manifest } from '../../pipeline/spec.js';
import { ApiError, parseOr400 } from '../http-errors.js';
import { assertInputFile } from './media.js';

/** The output folder: absolute here, not a filesystem root, not inside the bridge's data folder, not a file. */
export async function checkOutputDir(dir: string, dataDir: string): Promise<string> {
  if (!path.isAbsolute(dir)) {
    throw new ApiError(
      400,
      'BAD_INPUT',
      `Expected an absolute path on the bridge's machine for output.dir but received ${JSON.stringify(dir)}.`,
    );
  }
  const resolved = path.resolve(dir);
  if (path.dirname(resolved) === resolved) {
    throw new ApiError(400, 'BAD_INPUT', `Expected a folder for output.dir but received the root ${resolved}.`);
  }
  const data = path.resolve(dataDir);
  if (resolved === data || isInside(data, resolved)) {
    throw new ApiError(
      400,
      'BAD_INPUT',
      `Expected an output folder outside the bridge's data folder ${data} but received ${resolved}.`,
    );
  }
  const stat = await fs.stat(resolved).catch(() => undefined);
  if (stat && !stat.isDirectory()) {
    throw new ApiError(400, 'BAD_INPUT', `Expected a folder for output.dir but received ${resolved} (a file).`);
  }
  return resolved;
}

export function jobRoutes(app: FastifyInstance, manager: JobManager, dataDir: string): void {
  const idOf = (params: unknown) => parseOr400(JobParamsSchema, params, 'job id').id;

  app.post('/jobs', async (req, reply) => {
    const spec = parseOr400(CreateJobSchema, req.body, 'job spec') as JobSpec;
    spec.source = await assertInputFile(spec.source, 'source');
    spec.driving = await assertInputFile(spec.driving, 'driving');
    spec.output.dir = await checkOutputDir(spec.output.dir, dataDir);
    const job = await manager.create(spec);
    const body: JobResponse = { job };
    return reply.status(201).send(body);
  });

  app.get('/jobs', async (): Promise<JobListResponse> => ({ jobs: manager.list() }));

  app.get('/jobs/:id', async (req): Promise<JobDetailResponse> => {
    const job = manager.get(idOf(req.params));
    const manifestPath = job.manifestPath ?? path.join(job.spec.output.dir, 'reenact.json');
    const manifest = (await readJson(manifestPath).catch(() => undefined)) as Manifest | undefined;
    return manifest ? { job, manifest } : { job };
  });

  app.post('/jobs/:id/cancel', async (req): Promise<JobResponse> => ({ job: await manager.cancel(idOf(req.params)) }));

  app.post('/jobs/:id/resume', async (req): Promise<JobResponse> => ({ job: await manager.resume(idOf(req.params)) }));

  app.delete('/jobs/:id', async (req) => {
    const id = idOf(req.params);
    await manager.remove(id);
    return { ok: true, id };
  });

  app.delete('/jobs/:id/outputs', async (req): Promise<DeleteOutputsResponse> => {
    const id = idOf(req.params);
    const { paths } = parseOr400(DeleteOutputsSchema, req.body ?? undefined, 'body');
    const job = manager.get(id);
    if (manager.isActive(id)) {
      throw new ApiError(409, 'CONFLICT', `Expected a finished job but job ${id} is ${job.state}. Cancel it first.`);
    }
    return { job, deleted: await deleteOutputs(job.spec, paths) };
  });
}
