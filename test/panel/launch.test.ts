// Finding a real Node ≥ 20, reading the bridge lock, spawning `reenact serve` and reading its ready line, through
// the same NodeDeps the panel builds from CEP's Node (here from this process's Node).
import { chmodSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createClient } from '../../bridge/src/api/client.js';
import { waitForCompletePng } from '../../bridge/src/api/png-ready.js';
import { connectBridge } from '../../panel/src/connect.js';
import {
  dataDir,
  findNode,
  LaunchError,
  lockFile,
  type NodeDeps,
  nodeCandidates,
  nodeDepsFrom,
  readLock,
  spawnBridge,
} from '../../panel/src/launch.js';
import { PORTRAIT, tempDir } from '../helpers/media.js';
import { CLI, ensureBridgeBuilt } from './harness.js';

const require = createRequire(import.meta.url);
const pids: number[] = [];
afterAll(() => {
  for (const pid of pids) {
    try {
      process.kill(pid);
    } catch {}
  }
});

function deps(env: Record<string, string | undefined>): NodeDeps {
  return nodeDepsFrom(require, { platform: process.platform, env });
}

/** A script named `node` that prints `version` like Node does. */
function fakeNode(dir: string, version: string): string {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'node');
  writeFileSync(file, `#!/bin/sh\necho ${version}\n`);
  chmodSync(file, 0o755);
  return file;
}

describe('data folder and lock', () => {
  it('follows the bridge: REENACT_DATA_DIR, else the platform convention', () => {
    expect(dataDir({ platform: 'linux', env: { REENACT_DATA_DIR: '/d' }, homedir: '/h' })).toBe('/d');
    expect(dataDir({ platform: 'linux', env: {}, homedir: '/home/a' })).toBe('/home/a/.local/share/reenact');
    expect(dataDir({ platform: 'darwin', env: {}, homedir: '/Users/a' })).toBe(
      '/Users/a/Library/Application Support/reenact',
    );
    expect(
      dataDir({ platform: 'win32', env: { APPDATA: 'C:\\Users\\a\\AppData\\Roaming' }, homedir: 'C:\\Users\\a' }),
    ).toBe('C:\\Users\\a\\AppData\\Roaming\\reenact');
    expect(lockFile({ platform: 'win32', env: { APPDATA: 'C:\\R' }, homedir: 'C:\\U' })).toBe(
      'C:\\R\\reenact\\bridge.lock',
    );
  });

  it('reads only a ready lock', async () => {
    const dir = tempDir('reenact-lock-');
    const d = deps({ REENACT_DATA_DIR: dir });
    expect(await readLock(d)).toBeUndefined();
    writeFileSync(path.join(dir, 'bridge.lock'), JSON.stringify({ pid: 1, state: 'starting', startedAt: '' }));
    expect(await readLock(d)).toBeUndefined();
    writeFileSync(path.join(dir, 'bridge.lock'), '{"pid": 1, "state": "re');
    expect(await readLock(d)).toBeUndefined();
    writeFileSync(
      path.join(dir, 'bridge.lock'),
      JSON.stringify({
        pid: 7,
        state: 'ready',
        host: '0.0.0.0',
        port: 4567,
        token: 't',
        version: '0.1.0',
        startedAt: '',
      }),
    );
    expect(await readLock(d)).toEqual({
      url: 'http://127.0.0.1:4567',
      token: 't',
      version: '0.1.0',
      pid: 7,
      via: 'lock',
    });
  });
});

describe('findNode', () => {
  it('skips a Node that is too old and takes the next one on PATH', async () => {
    const dir = tempDir('reenact-node-');
    const old = fakeNode(path.join(dir, 'old'), 'v16.20.2');
    const d = deps({ PATH: [path.join(dir, 'old'), path.dirname(process.execPath)].join(path.delimiter) });
    const found = await findNode(d, old);
    expect(found).toEqual({ path: path.join(path.dirname(process.execPath), 'node'), version: process.version });
  });

  it('names what it found and how to fix it when no Node ≥ 20 exists', async () => {
    const dir = tempDir('reenact-node-');
    const old = fakeNode(path.join(dir, 'bin'), 'v17.7.1');
    // This machine has a Node in /usr/bin: only files under the temp folder "exist" for this test.
    const real = deps({ PATH: path.join(dir, 'bin') });
    const d: NodeDeps = { ...real, homedir: dir, isFile: async (p) => p.startsWith(dir) && real.isFile(p) };
    const err = await findNode(d).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LaunchError);
    expect((err as LaunchError).message).toBe(
      `reenact needs Node.js 20 or newer to run its bridge, and none was found on PATH or in the usual install folders. Found only: ${old} (v17.7.1). Install the LTS version from nodejs.org (or set its path under Engine ▸ Node.js), then click Reconnect.`,
    );
  });

  it('looks in the install folders of each platform, newest nvm version first', async () => {
    const home = tempDir('reenact-home-');
    for (const v of ['v18.19.0', 'v22.3.0', 'v20.11.1'])
      mkdirSync(path.join(home, '.nvm', 'versions', 'node', v), { recursive: true });
    const d: NodeDeps = { ...deps({ PATH: '/opt/x/bin' }), platform: 'darwin', homedir: home };
    expect(await nodeCandidates(d, '/my/node')).toEqual([
      '/my/node',
      '/opt/x/bin/node',
      '/opt/homebrew/bin/node',
      '/usr/local/bin/node',
      '/usr/bin/node',
      `${home}/.volta/bin/node`,
      `${home}/.nvm/versions/node/v22.3.0/bin/node`,
      `${home}/.nvm/versions/node/v20.11.1/bin/node`,
      `${home}/.nvm/versions/node/v18.19.0/bin/node`,
    ]);
    const w: NodeDeps = {
      ...deps({ PATH: 'C:\\bin;D:\\node', ProgramFiles: 'C:\\Program Files' }),
      platform: 'win32',
      homedir: 'C:\\Users\\a',
    };
    expect(await nodeCandidates(w)).toEqual([
      'C:\\bin\\node.exe',
      'D:\\node\\node.exe',
      'C:\\Program Files\\nodejs\\node.exe',
      'C:\\Users\\a\\.volta\\bin\\node.exe',
    ]);
  });
});

