import type * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { ReenactError } from '../../bridge/src/errors.js';
import { type Device, type DeviceRequest, parseDevice } from '../../bridge/src/onnx/devices.js';
import { DataType, encodeModel, makeModel, valueInfo } from '../../bridge/src/onnx/proto.js';
import {
  deviceAvailability,
  deviceCandidates,
  openSessions,
  type PlatformInfo,
  type SessionFactory,
} from '../../bridge/src/onnx/providers.js';

const linux: PlatformInfo = { platform: 'linux', arch: 'x64', backends: ['cpu', 'webgpu', 'cuda', 'tensorrt'] };
const linuxNoCuda: PlatformInfo = { platform: 'linux', arch: 'x64', backends: ['cpu'] };
const windows: PlatformInfo = { platform: 'win32', arch: 'x64', backends: ['cpu', 'dml', 'webgpu'] };
const macArm: PlatformInfo = { platform: 'darwin', arch: 'arm64', backends: ['cpu', 'coreml', 'webgpu'] };
const macIntel: PlatformInfo = { platform: 'darwin', arch: 'x64', backends: ['cpu'] };

const relu = encodeModel(
  makeModel({
    name: 'relu',
    node: [{ opType: 'Relu', input: ['x'], output: ['y'] }],
    input: [valueInfo('x', DataType.FLOAT, [1, 2])],
    output: [valueInfo('y', DataType.FLOAT, [1, 2])],
  }),
);

/** A fake factory that records calls; devices in `broken` fail like a missing provider library. */
function fakeFactory(broken: Device[]) {
  const calls: { eps: string[]; device: Device }[] = [];
  const released: Device[] = [];
  const create: SessionFactory = async (_model, eps, device) => {
    calls.push({ eps, device });
    if (broken.includes(device))
      throw new Error(`OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library\nmore`);
    return { release: async () => void released.push(device) } as unknown as ort.InferenceSession;
  };
  return { create, calls, released };
}

