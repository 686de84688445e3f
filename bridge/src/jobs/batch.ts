/**
 * Batch files: many jobs in one JSON or YAML file, for studios scripting renders (the CLI's `reenact batch`,
 * `reenact queue submit`, the bridge's POST /batches). An entry is a job spec with an optional name, its keys spelled
 * as in a spec file (docs/jobs.md); `defaults` go under every entry. Every entry becomes a full JobSpec, validated here
 * so a bad entry is reported by its place in the file ("entries[2].driving: …") before anything renders. Relative
 * paths resolve from the batch file's folder.
 *
 *   defaults: { engine: { name: meshwarp }, smoothing: 0.5 }   # optional, under every entry
 *   entries:
 *     - name: alice                # optional (default: the output folder's name)
 *       source: stills/alice.png   # (older files: portrait:)
 *       driving: takes/take3.mov
 *       output: renders/alice      # a folder, or { dir, format, preview, force }
 *       fps: 24                    # any job key (older files put them under options:)
 *       controls: { intensity: 0.8 }
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { messageOf, ReenactError } from '../errors.js';
import { parseJobSpec } from '../pipeline/parse.js';
import { type JobSpec, JobSpecSchema, OutputSchema, outputOrFolder } from '../pipeline/spec.js';
import { issuePath, issueText } from '../util/zod-errors.js';

/** JobSpec fields an entry (or `defaults`) may set besides the inputs and the output. */
const OptionsSchema = JobSpecSchema.omit({ source: true, driving: true, output: true, chunk: true }).partial().strict();

/** An entry's own keys; every other key is a job key (OptionsSchema). */
const ENTRY_KEYS = ['name', 'source', 'portrait', 'driving', 'output', 'options'] as const;

export const BatchEntrySchema = z
  .object({
    name: z
      .string()
      .regex(/^[\w.-]{1,64}$/, 'use 1-64 letters, digits, ".", "_" or "-"')
      .optional(),
    source: z.string().min(1).optional(),
    /** The older name of `source`. */
    portrait: z.string().min(1).optional(),
    driving: z.string().min(1),
    output: outputOrFolder(OutputSchema),
    /** Job keys, as older batch files nest them. */
    options: OptionsSchema.optional(),
    ...OptionsSchema.shape,
  })
  .strict()
  .superRefine((entry, ctx) => {
    if ((entry.source === undefined) === (entry.portrait === undefined))
      ctx.addIssue({
        code: 'custom',
        path: ['source'],
        message:
          entry.source === undefined
            ? 'Invalid input: expected string, received undefined'
            : 'give source or portrait, not both',
      });
  });

export const BatchSpecSchema = z
  .object({
    defaults: OptionsSchema.optional(),
    /** Jobs at once when run locally (the CLI's --concurrency wins). */
    concurrency: z.number().int().min(1).max(64).optional(),
    entries: z.array(BatchEntrySchema).min(1, 'a batch needs at least one entry'),
  })
  .strict();

export interface BatchJob {
  /** Position in `entries`. */
  index: number;
  name: string;
  spec: JobSpec;
}

export interface Batch {
  /** The batch file (absent for batches posted to the bridge). */
  file?: string;
  concurrency?: number;
  jobs: BatchJob[];
}

type Options = Record<string, unknown>;

