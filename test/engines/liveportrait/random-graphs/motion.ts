/**
 * motion_extractor (M): img [1,3,256,256] → pitch, yaw, roll [1,66], t [1,3], exp [1,63], scale [1,1], kp [1,63],
 * opset 16. LivePortrait src/modules/convnextv2.py (convnextv2_tiny: depths 3/3/9/3, dims 96/192/384/768, seven
 * Linear heads on the pooled, normalised features; num_kp 21, num_bins 66 from src/config/models.yaml). Output
 * names and order: FasterLivePortrait's export_onnx.py.
 */
import { convnext } from './convnext.js';
import { GraphBuilder, type Skeleton } from './graph.js';
import { linear } from './layers.js';

/** Heads in the exporter's output order: [name, size, gain, bias mean] (scale near 1.5, small t and exp). */
const HEADS: [string, number, number, number][] = [
  ['pitch', 66, 1, 0],
  ['yaw', 66, 1, 0],
  ['roll', 66, 1, 0],
  ['t', 3, 0.05, 0],
  ['exp', 63, 0.02, 0],
  ['scale', 1, 0.05, 1.5],
  ['kp', 63, 0.3, 0],
];

export function buildMotionExtractor(seed = 12): Skeleton {
  const b = new GraphBuilder('motion_extractor', 16, seed);
  const img = b.input('img', [1, 3, 256, 256]);
  const features = convnext(b, img, { depths: [3, 3, 9, 3], dims: [96, 192, 384, 768], version: 2 });
  for (const [name, size, gain, bias] of HEADS) b.output(linear(b, features, `fc_${name}`, size, gain, name, bias));
  return b.build();
}
