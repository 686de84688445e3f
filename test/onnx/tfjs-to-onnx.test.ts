import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { ReenactError } from '../../bridge/src/errors.js';
import {
  convertTfjsGraph,
  halfToFloat,
  type TfjsGraphJson,
  type TfjsNode,
  type TfjsWeightSpec,
} from '../../bridge/src/onnx/tfjs-to-onnx.js';

/**
 * Per-op tests of the TF.js→ONNX converter: tiny synthetic TF.js graphs, run through onnxruntime, against
 * reference results computed here in plain JS in TF's own NHWC layout (or by hand).
 */

// ---- tiny TF.js graph builder ----

interface Weight {
  name: string;
  shape: number[];
  data: number[];
  dtype?: 'float32' | 'int32';
  float16?: boolean;
}

const b64 = (s: string) => Buffer.from(s).toString('base64');
const listI = (v: number[]) => ({ list: { i: v.map(String) } });
const pad = (p: 'SAME' | 'VALID') => ({ s: b64(p) });

function floatToHalf(v: number): number {
  const f = new Float32Array([v]);
  const x = new Uint32Array(f.buffer)[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = ((x >>> 23) & 0xff) - 127 + 15;
  const frac = (x >>> 13) & 0x3ff;
  if (exp <= 0) return sign; // tests use normal values only
  return sign | (exp << 10) | frac;
}

function graph(
  inputShape: number[],
  nodes: TfjsNode[],
  weights: Weight[],
  outputs?: string[],
): { json: TfjsGraphJson; bin: Uint8Array } {
  const parts: Buffer[] = [];
  const specs: TfjsWeightSpec[] = weights.map((w) => {
    if (w.float16) {
      const b = Buffer.alloc(w.data.length * 2);
      w.data.forEach((v, i) => {
        b.writeUInt16LE(floatToHalf(v), i * 2);
      });
      parts.push(b);
      return {
        name: w.name,
        shape: w.shape,
        dtype: 'float32',
        quantization: { dtype: 'float16', original_dtype: 'float32' },
      };
    }
    const b = Buffer.alloc(w.data.length * 4);
    w.data.forEach((v, i) => {
      if (w.dtype === 'int32') b.writeInt32LE(v, i * 4);
      else b.writeFloatLE(v, i * 4);
    });
    parts.push(b);
    return { name: w.name, shape: w.shape, dtype: w.dtype ?? 'float32' };
  });
  const all: TfjsNode[] = [
    {
      name: 'x',
      op: 'Placeholder',
      attr: { shape: { shape: { dim: inputShape.map((size) => ({ size: String(size) })) } } },
    },
    ...weights.map((w) => ({ name: w.name, op: 'Const' })),
    ...nodes,
  ];
  const json: TfjsGraphJson = {
    modelTopology: { node: all },
    weightsManifest: [{ paths: ['w.bin'], weights: specs }],
    ...(outputs ? { signature: { outputs: Object.fromEntries(outputs.map((o) => [o, { name: `${o}:0` }])) } } : {}),
  };
  return { json, bin: new Uint8Array(Buffer.concat(parts)) };
}

async function run(g: { json: TfjsGraphJson; bin: Uint8Array }, x: number[], shape: number[]) {
  const session = await ort.InferenceSession.create(convertTfjsGraph(g.json, g.bin));
  const out = await session.run({ x: new ort.Tensor('float32', Float32Array.from(x), shape) });
  await session.release();
  return out;
}

const seq = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i));
/** Deterministic pseudo-random values in −1..1. */
const rnd = (n: number, seed: number) =>
  seq(n, (i) => {
    const s = Math.sin((i + 1) * 12.9898 + seed * 78.233) * 43758.5453;
    return (s - Math.floor(s)) * 2 - 1;
  });

// ---- NHWC references ----

interface T4 {
  d: number[];
  s: [number, number, number, number];
}
const at = (t: T4, n: number, y: number, x: number, c: number) => t.d[((n * t.s[1] + y) * t.s[2] + x) * t.s[3] + c];

function samePads(size: number, k: number, s: number): [number, number] {
  const out = Math.ceil(size / s);
  const total = Math.max((out - 1) * s + k - size, 0);
  return [Math.floor(total / 2), out];
}

