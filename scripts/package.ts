/**
 * `npm run package`: builds the release folder `release/reenact/` (the extension exactly as AE loads it, see
 * packaging/stage.ts for the layout) and `release/reenact.zxp`: signed by ZXPSignCmd where it runs (Windows, macOS),
 * else an unsigned zip with a clear message saying so (Linux); and `release/reenact-<version>.tgz`, the bridge as an
 * npm tarball for studios that install it once (packaging/tarball.ts).
 * Options: --root <repo> (default: this repo), --out <folder> (default: <root>/release), --no-sign.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { asReenactError, ReenactError } from '../bridge/src/errors.js';
import { scriptFlags } from './args.js';
import { bundleHostScripts, ROOT, readHostSources } from './build-host.js';
import { generatedFiles } from './gen-manifest.js';
import { cannotSignMessage, findZxpSignCmd, signFolder } from './packaging/sign.js';
import { listTree, stageExtension } from './packaging/stage.js';
import { packBridge } from './packaging/tarball.js';
import { zipFolder } from './packaging/zxp.js';

export interface PackageResult {
  folder: string;
  zxp: string;
  /** The bridge's npm tarball (`npm install -g <it>`). */
  tarball: string;
  files: string[];
  signed: boolean;
  messages: string[];
}

/** Fails when a generated file in `root` differs from what the config and sources give today. */
export function checkGenerated(root: string): void {
  const stale: string[] = [];
  for (const [rel, data] of generatedFiles()) {
    let current: Buffer | null = null;
    try {
      current = readFileSync(join(root, rel));
    } catch {}
    if (!current?.equals(data)) stale.push(rel);
  }
  const bundle = bundleHostScripts(readHostSources(join(root, 'host-scripts', 'src')));
  let currentBundle = '';
  try {
    currentBundle = readFileSync(join(root, 'host-scripts', 'reenact.jsx'), 'utf8');
  } catch {}
  if (currentBundle !== bundle) stale.push('host-scripts/reenact.jsx');
  if (stale.length) {
    throw new ReenactError(
      'BAD_INPUT',
      `Generated files are stale: ${stale.join(', ')}. Run \`npx tsx scripts/gen-manifest.ts && npm run build\`, then package again.`,
    );
  }
}

export async function packageExtension(
  root: string,
  outDir = join(root, 'release'),
  options: { sign?: boolean; env?: NodeJS.ProcessEnv; platform?: NodeJS.Platform } = {},
): Promise<PackageResult> {
  checkGenerated(root);
  const folder = join(outDir, 'reenact');
  const zxp = join(outDir, 'reenact.zxp');
  const staged = stageExtension(root, folder);
  const files = listTree(folder);
  const tarball = packBridge(
    root,
    outDir,
    options.env === undefined ? process.env : { ...process.env, ...options.env },
  );
  rmSync(zxp, { force: true });
  const messages = [...staged.notes];
  const tool = options.sign === false ? null : findZxpSignCmd(options.env, options.platform);
  if (tool) {
    messages.push(signFolder(tool, folder, zxp, options.env));
    return { folder, zxp, tarball, files, signed: true, messages };
  }
  await zipFolder(folder, zxp);
  messages.push(
    options.sign === false
      ? 'Signing skipped (--no-sign): release/reenact.zxp is UNSIGNED.'
      : cannotSignMessage(options.platform),
  );
  return { folder, zxp, tarball, files, signed: false, messages };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  Promise.resolve()
    .then(() => {
      const flags = scriptFlags({ root: { type: 'string' }, out: { type: 'string' }, 'no-sign': { type: 'boolean' } });
      const root = flags.root ?? ROOT;
      return packageExtension(root, flags.out ?? join(root, 'release'), { sign: !flags['no-sign'] });
    })
    .then(
      (r) => {
        console.log(`Release folder: ${r.folder} (${r.files.length} files)`);
        console.log(`ZXP: ${r.zxp} (${r.signed ? 'signed' : 'UNSIGNED'})`);
        console.log(`Bridge tarball: ${r.tarball} (studios: npm install -g <this file>)`);
        for (const m of r.messages) console.log(`- ${m}`);
      },
      (err: unknown) => {
        const e = asReenactError(err);
        console.error(`reenact package: ${e.message}`);
        process.exit(e.exitCode);
      },
    );
}
