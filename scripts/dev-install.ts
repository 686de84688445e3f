/**
 * `npm run dev:install`: copies (never symlinks: CEP 12 on Windows rejects linked folders) a dev build of the
 * extension into the per-user CEP extensions folder, with a `.debug` file for Chrome remote debugging, and prints
 * the PlayerDebugMode steps for CSXS 11 (AE 2022-2024) and CSXS 12 (AE 2025-2026). On Linux, where AE does not
 * run, it says where the folder would go and exits 0. `--dest <folder>` installs into another folder (any OS).
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, win32 } from 'node:path';
import { fileURLToPath } from 'node:url';
import { asReenactError, ReenactError } from '../bridge/src/errors.js';
import { scriptFlags } from './args.js';
import { ROOT } from './build-host.js';
import { CEP_CONFIG } from './cep-config.js';
import { renderDebugFile } from './gen-manifest.js';
import { checkGenerated } from './package.js';
import { type StageResult, stageExtension } from './packaging/stage.js';

/** The per-user CEP extensions folder, or null where AE does not run. */
export function userExtensionsDir(
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
): string | null {
  if (platform === 'win32')
    return win32.join(env.APPDATA ?? win32.join(homedir(), 'AppData', 'Roaming'), 'Adobe', 'CEP', 'extensions');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Adobe', 'CEP', 'extensions');
  return null;
}

/** Step-by-step PlayerDebugMode instructions for both CEP versions AE uses. */
export function playerDebugModeSteps(platform: NodeJS.Platform = process.platform): string {
  const win = [
    'Windows (run in a Command Prompt, then restart After Effects):',
    '  reg add "HKCU\\Software\\Adobe\\CSXS.11" /v PlayerDebugMode /t REG_SZ /d 1 /f    (AE 2022-2024, CEP 11)',
    '  reg add "HKCU\\Software\\Adobe\\CSXS.12" /v PlayerDebugMode /t REG_SZ /d 1 /f    (AE 2025-2026, CEP 12)',
    '  AE 2025+ on Windows may still refuse an unsigned folder ("Signature verification failed" in the CEP log):',
    '  install the signed ZXP from `npm run package` instead.',
  ];
  const mac = [
    'macOS (run in Terminal, then restart After Effects):',
    '  defaults write com.adobe.CSXS.11 PlayerDebugMode 1    (AE 2022-2024, CEP 11)',
    '  defaults write com.adobe.CSXS.12 PlayerDebugMode 1    (AE 2025-2026, CEP 12)',
    '  If AE still ignores it, log out and in again (macOS caches preferences).',
  ];
  const lines = ['PlayerDebugMode lets After Effects load an unsigned extension:'];
  if (platform !== 'darwin') lines.push(...win);
  if (platform !== 'win32') lines.push(...mac);
  lines.push(
    `Then open Window > Extensions > ${CEP_CONFIG.panel.menu}. Debug the panel at http://localhost:${CEP_CONFIG.panel.debugPort} in Chrome.`,
  );
  return lines.join('\n');
}

/** Installs a dev build into `dest`, replacing an earlier reenact install but nothing else. */
export function devInstall(root: string, dest: string): StageResult {
  checkGenerated(root);
  const manifest = join(dest, 'CSXS', 'manifest.xml');
  if (
    existsSync(dest) &&
    !(existsSync(manifest) && readFileSync(manifest, 'utf8').includes(`ExtensionBundleId="${CEP_CONFIG.bundleId}"`))
  ) {
    throw new ReenactError(
      'OUTPUT_EXISTS',
      `${dest} exists and is not a reenact extension. Remove it or choose another folder with --dest.`,
    );
  }
  return stageExtension(root, dest, { dev: { debugFile: renderDebugFile(CEP_CONFIG), repo: root } });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    const flags = scriptFlags({ root: { type: 'string' }, dest: { type: 'string' } });
    const root = flags.root ?? ROOT;
    const base = flags.dest ? null : userExtensionsDir();
    const dest = flags.dest ?? (base ? join(base, CEP_CONFIG.bundleId) : null);
    if (!dest) {
      console.log(`After Effects does not run on ${process.platform}, so there is nothing to install here.`);
      console.log('On a machine with After Effects, `npm run dev:install` copies the extension to:');
      console.log(`  Windows: %APPDATA%\\Adobe\\CEP\\extensions\\${CEP_CONFIG.bundleId}`);
      console.log(`  macOS:   ~/Library/Application Support/Adobe/CEP/extensions/${CEP_CONFIG.bundleId}`);
      console.log('(Use --dest <folder> to stage a dev build anywhere.)\n');
      console.log(playerDebugModeSteps('linux'));
    } else {
      const r = devInstall(root, dest);
      console.log(`Installed a dev build of reenact (${r.files.length} files, copied) to ${dest}`);
      for (const n of r.notes) console.log(`- ${n}`);
      console.log(`\n${playerDebugModeSteps()}`);
    }
  } catch (err) {
    const e = asReenactError(err);
    console.error(`reenact dev:install: ${e.message}`);
    process.exit(e.exitCode);
  }
}
