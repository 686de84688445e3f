// First start of a packaged extension (no node_modules inside): the panel copies the bridge into the data folder and
// installs its production dependencies there with the npm beside the Node it found, once; a developer install runs in
// place. npm here is a stand-in script beside a real Node (a real `npm ci` would download ~300 MB) that behaves like
// npm 10, the npm of Node 20 and 22: it installs two marker packages and, unless told --ignore-scripts, runs every
// install script, whatever package.json's `allowScripts` says, as `sh -c` with the PATH it was given (npm 7+ does not
// put its Node's folder on PATH). Each install script is `node -e …`, as a `#!/usr/bin/env node` script needs.
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeDepsFrom } from '../../panel/src/launch.js';
import { bridgeScript } from '../../panel/src/runtime.js';
import { tempDir } from '../helpers/media.js';

const require = createRequire(import.meta.url);

const FAKE_NPM = `const fs = require('node:fs');
const { spawnSync } = require('node:child_process');
const args = process.argv.slice(2);
fs.appendFileSync(process.env.NPM_LOG, JSON.stringify({ args, cwd: process.cwd(), skip: process.env.npm_config_onnxruntime_node_install }) + '\\n');
if (process.env.NPM_FAIL) { process.stderr.write('npm error network request to https://registry.npmjs.org failed\\n'); process.exit(1); }
const PACKAGES = ['onnxruntime-node', '@ffmpeg-installer/linux-x64'];
const runScript = (name) => {
  const r = spawnSync('/bin/sh', ['-c', 'node -e "require(\\'fs\\').appendFileSync(process.env.SCRIPTS_LOG, process.argv[1] + \\'\\\\n\\')" ' + name], { env: process.env, encoding: 'utf8' });
  if (r.status !== 0) { process.stderr.write('npm error code ' + r.status + '\\nnpm error path node_modules/' + name + '\\nnpm error command failed\\nnpm error ' + r.stderr); process.exit(1); }
};
if (args[0] === 'ci') {
  for (const name of PACKAGES) {
    fs.mkdirSync('node_modules/' + name, { recursive: true });
    fs.writeFileSync('node_modules/' + name + '/package.json', '{}');
  }
  if (!args.includes('--ignore-scripts')) for (const name of PACKAGES) runScript(name);
}
if (args[0] === 'rebuild') for (const name of args.slice(1).filter((a) => !a.startsWith('--'))) runScript(name);
`;

/** An extension folder as the release lays it out, a Node install with a stand-in npm, and a data folder. */
function setup(options: { devInstall?: boolean; npm?: boolean } = {}) {
  const root = tempDir();
  const ext = path.join(root, 'ext');
  mkdirSync(path.join(ext, 'bridge', 'dist', 'cli'), { recursive: true });
  writeFileSync(path.join(ext, 'bridge', 'dist', 'cli', 'main.js'), '// the bridge\n');
  writeFileSync(path.join(ext, 'bridge', 'dist', 'version.js'), '// version\n');
  mkdirSync(path.join(ext, 'models'));
  writeFileSync(path.join(ext, 'models', 'catalog.json'), '{}');
  writeFileSync(
    path.join(ext, 'package.json'),
    JSON.stringify({
      name: 'reenact',
      version: '9.9.9',
      allowScripts: {
        'onnxruntime-node': false,
        '@ffmpeg-installer/linux-x64': true,
        '@ffmpeg-installer/win32-x64': true,
      },
    }),
  );
  writeFileSync(path.join(ext, 'package-lock.json'), '{}');
  if (options.devInstall) {
    mkdirSync(path.join(ext, 'node_modules', 'onnxruntime-node'), { recursive: true });
    writeFileSync(path.join(ext, 'node_modules', 'onnxruntime-node', 'package.json'), '{}');
  }
  const bin = path.join(root, 'nodejs', 'bin');
  mkdirSync(bin, { recursive: true });
  const node = path.join(bin, 'node');
  symlinkSync(process.execPath, node);
  if (options.npm !== false) {
    const npmDir = path.join(root, 'nodejs', 'lib', 'node_modules', 'npm', 'bin');
    mkdirSync(npmDir, { recursive: true });
    writeFileSync(path.join(npmDir, 'npm-cli.js'), FAKE_NPM);
  }
  const log = path.join(root, 'npm.log');
  const scripts = path.join(root, 'scripts.log');
  const env: Record<string, string | undefined> = {
    ...process.env,
    // AE opened from the macOS Dock: no Node on this PATH (/usr/bin and /bin left out: this machine has a node there).
    PATH: '/usr/sbin:/sbin',
    REENACT_DATA_DIR: path.join(root, 'data'),
    NPM_LOG: log,
    SCRIPTS_LOG: scripts,
  };
  const ran = () => (existsSync(scripts) ? readFileSync(scripts, 'utf8').trim().split('\n') : []);
  const calls = () =>
    existsSync(log)
      ? readFileSync(log, 'utf8')
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l))
      : [];
  return { root, ext, node, env, calls, ran, deps: () => nodeDepsFrom(require, { platform: process.platform, env }) };
}

