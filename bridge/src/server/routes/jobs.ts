/**
 * Jobs: create, list, detail, cancel, resume, forget, delete outputs. Paths are checked on this machine, at their
 * real paths, before queuing and again as each run starts.
 */
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
import { ReenactError } from '../../errors.js';
import type { JobManager } from '../../jobs/manager.js';
import { deleteOutputs, isInside } from '../../jobs/outputs.js';
import type { JobRunner } from '../../jobs/runner.js';
import { planFrames } from '../../pipeline/frame-plan.js';
import { readManifest } from '../../pipeline/output.js';
import { parseJobSpec } from '../../pipeline/parse.js';
import type { JobSpec } from '../../pipeline/spec.js';
import { realpathLoose } from '../../util/fs.js';
import { ApiError, parseOr400 } from '../http-errors.js';
import type { BridgeServices } from '../services.js';
import { assertInputFile } from './media.js';

/**
 * The output folder: absolute here, not a filesystem root, not inside the bridge's data folder, not a file — all
 * judged on its real path (symlinks resolved, for the part that exists), which is what the job then writes to.
 * @returns the real path
 */
export async function checkOutputDir(dir: string, dataDir: string): Promise<string> {
  if (!path.isAbsolute(dir)) {
    throw new ApiError(
      400,
      'BAD_INPUT',
      `Expected an absolute path on the bridge's machine for output.dir but received ${JSON.stringify(dir)}.`,
    );
  }
  const resolved = path.resolve(dir);
  const real = await realpathLoose(resolved);
  const shown = real === resolved ? resolved : `${resolved} (really ${real})`;
  if (path.dirname(real) === real) {
    throw new ApiError(400, 'BAD_INPUT', `Expected a folder for output.dir but received the root ${shown}.`);
  }
  const data = await realpathLoose(dataDir);
  if (real === data || isInside(data, real) || isInside(real, data)) {
    throw new ApiError(
      400,
      'BAD_INPUT',
      `Expected an output folder outside the bridge's data folder ${data} but received ${shown}.`,
    );
  }
  const stat = await fs.stat(real).catch(() => undefined);
  if (stat && !stat.isDirectory()) {
    throw new ApiError(400, 'BAD_INPUT', `Expected a folder for output.dir but received ${shown} (a file).`);
  }
  return real;
}

/**
 * The bridge's runner, checking the output folder again as each run starts (create and every resume): a folder
 * swapped for a symlink since it was checked must not lead a render into the data folder or anywhere else.
 */
export function confinedRunner(runner: JobRunner, dataDir: string): JobRunner {
  return async (spec, options) => {
    const dir = typeof spec.output === 'string' ? spec.output : spec.output.dir;
    let real: string;
    try {
      real = await checkOutputDir(dir, dataDir);
    } catch (err) {
      throw new ReenactError('BAD_INPUT', (err as Error).message);
    }
    if (real !== path.resolve(dir)) {
      throw new ReenactError(
        'BAD_INPUT',
        `Expected the output folder ${dir} the job was given, but it now leads to ${real} (a symlink). Start a new job with the folder you mean.`,
        { details: { dir, real } },
      );
    }
    return runner(spec, options);
  };
}

/**
 * A spec with a chunk or control curves is planned against its driving clip now, as the CLI plans it (planFrames):
 * a chunk outside the job's frames or curves longer than the job is a 400, not a job that fails later.
 */
export async function checkAgainstClip(spec: JobSpec, services: Pick<BridgeServices, 'probe'>): Promise<void> {
  if (!spec.chunk && !spec.curves) return;
  planFrames(spec, await services.probe(spec.driving));
}

export function jobRoutes(
  app: FastifyInstance,
  manager: JobManager,
  dataDir: string,
  services: Pick<BridgeServices, 'probe'>,
): void {
  const idOf = (params: unknown) => parseOr400(JobParamsSchema, params, 'job id').id;

  app.post('/jobs', async (req, reply) => {
    const spec = parseJobSpec(req.body, { schema: CreateJobSchema });
    spec.source = await assertInputFile(spec.source, 'source');
    spec.driving = await assertInputFile(spec.driving, 'driving');
    spec.output.dir = await checkOutputDir(spec.output.dir, dataDir);
    await checkAgainstClip(spec, services);
    const job = await manager.create(spec);
    const body: JobResponse = { job };
    return reply.status(201).send(body);
  });

  app.get('/jobs', async (): Promise<JobListResponse> => ({ jobs: manager.list() }));

  app.get('/jobs/:id', async (req): Promise<JobDetailResponse> => {
    const job = manager.get(idOf(req.params));
    const manifestPath = job.manifestPath ?? path.join(job.spec.output.dir, 'reenact.json');
    // Only a manifest reenact wrote (readManifest checks it); a hand-edited or foreign file is left out.
    const manifest = await readManifest(manifestPath);
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
    parseOr400(DeleteOutputsSchema, req.body ?? undefined, 'body');
    const job = manager.get(id);
    if (manager.isActive(id)) {
      throw new ApiError(409, 'CONFLICT', `Expected a finished job but job ${id} is ${job.state}. Cancel it first.`);
    }
    return { job, deleted: await deleteOutputs(job.spec) };
  });
}
