/**
 * Where a user's reenact data folder is (bridge lock, job store, logs), by each platform's convention;
 * REENACT_DATA_DIR overrides it. One rule for the bridge (util/paths.ts) and the panel, which looks there for a
 * running bridge's lock (panel/src/launch.ts). Browser-safe: the caller joins with its platform's separator.
 */
export function dataDirOf(
  where: { platform: string; env: Record<string, string | undefined>; homedir: string },
  join: (...parts: string[]) => string,
): string {
  const { platform, env, homedir } = where;
  if (env.REENACT_DATA_DIR) return env.REENACT_DATA_DIR;
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir, 'AppData', 'Roaming'), 'reenact');
  if (platform === 'darwin') return join(homedir, 'Library', 'Application Support', 'reenact');
  return join(env.XDG_DATA_HOME ?? join(homedir, '.local', 'share'), 'reenact');
}
