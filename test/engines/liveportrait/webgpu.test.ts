/**
 * --device webgpu: an explicit, experimental choice on the GridSample-rewritten graph, never picked by auto. The
 * fake provider (test/helpers/fake-gpu.ts) stands in for a working WebGPU adapter; the last test uses the real
 * onnxruntime-node WebGPU provider of this machine.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLivePortraitEngine } from '../../../bridge/src/engines/liveportrait/index.js';
import { loadCatalog } from '../../../bridge/src/models/catalog.js';
import type { PlatformInfo } from '../../../bridge/src/onnx/providers.js';
import { fakeGpu } from '../../helpers/fake-gpu.js';
import { drivingFrame, installSyntheticModels, makeFace, makeImage } from './fixtures.js';

let root: string;
let env: NodeJS.ProcessEnv;
const deps = () => ({ env, catalog: loadCatalog(env.REENACT_MODEL_CATALOG) });
/** Linux x64 with onnxruntime-node's bundled WebGPU provider and no CUDA. */
const linux: PlatformInfo = { platform: 'linux', arch: 'x64', backends: ['cpu', 'webgpu'] };

beforeAll(async () => {
  root = mkdtempSync(path.join(os.tmpdir(), 'reenact-lp-webgpu-'));
  env = await installSyntheticModels(root, { landmark: false, warpGrid: [4, 16, 16] });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const portrait = makeImage(320, 360, 1);
const portraitFace = makeFace(160, 170, 40);
const reference = drivingFrame(0, makeImage(128, 128, 2), makeFace(64, 64, 28));
const frame = drivingFrame(1, makeImage(128, 128, 5), makeFace(66, 63, 28, 0.3));

describe('--device webgpu', () => {
  it('runs the rewritten graph on WebGPU when asked for by name, says it is experimental, and reports the device', async () => {
    const gpu = fakeGpu();
    const engine = createLivePortraitEngine(
      { device: 'webgpu' },
      { ...deps(), platform: linux, createSession: gpu.create },
    );
    await engine.prepare(portrait, portraitFace);
    expect(engine.info.device).toBe('webgpu');
    expect(engine.info.deviceChanges).toBeUndefined();
    expect(gpu.created).toContainEqual({ file: 'warping_spade.gs-rewrite.onnx', device: 'webgpu' });
    expect(gpu.created.map((c) => c.file)).not.toContain('warping_spade.onnx');
    expect(engine.info.models.find((m) => m.id.startsWith('warping_spade'))?.id).toBe('warping_spade:gs-rewrite');
    await engine.setReference(reference);
    const out = await engine.render(frame);
    expect(out.warnings).toEqual([
      "WebGPU (--device webgpu) is experimental: onnxruntime-node's WebGPU provider runs the GridSample-rewritten warping graph, which reenact has not verified on a real GPU. If frames look wrong, compare one with --device cpu.",
    ]);
    await engine.dispose();
  });

  it('is never what auto picks, even where onnxruntime-node offers it', async () => {
    const gpu = fakeGpu();
    const engine = createLivePortraitEngine(
      { device: 'auto' },
      { ...deps(), platform: linux, createSession: gpu.create },
    );
    await engine.prepare(portrait, portraitFace);
    expect(engine.info.device).toBe('cpu');
    expect(gpu.created.every((c) => c.device === 'cpu')).toBe(true);
    expect(engine.warnings).toEqual([]);
    await engine.dispose();
  });

  it("on this machine's real onnxruntime-node: runs on WebGPU, or falls back to CPU with the runtime's reason", async () => {
    // The real provider and platform. A machine without a GPU adapter (this build machine has none) gets ONNX
    // Runtime's own "Failed to get a WebGPU adapter" at session creation; one with an adapter runs WebGPU.
    const engine = createLivePortraitEngine({ device: 'webgpu' }, deps());
    await engine.prepare(portrait, portraitFace);
    if (engine.info.device === 'webgpu') {
      expect(engine.info.models.map((m) => m.id)).toContain('warping_spade:gs-rewrite');
    } else {
      expect(engine.info.device).toBe('cpu');
      expect(engine.warnings[0]).toMatch(/^WebGPU \(--device webgpu\) could not start: .+\. Running on CPU instead/);
      expect(engine.info.deviceChanges).toEqual([
        { from: 'webgpu', to: 'cpu', frame: null, reason: expect.stringContaining('WebGPU') },
      ]);
    }
    await engine.setReference(reference);
    expect((await engine.render(frame)).image.width).toBe(320);
    await engine.dispose();
  });
});
