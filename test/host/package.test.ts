// `npm run package` and `npm run dev:install` on a temp copy of the repo with a stub panel/dist and bridge/dist:
// the release folder and the .zxp hold exactly the expected files (no symlinks, hidden or empty files), signing is
// attempted only where ZXPSignCmd exists, and dev installs copy (not link) and add .debug.
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { parse } from 'acorn';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleHostScripts, ROOT, readHostSources } from '../../scripts/build-host.js';
import { devInstall, playerDebugModeSteps, userExtensionsDir } from '../../scripts/dev-install.js';
import { packageExtension } from '../../scripts/package.js';
import { listTree } from '../../scripts/packaging/stage.js';

/** Entries of a zip, read from its central directory (names, sizes, method, data offset). */
function readZip(file: string): Map<string, Buffer> {
  const buf = readFileSync(file);
  const eocd = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const out = new Map<string, Buffer>();
  for (let i = 0; i < count; i++) {
    expect(buf.readUInt32LE(p)).toBe(0x02014b50);
    const method = buf.readUInt16LE(p + 10);
    const csize = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLen);
    const dataStart = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const raw = buf.subarray(dataStart, dataStart + csize);
    out.set(name, method === 8 ? inflateRawSync(raw) : Buffer.from(raw));
    p += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}

