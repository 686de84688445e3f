import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { syntheticSource } from '../engines/liveportrait/fixtures.js';
import { writeSyntheticModels } from '../engines/liveportrait/synthetic-models.js';
import { runCli } from '../helpers/cli.js';
import { DRIVING, PORTRAIT, tempDir } from '../helpers/media.js';

const dir = tempDir('reenact-lp-cli-');
let env: NodeJS.ProcessEnv;

/** `reenact render --engine liveportrait` of the bundled portrait and clip into `out`, `flags` after those. */
const renderLp = (out: string, flags: string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}) =>
  runCli(['render', '-s', PORTRAIT, '-d', DRIVING, '-o', out, '--engine', 'liveportrait', ...flags], {
    env,
    ...options,
  });

beforeAll(async () => {
  // Synthetic models with the real names/shapes, a catalog holding their sha256, installed by the real CLI.
  const downloads = path.join(dir, 'downloads');
  mkdirSync(downloads);
  writeSyntheticModels(downloads, { warpGrid: [8, 32, 32] });
  const catalog = JSON.parse(readFileSync(path.resolve('models/catalog.json'), 'utf8'));
  for (const m of catalog.models) m.sources = [syntheticSource(downloads, m.file)];
  writeFileSync(path.join(dir, 'catalog.json'), JSON.stringify(catalog));
  env = { REENACT_CACHE_DIR: path.join(dir, 'cache'), REENACT_MODEL_CATALOG: path.join(dir, 'catalog.json') };
  const install = await runCli(['models', 'install', '--from', downloads, '--json'], { env });
  expect(install.code, install.stderr).toBe(0);
  const events = install.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  expect(events.find((e) => e.type === 'derived-done')).toMatchObject({
    file: 'warping_spade.gs-rewrite.onnx',
    rewritten: ['/dense_motion_network/GridSample', '/GridSample'],
  });
  const verify = await runCli(['models', 'verify', '--rewrite', '--json'], { env });
  expect(verify.code, verify.stdout).toBe(0);
  const report = JSON.parse(verify.stdout);
  expect(report.rewrites).toHaveLength(1);
  expect(report.rewrites[0]).toMatchObject({ file: 'warping_spade.gs-rewrite.onnx', ok: true });
  expect(report.rewrites[0].maxAbsDiff).toBeLessThan(1e-5);
});

describe('reenact render --engine liveportrait', () => {
  it('exits 3 before any tracking when the models are not installed, saying how to install them', async () => {
    const empty = { ...env, REENACT_CACHE_DIR: path.join(dir, 'empty-cache') };
    const out = path.join(dir, 'no-models');
    const r = await renderLp(out, ['--json'], { env: empty });
    expect(r.code).toBe(3);
    const last = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    expect(last.type).toBe('error');
    expect(last.error.code).toBe('MISSING_MODEL');
    expect(last.error.message).toContain(
      'Run `reenact models install`, or offline `reenact models install --from <folder>`',
    );
  });

  it('refuses a device this platform cannot have (dml on linux) with exit code 3', async () => {
    const r = await renderLp(path.join(dir, 'dml'), ['--device', 'dml']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('Expected a platform with the DirectML provider for --device dml but received linux-');
  });

  it('takes --engine-option drivingCrop through the engine registry: face is used, an unknown crop is refused by key', async () => {
    const render = (out: string, crop: string) =>
      renderLp(
        out,
        ['--device', 'cpu', '--range', '0-2', '--ref-frame', '0', '--engine-option', `drivingCrop=${crop}`, '--json'],
        { timeoutMs: 300_000 },
      );
    const bad = path.join(dir, 'crop-tight');
    const refused = await render(bad, 'tight');
    expect(refused.code).toBe(2);
    const error = JSON.parse(refused.stdout.trim().split('\n').at(-1)!).error;
    expect(error.code).toBe('BAD_INPUT');
    expect(error.message).toBe(
      'Invalid job spec: engine.options.drivingCrop: Expected one of "auto", "full", "reference", "face" for liveportrait.drivingCrop but received "tight".',
    );
    expect(existsSync(bad)).toBe(false);

    // Each frame's own face box (face) against the reference frame's box for every frame (reference): the same
    // crop at the reference frame, other crops (so other motion) where the head has moved.
    const frames = async (crop: string) => {
      const out = path.join(dir, `crop-${crop}`);
      const r = await render(out, crop);
      expect(r.code, r.stderr + r.stdout.slice(-2000)).toBe(0);
      const manifest = JSON.parse(readFileSync(path.join(out, 'reenact.json'), 'utf8'));
      expect(manifest.spec.engine.options).toEqual({ drivingCrop: crop });
      expect(manifest.referenceFrame).toBe(0);
      return readdirSync(path.join(out, 'frames'))
        .sort()
        .map((f) => readFileSync(path.join(out, 'frames', f)));
    };
    const face = await frames('face');
    const reference = await frames('reference');
    expect(face.map((b, i) => b.equals(reference[i]))).toEqual([true, false, false]);
  });

  it('renders frames with a matte and a manifest on the synthetic models', async () => {
    const out = path.join(dir, 'render');
    const r = await renderLp(out, ['--device', 'cpu', '--range', '0-4', '--json'], { timeoutMs: 300_000 });
    expect(r.code, r.stderr + r.stdout.slice(-2000)).toBe(0);
    const manifest = JSON.parse(readFileSync(path.join(out, 'reenact.json'), 'utf8'));
    expect(manifest.engine).toMatchObject({ name: 'liveportrait', device: 'cpu' });
    expect(manifest.engine.models.map((m: { id: string }) => m.id)).toContain('warping_spade');
    expect(manifest.frameCount).toBe(5);
    const frames = readdirSync(path.join(out, 'frames')).sort();
    expect(frames).toHaveLength(5);
    const png = PNG.sync.read(readFileSync(path.join(out, 'frames', frames[2])));
    expect([png.width, png.height]).toEqual([512, 512]);
    let opaque = 0;
    let clear = 0;
    for (let i = 3; i < png.data.length; i += 4) {
      if (png.data[i] === 255) opaque++;
      if (png.data[i] === 0) clear++;
    }
    expect(opaque).toBeGreaterThan(1000); // the face region
    expect(clear).toBeGreaterThan(0); // outside the crop
    expect(existsSync(path.join(out, 'frames', frames[4]))).toBe(true);
    // The face moves with the performance: frames differ inside the matte.
    const first = PNG.sync.read(readFileSync(path.join(out, 'frames', frames[0])));
    let changed = 0;
    for (let i = 0; i < png.data.length; i += 4) if (png.data[i + 3] > 0 && png.data[i] !== first.data[i]) changed++;
    expect(changed).toBeGreaterThan(100);
    const events = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(events.find((e) => e.type === 'started')).toMatchObject({ engine: 'liveportrait', device: 'cpu' });

    // Resume: a deleted frame is rendered again, byte-identical (same sessions, same maths, deterministic on CPU).
    const hash = (f: string) =>
      createHash('sha256')
        .update(readFileSync(path.join(out, 'frames', f)))
        .digest('hex');
    const before = frames.map(hash);
    unlinkSync(path.join(out, 'frames', frames[2]));
    const again = await renderLp(out, ['--device', 'cpu', '--range', '0-4', '--json'], { timeoutMs: 300_000 });
    expect(again.code, again.stderr).toBe(0);
    expect(frames.map(hash)).toEqual(before);
  });
});