describe('spawnBridge', () => {
  it('starts `reenact serve`, reads its ready line, and the next panel reuses it through the lock', async () => {
    ensureBridgeBuilt();
    const data = tempDir('reenact-data-');
    const d = deps({ ...process.env, REENACT_DATA_DIR: data });
    const address = await spawnBridge(d, process.execPath, CLI);
    if (address.pid) pids.push(address.pid);
    expect(address.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const client = createClient({ url: address.url, token: address.token });
    expect((await client.health()).pid).toBe(address.pid);
    expect(await readLock(d)).toEqual({ ...address, via: 'lock' });
    const again = await connectBridge({
      deps: d,
      bridgeUrl: '',
      bridgeToken: '',
      nodePath: '',
      extensionFolder: undefined,
    });
    expect(again.address).toEqual({ ...address, via: 'lock' });
    expect(again.device).toBe('CPU');
    await client.shutdown();
  });

  it('starts the bridge with the found Node first on PATH (AE opened from the macOS Dock has no Node on its PATH)', async () => {
    const dir = tempDir('reenact-dock-');
    const bin = path.join(dir, 'nodejs', 'bin');
    mkdirSync(bin, { recursive: true });
    const node = path.join(bin, 'node');
    symlinkSync(process.execPath, node);
    // A bridge whose first child needs `node` from PATH, as a `#!/usr/bin/env node` script does.
    const script = path.join(dir, 'main.js');
    writeFileSync(
      script,
      `const r = require('node:child_process').spawnSync('/bin/sh', ['-c', 'command -v node'], { encoding: 'utf8' });
if (r.status !== 0) { process.stderr.write('env: node: No such file or directory\\n'); process.exit(127); }
process.stdout.write(JSON.stringify({ port: 1, token: r.stdout.trim(), version: '0', pid: process.pid }) + '\\n');\n`,
    );
    // /usr/bin and /bin are left out of the Dock's PATH here: this machine keeps a node there, a Mac does not.
    const address = await spawnBridge(deps({ ...process.env, PATH: '/usr/sbin:/sbin' }), node, script);
    expect(address.token).toBe(node);
  });

  it('reports what the bridge said when it stops before it is ready', async () => {
    const dir = tempDir('reenact-bad-');
    const script = path.join(dir, 'main.js');
    writeFileSync(script, "process.stderr.write('Error: cannot find module onnxruntime-node\\n'); process.exit(3);\n");
    const err = await spawnBridge(deps(process.env), process.execPath, script).catch((e: unknown) => e);
    expect((err as LaunchError).code).toBe('SPAWN_FAILED');
    expect((err as LaunchError).message).toBe(
      'The bridge stopped before it was ready (exit 3). It said: Error: cannot find module onnxruntime-node',
    );
  });

  it('says the bridge is missing from the extension', async () => {
    const dir = tempDir('reenact-ext-');
    const d = deps({ ...process.env, REENACT_DATA_DIR: dir });
    const err = await connectBridge({
      deps: d,
      bridgeUrl: '',
      bridgeToken: '',
      nodePath: '',
      extensionFolder: dir,
    }).catch((e: unknown) => e);
    expect((err as Error).message).toBe(
      `The bridge is missing from the extension (${path.join(dir, 'bridge', 'dist', 'cli', 'main.js')}). Reinstall reenact.`,
    );
  });
});

describe("waiting for a still AE is writing (api/png-ready.ts through the panel's Node)", () => {
  it('waits until AE has written the whole PNG, and names the file when it never finishes', async () => {
    const dir = tempDir('reenact-png-');
    const file = path.join(dir, 'still.png');
    const png = readFileSync(PORTRAIT);
    writeFileSync(file, png.subarray(0, 1000)); // AE still writing
    const d = deps(process.env);
    const read = (f: string) => d.readBytes(f);
    const done = waitForCompletePng(file, read, { timeoutMs: 5000, intervalMs: 20 });
    setTimeout(() => writeFileSync(file, png), 150);
    await done;
    writeFileSync(file, png.subarray(0, png.length - 8));
    await expect(waitForCompletePng(file, read, { timeoutMs: 100, intervalMs: 20 })).rejects.toThrow(
      `After Effects did not finish writing ${file} within 0.1 s. Check the AE render settings and disk space, then try again.`,
    );
  });
});
