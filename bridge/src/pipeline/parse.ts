/** Validates a JobSpec from any boundary (CLI, API, batch file, queue) into a clear BAD_INPUT error. */
import path from 'node:path';
import { ReenactError } from '../errors.js';
import { parseRational } from '../util/rational.js';
import { formatZodError } from '../util/zod-errors.js';
import { type JobSpec, type JobSpecInput, JobSpecSchema } from './spec.js';

/**
 * Parses and normalises a spec: defaults filled, paths absolute (relative to `baseDir`), fps checked.
 * @throws ReenactError BAD_INPUT 'Invalid job spec (where): smoothing: Expected a value ≤ 1 but received 3; ….'
 */
export function parseJobSpec(input: unknown, options: { baseDir?: string; where?: string } = {}): JobSpec {
  const result = JobSpecSchema.safeParse(input);
  if (!result.success) {
    const where = `job spec${options.where ? ` (${options.where})` : ''}`;
    throw new ReenactError('BAD_INPUT', formatZodError(result.error, input, where), {
      details: { issues: result.error.issues },
    });
  }
  const spec = result.data;
  const base = options.baseDir ?? process.cwd();
  if (spec.fps) checkOutputRate(spec.fps);
  return {
    ...spec,
    source: path.resolve(base, spec.source),
    driving: path.resolve(base, spec.driving),
    output: { ...spec.output, dir: path.resolve(base, spec.output.dir) },
  };
}

/**
 * An output rate the comp can have: After Effects allows 1–999 fps, and a rate of millions would make the conform map
 * (one entry per output frame) run out of memory instead of failing.
 */
function checkOutputRate(text: string): void {
  const fps = parseRational(text, 'output frame rate (fps)');
  const value = fps.num / fps.den;
  if (value < 1 || value > 1000) {
    throw new ReenactError(
      'BAD_INPUT',
      `Expected an output frame rate between 1 and 1000 fps but received "${text}". Use the comp's frame rate, e.g. 24, 29.97 or 30000/1001.`,
    );
  }
}

export type { JobSpecInput };
