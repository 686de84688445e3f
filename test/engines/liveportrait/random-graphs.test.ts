/**
 * The architecture-faithful random-weight LivePortrait graphs (random-graphs/): their structure against the
 * published networks (op types and counts, parameter counts, MACs, exact file sizes, I/O names, shapes and opsets),
 * the streamed writer, real ONNX Runtime sessions of the smaller networks, and the GridSample rewrite against
 * ONNX Runtime's own 5-D GridSample on the warping graph's real sampling topology. The full 600-GMAC warping graph
 * and the 10-frame end-to-end render run in `npm run bench -- liveportrait` (seconds per frame on 2 cores: too heavy
 * for the suite).
 *
 * Reference figures, all from the architecture, not from the (unavailable) weights:
 * - Parameter counts: LivePortrait assets/docs/speed.md (F 0.84 M, M 28.12 M, W 45.53 M, G 55.37 M, the three
 *   MLPs 0.23 M), exact by hand from src/modules/*.py and src/config/models.yaml (formulas beside each number).
 *   The ONNX files hold fewer: a BatchNorm that follows a Conv is folded into it (its 2·C affine parameters vanish),
 *   while a BatchNorm left as a node keeps its running mean and variance (2·C more).
 * - Op counts: torch.onnx exports of these modules (Conv, norm, activation and resampling nodes; spectral norm and
 *   folded BatchNorm leave no node; SPADE's shared norm/resize of an up-block input is computed once).
 * - File sizes: models/catalog.json, the exact size published for a source of each file (Hugging Face's), or its
 *   approxSize where none is (stitching_lip).
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setFloat16 } from '@petamoriken/float16';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SPECS } from '../../../bridge/src/engines/liveportrait/specs.js';
import { loadCatalog } from '../../../bridge/src/models/catalog.js';
import { DataType, decodeModel } from '../../../bridge/src/onnx/proto.js';
import { parseSize } from '../../../bridge/src/server/model-install.js';
import { seededRandom } from '../../../bridge/src/util/random.js';
import { type Skeleton, structureOf } from './random-graphs/graph.js';
import { ensureGraph, NETWORKS } from './random-graphs/index.js';
import { cut, rewriteSkeleton } from './random-graphs/parts.js';
import { toDynamicInt8, toFloat16, toFp16 } from './random-graphs/variants.js';
import { fileSize, toBytes } from './random-graphs/write.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'reenact-lp-random-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Expected {
  opset: number;
  /** Op counts that must match exactly (the whole histogram where `exactHistogram`). */
  ops: Record<string, number>;
  exactHistogram?: boolean;
  /** PyTorch parameter count (what speed.md publishes), BatchNorm affine parameters folded away, BN stats kept. */
  torchParams: number;
  foldedBn: number;
  keptBnStats: number;
  /** Published parameter count (speed.md, in millions) the torch count must be within 2 % of. */
  publishedParams?: number;
  gmac?: number;
}

