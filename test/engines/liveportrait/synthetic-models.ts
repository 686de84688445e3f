/**
 * Synthetic stand-ins for LivePortrait's ONNX files (FasterLivePortrait `liveportrait_onnx/`): the real files' input
 * and output names, shapes and dtypes, with few cheap ops and small seeded random weights, so the whole engine runs
 * on CPU in tests and benchmarks. The warping stand-in keeps the real graph's structure where it matters to us: two
 * 5-D GridSample nodes at opset 20 (one on a 22-batch compressed volume, one on feature_3d) and an output that moves
 * when kp_driving differs from kp_source.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  attr,
  DataType,
  encodeModel,
  type GraphProto,
  makeModel,
  type NodeProto,
  type TensorProto,
  tensor,
  valueInfo,
} from '../../../bridge/src/onnx/proto.js';
import { seededRandom } from '../../../bridge/src/util/random.js';

function weights(n: number, amplitude: number, r: () => number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = (r() * 2 - 1) * amplitude;
  return a;
}

const i64 = (name: string, values: number[]) =>
  tensor(name, [values.length], BigInt64Array.from(values.map((v) => BigInt(v))));
const f32 = (name: string, dims: number[], data: Float32Array) => tensor(name, dims, data);
const scalar = (name: string, v: number) => tensor(name, [], new Float32Array([v]));

function node(opType: string, input: string[], output: string[], attribute: NodeProto['attribute'] = []): NodeProto {
  return { opType, input, output, name: output[0], attribute };
}

function model(graph: GraphProto, opset: number): Uint8Array {
  return encodeModel(makeModel(graph, opset, 'reenact-synthetic'));
}

/** Gemm head y = act(x·W + b)·gain + offset with W random [inDim, outDim]. */
function head(
  x: string,
  out: string,
  inDim: number,
  outDim: number,
  amp: number,
  r: () => number,
  nodes: NodeProto[],
  inits: TensorProto[],
  post?: { act: 'Tanh' | 'Sigmoid'; gain: number; offset: number },
): void {
  inits.push(f32(`${out}_W`, [inDim, outDim], weights(inDim * outDim, amp, r)));
  inits.push(f32(`${out}_b`, [outDim], weights(outDim, amp, r)));
  if (!post) {
    nodes.push(node('Gemm', [x, `${out}_W`, `${out}_b`], [out]));
    return;
  }
  nodes.push(node('Gemm', [x, `${out}_W`, `${out}_b`], [`${out}_lin`]));
  nodes.push(node(post.act, [`${out}_lin`], [`${out}_act`]));
  inits.push(scalar(`${out}_gain`, post.gain), scalar(`${out}_offset`, post.offset));
  nodes.push(node('Mul', [`${out}_act`, `${out}_gain`], [`${out}_g`]));
  nodes.push(node('Add', [`${out}_g`, `${out}_offset`], [out]));
}

/** Pools a [1,3,S,S] image to a [1,48] feature (4×4 cells × 3 channels), in 0..1 like the input. */
function pooledFeature(input: string, size: number, nodes: NodeProto[]): string {
  const k = size / 4;
  nodes.push(
    node('AveragePool', [input], ['pooled'], [attr.ints('kernel_shape', [k, k]), attr.ints('strides', [k, k])]),
  );
  nodes.push(node('Flatten', ['pooled'], ['feat']));
  return 'feat';
}

/** motion_extractor.onnx: img [1,3,256,256] → pitch/yaw/roll [1,66], t [1,3], exp [1,63], scale [1,1], kp [1,63]. */
export function buildMotionExtractor(seed = 1): Uint8Array {
  const r = seededRandom(seed);
  const nodes: NodeProto[] = [];
  const inits: TensorProto[] = [];
  const feat = pooledFeature('img', 256, nodes);
  for (const name of ['pitch', 'yaw', 'roll']) head(feat, name, 48, 66, 0.5, r, nodes, inits);
  head(feat, 't', 48, 3, 0.5, r, nodes, inits, { act: 'Tanh', gain: 0.05, offset: 0 });
  head(feat, 'exp', 48, 63, 0.5, r, nodes, inits, { act: 'Tanh', gain: 0.02, offset: 0 });
  head(feat, 'scale', 48, 1, 0.5, r, nodes, inits, { act: 'Tanh', gain: 0.1, offset: 1.5 });
  head(feat, 'kp', 48, 63, 0.5, r, nodes, inits, { act: 'Tanh', gain: 0.5, offset: 0 });
  const outs: [string, number][] = [
    ['pitch', 66],
    ['yaw', 66],
    ['roll', 66],
    ['t', 3],
    ['exp', 63],
    ['scale', 1],
    ['kp', 63],
  ];
  return model(
    {
      name: 'motion_extractor',
      node: nodes,
      initializer: inits,
      input: [valueInfo('img', DataType.FLOAT, [1, 3, 256, 256])],
      output: outs.map(([n, d]) => valueInfo(n, DataType.FLOAT, [1, d])),
    },
    16,
  );
}

