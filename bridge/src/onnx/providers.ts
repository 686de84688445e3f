/**
 * Execution providers: the devices of devices.ts are a closed set with one priority list per platform.
 * `auto` tries what this onnxruntime-node build offers for this platform (CUDA on Linux x64, DirectML on Windows,
 * CoreML on macOS arm64) and falls back to CPU with a visible warning; an explicit GPU device that fails to start
 * falls back the same way. WebGPU runs only when asked for by name (experimental, never in a priority list). The result says which device actually ran, for the manifest. Platform, arch, the list
 * of backends and the session factory are injectable so every branch is tested on a CPU-only machine.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { messageOf, ReenactError } from '../errors.js';
import {
  DEVICE_LABELS as DEVICE_LABEL,
  DEVICES,
  type Device,
  type DeviceRequest,
  EXPERIMENTAL_DEVICES,
} from './devices.js';
import { ortSessionOptions } from './session.js';

/** Preferred order per platform for `auto` (CPU always last). */
export const PLATFORM_PRIORITY: Record<string, Device[]> = {
  linux: ['cuda', 'cpu'],
  win32: ['dml', 'cpu'],
  darwin: ['coreml', 'cpu'],
};

/** Where onnxruntime-node ships each GPU provider (the platform table of its README, 1.2x–1.30). */
const DEVICE_PLATFORMS: Record<
  Exclude<Device, 'cpu'>,
  { platforms: { platform: string; arch: string[] }[]; where: string }
> = {
  cuda: { platforms: [{ platform: 'linux', arch: ['x64'] }], where: 'Linux x64 with an NVIDIA GPU' },
  dml: { platforms: [{ platform: 'win32', arch: ['x64', 'arm64'] }], where: 'Windows' },
  coreml: { platforms: [{ platform: 'darwin', arch: ['arm64'] }], where: 'macOS on Apple silicon' },
  // "WebGPU support is currently experimental"; not in the Linux arm64 binaries.
  webgpu: {
    platforms: [
      { platform: 'win32', arch: ['x64', 'arm64'] },
      { platform: 'linux', arch: ['x64'] },
      { platform: 'darwin', arch: ['x64', 'arm64'] },
    ],
    where: 'Windows, Linux x64 and macOS',
  },
};

/** onnxruntime-node execution provider names. */
export function executionProviders(device: Device): string[] {
  return device === 'cpu' ? ['cpu'] : [device, 'cpu'];
}

export interface PlatformInfo {
  platform: string;
  arch: string;
  /** Backend names this onnxruntime-node build registers (ort.listSupportedBackends()). */
  backends: string[];
  /** Providers this build knows but cannot load here, with why (e.g. CUDA's libraries were never installed). */
  unavailable?: Partial<Record<Device, string>>;
}

/** Provider libraries onnxruntime-node loads at run time for providers it does not bundle. */
const PROVIDER_LIBS: Partial<Record<Device, string[]>> = {
  cuda: ['libonnxruntime_providers_shared.so', 'libonnxruntime_providers_cuda.so'],
};

/** This process: platform, the backends of the installed onnxruntime-node, and GPU providers missing their libraries. */
export function currentPlatform(): PlatformInfo {
  const backends = ort.listSupportedBackends();
  const unavailable: Partial<Record<Device, string>> = {};
  let binDir = '';
  try {
    const entry = createRequire(import.meta.url).resolve('onnxruntime-node');
    binDir = path.join(path.dirname(entry), '..', 'bin', 'napi-v6', process.platform, process.arch);
  } catch {
    // Unusual layout: let session creation find out.
  }
  for (const b of backends) {
    const libs = PROVIDER_LIBS[b.name as Device];
    if (b.bundled || !libs || !binDir) continue;
    const missing = libs.filter((lib) => !existsSync(path.join(binDir, lib)));
    if (missing.length)
      unavailable[b.name as Device] =
        `its provider library is not installed (${missing.join(', ')} in ${binDir}; onnxruntime-node's install script downloads it, e.g. \`npm rebuild onnxruntime-node\` with scripts allowed)`;
  }
  return { platform: process.platform, arch: process.arch, backends: backends.map((b) => b.name), unavailable };
}

/** Whether this build can even try `device` here (it may still fail to start, e.g. no CUDA libraries). */
export function offered(device: Device, info: PlatformInfo): boolean {
  if (device === 'cpu') return true;
  const here = DEVICE_PLATFORMS[device].platforms.some(
    (p) => p.platform === info.platform && p.arch.includes(info.arch),
  );
  return here && info.backends.includes(device);
}

/**
 * The devices to try, in order, for a request (CPU always last), and why any GPU device of the platform is skipped.
 * @throws ReenactError MISSING_DEPENDENCY when an explicit device cannot exist on this platform ("dml on linux").
 */
export function deviceCandidates(
  request: DeviceRequest,
  info: PlatformInfo,
): { devices: Device[]; skipped: { device: Device; reason: string }[] } {
  const skip = (d: Device) => ({ device: d, reason: info.unavailable?.[d] ?? 'unavailable' });
  if (request === 'cpu') return { devices: ['cpu'], skipped: [] };
  if (request === 'auto') {
    const list = (PLATFORM_PRIORITY[info.platform] ?? ['cpu']).filter((d) => offered(d, info));
    return {
      devices: list.filter((d) => !info.unavailable?.[d]),
      skipped: list.filter((d) => info.unavailable?.[d]).map(skip),
    };
  }
  if (!offered(request, info)) {
    const p = DEVICE_PLATFORMS[request];
    const here = (PLATFORM_PRIORITY[info.platform] ?? ['cpu']).filter((d) => offered(d, info));
    throw new ReenactError(
      'MISSING_DEPENDENCY',
      `Expected a platform with the ${DEVICE_LABEL[request]} provider for --device ${request} but received ${info.platform}-${info.arch}; ${DEVICE_LABEL[request]} runs on ${p.where}. Use one of auto, ${here.join(', ')}.`,
    );
  }
  if (info.unavailable?.[request]) return { devices: ['cpu'], skipped: [skip(request)] };
  return { devices: [request, 'cpu'], skipped: [] };
}

