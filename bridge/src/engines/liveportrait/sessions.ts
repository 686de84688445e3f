/**
 * The engine's ONNX sessions on one device: which files (the GridSample-rewritten warping graph on GPU providers,
 * never the original 5-D one), the optional landmark model checked on its own, one warm-up inference per session
 * on GPU providers (so a provider that creates a session but cannot run it falls back to CPU before the job
 * depends on it), and the manifest's model list. The engine reopens on CPU through the same path when a GPU fails
 * mid-job.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type * as ort from 'onnxruntime-node';
import { ReenactError } from '../../errors.js';
import { type Catalog, knownHashes, loadCatalog, modelDir } from '../../models/catalog.js';
import { ensureDerived } from '../../models/install.js';
import { type InstalledState, readState, resolveModelFiles } from '../../models/store.js';
import { DEVICE_LABELS, type Device, type DeviceRequest } from '../../onnx/devices.js';
import {
  createOrtSession,
  executionProviders,
  openSessions,
  type PlatformInfo,
  releaseSessions,
  type SessionFactory,
} from '../../onnx/providers.js';
import { checkSessionNames, warmUp } from '../../onnx/session.js';
import type { ModelRef } from '../types.js';
import type { LivePortraitConfig } from './config.js';
import { checkSignature, type ModelId, SPECS } from './specs.js';

/** Seams for tests: platform and session factory (providers.ts), catalog, environment (cache folder). */
export interface SessionDeps {
  platform?: PlatformInfo;
  createSession?: SessionFactory;
  catalog?: Catalog;
  env?: NodeJS.ProcessEnv;
}

/** The installed files a job uses, resolved once. */
export interface ModelPlan {
  catalog: Catalog;
  env: NodeJS.ProcessEnv;
  state: InstalledState;
  /** Required models (and the retargeting networks the options need), by id. */
  needed: ModelId[];
  files: Record<string, string>;
  /** The optional 203-point model when installed and wanted. */
  landmark: string | null;
}

export interface LoadedModels {
  sessions: Partial<Record<ModelId, ort.InferenceSession>>;
  device: Device;
  models: ModelRef[];
  warnings: string[];
  /** Devices that could not run the job before `device`, and why. */
  failures: { device: Device; reason: string }[];
}

const REQUIRED: ModelId[] = ['appearance_feature_extractor', 'motion_extractor', 'warping_spade', 'stitching'];

/**
 * Resolves the job's files. @throws ReenactError MISSING_MODEL naming the missing files and the install command.
 */
export async function planModels(cfg: LivePortraitConfig, deps: SessionDeps): Promise<ModelPlan> {
  const catalog = deps.catalog ?? loadCatalog();
  const env = deps.env ?? process.env;
  const needed: ModelId[] = [...REQUIRED];
  if (cfg.eyeRatio !== null) needed.push('stitching_eye');
  if (cfg.lipRatio !== null || cfg.normalizeLip) needed.push('stitching_lip');
  const files = resolveModelFiles(catalog, needed, env);
  const dir = modelDir(catalog.set, env);
  const entry = catalog.models.find((m) => m.id === 'landmark');
  const landmark =
    cfg.landmarkModel === 'auto' && entry && existsSync(path.join(dir, entry.file)) ? path.join(dir, entry.file) : null;
  return { catalog, env, state: await readState(dir, catalog.set), needed, files, landmark };
}

/**
 * The warping graph for `device`. GPU providers never get the original (its two 5-D GridSample nodes: CUDA rejects
 * them at run time, DirectML, CoreML and WebGPU have no 5-D kernel): the rewritten graph, built now if it is
 * missing; when it cannot be had, this throws and the device is skipped with the reason.
 */
async function warpFile(plan: ModelPlan, cfg: LivePortraitConfig, device: Device): Promise<string> {
  const wantRewritten = device !== 'cpu' || cfg.warpGraph === 'rewritten';
  if (!wantRewritten) return plan.files.warping_spade;
  if (device !== 'cpu' && cfg.warpGraph === 'original')
    throw new Error(
      'warpGraph=original asks for the 5-D GridSample warping graph, which only the CPU provider runs (use warpGraph=auto)',
    );
  try {
    return await ensureDerived(plan.catalog, 'warping_spade', plan.env);
  } catch (err) {
    throw new Error(
      `the GridSample-rewritten warping graph is missing and could not be built (${(err as Error).message}); run \`reenact models install\``,
    );
  }
}