describe('bridge runtime on first start', () => {
  it('copies the bridge into the data folder, installs there once, and runs only the allowed install scripts', async () => {
    const s = setup();
    const status: string[] = [];
    const script = await bridgeScript(s.deps(), {
      node: s.node,
      extensionFolder: s.ext,
      onStatus: (t) => status.push(t),
    });
    const runtime = path.join(s.root, 'data', 'runtime', '9.9.9');
    expect(script).toBe(path.join(runtime, 'bridge', 'dist', 'cli', 'main.js'));
    for (const f of [
      'bridge/dist/cli/main.js',
      'bridge/dist/version.js',
      'models/catalog.json',
      'package.json',
      'package-lock.json',
    ])
      expect(readFileSync(path.join(runtime, f), 'utf8')).toBe(readFileSync(path.join(s.ext, f), 'utf8'));
    expect(s.calls()).toEqual([
      { args: ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund'], cwd: runtime, skip: 'skip' },
      { args: ['rebuild', '@ffmpeg-installer/linux-x64', '--no-audit', '--no-fund'], cwd: runtime, skip: 'skip' },
    ]);
    // With npm 10 and the Dock's PATH: only the allowed script ran, and it found Node (first on PATH).
    expect(s.ran()).toEqual(['@ffmpeg-installer/linux-x64']);
    expect(status[0]).toBe('setting up the bridge (first start: downloading its libraries, about 300 MB)…');
    // Next start: straight to the copy, no npm.
    expect(await bridgeScript(s.deps(), { node: s.node, extensionFolder: s.ext })).toBe(script);
    expect(s.calls()).toHaveLength(2);
  });

  it('runs a developer install (node_modules beside the bridge) in place', async () => {
    const s = setup({ devInstall: true });
    expect(await bridgeScript(s.deps(), { node: s.node, extensionFolder: s.ext })).toBe(
      path.join(s.ext, 'bridge', 'dist', 'cli', 'main.js'),
    );
    expect(s.calls()).toEqual([]);
  });

  it('says what failed and what to do when npm fails, and tries again on the next start', async () => {
    const s = setup();
    s.env.NPM_FAIL = '1';
    const err = await bridgeScript(s.deps(), { node: s.node, extensionFolder: s.ext }).catch((e) => e);
    expect(err).toMatchObject({ code: 'SETUP_FAILED' });
    expect(err.message).toContain('npm error network request to https://registry.npmjs.org failed');
    expect(err.message).toContain(
      'Check the internet connection (the npm registry must be reachable), then click Reconnect',
    );
    // What exists: the release's tarball. Never a registry name nobody here publishes (a stranger could own it).
    expect(err.message).toContain('npm install -g ./reenact-<version>.tgz, the file that comes with the .zxp');
    expect(err.message).not.toMatch(/npm install -g reenact\b/);
    delete s.env.NPM_FAIL;
    await bridgeScript(s.deps(), { node: s.node, extensionFolder: s.ext });
    expect(s.calls().map((c) => c.args[0])).toEqual(['ci', 'ci', 'rebuild']);
  });

  it('names where it looked when there is no npm beside Node, and when the bridge is missing', async () => {
    const s = setup({ npm: false });
    const err = await bridgeScript(s.deps(), { node: s.node, extensionFolder: s.ext }).catch((e) => e);
    expect(err).toMatchObject({ code: 'NO_NPM' });
    expect(err.message).toContain('Install Node.js from nodejs.org (it includes npm), then click Reconnect.');
    const missing = await bridgeScript(s.deps(), { node: s.node, extensionFolder: path.join(s.root, 'nowhere') }).catch(
      (e) => e,
    );
    expect(missing).toMatchObject({ code: 'NO_BRIDGE_SCRIPT' });
  });
});
