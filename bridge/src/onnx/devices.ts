/**
 * The execution devices a job may ask for: one closed list, read by the job spec, the bridge's API, the CLI's
 * `--device` choices and the provider picker (providers.ts). Browser-safe (no onnxruntime import), so the panel's
 * types come from here too. Adding a device: add it here, then teach providers.ts where it runs.
 */
import { z } from 'zod';
import { ReenactError } from '../errors.js';

export const DEVICES = ['auto', 'cpu', 'cuda', 'dml', 'coreml', 'webgpu'] as const;
/** What a job asks for; `auto` picks the platform's best provider. */
export type DeviceRequest = (typeof DEVICES)[number];
/** A provider that actually runs. */
export type Device = Exclude<DeviceRequest, 'auto'>;

export const DeviceSchema = z.enum(DEVICES);

/** Names for messages and menus. */
export const DEVICE_LABELS: Record<DeviceRequest, string> = {
  auto: 'Auto',
  cpu: 'CPU',
  cuda: 'CUDA',
  dml: 'DirectML',
  coreml: 'CoreML',
  webgpu: 'WebGPU',
};

/**
 * Devices only run when asked for by name, never chosen by `auto`: onnxruntime-node calls its WebGPU provider
 * experimental, and reenact has not verified it on a GPU.
 */
export const EXPERIMENTAL_DEVICES: readonly DeviceRequest[] = ['webgpu'];

/**
 * Validates a device name.
 * @throws ReenactError USAGE 'Expected one of auto, cpu, cuda, dml, coreml, webgpu for --device but received "gpu".'
 */
export function parseDevice(value: string): DeviceRequest {
  if ((DEVICES as readonly string[]).includes(value)) return value as DeviceRequest;
  throw new ReenactError('USAGE', `Expected one of ${DEVICES.join(', ')} for --device but received "${value}".`);
}
