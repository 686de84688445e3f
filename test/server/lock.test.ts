/** The lock protocol in-process: two launches racing for one data folder, and a torn lock file. */
import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { serve } from '../../bridge/src/server/bridge.js';
import { acquireLock, lockPath, pidAlive } from '../../bridge/src/server/lock.js';
import { tempDir } from './helpers.js';

describe('bridge lock', () => {
  it('two launches at once end with one bridge and the same line', async () => {
    const dataDir = await tempDir('reenact-lock-');
    const [a, b] = await Promise.all([serve({ dataDir }), serve({ dataDir })]);
    const started = [a, b].filter((r) => !r.reused);
    expect(started).toHaveLength(1);
    expect(a.line).toEqual(b.line);
    const lock = JSON.parse(await fs.readFile(lockPath(dataDir), 'utf8'));
    expect(lock).toMatchObject({ state: 'ready', port: a.line.port, token: a.line.token });
    const running = started[0];
    if (!running.reused) {
      await running.bridge.close();
      await running.stopped;
    }
    await expect(fs.access(lockPath(dataDir))).rejects.toThrow();
  });

  it('replaces an unreadable lock file that is not being written', async () => {
    const dataDir = await tempDir('reenact-lock-');
    await fs.writeFile(lockPath(dataDir), '{"pid": 12');
    const old = new Date(Date.now() - 10_000);
    await fs.utimes(lockPath(dataDir), old, old);
    const t0 = Date.now();
    expect(await acquireLock(dataDir)).toEqual({ kind: 'acquired' });
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(JSON.parse(await fs.readFile(lockPath(dataDir), 'utf8'))).toMatchObject({
      pid: process.pid,
      state: 'starting',
    });
  });

  it('tells live pids from dead ones', () => {
    expect(pidAlive(process.pid)).toBe(true);
    expect(pidAlive(2 ** 22 + 12345)).toBe(false);
    expect(pidAlive(0)).toBe(false);
    expect(path.basename(lockPath('/x'))).toBe('bridge.lock');
  });
});
