// The built panel in headless Chromium, against the real host scripts on the simulated AE DOM and a real bridge:
// use selection → faces → render a short real clip → progress → import; AE-native controls → Update; cancel;
// bridge not running (the panel starts it), a refused token, no selection, wrong selection, theme change.
// Screenshots of the main states go to test-artifacts/panel/ (280 px and 720 px wide).
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImportRequest } from '../../bridge/src/api/host.js';
import type { SimAVLayer, SimFootage, SimGroup, SimLayer, SimProperty } from '../host/ae-sim.js';
import { CHROMIUM, makeShot, openPanel, type PanelPage, type Rig, shoot, startRig, tempRoot } from './harness.js';

const canRun = existsSync(CHROMIUM);
let rig: Rig;
let browser: Browser;
let panelUrl: string;
let root: string;
let bridge: Rig['bridge'];
let env: Record<string, string | undefined>;

beforeAll(async () => {
  if (!canRun) return;
  root = tempRoot('reenact-panel-');
  env = { ...process.env, REENACT_DATA_DIR: path.join(root, 'data') };
  rig = await startRig(env as NodeJS.ProcessEnv);
  ({ browser, panelUrl, bridge } = rig);
});

afterAll(async () => {
  await rig?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

function imports(p: PanelPage): ImportRequest[] {
  return p.calls
    .filter((c) => c.startsWith('reenact.importResult('))
    .map((c) => JSON.parse(JSON.parse(c.slice('reenact.importResult('.length, -1))) as ImportRequest);
}

function control(layer: SimLayer, name: string): SimProperty {
  return (layer.Effects.property(name) as SimGroup).property(1) as SimProperty;
}

describe.skipIf(!canRun)('panel in headless Chromium', () => {
  it('use selection → faces → render → progress → import; add controls → change → Update → refreshed', async () => {
    const dir = tempRoot('reenact-shot-');
    const shot = makeShot(dir);
    const p = await openPanel(browser, panelUrl, { shot, width: 720, env });
    const { page } = p;
    try {
      await page.waitForSelector('#status[data-state="ready"]');
      expect(await page.textContent('#status-text')).toBe('bridge ready · CPU');
      await shoot(page, 'wide-01-empty');

      shot.still.selected = true;
      shot.take.selected = true;
      await page.click('#portrait-use');
      await expect.poll(() => page.textContent('#portrait-name')).toBe('portrait-astronaut.png');
      expect(await page.textContent('#portrait-meta')).toBe('512×512');
      expect(await page.textContent('#performance-name')).toBe('driving-talk.mp4');
      expect(await page.textContent('#performance-meta')).toBe('320×400 · 20 fps · 0:00:17:07');
      expect(p.calls).toContain('reenact.pickInputs()');

      // Faces from the bridge: the largest is preselected in each.
      await page.waitForSelector('#faces-source .chip[aria-checked="true"]', { timeout: 30_000 });
      await page.waitForSelector('#faces-driving .chip[aria-checked="true"]');
      await page.setViewportSize({ width: 280, height: 900 });
      await shoot(page, 'narrow-02-filled');
      await page.setViewportSize({ width: 720, height: 900 });
      await shoot(page, 'wide-02-filled');

      // Watch the progress line for every distinct text it shows.
      await page.evaluate(() => {
        const seen: string[] = [];
        (window as unknown as { __seen: string[] }).__seen = seen;
        const el = document.getElementById('progress-text') as HTMLElement;
        new MutationObserver(() => seen.push(el.textContent ?? '')).observe(el, {
          childList: true,
          characterData: true,
          subtree: true,
        });
      });
      await page.click('#animate');
      await page.waitForSelector('#progress:not([hidden])');
      await page.waitForSelector('#result:not([hidden])', { timeout: 45_000 });
      const seen = await page.evaluate(() => (window as unknown as { __seen: string[] }).__seen);
      expect(seen.some((t) => /^\d+\/10 frames/.test(t))).toBe(true);
      expect(await page.textContent('#result-text')).toMatch(
        /^Placed "portrait-astronaut\.png \(reenact\)" above "portrait-astronaut\.png" \(layer \d+, 10 frames\)\.$/,
      );
      const out = path.join(dir, 'reenact', 'portrait-astronaut__driving-talk');
      expect(imports(p)).toEqual([
        {
          file: path.join(out, 'frames', 'frame_00000.png'),
          format: 'png',
          fps: '20',
          stillLayerId: shot.still.id,
          drivingLayerId: shot.take.id,
          firstFrame: 0,
        },
      ]);
      const names = shot.comp.layerList.map((l: SimLayer) => l.name);
      expect(names).toContain('portrait-astronaut.png (reenact)');
      expect(await page.getAttribute('#preview', 'src')).toMatch(/^data:image\/png;base64,/);
      await shoot(page, 'wide-03-imported');
      await page.setViewportSize({ width: 280, height: 900 });
      await shoot(page, 'narrow-03-imported');

      // #11: controls on the result layer, a changed value, Update re-renders into the same folder and refreshes.
      await page.click('#add-controls');
      await expect.poll(() => page.textContent('#job-message')).toMatch(/^Added 10 controls to/);
      const result = shot.comp.layerList.find(
        (l: SimLayer) => l.name === 'portrait-astronaut.png (reenact)',
      ) as SimLayer;
      const mouth = control(result, 'reenact mouth');
      mouth.setValueAtTime(0, 100);
      mouth.setValueAtTime(0.2, 0);
      const layersBefore = shot.comp.layerList.length;
      await page.click('#update');
      await expect
        .poll(() => page.textContent('#result-text'), { timeout: 45_000 })
        .toMatch(/^Updated "portrait-astronaut\.png \(reenact\)" in place/);
      expect(p.calls.some((c) => c.startsWith('reenact.sampleControls('))).toBe(true);
      const both = imports(p);
      expect(both).toHaveLength(2);
      expect(both[1]).toEqual(both[0]);
      expect(shot.comp.layerList.length).toBe(layersBefore);
      await shoot(page, 'narrow-04-updated');

      // Recent ▸ Re-import brings the finished render back (in place: the result layer already exists).
      await page.click('#jobs li[data-job] button[data-action="reimport"]');
      await expect.poll(() => imports(p).length).toBe(3);
      expect(imports(p)[2]).toEqual(imports(p)[0]);

      // "Set to current time": the clip frame under the comp's time indicator becomes the reference.
      shot.comp.time = 0.3;
      await page.click('#ref-now');
      await expect.poll(() => page.textContent('#ref-text')).toBe('frame 6 (0:00:00:06)');

      // Another range into the same folder: the panel offers to replace the earlier render, then imports in place.
      await page.click('#group-output summary');
      await page.selectOption('#range', 'custom');
      await page.fill('#range-start', '5');
      await page.fill('#range-end', '9');
      await page.press('#range-end', 'Tab');
      await page.click('#animate');
      await expect
        .poll(() => page.textContent('#job-message'), { timeout: 30_000 })
        .toBe(
          `${out} already holds a different render of these layers (another range, format or engine). Replace it, or choose another folder under Output.`,
        );
      await page.click('#replace');
      await expect
        .poll(() => page.textContent('#result-text'), { timeout: 45_000 })
        .toMatch(/in place \(layer 1, 5 frames\)\.$/);
      expect(imports(p)).toHaveLength(4);
      // Output frame 0 now shows driving frame 5: the host starts the result 5 clip frames (0.25 s) later.
      expect(imports(p)[3]).toEqual({ ...imports(p)[0], firstFrame: 5 });
      expect(result.startTime).toBeCloseTo(0.25, 6);

      // Every host call was one short reenact verb (or the one-line project-file read).
      const verbs = new Set(p.calls.map((c) => (c.startsWith('reenact.') ? c.slice(0, c.indexOf('(')) : c)));
      expect([...verbs].sort()).toEqual(
        [
          "(function(){var f=app.project.file;return f?f.fsName:'';})()",
          'reenact.addControls',
          'reenact.describeLayer',
          'reenact.importResult',
          'reenact.pickInputs',
          'reenact.readNeutralMarker',
          'reenact.sampleControls',
        ].sort(),
      );
    } finally {
      await p.close();
    }
  });

  it('imports into the original comp, on the right layer, aligned and stretched, after the artist moved on mid-render', async () => {
    // #16 acceptance: select → render → open another comp and reorder layers while it runs → import.
    const dir = tempRoot('reenact-shot-');
    const shot = makeShot(dir);
    shot.take.remove();
    const take = shot.sim.addLayer(shot.comp, shot.takeItem, { startTime: 0.5, stretch: 200 }) as SimAVLayer;
    shot.sim.reorder(take, 2); // portrait 1, take 2
    shot.comp.workAreaStart = 0.5;
    shot.comp.workAreaDuration = 2; // 2 s of a 20 fps clip at 200 %: clip frames 0–19
    const other = shot.sim.addComp({ name: 'Shot 020' });
    const p = await openPanel(browser, panelUrl, { shot, width: 280, env });
    const { page } = p;
    try {
      await page.waitForSelector('#status[data-state="ready"]');
      shot.still.selected = true;
      take.selected = true;
      await page.click('#portrait-use');
      await page.waitForSelector('#faces-source .chip[aria-checked="true"]', { timeout: 30_000 });
      await page.click('#animate');
      await page.waitForSelector('#progress:not([hidden])');
      // While it renders: another comp in front, the timeline reordered, a layer added on top.
      shot.sim.openComp(other);
      shot.sim.reorder(take, 1);
      shot.sim.addLayer(shot.comp, 'text', { name: 'Title' });
      const callsAtSwitch = p.calls.length;
      await page.waitForSelector('#result:not([hidden])', { timeout: 45_000 });
      expect(imports(p)).toHaveLength(1);
      expect(p.calls.findIndex((c) => c.startsWith('reenact.importResult('))).toBeGreaterThanOrEqual(callsAtSwitch);
      expect(imports(p)[0]).toMatchObject({ stillLayerId: shot.still.id, drivingLayerId: take.id, firstFrame: 0 });

      const names = shot.comp.layerList.map((l: SimLayer) => l.name);
      expect(names).toEqual([
        'Title',
        'driving-talk.mp4',
        'portrait-astronaut.png (reenact)',
        'portrait-astronaut.png',
      ]);
      expect(other.layerList).toEqual([]);
      const result = shot.comp.layerList[2] as SimAVLayer;
      expect(await page.textContent('#result-text')).toBe(
        'Placed "portrait-astronaut.png (reenact)" above "portrait-astronaut.png" (layer 3, 20 frames).',
      );
      // Output frame k shows clip frame k, which the take shows at 0.5 + k / 20 s × 200 %.
      expect(result.stretch).toBe(200);
      expect(result.startTime).toBeCloseTo(0.5, 9);
      expect((result.source as SimFootage).frameRate).toBe(20);
      const pos = (l: SimAVLayer) => (l.transform.property('ADBE Position') as SimProperty).valueAtTime(0, false);
      expect(pos(result)).toEqual(pos(shot.still as SimAVLayer));
    } finally {
      await p.close();
    }
  });

  it('cancels a running job and says how to continue', async () => {
    const dir = tempRoot('reenact-shot-');
    const shot = makeShot(dir);
    const p = await openPanel(browser, panelUrl, {
      shot,
      width: 280,
      env,
      settings: { range: 'custom', customStart: 0, customEnd: 300 },
    });
    const { page } = p;
    try {
      await page.waitForSelector('#status[data-state="ready"]');
      shot.still.selected = true;
      shot.take.selected = true;
      await page.click('#performance-use');
      await page.waitForSelector('#faces-source .chip', { timeout: 30_000 });
      await page.click('#animate');
      await page.waitForFunction(() => Number(document.getElementById('progress')?.dataset.done) >= 1, undefined, {
        timeout: 30_000,
      });
      // Closing and reopening the panel mid-job: it finds the job on the bridge and keeps showing its progress.
      await page.reload();
      await page.waitForSelector('#progress:not([hidden])', { timeout: 15_000 });
      await page.waitForFunction(() => Number(document.getElementById('progress')?.dataset.done) >= 1, undefined, {
        timeout: 30_000,
      });
      await shoot(page, 'narrow-05-running');
      await page.click('#cancel');
      await expect
        .poll(() => page.textContent('#job-message'), { timeout: 20_000 })
        .toBe('Cancelled. The frames rendered so far are kept: Animate again to continue where it stopped.');
      expect(imports(p)).toEqual([]);
      expect(await page.isHidden('#progress')).toBe(true);
      const row = '#jobs li[data-job]:has(.job-state[data-state="cancelled"])';
      await page.waitForSelector(row);

      // Recent ▸ Reveal opens the output folder in the file manager; Re-run starts the same spec again.
      const outDir = path.join(
        path.dirname(shot.sim.project.file?.fsName ?? ''),
        'reenact',
        'portrait-astronaut__driving-talk',
      );
      await page.click(`${row} button[data-action="reveal"]`);
      await expect.poll(() => p.children.map((c) => c.spawnargs.join(' '))).toContain(`xdg-open ${outDir}`);
      await page.click(`${row} button[data-action="rerun"]`);
      await page.waitForSelector('#progress:not([hidden])');
      await page.click('#cancel');
      await expect.poll(() => page.textContent('#job-message'), { timeout: 20_000 }).toMatch(/^Cancelled\./);
    } finally {
      await p.close();
    }
  });

  it('says so in plain words when nothing or the wrong kind of layer is selected', async () => {
    const shot = makeShot(tempRoot('reenact-shot-'));
    const p = await openPanel(browser, panelUrl, { shot, width: 280, env });
    const { page } = p;
    try {
      await page.click('#portrait-use');
      await expect
        .poll(() => page.textContent('#selection-message'))
        .toBe(
          'Nothing is selected in "Shot 010". Select the portrait layer and the performance clip layer in the Timeline panel, then try again.',
        );
      const cam = shot.sim.addLayer(shot.comp, 'camera', { name: 'Cam' });
      cam.selected = true;
      await page.click('#portrait-use');
      await expect
        .poll(() => page.textContent('#selection-message'))
        .toBe(
          'Layer "Cam" is a camera layer. Select a still image or a layer with a face, and a video clip of the performance.',
        );
      await shoot(page, 'narrow-06-wrong-selection');
      cam.selected = false;
      shot.still.selected = true;
      await page.click('#performance-use');
      await expect
        .poll(() => page.textContent('#selection-message'))
        .toBe(
          'Layer "portrait-astronaut.png" is a still: it has no motion to follow. Select the video layer of the performance.',
        );
      shot.still.selected = false;
      shot.take.selected = true;
      await page.click('#performance-use');
      await page.click('#swap');
      await expect
        .poll(() => page.textContent('#selection-message'))
        .toBe(
          'Layer "portrait-astronaut.png" is a still layer: it has no motion to follow. Select a video clip for the performance (or swap back).',
        );
      expect(await page.isDisabled('#animate')).toBe(true);
    } finally {
      await p.close();
    }
  });

  it('renders a text-layer portrait to a still first, and says when it has no face', async () => {
    // AE 26 writes saveFrameToPng's file after the call returns: the panel must wait for the whole PNG.
    const shot = makeShot(tempRoot('reenact-shot-'), { asyncSaves: true });
    const title = shot.sim.addLayer(shot.comp, 'text', { name: 'Title' });
    const p = await openPanel(browser, panelUrl, { shot, width: 280, env });
    const { page } = p;
    const exports = () => p.calls.filter((c) => c.startsWith('reenact.exportStill('));
    try {
      await page.waitForSelector('#status[data-state="ready"]');
      title.selected = true;
      shot.take.selected = true;
      await page.click('#portrait-use');
      await expect.poll(() => shot.sim.state.pendingSaves.length).toBe(1);
      // Use selected again while AE is still writing the PNG (or the bridge connecting starts a second face scan):
      // both ask for the same portrait, and there is still one export (#16 item 10: it once made two).
      await page.click('#portrait-use');
      await expect.poll(() => p.calls.filter((c) => c === 'reenact.pickInputs()').length).toBe(2);
      await new Promise((r) => setTimeout(r, 300));
      expect(shot.sim.state.pendingSaves).toHaveLength(1);
      expect(exports()).toHaveLength(1);
      expect(await page.textContent('#faces-message')).toBe('Looking for faces…');
      shot.sim.flushSaves();
      await expect
        .poll(() => page.textContent('#faces-message'), { timeout: 30_000 })
        .toBe(
          'No face found in "Title". Use a portrait where the face is clearly visible, facing the camera, at least about 100 px tall.',
        );
      // By layer id, into a folder the panel's Node made (ExtendScript may not create folders).
      expect(exports()).toEqual([
        expect.stringMatching(
          new RegExp(
            `^reenact\\.exportStill\\(${title.id},null,"${shot.dir}/reenact/stills/still_${title.id}_\\d+\\.png"\\)$`,
          ),
        ),
      ]);
      expect(shot.sim.state.savedFrames).toHaveLength(1);
      // The bridge read a straight-colour copy: AE's premultiplied edge (64 at alpha 128) is 128 again.
      const stills = path.join(process.env.REENACT_CACHE_DIR as string, 'stills');
      const copies = readdirSync(stills).map((f) => PNG.sync.read(readFileSync(path.join(stills, f))));
      expect(copies.map((png) => [...png.data.subarray(0, 4)])).toContainEqual([128, 128, 128, 128]);
      expect(await page.textContent('#portrait-meta')).toBe('1920×1080 · text layer, rendered as a still');
      expect(await page.isDisabled('#animate')).toBe(true);
      await shoot(page, 'narrow-10-no-face');
    } finally {
      await p.close();
    }
  });

  it('starts the bridge with a real Node when none is running', async () => {
    const data = path.join(tempRoot('reenact-data-'), 'data');
    const shot = makeShot(tempRoot('reenact-shot-'));
    const p = await openPanel(browser, panelUrl, {
      shot,
      width: 280,
      env: { ...env, REENACT_DATA_DIR: data },
      settings: { range: 'custom', customStart: 0, customEnd: 300 },
    });
    const { page } = p;
    try {
      await page.waitForSelector('#status[data-state="ready"]', { timeout: 30_000 });
      expect(p.children).toHaveLength(1);
      expect(p.children[0].spawnargs.slice(-2)).toEqual([path.resolve('bridge/dist/cli/main.js'), 'serve']);
      expect(existsSync(path.join(data, 'bridge.lock'))).toBe(true);

      // The bridge dies mid-job: the panel says so, and Reconnect starts a new one (the stale lock is replaced).
      shot.still.selected = true;
      shot.take.selected = true;
      await page.click('#portrait-use');
      await page.click('#animate');
      await page.waitForSelector('#progress:not([hidden])');
      p.children[0].kill('SIGKILL');
      await page.waitForSelector('#status[data-state="error"]', { timeout: 15_000 });
      expect(await page.textContent('#status-text')).toBe('bridge not running');
      expect(await page.textContent('#connect-error-text')).toBe(
        'The bridge stopped or cannot be reached. Click Reconnect to start it again; finished frames are kept.',
      );
      expect(await page.textContent('#job-message')).toBe(
        'The bridge stopped during the render. Reconnect, then Animate again to continue where it stopped.',
      );
      await shoot(page, 'narrow-11-bridge-lost');
      await page.click('#reconnect');
      await page.waitForSelector('#status[data-state="ready"]', { timeout: 30_000 });
      expect(p.children).toHaveLength(2);
    } finally {
      await p.close();
    }
  });

  it('shows the fix when the bridge refuses the token', async () => {
    const shot = makeShot(tempRoot('reenact-shot-'));
    const p = await openPanel(browser, panelUrl, {
      shot,
      width: 280,
      env,
      settings: { bridgeUrl: bridge.url, bridgeToken: 'not-the-token-0123456789' },
    });
    try {
      await p.page.waitForSelector('#status[data-state="error"]');
      expect(await p.page.textContent('#status-text')).toBe('bridge refused the token');
      expect(await p.page.textContent('#connect-error-text')).toBe(
        `The bridge at ${bridge.url} refused the panel's token. Copy the token that \`reenact serve\` printed on that machine into Engine ▸ Bridge token, then click Reconnect.`,
      );
      expect(await p.page.isDisabled('#animate')).toBe(true);
      await shoot(p.page, 'narrow-07-token-refused');
    } finally {
      await p.close();
    }
  });

  it('stays usable while After Effects is slow to answer', async () => {
    const shot = makeShot(tempRoot('reenact-shot-'));
    const p = await openPanel(browser, panelUrl, { shot, width: 280, env, hostDelayMs: 1500 });
    const { page } = p;
    try {
      shot.still.selected = true;
      shot.take.selected = true;
      const t0 = Date.now();
      await page.click('#portrait-use');
      // While pickInputs is pending the panel answers clicks and typing at once.
      await page.click('#group-output summary');
      await page.fill('#folder', '/renders/here');
      expect(await page.getAttribute('#group-output', 'open')).toBe('');
      expect(Date.now() - t0).toBeLessThan(1000);
      expect(await page.textContent('#portrait-name')).toBe('none');
      await expect.poll(() => page.textContent('#portrait-name'), { timeout: 5000 }).toBe('portrait-astronaut.png');
    } finally {
      await p.close();
    }
  });

  it("follows AE's theme when it changes", async () => {
    const shot = makeShot(tempRoot('reenact-shot-'));
    const p = await openPanel(browser, panelUrl, {
      shot,
      width: 280,
      env,
      settings: { open: { motion: true, output: true, engine: true } },
    });
    const { page } = p;
    try {
      await page.waitForSelector('#status[data-state="ready"]');
      await page.waitForSelector('#engine option', { state: 'attached' });
      expect(await page.getAttribute('html', 'data-theme')).toBe('dark');
      await shoot(page, 'narrow-09-options-dark');

      // Keyboard: Tab reaches the controls; arrow keys move a slider; the value survives a reload.
      await page.focus('#intensity');
      await page.keyboard.press('ArrowRight');
      expect(await page.textContent('#intensity-out')).toBe('1.05');
      await page.reload();
      await page.waitForSelector('#status[data-state="ready"]');
      expect(await page.inputValue('#intensity')).toBe('1.05');
      expect(await page.textContent('#intensity-out')).toBe('1.05');
      await page.evaluate(() =>
        (window as unknown as { __fireTheme(c: unknown): void }).__fireTheme({ red: 214, green: 214, blue: 214 }),
      );
      expect(await page.getAttribute('html', 'data-theme')).toBe('light');
      expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe('rgb(214, 214, 214)');
      await shoot(page, 'narrow-08-light');
      await page.setViewportSize({ width: 720, height: 900 });
      await shoot(page, 'wide-08-light');
    } finally {
      await p.close();
    }
  });
});
