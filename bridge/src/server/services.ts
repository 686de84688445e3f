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
import { ReenactError } from '../errors.js';
import { defaultRunner, type JobRunner } from '../jobs/runner.js';

export interface BridgeServices {
  runner: JobRunner;
  probe(file: string): Promise<ProbeResponse>;
  faces(request: FacesRequestParsed, signal: AbortSignal): Promise<FacesResponse>;
  engines(): Promise<EngineAvailability[]>;
  devices(): Promise<DeviceAvailability[]>;
}

/** Imports a module of this package that may not be built into every edition; undefined when absent. */
async function optionalImport<T>(specifier: string): Promise<T | undefined> {
  try {
    return (await import(specifier)) as T;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') return undefined;
    throw err;
  }
}

async function requireModule<T>(specifier: string, what: string): Promise<T> {
  const mod = await optionalImport<T>(specifier);
  if (!mod) throw new ReenactError('MISSING_DEPENDENCY', `${what} is not available in this build of reenact.`);
  return mod;
}

async function probe(file: string): Promise<ProbeResponse> {
  const media = await requireModule<{ probe(file: string): Promise<ProbeResponse> }>('../media/index.js', 'Probing');
  return media.probe(file);
}

async function faces(request: FacesRequestParsed, signal: AbortSignal): Promise<FacesResponse> {
  const mod = await requireModule<{ listFaces(r: FacesRequestParsed, s: AbortSignal): Promise<FacesResponse> }>(
    './faces.js',
    'Face detection',
  );
  return mod.listFaces(request, signal);
}

async function engines(): Promise<EngineAvailability[]> {
  const render = await optionalImport('../pipeline/render.js');
  const meshwarp = await optionalImport('../engines/meshwarp/index.js');
  const liveportrait = await optionalImport<{ modelsInstalled?: () => Promise<boolean> }>(
    '../engines/liveportrait/index.js',
  );
  const noPipeline = 'The render pipeline is not part of this build.';
  const lpReady = liveportrait?.modelsInstalled ? await liveportrait.modelsInstalled().catch(() => false) : false;
  return [
    meshwarp && render
      ? { name: 'meshwarp', available: true }
      : {
          name: 'meshwarp',
          available: false,
          reason: render ? 'The default engine is not part of this build.' : noPipeline,
        },
    lpReady && render
      ? { name: 'liveportrait', available: true }
      : {
          name: 'liveportrait',
          available: false,
          reason: liveportrait
            ? 'Models are not installed: run `reenact models install`.'
            : 'The neural engine is not part of this build.',
        },
    render ? { name: 'fixture', available: true } : { name: 'fixture', available: false, reason: noPipeline },
  ];
}

async function devices(): Promise<DeviceAvailability[]> {
  let backends: { name: string; bundled: boolean }[] = [{ name: 'cpu', bundled: true }];
  try {
    const ort = (await import('onnxruntime-node')) as { listSupportedBackends?: () => typeof backends };
    backends = ort.listSupportedBackends?.() ?? backends;
  } catch {}
  const has = (name: string) => backends.find((b) => b.name === name);
  const cuda = has('cuda');
  return [
    { name: 'auto', available: true },
    { name: 'cpu', available: true },
    cuda?.bundled
      ? { name: 'cuda', available: true }
      : {
          name: 'cuda',
          available: false,
          reason: cuda
            ? 'The CUDA execution provider is not installed.'
            : 'CUDA is only offered on Linux x64 and Windows x64.',
        },
    has('dml')
      ? { name: 'dml', available: true }
      : { name: 'dml', available: false, reason: 'DirectML is only offered on Windows x64.' },
    has('coreml')
      ? { name: 'coreml', available: true }
      : { name: 'coreml', available: false, reason: 'CoreML is only offered on macOS.' },
  ];
}

export function defaultServices(): BridgeServices {
  return { runner: defaultRunner, probe, faces, engines, devices };
}
