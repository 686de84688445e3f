// "Install models…" in the real panel (headless Chromium) against a real bridge and a loopback model hub: the engine
// menu says the neural engine needs models, the licence shows before the download, the button names the size; the
// install shows its progress and, once done, the engine menu offers the neural engine.
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ModelHub, startModelHub } from '../helpers/model-server.js';
import { CHROMIUM, makeShot, openPanel, type Rig, shoot, startRig, tempRoot } from './harness.js';

const canRun = existsSync(CHROMIUM);
let rig: Rig;
let root: string;
let hub: ModelHub;
let env: Record<string, string | undefined>;

beforeAll(async () => {
  if (!canRun) return;
  root = tempRoot('reenact-panel-models-');
  hub = await startModelHub(40); // ~0.8 s for the larger file: long enough to see the bar move
  env = {
    ...process.env,
    REENACT_DATA_DIR: path.join(root, 'data'),
    REENACT_CACHE_DIR: path.join(root, 'cache'),
    REENACT_MODEL_CATALOG: hub.writeCatalog(root),
  };
  rig = await startRig(env as NodeJS.ProcessEnv);
});

afterAll(async () => {
  await rig?.close();
  await hub?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe.skipIf(!canRun)('panel: Install models', () => {
  it('shows the licence and size, installs with progress, then offers the neural engine', async () => {
    const shot = makeShot(tempRoot('reenact-shot-'));
    const p = await openPanel(rig.browser, rig.panelUrl, {
      shot,
      width: 280,
      env,
      settings: { open: { engine: true } },
    });
    const { page } = p;
    try {
      await page.waitForSelector('#status[data-state="ready"]');
      await page.waitForSelector('#models:not([hidden])');
      expect(await page.textContent('#engine option[value="liveportrait"]')).toBe('Neural · needs models');
      expect(await page.getAttribute('#engine option[value="liveportrait"]', 'disabled')).not.toBeNull();
      expect(await page.textContent('#models-licence')).toBe(
        'The neural engine needs its models. Test weights © the tests (MIT). Licence: MIT.',
      );
      expect(await page.textContent('#models-install')).toBe('Install models (410 KiB)…');
      await shoot(page, 'narrow-10-models-missing');

      await page.click('#models-install');
      await page.waitForSelector('#models-progress:not([hidden])');
      await expect
        .poll(() => page.textContent('#models-progress-title'))
        .toMatch(/^Downloading face\.onnx \(1 of 2\)$/);
      await expect.poll(() => page.textContent('#models-progress-text')).toMatch(/^\d+ % of 0\.4 MiB$/);
      await shoot(page, 'narrow-11-models-installing');

      await page.waitForSelector('#models', { state: 'hidden', timeout: 20_000 });
      await expect.poll(() => page.textContent('#engine option[value="liveportrait"]')).toBe('Neural');
      expect(await page.getAttribute('#engine option[value="liveportrait"]', 'disabled')).toBeNull();
      expect(existsSync(path.join(root, 'cache', 'models', 'testset', 'face.onnx'))).toBe(true);
      await shoot(page, 'narrow-12-models-installed');
    } finally {
      await p.close();
    }
  });
});