const EXPECTED: Record<string, Expected> = {
  'appearance_feature_extractor.onnx': {
    opset: 16,
    ops: { Conv: 16, BatchNormalization: 6, Relu: 15, Add: 6, AveragePool: 2, Pad: 2, Reshape: 1 },
    exactHistogram: true,
    // first 1,792+128, down 73,856+256 and 295,168+512, second 131,584, 6 × (2 × 27,680 conv3d + 2 × 64 BN).
    torchParams: 836_224,
    foldedBn: 128 + 256 + 512 + 6 * 64,
    keptBnStats: 6 * 64,
    publishedParams: 0.84e6,
    gmac: 32.1,
  },
  'motion_extractor.onnx': {
    opset: 16,
    // 4 + 18 depthwise convs; 2 Linear per block as MatMul; 7 heads as Gemm; GELU's Erf and GRN's ReduceL2 per
    // block; 23 LayerNorms (stem, 3 downsamples, 18 blocks, final), one Sqrt each.
    ops: { Conv: 22, MatMul: 36, Gemm: 7, Erf: 18, ReduceL2: 18, Sqrt: 23 },
    // Stem 4,896; stages 239,904 / 922,176 / 10,841,472 / 14,305,536 (block 8d² + 65d); downsamples 74,112 /
    // 295,680 / 1,181,184; final LayerNorm 1,536; heads 252,232.
    torchParams: 28_118_728,
    foldedBn: 0,
    keptBnStats: 0,
    publishedParams: 28.12e6,
    gmac: 5.82,
  },
  'warping_spade.onnx': {
    opset: 20,
    ops: {
      Conv: 16 + 74,
      GridSample: 2,
      Resize: 5 + 18,
      InstanceNormalization: 16,
      DepthToSpace: 1,
      Softmax: 1,
      Sigmoid: 2,
      AveragePool: 5,
      LeakyRelu: 18,
      Relu: 30,
      Exp: 2,
    },
    // W 45,529,829 (hourglass 43,100,598; mask 142·22·343 + 22; occlusion 2272·49 + 1; compress + BN 140; third
    // 1,180,416; fourth 65,792) + G 55,365,388 (fc 1,180,160; 6 × 7,671,040; up_0 5,737,856; up_1 2,414,208;
    // conv_img 6,924).
    torchParams: 45_529_829 + 55_365_388,
    // BN after compress (4), the 5 + 5 hourglass blocks (64…1024, 512…32), its out conv (142), third (256): 2·C each.
    foldedBn: 2 * (4 + 64 + 128 + 256 + 512 + 1024 + 512 + 256 + 128 + 64 + 32 + 142 + 256),
    keptBnStats: 0,
    publishedParams: (45.53 + 55.37) * 1e6,
    gmac: 171.0 + 445.8,
  },
  'stitching.onnx': {
    opset: 16,
    ops: { Gemm: 4, Relu: 3 },
    exactHistogram: true,
    torchParams: 126 * 128 + 128 + 128 * 128 + 128 + 128 * 64 + 64 + 64 * 65 + 65,
    foldedBn: 0,
    keptBnStats: 0,
  },
  'stitching_eye.onnx': {
    opset: 16,
    ops: { Gemm: 6, Relu: 5 },
    exactHistogram: true,
    torchParams: 66 * 256 + 256 + 256 * 256 + 256 + 256 * 128 + 128 + 128 * 128 + 128 + 128 * 64 + 64 + 64 * 63 + 63,
    foldedBn: 0,
    keptBnStats: 0,
  },
  'stitching_lip.onnx': {
    opset: 16,
    ops: { Gemm: 4, Relu: 3 },
    exactHistogram: true,
    torchParams: 65 * 128 + 128 + 128 * 128 + 128 + 128 * 64 + 64 + 64 * 63 + 63,
    foldedBn: 0,
    keptBnStats: 0,
  },
  // Architecture unconfirmed (no published source): only the I/O and the size are checked.
  'landmark.onnx': {
    opset: 16,
    ops: {},
    torchParams: Number.NaN,
    foldedBn: 0,
    keptBnStats: 0,
  },
};

/** The catalog's published size of `file`: a source's exact byte count, else its approximate size. */
function publishedSize(file: string): number {
  const m = loadCatalog().models.find((x) => x.file === file);
  const exact = m?.sources.find((x) => x.sizeBytes !== null)?.sizeBytes;
  const size = exact ?? parseSize(m?.approxSize ?? null);
  if (!size) throw new Error(`No published size for ${file} in models/catalog.json`);
  return size;
}

const dimsOf = (v: Skeleton['inputs'][number]) => v.type?.tensorType?.shape?.dim?.map((d) => d.dimValue);