/** A copy of the repo's extension inputs, with a stub panel build (the panel is built by its own issue). */
const roots: string[] = [];
afterAll(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

function makeRepoCopy(): string {
  const root = mkdtempSync(join(tmpdir(), 'reenact-pkg-'));
  roots.push(root);
  for (const rel of ['CSXS', 'host-scripts', 'models', 'package.json', 'package-lock.json'])
    cpSync(join(ROOT, rel), join(root, rel), { recursive: true });
  mkdirSync(join(root, 'panel', 'dist', 'assets'), { recursive: true });
  writeFileSync(
    join(root, 'panel', 'dist', 'index.html'),
    '<!doctype html><title>reenact</title><script src="assets/app.js"></script>',
  );
  writeFileSync(join(root, 'panel', 'dist', 'assets', 'app.js'), 'console.log("panel");');
  writeFileSync(join(root, 'panel', 'dist', 'assets', 'app.js.map'), '{"version":3}');
  writeFileSync(join(root, 'panel', 'dist', '.DS_Store'), 'junk');
  writeFileSync(join(root, 'panel', 'dist', 'assets', 'empty.css'), '');
  symlinkSync(join(root, 'panel', 'dist', 'assets', 'app.js'), join(root, 'panel', 'dist', 'assets', 'linked.js'));
  mkdirSync(join(root, 'bridge', 'dist', 'cli'), { recursive: true });
  writeFileSync(join(root, 'bridge', 'dist', 'cli', 'main.js'), '#!/usr/bin/env node\n');
  writeFileSync(join(root, 'bridge', 'dist', 'cli', 'main.js.map'), '{}');
  return root;
}

const EXPECTED = [
  'BRIDGE-RUNTIME.txt',
  'CSXS/icons/reenact-dark-normal.png',
  'CSXS/icons/reenact-dark-normal@2x.png',
  'CSXS/icons/reenact-dark-rollover.png',
  'CSXS/icons/reenact-dark-rollover@2x.png',
  'CSXS/icons/reenact-disabled.png',
  'CSXS/icons/reenact-disabled@2x.png',
  'CSXS/icons/reenact-normal.png',
  'CSXS/icons/reenact-normal@2x.png',
  'CSXS/icons/reenact-rollover.png',
  'CSXS/icons/reenact-rollover@2x.png',
  'CSXS/manifest.xml',
  'bridge/dist/cli/main.js',
  'host-scripts/reenact.jsx',
  'models/catalog.json',
  'package-lock.json',
  'package.json',
  'panel/dist/assets/app.js',
  'panel/dist/assets/linked.js',
  'panel/dist/index.html',
];

describe('npm run package', () => {
  let root: string;
  beforeAll(() => {
    root = makeRepoCopy();
  });

  it('writes release/reenact/ and an unsigned .zxp with the expected layout when ZXPSignCmd is absent (Linux)', async () => {
    const r = await packageExtension(root, join(root, 'release'), { env: { PATH: '' }, platform: 'linux' });
    expect(r.signed).toBe(false);
    expect(r.files).toEqual(EXPECTED);
    expect(listTree(r.folder)).toEqual(EXPECTED);
    for (const f of r.files) {
      const st = lstatSync(join(r.folder, f));
      expect(st.isSymbolicLink() || st.size === 0 || f.split('/').some((s) => s.startsWith('.'))).toBe(false);
    }
    expect(r.messages).toEqual([
      'left out hidden file panel/dist/.DS_Store',
      'left out empty file panel/dist/assets/empty.css',
      'copied the file behind symlink panel/dist/assets/linked.js',
      expect.stringMatching(
        /^Adobe publishes ZXPSignCmd for Windows and macOS only, so it cannot sign on linux\. Wrote an UNSIGNED release\/reenact\.zxp/,
      ),
    ]);
    // Installers reject an unsigned ZXP: the message says so, and how to install it by hand instead.
    expect(r.messages.at(-1)).toContain(
      'ZXP installers refuse unsigned packages: to try it, unzip it by hand into the extensions folder (README, Install in After Effects) and set PlayerDebugMode',
    );
    expect(r.messages.at(-1)).not.toContain('installs with PlayerDebugMode');
    const zip = readZip(r.zxp);
    expect([...zip.keys()]).toEqual(EXPECTED);
    for (const f of EXPECTED) expect(zip.get(f)?.equals(readFileSync(join(r.folder, f))), f).toBe(true);
    // The ES3 gate holds on what ships: the zip's host script is the current build of host-scripts/src, parsed as ES3.
    const host = zip.get('host-scripts/reenact.jsx')!.toString('utf8');
    expect(host).toBe(bundleHostScripts(readHostSources()));
    expect(() => parse(host, { ecmaVersion: 3, allowReserved: 'never', sourceType: 'script' })).not.toThrow();
    const manifest = zip.get('CSXS/manifest.xml')!.toString('utf8');
    expect(XMLValidator.validate(manifest)).toBe(true);
    const pkg = JSON.parse(zip.get('package.json')!.toString('utf8'));
    expect(Object.keys(pkg)).not.toContain('devDependencies');
    expect(Object.keys(pkg)).not.toContain('scripts');
    expect(pkg.dependencies['onnxruntime-node']).toBeDefined();
    // The bridge tarball studios install with `npm install -g <file>` (no reenact package is on the registry).
    expect(r.tarball).toBe(join(root, 'release', `reenact-${pkg.version}.tgz`));
    const listed = spawnSync('tar', ['-tzf', r.tarball], { encoding: 'utf8' }).stdout.trim().split('\n').sort();
    expect(listed).toEqual([
      'package/bridge/dist/cli/main.js',
      'package/bridge/dist/cli/main.js.map',
      'package/models/catalog.json',
      'package/package.json',
    ]);
    expect(readFileSync(join(r.folder, 'BRIDGE-RUNTIME.txt'), 'utf8')).toContain(
      `"npm install -g ./reenact-<version>.tgz" (the file beside the .zxp)`,
    );
  });

  it('never tells anyone to install reenact by a registry name the project does not publish', () => {
    const texts = ['README.md', 'docs', 'panel/src', 'scripts', 'bridge/src'];
    const found = spawnSync('grep', ['-rnE', 'npm (install|i) (-g|--global) reenact\\b', ...texts], {
      cwd: ROOT,
      encoding: 'utf8',
    }).stdout.trim();
    expect(found).toBe('');
  });

  it('is reproducible: packaging twice gives the same zxp bytes', async () => {
    const a = readFileSync(
      (await packageExtension(root, join(root, 'rel-a'), { env: { PATH: '' }, platform: 'linux' })).zxp,
    );
    const b = readFileSync(
      (await packageExtension(root, join(root, 'rel-b'), { env: { PATH: '' }, platform: 'linux' })).zxp,
    );
    expect(a.equals(b)).toBe(true);
  });

  it('signs with ZXPSignCmd where it exists: self-signed certificate once, then -sign with a timestamp server', async () => {
    // A stand-in for Adobe's tool (Windows/macOS only): records its arguments and writes the files it would.
    const bin = join(root, 'fake-bin');
    mkdirSync(bin, { recursive: true });
    const log = join(bin, 'calls.log');
    const tool = join(bin, 'ZXPSignCmd');
    writeFileSync(
      tool,
      `#!/bin/sh\necho "$@" >> "${log}"\nif [ "$1" = "-selfSignedCert" ]; then echo cert > "$7"; fi\nif [ "$1" = "-sign" ]; then echo zxp > "$3"; fi\n`,
    );
    chmodSync(tool, 0o755);
    const dataDir = join(root, 'data');
    const env = { REENACT_ZXPSIGNCMD: tool, REENACT_DATA_DIR: dataDir };
    const r = await packageExtension(root, join(root, 'release-signed'), { env, platform: 'darwin' });
    expect(r.signed).toBe(true);
    const cert = join(dataDir, 'signing', 'reenact-self-signed.p12');
    expect(readFileSync(log, 'utf8').trim().split('\n')).toEqual([
      `-selfSignedCert US NA reenact reenact self-signed reenact-self-signed ${cert} -validityDays 3650`,
      `-sign ${r.folder} ${r.zxp} ${cert} reenact-self-signed -tsa http://timestamp.digicert.com/`,
    ]);
    expect(r.messages.at(-1)).toBe(`Signed ${r.zxp} with ${cert} (timestamp http://timestamp.digicert.com/).`);
  });

  it('refuses stale generated files and a missing panel build, naming the fix', async () => {
    const stale = makeRepoCopy();
    writeFileSync(join(stale, 'CSXS', 'manifest.xml'), '<ExtensionManifest/>');
    await expect(packageExtension(stale, join(stale, 'release'))).rejects.toThrow(
      'Generated files are stale: CSXS/manifest.xml. Run `npx tsx scripts/gen-manifest.ts && npm run build`, then package again.',
    );
    // The host bundle is generated (npm run build), not committed: a checkout that was never built cannot ship.
    const unbuilt = makeRepoCopy();
    rmSync(join(unbuilt, 'host-scripts', 'reenact.jsx'));
    await expect(packageExtension(unbuilt, join(unbuilt, 'release'))).rejects.toThrow(
      'Generated files are stale: host-scripts/reenact.jsx. Run `npx tsx scripts/gen-manifest.ts && npm run build`, then package again.',
    );
    const nopanel = makeRepoCopy();
    cpSync(join(ROOT, 'CSXS'), join(nopanel, 'CSXS'), { recursive: true });
    spawnSync('rm', ['-rf', join(nopanel, 'panel')]);
    await expect(packageExtension(nopanel, join(nopanel, 'release'))).rejects.toThrow(
      `panel/dist/index.html is missing in ${nopanel}. Build the panel first (it writes panel/dist).`,
    );
  });

  it('runs as a CLI and says clearly that the zxp is unsigned on Linux', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', 'package.ts'), '--root', root], {
      encoding: 'utf8',
      cwd: ROOT,
      env: { ...process.env, PATH: '', REENACT_ZXPSIGNCMD: '' },
    });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`ZXP: ${join(root, 'release', 'reenact.zxp')} (UNSIGNED)`);
    expect(r.stdout).toContain('cannot sign on linux');
  });
});

