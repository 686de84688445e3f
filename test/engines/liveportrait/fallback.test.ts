/**
 * GPU failure handling of the neural engine, on a CPU-only machine: a fake GPU provider (test/helpers/fake-gpu.ts)
 * whose sessions are real CPU sessions that fail like ONNX Runtime's CUDA/DirectML providers do.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLivePortraitEngine } from '../../../bridge/src/engines/liveportrait/index.js';
import { loadCatalog } from '../../../bridge/src/models/catalog.js';
import type { PlatformInfo } from '../../../bridge/src/onnx/providers.js';
import { fakeGpu, GPU_ERRORS } from '../../helpers/fake-gpu.js';
import { mountTmpfs, remount, unmount } from '../../reliability/mounts.js';
import { drivingFrame, installSyntheticModels, makeFace, makeImage } from './fixtures.js';

/** A coarse sampling grid keeps the warping stand-in cheap on CPU; the graph keeps its two 5-D GridSample nodes. */
const SMALL = { landmark: false, warpGrid: [4, 16, 16] as [number, number, number] };
const linux: PlatformInfo = { platform: 'linux', arch: 'x64', backends: ['cpu', 'cuda'] };
let root: string;
let env: NodeJS.ProcessEnv;
const deps = (e = env) => ({ env: e, catalog: loadCatalog(e.REENACT_MODEL_CATALOG), platform: linux });

