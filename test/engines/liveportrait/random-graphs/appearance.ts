/**
 * appearance_feature_extractor (F): img [1,3,256,256] → output [1,32,16,64,64], opset 16.
 * LivePortrait src/modules/appearance_feature_extractor.py with src/config/models.yaml (block_expansion 64,
 * num_down_blocks 2, max_features 512, reshape 32×16, 6 ResBlock3d); blocks from src/modules/util.py
 * (SameBlock2d, DownBlock2d, ResBlock3d). Export settings: FasterLivePortrait's export_onnx.py (opset 16).
 */

import { GraphBuilder, type Skeleton } from './graph.js';
import { avgPool, batchNorm, binary, conv, relu, reshape, zeroPad } from './layers.js';

export function buildAppearanceFeatureExtractor(seed = 11): Skeleton {
  const b = new GraphBuilder('appearance_feature_extractor', 16, seed);
  const img = b.input('img', [1, 3, 256, 256]);
  // first: SameBlock2d 3→64 (BN folded), ReLU.
  let x = relu(b, conv(b, img, 'first.conv', { cout: 64, kernel: [3, 3], pad: 1, gain: Math.SQRT2 }));
  // Two DownBlock2d: conv (BN folded) → ReLU → AvgPool 2×2.
  for (const [i, cout] of [128, 256].entries()) {
    x = relu(b, conv(b, x, `down_blocks.${i}.conv`, { cout, kernel: [3, 3], pad: 1, gain: Math.SQRT2 }));
    x = avgPool(b, zeroPad(b, x), [2, 2]);
  }
  x = conv(b, x, 'second', { cout: 512, kernel: [1, 1] });
  x = reshape(b, x, [1, 32, 16, 64, 64]);
  // Six pre-activation ResBlock3d: BN (kept: it is on the block input) → ReLU → conv (next BN folded) → ReLU →
  // conv, + skip. The second conv is scaled down so six residual sums stay near unit size.
  for (let i = 0; i < 6; i++) {
    const name = `resblocks_3d.3dr${i}`;
    let h = relu(b, batchNorm(b, x, `${name}.norm1`));
    h = relu(b, conv(b, h, `${name}.conv1`, { cout: 32, kernel: [3, 3, 3], pad: 1, gain: Math.SQRT2 }));
    h = conv(b, h, `${name}.conv2`, { cout: 32, kernel: [3, 3, 3], pad: 1, gain: 0.4 });
    x = i === 5 ? { name: b.op('Add', [h.name, x.name], [], 'output'), shape: x.shape } : binary(b, 'Add', h, x);
  }
  b.output(x);
  return b.build();
}
