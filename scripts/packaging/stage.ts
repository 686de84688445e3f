/**
 * Stages the extension folder that AE loads, for both `npm run package` (release/reenact/) and `npm run dev:install`
 * (the per-user CEP folder). One function decides the layout so the dev build and the ZXP never differ:
 *
 *   CSXS/manifest.xml, CSXS/icons/*.png   generated from scripts/cep-config.ts (must be current)
 *   host-scripts/reenact.jsx              the ES3 bundle `npm run build` makes (its sources are not shipped)
 *   panel/dist/**                         the built panel (MainPath), without source maps
 *   bridge/dist/**                        the compiled bridge, without source maps
 *   models/catalog.json                   the neural engine's model catalog, read by the bridge at run time
 *   package.json, package-lock.json       production dependencies of the bridge, for `npm ci --omit=dev`
 *   BRIDGE-RUNTIME.txt                    how the bridge gets its node_modules (see docs/install-ae.md)
 *
 * node_modules are not shipped: onnxruntime-node alone is ~290 MB of per-platform native binaries, and a ZXP's
 * signature covers every file, so the folder can't be completed in place after install either. The panel installs
 * the bridge's production dependencies into the per-user data folder on first start (or uses a global install).
 *
 * Adobe's installers and signature checks reject symlinks, hidden files (.DS_Store, .gitignore…) and zero-byte
 * files, and `&` or `#` in paths break signing or loading: symlinks are copied as the files they point to,
 * hidden and empty files are left out (and listed), bad names stop the build.
 */
import {
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { ReenactError } from '../../bridge/src/errors.js';

export interface StageResult {
  /** Staged files, relative to the destination, '/'-separated, sorted. */
  files: string[];
  /** Files left out or changed on the way, one line each. */
  notes: string[];
}

export interface StageOptions {
  /** Dev builds also get `.debug` (remote debugging) and `dev-install.json` (where the repo is). */
  dev?: { debugFile: string; repo: string };
}

/** What the runtime package.json keeps: enough for `npm ci --omit=dev` and `reenact` as a bin. */
export function runtimePackageJson(pkg: Record<string, unknown>): Record<string, unknown> {
  const keep = [
    'name',
    'version',
    'description',
    'license',
    'type',
    'engines',
    'bin',
    'dependencies',
    'optionalDependencies',
    'allowScripts',
  ];
  const out: Record<string, unknown> = {};
  for (const k of keep) if (pkg[k] !== undefined) out[k] = pkg[k];
  return out;
}

const BRIDGE_NOTE = `reenact bridge runtime
======================

bridge/dist holds the compiled bridge (Node >= 20). Its production dependencies are not inside this
extension: onnxruntime-node ships large per-platform native binaries, and files added to a signed
extension folder break its signature. On first start the panel copies bridge/dist, models/catalog.json,
package.json and package-lock.json to the per-user reenact data folder, runs "npm ci --omit=dev
--ignore-scripts" there and "npm rebuild" of the packages allowScripts allows, then starts the bridge from
that copy (the bridge finds models/ and package.json next to bridge/).
Studios can instead install the bridge once from the release's bridge tarball,
"npm install -g ./reenact-<version>.tgz" (the file beside the .zxp), or from a checkout of the
repository ("npm ci", then "node bridge/dist/cli/main.js serve"), or run it on a GPU machine, and
point the panel at it. No reenact package is published on the npm registry: never install one by
name.
`;

function fail(message: string): never {
  throw new ReenactError('BAD_INPUT', message);
}

function requireFile(root: string, rel: string, fix: string): void {
  if (!existsSync(join(root, rel))) fail(`${rel} is missing in ${root}. ${fix}`);
}

/** Copies the extension layout from the repo at `root` into `dest` (emptied first). */
export function stageExtension(root: string, dest: string, options: StageOptions = {}): StageResult {
  requireFile(root, 'CSXS/manifest.xml', 'Run `npx tsx scripts/gen-manifest.ts`.');
  requireFile(root, 'host-scripts/reenact.jsx', 'Run `npm run build` first.');
  requireFile(root, 'panel/dist/index.html', 'Build the panel first (it writes panel/dist).');
  requireFile(root, 'bridge/dist/cli/main.js', 'Run `npm run build` first.');
  requireFile(root, 'models/catalog.json', 'It is part of the repository: restore it.');
  rmSync(dest, { recursive: true, force: true });
  mkdirSync(dest, { recursive: true });
  const notes: string[] = [];
  const copied: string[] = [];
  const copyTree = (rel: string, skip: (name: string) => boolean = () => false) => {
    const abs = join(root, rel);
    for (const entry of readdirSync(abs).sort()) {
      const childRel = rel ? `${rel}/${entry}` : entry;
      if (entry.startsWith('.')) {
        notes.push(`left out hidden file ${childRel}`);
        continue;
      }
      if (/[&#]/.test(entry))
        fail(`${childRel} has "&" or "#" in its name, which breaks ZXP signing or CEP loading. Rename it.`);
      if (skip(entry)) continue;
      const childAbs = join(abs, entry);
      const link = lstatSync(childAbs).isSymbolicLink();
      const st = statSync(childAbs);
      if (st.isDirectory()) {
        if (link) notes.push(`copied the folder behind symlink ${childRel}`);
        copyTree(childRel, skip);
      } else if (st.size === 0) {
        notes.push(`left out empty file ${childRel}`);
      } else {
        if (link) notes.push(`copied the file behind symlink ${childRel}`);
        copyOne(root, dest, childRel);
        copied.push(childRel);
      }
    }
  };
  copyTree('CSXS');
  copyOne(root, dest, 'host-scripts/reenact.jsx');
  copied.push('host-scripts/reenact.jsx');
  // Source maps help debugging a checkout; an artist's install has no use for them (and they show the sources).
  copyTree('panel/dist', (name) => name.endsWith('.map'));
  copyTree('bridge/dist', (name) => name.endsWith('.map'));
  copyOne(root, dest, 'models/catalog.json');
  copied.push('models/catalog.json');
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Record<string, unknown>;
  const extra: [string, string][] = [
    ['package.json', `${JSON.stringify(runtimePackageJson(pkg), null, 2)}\n`],
    ['BRIDGE-RUNTIME.txt', BRIDGE_NOTE],
  ];
  if (existsSync(join(root, 'package-lock.json')))
    extra.push(['package-lock.json', readFileSync(join(root, 'package-lock.json'), 'utf8')]);
  if (options.dev) {
    extra.push(['.debug', options.dev.debugFile]);
    extra.push(['dev-install.json', `${JSON.stringify({ repo: options.dev.repo }, null, 2)}\n`]);
  }
  for (const [rel, text] of extra) {
    writeFileSync(join(dest, rel), text);
    copied.push(rel);
  }
  return { files: copied.sort(), notes };
}

function copyOne(root: string, dest: string, rel: string): void {
  const to = join(dest, rel);
  mkdirSync(dirname(to), { recursive: true });
  copyFileSync(join(root, rel), to);
}

/** Every file under `dir` ('/'-separated, sorted); throws on symlinks, which must never reach a release. */
export function listTree(dir: string): string[] {
  const out: string[] = [];
  const walk = (abs: string) => {
    for (const entry of readdirSync(abs)) {
      const child = join(abs, entry);
      const st = lstatSync(child);
      if (st.isSymbolicLink()) throw new ReenactError('INTERNAL', `Symlink in release folder: ${child}`);
      if (st.isDirectory()) walk(child);
      else out.push(relative(dir, child).split(sep).join('/'));
    }
  };
  walk(dir);
  return out.sort();
}