/** appearance_feature_extractor.onnx: img [1,3,256,256] → output [1,32,16,64,64]. */
export function buildAppearanceExtractor(seed = 2): Uint8Array {
  const r = seededRandom(seed);
  return model(
    {
      name: 'appearance_feature_extractor',
      node: [
        node('AveragePool', ['img'], ['pooled'], [attr.ints('kernel_shape', [4, 4]), attr.ints('strides', [4, 4])]),
        node('Conv', ['pooled', 'conv_W', 'conv_b'], ['conv']),
        node('Reshape', ['conv', 'shape'], ['output']),
      ],
      initializer: [
        f32('conv_W', [512, 3, 1, 1], weights(512 * 3, 1, r)),
        f32('conv_b', [512], weights(512, 0.1, r)),
        i64('shape', [1, 32, 16, 64, 64]),
      ],
      input: [valueInfo('img', DataType.FLOAT, [1, 3, 256, 256])],
      output: [valueInfo('output', DataType.FLOAT, [1, 32, 16, 64, 64])],
    },
    16,
  );
}

/** An MLP stand-in (stitching, stitching_eye, stitching_lip): input [1,inDim] → output [1,outDim], small values. */
export function buildMlp(name: string, inDim: number, outDim: number, seed: number): Uint8Array {
  const r = seededRandom(seed);
  const nodes: NodeProto[] = [];
  const inits: TensorProto[] = [];
  head('input', 'output', inDim, outDim, 0.05, r, nodes, inits, { act: 'Tanh', gain: 0.01, offset: 0 });
  return model(
    {
      name,
      node: nodes,
      initializer: inits,
      input: [valueInfo('input', DataType.FLOAT, [1, inDim])],
      output: [valueInfo('output', DataType.FLOAT, [1, outDim])],
    },
    16,
  );
}

/** landmark.onnx: input [1,3,224,224] → output [1,214], 853 [1,262], 856 [1,406] (203 points in 0..1 of the crop). */
export function buildLandmarkModel(seed = 6): Uint8Array {
  const r = seededRandom(seed);
  const nodes: NodeProto[] = [];
  const inits: TensorProto[] = [];
  const feat = pooledFeature('input', 224, nodes);
  head(feat, 'output', 48, 214, 0.3, r, nodes, inits);
  head(feat, '853', 48, 262, 0.3, r, nodes, inits);
  head(feat, '856', 48, 406, 0.3, r, nodes, inits, { act: 'Sigmoid', gain: 0.6, offset: 0.2 });
  return model(
    {
      name: 'landmark',
      node: nodes,
      initializer: inits,
      input: [valueInfo('input', DataType.FLOAT, [1, 3, 224, 224])],
      output: [
        valueInfo('output', DataType.FLOAT, [1, 214]),
        valueInfo('853', DataType.FLOAT, [1, 262]),
        valueInfo('856', DataType.FLOAT, [1, 406]),
      ],
    },
    16,
  );
}

/** Identity sampling grid for a D×H×W volume, align_corners 0: [1,D,H,W,3] with (x, y, z) = (2i+1)/n − 1. */
function identityGrid(D: number, H: number, W: number): Float32Array {
  const g = new Float32Array(D * H * W * 3);
  let o = 0;
  for (let z = 0; z < D; z++)
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++) {
        g[o++] = (2 * x + 1) / W - 1;
        g[o++] = (2 * y + 1) / H - 1;
        g[o++] = (2 * z + 1) / D - 1;
      }
  return g;
}

export interface WarpingOptions {
  seed?: number;
  /** Output side (the real file: 512). */
  outSize?: number;
  /** Sampling grid D×H×W (the real graph: 16×64×64). */
  grid?: [number, number, number];
}

/**
 * warping_spade.onnx: feature_3d [1,32,16,64,64], kp_driving [1,21,3], kp_source [1,21,3] → out [1,3,512,512] in 0..1.
 * Dense-motion stand-in: 22 sparse motions (identity + one per keypoint) sample a 4-channel compression of the
 * volume (GridSample #1, batch 22); their mean gives a small deformation added to the identity grid shifted by the
 * mean keypoint motion; GridSample #2 warps feature_3d; depth mean + 1×1 conv + resize + sigmoid decode it.
 */
