/**
 * The compiled bridge (`reenact serve`) renders each job in a thread of its own: a real meshwarp job through the API
 * gives the same frames, byte for byte, as the pipeline called directly; the bridge answers while it renders and
 * while it finds faces (the face picker has a thread too); a cancelled job stops in its thread with only complete
 * frames on disk. (Tests running from TypeScript sources use
 * the in-process runner; this file is the one that drives the thread.)
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type BridgeClient, createClient } from '../../bridge/src/api/client.js';
import { isCompletePngFile } from '../../bridge/src/media/png-sequence.js';
import type { JobEvent } from '../../bridge/src/pipeline/events.js';
import { renderJob } from '../../bridge/src/pipeline/render.js';
import { frameHashes } from '../helpers/frames.js';
import { DRIVING, PORTRAIT, tempDir } from '../helpers/media.js';
import { ensureBridgeBuilt, startServe, stopServe } from '../panel/harness.js';
import { collect } from './helpers.js';

const dir = tempDir('reenact-thread-');
let bridge: Awaited<ReturnType<typeof startServe>>;
let client: BridgeClient;

beforeAll(async () => {
  ensureBridgeBuilt();
  bridge = await startServe({ ...process.env, REENACT_DATA_DIR: path.join(dir, 'data') });
  client = createClient({ url: bridge.url, token: bridge.token, WebSocket });
});
afterAll(() => stopServe(bridge));

const spec = (out: string, end: number) => ({
  source: PORTRAIT,
  driving: DRIVING,
  output: { dir: path.join(dir, out) },
  range: { start: 0, end },
});

describe('reenact serve renders in a thread', () => {
  it('gives the frames a direct render gives, and answers requests meanwhile', async () => {
    expect((await client.health()).renderer).toBe('thread');
    const { job } = await client.createJob(spec('thread', 29));
    const events = collect(client.jobEvents(job.id, { previews: false }));
    let answered = 0;
    while ((await client.getJob(job.id)).job.state !== 'done') {
      expect((await client.health()).ok).toBe(true);
      answered++;
    }
    expect(answered).toBeGreaterThan(0);
    const types = (await events).map((e: JobEvent) => e.type);
    expect(types).toContain('progress');
    expect(types.at(-1)).toBe('done');
    await renderJob(spec('direct', 29));
    expect(frameHashes(path.join(dir, 'thread'))).toEqual(frameHashes(path.join(dir, 'direct')));
  });

  it('finds faces in a thread too, answering meanwhile', async () => {
    const scan = client.faces({ source: PORTRAIT, driving: DRIVING, samples: 3 });
    let answered = 0;
    let done = false;
    void scan.finally(() => {
      done = true;
    });
    while (!done) {
      expect((await client.health()).ok).toBe(true);
      answered++;
    }
    const faces = await scan;
    expect(answered).toBeGreaterThan(0);
    expect(faces.source.faces).toHaveLength(1);
    expect(faces.driving?.frames).toHaveLength(3);
    // A second scan reuses the thread (its models stay loaded) and gives the same answer.
    expect(await client.faces({ source: PORTRAIT, driving: DRIVING, samples: 3 })).toEqual(faces);
  });

  it('cancels a render in its thread, keeping only complete frames', async () => {
    const { job } = await client.createJob(spec('cancelled', 299));
    await new Promise<void>((resolve) => {
      const sub = client.jobEvents(job.id, { previews: false }).subscribe((e) => {
        if (e.type === 'progress' && e.stage === 'render' && e.done >= 5) {
          sub.unsubscribe();
          resolve();
        }
      });
    });
    await client.cancelJob(job.id);
    let state = '';
    for (let i = 0; i < 100 && state !== 'cancelled'; i++) {
      state = (await client.getJob(job.id)).job.state;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(state).toBe('cancelled');
    const names = readdirSync(path.join(dir, 'cancelled', 'frames'));
    expect(names.length).toBeLessThan(300);
    for (const n of names) {
      expect(n).toMatch(/^frame_\d{5}\.png$/);
      expect(await isCompletePngFile(path.join(dir, 'cancelled', 'frames', n))).toBe(true);
    }
  });

  it('stops on SIGTERM after it has found faces: the face thread does not keep it alive', async () => {
    // Node 20 refs a worker's port again when a 'message' listener is added after worker.unref(): the bridge logged
    // "bridge stopped" and lived on, one orphan per test run (and per panel session that picked a face).
    expect((await client.faces({ source: PORTRAIT })).source.faces).toHaveLength(1);
    const code = await stopServe(bridge); // rejects (after SIGKILL) if still alive 30 s after SIGTERM
    expect(code).toBe(0);
  });
});
