/**
 * What people naturally write in a spec file, read into the exact form the pipeline uses: `range: 0-30` for
 * `{start: 0, end: 30}`, `output: renders/alice` for `{dir: …}`, `face: index:1` as on the command line, `fps: 29.97`
 * as a number. Each field keeps its exact form too; a bad text gets a message saying what was expected, and the zod
 * path names the key.
 */
import { z } from 'zod';
import type { FaceChoice } from '../face/types.js';
import { formatRational, parseRational, type Rational } from '../util/rational.js';

/** Digits as a number, or undefined past the safe integers (a number that big would be silently rounded). */
function whole(digits: string): number | undefined {
  const n = Number(digits);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** "a-b" → inclusive span; undefined when the text is not of that form. */
export function spanFromText(text: string): { start: number; end: number } | undefined {
  const m = /^\s*(\d+)\s*-\s*(\d+)\s*$/.exec(text);
  const [start, end] = m ? [whole(m[1]), whole(m[2])] : [];
  return start !== undefined && end !== undefined ? { start, end } : undefined;
}

/** "largest" | "index:N" | "N" | "id:N" | "point:X,Y" → FaceChoice; undefined when the text is none of those. */
export function faceChoiceFromText(text: string): FaceChoice | undefined {
  const s = text.trim();
  if (s === 'largest') return { by: 'largest' };
  let m = /^(?:index:)?(\d+)$/.exec(s);
  if (m) return whole(m[1]) === undefined ? undefined : { by: 'index', index: Number(m[1]) };
  m = /^id:(\d+)$/.exec(s);
  if (m) return whole(m[1]) === undefined ? undefined : { by: 'id', id: Number(m[1]) };
  m = /^point:(-?\d+(?:\.\d+)?),(-?\d+(?:\.\d+)?)$/.exec(s);
  if (m) return { by: 'point', x: Number(m[1]), y: Number(m[2]) };
  return undefined;
}

/**
 * `schema`, also accepting a text that `read` turns into its input form. `read` returns undefined for a text it cannot
 * read, which is reported as "Expected <expected> but received "<text>"" at the key's path.
 */
export function orText<T extends z.ZodType>(
  schema: T,
  read: (text: string) => z.input<T> | undefined,
  expected: string,
): z.ZodType<z.output<T>, z.input<T> | string> {
  return z.preprocess((value, ctx) => {
    if (typeof value !== 'string') return value;
    const read_ = read(value);
    if (read_ !== undefined) return read_;
    ctx.addIssue({ code: 'custom', message: `Expected ${expected} but received "${value}"`, input: value });
    return z.NEVER;
  }, schema) as unknown as z.ZodType<z.output<T>, z.input<T> | string>;
}

/**
 * An output frame rate as a number (29.97) or a text ("30000/1001", "24", "23.976"), kept as the exact rational text
 * ("30000/1001"): decimals near an NTSC rate are that rate (util/rational.ts).
 */
export const RateSchema = z
  .union([z.string(), z.number()], { error: 'Expected a frame rate like 24, 29.97 or "30000/1001"' })
  .transform((value, ctx) => {
    const fail = (message: string) => {
      ctx.addIssue({ code: 'custom', message, input: value });
      return z.NEVER;
    };
    let rate: Rational;
    try {
      rate = parseRational(value, 'output frame rate (fps)');
    } catch (err) {
      return fail((err as Error).message.replace(/\.$/, ''));
    }
    // After Effects comps run at 1-999 fps; a rate of millions would make the conform map (one entry per output
    // frame) run out of memory instead of failing.
    const fps = rate.num / rate.den;
    if (fps < 1 || fps > 1000)
      return fail(
        `Expected an output frame rate between 1 and 1000 fps but received "${value}". Use the comp's frame rate, e.g. 24, 29.97 or 30000/1001`,
      );
    return formatRational(rate);
  });
