/**
 * `reenact models verify --rewrite`: runs the original warping graph and its GridSample-rewritten copy on the same
 * seeded random inputs (CPU, where both run) and reports the largest output difference, so a user can trust the
 * rewritten graph the GPU devices use. Inputs are built from the model's own declared shapes.
 */
import * as ort from 'onnxruntime-node';
import { ReenactError } from '../errors.js';
import { seededRandom } from '../util/random.js';

export interface RewriteCheck {
  /** Largest |original − rewritten| over every output value. */
  maxAbsDiff: number;
  outputs: string[];
  seconds: { original: number; rewritten: number };
}

/**
 * Random float32 feeds in [−amplitude, amplitude] for every input of `session`.
 * @throws ReenactError ENGINE_FAILED for non-float or dynamic-shape inputs (the LivePortrait files have neither).
 */
export function randomFeeds(session: ort.InferenceSession, seed = 1, amplitude = 0.5): Record<string, ort.Tensor> {
  const r = seededRandom(seed);
  const feeds: Record<string, ort.Tensor> = {};
  for (const meta of session.inputMetadata) {
    if (!meta.isTensor || meta.type !== 'float32' || meta.shape.some((d) => typeof d !== 'number' || d < 0))
      throw new ReenactError(
        'ENGINE_FAILED',
        `Cannot build a random input for ${meta.name}: it is not a fixed-shape float32 tensor.`,
      );
    const dims = meta.shape as number[];
    const data = new Float32Array(dims.reduce((a, b) => a * b, 1));
    for (let i = 0; i < data.length; i++) data[i] = (r() * 2 - 1) * amplitude;
    feeds[meta.name] = new ort.Tensor('float32', data, dims);
  }
  return feeds;
}

async function runOnce(file: string, feeds: Record<string, ort.Tensor> | null, seed: number) {
  const session = await ort.InferenceSession.create(file, { executionProviders: ['cpu'], logSeverityLevel: 3 });
  try {
    const inputs = feeds ?? randomFeeds(session, seed);
    const t = performance.now();
    const out = await session.run(inputs);
    return { inputs, out, seconds: (performance.now() - t) / 1000 };
  } finally {
    await session.release();
  }
}

/** Compares `original` and `rewritten` on one seeded random input (one session at a time, to bound memory). */
export async function checkRewrite(original: string, rewritten: string, seed = 1): Promise<RewriteCheck> {
  const a = await runOnce(original, null, seed);
  const b = await runOnce(rewritten, a.inputs, seed);
  let maxAbsDiff = 0;
  for (const [name, t] of Object.entries(a.out)) {
    const other = b.out[name];
    if (!other || other.data.length !== t.data.length)
      throw new ReenactError(
        'ENGINE_FAILED',
        `The rewritten graph ${rewritten} does not produce output ${name} like the original.`,
      );
    const x = t.data as Float32Array;
    const y = other.data as Float32Array;
    for (let i = 0; i < x.length; i++) {
      const d = Math.abs(x[i] - y[i]);
      if (!(d <= maxAbsDiff)) maxAbsDiff = Number.isNaN(d) ? Number.POSITIVE_INFINITY : d;
    }
  }
  return { maxAbsDiff, outputs: Object.keys(a.out), seconds: { original: a.seconds, rewritten: b.seconds } };
}