/** TF Conv2D / DepthwiseConv2dNative (multiplier m: output channel c·m + j), NHWC, HWIO / HWCM weights. */
function convRef(x: T4, w: number[], ws: number[], stride: number, padding: 'SAME' | 'VALID', depthwise: boolean): T4 {
  const [kh, kw, cin, cm] = ws;
  const [, h, wd] = x.s;
  const [pt, oh] = padding === 'SAME' ? samePads(h, kh, stride) : [0, Math.floor((h - kh) / stride) + 1];
  const [pl, ow] = padding === 'SAME' ? samePads(wd, kw, stride) : [0, Math.floor((wd - kw) / stride) + 1];
  const oc = depthwise ? cin * cm : cm;
  const d: number[] = [];
  for (let oy = 0; oy < oh; oy++)
    for (let ox = 0; ox < ow; ox++)
      for (let o = 0; o < oc; o++) {
        let acc = 0;
        for (let ky = 0; ky < kh; ky++)
          for (let kx = 0; kx < kw; kx++) {
            const iy = oy * stride + ky - pt;
            const ix = ox * stride + kx - pl;
            if (iy < 0 || ix < 0 || iy >= h || ix >= wd) continue;
            if (depthwise) {
              const c = Math.floor(o / cm);
              acc += at(x, 0, iy, ix, c) * w[((ky * kw + kx) * cin + c) * cm + (o % cm)];
            } else for (let i = 0; i < cin; i++) acc += at(x, 0, iy, ix, i) * w[((ky * kw + kx) * cin + i) * cm + o];
          }
        d.push(acc);
      }
  return { d, s: [1, oh, ow, oc] };
}

const perChannel = (t: T4, f: (v: number, c: number) => number): T4 => ({
  d: t.d.map((v, i) => f(v, i % t.s[3])),
  s: t.s,
});

function expectClose(actual: ort.Tensor, expected: T4 | { d: number[]; s: number[] }, tol = 1e-5) {
  expect(actual.dims).toEqual(expected.s);
  const a = actual.data as Float32Array;
  expect(a.length).toBe(expected.d.length);
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - expected.d[i])).toBeLessThan(tol);
}

const fusedConv = (
  name: string,
  input: string,
  w: string,
  b: string,
  ops: string[],
  stride: number,
  p: 'SAME' | 'VALID',
  alpha?: string,
): TfjsNode => ({
  name,
  op: '_FusedConv2D',
  input: [input, w, b, ...(alpha ? [alpha] : [])],
  attr: {
    fused_ops: { list: { s: ops.map(b64) } },
    strides: listI([1, stride, stride, 1]),
    dilations: listI([1, 1, 1, 1]),
    padding: pad(p),
    data_format: { s: b64('NHWC') },
    num_args: { i: String(ops.length) },
  },
});

