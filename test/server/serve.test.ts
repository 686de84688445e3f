/**
 * `reenact serve` as a real child process: the ready line, lock-file reuse and stale locks, clean shutdown on
 * SIGTERM and on POST /shutdown, and a bridge killed with SIGKILL mid-job whose job is resumed by the next bridge
 * to exactly the frames of an uninterrupted run.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type BridgeClient, createClient } from '../../bridge/src/api/client.js';
import type { JobEvent } from '../../bridge/src/pipeline/events.js';
import { renderJob } from '../../bridge/src/pipeline/render.js';
import { lockPath } from '../../bridge/src/server/lock.js';
import { collect, fileHashes, makeMedia, tempDir, waitFor } from './helpers.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const MAIN = path.join(ROOT, 'bridge', 'src', 'cli', 'main.ts');

interface Served {
  child: ChildProcess;
  line: { port: number; token: string; version: string; pid: number };
  exited: Promise<number | null>;
  client: BridgeClient;
}

const children: ChildProcess[] = [];

/** Spawns `reenact serve` and resolves with its first stdout line (or rejects with its stderr). */
function serve(dataDir: string, args: string[] = [], env: NodeJS.ProcessEnv = process.env): Promise<Served> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'serve', '--data-dir', dataDir, ...args], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr!.on('data', (d) => {
      err += d;
    });
    child.stdout!.on('data', (d) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl >= 0) {
        const line = JSON.parse(out.slice(0, nl));
        resolve({
          child,
          line,
          exited,
          client: createClient({ url: `http://127.0.0.1:${line.port}`, token: line.token, WebSocket }),
        });
      }
    });
    void exited.then((code) => reject(new Error(`serve exited ${code} before its line: ${err}`)));
  });
}

let work: string;
let media: { source: string; driving: string };
const FRAMES = 240;

beforeAll(async () => {
  work = await tempDir();
  media = await makeMedia(work, FRAMES);
});

afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

