/**
 * `reenact models install`: gets each selected file from its URLs, a mirror base URL, or a local folder, checks its
 * sha256 and only then renames `<file>.part` to `<file>` (atomic: a wrong hash never leaves a file under the final
 * name). Files with a `derived` transform (warping_spade → GridSample rewrite) get it computed once here, cached
 * beside the original with its own sha256 in installed.json.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { messageOf, ReenactError, throwIfAborted } from '../errors.js';
import { rewriteGridSampleBytes } from '../onnx/gridsample-rewrite.js';
import { sha256File } from '../util/fs.js';
import type { Catalog, CatalogModel, ModelSource } from './catalog.js';
import { knownHashes, modelDir, selectModels, sourceWithHash } from './catalog.js';
import { downloadToPart, OfflineError, RetriableDownloadError } from './download.js';
import { type InstalledState, readState, writeState } from './store.js';

export type InstallEvent =
  | { type: 'model-start'; id: string; file: string; source: string; total: number | null; resumeFrom: number }
  | { type: 'model-progress'; id: string; file: string; done: number; total: number | null }
  | { type: 'model-retry'; id: string; file: string; attempt: number; reason: string }
  | {
      type: 'model-done';
      id: string;
      file: string;
      sha256: string;
      bytes: number;
      source: string;
      /** The catalog source whose published sha256 the bytes match (null: none is published for this copy). */
      matches: string | null;
    }
  | { type: 'model-skip'; id: string; file: string; reason: string }
  | { type: 'derived-done'; id: string; file: string; sha256: string; rewritten: string[] }
  | { type: 'warning'; message: string };

export interface InstallOptions {
  ids?: string[];
  /** Include optional models when no ids are given. */
  all?: boolean;
  /** Base URL replacing the catalog URLs: `<mirror>/<file>`. */
  mirror?: string;
  /** Local folder holding the files (offline install). */
  from?: string;
  /** Re-install even when the file is present and recorded. */
  force?: boolean;
  /** Attempts per URL after a cut connection (each resumes with HTTP Range). Default 4. */
  retries?: number;
  timeoutMs?: number;
  onEvent?: (event: InstallEvent) => void;
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
}

export interface InstallResult {
  dir: string;
  installed: string[];
  skipped: string[];
}

/** Where to download from: the catalog's sources in order, or one `--mirror` URL (a copy of unknown provenance). */
function sourcesFor(model: CatalogModel, options: InstallOptions): ModelSource[] {
  if (options.mirror)
    return [
      {
        name: `mirror ${options.mirror}`,
        url: `${options.mirror.replace(/\/+$/, '')}/${model.file}`,
        sha256: null,
        sizeBytes: null,
        hashSource: null,
      },
    ];
  return model.sources;
}

/**
 * Whether `sha256` is an acceptable copy of `model` when fetched from `from` (a catalog source, or null for a
 * mirror/folder of unknown provenance): it matches a published hash, or no hash is published for the copy it may be.
 */
function acceptable(model: CatalogModel, sha256: string, from: ModelSource | null): boolean {
  if (sourceWithHash(model, sha256)) return true;
  if (from) return from.sha256 === null;
  return knownHashes(model).length === 0 || model.sources.some((s) => s.sha256 === null);
}

async function isRecordedInstall(dir: string, model: CatalogModel, state: InstalledState): Promise<boolean> {
  const file = path.join(dir, model.file);
  const record = state.files[model.file];
  if (!record || !existsSync(file)) return false;
  // A catalog that now publishes other hashes (and no unverifiable copy) asks for a fresh install.
  if (!acceptable(model, record.sha256, null)) return false;
  return (await stat(file)).size === record.bytes;
}

function hashMismatch(model: CatalogModel, got: string, source: string): string {
  const known = knownHashes(model);
  const expected = known.length === 1 ? known[0].sha256 : known.map((k) => `${k.sha256} (${k.name})`).join(' or ');
  return `Expected sha256 ${expected} for ${model.file} but received ${got} from ${source}`;
}

/** The install event's and installed.json's account of which published copy a file is. */
function matchOf(model: CatalogModel, sha256: string): string | null {
  return sourceWithHash(model, sha256)?.name ?? null;
}

