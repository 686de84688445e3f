/** Shared helpers for the bridge tests: temp folders, inputs, a bridge with a typed client, frame listings. */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { firstValueFrom, type Observable, toArray } from 'rxjs';
import { afterAll, expect } from 'vitest';
import WebSocket from 'ws';
import { BridgeApiError, type BridgeClient, createClient } from '../../bridge/src/api/client.js';
import type { JobEvent } from '../../bridge/src/pipeline/events.js';
import { type BridgeOptions, type RunningBridge, startBridge } from '../../bridge/src/server/bridge.js';
import { ffmpeg, makeIndexedClip } from '../helpers/media.js';
import { fixtureFrame } from '../jobs/fixture-runner.js';

const made: string[] = [];
const bridges: RunningBridge[] = [];
// Registered when a test file imports these helpers: when the file is done, its bridges are closed (close is
// idempotent; a bridge still closing would recreate folders) and its temp folders removed.
afterAll(async () => {
  await Promise.all(bridges.splice(0).map((b) => b.close()));
  await Promise.all(made.splice(0).map((d) => fs.rm(d, { recursive: true, force: true })));
});

/** A temp folder (symlinks resolved), removed after the test file. */
export async function tempDir(prefix = 'reenact-bridge-'): Promise<string> {
  const dir = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), prefix)));
  made.push(dir);
  return dir;
}

/**
 * Real media for the real pipeline (fixture engine): a 320×240 portrait still and a 64×48 lossless driving clip of
 * `frames` frames at 25 fps, both made with ffmpeg.
 */
export async function makeMedia(dir: string, frames: number): Promise<{ source: string; driving: string }> {
  const source = path.join(dir, 'portrait.png');
  const driving = path.join(dir, `driving-${frames}.mp4`);
  await fs.access(source).catch(() => ffmpeg('-f', 'lavfi', '-i', 'testsrc2=size=320x240', '-frames:v', '1', source));
  await makeIndexedClip(driving, frames, '25', '64x48');
  return { source, driving };
}

/** A source still and a driving file the fixture runner accepts. */
export async function makeInputs(dir: string): Promise<{ source: string; driving: string }> {
  const source = path.join(dir, 'portrait.png');
  const driving = path.join(dir, 'driving.png');
  await fs.writeFile(source, fixtureFrame(0, 16, 16));
  await fs.writeFile(driving, fixtureFrame(1, 16, 16));
  return { source, driving };
}

export interface TestBridge {
  bridge: RunningBridge;
  client: BridgeClient;
  dataDir: string;
}

export async function startTestBridge(options: BridgeOptions = {}): Promise<TestBridge> {
  const dataDir = options.dataDir ?? (await tempDir('reenact-data-'));
  const bridge = await startBridge({ ...options, dataDir });
  bridges.push(bridge);
  const client = createClient({ url: bridge.url, token: bridge.token, WebSocket });
  return { bridge, client, dataDir };
}

export function collect<T>(source: Observable<T>): Promise<T[]> {
  return firstValueFrom(source.pipe(toArray()));
}

export function eventTypes(events: JobEvent[]): string[] {
  return events.map((e) => e.type);
}

/** name → sha256 of every file under `dir` (recursive, sorted). */
export async function fileHashes(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  async function walk(d: string) {
    for (const entry of (await fs.readdir(d, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) await walk(full);
      else
        out[path.relative(dir, full)] = createHash('sha256')
          .update(await fs.readFile(full))
          .digest('hex');
    }
  }
  await walk(dir);
  return out;
}

export async function waitFor<T>(fn: () => Promise<T | undefined> | T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error('waitFor timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Awaits `promise`, expecting a BridgeApiError with exactly this status, code and message. */
export async function expectApiError(
  promise: Promise<unknown>,
  expected: { status: number; code: string; message: string | RegExp },
): Promise<void> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(BridgeApiError);
  const { status, code, message } = err as BridgeApiError;
  if (expected.message instanceof RegExp) {
    expect({ status, code }).toEqual({ status: expected.status, code: expected.code });
    expect(message).toMatch(expected.message);
  } else expect({ status, code, message }).toEqual(expected);
}
