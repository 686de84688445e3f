/**
 * warping_spade (W + G as one graph): feature_3d [1,32,16,64,64], kp_driving [1,21,3], kp_source [1,21,3] →
 * out [1,3,512,512], opset 20 (5-D GridSample needs GridSample-20). FasterLivePortrait's export_onnx.py wraps
 * dense motion → warp → third → fourth → × occlusion → SPADE decoder in one module (WarpingSpadeModel) and exports
 * it at opset 20. Layers, from LivePortrait:
 * - src/modules/dense_motion.py: compress 32→4, sparse motions (identity grid − kp_driving + kp_source, plus the
 *   identity as background), GridSample #1 on the 22-times repeated volume, Gaussian heatmaps (variance 0.01),
 *   Hourglass (src/modules/util.py: 5 down and 5 up blocks, block_expansion 32, max_features 1024), a 7×7×7 mask conv,
 *   softmax-weighted sum of the motions, a 7×7 occlusion conv on the 2272-channel reshaped prediction.
 * - src/modules/warping_network.py: GridSample #2 on feature_3d, third (3×3, LeakyReLU 0.01), fourth (1×1).
 * - src/modules/spade_generator.py + util.py SPADE/SPADEResnetBlock: fc, 6 middle blocks, two ×2 upsamplings with
 *   up_0 and up_1, conv_img 64→12 and PixelShuffle(2) (DepthToSpace CRD), sigmoid.
 * Constant folding leaves make_coordinate_grid's grids in the file: the identity grid [1,1,16,64,64,3] and
 * kp2gaussian's grid repeated per keypoint [1,21,16,64,64,3] (16.5 MB; both heatmaps use the same one). That the
 * published file holds this grid is inferred, not read from it: it explains why the file (421,233,096 B) is 17.6 MB
 * above its weights, and with it the rebuilt graph's size agrees to 1.2 KB.
 */
import { attr } from '../../../../bridge/src/onnx/proto.js';
import { GraphBuilder, type Skeleton, type T } from './graph.js';
import {
  avgPool,
  binary,
  concat,
  conv,
  leakyRelu,
  relu,
  reshape,
  resizeTo,
  sigmoid,
  transpose,
  unsqueeze,
  upsample,
} from './layers.js';

const K = 21;
const D = 16;
const H = 64;
const W = 64;

/** LivePortrait's make_coordinate_grid: (x, y, z) in −1..1 with the corners on ±1, shape [D,H,W,3]. */
function coordinateGrid(repeat: number): Float32Array {
  const one = new Float32Array(D * H * W * 3);
  let o = 0;
  for (let z = 0; z < D; z++)
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++) {
        one[o++] = (2 * x) / (W - 1) - 1;
        one[o++] = (2 * y) / (H - 1) - 1;
        one[o++] = (2 * z) / (D - 1) - 1;
      }
  const out = new Float32Array(one.length * repeat);
  for (let k = 0; k < repeat; k++) out.set(one, k * one.length);
  return out;
}

const reduceSum = (b: GraphBuilder, x: T, axis: number, keep: 0 | 1): T => {
  const shape = [...x.shape];
  if (keep) shape[axis] = 1;
  else shape.splice(axis, 1);
  return { name: b.op('ReduceSum', [x.name, b.i64([axis])], [attr.int('keepdims', keep)]), shape };
};

function gridSample(b: GraphBuilder, x: T, grid: T, nodeName: string): T {
  const attribute = [attr.int('align_corners', 0), attr.string('mode', 'linear'), attr.string('padding_mode', 'zeros')];
  const name = b.op('GridSample', [x.name, grid.name], attribute, `${nodeName}_output_0`, nodeName);
  return { name, shape: [x.shape[0], x.shape[1], ...grid.shape.slice(1, 4)] };
}

/** kp2gaussian: exp(−½·Σ(grid − kp)² / 0.01) over the folded per-keypoint grid → [1,21,16,64,64]. */
function gaussian(b: GraphBuilder, grid: T, kp: T): T {
  const mean = reshape(b, kp, [1, K, 1, 1, 1, 3]);
  const sub = binary(b, 'Sub', grid, mean);
  const sq = { name: b.op('Pow', [sub.name, b.scalar(2)]), shape: sub.shape };
  const sum = reduceSum(b, sq, 5, 0);
  const scaled = binary(b, 'Div', binary(b, 'Mul', sum, b.scalar(-0.5)), b.scalar(0.01));
  return { name: b.op('Exp', [scaled.name]), shape: scaled.shape };
}

