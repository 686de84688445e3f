/**
 * What the bridge's routes call into: the render pipeline, media probing, the face scan and engine/device
 * discovery. Bundled as one object so tests can swap a single piece (a runner that hangs, a probe that throws)
 * while everything else stays real. Heavy modules (ONNX, face models) load on first use, not at startup.
 */
import type {
  DeviceAvailability,
  EngineAvailability,
  FacesRequestParsed,
  FacesResponse,
  ProbeResponse,
} from '../api/schema.js';
import { defaultRunner, type JobRunner } from '../jobs/runner.js';

export interface BridgeServices {
  runner: JobRunner;
  probe(file: string): Promise<ProbeResponse>;
  faces(request: FacesRequestParsed, signal: AbortSignal): Promise<FacesResponse>;
  engines(): Promise<EngineAvailability[]>;
  devices(): Promise<DeviceAvailability[]>;
}

async function probe(file: string): Promise<ProbeResponse> {
  const media = await import('../media/probe.js');
  return media.probe(file);
}

async function faces(request: FacesRequestParsed, signal: AbortSignal): Promise<FacesResponse> {
  const mod = await import('./faces.js');
  return mod.listFaces(request, signal);
}

/** What pipeline/engines.ts can build; the neural engine is available once its models are installed. */
async function engines(): Promise<EngineAvailability[]> {
  const { livePortraitAvailability } = await import('../engines/liveportrait/index.js');
  const lp = livePortraitAvailability();
  return [
    { name: 'meshwarp', available: true },
    { name: 'liveportrait', available: lp.available, ...(lp.reason ? { reason: lp.reason } : {}) },
    { name: 'fixture', available: true },
  ];
}

/** Devices by the same rules the engine uses to pick one (onnx/providers.ts). */
async function devices(): Promise<DeviceAvailability[]> {
  const { deviceAvailability } = await import('../onnx/providers.js');
  return deviceAvailability();
}

export function defaultServices(): BridgeServices {
  return { runner: defaultRunner, probe, faces, engines, devices };
}
