/**
 * The one way reenact words a zod validation failure, wherever it happens (job specs, API requests, batch files,
 * engine options): "Expected <what> for <name> but received <value>." for zod's own checks, and the schema's own
 * message where a schema wrote one. Browser-safe.
 *
 * The received value is shown bounded: a few levels and characters at most, so a hostile, deeply nested or huge
 * value yields a short message instead of a stack overflow or a megabyte of text.
 */
import { z } from 'zod';
import { ReenactError } from '../errors.js';

type Issue = z.core.$ZodIssue;

/** zod's own wording of an issue (its English locale): anything else is a message the schema wrote. */
const zodWording = z.locales.en().localeError;

function ownMessage(issue: Issue, value: unknown): boolean {
  const wording = zodWording({ ...issue, input: value } as Parameters<typeof zodWording>[0]);
  return issue.message !== (typeof wording === 'string' ? wording : wording?.message);
}

/** Issues listed in one message at most; the rest are counted. */
const MAX_LINES = 8;
const MAX_VALUE_CHARS = 60;

/** `value` as a message shows it: JSON for small values, else its kind ("an object with 3 keys"). */
export function showValue(value: unknown): string {
  const shown = shortJson(value, 2);
  if (shown !== undefined && shown.length <= MAX_VALUE_CHARS) return shown;
  if (typeof value === 'string')
    return `${JSON.stringify(value.slice(0, MAX_VALUE_CHARS))}… (${value.length} characters)`;
  if (Array.isArray(value)) return `an array of ${value.length} item${value.length === 1 ? '' : 's'}`;
  if (value && typeof value === 'object') {
    const n = Object.keys(value).length;
    return `an object with ${n} key${n === 1 ? '' : 's'}`;
  }
  return String(value);
}

/** JSON of `value` when it is at most `depth` levels deep (never recurses further); undefined otherwise. */
function shortJson(value: unknown, depth: number): string | undefined {
  if (value === undefined) return 'undefined';
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') return String(value);
  if (typeof value !== 'object' || depth === 0) return undefined;
  const entries = Array.isArray(value) ? value.map((v) => ['', v] as const) : Object.entries(value);
  if (entries.length > 8) return undefined;
  const parts: string[] = [];
  for (const [k, v] of entries) {
    const inner = shortJson(v, depth - 1);
    if (inner === undefined) return undefined;
    parts.push(Array.isArray(value) ? inner : `${JSON.stringify(k)}:${inner}`);
  }
  return Array.isArray(value) ? `[${parts.join(',')}]` : `{${parts.join(',')}}`;
}

/** The value at `path` inside `input` (undefined where the path leaves it). */
function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v = input;
  for (const key of path) {
    if (!v || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

const article = (noun: string) => (/^[aeiou]/.test(noun) ? `an ${noun}` : `a ${noun}`);
const plural = (n: number | bigint, noun: string) => `${n} ${noun}${Number(n) === 1 ? '' : 's'}`;
const listValues = (values: readonly unknown[]) =>
  values.length === 1 ? showValue(values[0]) : `one of ${values.map((v) => showValue(v)).join(', ')}`;

/** What the check wanted, as the <what> of "Expected <what> …"; undefined when the issue carries its own message. */
function wanted(issue: Issue, known?: readonly string[]): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      return issue.expected === 'int' ? 'a whole number' : article(issue.expected);
    case 'too_big': {
      const max = String(issue.maximum);
      if (issue.origin === 'string') return `at most ${plural(issue.maximum, 'character')}`;
      if (issue.origin === 'array' || issue.origin === 'set') return `at most ${plural(issue.maximum, 'item')}`;
      return `a value ${issue.inclusive === false ? '<' : '≤'} ${max}`;
    }
    case 'too_small': {
      const min = String(issue.minimum);
      if (issue.origin === 'string')
        return Number(issue.minimum) === 1 ? 'a non-empty string' : `at least ${plural(issue.minimum, 'character')}`;
      if (issue.origin === 'array' || issue.origin === 'set') return `at least ${plural(issue.minimum, 'item')}`;
      return `a value ${issue.inclusive === false ? '>' : '≥'} ${min}`;
    }
    case 'invalid_value':
      return listValues(issue.values);
    case 'unrecognized_keys':
      return known ? `a known option (${known.join(', ')})` : 'a known key';
    case 'invalid_format':
      return issue.format === 'regex' && 'pattern' in issue
        ? `text matching ${issue.pattern}`
        : `a valid ${issue.format}`;
    case 'not_multiple_of':
      return `a multiple of ${String(issue.divisor)}`;
    case 'invalid_union': {
      if ('options' in issue && Array.isArray(issue.options)) return listValues(issue.options);
      // Alternatives of one value ("auto", "neutral" or a number): each one's own wish.
      const wishes = issue.errors.map((alt) =>
        alt.length === 1 && alt[0].path.length === 0 ? wanted(alt[0]) : undefined,
      );
      if (wishes.length && wishes.every(Boolean)) {
        const all = wishes as string[];
        return all.length === 1 ? all[0] : `${all.slice(0, -1).join(', ')} or ${all[all.length - 1]}`;
      }
      return 'one of the accepted forms';
    }
    default:
      return undefined;
  }
}