describe('reenact serve', () => {
  it('prints {port, token, version, pid}; a second launch reuses the running bridge', async () => {
    const dataDir = path.join(work, 'data-reuse');
    const a = await serve(dataDir);
    expect(Object.keys(a.line).sort()).toEqual(['pid', 'port', 'token', 'version']);
    expect(a.line).toMatchObject({ version: '0.1.0', pid: a.child.pid });
    expect(a.line.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await a.client.health()).pid).toBe(a.child.pid);
    const lock = JSON.parse(await fs.readFile(lockPath(dataDir), 'utf8'));
    expect(lock).toMatchObject({ state: 'ready', pid: a.child.pid, port: a.line.port, token: a.line.token });
    expect((await fs.stat(lockPath(dataDir))).mode & 0o777).toBe(0o600);

    const b = await serve(dataDir, ['--token', 'another-token-1234567']);
    expect(b.line).toEqual(a.line);
    expect(await b.exited).toBe(0);

    a.child.kill('SIGTERM');
    expect(await a.exited).toBe(0);
    await expect(fs.access(lockPath(dataDir))).rejects.toThrow();
    const log = await fs.readFile(path.join(dataDir, 'logs', 'bridge.log'), 'utf8');
    expect(log).toContain('"msg":"bridge stopped"');
    expect(log).not.toContain(a.line.token);
  });

  it('keeps serving when whoever started it stopped reading its output (a closed panel: EPIPE)', async () => {
    // The panel starts the bridge detached with piped stdout/stderr and goes away; the bridge writes on (debug lines).
    const a = await serve(path.join(work, 'data-epipe'), [], { ...process.env, NODE_DEBUG: 'reenact' });
    a.child.stdout?.destroy();
    a.child.stderr?.destroy();
    for (let i = 0; i < 3; i++) expect((await a.client.probe(media.driving)).frameCount).toBe(FRAMES);
    expect((await a.client.health()).pid).toBe(a.child.pid);
    expect(a.child.exitCode).toBeNull();
    await a.client.shutdown();
    expect(await a.exited).toBe(0);
  });

  it('replaces a stale lock: a dead pid, or a live pid that is not an answering bridge', async () => {
    const dataDir = path.join(work, 'data-stale');
    await fs.mkdir(dataDir, { recursive: true });
    const stale = { state: 'ready', host: '127.0.0.1', port: 9, token: 'stale-token-stale-token', version: '0.0.1' };
    await fs.writeFile(lockPath(dataDir), JSON.stringify({ ...stale, pid: 2 ** 22 + 12345 }));
    const a = await serve(dataDir);
    expect(a.line.pid).toBe(a.child.pid);
    expect(JSON.parse(await fs.readFile(lockPath(dataDir), 'utf8')).pid).toBe(a.child.pid);
    await a.client.shutdown();
    expect(await a.exited).toBe(0);
    await expect(fs.access(lockPath(dataDir))).rejects.toThrow();

    await fs.writeFile(lockPath(dataDir), JSON.stringify({ ...stale, pid: process.pid }));
    const b = await serve(dataDir);
    expect(b.line.pid).toBe(b.child.pid);
    b.child.kill('SIGINT');
    expect(await b.exited).toBe(0);
  });

  it('stops cleanly on SIGTERM mid-job: exit 0, the job kept as interrupted for the next bridge', async () => {
    const dataDir = path.join(work, 'data-term');
    const a = await serve(dataDir);
    const { job } = await a.client.createJob({
      source: media.source,
      driving: media.driving,
      output: { dir: path.join(work, 'termed') },
      engine: { name: 'fixture' },
    });
    const seen: JobEvent[] = [];
    const sub = a.client.jobEvents(job.id).subscribe({ next: (e) => seen.push(e), error: () => {} });
    await waitFor(() => seen.some((e) => e.type === 'progress' && e.stage === 'render' && e.done >= 5), 30_000);
    const asked = Date.now();
    a.child.kill('SIGTERM');
    expect(await a.exited).toBe(0);
    expect(Date.now() - asked).toBeLessThan(5000);
    sub.unsubscribe();
    await expect(fs.access(lockPath(dataDir))).rejects.toThrow();
    const record = JSON.parse(await fs.readFile(path.join(dataDir, 'jobs', `${job.id}.json`), 'utf8'));
    expect(record.state).toBe('interrupted');
  });

  it('refuses a bad --port and --token with a clear message and exit code 2', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', MAIN, 'serve', '--data-dir', path.join(work, 'd3'), '--token', 'short'],
      {
        cwd: ROOT,
      },
    );
    let err = '';
    child.stderr.on('data', (d) => {
      err += d;
    });
    const code = await new Promise((r) => child.on('exit', r));
    expect(code).toBe(2);
    expect(err.trim()).toBe(
      'reenact: Expected a token of 16 to 256 characters (letters, digits, . _ ~ -) for --token but received 5 characters.',
    );
  });

  it('survives kill -9 mid-job: the next bridge lists it interrupted and resumes it to the uninterrupted frames', async () => {
    const dataDir = path.join(work, 'data-kill');
    const out = path.join(work, 'killed');
    const a = await serve(dataDir);
    const { job } = await a.client.createJob({
      source: media.source,
      driving: media.driving,
      output: { dir: out },
      engine: { name: 'fixture' },
    });
    const seen: JobEvent[] = [];
    const sub = a.client
      .jobEvents(job.id, { previews: false })
      .subscribe({ next: (e) => seen.push(e), error: () => {} });
    await waitFor(() => seen.some((e) => e.type === 'progress' && e.stage === 'render' && e.done >= 20), 30_000);
    a.child.kill('SIGKILL');
    expect(await a.exited).toBe(null);
    sub.unsubscribe();
    // The bridge's ffmpeg encoder outlives it for a moment (it drains its stdin and exits): wait until the
    // folder stops changing, then check the kill really landed mid-job.
    const pngs = async () => (await fs.readdir(path.join(out, 'frames'))).filter((f) => f.endsWith('.png')).length;
    let count = -1;
    await waitFor(async () => {
      const now = await pngs();
      const stable = now === count;
      count = now;
      await new Promise((r) => setTimeout(r, 200));
      return stable;
    });
    expect(count).toBeGreaterThan(0);
    expect(count).toBeLessThan(FRAMES);

    const b = await serve(dataDir);
    expect(b.line.pid).not.toBe(a.line.pid);
    const listed = (await b.client.listJobs()).jobs.find((j) => j.id === job.id);
    expect(listed?.state).toBe('interrupted');
    await b.client.resumeJob(job.id);
    const events = await collect(b.client.jobEvents(job.id, { previews: false }));
    expect(events.at(-1)?.type).toBe('done');
    expect((await b.client.getJob(job.id)).job).toMatchObject({ state: 'done', runs: 2 });
    b.child.kill('SIGTERM');
    expect(await b.exited).toBe(0);

    // An uninterrupted run of the same spec, straight through the pipeline.
    const straight = path.join(work, 'straight');
    await renderJob({
      source: media.source,
      driving: media.driving,
      output: { dir: straight },
      engine: { name: 'fixture' },
    });
    const resumed = await fileHashes(path.join(out, 'frames'));
    const expected = await fileHashes(path.join(straight, 'frames'));
    const names = Array.from({ length: FRAMES }, (_, i) => `frame_${String(i).padStart(5, '0')}.png`);
    expect(Object.keys(resumed)).toEqual(names); // nothing duplicated, nothing lost, no temp files
    expect(resumed).toEqual(expected);
  });
});