/** The manifest's account of a model file: its id, file, sha256 (recorded at install) and licence. */
function modelRef(plan: ModelPlan, id: ModelId, file: string): ModelRef {
  const entry = plan.catalog.models.find((m) => m.id === id)!;
  if (id === 'warping_spade' && entry.derived && path.basename(file) === entry.derived.file) {
    const d = plan.state.derived[entry.derived.file];
    return { id: `${id}:gs-rewrite`, file: entry.derived.file, sha256: d?.sha256 ?? 'unknown', licence: entry.licence };
  }
  const sha256 = plan.state.files[entry.file]?.sha256 ?? knownHashes(entry)[0]?.sha256 ?? 'unknown';
  return { id, file: entry.file, sha256, licence: entry.licence };
}

/**
 * The optional landmark model on `device` (then CPU), checked on its own: a file that cannot be opened or does not
 * have the 203-point model's signature is left out with a warning instead of failing the job.
 */
async function openLandmark(
  file: string,
  device: Device,
  create: SessionFactory,
): Promise<{ session: ort.InferenceSession | null; warning?: string }> {
  const attempts: Device[] = device === 'cpu' ? ['cpu'] : [device, 'cpu'];
  let reason = '';
  for (const d of attempts) {
    let session: ort.InferenceSession | null = null;
    try {
      session = await create(file, executionProviders(d), d);
      checkSessionNames(session, SPECS.landmark);
      checkSignature(session, SPECS.landmark, file);
      if (d !== 'cpu') await warmUp(session, SPECS.landmark);
      return { session };
    } catch (err) {
      if (session) await releaseSessions({ landmark: session });
      reason = (err as Error).message.split('\n')[0];
      if (err instanceof ReenactError) break; // the file itself does not fit: another device will not help
    }
  }
  return {
    session: null,
    warning: `The optional landmark model could not be used (${reason}); eye and lip ratios come from the tracker's 468 points instead. Reinstall it with \`reenact models install landmark --force\`, or remove it.`,
  };
}

/**
 * Opens the job's sessions on the first device of `request` that runs them all.
 * @throws ReenactError ENGINE_FAILED for a file with the wrong signature, MISSING_DEPENDENCY for a device this
 * platform cannot have.
 */
export async function openModels(
  plan: ModelPlan,
  cfg: LivePortraitConfig,
  request: DeviceRequest,
  deps: SessionDeps,
): Promise<LoadedModels> {
  const create = deps.createSession ?? createOrtSession;
  const used: Partial<Record<ModelId, string>> = {};
  const set = await openSessions(
    request,
    async (device) => {
      const files = Object.fromEntries(plan.needed.map((id) => [id, plan.files[id]])) as Record<ModelId, string>;
      files.warping_spade = await warpFile(plan, cfg, device);
      Object.assign(used, files);
      return files;
    },
    { platform: deps.platform, create, warmUp: (id, session) => warmUp(session, SPECS[id]) },
  );
  const sessions: Partial<Record<ModelId, ort.InferenceSession>> = set.sessions;
  // The rewritten graph may have just been built: its sha256 is in installed.json now.
  plan.state = await readState(modelDir(plan.catalog.set, plan.env), plan.catalog.set);
  try {
    for (const id of plan.needed) {
      checkSessionNames(sessions[id]!, SPECS[id]);
      checkSignature(sessions[id]!, SPECS[id], used[id]!);
    }
  } catch (err) {
    await releaseSessions(sessions);
    throw err;
  }
  const warnings = [...set.warnings];
  if (plan.landmark) {
    const lm = await openLandmark(plan.landmark, set.device, create);
    if (lm.session) {
      sessions.landmark = lm.session;
      used.landmark = plan.landmark;
    } else if (lm.warning) warnings.push(lm.warning);
  }
  const ids = Object.keys(used) as ModelId[];
  return {
    sessions,
    device: set.device,
    models: ids.map((id) => modelRef(plan, id, used[id]!)),
    warnings,
    failures: set.failures,
  };
}

/** "CUDA (--device cuda)" for messages. */
export function describeDevice(device: Device): string {
  return `${DEVICE_LABELS[device]} (--device ${device})`;
}
