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
import { engineAvailability } from '../engines/registry.js';
import { defaultRunner, type JobRunner, renderMode } from '../jobs/runner.js';
import { createModelInstaller, type ModelInstaller } from './model-install.js';

export interface BridgeServices {
  runner: JobRunner;
  probe(file: string): Promise<ProbeResponse>;
  faces(request: FacesRequestParsed, signal: AbortSignal): Promise<FacesResponse>;
  engines(): Promise<EngineAvailability[]>;
  devices(): Promise<DeviceAvailability[]>;
  /** The neural engine's model files and their install. */
  models: ModelInstaller;
  /** Releases what the services started (the face scan's thread); called once when the bridge closes. */
  close(): Promise<void>;
}

async function probe(file: string): Promise<ProbeResponse> {
  const media = await import('../media/probe.js');
  return media.probe(file);
}

let facesThread: typeof import('./faces-thread.js') | undefined;

/** The face scan: in a thread of its own where jobs render in threads (the compiled bridge), else here. */
async function faces(request: FacesRequestParsed, signal: AbortSignal): Promise<FacesResponse> {
  if (renderMode() === 'thread') {
    facesThread ??= await import('./faces-thread.js');
    return facesThread.listFacesInThread(request, signal);
  }
  const mod = await import('./faces.js');
  return mod.listFaces(request, signal);
}

/** Devices by the same rules the engine uses to pick one (onnx/providers.ts). */
async function devices(): Promise<DeviceAvailability[]> {
  const { deviceAvailability } = await import('../onnx/providers.js');
  return deviceAvailability();
}

/** The real services; `env` locates the model catalog and cache (tests point it at their own). */
export function defaultServices(env: NodeJS.ProcessEnv = process.env): BridgeServices {
  return {
    runner: defaultRunner,
    probe,
    faces,
    engines: () => engineAvailability(env),
    devices,
    models: createModelInstaller(env),
    close: async () => facesThread?.stopFacesThread(),
  };
}