/** DenseMotionNetwork.forward: the deformation [1,16,64,64,3] and the occlusion map [1,1,64,64]. */
function denseMotion(b: GraphBuilder, feature: T, kpDriving: T, kpSource: T): { deformation: T; occlusion: T } {
  const p = 'dense_motion_network';
  const compressed = relu(b, conv(b, feature, `${p}.compress`, { cout: 4, kernel: [1, 1, 1], gain: Math.SQRT2 }));

  // create_sparse_motions: identity − kp_driving + kp_source per keypoint, identity first as the background.
  const identity: T = {
    name: b.constant(`${p}.identity_grid`, [1, 1, D, H, W, 3], () => coordinateGrid(1)),
    shape: [1, 1, D, H, W, 3],
  };
  const toSource = binary(
    b,
    'Add',
    binary(b, 'Sub', identity, reshape(b, kpDriving, [1, K, 1, 1, 1, 3])),
    reshape(b, kpSource, [1, K, 1, 1, 1, 3]),
  );
  const sparse = concat(b, [identity, { ...toSource, shape: [1, K, D, H, W, 3] }], 1);

  // create_deformed_feature: the compressed volume repeated per motion, GridSample #1 (batch 22).
  const repeated = {
    name: b.op('Tile', [unsqueeze(b, unsqueeze(b, compressed, 1), 1).name, b.i64([1, K + 1, 1, 1, 1, 1, 1])]),
    shape: [1, K + 1, 1, 4, D, H, W],
  };
  const volumes = reshape(b, repeated, [K + 1, 4, D, H, W]);
  const grids = reshape(b, sparse, [K + 1, D, H, W, 3]);
  const deformed = reshape(b, gridSample(b, volumes, grids, '/dense_motion_network/GridSample'), [
    1,
    K + 1,
    4,
    D,
    H,
    W,
  ]);

  // create_heatmap_representations: driving − source Gaussians, a zero background, as a channel.
  const gridK: T = {
    name: b.constant(`${p}.kp2gaussian_grid`, [1, K, D, H, W, 3], () => coordinateGrid(K)),
    shape: [1, K, D, H, W, 3],
  };
  const heat = binary(b, 'Sub', gaussian(b, gridK, kpDriving), gaussian(b, gridK, kpSource));
  const zeros: T = {
    name: b.constant(`${p}.zeros`, [1, 1, D, H, W], () => new Float32Array(D * H * W)),
    shape: [1, 1, D, H, W],
  };
  const heatmap = unsqueeze(b, concat(b, [zeros, heat], 1), 2);
  const input = reshape(b, concat(b, [heatmap, deformed], 2), [1, (K + 1) * 5, D, H, W]);

  const prediction = hourglass(b, input, `${p}.hourglass`);

  // Mask: softmax over the 22 motions, weighted sum → deformation.
  const logits = conv(b, prediction, `${p}.mask`, { cout: K + 1, kernel: [7, 7, 7], pad: 3 });
  const mask = unsqueeze(b, { name: b.op('Softmax', [logits.name], [attr.int('axis', 1)]), shape: logits.shape }, 2);
  const motions = transpose(b, sparse, [0, 1, 5, 2, 3, 4]);
  const weighted = binary(b, 'Mul', motions, mask);
  const deformation = transpose(b, reduceSum(b, weighted, 1, 0), [0, 2, 3, 4, 1]);

  const flat = reshape(b, prediction, [1, prediction.shape[1] * D, H, W]);
  const occlusion = sigmoid(b, conv(b, flat, `${p}.occlusion`, { cout: 1, kernel: [7, 7], pad: 3 }));
  return { deformation, occlusion };
}

/** Hourglass 110 → 142 channels: 5 DownBlock3d (conv, ReLU, AvgPool (1,2,2)), 5 UpBlock3d with skips, out conv. */
function hourglass(b: GraphBuilder, x: T, p: string): T {
  const outs: T[] = [x];
  for (const [i, cout] of [64, 128, 256, 512, 1024].entries()) {
    const h = relu(
      b,
      conv(b, outs[i], `${p}.encoder.down_blocks.${i}.conv`, { cout, kernel: [3, 3, 3], pad: 1, gain: Math.SQRT2 }),
    );
    outs.push(avgPool(b, h, [1, 2, 2]));
  }
  let out = outs.pop() as T;
  for (const [i, cout] of [512, 256, 128, 64, 32].entries()) {
    const up = upsample(b, out, [1, 1, 1, 2, 2]);
    const h = relu(
      b,
      conv(b, up, `${p}.decoder.up_blocks.${i}.conv`, { cout, kernel: [3, 3, 3], pad: 1, gain: Math.SQRT2 }),
    );
    out = concat(b, [h, outs.pop() as T], 1);
  }
  return relu(
    b,
    conv(b, out, `${p}.decoder.conv`, { cout: out.shape[1], kernel: [3, 3, 3], pad: 1, gain: Math.SQRT2 }),
  );
}