function isPlainObject(v: unknown): v is Options {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `over` on top of `under`, one level deep (so `controls: { intensity }` keeps the defaults' other controls). */
function mergeOptions(under: Options, over: Options): Options {
  const out: Options = { ...under };
  for (const [k, v] of Object.entries(over))
    out[k] = isPlainObject(v) && isPlainObject(out[k]) ? { ...out[k], ...v } : v;
  return out;
}

/** ["entries", 2, "driving"] → "entries[2].driving". */
export function formatPath(p: readonly PropertyKey[]): string {
  let out = '';
  for (const k of p) out += typeof k === 'number' ? `[${k}]` : `${out ? '.' : ''}${String(k)}`;
  return out || '(batch)';
}

function badBatch(where: string, problems: string[]): ReenactError {
  return new ReenactError('BAD_INPUT', `Invalid batch ${where}: ${problems.join('; ')}.`, { details: { problems } });
}

type RawEntry = Record<string, unknown> & { options?: Options };

/**
 * Where a JobSpec field came from, as the user wrote it: the entry's own key (source or portrait, driving, output, a
 * flat job key), its `options`, or the batch's `defaults`.
 */
function fieldPath(jobPath: readonly PropertyKey[], index: number, entry: RawEntry): readonly PropertyKey[] {
  const [head, ...rest] = jobPath;
  if (head === 'source') return ['entries', index, entry.portrait !== undefined ? 'portrait' : 'source', ...rest];
  if (head === 'driving' || head === 'output' || (typeof head === 'string' && head in entry))
    return ['entries', index, ...jobPath];
  if (entry.options && typeof head === 'string' && head in entry.options)
    return ['entries', index, 'options', ...jobPath];
  return ['defaults', ...jobPath];
}

/** An entry's job keys: `options` (older files) under the keys written beside the entry's own. */
function entryOptions(entry: RawEntry): Options {
  const flat = Object.fromEntries(
    Object.entries(entry).filter(([k]) => !(ENTRY_KEYS as readonly string[]).includes(k)),
  );
  return mergeOptions(entry.options ?? {}, flat);
}

/**
 * Validates a batch and turns each entry into a JobSpec (defaults under options, paths absolute from `baseDir`).
 * Every problem of every entry is reported at once, each named by its place: "entries[2].driving: …".
 * @throws ReenactError BAD_INPUT "Invalid batch <where>: entries[2].driving: Invalid input: …; …."
 */
export function parseBatch(input: unknown, options: { baseDir: string; where?: string; file?: string }): Batch {
  const where = options.where ?? (options.file ? `(${options.file})` : 'spec');
  const result = BatchSpecSchema.safeParse(input);
  if (!result.success)
    throw badBatch(
      where,
      result.error.issues.map((i) => `${formatPath(issuePath(i))}: ${issueText(i, input)}`),
    );
  const batch = result.data;
  // Merge the raw options (the parsed ones carry schema defaults that would hide `defaults`).
  const raw = input as { defaults?: Options; entries: RawEntry[] };
  const problems: string[] = [];
  const jobs: BatchJob[] = [];
  const seen = new Map<string, number>();
  batch.entries.forEach((entry, index) => {
    const rawEntry = raw.entries[index];
    const jobInput = {
      ...mergeOptions(raw.defaults ?? {}, entryOptions(rawEntry)),
      source: entry.source ?? entry.portrait,
      driving: entry.driving,
      output: entry.output,
    };
    const job = JobSpecSchema.safeParse(jobInput);
    if (!job.success) {
      for (const i of job.error.issues)
        problems.push(`${formatPath(fieldPath(issuePath(i), index, rawEntry))}: ${issueText(i, jobInput)}`);
      return;
    }
    const spec: JobSpec = {
      ...job.data,
      source: path.resolve(options.baseDir, job.data.source),
      driving: path.resolve(options.baseDir, job.data.driving),
      output: { ...job.data.output, dir: path.resolve(options.baseDir, job.data.output.dir) },
    };
    const other = seen.get(spec.output.dir);
    if (other !== undefined)
      problems.push(`entries[${index}].output: the same folder as entries[${other}] (${spec.output.dir})`);
    seen.set(spec.output.dir, index);
    jobs.push({ index, name: entry.name ?? path.basename(spec.output.dir), spec });
  });
  if (problems.length) throw badBatch(where, problems);
  return { file: options.file, concurrency: batch.concurrency, jobs };
}

/** Checks that every entry's portrait and driving clip exist, naming the entry. */
export async function checkBatchFiles(batch: Batch): Promise<void> {
  const problems: string[] = [];
  for (const job of batch.jobs) {
    for (const [field, file] of [
      ['portrait', job.spec.source],
      ['driving', job.spec.driving],
    ] as const) {
      const s = await stat(file).catch(() => undefined);
      if (!s?.isFile()) problems.push(`entries[${job.index}].${field}: no such file ${file}`);
    }
  }
  if (problems.length) throw badBatch(batch.file ? `(${batch.file})` : 'spec', problems);
}

/** Reads a .json/.yaml/.yml file's data. @throws BAD_INPUT naming the file and the parse error. */
export async function readSpecFile(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ReenactError(
      'BAD_INPUT',
      `Cannot read ${file} (${(err as NodeJS.ErrnoException).code}). Check the path.`,
      {
        cause: err,
      },
    );
  }
  const ext = path.extname(file).toLowerCase();
  try {
    if (ext === '.json') return JSON.parse(text);
    if (ext === '.yaml' || ext === '.yml') return parseYaml(text);
  } catch (err) {
    throw new ReenactError('BAD_INPUT', `Cannot parse ${file}: ${messageOf(err)}`, { cause: err });
  }
  throw new ReenactError('BAD_INPUT', `Expected a .json, .yaml or .yml file but received ${file}.`);
}

/** Loads and validates a batch file (paths relative to its folder; inputs must exist). */
export async function loadBatchFile(file: string): Promise<Batch> {
  const abs = path.resolve(file);
  const batch = parseBatch(await readSpecFile(abs), { baseDir: path.dirname(abs), file: abs });
  await checkBatchFiles(batch);
  return batch;
}

/** A batch file (has `entries`) or a single JobSpec file → jobs with names. */
export async function loadJobsFile(file: string): Promise<BatchJob[]> {
  const abs = path.resolve(file);
  const data = await readSpecFile(abs);
  const baseDir = path.dirname(abs);
  if (data && typeof data === 'object' && 'entries' in data) {
    const batch = parseBatch(data, { baseDir, file: abs });
    await checkBatchFiles(batch);
    return batch.jobs;
  }
  const spec = parseJobSpec(data, { baseDir, where: abs });
  return [{ index: 0, name: path.basename(spec.output.dir), spec }];
}