export function buildWarpingModel(options: WarpingOptions = {}): Uint8Array {
  const r = seededRandom(options.seed ?? 3);
  const out = options.outSize ?? 512;
  const [D, H, W] = options.grid ?? [16, 64, 64];
  const gs = (x: string, g: string, y: string, name: string): NodeProto => ({
    opType: 'GridSample',
    name,
    input: [x, g],
    output: [y],
    attribute: [attr.string('mode', 'linear'), attr.string('padding_mode', 'zeros'), attr.int('align_corners', 0)],
  });
  const nodes: NodeProto[] = [
    node('Sub', ['kp_source', 'kp_driving'], ['kp_diff']),
    node('Reshape', ['kp_diff', 'shape_21'], ['kp_diff5']),
    node('Concat', ['zero_motion', 'kp_diff5'], ['motions'], [attr.int('axis', 0)]),
    node('Add', ['id_grid', 'motions'], ['sparse_grids']),
    node('Conv', ['feature_3d', 'compress_W'], ['compressed']),
    node('Expand', ['compressed', 'shape_22'], ['compressed22']),
    gs('compressed22', 'sparse_grids', 'sparse_sampled', '/dense_motion_network/GridSample'),
    node('ReduceMean', ['sparse_sampled', 'axes_0'], ['motion_mean'], [attr.int('keepdims', 1)]),
    node('Conv', ['motion_mean', 'deform_W'], ['deform_c']),
    node('Tanh', ['deform_c'], ['deform_t']),
    node('Mul', ['deform_t', 'deform_gain'], ['deform_s']),
    node('Transpose', ['deform_s'], ['deform_ndhw3'], [attr.ints('perm', [0, 2, 3, 4, 1])]),
    node('ReduceMean', ['kp_diff', 'axes_1'], ['kp_shift'], [attr.int('keepdims', 1)]),
    node('Reshape', ['kp_shift', 'shape_shift'], ['kp_shift5']),
    node('Add', ['id_grid', 'kp_shift5'], ['shifted']),
    node('Add', ['shifted', 'deform_ndhw3'], ['deformation']),
    gs('feature_3d', 'deformation', 'warped', '/GridSample'),
    node('ReduceMean', ['warped', 'axes_2'], ['warped2d'], [attr.int('keepdims', 0)]),
    node('Conv', ['warped2d', 'decode_W', 'decode_b'], ['decoded']),
    node('Resize', ['decoded', '', '', 'out_size'], ['upsampled'], [attr.string('mode', 'linear')]),
    node('Sigmoid', ['upsampled'], ['out']),
  ];
  return model(
    {
      name: 'warping_spade',
      node: nodes,
      initializer: [
        i64('shape_21', [21, 1, 1, 1, 3]),
        f32('zero_motion', [1, 1, 1, 1, 3], new Float32Array(3)),
        f32('id_grid', [1, D, H, W, 3], identityGrid(D, H, W)),
        f32('compress_W', [4, 32, 1, 1, 1], weights(128, 0.3, r)),
        i64('shape_22', [22, 4, 16, 64, 64]),
        i64('axes_0', [0]),
        i64('axes_1', [1]),
        i64('axes_2', [2]),
        f32('deform_W', [3, 4, 1, 1, 1], weights(12, 1, r)),
        scalar('deform_gain', 0.05),
        i64('shape_shift', [1, 1, 1, 1, 3]),
        f32('decode_W', [3, 32, 1, 1], weights(96, 2, r)),
        f32('decode_b', [3], weights(3, 0.2, r)),
        i64('out_size', [1, 3, out, out]),
      ],
      input: [
        valueInfo('feature_3d', DataType.FLOAT, [1, 32, 16, 64, 64]),
        valueInfo('kp_driving', DataType.FLOAT, [1, 21, 3]),
        valueInfo('kp_source', DataType.FLOAT, [1, 21, 3]),
      ],
      output: [valueInfo('out', DataType.FLOAT, [1, 3, out, out])],
    },
    20,
  );
}

/** Every LivePortrait file name → synthetic bytes (the catalog's names). */
export function buildSyntheticModels(
  options: { warpGrid?: [number, number, number] } = {},
): Record<string, Uint8Array> {
  return {
    'appearance_feature_extractor.onnx': buildAppearanceExtractor(),
    'motion_extractor.onnx': buildMotionExtractor(),
    'warping_spade.onnx': buildWarpingModel({ grid: options.warpGrid }),
    'stitching.onnx': buildMlp('stitching', 126, 65, 4),
    'stitching_eye.onnx': buildMlp('stitching_eye', 66, 63, 5),
    'stitching_lip.onnx': buildMlp('stitching_lip', 65, 63, 7),
    'landmark.onnx': buildLandmarkModel(),
  };
}

/** Writes the synthetic set into `dir` (e.g. a `--from` folder or the model cache) and returns the file paths. */
export function writeSyntheticModels(dir: string, options: { warpGrid?: [number, number, number] } = {}): string[] {
  const files: string[] = [];
  for (const [name, bytes] of Object.entries(buildSyntheticModels(options))) {
    const file = path.join(dir, name);
    writeFileSync(file, bytes);
    files.push(file);
  }
  return files;
}