beforeAll(async () => {
  root = mkdtempSync(path.join(os.tmpdir(), 'reenact-lp-gpu-'));
  env = await installSyntheticModels(root, SMALL);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const portrait = makeImage(320, 360, 1);
const portraitFace = makeFace(160, 170, 40);
const reference = drivingFrame(0, makeImage(128, 128, 2), makeFace(64, 64, 28));
const frames = [5, 9, 13, 17, 21].map((seed, i) =>
  drivingFrame(i + 1, makeImage(128, 128, seed), makeFace(64 + (i % 3), 63 + (i % 2), 28, 0.1 + 0.05 * i)),
);

function maxDiff(a: Uint8Array, b: Uint8Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** The same frames on plain CPU sessions: what every fallback must reproduce. */
async function cpuFrames(options: Record<string, unknown> = {}): Promise<Uint8Array[]> {
  const engine = createLivePortraitEngine({ device: 'cpu', ...options }, deps());
  await engine.prepare(portrait, portraitFace);
  await engine.setReference(reference);
  const out: Uint8Array[] = [];
  for (const f of frames) out.push((await engine.render(f)).image.data);
  await engine.dispose();
  return out;
}

describe('neural engine on a GPU provider that fails (fake provider, real CPU sessions)', () => {
  it('a session that is created but cannot run (cuDNN failure on its first run) → the job opens on CPU, with a warning', async () => {
    const gpu = fakeGpu({ failRun: () => GPU_ERRORS.cudnn() });
    const engine = createLivePortraitEngine({ device: 'cuda' }, { ...deps(), createSession: gpu.create });
    await engine.prepare(portrait, portraitFace);
    expect(engine.info.device).toBe('cpu');
    // The warm-up run found it: one failed run on CUDA, then every session on CPU.
    expect(gpu.runs.filter((r) => r.device === 'cuda')).toEqual([
      { file: 'appearance_feature_extractor.onnx', device: 'cuda', call: 1, failed: true },
    ]);
    expect(new Set(gpu.created.slice(1).map((c) => c.device))).toEqual(new Set(['cpu']));
    await engine.setReference(reference);
    const first = await engine.render(frames[0]);
    expect(first.warnings).toEqual([
      `CUDA (--device cuda) could not start: appearance_feature_extractor failed its first run: ${GPU_ERRORS.cudnn()}. Running on CPU instead, which is much slower than cuda.`,
    ]);
    expect(engine.info.deviceChanges).toEqual([
      {
        from: 'cuda',
        to: 'cpu',
        frame: null,
        reason: `appearance_feature_extractor failed its first run: ${GPU_ERRORS.cudnn()}`,
      },
    ]);
    expect(maxDiff(first.image.data, (await cpuFrames())[0])).toBe(0);
    await engine.dispose();
  });

  it('a model file that fails to load on the GPU provider → the job opens on CPU, with a warning naming it', async () => {
    // The third file fails at session creation: the two CUDA sessions already open are released, not leaked.
    const gpu = fakeGpu({
      failCreate: (file, device) =>
        device === 'cuda' && file === 'warping_spade.gs-rewrite.onnx' ? GPU_ERRORS.cudnnInit() : undefined,
    });
    const engine = createLivePortraitEngine({ device: 'cuda' }, { ...deps(), createSession: gpu.create });
    await engine.prepare(portrait, portraitFace);
    expect(engine.info.device).toBe('cpu');
    const onCuda = gpu.created.filter((c) => c.device === 'cuda');
    expect(onCuda.map((c) => c.file)).toEqual(['appearance_feature_extractor.onnx', 'motion_extractor.onnx']);
    expect(gpu.released).toEqual(onCuda);
    const reason = `warping_spade could not be loaded: ${GPU_ERRORS.cudnnInit().trim()}`;
    expect(engine.info.deviceChanges).toEqual([{ from: 'cuda', to: 'cpu', frame: null, reason }]);
    await engine.setReference(reference);
    const first = await engine.render(frames[0]);
    expect(first.warnings).toEqual([
      `CUDA (--device cuda) could not start: ${reason}. Running on CPU instead, which is much slower than cuda.`,
    ]);
    expect(maxDiff(first.image.data, (await cpuFrames())[0])).toBe(0);
    await engine.dispose();
  });

  it('a run that fails at frame N (device removed) → frame N is rendered again on CPU and the job goes on there', async () => {
    // Warm-up is call 1 of the rewritten warping graph, frames 1 and 2 are calls 2 and 3: frame 3 fails.
    const gpu = fakeGpu({
      failRun: (r) =>
        r.file === 'warping_spade.gs-rewrite.onnx' && r.call === 4 ? GPU_ERRORS.deviceRemoved() : undefined,
    });
    const options = { motionSmoothing: 0.5 }; // the retry must smooth against frame 2, not the failed attempt
    const engine = createLivePortraitEngine({ device: 'cuda', ...options }, { ...deps(), createSession: gpu.create });
    await engine.prepare(portrait, portraitFace);
    expect(engine.info.device).toBe('cuda');
    await engine.setReference(reference);
    const out = [];
    for (const f of frames) out.push(await engine.render(f));
    expect(engine.info.device).toBe('cpu');
    expect(engine.info.deviceChanges).toEqual([
      { from: 'cuda', to: 'cpu', frame: 3, reason: `warping_spade: ${GPU_ERRORS.deviceRemoved()}` },
    ]);
    expect(out.map((o) => o.warnings)).toEqual([
      undefined,
      undefined,
      [
        `CUDA (--device cuda) failed at frame 3 (warping_spade: ${GPU_ERRORS.deviceRemoved()}); that frame and the rest of the job run on CPU, which is much slower.`,
      ],
      undefined,
      undefined,
    ]);
    // After the failure nothing runs on the GPU again; CPU gets the original graph.
    const failedAt = gpu.runs.findIndex((r) => r.failed);
    expect(gpu.runs.slice(failedAt + 1)).toEqual([]);
    expect(gpu.created.filter((c) => c.device === 'cpu').map((c) => c.file)).toContain('warping_spade.onnx');
    expect(engine.info.models.find((m) => m.id.startsWith('warping_spade'))).toMatchObject({ id: 'warping_spade' });
    // Every frame, the re-rendered one included, matches an all-CPU render (GPU frames ran the rewritten graph).
    const cpu = await cpuFrames(options);
    for (let i = 0; i < frames.length; i++)
      expect(maxDiff(out[i].image.data, cpu[i]), `frame ${i + 1}`).toBeLessThanOrEqual(1);
    await engine.dispose();
  });

  it('a failure while measuring the reference frame moves the job to CPU before the first frame', async () => {
    const gpu = fakeGpu({
      failRun: (r) => (r.file === 'motion_extractor.onnx' && r.call === 3 ? GPU_ERRORS.outOfMemory() : undefined),
    });
    const engine = createLivePortraitEngine({ device: 'cuda' }, { ...deps(), createSession: gpu.create });
    await engine.prepare(portrait, portraitFace); // motion_extractor call 2
    await engine.setReference(reference); // call 3 fails → reference measured on CPU
    expect(engine.info.deviceChanges?.[0]).toMatchObject({ from: 'cuda', to: 'cpu', frame: 0 });
    expect((await engine.render(frames[0])).warnings?.[0]).toMatch(
      /^CUDA \(--device cuda\) failed at frame 0 \(motion_extractor: Non-zero status code returned while running Conv node/,
    );
    await engine.dispose();
  });
});

describe('the original 5-D warping graph never runs on a GPU provider', () => {
  it('the fake CUDA provider fails that graph the way ONNX Runtime does ("Only 4-D tensor is supported")', async () => {
    const gpu = fakeGpu();
    const dir = path.join(root, 'cache', 'models', 'liveportrait');
    const session = await gpu.create(path.join(dir, 'warping_spade.onnx'), ['cuda', 'cpu'], 'cuda');
    const { warmUp } = await import('../../../bridge/src/onnx/session.js');
    const { SPECS } = await import('../../../bridge/src/engines/liveportrait/specs.js');
    await expect(warmUp(session, SPECS.warping_spade)).rejects.toThrow(
      "Non-zero status code returned while running GridSample node. Name:'/dense_motion_network/GridSample' Status Message: Only 4-D tensor is supported",
    );
    await session.release();
  });

  it('builds the rewritten graph when it is missing, and runs that on the GPU', async () => {
    const own = mkdtempSync(path.join(os.tmpdir(), 'reenact-lp-rebuild-'));
    try {
      const e = await installSyntheticModels(own, SMALL);
      const dir = path.join(own, 'cache', 'models', 'liveportrait');
      rmSync(path.join(dir, 'warping_spade.gs-rewrite.onnx'));
      const gpu = fakeGpu();
      const engine = createLivePortraitEngine({ device: 'cuda' }, { ...deps(e), createSession: gpu.create });
      await engine.prepare(portrait, portraitFace);
      expect(engine.info.device).toBe('cuda');
      expect(gpu.created).toContainEqual({ file: 'warping_spade.gs-rewrite.onnx', device: 'cuda' });
      expect(gpu.created).not.toContainEqual({ file: 'warping_spade.onnx', device: 'cuda' });
      const state = JSON.parse(readFileSync(path.join(dir, 'installed.json'), 'utf8'));
      expect(engine.info.models.find((m) => m.id === 'warping_spade:gs-rewrite')?.sha256).toBe(
        state.derived['warping_spade.gs-rewrite.onnx'].sha256,
      );
      expect(state.derived['warping_spade.gs-rewrite.onnx'].rewritten).toEqual([
        '/dense_motion_network/GridSample',
        '/GridSample',
      ]);
      await engine.dispose();
    } finally {
      rmSync(own, { recursive: true, force: true });
    }
  });

  it('falls back to CPU, saying why, when the rewritten graph is missing and cannot be built (read-only cache)', async () => {
    const own = mkdtempSync(path.join(os.tmpdir(), 'reenact-lp-ro-'));
    const cache = path.join(own, 'cache');
    // Tests run as root, whom chmod does not stop: a read-only tmpfs is the honest way to make the build fail.
    expect(mountTmpfs(cache, 'size=64m'), 'this sandbox must allow tmpfs mounts').toBe(true);
    try {
      const e = await installSyntheticModels(own, SMALL);
      const dir = path.join(cache, 'models', 'liveportrait');
      rmSync(path.join(dir, 'warping_spade.gs-rewrite.onnx'));
      remount(cache, 'ro');
      const gpu = fakeGpu();
      const engine = createLivePortraitEngine({ device: 'cuda' }, { ...deps(e), createSession: gpu.create });
      await engine.prepare(portrait, portraitFace);
      expect(engine.info.device).toBe('cpu');
      expect(gpu.created.filter((c) => c.device === 'cuda')).toEqual([]);
      expect(engine.warnings[0]).toMatch(
        /^CUDA \(--device cuda\) could not start: the GridSample-rewritten warping graph is missing and could not be built \(EROFS: read-only file system, .*\); run `reenact models install`\. Running on CPU instead, which is much slower than cuda\.$/,
      );
      expect(existsSync(path.join(dir, 'warping_spade.gs-rewrite.onnx'))).toBe(false);
      await engine.dispose();
    } finally {
      unmount(cache);
      rmSync(own, { recursive: true, force: true });
    }
  });

  it('refuses warpGraph=original on a GPU device (CPU with the reason), instead of handing it the 5-D graph', async () => {
    const gpu = fakeGpu();
    const engine = createLivePortraitEngine(
      { device: 'cuda', warpGraph: 'original' },
      { ...deps(), createSession: gpu.create },
    );
    await engine.prepare(portrait, portraitFace);
    expect(engine.info.device).toBe('cpu');
    expect(gpu.created.filter((c) => c.device === 'cuda')).toEqual([]);
    expect(engine.warnings[0]).toContain('warpGraph=original asks for the 5-D GridSample warping graph');
    await engine.dispose();
  });
});
