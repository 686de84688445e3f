/**
 * ONNX sessions: one factory that picks the execution provider, and `runNamed` that checks inputs and outputs by
 * name and shape against a typed spec ("expected 1×3×256×256, got …") so a wrong model fails loudly, not silently.
 * Sessions are created once per job and reused for every frame.
 */
import * as ort from 'onnxruntime-node';
import { messageOf, ReenactError } from '../errors.js';
import type { Device } from './devices.js';

/**
 * The settings of every session reenact opens (and the benches, so they time the same thing): full graph
 * optimisation, quiet logs, and what a provider needs (DirectML: no memory pattern, sequential execution).
 */
export function ortSessionOptions(o: {
  executionProviders: string[];
  device?: Device;
  /** Intra-op threads; 0 or absent = onnxruntime's default. */
  threads?: number;
}): ort.InferenceSession.SessionOptions {
  return {
    executionProviders: o.executionProviders,
    graphOptimizationLevel: 'all',
    logSeverityLevel: 3,
    ...(o.device === 'dml' ? { enableMemPattern: false, executionMode: 'sequential' as const } : {}),
    ...((o.threads ?? 0) > 0 ? { intraOpNumThreads: o.threads } : {}),
  };
}

/** Shape with -1 (or a name) for free dims. */
export type Dims = (number | string)[];

export interface TensorSpec {
  name: string;
  dims: Dims;
  type: 'float32' | 'int64' | 'int32' | 'uint8' | 'bool';
}

/** One typed spec per ONNX file: its inputs and outputs by name. */
export interface ModelSpec {
  id: string;
  inputs: TensorSpec[];
  outputs: TensorSpec[];
}

export interface SessionOptions {
  /** Execution providers in priority order, e.g. ['cuda', 'cpu']. Default ['cpu']. */
  executionProviders?: string[];
  intraOpNumThreads?: number;
}

export async function createSession(
  model: string | Uint8Array,
  options: SessionOptions = {},
): Promise<ort.InferenceSession> {
  try {
    return await ort.InferenceSession.create(
      model as Uint8Array,
      ortSessionOptions({
        executionProviders: options.executionProviders ?? ['cpu'],
        threads: options.intraOpNumThreads,
      }),
    );
  } catch (err) {
    const where = typeof model === 'string' ? model : 'model bytes';
    throw new ReenactError('ENGINE_FAILED', `Could not load ONNX model (${where}): ${messageOf(err)}`, {
      cause: err,
    });
  }
}

function formatDims(dims: readonly (number | string)[]): string {
  return dims.join('×');
}

function dimsMatch(expected: Dims, actual: readonly number[]): boolean {
  if (expected.length !== actual.length) return false;
  return expected.every((d, i) => typeof d === 'string' || d < 0 || d === actual[i]);
}

/**
 * Runs `session` with `feeds` after checking every input named in `spec`; returns the outputs named in `spec`.
 * @throws ReenactError ENGINE_FAILED "Expected input image of model X to be 1×3×256×256 but received 1×3×128×128."
 */
export async function runNamed(
  session: ort.InferenceSession,
  spec: ModelSpec,
  feeds: Record<string, ort.Tensor>,
): Promise<Record<string, ort.Tensor>> {
  for (const input of spec.inputs) {
    const t = feeds[input.name];
    if (!t)
      throw new ReenactError('ENGINE_FAILED', `Expected input ${input.name} for model ${spec.id} but none was given.`);
    if (!dimsMatch(input.dims, t.dims)) {
      throw new ReenactError(
        'ENGINE_FAILED',
        `Expected input ${input.name} of model ${spec.id} to be ${formatDims(input.dims)} but received ${formatDims(t.dims)}.`,
      );
    }
  }
  const out = await session.run(feeds);
  const result: Record<string, ort.Tensor> = {};
  for (const output of spec.outputs) {
    const t = out[output.name];
    if (!t) {
      throw new ReenactError(
        'ENGINE_FAILED',
        `Expected output ${output.name} from model ${spec.id} but it produced ${Object.keys(out).join(', ')}.`,
      );
    }
    result[output.name] = t;
  }
  return result;
}

/** Checks a loaded session's input/output names against its spec (call once after load). */
export function checkSessionNames(session: ort.InferenceSession, spec: ModelSpec): void {
  const missingIn = spec.inputs.filter((i) => !session.inputNames.includes(i.name)).map((i) => i.name);
  const missingOut = spec.outputs.filter((o) => !session.outputNames.includes(o.name)).map((o) => o.name);
  if (missingIn.length || missingOut.length) {
    throw new ReenactError(
      'ENGINE_FAILED',
      `Expected model ${spec.id} to have inputs [${spec.inputs.map((i) => i.name).join(', ')}] and outputs [${spec.outputs
        .map((o) => o.name)
        .join(
          ', ',
        )}] but it has inputs [${session.inputNames.join(', ')}] and outputs [${session.outputNames.join(', ')}].`,
    );
  }
}

const ZEROS: Record<TensorSpec['type'], (n: number) => ort.Tensor['data']> = {
  float32: (n) => new Float32Array(n),
  int64: (n) => new BigInt64Array(n),
  int32: (n) => new Int32Array(n),
  uint8: (n) => new Uint8Array(n),
  bool: (n) => new Uint8Array(n),
};

/**
 * One inference with zeros shaped from `spec` (free dims as 1), its outputs discarded: proves a provider can run the
 * whole graph before a job depends on it. Execution providers fail some graphs only at run time (ONNX Runtime's
 * CUDA GridSample kernel accepts a 5-D node at session creation and rejects it in Run: "Only 4-D tensor is
 * supported", FasterLivePortrait issues #14, #36, #162).
 */
export async function warmUp(session: ort.InferenceSession, spec: ModelSpec): Promise<void> {
  const feeds: Record<string, ort.Tensor> = {};
  for (const input of spec.inputs) {
    const dims = input.dims.map((d) => (typeof d === 'number' && d > 0 ? d : 1));
    const size = dims.reduce((a, b) => a * b, 1);
    feeds[input.name] = new ort.Tensor(input.type, ZEROS[input.type](size), dims);
  }
  const out = await session.run(feeds);
  for (const t of Object.values(out)) t.dispose?.();
}
