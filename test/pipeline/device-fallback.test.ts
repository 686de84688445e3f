/**
 * A GPU that fails mid-job, through the whole render pipeline: the neural engine on a fake GPU provider (real CPU
 * sessions that fail like ONNX Runtime's providers: test/helpers/fake-gpu.ts), registered as a test engine.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LivePortraitOptionsSchema } from '../../bridge/src/engines/liveportrait/config.js';
import { createLivePortraitEngine } from '../../bridge/src/engines/liveportrait/index.js';
import { registerEngine } from '../../bridge/src/engines/registry.js';
import { loadCatalog } from '../../bridge/src/models/catalog.js';
import type { JobEvent } from '../../bridge/src/pipeline/events.js';
import { renderJob } from '../../bridge/src/pipeline/render.js';
import { installSyntheticModels } from '../engines/liveportrait/fixtures.js';
import { type FakeGpu, fakeGpu, GPU_ERRORS } from '../helpers/fake-gpu.js';
import { DRIVING, PORTRAIT } from '../helpers/media.js';

let root: string;
let env: NodeJS.ProcessEnv;
let gpu: FakeGpu;
let unregister: () => void;

beforeAll(async () => {
  root = mkdtempSync(path.join(os.tmpdir(), 'reenact-gpu-job-'));
  env = await installSyntheticModels(root, { landmark: false, warpGrid: [4, 16, 16] });
  unregister = registerEngine({
    name: 'liveportrait-fake-gpu',
    label: 'LivePortrait on a fake GPU (tests)',
    summary: 'the neural engine on a fake GPU provider',
    options: LivePortraitOptionsSchema,
    testOnly: true,
    load: async () => ({
      create: async ({ device, options }) => {
        const engine = createLivePortraitEngine(
          { ...options, device },
          {
            env,
            catalog: loadCatalog(env.REENACT_MODEL_CATALOG),
            platform: { platform: 'linux', arch: 'x64', backends: ['cpu', 'cuda'] },
            createSession: gpu.create,
          },
        );
        await engine.load();
        return engine;
      },
    }),
  });
});
afterAll(() => {
  unregister();
  rmSync(root, { recursive: true, force: true });
});

describe('a GPU that fails mid-job (fake provider)', () => {
  it('renders the failed frame again on CPU, finishes the job there, and records the switch in reenact.json', async () => {
    // The rewritten warping graph's 1st run is the warm-up; its 5th is the 4th frame with a face: out of memory.
    gpu = fakeGpu({
      failRun: (r) =>
        r.file === 'warping_spade.gs-rewrite.onnx' && r.call === 5 ? GPU_ERRORS.outOfMemory() : undefined,
    });
    const out = path.join(root, 'job');
    const events: JobEvent[] = [];
    const manifest = await renderJob(
      {
        source: PORTRAIT,
        driving: DRIVING,
        output: { dir: out },
        engine: { name: 'liveportrait-fake-gpu', device: 'cuda' },
        range: { start: 0, end: 7 },
      },
      { onEvent: (e) => events.push(e) },
    );
    expect(events.find((e) => e.type === 'started')).toMatchObject({ device: 'cuda' });
    expect(manifest.complete).toBe(true);
    expect(manifest.frames.map((f) => f.status)).toEqual(Array(8).fill('rendered'));
    const change = manifest.engine.deviceChanges?.[0];
    expect(manifest.engine).toMatchObject({
      device: 'cpu',
      deviceChanges: [{ from: 'cuda', to: 'cpu', reason: `warping_spade: ${GPU_ERRORS.outOfMemory()}` }],
    });
    expect(change?.frame).toBe(3);
    const message = `CUDA (--device cuda) failed at frame 3 (warping_spade: ${GPU_ERRORS.outOfMemory()}); that frame and the rest of the job run on CPU, which is much slower.`;
    expect(manifest.warnings).toContain(message);
    // Said when it happened, before the next frame's progress, not only in the end-of-job summary.
    const warned = events.findIndex((e) => e.type === 'warning' && e.message === message);
    expect(events[warned]).toMatchObject({ frames: [3, 3] });
    const nextProgress = events.findIndex((e, i) => i > warned && e.type === 'progress');
    expect(nextProgress).toBeGreaterThan(warned);
    expect(events.filter((e) => e.type === 'warning' && e.message.includes(message))).toHaveLength(1);
    // Nothing ran on the GPU after the failure; the manifest lists the CPU's (original) warping graph.
    expect(gpu.runs.slice(gpu.runs.findIndex((r) => r.failed) + 1)).toEqual([]);
    expect(manifest.engine.models.map((m) => m.id)).toContain('warping_spade');
  });
});