describe('random-weight LivePortrait graphs: structure against the published networks', () => {
  it('covers every file of the catalog', () => {
    expect(Object.keys(NETWORKS).sort()).toEqual(
      loadCatalog()
        .models.map((m) => m.file)
        .sort(),
    );
  });

  for (const [file, e] of Object.entries(EXPECTED)) {
    it(`${file}: I/O, opset, op types, parameters, MACs and file size`, () => {
      const s = NETWORKS[file]();
      const st = structureOf(s);
      const id = file.replace('.onnx', '') as keyof typeof SPECS;
      // I/O names, shapes and dtypes as the engine's specs (and the exporter's output order for the motion net).
      for (const spec of [...SPECS[id].inputs, ...SPECS[id].outputs]) {
        const v = [...s.inputs, ...s.outputs].find((x) => x.name === spec.name);
        expect(v && dimsOf(v), `${file} ${spec.name}`).toEqual(spec.dims);
        expect(v?.type?.tensorType?.elemType).toBe(DataType.FLOAT);
      }
      if (id === 'motion_extractor')
        expect(s.outputs.map((o) => o.name)).toEqual(['pitch', 'yaw', 'roll', 't', 'exp', 'scale', 'kp']);
      if (id === 'landmark') expect(s.outputs.map((o) => o.name)).toEqual(['output', '853', '856']);
      expect(s.opset).toBe(e.opset);

      const listed = Object.fromEntries(Object.keys(e.ops).map((op) => [op, st.ops[op] ?? 0]));
      expect(e.exactHistogram ? st.ops : listed).toEqual(e.ops);
      if (!Number.isNaN(e.torchParams)) {
        expect(st.params).toBe(e.torchParams - e.foldedBn + e.keptBnStats);
        if (e.publishedParams)
          expect(Math.abs(e.torchParams - e.publishedParams) / e.publishedParams).toBeLessThan(0.02);
      }
      if (e.gmac) expect(Math.abs(st.macs / 1e9 - e.gmac) / e.gmac).toBeLessThan(0.005);
      const size = fileSize(s);
      const published = publishedSize(file);
      expect(Math.abs(size - published) / published, `${file}: ${size} B vs ${published} B`).toBeLessThan(0.02);
    });
  }

  it('the three MLPs hold the 0.23 M parameters of speed.md together', () => {
    const total = ['stitching.onnx', 'stitching_eye.onnx', 'stitching_lip.onnx'].reduce(
      (n, f) => n + structureOf(NETWORKS[f]()).params,
      0,
    );
    expect(total).toBe(227_263);
    expect(Math.abs(total - 0.23e6) / 0.23e6).toBeLessThan(0.02);
  });
});

describe('streamed writer', () => {
  it('writes exactly fileSize() bytes that decode to the same model as the in-memory encoder', () => {
    for (const name of ['appearance_feature_extractor.onnx', 'stitching_eye.onnx']) {
      const s = NETWORKS[name]();
      const file = path.join(dir, name);
      expect(ensureGraph(file, s)).toBe(true);
      expect(statSync(file).size).toBe(fileSize(s));
      const streamed = decodeModel(readFileSync(file));
      const inMemory = decodeModel(toBytes(s));
      const { initializer: a = [], ...graphA } = streamed.graph ?? {};
      const { initializer: b = [], ...graphB } = inMemory.graph ?? {};
      expect({ ...streamed, graph: graphA }).toEqual({ ...inMemory, graph: graphB });
      expect(a.map((t) => [t.name, t.dims, t.dataType])).toEqual(b.map((t) => [t.name, t.dims, t.dataType]));
      for (const [i, t] of a.entries())
        expect(Buffer.compare(t.rawData ?? new Uint8Array(), b[i].rawData ?? new Uint8Array())).toBe(0);
      expect(ensureGraph(file, s)).toBe(false); // complete copy: reused
    }
  });

  it('the full-size warping graph (≈ 420 MB, two 5-D GridSample nodes, opset 20) loads in ONNX Runtime', async () => {
    const file = path.join(dir, 'warping_spade.onnx');
    ensureGraph(file, NETWORKS['warping_spade.onnx']());
    const session = await ort.InferenceSession.create(file, { graphOptimizationLevel: 'disabled' });
    try {
      expect(session.inputNames).toEqual(['feature_3d', 'kp_driving', 'kp_source']);
      expect(session.outputNames).toEqual(['out']);
    } finally {
      await session.release();
      rmSync(file);
    }
  });
});