/** Downloads one model, trying its sources in order; returns the source that worked. */
async function downloadModel(dir: string, model: CatalogModel, options: InstallOptions): Promise<InstallEventDone> {
  const part = path.join(dir, `${model.file}.part`);
  const retries = options.retries ?? 4;
  const failures: string[] = [];
  let offline = 0;
  const sources = sourcesFor(model, options);
  for (const source of sources) {
    const url = source.url;
    for (let attempt = 0; attempt <= retries; attempt++) {
      throwIfAborted(options.signal);
      const resumeFrom = existsSync(part) ? (await stat(part)).size : 0;
      options.onEvent?.({
        type: 'model-start',
        id: model.id,
        file: model.file,
        source: url,
        total: source.sizeBytes,
        resumeFrom,
      });
      try {
        const result = await downloadToPart(url, part, {
          timeoutMs: options.timeoutMs,
          signal: options.signal,
          onProgress: (p) =>
            options.onEvent?.({ type: 'model-progress', id: model.id, file: model.file, done: p.done, total: p.total }),
        });
        if (!acceptable(model, result.sha256, options.mirror ? null : source)) {
          await rm(part, { force: true });
          failures.push(hashMismatch(model, result.sha256, url));
          options.onEvent?.({
            type: 'warning',
            message: `${hashMismatch(model, result.sha256, url)}; the download was deleted.`,
          });
          break; // next source
        }
        return { sha256: result.sha256, bytes: result.bytes, source: url, matches: matchOf(model, result.sha256) };
      } catch (err) {
        if (err instanceof RetriableDownloadError && attempt < retries) {
          options.onEvent?.({
            type: 'model-retry',
            id: model.id,
            file: model.file,
            attempt: attempt + 1,
            reason: err.message,
          });
          continue;
        }
        if (err instanceof OfflineError) offline += 1;
        if (err instanceof ReenactError && err.code === 'CANCELLED') throw err;
        if ((err as Error).name === 'AbortError') throw new ReenactError('CANCELLED', 'Cancelled.', { cause: err });
        failures.push(`${url}: ${messageOf(err)}`);
        break;
      }
    }
  }
  const hint = `download the files on a machine with internet access (${model.sources[0].url.replace(/[^/]+$/, '')}) and run \`reenact models install --from <folder>\` with them in that folder`;
  if (offline === sources.length) {
    throw new ReenactError(
      'MISSING_MODEL',
      `Could not reach ${sources.map((s) => new URL(s.url).host).join(' or ')} to download ${model.file}: this machine looks offline. To install without a connection, ${hint}.`,
      { details: { file: model.file, failures } },
    );
  }
  throw new ReenactError(
    'MISSING_MODEL',
    `Could not download ${model.file} (${failures.join('; ')}). Try again (downloads resume), use --mirror <base-url>, or ${hint}.`,
    { details: { file: model.file, failures } },
  );
}

interface InstallEventDone {
  sha256: string;
  bytes: number;
  source: string;
  matches: string | null;
}

/** Copies one model from a local folder through `<file>.part`, checking its sha256. */
async function copyModel(
  dir: string,
  model: CatalogModel,
  folder: string,
  options: InstallOptions,
): Promise<InstallEventDone> {
  const src = path.join(folder, model.file);
  const part = path.join(dir, `${model.file}.part`);
  const size = (await stat(src)).size;
  options.onEvent?.({ type: 'model-start', id: model.id, file: model.file, source: src, total: size, resumeFrom: 0 });
  await copyFile(src, part);
  const sha256 = await sha256File(part);
  if (!acceptable(model, sha256, null)) {
    await rm(part, { force: true });
    throw new ReenactError(
      'BAD_INPUT',
      `${hashMismatch(model, sha256, src)}. Nothing was installed for it; get an intact copy of the file.`,
      {
        details: { file: src },
      },
    );
  }
  options.onEvent?.({ type: 'model-progress', id: model.id, file: model.file, done: size, total: size });
  return { sha256, bytes: size, source: src, matches: matchOf(model, sha256) };
}

/** Builds the derived file of `model` (GridSample rewrite) atomically and records its own sha256. */
async function buildDerived(
  dir: string,
  model: CatalogModel,
  state: InstalledState,
  options: InstallOptions,
): Promise<void> {
  if (!model.derived) return;
  const src = path.join(dir, model.file);
  const dst = path.join(dir, model.derived.file);
  const { bytes, report } = rewriteGridSampleBytes(await readFile(src));
  if (report.kept.length)
    options.onEvent?.({
      type: 'warning',
      message: `${model.file}: GridSample nodes kept as they were: ${report.kept.map((k) => `${k.name} (${k.reason})`).join(', ')}.`,
    });
  // Unique temp name: a render building a missing rewrite may race another render or an install.
  const tmp = `${dst}.${process.pid}-${randomBytes(4).toString('hex')}.part`;
  await writeFile(tmp, bytes);
  const sha256 = await sha256File(tmp);
  await rename(tmp, dst);
  state.derived[model.derived.file] = {
    sha256,
    bytes: bytes.byteLength,
    source: model.file,
    from: model.file,
    fromSha256: state.files[model.file]?.sha256 ?? (await sha256File(src)),
    transform: model.derived.transform,
    rewritten: report.rewritten,
    installedAt: new Date().toISOString(),
  };
  options.onEvent?.({
    type: 'derived-done',
    id: model.id,
    file: model.derived.file,
    sha256,
    rewritten: report.rewritten,
  });
}

