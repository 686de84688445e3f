/**
 * A script's flags, parsed by node:util parseArgs (strict): a misspelt flag or one missing its value is a USAGE
 * error (exit 2) naming it, instead of being ignored while the script goes on with its defaults.
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { messageOf, ReenactError } from '../bridge/src/errors.js';

type Options = NonNullable<ParseArgsConfig['options']>;

export function scriptFlags<O extends Options>(
  options: O,
  args = process.argv.slice(2),
): ReturnType<typeof parseArgs<{ args: string[]; options: O; strict: true; allowPositionals: false }>>['values'] {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values;
  } catch (err) {
    throw new ReenactError('USAGE', messageOf(err), { cause: err });
  }
}
