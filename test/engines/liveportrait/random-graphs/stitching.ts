/**
 * stitching, stitching_eye, stitching_lip: input [1,n] → output [1,m], opset 16: Linear layers with ReLU between
 * them (LivePortrait src/modules/stitching_retargeting_network.py; sizes from src/config/models.yaml), so the export
 * holds only Gemm and Relu. The last layer is small: its outputs are keypoint deltas added to the motion.
 */
import { GraphBuilder, type Skeleton } from './graph.js';
import { linear, relu } from './layers.js';

export const MLPS = {
  stitching: { input: 126, hidden: [128, 128, 64], output: 65, seed: 14 },
  stitching_eye: { input: 66, hidden: [256, 256, 128, 128, 64], output: 63, seed: 15 },
  stitching_lip: { input: 65, hidden: [128, 128, 64], output: 63, seed: 16 },
} as const;

export function buildStitching(name: keyof typeof MLPS): Skeleton {
  const m = MLPS[name];
  const b = new GraphBuilder(name, 16, m.seed);
  let x = b.input('input', [1, m.input]);
  m.hidden.forEach((h, i) => {
    x = relu(b, linear(b, x, `mlp.${2 * i}`, h, Math.SQRT2));
  });
  b.output(linear(b, x, `mlp.${2 * m.hidden.length}`, m.output, 0.01, 'output'));
  return b.build();
}