function randomFeeds(session: ort.InferenceSession, seed: number, amplitude: (name: string) => number) {
  const r = seededRandom(seed);
  const feeds: Record<string, ort.Tensor> = {};
  for (const meta of session.inputMetadata) {
    if (!meta.isTensor) throw new Error(`${meta.name} is not a tensor`);
    const dims = meta.shape as number[];
    const data = new Float32Array(dims.reduce((a, b) => a * b, 1));
    const a = amplitude(meta.name);
    for (let i = 0; i < data.length; i++) data[i] = a < 0 ? r() : (r() * 2 - 1) * a;
    feeds[meta.name] = new ort.Tensor('float32', data, dims);
  }
  return feeds;
}

function maxAbs(data: Float32Array): number {
  let m = 0;
  for (const v of data) m = Number.isFinite(v) ? Math.max(m, Math.abs(v)) : Number.POSITIVE_INFINITY;
  return m;
}

describe('random-weight graphs run in ONNX Runtime (CPU) with bounded, finite outputs', () => {
  // Image inputs in 0..1 (amplitude −1 means uniform 0..1), MLP inputs like keypoints.
  const image = (name: string) => (name === 'img' || name === 'input' ? -1 : 0.5);
  for (const name of [
    'appearance_feature_extractor.onnx',
    'motion_extractor.onnx',
    'stitching.onnx',
    'stitching_eye.onnx',
    'stitching_lip.onnx',
    'landmark.onnx',
  ]) {
    it(name, async () => {
      const file = path.join(dir, name);
      ensureGraph(file, NETWORKS[name]());
      const session = await ort.InferenceSession.create(file, { intraOpNumThreads: 1 });
      try {
        const out = await session.run(randomFeeds(session, 3, image));
        for (const [o, t] of Object.entries(out))
          expect(maxAbs(t.data as Float32Array), `${name} ${o}`).toBeLessThan(50);
        if (name === 'landmark.onnx') expect(Math.min(...(out['856'].data as Float32Array))).toBeGreaterThan(0);
      } finally {
        await session.release();
        rmSync(file);
      }
    });
  }
});

