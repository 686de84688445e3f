/**
 * POST /batches: the panel queues several jobs at once (the selected layers, or comps/layers listed by the host
 * script's listBatchLayers). Every job is checked first, so a bad entry queues nothing; errors name the entry
 * ("jobs[2].driving: …"). The jobs then run like any other (events, cancel, resume, import when done).
 */
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { type BatchResponse, CreateBatchSchema, type JobSummary } from '../../api/schema.js';
import { ReenactError } from '../../errors.js';
import type { JobManager } from '../../jobs/manager.js';
import type { JobSpec } from '../../pipeline/spec.js';
import { ApiError, parseOr400 } from '../http-errors.js';
import type { BridgeServices } from '../services.js';
import { checkAgainstClip, checkOutputDir } from './jobs.js';
import { assertInputFile } from './media.js';

export function batchRoutes(
  app: FastifyInstance,
  manager: JobManager,
  dataDir: string,
  services: Pick<BridgeServices, 'probe'>,
): void {
  app.post('/batches', async (req, reply) => {
    const { jobs } = parseOr400(CreateBatchSchema, req.body, 'batch');
    const specs: JobSpec[] = [];
    const folders = new Map<string, number>();
    for (const [i, input] of jobs.entries()) {
      const spec = input as JobSpec;
      spec.source = await assertInputFile(spec.source, `jobs[${i}].source`);
      spec.driving = await assertInputFile(spec.driving, `jobs[${i}].driving`);
      try {
        spec.output.dir = await checkOutputDir(spec.output.dir, dataDir);
      } catch (err) {
        if (err instanceof ApiError) throw new ApiError(err.status, err.code, `jobs[${i}].output.dir: ${err.message}`);
        throw err;
      }
      try {
        await checkAgainstClip(spec, services);
      } catch (err) {
        if (err instanceof ReenactError) throw new ApiError(400, 'BAD_INPUT', `jobs[${i}]: ${err.message}`);
        throw err;
      }
      const other = folders.get(path.resolve(spec.output.dir));
      if (other !== undefined) {
        throw new ApiError(
          400,
          'BAD_INPUT',
          `Expected a different output folder for jobs[${i}] but it is the same as jobs[${other}] (${spec.output.dir}).`,
        );
      }
      folders.set(path.resolve(spec.output.dir), i);
      specs.push(spec);
    }
    const created: JobSummary[] = [];
    try {
      for (const spec of specs) created.push(await manager.create(spec));
    } catch (err) {
      // All or nothing: a job refused by the manager (its folder is busy) withdraws the ones queued before it.
      for (const job of created) await manager.cancel(job.id).catch(() => {});
      throw err;
    }
    const body: BatchResponse = { jobs: created };
    return reply.status(201).send(body);
  });
}
