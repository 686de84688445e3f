/**
 * What is installed in a model folder and whether it is intact. `installed.json` beside the files records each
 * file's sha256 and source, and each derived file's own sha256 (the GridSample rewrite has no published hash).
 * Used by `reenact models list|verify|remove` and by engines to find their files.
 */
import { existsSync } from 'node:fs';
import { readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ReenactError } from '../errors.js';
import { sha256File } from '../util/fs.js';
import type { Catalog, CatalogModel } from './catalog.js';
import { knownHashes, modelDir, sourceWithHash } from './catalog.js';

export interface InstalledFile {
  sha256: string;
  bytes: number;
  /** URL or folder it came from. */
  source: string;
  /** Name of the catalog source whose published sha256 it matched at install (null: none published for it). */
  matches?: string | null;
  installedAt: string;
}

export interface DerivedFile extends InstalledFile {
  from: string;
  fromSha256: string;
  transform: string;
  /** GridSample nodes replaced (for the rewrite). */
  rewritten?: string[];
}

export interface InstalledState {
  set: string;
  files: Record<string, InstalledFile>;
  derived: Record<string, DerivedFile>;
}

export function statePath(dir: string): string {
  return path.join(dir, 'installed.json');
}

export async function readState(dir: string, set: string): Promise<InstalledState> {
  try {
    const parsed = JSON.parse(await readFile(statePath(dir), 'utf8')) as InstalledState;
    return { set, files: parsed.files ?? {}, derived: parsed.derived ?? {} };
  } catch {
    return { set, files: {}, derived: {} };
  }
}

/** Atomic write (temp + rename) so a crash never leaves half a state file. */
export async function writeState(dir: string, state: InstalledState): Promise<void> {
  const tmp = `${statePath(dir)}.tmp-${process.pid}`;
  await writeFile(tmp, `${JSON.stringify(state, null, 2)}\n`);
  await rename(tmp, statePath(dir));
}

export type ModelStatus = 'ok' | 'missing' | 'partial' | 'mismatch' | 'unverified';

export interface VerifyEntry {
  id: string;
  file: string;
  required: boolean;
  status: ModelStatus;
  /** Facts the catalog does not know or that need attention ("size not published in the catalog"). */
  notes: string[];
  sha256?: string;
  bytes?: number;
  /** Which copy the file is: the catalog source whose published sha256 it matches ("Hugging Face …"). */
  matches?: string;
  derived?: { file: string; status: ModelStatus; sha256?: string };
}

async function sizeOf(file: string): Promise<number | undefined> {
  try {
    return (await stat(file)).size;
  } catch {
    return undefined;
  }
}

/**
 * Checks one catalog entry on disk. With `hash` false only presence is checked (fast, for `list`).
 */
