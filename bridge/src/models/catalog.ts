/**
 * The model catalog (`models/catalog.json`): which ONNX files the neural engine needs, where to download them,
 * their sha256 and licence. Validated with zod when read, so a hand-edited or mirrored catalog fails with a clear
 * message. Unknown facts are null in the file (never invented) and reported by `reenact models verify`.
 * REENACT_MODEL_CATALOG points to another catalog file (tests, private mirrors).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { messageOf, ReenactError } from '../errors.js';
import { cacheDir, packageRoot } from '../util/paths.js';
import { formatZodError } from '../util/zod-errors.js';

const Sha256Schema = z.string().regex(/^[0-9a-f]{64}$/, 'a 64-digit lowercase hex sha256');

/** One place a file can be downloaded from, with the hash and size published for THAT copy. */
export const SourceSchema = z.object({
  /** Who publishes this copy, for messages and `reenact models verify` ("Hugging Face warmshao/FasterLivePortrait"). */
  name: z.string().min(1),
  url: z.url(),
  /** sha256 of this copy, or null when none is published (install then records what it got, with a warning). */
  sha256: Sha256Schema.nullable(),
  /** Exact size of this copy in bytes, or null when none is published. */
  sizeBytes: z.number().int().positive().nullable(),
  /** Where the sha256 and size were published. */
  hashSource: z.string().nullable(),
});
export type ModelSource = z.infer<typeof SourceSchema>;

export const CatalogModelSchema = z.object({
  /** Stable id used on the command line and in manifests. */
  id: z.string().regex(/^[a-z0-9_-]+$/),
  /** File name inside the set's folder. */
  file: z.string().regex(/^[A-Za-z0-9_.-]+$/),
  role: z.string(),
  /** Required by the engine; optional files are installed with `--all`. */
  required: z.boolean(),
  /**
   * Download sources tried in order (the next one on a network error or a wrong sha256). Mirrors may hold different
   * bytes than the primary (re-saved exports), so each source carries its own hash.
   */
  sources: z.array(SourceSchema).min(1),
  /** Human-readable size estimate for messages ("402 MiB"), or null. */
  approxSize: z.string().nullable(),
  licence: z.string(),
  licenceSource: z.string(),
  /** A file computed from this one at install (e.g. the GridSample rewrite), cached beside it. */
  derived: z
    .object({
      file: z.string().regex(/^[A-Za-z0-9_.-]+$/),
      transform: z.literal('gridsample-rewrite'),
      why: z.string(),
    })
    .optional(),
});
export type CatalogModel = z.infer<typeof CatalogModelSchema>;

export const CatalogSchema = z.object({
  set: z.string().regex(/^[a-z0-9_-]+$/),
  version: z.number().int(),
  licence: z.object({ name: z.string(), text: z.string(), urls: z.array(z.string()) }),
  models: z.array(CatalogModelSchema).min(1),
});
export type Catalog = z.infer<typeof CatalogSchema>;

/** The catalog file in use: REENACT_MODEL_CATALOG, else the package's models/catalog.json. */
export function catalogPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.REENACT_MODEL_CATALOG
    ? path.resolve(env.REENACT_MODEL_CATALOG)
    : path.join(packageRoot(), 'models', 'catalog.json');
}

/**
 * Reads and validates a catalog.
 * @throws ReenactError BAD_INPUT when the file is missing or does not match the schema.
 */
export function loadCatalog(file = catalogPath()): Catalog {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ReenactError('BAD_INPUT', `Could not read the model catalog (${file}): ${messageOf(err)}`, {
      cause: err,
    });
  }
  const parsed = CatalogSchema.safeParse(raw);
  if (!parsed.success) throw new ReenactError('BAD_INPUT', formatZodError(parsed.error, raw, `model catalog ${file}`));
  return parsed.data;
}

/** Folder holding one set's files: <cache>/models/<set>/. */
export function modelDir(set: string, env: NodeJS.ProcessEnv = process.env): string {
  return path.join(cacheDir(env), 'models', set);
}

/**
 * Picks catalog entries by id; no ids = the required ones (plus optional ones with `all`).
 * @throws ReenactError USAGE for an unknown id, listing the known ones.
 */
export function selectModels(catalog: Catalog, ids: string[], all = false): CatalogModel[] {
  if (ids.length === 0) return catalog.models.filter((m) => m.required || all);
  return ids.map((id) => {
    const m = catalog.models.find((x) => x.id === id || x.file === id);
    if (!m)
      throw new ReenactError(
        'USAGE',
        `Expected a model id for ${catalog.set} but received "${id}". Known ids: ${catalog.models.map((x) => x.id).join(', ')}.`,
      );
    return m;
  });
}

/** The sources with a published sha256: a file is intact when it matches one of them. */
export function knownHashes(model: CatalogModel): (ModelSource & { sha256: string })[] {
  return model.sources.filter((s): s is ModelSource & { sha256: string } => s.sha256 !== null);
}

/** The source whose published sha256 is `sha256`, if any (which copy a file on disk is). */
export function sourceWithHash(model: CatalogModel, sha256: string): ModelSource | undefined {
  return model.sources.find((s) => s.sha256 === sha256);
}
