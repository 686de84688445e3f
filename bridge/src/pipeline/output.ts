/**
 * The output folder of a render: where frames, movie, preview and reenact.json go; whether an earlier run there can be
 * resumed or updated in place; and cleaning our own files (never anything else) when --force starts over.
 */
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { ReenactError } from '../errors.js';
import { cleanPartialFrames } from '../media/png-sequence.js';

export { isCompletePng } from '../media/png-sequence.js';

import { ensureDir } from '../util/fs.js';
import { type JobSpec, JobSpecSchema, type Manifest } from './spec.js';

export interface OutputLayout {
  dir: string;
  manifest: string;
  framesDir: string;
  /** printf pattern of PNG frames. */
  pattern: string;
  /** ProRes file (format prores). */
  movie: string;
  preview: string;
  framePath(index: number): string;
}

export const FRAME_PREFIX = 'frame_';

/** "00010-00019": the folder name of a chunk's output under `<output.dir>/chunks/`. */
export function chunkName(chunk: { start: number; end: number }): string {
  return `${String(chunk.start).padStart(5, '0')}-${String(chunk.end).padStart(5, '0')}`;
}

export function outputLayout(spec: JobSpec): OutputLayout {
  // A chunk renders into its own folder so chunks running at once never share a manifest or clean each other's temps.
  const dir = spec.chunk ? path.join(spec.output.dir, 'chunks', chunkName(spec.chunk)) : spec.output.dir;
  const framesDir = path.join(dir, 'frames');
  const stem = path.basename(spec.driving, path.extname(spec.driving));
  return {
    dir,
    manifest: path.join(dir, 'reenact.json'),
    framesDir,
    pattern: path.join(framesDir, `${FRAME_PREFIX}%05d.png`),
    movie: path.join(dir, `${stem}.reenact.mov`),
    preview: path.join(dir, 'preview.mp4'),
    framePath: (index) => path.join(framesDir, `${FRAME_PREFIX}${String(index).padStart(5, '0')}.png`),
  };
}

/** The spec fields that must match for an earlier run in the same folder to be resumed or updated in place. */
function renderIdentity(spec: JobSpec): string {
  return JSON.stringify([
    spec.source,
    spec.driving,
    spec.engine.name,
    spec.range ?? null,
    spec.fps ?? null,
    spec.output.format,
  ]);
}

/**
 * Reads an earlier reenact.json. Anything that is not one of ours — not JSON, not an object, a spec that does not
 * validate, frames that are not a list of numbered entries (hand-edited or foreign) — gives undefined, so a resume
 * never trusts it.
 */
export async function readManifest(file: string): Promise<Manifest | undefined> {
  let data: unknown;
  try {
    data = JSON.parse(await readFile(file, 'utf8'));
  } catch {
    return undefined;
  }
  return isManifest(data) ? data : undefined;
}

function isManifest(x: unknown): x is Manifest {
  if (typeof x !== 'object' || x === null) return false;
  const m = x as { spec?: unknown; frames?: unknown };
  if (!JobSpecSchema.safeParse(m.spec).success || !Array.isArray(m.frames)) return false;
  return m.frames.every((f: unknown) => {
    const frame = f as { index?: unknown; key?: unknown } | null;
    return (
      typeof frame === 'object' &&
      frame !== null &&
      Number.isInteger(frame.index) &&
      (frame.key === undefined || typeof frame.key === 'string')
    );
  });
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}

/** Deletes only what reenact writes in an output folder. */
export async function removeOutputs(layout: OutputLayout): Promise<void> {
  let names: string[] = [];
  try {
    names = await readdir(layout.framesDir);
  } catch {
    /* no frames folder */
  }
  await Promise.all(
    names
      .filter((n) => n.startsWith(FRAME_PREFIX) && n.endsWith('.png'))
      .map((n) => rm(path.join(layout.framesDir, n), { force: true })),
  );
  await cleanPartialFrames(layout.framesDir);
  await Promise.all([layout.movie, layout.preview, layout.manifest].map((f) => rm(f, { force: true })));
}

/**
 * True when `dir` holds a render that this spec would not resume or update (a different one, or a reenact.json that
 * is not ours): what prepareOutput refuses without `force`. For checks before work is queued (queue submit, farm export).
 */
export async function holdsOtherRender(spec: JobSpec): Promise<boolean> {
  const layout = outputLayout({ ...spec, chunk: undefined });
  const previous = await readManifest(layout.manifest);
  if (previous) return renderIdentity(previous.spec) !== renderIdentity(spec);
  return exists(layout.manifest);
}

/**
 * Prepares the folder. Returns the earlier manifest when it can be resumed/updated in place.
 * @throws OUTPUT_EXISTS when the folder holds a different render (or stray frames) and `force` is off.
 */
export async function prepareOutput(spec: JobSpec, layout: OutputLayout): Promise<Manifest | undefined> {
  for (const input of [spec.source, spec.driving]) {
    if (
      [layout.movie, layout.preview, layout.manifest].includes(input) ||
      input.startsWith(layout.framesDir + path.sep)
    ) {
      throw new ReenactError(
        'BAD_INPUT',
        `The output folder would overwrite an input (${input}). Choose another output folder.`,
      );
    }
  }
  await ensureDir(layout.framesDir);
  if (spec.output.force) {
    await removeOutputs(layout);
    return undefined;
  }
  await cleanPartialFrames(layout.framesDir);
  const previous = await readManifest(layout.manifest);
  if (previous?.spec && renderIdentity(previous.spec) === renderIdentity(spec)) return previous;
  const strayFrames = (await readdir(layout.framesDir)).some((n) => n.startsWith(FRAME_PREFIX));
  if (
    previous ||
    strayFrames ||
    (await exists(layout.manifest)) || // a reenact.json that is not ours (or is corrupt): never overwrite it silently
    (spec.output.format === 'prores' && (await exists(layout.movie)))
  ) {
    throw new ReenactError(
      'OUTPUT_EXISTS',
      `The output folder already holds a different render (${layout.dir}). Use --force to replace it, or choose another output folder.`,
      { details: { dir: layout.dir } },
    );
  }
  return undefined;
}
