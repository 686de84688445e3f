/**
 * The checks a job passes before it is queued or exported for a farm, so a bad input fails once, now, instead of in
 * every chunk later.
 */
import { ReenactError } from '../errors.js';
import { probe } from '../media/probe.js';
import { holdsOtherRender } from '../pipeline/output.js';
import type { JobSpec } from '../pipeline/spec.js';
import { type JobPlan, planJob } from './chunks.js';

/**
 * What a job needs before it is queued or exported: the portrait is a readable picture, the driving clip has frames
 * (planJob), and the output folder holds no other render (unless the job, or the caller, says to replace it).
 * @throws BAD_INPUT / OUTPUT_EXISTS naming the file and the fix.
 */
export async function checkJob(spec: JobSpec, options: { force?: boolean } = {}): Promise<JobPlan> {
  await probe(spec.source); // exists and is a picture (a clip's first frame is a portrait too, as in renderJob)
  const plan = await planJob(spec);
  // Compared as planned: a finished render of a range past the clip recorded the range it rendered.
  if (!spec.output.force && !options.force && (await holdsOtherRender(plan.spec)))
    throw new ReenactError(
      'OUTPUT_EXISTS',
      `The output folder already holds a different render (${spec.output.dir}). Set output.force (--force) to replace it, or choose another output folder.`,
      { details: { dir: spec.output.dir } },
    );
  return plan;
}