describe('npm run dev:install', () => {
  it('copies a dev build with .debug into the destination, replacing an earlier install', () => {
    const root = makeRepoCopy();
    const dest = join(root, 'CEP', 'extensions', 'com.reenact.ae');
    devInstall(root, dest);
    const r = devInstall(root, dest);
    expect(r.files).toEqual([...EXPECTED, '.debug', 'dev-install.json'].sort());
    expect(listTree(dest)).toEqual(r.files);
    const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@' });
    expect(parser.parse(readFileSync(join(dest, '.debug'), 'utf8')).ExtensionList.Extension['@Id']).toBe(
      'com.reenact.ae.panel',
    );
    expect(JSON.parse(readFileSync(join(dest, 'dev-install.json'), 'utf8'))).toEqual({ repo: root });
    expect(lstatSync(join(dest, 'panel', 'dist', 'index.html')).isSymbolicLink()).toBe(false);
  });

  it('will not overwrite a folder that is not a reenact install', () => {
    const root = makeRepoCopy();
    const dest = join(root, 'someone-else');
    mkdirSync(dest);
    expect(() => devInstall(root, dest)).toThrow(
      `${dest} exists and is not a reenact extension. Remove it or choose another folder with --dest.`,
    );
    expect(existsSync(join(dest, 'CSXS'))).toBe(false);
  });

  it('knows the per-user CEP folders and prints PlayerDebugMode steps for CSXS 11 and 12', () => {
    expect(userExtensionsDir('win32', { APPDATA: 'C:\\Users\\ana\\AppData\\Roaming' })).toBe(
      'C:\\Users\\ana\\AppData\\Roaming\\Adobe\\CEP\\extensions',
    );
    expect(userExtensionsDir('darwin')).toMatch(/\/Library\/Application Support\/Adobe\/CEP\/extensions$/);
    expect(userExtensionsDir('linux')).toBeNull();
    const win = playerDebugModeSteps('win32');
    expect(win).toContain('reg add "HKCU\\Software\\Adobe\\CSXS.11" /v PlayerDebugMode /t REG_SZ /d 1 /f');
    expect(win).toContain('reg add "HKCU\\Software\\Adobe\\CSXS.12" /v PlayerDebugMode /t REG_SZ /d 1 /f');
    const mac = playerDebugModeSteps('darwin');
    expect(mac).toContain('defaults write com.adobe.CSXS.11 PlayerDebugMode 1');
    expect(mac).toContain('defaults write com.adobe.CSXS.12 PlayerDebugMode 1');
  });

  it('on Linux, says where it would install and exits 0', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', 'dev-install.ts')], {
      encoding: 'utf8',
      cwd: ROOT,
    });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('After Effects does not run on linux, so there is nothing to install here.');
    expect(r.stdout).toContain('%APPDATA%\\Adobe\\CEP\\extensions\\com.reenact.ae');
    expect(r.stdout).toContain('defaults write com.adobe.CSXS.12 PlayerDebugMode 1');
  });

  it('refuses a flag it does not know, or one without its value, before doing anything (exit 2)', () => {
    const script = (name: string, ...args: string[]) =>
      spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', name), ...args], {
        encoding: 'utf8',
        cwd: ROOT,
      });
    const typo = script('dev-install.ts', '--dets', '/tmp/x');
    expect([typo.status, typo.stdout]).toEqual([2, '']);
    expect(typo.stderr).toContain("reenact dev:install: Unknown option '--dets'");
    const bare = script('package.ts', '--out');
    expect(bare.status).toBe(2);
    expect(bare.stderr).toContain("reenact package: Option '--out <value>' argument missing");
  });
});

