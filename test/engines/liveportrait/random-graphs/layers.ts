/**
 * Layers as torch.onnx exports them at opset 16–20 with constant folding (BatchNorm after a Conv folded into it,
 * LayerNorm and GELU expanded into elementary ops, Linear as Gemm on 2-D inputs and MatMul + Add otherwise,
 * F.interpolate as a nearest/asymmetric/floor Resize). Weights are scaled so activations stay near unit size
 * (He-style: std = gain / √fan-in), which keeps every value finite through the deepest of these graphs.
 */
import { attr } from '../../../../bridge/src/onnx/proto.js';
import { type GraphBuilder, numel, type T } from './graph.js';

export interface ConvOptions {
  cout: number;
  kernel: number[];
  stride?: number;
  pad?: number;
  group?: number;
  bias?: boolean;
  /** Weight std = gain / √fan-in (√2 before a ReLU keeps the second moment). */
  gain?: number;
  /** Output name (e.g. a graph output). */
  out?: string;
}

/** Conv (2-D or 3-D by the kernel's rank); with BatchNorm folded in, as the exporter leaves it. */
export function conv(b: GraphBuilder, x: T, name: string, o: ConvOptions): T {
  const cin = x.shape[1];
  const group = o.group ?? 1;
  const stride = o.stride ?? 1;
  const pad = o.pad ?? 0;
  const fanIn = (cin / group) * numel(o.kernel);
  const w = b.weight(`${name}.weight`, [o.cout, cin / group, ...o.kernel], (o.gain ?? 1) / Math.sqrt(fanIn));
  const inputs = [x.name, w];
  if (o.bias ?? true) inputs.push(b.weight(`${name}.bias`, [o.cout], 0.01));
  const spatial = x.shape.slice(2).map((n, i) => Math.floor((n + 2 * pad - o.kernel[i]) / stride) + 1);
  const shape = [x.shape[0], o.cout, ...spatial];
  b.macs += o.cout * fanIn * numel(spatial);
  const dims = o.kernel.length;
  const attribute = [
    attr.ints('dilations', Array(dims).fill(1)),
    attr.int('group', group),
    attr.ints('kernel_shape', o.kernel),
    attr.ints('pads', Array(2 * dims).fill(pad)),
    attr.ints('strides', Array(dims).fill(stride)),
  ];
  return { name: b.op('Conv', inputs, attribute, o.out, `${name}/Conv`), shape };
}

/** Element-wise op keeping the first input's shape (broadcasting partners are smaller or equal). */
export function unary(b: GraphBuilder, opType: string, x: T, attribute = [] as ReturnType<typeof attr.int>[]): T {
  return { name: b.op(opType, [x.name], attribute), shape: x.shape };
}

export function binary(b: GraphBuilder, opType: 'Add' | 'Sub' | 'Mul' | 'Div', x: T, y: T | string): T {
  const other = typeof y === 'string' ? y : y.name;
  const shape = typeof y === 'string' || numel(x.shape) >= numel(y.shape) ? x.shape : y.shape;
  return { name: b.op(opType, [x.name, other]), shape };
}

export const relu = (b: GraphBuilder, x: T) => unary(b, 'Relu', x);
export const leakyRelu = (b: GraphBuilder, x: T, alpha: number) =>
  unary(b, 'LeakyRelu', x, [attr.float('alpha', alpha)]);
export const sigmoid = (b: GraphBuilder, x: T, out?: string): T => ({
  name: b.op('Sigmoid', [x.name], [], out),
  shape: x.shape,
});

/** BatchNormalization that stays a node (a norm on a block input, before its ReLU): eval-mode statistics. */
export function batchNorm(b: GraphBuilder, x: T, name: string): T {
  const c = [x.shape[1]];
  const inputs = [
    x.name,
    b.weight(`${name}.weight`, c, 0.05, 1),
    b.weight(`${name}.bias`, c, 0.05),
    b.weight(`${name}.running_mean`, c, 0.05),
    b.weight(`${name}.running_var`, c, 0.05, 1),
  ];
  return {
    name: b.op('BatchNormalization', inputs, [attr.float('epsilon', 1e-5), attr.float('momentum', 0.9)]),
    shape: x.shape,
  };
}

/**
 * LayerNorm expanded as opset 16 exports it (a single LayerNormalization node needs opset 17): mean, centred
 * square mean, √(var + eps), divide, then the affine weight and bias. `axis` 1 is LivePortrait's channels-first
 * LayerNorm (written out in util.py), −1 is nn.LayerNorm / F.layer_norm on channels-last.
 */
export function layerNorm(b: GraphBuilder, x: T, name: string, axis: 1 | -1, eps = 1e-6): T {
  const c = axis === 1 ? x.shape[1] : x.shape[x.shape.length - 1];
  const axes = attr.ints('axes', [axis]);
  const mean = b.op('ReduceMean', [x.name], [axes, attr.int('keepdims', 1)]);
  const centred = b.op('Sub', [x.name, mean]);
  const sq = b.op('Pow', [centred, b.scalar(2)]);
  const variance = b.op('ReduceMean', [sq], [axes, attr.int('keepdims', 1)]);
  const std = b.op('Sqrt', [b.op('Add', [variance, b.scalar(eps)])]);
  const normed = b.op('Div', [centred, std]);
  const wShape = axis === 1 ? [c, 1, 1] : [c];
  const scaled = b.op('Mul', [normed, b.weight(`${name}.weight`, wShape, 0.05, 1)]);
  return { name: b.op('Add', [scaled, b.weight(`${name}.bias`, wShape, 0.02)]), shape: x.shape };
}