export async function checkModel(
  dir: string,
  model: CatalogModel,
  state: InstalledState,
  hash: boolean,
): Promise<VerifyEntry> {
  const file = path.join(dir, model.file);
  const notes: string[] = [];
  const known = knownHashes(model);
  if (model.sources.every((s) => s.sizeBytes === null))
    notes.push(`size not published in the catalog${model.approxSize ? ` (about ${model.approxSize})` : ''}`);
  if (known.length === 0)
    notes.push('sha256 not published in the catalog: checked against the hash recorded at install');
  const entry: VerifyEntry = { id: model.id, file: model.file, required: model.required, status: 'missing', notes };
  const bytes = await sizeOf(file);
  if (bytes === undefined) {
    const part = await sizeOf(`${file}.part`);
    if (part !== undefined) {
      entry.status = 'partial';
      notes.push(`${part} bytes downloaded so far (${model.file}.part); run install again to resume`);
    }
    return entry;
  }
  entry.bytes = bytes;
  if (!hash) {
    entry.status = 'ok';
  } else {
    entry.sha256 = await sha256File(file);
    const match = sourceWithHash(model, entry.sha256);
    const record = state.files[model.file];
    if (match) {
      entry.status = 'ok';
      entry.matches = match.name;
      if (match.sizeBytes !== null && bytes !== match.sizeBytes) {
        entry.status = 'mismatch';
        notes.push(`size ${bytes} bytes differs from the ${match.sizeBytes} published for the ${match.name} copy`);
      }
    } else if (record && model.sources.some((s) => s.sha256 === null)) {
      // A copy whose source publishes no hash (installed with a warning): only later changes can be detected.
      entry.status = record.sha256 === entry.sha256 ? 'ok' : 'mismatch';
      notes.push(
        entry.status === 'ok'
          ? `matches the sha256 recorded at install from ${record.source} (no sha256 is published for that copy)`
          : `sha256 ${entry.sha256} differs from the ${record.sha256} recorded at install; run install with --force`,
      );
    } else if (known.length === 0) {
      entry.status = 'unverified';
      notes.push('no sha256 to compare with');
    } else {
      entry.status = 'mismatch';
      notes.push(
        `sha256 ${entry.sha256} matches none published (${known.map((k) => `${k.sha256} from ${k.name}`).join(', ')}); run install with --force`,
      );
    }
  }
  if (model.derived) {
    const dfile = path.join(dir, model.derived.file);
    const record = state.derived[model.derived.file];
    const derived: VerifyEntry['derived'] = { file: model.derived.file, status: 'missing' };
    if (existsSync(dfile)) {
      if (!hash) derived.status = record ? 'ok' : 'unverified';
      else {
        derived.sha256 = await sha256File(dfile);
        derived.status = !record ? 'unverified' : derived.sha256 === record.sha256 ? 'ok' : 'mismatch';
      }
    }
    if (derived.status !== 'ok')
      notes.push(`${model.derived.file} is ${derived.status}: run \`reenact models install\` to rebuild it`);
    entry.derived = derived;
  }
  return entry;
}

export async function checkModels(
  catalog: Catalog,
  hash: boolean,
  env: NodeJS.ProcessEnv = process.env,
): Promise<VerifyEntry[]> {
  const dir = modelDir(catalog.set, env);
  const state = await readState(dir, catalog.set);
  const out: VerifyEntry[] = [];
  for (const model of catalog.models) out.push(await checkModel(dir, model, state, hash));
  return out;
}

/** Deletes the files of `models` (final, .part and derived) and forgets them in installed.json. */
export async function removeModels(
  catalog: Catalog,
  models: CatalogModel[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<string[]> {
  const dir = modelDir(catalog.set, env);
  const state = await readState(dir, catalog.set);
  const removed: string[] = [];
  for (const m of models) {
    const names = [m.file, `${m.file}.part`, ...(m.derived ? [m.derived.file, `${m.derived.file}.part`] : [])];
    for (const name of names) {
      const file = path.join(dir, name);
      if (existsSync(file)) {
        await rm(file, { force: true });
        removed.push(name);
      }
    }
    delete state.files[m.file];
    if (m.derived) delete state.derived[m.derived.file];
  }
  if (existsSync(dir)) await writeState(dir, state);
  return removed;
}

/**
 * Paths of installed files by id, for engines. Does not hash (verify does); checks presence only.
 * @throws ReenactError MISSING_MODEL naming the missing files and the install commands.
 */
export function resolveModelFiles(
  catalog: Catalog,
  ids: string[],
  env: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  const dir = modelDir(catalog.set, env);
  const out: Record<string, string> = {};
  const missing: string[] = [];
  for (const id of ids) {
    const m = catalog.models.find((x) => x.id === id);
    if (!m) throw new ReenactError('INTERNAL', `Model id ${id} is not in the ${catalog.set} catalog.`);
    const file = path.join(dir, m.file);
    if (existsSync(file)) out[id] = file;
    else missing.push(m.file);
  }
  if (missing.length) {
    throw new ReenactError(
      'MISSING_MODEL',
      `The ${catalog.set} models are not installed (missing ${missing.join(', ')} in ${dir}). Run \`reenact models install\`, or offline \`reenact models install --from <folder>\` with the files in that folder.`,
      { details: { missing, dir } },
    );
  }
  return out;
}
