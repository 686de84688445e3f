/**
 * The output folder of a render: whether an earlier run there can be resumed or updated in place, what --force may
 * replace, and what it may not. Only files reenact wrote there (ownership.ts) are ever overwritten or deleted; a file
 * of anyone else's at a name this render would write stops it with OUTPUT_EXISTS, --force or not.
 */
import { lstat, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { ReenactError } from '../errors.js';
import { ensureDir } from '../util/fs.js';
import { type OutputLayout, outputLayout } from './layout.js';
import {
  FRAME_LOOKALIKE,
  frameEntries,
  isOwnTemp,
  isRegularFile,
  occupied,
  ownedNames,
  ownManifest,
  readManifest,
} from './ownership.js';
import type { JobSpec, Manifest } from './spec.js';

export { type OutputLayout, outputLayout } from './layout.js';
export { readManifest } from './ownership.js';

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
 * Files in the folder this render would write over, or write beside as if they were its own, that reenact did not
 * write: a reenact.json that is not this folder's manifest, frame look-alikes (frame_*.png) the manifest does not
 * list, the movie or preview when this render writes one, and any symlink among them. Relative names, sorted.
 */
async function foreignFiles(spec: JobSpec, layout: OutputLayout, own: Manifest | undefined): Promise<string[]> {
  const owned = ownedNames(layout, own);
  const foreign: string[] = [];
  const rel = (file: string) => path.relative(path.dirname(layout.dir), file);
  if ((await occupied(layout.manifest)) && !own) {
    // One of reenact's, moved or copied here from another folder, says where it belongs.
    const elsewhere = (await isRegularFile(layout.manifest)) ? await readManifest(layout.manifest) : undefined;
    foreign.push(`${rel(layout.manifest)}${elsewhere ? ` (written for ${outputLayout(elsewhere.spec).dir})` : ''}`);
  }
  for (const name of await frameEntries(layout)) {
    if (FRAME_LOOKALIKE.test(name) && !(owned.frame(name) && (await isRegularFile(path.join(layout.framesDir, name)))))
      foreign.push(rel(path.join(layout.framesDir, name)));
  }
  const written = [
    ...(spec.output.format === 'prores' ? [layout.movie] : []),
    ...(spec.output.preview ? [layout.preview] : []),
  ];
  for (const file of written) {
    const name = path.basename(file);
    if ((await occupied(file)) && !(owned.top(name) && (await isRegularFile(file)))) foreign.push(rel(file));
  }
  return foreign.sort();
}

/** The folders reenact writes into must be real folders: a symlinked frames/ (or chunk folder) would be followed. */
async function assertRealFolders(layout: OutputLayout): Promise<void> {
  for (const dir of [layout.dir, layout.framesDir]) {
    const st = await lstat(dir).catch(() => undefined);
    if (st && !st.isDirectory()) {
      throw new ReenactError(
        'OUTPUT_EXISTS',
        `Expected ${dir} to be a folder reenact can write into but it is ${st.isSymbolicLink() ? 'a symlink' : 'a file'}. reenact writes only into real folders: remove it, or choose another output folder.`,
        { details: { path: dir } },
      );
    }
  }
}

/**
 * Deletes what reenact wrote in the folder, as its own manifest says (--force, DELETE outputs): its frames, movie,
 * preview, manifest and temp files. Regular files only, never through a symlinked frames/; returns what it removed.
 */
export async function removeOutputs(layout: OutputLayout, own: Manifest | undefined): Promise<string[]> {
  const owned = ownedNames(layout, own);
  const removed: string[] = [];
  for (const name of await frameEntries(layout)) {
    if (owned.frame(name) || isOwnTemp(name, (n) => FRAME_LOOKALIKE.test(n)))
      removed.push(...(await removeFile(layout.framesDir, name)));
  }
  for (const file of [layout.movie, layout.preview, layout.manifest]) {
    if (owned.top(path.basename(file))) removed.push(...(await removeFile(layout.dir, path.basename(file))));
  }
  removed.push(...(await cleanOwnTemps(layout)));
  return removed;
}

async function removeFile(dir: string, name: string): Promise<string[]> {
  const file = path.join(dir, name);
  if (!(await isRegularFile(file))) return [];
  await rm(file);
  return [file];
}

/** Removes the temp files a killed render left (reenact's own temp names only; frames/ and beside the manifest). */
export async function cleanOwnTemps(layout: OutputLayout): Promise<string[]> {
  const top = new Set([layout.manifest, layout.movie, layout.preview].map((f) => path.basename(f)));
  const removed: string[] = [];
  for (const name of await frameEntries(layout))
    if (isOwnTemp(name, (n) => FRAME_LOOKALIKE.test(n))) removed.push(...(await removeFile(layout.framesDir, name)));
  for (const name of await readdir(layout.dir).catch(() => [] as string[]))
    if (isOwnTemp(name, (n) => top.has(n))) removed.push(...(await removeFile(layout.dir, name)));
  return removed;
}

/**
 * True when `dir` holds a render that this spec would not resume or update (a different one, or a reenact.json that
 * is not ours): what prepareOutput refuses without `force`. For checks before work is queued (queue submit, farm export).
 */
export async function holdsOtherRender(spec: JobSpec): Promise<boolean> {
  const layout = outputLayout({ ...spec, chunk: undefined });
  const own = await ownManifest(layout);
  if (own) return renderIdentity(own.spec) !== renderIdentity(spec);
  return occupied(layout.manifest);
}

/**
 * Prepares the folder. Returns the earlier manifest when it can be resumed/updated in place.
 * @throws OUTPUT_EXISTS when the folder holds files reenact did not write where this render would write (--force or
 *   not), a symlinked frames/, or a different render of reenact's and `force` is off; BAD_INPUT when it would
 *   overwrite an input.
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
  await assertRealFolders(layout);
  const own = await ownManifest(layout);
  const foreign = await foreignFiles(spec, layout, own);
  if (foreign.length) {
    const shown = foreign.slice(0, 5).join(', ') + (foreign.length > 5 ? ` and ${foreign.length - 5} more` : '');
    throw new ReenactError(
      'OUTPUT_EXISTS',
      `The output folder holds files reenact did not write where this render would write (${shown}). Move them away or choose another output folder; --force replaces only reenact's own files.`,
      { details: { dir: layout.dir, files: foreign } },
    );
  }
  await ensureDir(layout.framesDir);
  if (spec.output.force) {
    await removeOutputs(layout, own);
    return undefined;
  }
  await cleanOwnTemps(layout);
  if (own && renderIdentity(own.spec) === renderIdentity(spec)) return own;
  if (spec.chunk && own?.spec.chunk) {
    // A chunk folder is reenact's own scratch space under <out>/chunks/, holding a chunk of an earlier version of the
    // job (a farm job resubmitted with another range, rate or engine): start the chunk over instead of failing it.
    await removeOutputs(layout, own);
    return undefined;
  }
  if (own) {
    throw new ReenactError(
      'OUTPUT_EXISTS',
      `The output folder already holds a different render (${layout.dir}). Use --force to replace it, or choose another output folder.`,
      { details: { dir: layout.dir } },
    );
  }
  return undefined;
}

/** Re-checked just before the preview is written (minutes after prepare): a preview.mp4 someone put there since stays. */
export async function assertPreviewFree(layout: OutputLayout, own: Manifest | undefined): Promise<void> {
  if (
    (await occupied(layout.preview)) &&
    !(ownedNames(layout, own).top('preview.mp4') && (await isRegularFile(layout.preview)))
  ) {
    throw new ReenactError(
      'OUTPUT_EXISTS',
      `The output folder now holds a preview.mp4 reenact did not write (${layout.preview}). Move it away, then run the same command again (the frames are kept).`,
      { details: { path: layout.preview } },
    );
  }
}