describe('execution providers', () => {
  it('accepts the closed set of devices and names it on a bad value', () => {
    expect(parseDevice('cuda')).toBe('cuda');
    expect(() => parseDevice('gpu')).toThrow(
      new ReenactError(
        'USAGE',
        'Expected one of auto, cpu, cuda, dml, coreml, webgpu for --device but received "gpu".',
      ),
    );
  });

  it('has one priority list per platform for auto, limited to what the build offers', () => {
    const devices = (r: DeviceRequest, p: PlatformInfo) => deviceCandidates(r, p).devices;
    expect(devices('auto', linux)).toEqual(['cuda', 'cpu']);
    expect(devices('auto', linuxNoCuda)).toEqual(['cpu']);
    expect(devices('auto', windows)).toEqual(['dml', 'cpu']);
    expect(devices('auto', macArm)).toEqual(['coreml', 'cpu']);
    expect(devices('auto', macIntel)).toEqual(['cpu']);
    expect(devices('auto', { platform: 'freebsd', arch: 'x64', backends: ['cpu'] })).toEqual(['cpu']);
    expect(devices('cpu', windows)).toEqual(['cpu']);
    expect(devices('dml', windows)).toEqual(['dml', 'cpu']);
  });

  it('refuses dml on linux with a clear error', () => {
    let err: unknown;
    try {
      deviceCandidates('dml', linux);
    } catch (e) {
      err = e;
    }
    expect((err as ReenactError).code).toBe('MISSING_DEPENDENCY');
    expect((err as ReenactError).message).toBe(
      'Expected a platform with the DirectML provider for --device dml but received linux-x64; DirectML runs on Windows. Use one of auto, cuda, cpu.',
    );
    expect(() => deviceCandidates('coreml', macIntel)).toThrow(/CoreML runs on macOS on Apple silicon/);
  });

  it('falls back to CPU with a visible warning when cuda is requested but its provider cannot load', async () => {
    const f = fakeFactory(['cuda']);
    const set = await openSessions('cuda', () => ({ a: relu, b: relu }), { platform: linux, create: f.create });
    expect(set.device).toBe('cpu');
    expect(set.warnings).toEqual([
      'CUDA (--device cuda) could not start: a could not be loaded: OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library. Running on CPU instead, which is much slower than cuda.',
    ]);
    expect(f.calls.map((c) => c.eps)).toEqual([['cuda', 'cpu'], ['cpu'], ['cpu']]);
  });

  it('skips a provider whose libraries are not installed without trying it, and says so', async () => {
    const f = fakeFactory([]);
    const noLibs: PlatformInfo = { ...linux, unavailable: { cuda: 'its provider library is not installed (libx.so)' } };
    const auto = await openSessions('auto', () => ({ a: relu }), { platform: noLibs, create: f.create });
    expect(auto).toMatchObject({ device: 'cpu' });
    expect(auto.warnings).toEqual([
      'CUDA (--device cuda) could not start: its provider library is not installed (libx.so). Running on CPU instead, which is much slower.',
    ]);
    const cuda = await openSessions('cuda', () => ({ a: relu }), { platform: noLibs, create: f.create });
    expect(cuda.warnings[0]).toMatch(
      /could not start: its provider library is not installed \(libx\.so\)\. Running on CPU instead, which is much slower than cuda\.$/,
    );
    expect(f.calls.map((c) => c.device)).toEqual(['cpu', 'cpu']);
  });

  it('uses the GPU when it starts, asking each model for the file of that device', async () => {
    const f = fakeFactory([]);
    const asked: Device[] = [];
    const set = await openSessions(
      'auto',
      (device) => {
        asked.push(device);
        return { warp: device === 'cpu' ? 'orig.onnx' : 'rewritten.onnx' };
      },
      { platform: windows, create: f.create },
    );
    expect(set).toMatchObject({ device: 'dml', warnings: [] });
    expect(asked).toEqual(['dml']);
    expect(f.calls).toEqual([{ eps: ['dml', 'cpu'], device: 'dml' }]);
  });

  it('releases sessions already opened on a device that fails part-way', async () => {
    let n = 0;
    const released: string[] = [];
    const create: SessionFactory = async (_m, _eps, device) => {
      n += 1;
      if (device === 'coreml' && n === 2) throw new Error('CoreML: unsupported op GridSample');
      const tag = `${device}${n}`;
      return { release: async () => void released.push(tag) } as unknown as ort.InferenceSession;
    };
    const set = await openSessions('auto', () => ({ a: relu, b: relu }), { platform: macArm, create });
    expect(set.device).toBe('cpu');
    expect(released).toEqual(['coreml1']);
    expect(set.warnings[0]).toBe(
      'CoreML (--device coreml) could not start: b could not be loaded: CoreML: unsupported op GridSample. Running on CPU instead, which is much slower.',
    );
  });

  it('opens real onnxruntime sessions on this machine (auto → what this build offers, else CPU)', async () => {
    const set = await openSessions('auto', () => ({ relu }));
    expect(['cpu', 'cuda']).toContain(set.device);
    if (set.device === 'cpu' && set.warnings.length)
      expect(set.warnings[0]).toMatch(/^CUDA \(--device cuda\) could not start/);
    await set.sessions.relu.release();
  });

  it('says the model is broken when even CPU cannot load it', async () => {
    await expect(
      openSessions('cpu', () => ({ bad: new Uint8Array([1, 2, 3]) }), { platform: linuxNoCuda }),
    ).rejects.toMatchObject({ code: 'ENGINE_FAILED' });
  });

  it('lists each device with why it is unavailable here', () => {
    expect(
      deviceAvailability({ ...linux, unavailable: { cuda: 'its provider library is not installed (x.so)' } }),
    ).toEqual([
      { name: 'auto', available: true },
      { name: 'cpu', available: true },
      { name: 'cuda', available: false, reason: 'CUDA: its provider library is not installed (x.so).' },
      { name: 'dml', available: false, reason: 'DirectML runs on Windows; this is linux-x64.' },
      { name: 'coreml', available: false, reason: 'CoreML runs on macOS on Apple silicon; this is linux-x64.' },
      { name: 'webgpu', available: true, experimental: true },
    ]);
    expect(deviceAvailability(windows).find((d) => d.name === 'dml')).toEqual({ name: 'dml', available: true });
    expect(deviceAvailability({ platform: 'linux', arch: 'arm64', backends: ['cpu'] }).at(-1)).toEqual({
      name: 'webgpu',
      available: false,
      reason: 'WebGPU runs on Windows, Linux x64 and macOS; this is linux-arm64.',
      experimental: true,
    });
  });

  it('offers webgpu (experimental) only when asked for by name: auto never picks it', () => {
    expect(parseDevice('webgpu')).toBe('webgpu');
    // onnxruntime-node 1.30 bundles WebGPU on Windows, Linux x64 and macOS (its README's platform table).
    for (const p of [linux, windows, macArm]) {
      expect(p.backends).toContain('webgpu');
      expect(deviceCandidates('auto', p).devices).not.toContain('webgpu');
      expect(deviceCandidates('webgpu', p).devices).toEqual(['webgpu', 'cpu']);
    }
    expect(() => deviceCandidates('webgpu', { platform: 'linux', arch: 'arm64', backends: ['cpu'] })).toThrow(
      'Expected a platform with the WebGPU provider for --device webgpu but received linux-arm64; WebGPU runs on Windows, Linux x64 and macOS.',
    );
  });
});
