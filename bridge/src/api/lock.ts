/**
 * How a launcher finds a bridge (browser-safe, shared with the panel): the line `reenact serve` prints when ready,
 * and the lock file a bridge keeps in its data folder (server/lock.ts writes it, panel/src/launch.ts reads it).
 */

/** The line `reenact serve` prints on stdout when ready (JSON, one line). */
export interface ReadyLine {
  port: number;
  token: string;
  version: string;
  pid: number;
}

/** The lock file's name in the data folder (util/data-dir.ts). */
export const LOCK_FILE = 'bridge.lock';

/** The lock file's content: "starting" while the bridge comes up, then "ready" with its address and token. */
export interface LockInfo {
  pid: number;
  state: 'starting' | 'ready';
  startedAt: string;
  host?: string;
  port?: number;
  token?: string;
  version?: string;
}

export type ReadyLock = LockInfo & { state: 'ready'; host: string; port: number; token: string; version: string };

/** The base URL a client on this machine uses for a bridge listening on `host` (any-address → loopback). */
export function bridgeUrl(host: string | undefined, port: number): string {
  if (!host || host === '0.0.0.0' || host === '::') return `http://127.0.0.1:${port}`;
  return `http://${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${port}`;
}
