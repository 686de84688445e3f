/**
 * landmark (203 points): input [1,3,224,224] → output [1,214], 853 [1,262], 856 [1,406]. The names and shapes are
 * confirmed (FasterLivePortrait src/models/landmark_model.py, LivePortrait src/utils/human_landmark_runner.py);
 * the ARCHITECTURE IS NOT: its source is published nowhere, only the .onnx. This stand-in is a ConvNeXt-V1-tiny
 * at 224² with three Linear heads, chosen because a third-party conversion of the file shows only ConvNeXt-style
 * ops (Conv, MatMul, ReduceMean, Pow, Sqrt, Erf, Transpose) and its size (about 115 MB) matches that backbone's
 * ~28.5 M fp32 parameters. Its timings are indicative only; the engine runs it once per job, not per frame.
 */
import { convnext } from './convnext.js';
import { GraphBuilder, type Skeleton } from './graph.js';
import { linear, sigmoid } from './layers.js';

export function buildLandmark(seed = 17): Skeleton {
  const b = new GraphBuilder('landmark', 16, seed);
  const input = b.input('input', [1, 3, 224, 224]);
  const features = convnext(b, input, { depths: [3, 3, 9, 3], dims: [96, 192, 384, 768], version: 1 });
  b.output(linear(b, features, 'head_214', 214, 1, 'output'));
  b.output(linear(b, features, 'head_262', 262, 1, '853'));
  // Points in 0..1 of the crop, as the engine reads them (a guess at the real head's last op).
  const points = linear(b, features, 'head_406', 406, 1);
  b.output(sigmoid(b, points, '856'));
  return b.build();
}
