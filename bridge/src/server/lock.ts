/**
 * The bridge lock file (`<data>/bridge.lock`, mode 0600): one bridge per user data folder. A launcher creates it
 * exclusively before listening ("starting"), then rewrites it atomically with port and token ("ready"). A second
 * launch that finds a live, answering bridge reuses it; a lock whose pid is dead, or whose bridge does not answer,
 * is stale and replaced.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { bridgeUrl, LOCK_FILE, type LockInfo, type ReadyLock } from '../api/lock.js';
import { readJson, writeJsonAtomic } from '../jobs/atomic.js';
import { ensurePrivateDir } from '../util/fs.js';

export function lockPath(dataDir: string): string {
  return path.join(dataDir, LOCK_FILE);
}

/** True when a process with this pid exists (EPERM: it exists but is not ours). */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True when the locked bridge answers /health with its token and the same pid (a reused pid is not a bridge). */
export async function bridgeAnswers(lock: ReadyLock, timeoutMs = 2000): Promise<boolean> {
  try {
    const res = await fetch(`${bridgeUrl(lock.host, lock.port)}/health`, {
      headers: { authorization: `Bearer ${lock.token}` },
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!res.ok) return false;
    const body = (await res.json()) as { pid?: number };
    return body.pid === lock.pid;
  } catch {
    return false;
  }
}

async function readLock(file: string): Promise<LockInfo | undefined> {
  try {
    const value = (await readJson(file)) as LockInfo | undefined;
    return value && typeof value.pid === 'number' ? value : undefined;
  } catch {
    return undefined; // torn or foreign: treated like a stale lock once its grace period passes
  }
}

function isReady(lock: LockInfo): lock is ReadyLock {
  return lock.state === 'ready' && typeof lock.port === 'number' && typeof lock.token === 'string';
}

export type AcquireResult = { kind: 'acquired' } | { kind: 'existing'; lock: ReadyLock };

/**
 * Takes the lock for this process, or returns the running bridge that holds it.
 * Waits up to `waitMs` for a bridge that is still starting.
 */
export async function acquireLock(dataDir: string, waitMs = 15_000): Promise<AcquireResult> {
  const file = lockPath(dataDir);
  await ensurePrivateDir(dataDir);
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      const handle = await fs.open(file, 'wx', 0o600);
      const info: LockInfo = { pid: process.pid, state: 'starting', startedAt: new Date().toISOString() };
      await handle.writeFile(JSON.stringify(info));
      await handle.close();
      return { kind: 'acquired' };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const lock = await readLock(file);
    const alive = lock ? pidAlive(lock.pid) : false;
    // An unreadable lock is young while its creator is still writing it; an old one is garbage.
    const young = !lock && Date.now() - ((await fs.stat(file).catch(() => undefined))?.mtimeMs ?? 0) < 2000;
    if (lock && alive && isReady(lock)) {
      if (await bridgeAnswers(lock)) return { kind: 'existing', lock };
    } else if ((alive || young) && Date.now() < deadline) {
      // Starting (or being written): give it time, then look again.
      await new Promise((r) => setTimeout(r, 100));
      continue;
    }
    // Stale: dead pid, a ready lock whose bridge does not answer, or a start that never finished.
    await fs.rm(file, { force: true });
  }
}

/** Rewrites the lock with the listening address and token. */
export async function writeReadyLock(dataDir: string, lock: Omit<ReadyLock, 'pid' | 'state'>): Promise<void> {
  await writeJsonAtomic(lockPath(dataDir), { pid: process.pid, state: 'ready', ...lock }, 0o600);
}

/** Removes the lock if this process holds it. */
export async function releaseLock(dataDir: string): Promise<void> {
  const file = lockPath(dataDir);
  const lock = await readLock(file);
  if (lock?.pid === process.pid) await fs.rm(file, { force: true });
}