describe('TF.js → ONNX converter ops', () => {
  it('halfToFloat decodes IEEE half values', () => {
    expect(halfToFloat(0x3c00)).toBe(1);
    expect(halfToFloat(0xc000)).toBe(-2);
    expect(halfToFloat(0x3800)).toBe(0.5);
    expect(halfToFloat(0x7bff)).toBe(65504);
    expect(halfToFloat(0x0001)).toBeCloseTo(2 ** -24, 30);
    expect(halfToFloat(0x7c00)).toBe(Number.POSITIVE_INFINITY);
  });

  it('_FusedConv2D BiasAdd+Relu, SAME, stride 2 with asymmetric padding (extra at the end, as TF)', async () => {
    const x: T4 = { d: rnd(6 * 6 * 2, 1), s: [1, 6, 6, 2] };
    const w = rnd(3 * 3 * 2 * 3, 2);
    const bias = [0.1, -0.2, 0.3];
    const g = graph(
      [1, 6, 6, 2],
      [fusedConv('y', 'x', 'w', 'b', ['BiasAdd', 'Relu'], 2, 'SAME')],
      [
        { name: 'w', shape: [3, 3, 2, 3], data: w },
        { name: 'b', shape: [3], data: bias },
      ],
    );
    const out = await run(g, x.d, x.s);
    const ref = perChannel(convRef(x, w, [3, 3, 2, 3], 2, 'SAME', false), (v, c) => Math.max(0, v + bias[c]));
    expect(ref.s).toEqual([1, 3, 3, 3]);
    expectClose(out.y, ref);
  });

  it('_FusedConv2D BiasAdd+Prelu, VALID, float16-quantised weights dequantised', async () => {
    const x: T4 = { d: rnd(4 * 4 * 3, 3), s: [1, 4, 4, 3] };
    // Values exactly representable in float16, so the reference is exact.
    const w = rnd(2 * 2 * 3 * 2, 4).map((v) => Math.round(v * 64) / 64);
    const bias = [0.25, -0.5];
    const alpha = [0.125, 0.375];
    const g = graph(
      [1, 4, 4, 3],
      [fusedConv('y', 'x', 'w', 'b', ['BiasAdd', 'Prelu'], 1, 'VALID', 'a')],
      [
        { name: 'w', shape: [2, 2, 3, 2], data: w, float16: true },
        { name: 'b', shape: [2], data: bias, float16: true },
        { name: 'a', shape: [2], data: alpha },
      ],
    );
    const out = await run(g, x.d, x.s);
    const ref = perChannel(convRef(x, w, [2, 2, 3, 2], 1, 'VALID', false), (v, c) => {
      const z = v + bias[c];
      return z >= 0 ? z : alpha[c] * z;
    });
    expectClose(out.y, ref);
  });

  it('_FusedConv2D BiasAdd+Relu6 clips at 6', async () => {
    const g = graph(
      [1, 1, 1, 1],
      [fusedConv('y', 'x', 'w', 'b', ['BiasAdd', 'Relu6'], 1, 'VALID')],
      [
        { name: 'w', shape: [1, 1, 1, 3], data: [1, 10, -1] },
        { name: 'b', shape: [3], data: [0, 0, 0] },
      ],
    );
    const out = await run(g, [2], [1, 1, 1, 1]);
    expectClose(out.y, { d: [2, 6, 0], s: [1, 1, 1, 3] });
  });

  for (const [stride, p, mult] of [
    [1, 'SAME', 1],
    [2, 'SAME', 1],
    [1, 'VALID', 2],
  ] as const) {
    it(`DepthwiseConv2dNative ${p} stride ${stride} multiplier ${mult}`, async () => {
      const x: T4 = { d: rnd(6 * 6 * 3, 5), s: [1, 6, 6, 3] };
      const w = rnd(3 * 3 * 3 * mult, 6);
      const g = graph(
        [1, 6, 6, 3],
        [
          {
            name: 'y',
            op: 'DepthwiseConv2dNative',
            input: ['x', 'w'],
            attr: {
              strides: listI([1, stride, stride, 1]),
              dilations: listI([1, 1, 1, 1]),
              padding: pad(p),
              data_format: { s: b64('NHWC') },
            },
          },
        ],
        [{ name: 'w', shape: [3, 3, 3, mult], data: w }],
      );
      const out = await run(g, x.d, x.s);
      expectClose(out.y, convRef(x, w, [3, 3, 3, mult], stride, p, true));
    });
  }

  it('AddV2 of two activations, AddV2 with a per-channel constant, standalone Prelu and Sigmoid', async () => {
    const x: T4 = { d: rnd(2 * 2 * 2, 7), s: [1, 2, 2, 2] };
    const g = graph(
      [1, 2, 2, 2],
      [
        fusedConv('c', 'x', 'w', 'b', ['BiasAdd'], 1, 'VALID'),
        { name: 'sum', op: 'AddV2', input: ['c', 'x'] },
        { name: 'sum2', op: 'AddV2', input: ['k', 'sum'] },
        { name: 'p', op: 'Prelu', input: ['sum2', 'a'] },
        { name: 'y', op: 'Sigmoid', input: ['p'] },
      ],
      [
        { name: 'w', shape: [1, 1, 2, 2], data: [1, 0, 0, 1] },
        { name: 'b', shape: [2], data: [0, 0] },
        { name: 'k', shape: [2], data: [-1, 0.5] },
        { name: 'a', shape: [2], data: [0.5, 0.25] },
      ],
    );
    const out = await run(g, x.d, x.s);
    const k = [-1, 0.5];
    const a = [0.5, 0.25];
    const ref = perChannel(x, (v, c) => {
      const z = 2 * v + k[c];
      const p = z >= 0 ? z : a[c] * z;
      return 1 / (1 + Math.exp(-p));
    });
    expectClose(out.y, ref);
  });

  it('MaxPool 2×2 stride 2: VALID drops the odd edge, SAME keeps it (padding ignored)', async () => {
    const x = seq(5 * 5, (i) => ((i * 7) % 11) - 5);
    const pool = (p: 'SAME' | 'VALID'): TfjsNode => ({
      name: `y${p}`,
      op: 'MaxPool',
      input: ['x'],
      attr: {
        ksize: listI([1, 2, 2, 1]),
        strides: listI([1, 2, 2, 1]),
        padding: pad(p),
        data_format: { s: b64('NHWC') },
      },
    });
    const g = graph([1, 5, 5, 1], [pool('VALID'), pool('SAME')], []);
    const out = await run(g, x, [1, 5, 5, 1]);
    const ref = (n: number) => {
      const d: number[] = [];
      for (let oy = 0; oy < n; oy++)
        for (let ox = 0; ox < n; ox++) {
          let m = Number.NEGATIVE_INFINITY;
          for (let ky = 0; ky < 2; ky++)
            for (let kx = 0; kx < 2; kx++) {
              const yy = oy * 2 + ky;
              const xx = ox * 2 + kx;
              if (yy < 5 && xx < 5) m = Math.max(m, x[yy * 5 + xx]);
            }
          d.push(m);
        }
      return { d, s: [1, n, n, 1] };
    };
    expectClose(out.yVALID, ref(2));
    expectClose(out.ySAME, ref(3));
  });

  it('Pad on channels (MediaPipe channel padding) and on H/W, in TF axis order', async () => {
    const x: T4 = { d: [1, 2, 3, 4], s: [1, 2, 1, 2] };
    const g = graph(
      [1, 2, 1, 2],
      [{ name: 'y', op: 'Pad', input: ['x', 'p'] }],
      [{ name: 'p', shape: [4, 2], data: [0, 0, 1, 0, 0, 1, 0, 1], dtype: 'int32' }],
    );
    const out = await run(g, x.d, x.s);
    // [1, 3, 2, 3]: one zero row on top, one zero column on the right, one zero channel at the end.
    expectClose(out.y, {
      d: [0, 0, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 3, 4, 0, 0, 0, 0],
      s: [1, 3, 2, 3],
    });
  });

  it('ConcatV2 on the channel axis (3 and −1) keeps NHWC order', async () => {
    const x: T4 = { d: rnd(2 * 2 * 2, 8), s: [1, 2, 2, 2] };
    const g = graph(
      [1, 2, 2, 2],
      [
        fusedConv('c', 'x', 'w', 'b', ['BiasAdd'], 1, 'VALID'),
        { name: 'y', op: 'ConcatV2', input: ['x', 'c', 'ax'] },
        { name: 'z', op: 'ConcatV2', input: ['c', 'x', 'neg'] },
      ],
      [
        { name: 'w', shape: [1, 1, 2, 1], data: [1, 1] },
        { name: 'b', shape: [1], data: [0] },
        { name: 'ax', shape: [], data: [3], dtype: 'int32' },
        { name: 'neg', shape: [], data: [-1], dtype: 'int32' },
      ],
    );
    const out = await run(g, x.d, x.s);
    const y: number[] = [];
    const z: number[] = [];
    for (let p = 0; p < 4; p++) {
      const s = x.d[2 * p] + x.d[2 * p + 1];
      y.push(x.d[2 * p], x.d[2 * p + 1], s);
      z.push(s, x.d[2 * p], x.d[2 * p + 1]);
    }
    expectClose(out.y, { d: y, s: [1, 2, 2, 3] });
    expectClose(out.z, { d: z, s: [1, 2, 2, 3] });
  });

  it('Reshape after a conv flattens in NHWC order (transposed back across the NCHW boundary)', async () => {
    const x: T4 = { d: seq(2 * 2 * 1, (i) => i + 1), s: [1, 2, 2, 1] };
    const g = graph(
      [-1, 2, 2, 1],
      [
        fusedConv('c', 'x', 'w', 'b', ['BiasAdd'], 1, 'VALID'),
        { name: 'r', op: 'Reshape', input: ['c', 'shape'] },
        { name: 'out', op: 'Identity', input: ['r'] },
      ],
      [
        { name: 'w', shape: [1, 1, 1, 3], data: [1, 10, 100] },
        { name: 'b', shape: [3], data: [0, 0, 0] },
        { name: 'shape', shape: [2], data: [-1, 12], dtype: 'int32' },
      ],
      ['out'],
    );
    const out = await run(g, x.d, x.s);
    expectClose(out.out, { d: [1, 10, 100, 2, 20, 200, 3, 30, 300, 4, 40, 400], s: [1, 12] });
  });

  it('a 4-D graph output comes back NHWC with the TF shape, and the batch dim stays free', async () => {
    const g = graph(
      [-1, 1, 2, 1],
      [fusedConv('y', 'x', 'w', 'b', ['BiasAdd'], 1, 'VALID')],
      [
        { name: 'w', shape: [1, 1, 1, 2], data: [1, -1] },
        { name: 'b', shape: [2], data: [0, 0] },
      ],
    );
    const out = await run(g, [1, 2, 3, 4], [2, 1, 2, 1]);
    expectClose(out.y, { d: [1, -1, 2, -2, 3, -3, 4, -4], s: [2, 1, 2, 2] });
  });

  it('Conv2D, BiasAdd, Mul by a per-channel constant, FusedDepthwiseConv2dNative BiasAdd+Relu', async () => {
    const x: T4 = { d: rnd(4 * 4 * 2, 9), s: [1, 4, 4, 2] };
    const w = rnd(3 * 3 * 2 * 2, 10);
    const dw = rnd(3 * 3 * 2, 11);
    const attrs = {
      strides: listI([1, 1, 1, 1]),
      dilations: listI([1, 1, 1, 1]),
      padding: pad('SAME'),
      data_format: { s: b64('NHWC') },
    };
    const g = graph(
      [1, 4, 4, 2],
      [
        { name: 'c', op: 'Conv2D', input: ['x', 'w'], attr: attrs },
        { name: 'cb', op: 'BiasAdd', input: ['c', 'b'] },
        { name: 'm', op: 'Mul', input: ['cb', 'k'] },
        {
          name: 'y',
          op: 'FusedDepthwiseConv2dNative',
          input: ['m', 'dw', 'db'],
          attr: { ...attrs, fused_ops: { list: { s: [b64('BiasAdd'), b64('Relu')] } } },
        },
      ],
      [
        { name: 'w', shape: [3, 3, 2, 2], data: w },
        { name: 'b', shape: [2], data: [0.5, -0.5] },
        { name: 'k', shape: [2], data: [2, -3] },
        { name: 'dw', shape: [3, 3, 2, 1], data: dw },
        { name: 'db', shape: [2], data: [0.1, 0.2] },
      ],
    );
    const out = await run(g, x.d, x.s);
    const b = [0.5, -0.5];
    const k = [2, -3];
    const db = [0.1, 0.2];
    const m = perChannel(convRef(x, w, [3, 3, 2, 2], 1, 'SAME', false), (v, c) => (v + b[c]) * k[c]);
    const ref = perChannel(convRef(m, dw, [3, 3, 2, 1], 1, 'SAME', true), (v, c) => Math.max(0, v + db[c]));
    expectClose(out.y, ref, 1e-4);
  });

  it('keeps only the requested outputs (prunes other branches) and rejects unknown ones', async () => {
    const g = graph(
      [1, 1, 1, 1],
      [
        { name: 'a', op: 'Relu', input: ['x'] },
        { name: 'b', op: 'Softmax', input: ['x'] },
      ],
      [],
    );
    // The unsupported op sits only on the pruned branch, so conversion succeeds.
    const session = await ort.InferenceSession.create(convertTfjsGraph(g.json, g.bin, { outputs: ['a'] }));
    expect(session.outputNames).toEqual(['a']);
    await session.release();
    expect(() => convertTfjsGraph(g.json, g.bin, { outputs: ['nope'] })).toThrow(
      'Expected output nope in the TF.js graph but it has no such node.',
    );
  });

  it('names the op and node it cannot convert', () => {
    const g = graph([1, 2, 2, 1], [{ name: 'y', op: 'Softmax', input: ['x'] }], []);
    expect(() => convertTfjsGraph(g.json, g.bin)).toThrow(ReenactError);
    expect(() => convertTfjsGraph(g.json, g.bin)).toThrow(
      /^Unsupported TF\.js op Softmax in node y\. The converter handles /,
    );
  });

  it('rejects a weights file shorter than the manifest', () => {
    const g = graph(
      [1, 1, 1, 1],
      [fusedConv('y', 'x', 'w', 'b', ['BiasAdd'], 1, 'VALID')],
      [
        { name: 'w', shape: [1, 1, 1, 1], data: [1] },
        { name: 'b', shape: [1], data: [0] },
      ],
    );
    expect(() => convertTfjsGraph(g.json, g.bin.slice(0, 6))).toThrow(
      'Expected 4 bytes for weight b at offset 4 but the weights file has 6 bytes. Reinstall @vladmandic/human.',
    );
  });
});
