/** Validates a JobSpec from any boundary (CLI, API, batch file, queue) into a clear BAD_INPUT error. */
import path from 'node:path';
import type { z } from 'zod';
import { ReenactError } from '../errors.js';
import { formatZodError } from '../util/zod-errors.js';
import { type JobSpec, JobSpecSchema } from './spec.js';

/**
 * Parses and normalises a spec: defaults filled, paths absolute (relative to `baseDir`), fps exact (spec-text.ts),
 * `portrait` read as `source`. `schema` is JobSpecSchema or a stricter form of it (the bridge's, which also confines
 * paths).
 * @throws ReenactError BAD_INPUT 'Invalid job spec (where): smoothing: Expected a value ≤ 1 but received 3; ….'
 */
export function parseJobSpec(
  input: unknown,
  options: { baseDir?: string; where?: string; schema?: z.ZodType<JobSpec> } = {},
): JobSpec {
  const result = (options.schema ?? JobSpecSchema).safeParse(portraitAsSource(input));
  if (!result.success) {
    const where = `job spec${options.where ? ` (${options.where})` : ''}`;
    throw new ReenactError('BAD_INPUT', formatZodError(result.error, input, where), {
      details: { issues: result.error.issues },
    });
  }
  const spec = result.data;
  const base = options.baseDir ?? process.cwd();
  return {
    ...spec,
    source: path.resolve(base, spec.source),
    driving: path.resolve(base, spec.driving),
    output: { ...spec.output, dir: path.resolve(base, spec.output.dir) },
  };
}

/**
 * `portrait:` is the batch file's older name for `source:`; a spec file may say either (not both), so one job reads
 * the same wherever it is written.
 */
export function portraitAsSource(input: unknown): unknown {
  if (typeof input !== 'object' || input === null || Array.isArray(input) || !('portrait' in input)) return input;
  const { portrait, ...rest } = input as Record<string, unknown>;
  if ('source' in rest)
    throw new ReenactError(
      'BAD_INPUT',
      'Expected one of source and portrait in a job spec but received both. Keep source (portrait is its older name).',
    );
  return { ...rest, source: portrait };
}