/**
 * The issue that best explains a union failure of objects: where every alternative but one fails on a literal
 * (its discriminating key), that one's first issue; else the union issue itself.
 */
function explain(issue: Issue): Issue {
  if (issue.code !== 'invalid_union' || !issue.errors.length) return issue;
  // Alternatives of the value itself ("auto" or a number): wanted() lists them.
  if (issue.errors.every((alt) => alt.length === 1 && alt[0].path.length === 0)) return issue;
  const onLiteral = (alt: Issue[]) =>
    alt.some((i) => i.code === 'invalid_value' && i.values.length === 1 && i.path.length > 0);
  const matched = issue.errors.filter((alt) => !onLiteral(alt));
  if (matched.length === 1 && matched[0].length) {
    const inner = matched[0][0];
    return explain({ ...inner, path: [...issue.path, ...inner.path] } as Issue);
  }
  const literals = issue.errors.map((alt) => alt.find((i) => i.code === 'invalid_value' && i.values.length === 1));
  const key = literals[0]?.path;
  if (literals.every((l) => l && l.path.join('.') === key?.join('.')) && key) {
    const values = literals.flatMap((l) => (l?.code === 'invalid_value' ? l.values : []));
    const merged = { code: 'invalid_value', values, path: [...issue.path, ...key], message: '' } as Issue;
    const wording = zodWording(merged as Parameters<typeof zodWording>[0]);
    return { ...merged, message: typeof wording === 'string' ? wording : (wording?.message ?? '') } as Issue;
  }
  return issue;
}

export interface IssueOptions {
  /** Name of the field in the message; default: the issue's path ("output.dir"). */
  name?: string;
  /** Keys an object accepts, listed when an unknown one is refused. */
  known?: readonly string[];
}

/** The parts of an issue's sentence: where it points, and what was wanted and received (or the schema's message). */
function partsOf(raw: Issue, input: unknown, known?: readonly string[]) {
  const issue = explain(raw);
  const path = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]] : [...issue.path];
  const value = valueAt(input, issue.path);
  // A message the schema wrote itself wins over the generic wording.
  const what = ownMessage(issue, value) ? undefined : wanted(issue, known);
  return { path, what, received: showValue(valueAt(input, path)), message: issue.message };
}

/**
 * One issue as a sentence naming the field. `input` is what was validated (the value shown is read from it by the
 * issue's path).
 * @example describeIssue(issue, { ringScale: 9 }, { name: 'meshwarp.ringScale' })
 * // → 'Expected a value ≤ 4 for meshwarp.ringScale but received 9.'
 */
export function describeIssue(issue: Issue, input: unknown, options: IssueOptions = {}): string {
  const p = partsOf(issue, input, options.known);
  if (p.what === undefined) return p.message;
  return `Expected ${p.what} for ${options.name ?? (p.path.map(String).join('.') || 'the value')} but received ${p.received}.`;
}

/** One issue for a list that names the field before it: 'Expected a value ≤ 1 but received 3' (no full stop). */
export function issueText(issue: Issue, input: unknown): string {
  const p = partsOf(issue, input);
  return (p.what === undefined ? p.message : `Expected ${p.what} but received ${p.received}`).replace(/\.$/, '');
}

/** Where an issue points: its path, and for an unknown key the key itself (["engine", "options", "ringscale"]). */
export function issuePath(issue: Issue): PropertyKey[] {
  return partsOf(issue, undefined).path;
}

/**
 * Every issue, one line each, under a heading (at most eight, the rest counted):
 * 'Invalid job spec: source: Expected an absolute path for source but received "p"; smoothing: Expected a value ≤ 1
 * but received 3.'
 */
export function formatZodError(error: z.ZodError, input: unknown, where: string): string {
  const lines = error.issues.slice(0, MAX_LINES).map((issue) => {
    const at = issuePath(issue).map(String).join('.');
    return at ? `${at}: ${issueText(issue, input)}` : issueText(issue, input);
  });
  if (error.issues.length > MAX_LINES) lines.push(`…and ${error.issues.length - MAX_LINES} more`);
  return `Invalid ${where}: ${lines.join('; ')}.`;
}

/**
 * Validates a component's options (an engine's) against its strict schema, defaults filled.
 * @throws ReenactError USAGE naming the first bad key: 'Expected a value ≤ 4 for meshwarp.ringScale but received 9.'
 */
export function parseOptions<S extends z.ZodObject>(schema: S, input: unknown, owner: string): z.output<S> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issuePath(issue).map(String).join('.');
  throw new ReenactError(
    'USAGE',
    describeIssue(issue, input, { name: `${owner}.${field}`, known: Object.keys(schema.shape) }),
    { details: { field } },
  );
}