export type SessionFactory = (
  model: string | Uint8Array,
  executionProviders: string[],
  device: Device,
) => Promise<ort.InferenceSession>;

/** Default factory: onnxruntime-node with the settings each provider wants (session.ts ortSessionOptions). */
export const createOrtSession: SessionFactory = (model, eps, device) =>
  ort.InferenceSession.create(model as Uint8Array, ortSessionOptions({ executionProviders: eps, device }));

export interface SessionSet<K extends string> {
  sessions: Record<K, ort.InferenceSession>;
  /** The device that actually runs (record it in the manifest). */
  device: Device;
  /** Visible warnings, e.g. the CPU fallback. */
  warnings: string[];
  /** Devices tried before `device` that could not run the models, and why (for the manifest). */
  failures: { device: Device; reason: string }[];
}

export interface OpenOptions<K extends string> {
  platform?: PlatformInfo;
  create?: SessionFactory;
  /**
   * One inference per session on a GPU device before it is accepted (e.g. zeros shaped from the model's spec): a
   * provider that creates a session but cannot run it (CUDA "Only 4-D tensor is supported", a cuDNN or driver
   * failure) then falls back like one that cannot start, before the job depends on it.
   */
  warmUp?: (id: K, session: ort.InferenceSession, device: Device) => Promise<void>;
}

/**
 * Opens every model of a job on the first device that starts all of them (and runs each once, with `warmUp`).
 * `models(device)` gives each model's file or bytes for that device (the engine picks the GridSample-rewritten graph
 * for GPU providers); it may throw to say a device cannot run this job (the reason goes into the CPU warning).
 * Sessions are created once per job and reused for every frame; `releaseSessions` frees them.
 * @throws ReenactError ENGINE_FAILED when even CPU fails (a broken model file), MISSING_DEPENDENCY as above.
 */
export async function openSessions<K extends string>(
  request: DeviceRequest,
  models: (device: Device) => Record<K, string | Uint8Array> | Promise<Record<K, string | Uint8Array>>,
  deps: OpenOptions<K> = {},
): Promise<SessionSet<K>> {
  const info = deps.platform ?? currentPlatform();
  const create = deps.create ?? createOrtSession;
  const { devices, skipped } = deviceCandidates(request, info);
  const warnings: string[] = [];
  const failures = skipped.map((s) => ({ device: s.device, reason: s.reason }));
  for (const device of devices) {
    const opened: Partial<Record<K, ort.InferenceSession>> = {};
    try {
      for (const [id, model] of Object.entries(await models(device)) as [K, string | Uint8Array][]) {
        // Name the model: a provider may load some files and refuse one (memory, an op it lacks).
        opened[id] = await create(model, executionProviders(device), device).catch((err: unknown) => {
          throw new Error(`${id} could not be loaded: ${messageOf(err).trim()}`, { cause: err });
        });
        if (device !== 'cpu' && deps.warmUp)
          await deps.warmUp(id, opened[id]!, device).catch((err: Error) => {
            throw new Error(`${id} failed its first run: ${err.message.trim()}`, { cause: err });
          });
      }
      if (failures.length && device === 'cpu') {
        warnings.push(
          `${failures.map((f) => `${DEVICE_LABEL[f.device]} (--device ${f.device}) could not start: ${f.reason}`).join('; ')}. Running on CPU instead, which is much slower${request === 'auto' ? '' : ` than ${request}`}.`,
        );
      }
      return { sessions: opened as Record<K, ort.InferenceSession>, device, warnings, failures };
    } catch (err) {
      await releaseSessions(opened);
      const reason = messageOf(err).split('\n')[0];
      if (device === 'cpu')
        throw new ReenactError('ENGINE_FAILED', `Could not load the models on CPU: ${reason}`, { cause: err });
      failures.push({ device, reason });
    }
  }
  throw new ReenactError('INTERNAL', 'No device candidates.');
}

/** Releases every session (ignores ones already released). */
export async function releaseSessions(sessions: Partial<Record<string, ort.InferenceSession>>): Promise<void> {
  for (const s of Object.values(sessions)) {
    try {
      await s?.release();
    } catch {
      // already released
    }
  }
}

/**
 * Each device and whether this machine can use it, with the reason when not (for the panel's device menu and the
 * bridge's /devices). Same rules as deviceCandidates: a GPU device is available when the platform has it and this
 * onnxruntime-node install can load it (it may still fail at session start; the job then falls back to CPU).
 */
export function deviceAvailability(
  info: PlatformInfo = currentPlatform(),
): { name: DeviceRequest; available: boolean; reason?: string; experimental?: true }[] {
  return DEVICES.map((name) => {
    if (name === 'auto' || name === 'cpu') return { name, available: true };
    const experimental = EXPERIMENTAL_DEVICES.includes(name) ? { experimental: true as const } : {};
    if (!offered(name, info))
      return {
        name,
        available: false,
        reason: `${DEVICE_LABEL[name]} runs on ${DEVICE_PLATFORMS[name].where}; this is ${info.platform}-${info.arch}.`,
        ...experimental,
      };
    const why = info.unavailable?.[name];
    return why
      ? { name, available: false, reason: `${DEVICE_LABEL[name]}: ${why}.`, ...experimental }
      : { name, available: true, ...experimental };
  });
}