/**
 * The derived file of an installed model (the GPU-ready warping graph), built now and recorded in installed.json when
 * it is missing (an install that was interrupted, or a cache copied without it). Returns its path.
 * @throws Error when the original is missing or cannot be rewritten.
 */
export async function ensureDerived(
  catalog: Catalog,
  id: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  const model = catalog.models.find((m) => m.id === id);
  if (!model?.derived) throw new Error(`${id} has no derived file in the ${catalog.set} catalog`);
  const dir = modelDir(catalog.set, env);
  const dst = path.join(dir, model.derived.file);
  if (existsSync(dst)) return dst;
  const state = await readState(dir, catalog.set);
  await buildDerived(dir, model, state, {});
  await writeState(dir, state);
  return dst;
}

/**
 * Installs the selected models of `catalog`.
 * @throws ReenactError MISSING_MODEL (exit 3) when a file cannot be fetched (the message says how to install from a
 * folder), BAD_INPUT when a `--from` folder lacks a file or holds a wrong one, USAGE for unknown ids.
 */
export async function installModels(catalog: Catalog, options: InstallOptions = {}): Promise<InstallResult> {
  if (options.mirror && options.from)
    throw new ReenactError('USAGE', 'Expected either --mirror or --from but received both. Pick one source.');
  if (options.mirror && !/^https?:\/\//.test(options.mirror))
    throw new ReenactError('USAGE', `Expected an http(s) base URL for --mirror but received "${options.mirror}".`);
  const models = selectModels(catalog, options.ids ?? [], options.all);
  const dir = modelDir(catalog.set, options.env);
  await mkdir(dir, { recursive: true });
  if (options.from) {
    const folder = path.resolve(options.from);
    const missing = models.filter((m) => !existsSync(path.join(folder, m.file)));
    const missingRequired = missing.filter((m) => m.required || (options.ids ?? []).length > 0);
    if (missingRequired.length)
      throw new ReenactError(
        'BAD_INPUT',
        `Expected ${missingRequired.map((m) => m.file).join(', ')} in ${folder} but ${missingRequired.length === 1 ? 'it is' : 'they are'} not there. Put the downloaded files in that folder (names as listed by \`reenact models list\`).`,
        { details: { folder, missing: missingRequired.map((m) => m.file) } },
      );
    for (const m of missing)
      options.onEvent?.({ type: 'model-skip', id: m.id, file: m.file, reason: `optional, not in ${folder}` });
  }
  const result: InstallResult = { dir, installed: [], skipped: [] };
  for (const model of models) {
    throwIfAborted(options.signal);
    const state = await readState(dir, catalog.set);
    if (options.from && !existsSync(path.join(path.resolve(options.from), model.file))) {
      result.skipped.push(model.file);
      continue;
    }
    if (!options.force && (await isRecordedInstall(dir, model, state))) {
      if (model.derived && !existsSync(path.join(dir, model.derived.file))) {
        await buildDerived(dir, model, state, options);
        await writeState(dir, state);
      }
      options.onEvent?.({ type: 'model-skip', id: model.id, file: model.file, reason: 'already installed' });
      result.skipped.push(model.file);
      continue;
    }
    const got = options.from
      ? await copyModel(dir, model, path.resolve(options.from), options)
      : await downloadModel(dir, model, options);
    if (got.matches === null)
      options.onEvent?.({
        type: 'warning',
        message: `${model.file} from ${got.source} matches no published sha256 (none is published for that copy); recorded ${got.sha256} so verify can detect later changes.`,
      });
    await rename(path.join(dir, `${model.file}.part`), path.join(dir, model.file));
    state.files[model.file] = { ...got, installedAt: new Date().toISOString() };
    await writeState(dir, state);
    options.onEvent?.({
      type: 'model-done',
      id: model.id,
      file: model.file,
      sha256: got.sha256,
      bytes: got.bytes,
      source: got.source,
      matches: got.matches,
    });
    try {
      await buildDerived(dir, model, state, options);
      await writeState(dir, state);
    } catch (err) {
      // The original stays installed (CPU can run it); only GPU providers lose the rewritten graph.
      options.onEvent?.({
        type: 'warning',
        message: `Could not build ${model.derived?.file} from ${model.file}: ${messageOf(err)}. GPU devices will fall back to the original graph.`,
      });
    }
    result.installed.push(model.file);
  }
  return result;
}
