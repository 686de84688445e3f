// One wording for every validation failure: "Expected <what> … but received <value>", the schema's own message where
// it wrote one, unions explained by the alternative that matched, and values shown bounded.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ReenactError } from '../../bridge/src/errors.js';
import { describeIssue, formatZodError, parseOptions, showValue } from '../../bridge/src/util/zod-errors.js';

const Face = z.union([
  z.object({ by: z.literal('largest') }),
  z.object({ by: z.literal('index'), index: z.number().int().min(0) }),
]);
const Schema = z.object({
  name: z.string().min(1),
  count: z.number().max(3),
  kind: z.enum(['a', 'b']),
  list: z.array(z.number()).min(1, 'a list needs one number'),
  ref: z.union([z.literal('auto'), z.number().int()]),
  face: Face,
  id: z.string().regex(/^x\d$/, { error: 'Expected an id like x1.' }),
});

function failure(input: unknown): string {
  const result = Schema.safeParse(input);
  if (result.success) throw new Error('expected a failure');
  return formatZodError(result.error, input, 'thing');
}

describe('zod error wording', () => {
  it('words each of zod’s checks, keeps the schema’s own messages and explains unions', () => {
    expect(failure({ name: '', count: 9, kind: 'c', list: [], ref: 'x', face: { by: 'index' }, id: 'y' })).toBe(
      'Invalid thing: name: Expected a non-empty string but received ""; count: Expected a value ≤ 3 but received 9; ' +
        'kind: Expected one of "a", "b" but received "c"; list: a list needs one number; ' +
        'ref: Expected "auto" or a number but received "x"; face.index: Expected a number but received undefined; ' +
        'id: Expected an id like x1.',
    );
    expect(failure({ name: 'n', count: 1, kind: 'a', list: [1], ref: 1, face: { by: 'first' }, id: 'x1' })).toBe(
      'Invalid thing: face.by: Expected one of "largest", "index" but received "first".',
    );
  });

  it('shows values bounded, whatever their depth or size', () => {
    let deep: unknown = 0;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(showValue(deep)).toBe('an array of 1 item');
    expect(showValue({ a: 1, b: [true, null] })).toBe('{"a":1,"b":[true,null]}');
    expect(showValue('x'.repeat(500))).toBe(`"${'x'.repeat(60)}"… (500 characters)`);
    const issue = z.number().safeParse(deep).error?.issues[0];
    expect(issue && describeIssue(issue, deep, { name: 'depth' })).toBe(
      'Expected a number for depth but received an array of 1 item.',
    );
  });

  it('parses options strictly, naming the owner and the known keys', () => {
    const Options = z.strictObject({ size: z.number().default(1), mode: z.enum(['x']).default('x') });
    expect(parseOptions(Options, undefined, 'toy')).toEqual({ size: 1, mode: 'x' });
    const err = (() => {
      try {
        parseOptions(Options, { sise: 2 }, 'toy');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ReenactError);
    expect(err).toMatchObject({
      code: 'USAGE',
      message: 'Expected a known option (size, mode) for toy.sise but received 2.',
    });
  });
});
