/** Job specs for the tests that render with the fixture engine. */
import type { JobSpecInput } from '../../bridge/src/pipeline/spec.js';
import { PORTRAIT } from './media.js';

/** The test portrait animated from `driving` into `out` by the fixture engine, with `extra` on top. */
export function fixtureSpec(driving: string, out: string, extra: Partial<JobSpecInput> = {}): JobSpecInput {
  return { source: PORTRAIT, driving, output: { dir: out }, engine: { name: 'fixture' }, ...extra };
}
