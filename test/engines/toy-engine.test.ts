// Adding an engine is one folder plus one registry entry: a toy engine defined in this test (its folder is ./toy/,
// its entry the registerEngine call below) is offered by the CLI's --engine (choices and help), accepted and checked
// by the job spec and the bridge's API, listed by GET /engines, rendered by a real job, and shown in the real
// panel's engine menu (headless Chromium) — none of those files names it.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../../bridge/src/cli/program.js';
import { registerEngine } from '../../bridge/src/engines/registry.js';
import { parseJobSpec } from '../../bridge/src/pipeline/parse.js';
import { cliHere as cli } from '../helpers/cli.js';
import { CHROMIUM, launchBrowser, makeShot, openPanel, servePanel, tempRoot } from '../panel/harness.js';
import { collect, expectApiError, makeMedia, startTestBridge, tempDir } from '../server/helpers.js';
import * as toy from './toy/index.js';

let unregister: () => void;
beforeAll(() => {
  unregister = registerEngine({
    name: 'toy',
    label: 'Toy · test',
    summary: 'a grey square lit by the performance',
    options: toy.ToyOptionsSchema,
    load: async () => toy,
  });
});
afterAll(() => unregister());

describe('a toy engine added with one registry entry', () => {
  it('is a choice of reenact render --engine, with its summary and option names in --help', () => {
    const render = buildProgram().commands.find((c) => c.name() === 'render');
    const help = render?.helpInformation().replace(/\s+/g, ' ') ?? '';
    expect(help).toContain('toy (a grey square lit by the performance)');
    expect(help).toContain('toy: size');
    expect(help).toMatch(/choices: "meshwarp", "liveportrait", "fixture", "toy"/);
  });

  it('renders from the CLI, and its options are checked by name before anything runs', async () => {
    const dir = await tempDir();
    const media = await makeMedia(dir, 6);
    const out = path.join(dir, 'cli-out');
    const args = ['render', '-s', media.source, '-d', media.driving, '-o', out, '-e', 'toy'];
    const bad = await cli(...args, '--engine-option', 'size=3');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('Expected a value ≤ 1 for toy.size but received 3.');
    expect(existsSync(out)).toBe(false);
    const unknown = await cli(...args, '--engine-option', 'colour=1');
    expect(unknown.stderr).toContain('Expected a known option (size) for toy.colour but received 1.');
    expect((await cli(...args, '--engine-option', 'size=0.4')).code).toBe(0);
    const manifest = JSON.parse(readFileSync(path.join(out, 'reenact.json'), 'utf8'));
    expect(manifest.engine).toMatchObject({ name: 'toy', version: '1', device: 'cpu' });
    expect(manifest.spec.engine).toEqual({ name: 'toy', device: 'auto', options: { size: 0.4 } });
    expect(manifest.frames).toHaveLength(6);
  });

  it('is in the job spec schema, GET /engines and the API, and renders a job through the bridge', async () => {
    expect(() =>
      parseJobSpec({ source: 'a', driving: 'b', output: { dir: 'c' }, engine: { name: 'toy' } }),
    ).not.toThrow();
    const t = await startTestBridge();
    const { engines } = await t.client.engines();
    expect(engines.find((e) => e.name === 'toy')).toEqual({ name: 'toy', label: 'Toy · test', available: true });
    const dir = await tempDir();
    const media = await makeMedia(dir, 4);
    const spec = { ...media, output: { dir: path.join(dir, 'api-out') } };
    await expectApiError(t.client.createJob({ ...spec, engine: { name: 'toy', options: { size: 'big' } } }), {
      status: 400,
      code: 'BAD_INPUT',
      message: 'Invalid job spec: engine.options.size: Expected a number for toy.size but received "big".',
    });
    const { job } = await t.client.createJob({ ...spec, engine: { name: 'toy', options: { size: 0.2 } } });
    const events = await collect(t.client.jobEvents(job.id));
    expect(events.at(-1)?.type).toBe('done');
    expect(events.find((e) => e.type === 'started')).toMatchObject({ engine: 'toy' });
  });

  it.skipIf(!existsSync(CHROMIUM))("is in the real panel's engine menu, by its label", async () => {
    const t = await startTestBridge();
    const [served, browser] = await Promise.all([servePanel(), launchBrowser()]);
    const root = tempRoot('reenact-toy-panel-');
    try {
      const p = await openPanel(browser, served.url, {
        shot: makeShot(root),
        width: 720,
        env: { ...process.env, REENACT_DATA_DIR: path.join(root, 'data') },
        settings: { bridgeUrl: t.bridge.url, bridgeToken: t.bridge.token, open: { engine: true } },
      });
      await p.page.waitForSelector('#status[data-state="ready"]');
      await p.page.waitForSelector('#engine option[value="toy"]', { state: 'attached' });
      const menu = await p.page.$$eval('#engine option', (os) =>
        os.map((o) => [(o as HTMLOptionElement).value, o.textContent]),
      );
      expect(menu).toContainEqual(['toy', 'Toy · test']);
      expect(menu).toContainEqual(['meshwarp', 'Default · offline']);
      // The test-only fixture engine stays out of the menu; the toy is not marked test-only.
      expect(menu.map(([v]) => v)).not.toContain('fixture');
      await p.close();
    } finally {
      await browser.close();
      served.server.close();
    }
  });
});