/** nn.Linear: Gemm (transB) on a 2-D input, MatMul with the folded transposed weight + Add on higher ranks. */
export function linear(b: GraphBuilder, x: T, name: string, cout: number, gain = 1, out?: string, biasMean = 0): T {
  const cin = x.shape[x.shape.length - 1];
  const std = gain / Math.sqrt(cin);
  const shape = [...x.shape.slice(0, -1), cout];
  b.macs += numel(shape) * cin;
  const bias = b.weight(`${name}.bias`, [cout], 0.01, biasMean);
  if (x.shape.length === 2) {
    const w = b.weight(`${name}.weight`, [cout, cin], std);
    const attribute = [attr.float('alpha', 1), attr.float('beta', 1), attr.int('transB', 1)];
    return { name: b.op('Gemm', [x.name, w, bias], attribute, out, `${name}/Gemm`), shape };
  }
  const w = b.weight(`${name}.weight_t`, [cin, cout], std);
  const mm = b.op('MatMul', [x.name, w], [], undefined, `${name}/MatMul`);
  return { name: b.op('Add', [mm, bias], [], out), shape };
}

/** GELU (exact) as exported: x · 0.5 · (1 + erf(x / √2)). */
export function gelu(b: GraphBuilder, x: T): T {
  const e = b.op('Erf', [b.op('Div', [x.name, b.scalar(Math.SQRT2)])]);
  const m = b.op('Mul', [x.name, b.op('Add', [e, b.scalar(1)])]);
  return { name: b.op('Mul', [m, b.scalar(0.5)]), shape: x.shape };
}

/** AvgPool with kernel = stride (nn.AvgPool2d(2), nn.AvgPool3d((1,2,2))). */
export function avgPool(b: GraphBuilder, x: T, kernel: number[]): T {
  const rank = kernel.length;
  const attribute = [
    attr.int('ceil_mode', 0),
    attr.int('count_include_pad', 1),
    attr.ints('kernel_shape', kernel),
    attr.ints('pads', Array(2 * rank).fill(0)),
    attr.ints('strides', kernel),
  ];
  const spatial = x.shape.slice(2).map((n, i) => Math.floor(n / kernel[i]));
  return { name: b.op('AveragePool', [x.name], attribute), shape: [...x.shape.slice(0, 2), ...spatial] };
}

/** A zero Pad before an AvgPool2d: torch's avg_pool symbolic emits it when count_include_pad is on (the default). */
export function zeroPad(b: GraphBuilder, x: T): T {
  const pads = b.i64(Array(2 * x.shape.length).fill(0));
  return { name: b.op('Pad', [x.name, pads], [attr.string('mode', 'constant')]), shape: x.shape };
}

const NEAREST = [
  attr.string('coordinate_transformation_mode', 'asymmetric'),
  attr.float('cubic_coeff_a', -0.75),
  attr.string('mode', 'nearest'),
  attr.string('nearest_mode', 'floor'),
];

/** F.interpolate(scale_factor=…) / nn.Upsample, nearest: Resize with constant scales. */
export function upsample(b: GraphBuilder, x: T, scales: number[]): T {
  const s = b.constant(b.fresh('/Constant_scales'), [scales.length], () => Float32Array.from(scales));
  const shape = x.shape.map((n, i) => n * scales[i]);
  return { name: b.op('Resize', [x.name, '', s], NEAREST), shape };
}

/** F.interpolate(size=…), nearest: Resize with constant sizes (SPADE resizes its segmentation map to x's size). */
export function resizeTo(b: GraphBuilder, x: T, shape: number[]): T {
  return { name: b.op('Resize', [x.name, '', '', b.i64(shape)], NEAREST), shape };
}

export function reshape(b: GraphBuilder, x: T, shape: number[]): T {
  return { name: b.op('Reshape', [x.name, b.i64(shape)]), shape };
}

export function transpose(b: GraphBuilder, x: T, perm: number[]): T {
  return { name: b.op('Transpose', [x.name], [attr.ints('perm', perm)]), shape: perm.map((p) => x.shape[p]) };
}

export function concat(b: GraphBuilder, xs: T[], axis: number): T {
  const shape = [...xs[0].shape];
  shape[axis] = xs.reduce((s, x) => s + x.shape[axis], 0);
  return {
    name: b.op(
      'Concat',
      xs.map((x) => x.name),
      [attr.int('axis', axis)],
    ),
    shape,
  };
}

export function unsqueeze(b: GraphBuilder, x: T, axis: number): T {
  const shape = [...x.shape];
  shape.splice(axis, 0, 1);
  return { name: b.op('Unsqueeze', [x.name, b.i64([axis])]), shape };
}