describe('the release is self-sufficient', () => {
  it('runs the packaged bridge from a copy of the release with its production dependencies installed', async () => {
    if (!existsSync(join(ROOT, 'bridge', 'dist', 'cli', 'main.js'))) {
      const b = spawnSync('npm', ['run', 'build'], { cwd: ROOT, encoding: 'utf8' });
      expect(b.status, b.stderr).toBe(0);
    }
    const root = makeRepoCopy();
    cpSync(join(ROOT, 'bridge', 'dist'), join(root, 'bridge', 'dist'), { recursive: true });
    const r = await packageExtension(root, join(root, 'release'), { env: { PATH: '' }, platform: 'linux' });
    // What the panel does on first start: copy the bridge payload out of the signed folder, install its deps.
    const runtime = join(root, 'data', 'bridge-runtime');
    for (const rel of ['bridge/dist', 'models/catalog.json', 'package.json', 'package-lock.json'])
      cpSync(join(r.folder, rel), join(runtime, rel), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules'), join(runtime, 'node_modules')); // stands in for `npm ci --omit=dev`
    const env = { ...process.env, REENACT_CACHE_DIR: join(root, 'cache'), REENACT_DATA_DIR: join(root, 'data') };
    const cli = join(runtime, 'bridge', 'dist', 'cli', 'main.js');
    const version = spawnSync(process.execPath, [cli, '--version'], { encoding: 'utf8', env });
    // The version first, then the ffmpeg and ffprobe the copy found (its own node_modules).
    const [first, ffmpeg] = version.stdout.trim().split('\n');
    expect(first).toBe(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
    expect(ffmpeg).toMatch(/^ffmpeg .+ from \S+ \(/);
    const models = spawnSync(process.execPath, [cli, 'models', 'list', '--json'], { encoding: 'utf8', env });
    expect(models.status, models.stderr).toBe(0);
    expect(JSON.parse(models.stdout.split('\n')[0])).toMatchObject({ type: 'models', set: 'liveportrait' });
  });
});
