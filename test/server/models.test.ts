/**
 * The bridge's model routes against a loopback model hub: status names the missing files, their size and the licence;
 * an install reports progress, then the neural engine is available; a cancelled install says so and a later install
 * resumes; a second start while one runs does not start another.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelsResponse } from '../../bridge/src/api/schema.js';
import { defaultServices } from '../../bridge/src/server/services.js';
import { type ModelHub, startModelHub } from '../helpers/model-server.js';
import { startTestBridge, tempDir } from './helpers.js';

let hub: ModelHub;
beforeAll(async () => {
  hub = await startModelHub(15);
});
afterAll(() => hub.close());

async function bridgeWithOwnCatalog() {
  const dir = await tempDir('reenact-models-');
  const env = {
    ...process.env,
    REENACT_CACHE_DIR: path.join(dir, 'cache'),
    REENACT_MODEL_CATALOG: hub.writeCatalog(dir),
  };
  const t = await startTestBridge({ services: defaultServices(env) });
  return { ...t, modelsDir: path.join(dir, 'cache', 'models', 'testset') };
}

async function until(get: () => Promise<ModelsResponse>, done: (m: ModelsResponse) => boolean) {
  const seen: ModelsResponse[] = [];
  for (let i = 0; i < 400; i++) {
    const m = await get();
    seen.push(m);
    if (done(m)) return seen;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`no end state: ${JSON.stringify(seen.at(-1))}`);
}

describe('GET/POST/DELETE /models', () => {
  it('says what is missing, installs it with progress, and then offers the neural engine', async () => {
    const { client, modelsDir } = await bridgeWithOwnCatalog();
    const before = await client.models();
    expect(before).toMatchObject({
      set: 'testset',
      installed: false,
      missing: ['face.onnx', 'lips.onnx'],
      downloadSize: '410 KiB', // 420,000 bytes
      licence: { name: 'MIT', text: 'Test weights © the tests (MIT).' },
      install: { state: 'idle' },
    });
    expect((await client.engines()).engines.find((e) => e.name === 'liveportrait')?.available).toBe(false);
    const started = await client.installModels();
    expect(started.install.state).toBe('running');
    // A second start while running is the same install.
    expect((await client.installModels()).install.state).toBe('running');
    const seen = await until(client.models, (m) => m.install.state !== 'running');
    expect(seen.at(-1)).toMatchObject({ installed: true, missing: [], downloadSize: null, install: { state: 'done' } });
    const progress = seen.filter((m) => m.install.file === 'face.onnx' && (m.install.done ?? 0) > 0);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress[0].install).toMatchObject({ index: 1, count: 2, total: 400_000 });
    expect(existsSync(path.join(modelsDir, 'face.onnx'))).toBe(true);
    expect(existsSync(path.join(modelsDir, 'extra.onnx'))).toBe(false); // optional: not fetched
    expect((await client.engines()).engines.find((e) => e.name === 'liveportrait')?.available).toBe(true);
    // Nothing missing: starting again downloads nothing and the state stays "done".
    await client.installModels();
    const again = await until(client.models, (m) => m.install.state !== 'running');
    expect(again.at(-1)?.install.state).toBe('done');
  });

  it('cancels midway, keeps the partial file, and a later install resumes to done', async () => {
    const { client, modelsDir } = await bridgeWithOwnCatalog();
    await client.installModels();
    await until(client.models, (m) => (m.install.done ?? 0) > 0);
    const cancelled = await client.cancelModelInstall();
    expect(cancelled).toMatchObject({ installed: false, install: { state: 'cancelled' } });
    expect(existsSync(path.join(modelsDir, 'face.onnx'))).toBe(false);
    expect(existsSync(path.join(modelsDir, 'face.onnx.part'))).toBe(true);
    await client.installModels();
    const seen = await until(client.models, (m) => m.install.state !== 'running');
    expect(seen.at(-1)?.install.state).toBe('done');
    expect(seen.at(-1)?.installed).toBe(true);
  });

  it('starts one install when asked twice at once (two quick clicks)', async () => {
    const { client } = await bridgeWithOwnCatalog();
    const before = hub.hits('face.onnx');
    await Promise.all([client.installModels(), client.installModels()]);
    const seen = await until(client.models, (m) => m.install.state !== 'running');
    expect(seen.at(-1)?.install.state).toBe('done');
    expect(hub.hits('face.onnx') - before).toBe(1);
  });

  it('needs the token like every other route', async () => {
    const { bridge } = await bridgeWithOwnCatalog();
    const res = await fetch(`${bridge.url}/models`);
    expect(res.status).toBe(401);
  });
});

describe('download size', () => {
  it('sums the catalog sizes of the missing models (the real catalog: 513 MiB before anything is installed)', async () => {
    const { createModelInstaller, formatSize, parseSize } = await import('../../bridge/src/server/model-install.js');
    expect(parseSize('3.3 MiB')).toBeCloseTo(3.3 * 2 ** 20);
    expect(parseSize('180 KiB')).toBe(180 * 1024);
    expect(parseSize('1.1 GB')).toBe(1.1e9);
    expect(parseSize('about a lot')).toBeUndefined();
    expect(formatSize(1.5 * 2 ** 30)).toBe('1.5 GiB');
    const dir = await tempDir('reenact-models-');
    const real = createModelInstaller({ ...process.env, REENACT_CACHE_DIR: dir, REENACT_MODEL_CATALOG: '' });
    const status = await real.status();
    expect(status).toMatchObject({ set: 'liveportrait', installed: false, downloadSize: '513 MiB' });
    expect(status.missing).toHaveLength(6);
    expect(status.licence.text).toContain('MIT');
  });
});
