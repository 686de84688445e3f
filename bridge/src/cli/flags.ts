/**
 * The CLI's number flags, checked as commander reads them and worded like every other validation message
 * (util/zod-errors.ts): "Expected a value ≥ 1 for --concurrency but received 0." Each is a USAGE error (exit 2),
 * raised before the command does anything.
 */
import { z } from 'zod';
import { ReenactError } from '../errors.js';
import { describeIssue, showValue } from '../util/zod-errors.js';

/** A commander parser for the flag `name`: the text as a number that `schema` accepts. */
export function numberFlag(name: string, schema: z.ZodType<number>): (text: string) => number {
  return (text) => {
    const value = text.trim() === '' ? Number.NaN : Number(text);
    if (Number.isNaN(value))
      throw new ReenactError('USAGE', `Expected a number for ${name} but received ${showValue(text)}.`);
    const result = schema.safeParse(value);
    if (!result.success) throw new ReenactError('USAGE', describeIssue(result.error.issues[0], value, { name }));
    return result.data;
  };
}

/** A whole number from `min`, up to `max` when given. */
export function intFlag(name: string, min: number, max?: number): (text: string) => number {
  const atLeast = z.number().int().min(min);
  return numberFlag(name, max === undefined ? atLeast : atLeast.max(max));
}
