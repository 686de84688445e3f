/**
 * Per-user folders: cache (converted face models, installed weights, tracking cache) and data (bridge lock,
 * job store, logs). Follows each platform's convention; REENACT_CACHE_DIR / REENACT_DATA_DIR override (tests use them).
 */
import os from 'node:os';
import path from 'node:path';
import { dataDirOf } from './data-dir.js';

export function cacheDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (env.REENACT_CACHE_DIR) return path.resolve(env.REENACT_CACHE_DIR);
  const home = os.homedir();
  if (platform === 'win32')
    return path.join(env.LOCALAPPDATA ?? path.join(home, 'AppData', 'Local'), 'reenact', 'Cache');
  if (platform === 'darwin') return path.join(home, 'Library', 'Caches', 'reenact');
  return path.join(env.XDG_CACHE_HOME ?? path.join(home, '.cache'), 'reenact');
}

export function dataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  return path.resolve(dataDirOf({ platform, env, homedir: os.homedir() }, path.join));
}

/** Repository/package root (where package.json lives), from this compiled or source file. */
export function packageRoot(): string {
  // bridge/src/util/paths.ts or bridge/dist/util/paths.js → three levels up.
  return path.resolve(import.meta.dirname, '..', '..', '..');
}