describe('GridSample rewrite on the real warping topology (CPU)', () => {
  it('matches ONNX Runtime GridSample on both sampling nodes within 1e-4', async () => {
    const whole = NETWORKS['warping_spade.onnx']();
    const { skeleton: rewritten, report } = rewriteSkeleton(whole);
    expect(report.rewritten).toEqual(['/dense_motion_network/GridSample', '/GridSample']);
    expect(structureOf(rewritten).ops.GridSample).toBeUndefined();
    // The part from the inputs and the mask logits (the 7×7×7 conv's output) to both GridSample outputs: sparse
    // motions, the 22-batch repeat, GridSample #1, the softmax-weighted deformation and GridSample #2, with the real
    // shapes and constants; the hourglass and the SPADE decoder (600 GMAC) are left out.
    const logits = whole.nodes.find((n) => n.name === 'dense_motion_network.mask/Conv')?.output?.[0] ?? '';
    const gs = (s: Skeleton, i: 0 | 1) => s.nodes.filter((n) => n.opType === 'GridSample')[i]?.output?.[0] ?? '';
    const inputs = [
      { name: 'feature_3d', shape: [1, 32, 16, 64, 64] },
      { name: 'kp_driving', shape: [1, 21, 3] },
      { name: 'kp_source', shape: [1, 21, 3] },
      { name: logits, shape: [1, 22, 16, 64, 64] },
    ];
    const outputs = [
      { name: gs(whole, 0), shape: [22, 4, 16, 64, 64] },
      { name: gs(whole, 1), shape: [1, 32, 16, 64, 64] },
    ];
    const run = async (s: Skeleton) => {
      const session = await ort.InferenceSession.create(toBytes(cut(s, inputs, outputs)), { intraOpNumThreads: 1 });
      try {
        // Keypoints up to ±0.9 push many samples outside the volume (zeros padding); logits ±4 make a peaked mask.
        return await session.run(randomFeeds(session, 7, (n) => (n.startsWith('kp') ? 0.9 : n === logits ? 4 : 1)));
      } finally {
        await session.release();
      }
    };
    const original = await run(whole);
    const ours = await run(rewritten);
    for (const o of outputs) {
      const a = original[o.name].data as Float32Array;
      const b = ours[o.name].data as Float32Array;
      expect(b.length).toBe(a.length);
      let diff = 0;
      let nonzero = 0;
      for (let i = 0; i < a.length; i++) {
        diff = Math.max(diff, Math.abs(a[i] - b[i]));
        if (a[i] !== 0) nonzero++;
      }
      expect(diff, o.name).toBeLessThan(1e-4);
      // Neither all zeros (everything outside) nor all inside: both padding and interior are exercised.
      expect(nonzero / a.length, o.name).toBeGreaterThan(0.2);
      expect(nonzero / a.length, o.name).toBeLessThan(1);
    }
  });
});

describe('reduced-precision variants (bench inputs) are valid graphs', () => {
  it('converts float32 to float16 bits exactly as @petamoriken/float16 does (round to nearest even)', () => {
    const r = seededRandom(9);
    const special = [
      0,
      -0,
      1,
      -1,
      65504,
      65520,
      1e6,
      -1e6,
      6.1e-5,
      5.96e-8,
      2.98e-8,
      1e-9,
      0.1,
      1 / 3,
      Infinity,
      -Infinity,
      Number.NaN,
    ];
    const values = Float32Array.from([
      ...special,
      ...Array.from({ length: 20_000 }, () => (r() * 2 - 1) * 10 ** (r() * 12 - 8)),
    ]);
    const ours = toFloat16(values);
    const view = new DataView(new ArrayBuffer(2));
    values.forEach((v, i) => {
      setFloat16(view, 0, v, true);
      expect(ours[i], `${v}`).toBe(view.getUint16(0, true));
    });
  });

  it('fp16 and dynamic int8 motion extractors run in ONNX Runtime and stay near fp32', async () => {
    const base = NETWORKS['motion_extractor.onnx']();
    const int8 = toDynamicInt8(base);
    expect(structureOf(int8).ops).toMatchObject({
      ConvInteger: 22,
      MatMulInteger: 36,
      DynamicQuantizeLinear: 58,
      Gemm: 7,
    });
    expect(structureOf(int8).ops.Conv).toBeUndefined();
    const results: Record<string, Float32Array> = {};
    for (const s of [base, toFp16(base), int8]) {
      const file = path.join(dir, `${s.name}.onnx`);
      ensureGraph(file, s);
      const session = await ort.InferenceSession.create(file, { intraOpNumThreads: 1 });
      try {
        expect(session.inputMetadata[0]).toMatchObject({ name: 'img', type: 'float32' });
        const out = await session.run(randomFeeds(session, 3, () => -1));
        results[s.name] = out.kp.data as Float32Array;
      } finally {
        await session.release();
        rmSync(file);
      }
    }
    const fp32 = results.motion_extractor;
    for (const v of ['motion_extractor.fp16', 'motion_extractor.int8']) {
      const d = results[v].map((x, i) => x - fp32[i]);
      expect(maxAbs(d), v).toBeLessThan(0.1 * maxAbs(fp32));
    }
  });
});
