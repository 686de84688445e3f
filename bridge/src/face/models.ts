/**
 * The face models as ONNX files in the per-user cache, converted at first use from the TF.js graphs that ship
 * inside `@vladmandic/human` (MIT), so nothing is downloaded. Each file is keyed by a hash of its source files
 * and the converter version, and carries a sidecar with the sha256 of its bytes: a stale, truncated or
 * corrupt file is rebuilt, never loaded. Writes go to a temp name and are renamed into place.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { ReenactError } from '../errors.js';
import { debug } from '../log.js';
import { CONVERTER_VERSION, convertTfjsGraph, type TfjsGraphJson } from '../onnx/tfjs-to-onnx.js';
import { cacheDir } from '../util/paths.js';

export type FaceModelName = 'blazeface' | 'facemesh' | 'iris';
export const FACE_MODEL_NAMES: readonly FaceModelName[] = ['blazeface', 'facemesh', 'iris'];

/** Outputs kept per model (facemesh's 266-value contour head is unused, so its branch is pruned). */
const KEEP_OUTPUTS: Record<FaceModelName, string[] | undefined> = {
  blazeface: undefined,
  facemesh: ['Identity_1', 'Identity_2'],
  iris: undefined,
};

export interface FaceModelFile {
  name: FaceModelName;
  /** Absolute path of the converted .onnx in the cache. */
  file: string;
  /** sha256 of the .onnx bytes. */
  sha256: string;
  /** sha256 of the TF.js source files + converter version (the cache key). */
  sourceHash: string;
  /** True when this call converted the model (cache miss, stale or corrupt). */
  rebuilt: boolean;
}

/** Folder holding `@vladmandic/human`'s `models/` (its package.json is not exported, so go via the main file). */
export function humanModelsDir(): string {
  const main = createRequire(import.meta.url).resolve('@vladmandic/human');
  return path.join(path.dirname(path.dirname(main)), 'models');
}

export function faceModelsCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(cacheDir(env), 'models', 'face');
}

const sha256 = (...parts: Uint8Array[]): string => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('hex');
};

function readSource(name: FaceModelName, modelsDir: string): { json: Buffer; bin: Buffer } {
  const jsonFile = path.join(modelsDir, `${name}.json`);
  const binFile = path.join(modelsDir, `${name}.bin`);
  try {
    return { json: fs.readFileSync(jsonFile), bin: fs.readFileSync(binFile) };
  } catch (err) {
    throw new ReenactError(
      'MISSING_DEPENDENCY',
      `Could not read the ${name} face model (${jsonFile}). Reinstall reenact's dependencies (npm ci) so @vladmandic/human is present.`,
      { cause: err },
    );
  }
}

function writeAtomic(file: string, bytes: Uint8Array | string): void {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    fs.writeFileSync(tmp, bytes);
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw new ReenactError(
      'OUTPUT_UNWRITABLE',
      `Could not write the model cache file ${file}. Check the folder's permissions or set REENACT_CACHE_DIR.`,
      {
        cause: err,
      },
    );
  }
}

/** The cached file if present and its bytes match the sidecar hash; undefined otherwise. */
function readValid(file: string): { bytes: Buffer; sha256: string } | undefined {
  try {
    const expected = fs.readFileSync(`${file}.sha256`, 'utf8').trim();
    const bytes = fs.readFileSync(file);
    const actual = sha256(bytes);
    if (actual === expected) return { bytes, sha256: actual };
    debug(`face model cache: ${file} has sha256 ${actual}, expected ${expected}; rebuilding`);
  } catch {
    // missing file or sidecar: convert
  }
  return undefined;
}

/**
 * Path of the converted ONNX model, converting it into the cache first when missing, stale or corrupt.
 * @throws ReenactError MISSING_DEPENDENCY when the TF.js source is missing; OUTPUT_UNWRITABLE when the cache is not writable.
 */
export function ensureFaceModel(
  name: FaceModelName,
  options: { env?: NodeJS.ProcessEnv; modelsDir?: string } = {},
): FaceModelFile {
  const { json, bin } = readSource(name, options.modelsDir ?? humanModelsDir());
  const outputs = KEEP_OUTPUTS[name];
  const recipe = `reenact-tfjs-to-onnx ${CONVERTER_VERSION} outputs=${outputs?.join(',') ?? 'all'}\n`;
  const sourceHash = sha256(Buffer.from(recipe), json, bin);
  const dir = faceModelsCacheDir(options.env);
  const file = path.join(dir, `${name}-${sourceHash.slice(0, 16)}.onnx`);
  const cached = readValid(file);
  if (cached) return { name, file, sha256: cached.sha256, sourceHash, rebuilt: false };

  let parsed: TfjsGraphJson;
  try {
    parsed = JSON.parse(json.toString('utf8')) as TfjsGraphJson;
  } catch (err) {
    throw new ReenactError(
      'MISSING_DEPENDENCY',
      `The ${name} face model's JSON is corrupt. Reinstall @vladmandic/human (npm ci).`,
      {
        cause: err,
      },
    );
  }
  const bytes = convertTfjsGraph(parsed, bin, {
    outputs,
    metadata: { source: `@vladmandic/human/models/${name}`, sourceHash },
  });
  const hash = sha256(bytes);
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new ReenactError(
      'OUTPUT_UNWRITABLE',
      `Could not create the model cache folder ${dir}. Check the folder's permissions or set REENACT_CACHE_DIR.`,
      { cause: err },
    );
  }
  // Model first, sidecar last: a crash in between leaves a file without a valid sidecar, which is rebuilt.
  writeAtomic(file, bytes);
  writeAtomic(`${file}.sha256`, `${hash}\n`);
  debug(`face model cache: converted ${name} → ${file}`);
  return { name, file, sha256: hash, sourceHash, rebuilt: true };
}
