import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLivePortraitEngine, parseLivePortraitConfig } from '../../../bridge/src/engines/liveportrait/index.js';
import { checkSignature, SPECS } from '../../../bridge/src/engines/liveportrait/specs.js';
import { engineAvailability } from '../../../bridge/src/engines/registry.js';
import { ReenactError } from '../../../bridge/src/errors.js';
import { loadCatalog } from '../../../bridge/src/models/catalog.js';
import { DataType, encodeModel, makeModel, valueInfo } from '../../../bridge/src/onnx/proto.js';
import type { SessionFactory } from '../../../bridge/src/onnx/providers.js';
import { drivingFrame, installSyntheticModels, makeFace, makeImage } from './fixtures.js';

let root: string;
let env: NodeJS.ProcessEnv;
const deps = () => ({ env, catalog: loadCatalog(env.REENACT_MODEL_CATALOG) });

beforeAll(async () => {
  root = mkdtempSync(path.join(os.tmpdir(), 'reenact-lp-'));
  env = await installSyntheticModels(root);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const portrait = makeImage(320, 360, 1);
const portraitFace = makeFace(160, 170, 40);
const refFrame = drivingFrame(0, makeImage(128, 128, 2), makeFace(64, 64, 28));
const frameA = drivingFrame(1, makeImage(128, 128, 5), makeFace(66, 63, 28, 0.3));
const frameB = drivingFrame(2, makeImage(128, 128, 9), makeFace(62, 66, 29, 0.2));

function diff(a: Uint8Array, b: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) n++;
  return n;
}

describe('LivePortrait engine on synthetic models (real sessions, CPU)', () => {
  it('prepares, takes a reference and renders full-resolution RGBA frames with a matte', async () => {
    const engine = createLivePortraitEngine({ device: 'cpu' }, deps());
    expect(engine.info).toMatchObject({ name: 'liveportrait', needsDrivingPixels: true, device: 'cpu' });
    await engine.prepare(portrait, portraitFace);
    expect(engine.info.device).toBe('cpu');
    expect(engine.info.models.map((m) => m.id)).toEqual([
      'appearance_feature_extractor',
      'motion_extractor',
      'warping_spade',
      'stitching',
      'landmark',
    ]);
    expect(engine.info.models.every((m) => /^[0-9a-f]{64}$/.test(m.sha256) && m.licence === 'MIT')).toBe(true);
    await engine.setReference(refFrame);
    const a = await engine.render(frameA);
    const b = await engine.render(frameB);
    expect(a.image).toMatchObject({ width: 320, height: 360, channels: 4 });
    expect(a.image.data.length).toBe(320 * 360 * 4);
    const px = (img: Uint8Array, x: number, y: number) =>
      Array.from(img.slice((y * 320 + x) * 4, (y * 320 + x) * 4 + 4));
    // Matte: opaque at the face, transparent at the image corner (outside the crop), RGB there = portrait.
    expect(px(a.image.data, 160, 170)[3]).toBe(255);
    expect(px(a.image.data, 0, 0)).toEqual([portrait.data[0], portrait.data[1], portrait.data[2], 0]);
    // The face changed, and differs between two driving frames.
    expect(diff(a.image.data, Uint8Array.from(portrait.data))).toBeGreaterThan(1000);
    expect(diff(a.image.data, b.image.data)).toBeGreaterThan(100);
    // No face → the neutral portrait, nothing animated (alpha 0), as the pipeline writes it.
    const none = await engine.render(drivingFrame(3, undefined, null));
    const at = (170 * 320 + 160) * 3;
    expect(px(none.image.data, 160, 170)).toEqual([...Array.from(portrait.data.slice(at, at + 3)), 0]);
    const t = engine.timings();
    expect(t.frames).toBe(2);
    for (const stage of ['crop', 'run:motion_extractor', 'run:stitching', 'run:warping_spade', 'pasteback'])
      expect(t.stages[stage]?.calls, stage).toBeGreaterThan(0);
    expect(t.stages['run:warping_spade'].calls).toBe(2);
    expect(t.outsideShare).toBeGreaterThan(0);
    expect(t.outsideShare).toBeLessThan(1);
    await engine.dispose();
  });

  it('honours intensity: at 0 every driving frame gives the same face (x_d = x_s)', async () => {
    const engine = createLivePortraitEngine({ device: 'cpu', stitching: false }, deps());
    await engine.prepare(portrait, portraitFace);
    await engine.setReference(refFrame);
    const a = await engine.render({ ...frameA, controls: { ...frameA.controls, intensity: 0 } });
    const b = await engine.render({ ...frameB, controls: { ...frameB.controls, intensity: 0 } });
    expect(diff(a.image.data, b.image.data)).toBe(0);
    const held = await engine.render({ ...frameA, controls: { ...frameA.controls, holdPose: true } });
    const moving = await engine.render(frameA);
    expect(diff(held.image.data, moving.image.data)).toBeGreaterThan(0);
    await engine.dispose();
  });

  it('runs the eye and lip retargeting networks for ratio overrides', async () => {
    const engine = createLivePortraitEngine({ device: 'cpu', eyeRatio: 0.1, lipRatio: 0, normalizeLip: true }, deps());
    await engine.prepare(portrait, portraitFace);
    expect(engine.info.models.map((m) => m.id)).toContain('stitching_eye');
    await engine.setReference(refFrame);
    await engine.render(frameA);
    const t = engine.timings();
    expect(t.stages['run:stitching_eye'].calls).toBe(1);
    expect(t.stages['run:stitching_lip'].calls).toBe(2); // override + normalisation, both once per portrait
    expect(t.stages['run:landmark'].calls).toBe(2); // the portrait's crop and ratios, the reference frame's crop
    await engine.dispose();
  });

  it('falls back to CPU with a visible warning when the GPU provider cannot start', async () => {
    const create: SessionFactory = async (model, eps, device) => {
      if (device === 'cuda')
        throw new Error('OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library');
      return ort.InferenceSession.create(model as string, { executionProviders: eps });
    };
    const engine = createLivePortraitEngine(
      { device: 'auto' },
      { ...deps(), platform: { platform: 'linux', arch: 'x64', backends: ['cpu', 'cuda'] }, createSession: create },
    );
    await engine.prepare(portrait, portraitFace);
    expect(engine.info.device).toBe('cpu');
    await engine.setReference(refFrame);
    const first = await engine.render(frameA);
    expect(first.warnings).toEqual([
      'CUDA (--device cuda) could not start: appearance_feature_extractor could not be loaded: OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library. Running on CPU instead, which is much slower.',
    ]);
    expect((await engine.render(frameB)).warnings).toBeUndefined();
    await engine.dispose();
  });

  it('loads the GridSample-rewritten warping graph on a GPU device, with the same frames as the original', async () => {
    const files: string[] = [];
    // Pretend CUDA works by running its sessions on CPU: proves the engine picks the rewritten file for GPUs.
    const create: SessionFactory = async (model, _eps, _device) => {
      files.push(path.basename(model as string));
      return ort.InferenceSession.create(model as string, { executionProviders: ['cpu'] });
    };
    const gpu = createLivePortraitEngine(
      { device: 'cuda' },
      { ...deps(), platform: { platform: 'linux', arch: 'x64', backends: ['cpu', 'cuda'] }, createSession: create },
    );
    await gpu.prepare(portrait, portraitFace);
    expect(gpu.info.device).toBe('cuda');
    expect(files).toContain('warping_spade.gs-rewrite.onnx');
    expect(gpu.info.models.find((m) => m.id.startsWith('warping_spade'))).toMatchObject({
      id: 'warping_spade:gs-rewrite',
      file: 'warping_spade.gs-rewrite.onnx',
    });
    await gpu.setReference(refFrame);
    const cpu = createLivePortraitEngine({ device: 'cpu' }, deps());
    await cpu.prepare(portrait, portraitFace);
    await cpu.setReference(refFrame);
    const g = (await gpu.render(frameA)).image.data;
    const c = (await cpu.render(frameA)).image.data;
    let maxDiff = 0;
    for (let i = 0; i < g.length; i++) maxDiff = Math.max(maxDiff, Math.abs(g[i] - c[i]));
    expect(maxDiff).toBeLessThanOrEqual(1);
    await gpu.dispose();
    await cpu.dispose();
  });

  it('says how to install the models when they are missing (exit code 3)', async () => {
    const emptyEnv = { ...env, REENACT_CACHE_DIR: path.join(root, 'empty-cache') };
    const engine = createLivePortraitEngine(
      { device: 'cpu' },
      { env: emptyEnv, catalog: loadCatalog(env.REENACT_MODEL_CATALOG) },
    );
    const err = (await engine.prepare(portrait, portraitFace).catch((e) => e)) as ReenactError;
    expect(err.code).toBe('MISSING_MODEL');
    expect(err.exitCode).toBe(3);
    expect(err.message).toBe(
      `The liveportrait models are not installed (missing appearance_feature_extractor.onnx, motion_extractor.onnx, warping_spade.onnx, stitching.onnx in ${path.join(root, 'empty-cache', 'models', 'liveportrait')}). Run \`reenact models install\`, or offline \`reenact models install --from <folder>\` with the files in that folder.`,
    );
  });

  it('refuses a reference frame without a face, and bad options by name', async () => {
    const engine = createLivePortraitEngine({ device: 'cpu', regions: ['expression', 'eyes'] }, deps());
    await engine.prepare(portrait, portraitFace);
    await expect(engine.setReference(drivingFrame(4, makeImage(64, 64, 1), null))).rejects.toThrow(
      new ReenactError(
        'BAD_INPUT',
        'Expected a face in the reference frame 4 but none was found. Pick another reference frame.',
      ),
    );
    await engine.dispose();
    expect(() => parseLivePortraitConfig({ intensity: 9 })).toThrow(
      'Expected a value ≤ 4 for liveportrait.intensity but received 9.',
    );
    expect(() => parseLivePortraitConfig({ device: 'gpu' })).toThrow(
      'Expected one of "auto", "cpu", "cuda", "dml", "coreml", "webgpu" for liveportrait.device but received "gpu".',
    );
    expect(() => parseLivePortraitConfig({ flag_stitching: true })).toThrow(
      /^Expected a known option \(device, intensity, .*\) for liveportrait\.flag_stitching but received true\.$/,
    );
    expect(parseLivePortraitConfig({ regions: 'lips' }).regions).toEqual(['lips']);
  });

  it('refuses a model file whose inputs differ from the real signature, naming the file', async () => {
    const wrongRoot = mkdtempSync(path.join(os.tmpdir(), 'reenact-lp-wrong-'));
    try {
      const wrongEnv = await installSyntheticModels(wrongRoot, { landmark: false });
      const file = path.join(wrongRoot, 'cache', 'models', 'liveportrait', 'stitching.onnx');
      writeFileSync(
        file,
        encodeModel(
          makeModel({
            name: 'wrong',
            node: [{ opType: 'Identity', input: ['input'], output: ['output'] }],
            input: [valueInfo('input', DataType.FLOAT, [1, 130])],
            output: [valueInfo('output', DataType.FLOAT, [1, 130])],
          }),
        ),
      );
      const engine = createLivePortraitEngine(
        { device: 'cpu' },
        { env: wrongEnv, catalog: loadCatalog(wrongEnv.REENACT_MODEL_CATALOG) },
      );
      const err = (await engine.prepare(portrait, portraitFace).catch((e) => e)) as ReenactError;
      expect(err.code).toBe('ENGINE_FAILED');
      expect(err.message).toBe(
        `Expected input input of model stitching to be float32 1×126 but the file declares float32 1×130 (${file}). Reinstall the catalog's files: reenact models install --force.`,
      );
      await engine.dispose();
    } finally {
      rmSync(wrongRoot, { recursive: true, force: true });
    }
  });

  it('leaves out an optional landmark.onnx that does not fit, with a warning, and renders with the 468-point ratios', async () => {
    const lmRoot = mkdtempSync(path.join(os.tmpdir(), 'reenact-lp-landmark-'));
    try {
      const lmEnv = await installSyntheticModels(lmRoot, { landmark: true });
      const file = path.join(lmRoot, 'cache', 'models', 'liveportrait', 'landmark.onnx');
      const lmDeps = { env: lmEnv, catalog: loadCatalog(lmEnv.REENACT_MODEL_CATALOG) };
      // A 106-point model where the 203-point one belongs: same input, other output.
      writeFileSync(
        file,
        encodeModel(
          makeModel({
            name: 'other-landmarks',
            node: [{ opType: 'Flatten', input: ['input'], output: ['fc1'] }],
            input: [valueInfo('input', DataType.FLOAT, [1, 3, 224, 224])],
            output: [valueInfo('fc1', DataType.FLOAT, [1, 150528])],
          }),
        ),
      );
      const engine = createLivePortraitEngine({ device: 'cpu' }, lmDeps);
      await engine.prepare(portrait, portraitFace);
      expect(engine.info.models.map((m) => m.id)).not.toContain('landmark');
      await engine.setReference(refFrame);
      const frame = await engine.render(frameA);
      expect(frame.warnings).toEqual([
        "The optional landmark model could not be used (Expected model landmark to have inputs [input] and outputs [856] but it has inputs [input] and outputs [fc1].); eye and lip ratios come from the tracker's 468 points instead. Reinstall it with `reenact models install landmark --force`, or remove it.",
      ]);
      await engine.dispose();
      // A damaged file (not ONNX at all) is left out the same way.
      writeFileSync(file, 'not a model');
      const damaged = createLivePortraitEngine({ device: 'cpu' }, lmDeps);
      await damaged.prepare(portrait, portraitFace);
      expect(damaged.warnings[0]).toMatch(/^The optional landmark model could not be used \(/);
      await damaged.dispose();
    } finally {
      rmSync(lmRoot, { recursive: true, force: true });
    }
  });

  it('refuses an FP16 export (declared float16 input)', () => {
    const meta = (type: string) => ({
      inputMetadata: [{ name: 'img', isTensor: true, type, shape: [1, 3, 256, 256] }],
      outputMetadata: [],
    });
    expect(() => checkSignature(meta('float32'), SPECS.motion_extractor, 'm.onnx')).not.toThrow();
    expect(() => checkSignature(meta('float16'), SPECS.motion_extractor, 'm.onnx')).toThrow(
      "Expected input img of model motion_extractor to be float32 1×3×256×256 but the file declares float16 1×3×256×256 (m.onnx). Reinstall the catalog's files: reenact models install --force.",
    );
  });

  it('reports through the engine registry whether the models are installed, for the bridge and the panel', async () => {
    const neural = async (e: NodeJS.ProcessEnv) => (await engineAvailability(e)).find((x) => x.name === 'liveportrait');
    expect(await neural(env)).toEqual({ name: 'liveportrait', label: 'Neural', available: true });
    expect(await neural({ ...env, REENACT_CACHE_DIR: path.join(root, 'nothing') })).toEqual({
      name: 'liveportrait',
      label: 'Neural',
      available: false,
      needsModels: true,
      reason: 'Models are not installed (6 of 6 missing): run `reenact models install`.',
    });
  });
});
