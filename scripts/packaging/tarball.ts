/**
 * The bridge as an npm tarball (`npm pack`), written into the release folder beside the ZXP: what a studio installs
 * once with `npm install -g ./reenact-<version>.tgz` instead of the panel's per-user copy. The project publishes
 * nothing to the npm registry, so release notes and messages name this file (or the repository), never a registry
 * name: installing "reenact" from the registry would fetch whatever a stranger registered under it.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ReenactError } from '../../bridge/src/errors.js';

/** Packs `root` (package.json `files`: the compiled bridge and the model catalog) into `outDir`; returns the file. */
export function packBridge(root: string, outDir: string, env: NodeJS.ProcessEnv = process.env): string {
  mkdirSync(outDir, { recursive: true });
  // npm's own CLI when run from an npm script; else `npm` on PATH (npm.cmd on Windows needs a shell).
  const npmCli = env.npm_execpath;
  const [command, args] = npmCli?.endsWith('.js') ? [process.execPath, [npmCli]] : ['npm', [] as string[]];
  // --ignore-scripts: the caller built already; `prepare` would rebuild the whole project inside the pack.
  const r = spawnSync(command, [...args, 'pack', '--ignore-scripts', '--json', '--pack-destination', outDir], {
    cwd: root,
    encoding: 'utf8',
    env,
    shell: process.platform === 'win32' && command === 'npm',
  });
  if (r.status !== 0) {
    throw new ReenactError(
      'MISSING_DEPENDENCY',
      `npm pack failed in ${root} (${r.error?.message ?? `exit ${r.status}`}): ${(r.stderr ?? '').trim().split('\n').slice(-3).join(' / ')}. Run it by hand to see why.`,
    );
  }
  const [packed] = JSON.parse(r.stdout) as { filename: string }[];
  return join(outDir, packed.filename);
}
