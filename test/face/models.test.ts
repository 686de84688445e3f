import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { ReenactError } from '../../bridge/src/errors.js';
import { ensureFaceModel, faceModelsCacheDir, humanModelsDir } from '../../bridge/src/face/models.js';
import { tempCacheEnv } from './helpers.js';

describe('face model cache', () => {
  it('converts on first use, reuses the cached file, and rebuilds a corrupt one', async () => {
    const env = tempCacheEnv();
    const first = ensureFaceModel('iris', { env });
    expect(first.rebuilt).toBe(true);
    expect(path.dirname(first.file)).toBe(faceModelsCacheDir(env));
    expect(first.file.startsWith(env.REENACT_CACHE_DIR!)).toBe(true);
    const bytes = fs.readFileSync(first.file);

    const second = ensureFaceModel('iris', { env });
    expect(second.rebuilt).toBe(false);
    expect(second.file).toBe(first.file);
    expect(second.sha256).toBe(first.sha256);

    // Corrupt the cached model: flip bytes in the middle.
    const corrupt = Buffer.from(bytes);
    corrupt.fill(0xff, 1000, 1100);
    fs.writeFileSync(first.file, corrupt);
    const third = ensureFaceModel('iris', { env });
    expect(third.rebuilt).toBe(true);
    expect(fs.readFileSync(third.file).equals(bytes)).toBe(true);

    // Truncated file, and a missing sidecar, are rebuilt too.
    fs.writeFileSync(first.file, bytes.subarray(0, 100));
    expect(ensureFaceModel('iris', { env }).rebuilt).toBe(true);
    fs.rmSync(`${first.file}.sha256`);
    expect(ensureFaceModel('iris', { env }).rebuilt).toBe(true);

    // The rebuilt model loads and runs; no temp files are left behind.
    const session = await ort.InferenceSession.create(third.file);
    expect(session.inputNames).toEqual(['input_1']);
    await session.release();
    expect(fs.readdirSync(faceModelsCacheDir(env)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('conversion is deterministic (same bytes on every build)', () => {
    const a = ensureFaceModel('blazeface', { env: tempCacheEnv() });
    const b = ensureFaceModel('blazeface', { env: tempCacheEnv() });
    expect(a.rebuilt && b.rebuilt).toBe(true);
    expect(a.sha256).toBe(b.sha256);
  });

  it('a changed source (another model version) gets a new cache key', () => {
    const env = tempCacheEnv();
    const src = fs.mkdtempSync(path.join(os.tmpdir(), 'reenact-models-'));
    for (const f of ['blazeface.json', 'blazeface.bin'])
      fs.copyFileSync(path.join(humanModelsDir(), f), path.join(src, f));
    const a = ensureFaceModel('blazeface', { env, modelsDir: src });
    const json = JSON.parse(fs.readFileSync(path.join(src, 'blazeface.json'), 'utf8'));
    json.generatedBy = 'changed';
    fs.writeFileSync(path.join(src, 'blazeface.json'), JSON.stringify(json));
    const b = ensureFaceModel('blazeface', { env, modelsDir: src });
    expect(b.rebuilt).toBe(true);
    expect(b.sourceHash).not.toBe(a.sourceHash);
    expect(b.file).not.toBe(a.file);
  });

  it('says so when the cache folder cannot be created', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'reenact-models-')), 'not-a-dir');
    fs.writeFileSync(file, 'x');
    const env = { ...process.env, REENACT_CACHE_DIR: file };
    expect(() => ensureFaceModel('iris', { env })).toThrow(
      `Could not create the model cache folder ${path.join(file, 'models', 'face')}. Check the folder's permissions or set REENACT_CACHE_DIR.`,
    );
  });

  it('says which dependency is missing when the TF.js source is absent', () => {
    const env = tempCacheEnv();
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'reenact-models-'));
    let err: unknown;
    try {
      ensureFaceModel('facemesh', { env, modelsDir: empty });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ReenactError);
    expect((err as ReenactError).code).toBe('MISSING_DEPENDENCY');
    expect((err as ReenactError).message).toBe(
      `Could not read the facemesh face model (${path.join(empty, 'facemesh.json')}). Reinstall reenact's dependencies (npm ci) so @vladmandic/human is present.`,
    );
  });
});