/** SPADE: InstanceNorm(x) · (1 + γ(seg)) + β(seg), seg resized to x. `shared` reuses a norm and resize (CSE). */
function spade(
  b: GraphBuilder,
  x: T,
  seg: T,
  p: string,
  shared?: { normed: T; seg: T },
): { out: T; normed: T; seg: T } {
  const c = x.shape[1];
  const normed =
    shared?.normed ??
    ({
      name: b.op(
        'InstanceNormalization',
        [
          x.name,
          b.constant(b.fresh(`/${p}/ones`), [c], () => new Float32Array(c).fill(1)),
          b.constant(b.fresh(`/${p}/zeros`), [c], () => new Float32Array(c)),
        ],
        [attr.float('epsilon', 1e-5)],
      ),
      shape: x.shape,
    } satisfies T);
  const segmap = shared?.seg ?? resizeTo(b, seg, [1, seg.shape[1], ...x.shape.slice(2)]);
  const actv = relu(b, conv(b, segmap, `${p}.mlp_shared.0`, { cout: 128, kernel: [3, 3], pad: 1, gain: Math.SQRT2 }));
  const gamma = conv(b, actv, `${p}.mlp_gamma`, { cout: c, kernel: [3, 3], pad: 1, gain: 0.3 });
  const beta = conv(b, actv, `${p}.mlp_beta`, { cout: c, kernel: [3, 3], pad: 1, gain: 0.3 });
  const out = binary(b, 'Add', binary(b, 'Mul', normed, binary(b, 'Add', gamma, b.scalar(1))), beta);
  return { out, normed, seg: segmap };
}

/** SPADEResnetBlock(fin → fout): learned 1×1 shortcut (no bias) through its own SPADE when fin ≠ fout. */
function spadeBlock(b: GraphBuilder, x: T, seg: T, p: string, fout: number): T {
  const fin = x.shape[1];
  const middle = Math.min(fin, fout);
  const n0 = spade(b, x, seg, `${p}.norm_0`);
  let shortcut = x;
  if (fin !== fout) {
    const ns = spade(b, x, seg, `${p}.norm_s`, n0);
    shortcut = conv(b, ns.out, `${p}.conv_s`, { cout: fout, kernel: [1, 1], bias: false });
  }
  let dx = conv(b, leakyRelu(b, n0.out, 0.2), `${p}.conv_0`, { cout: middle, kernel: [3, 3], pad: 1, gain: 0.7 });
  dx = conv(b, leakyRelu(b, spade(b, dx, seg, `${p}.norm_1`).out, 0.2), `${p}.conv_1`, {
    cout: fout,
    kernel: [3, 3],
    pad: 1,
    gain: 0.7,
  });
  return binary(b, 'Add', shortcut, dx);
}

function spadeDecoder(b: GraphBuilder, seg: T): T {
  const p = 'spade_generator';
  let x = conv(b, seg, `${p}.fc`, { cout: 512, kernel: [3, 3], pad: 1 });
  for (let i = 0; i < 6; i++) x = spadeBlock(b, x, seg, `${p}.G_middle_${i}`, 512);
  x = spadeBlock(b, upsample(b, x, [1, 1, 2, 2]), seg, `${p}.up_0`, 256);
  x = spadeBlock(b, upsample(b, x, [1, 1, 2, 2]), seg, `${p}.up_1`, 64);
  const img = conv(b, leakyRelu(b, x, 0.2), `${p}.conv_img.0`, { cout: 12, kernel: [3, 3], pad: 1, gain: 0.5 });
  const shuffled = {
    name: b.op('DepthToSpace', [img.name], [attr.int('blocksize', 2), attr.string('mode', 'CRD')]),
    shape: [1, 3, 512, 512],
  };
  return sigmoid(b, shuffled, 'out');
}

export function buildWarpingSpade(seed = 13): Skeleton {
  const b = new GraphBuilder('warping_spade', 20, seed);
  const feature = b.input('feature_3d', [1, 32, D, H, W]);
  const kpDriving = b.input('kp_driving', [1, K, 3]);
  const kpSource = b.input('kp_source', [1, K, 3]);
  const { deformation, occlusion } = denseMotion(b, feature, kpDriving, kpSource);
  const warped = gridSample(b, feature, deformation, '/GridSample');
  let x = reshape(b, warped, [1, 32 * D, H, W]);
  x = leakyRelu(
    b,
    conv(b, x, 'warping_module.third.conv', { cout: 256, kernel: [3, 3], pad: 1, gain: Math.SQRT2 }),
    0.01,
  );
  x = conv(b, x, 'warping_module.fourth', { cout: 256, kernel: [1, 1] });
  x = binary(b, 'Mul', x, occlusion);
  b.output(spadeDecoder(b, x));
  return b.build();
}
