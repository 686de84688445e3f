/**
 * ConvNeXt backbones as exported at opset 16. V2 (LivePortrait's motion extractor, src/modules/convnextv2.py):
 * Block = depthwise 7×7 conv → NHWC → LayerNorm → Linear d→4d → GELU → GRN → Linear 4d→d → NCHW → + input,
 * GRN from src/modules/util.py (L2 norm over H,W divided by its channel mean). V1 (the stand-in for the unconfirmed
 * landmark network) has no GRN and a per-channel layer scale instead.
 */
import { attr } from '../../../../bridge/src/onnx/proto.js';
import type { GraphBuilder, T } from './graph.js';
import { binary, conv, gelu, layerNorm, linear, transpose } from './layers.js';

export interface ConvNeXtOptions {
  depths: number[];
  dims: number[];
  version: 1 | 2;
}

/** GRN(4d) on NHWC: γ·(x·N(x)) + β + x with N(x) = ‖x‖₂,HW / (mean over channels + 1e-6). */
function grn(b: GraphBuilder, x: T, name: string): T {
  const c = x.shape[3];
  const gx = b.op('ReduceL2', [x.name], [attr.ints('axes', [1, 2]), attr.int('keepdims', 1)]);
  const mean = b.op('ReduceMean', [gx], [attr.ints('axes', [-1]), attr.int('keepdims', 1)]);
  const nx = b.op('Div', [gx, b.op('Add', [mean, b.scalar(1e-6)])]);
  const xn = b.op('Mul', [x.name, nx]);
  const g = b.op('Mul', [b.weight(`${name}.gamma`, [1, 1, 1, c], 0.1), xn]);
  const gb = b.op('Add', [g, b.weight(`${name}.beta`, [1, 1, 1, c], 0.02)]);
  return { name: b.op('Add', [gb, x.name]), shape: x.shape };
}

function block(b: GraphBuilder, x: T, name: string, version: 1 | 2): T {
  const d = x.shape[1];
  let h = conv(b, x, `${name}.dwconv`, { cout: d, kernel: [7, 7], pad: 3, group: d });
  h = transpose(b, h, [0, 2, 3, 1]);
  h = layerNorm(b, h, `${name}.norm`, -1);
  h = gelu(b, linear(b, h, `${name}.pwconv1`, 4 * d));
  if (version === 2) h = grn(b, h, `${name}.grn`);
  // A small second projection keeps the residual stream near unit size through 18 blocks.
  h = linear(b, h, `${name}.pwconv2`, d, 0.3);
  if (version === 1) h = { name: b.op('Mul', [h.name, b.weight(`${name}.gamma`, [d], 0.1, 0.5)]), shape: h.shape };
  h = transpose(b, h, [0, 3, 1, 2]);
  return binary(b, 'Add', x, h);
}

/** Stem, 4 stages with 3 downsampling layers, global average pool and the final LayerNorm: [1, dims[3]]. */
export function convnext(b: GraphBuilder, img: T, o: ConvNeXtOptions): T {
  let x = conv(b, img, 'downsample_layers.0.0', { cout: o.dims[0], kernel: [4, 4], stride: 4 });
  x = layerNorm(b, x, 'downsample_layers.0.1', 1);
  for (let i = 0; i < 4; i++) {
    if (i > 0) {
      x = layerNorm(b, x, `downsample_layers.${i}.0`, 1);
      x = conv(b, x, `downsample_layers.${i}.1`, { cout: o.dims[i], kernel: [2, 2], stride: 2 });
    }
    for (let j = 0; j < o.depths[i]; j++) x = block(b, x, `stages.${i}.${j}`, o.version);
  }
  const pooled = {
    name: b.op('ReduceMean', [x.name], [attr.ints('axes', [-2, -1]), attr.int('keepdims', 0)]),
    shape: x.shape.slice(0, 2),
  };
  return layerNorm(b, pooled, 'norm', -1);
}
