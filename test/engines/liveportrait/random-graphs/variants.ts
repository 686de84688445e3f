/**
 * Reduced-precision variants of a Skeleton, for timing only (their quality needs the real weights). npm has no ONNX
 * converter (onnx-proto and onnx-buf are only schemas), so these are our own, after what onnxconverter-common's
 * float16 converter and onnxruntime.quantization's quantize_dynamic do:
 * - fp16: every float initializer stored as float16 and every op computing in float16, with graph inputs and outputs
 *   kept float32 behind Casts (keep_io_types). Op types an execution provider has no float16 kernel for can be kept in
 *   float32 behind Casts (`keepFloat32`), as the converter's op_block_list does. Resize scales stay float32 (the
 *   ONNX type of that input).
 * - int8 (dynamic): each Conv becomes DynamicQuantizeLinear(x) → ConvInteger(x_q, w_q, x_zp) → Cast → × x_scale ×
 *   w_scale[c] → + bias, and each MatMul with a constant weight becomes DynamicQuantizeLinear → MatMulInteger → Cast →
 *   × scales (quantize_dynamic's ConvInteger / MatMulInteger forms). Weights are symmetric int8 per output channel
 *   (zero point 0, so no w_zero_point input), activations uint8 with a per-tensor scale computed at run time. Gemm,
 *   GridSample and everything else stay float32.
 */
import { attr, DataType, type NodeProto } from '../../../../bridge/src/onnx/proto.js';
import { type LazyTensor, numel, type Skeleton } from './graph.js';

/**
 * IEEE float32 → float16 bits, round to nearest even (subnormals, overflow to ∞ and NaN kept). Hand-written because
 * @petamoriken/float16's setFloat16 (the reference it is tested against) takes ~1.4 µs a value: 140 s for the
 * warping graph's 100 M weights.
 */
export function toFloat16(values: Float32Array): Uint16Array {
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const out = new Uint16Array(values.length);
  for (let i = 0; i < bits.length; i++) {
    const f = bits[i];
    const sign = (f >>> 16) & 0x8000;
    const exp = ((f >>> 23) & 0xff) - 127 + 15;
    const mant = f & 0x7fffff;
    if (exp === 0xff - 127 + 15) out[i] = sign | 0x7c00 | (mant ? 0x200 : 0);
    else if (exp >= 0x1f) out[i] = sign | 0x7c00;
    else if (exp <= 0) {
      if (exp < -10) {
        out[i] = sign;
        continue;
      }
      const m = mant | 0x800000;
      const shift = 14 - exp;
      const rest = m & ((1 << shift) - 1);
      const half = 1 << (shift - 1);
      let h = m >>> shift;
      if (rest > half || (rest === half && h & 1)) h += 1;
      out[i] = sign | h;
    } else {
      const rest = mant & 0x1fff;
      let h = sign | (exp << 10) | (mant >>> 13);
      if (rest > 0x1000 || (rest === 0x1000 && h & 1)) h += 1; // a carry into the exponent is correct rounding
      out[i] = h;
    }
  }
  return out;
}

const cast = (input: string, output: string, to: number): NodeProto => ({
  opType: 'Cast',
  input: [input],
  output: [output],
  name: `${output}/Cast`,
  attribute: [attr.int('to', to)],
});

/** Inputs that ONNX types as float32 whatever the op's T (Resize roi and scales). */
function float32Input(node: NodeProto, index: number): boolean {
  return node.opType === 'Resize' && (index === 1 || index === 2);
}

export function toFp16(s: Skeleton, keepFloat32: ReadonlySet<string> = new Set()): Skeleton {
  const fp32Only = new Set<string>();
  for (const n of s.nodes)
    for (const [i, name] of (n.input ?? []).entries()) if (float32Input(n, i)) fp32Only.add(name);
  const tensors: LazyTensor[] = s.tensors.map((t) =>
    t.dataType !== DataType.FLOAT || fp32Only.has(t.name)
      ? t
      : { ...t, dataType: DataType.FLOAT16, values: () => toFloat16(t.values() as Float32Array) },
  );
  const inputNames = new Set(s.inputs.map((i) => i.name));
  const outputNames = new Set(s.outputs.map((o) => o.name));
  const nodes: NodeProto[] = s.inputs.map((i) => cast(i.name, `${i.name}_fp16`, DataType.FLOAT16));
  const rename = (name: string) => (inputNames.has(name) ? `${name}_fp16` : name);
  for (const n of s.nodes) {
    const input = (n.input ?? []).map(rename);
    const output = (n.output ?? []).map((o) => (outputNames.has(o) ? `${o}_fp16` : o));
    if (n.opType === 'Cast' && n.attribute?.find((a) => a.name === 'to')?.i === DataType.FLOAT) {
      nodes.push({ ...n, input, output, attribute: [attr.int('to', DataType.FLOAT16)] });
    } else if (keepFloat32.has(n.opType)) {
      // Float32 island: cast each input up (integer inputs such as shapes are left alone by name) and outputs down.
      const up = input.map((x, i) => (x === '' || float32Input(n, i) || isInteger(s, x) ? x : `${x}_to32_${n.name}`));
      for (const [i, x] of up.entries()) if (x !== input[i]) nodes.push(cast(input[i], x, DataType.FLOAT));
      const down = output.map((o) => `${o}_fp32`);
      nodes.push({ ...n, input: up, output: down });
      for (const [i, o] of down.entries()) nodes.push(cast(o, output[i], DataType.FLOAT16));
    } else {
      nodes.push({ ...n, input, output });
    }
  }
  for (const o of s.outputs) nodes.push(cast(`${o.name}_fp16`, o.name, DataType.FLOAT));
  return { ...s, name: `${s.name}.fp16`, nodes, tensors };
}

/** Whether a value is an integer constant (shapes, axes, pads): those never change type. */
function isInteger(s: Skeleton, name: string): boolean {
  const t = s.tensors.find((x) => x.name === name);
  return t !== undefined && t.dataType !== DataType.FLOAT;
}

/** Symmetric int8 per output channel (axis 0 for Conv [C,…], axis 1 for a MatMul weight [K,N]): values and scales. */
function quantize(values: Float32Array, dims: number[], axis: 0 | 1): { q: Int8Array; scales: Float32Array } {
  const channels = dims[axis];
  const inner = axis === 0 ? numel(dims) / channels : 1;
  const stride = axis === 0 ? inner : channels;
  const count = axis === 0 ? inner : dims[0];
  const scales = new Float32Array(channels);
  const q = new Int8Array(values.length);
  for (let c = 0; c < channels; c++) {
    const at = (j: number) => (axis === 0 ? c * inner + j : j * stride + c);
    let max = 0;
    for (let j = 0; j < count; j++) max = Math.max(max, Math.abs(values[at(j)]));
    const scale = max > 0 ? max / 127 : 1;
    scales[c] = scale;
    for (let j = 0; j < count; j++) q[at(j)] = Math.round(values[at(j)] / scale);
  }
  return { q, scales };
}

export function toDynamicInt8(s: Skeleton): Skeleton {
  const byName = new Map(s.tensors.map((t) => [t.name, t]));
  const tensors: LazyTensor[] = [];
  const replaced = new Set<string>();
  const nodes: NodeProto[] = [];
  for (const n of s.nodes) {
    const weight = byName.get(n.input?.[1] ?? '');
    const quantizable = (n.opType === 'Conv' || n.opType === 'MatMul') && weight?.kind === 'weight';
    if (!quantizable || !weight) {
      nodes.push(n);
      continue;
    }
    const base = n.name ?? weight.name;
    const axis = n.opType === 'Conv' ? 0 : 1;
    const channels = weight.dims[axis];
    // The quantized weight and its scales are made from one generation of the float weight.
    let cached: ReturnType<typeof quantize> | null = null;
    const q = () => {
      cached ??= quantize(weight.values() as Float32Array, weight.dims, axis);
      return cached;
    };
    tensors.push({
      name: `${weight.name}_quantized`,
      dims: weight.dims,
      dataType: DataType.INT8,
      kind: 'weight',
      values: () => q().q,
    });
    // Per-channel scales shaped to broadcast over the output: [1,C,1,…] for Conv, [N] for MatMul.
    const rank = weight.dims.length;
    const scaleDims = axis === 0 ? [1, channels, ...Array(rank - 2).fill(1)] : [channels];
    tensors.push({
      name: `${weight.name}_scale`,
      dims: scaleDims,
      dataType: DataType.FLOAT,
      kind: 'constant',
      values: () => {
        const out = q().scales;
        cached = null;
        return out;
      },
    });
    replaced.add(weight.name);
    const x = n.input![0];
    const [xq, xScale, xZero] = [`${base}/x_q`, `${base}/x_scale`, `${base}/x_zero_point`];
    nodes.push({
      opType: 'DynamicQuantizeLinear',
      input: [x],
      output: [xq, xScale, xZero],
      name: `${base}/DynamicQuantizeLinear`,
    });
    const integerOp = n.opType === 'Conv' ? 'ConvInteger' : 'MatMulInteger';
    const attribute = n.opType === 'Conv' ? n.attribute : [];
    nodes.push({
      opType: integerOp,
      input: [xq, `${weight.name}_quantized`, xZero],
      output: [`${base}/int32`],
      name: `${base}/${integerOp}`,
      attribute,
    });
    nodes.push(cast(`${base}/int32`, `${base}/float`, DataType.FLOAT));
    nodes.push({ opType: 'Mul', input: [`${base}/float`, xScale], output: [`${base}/x_scaled`], name: `${base}/MulX` });
    const scaled = n.opType === 'Conv' && n.input?.[2] ? `${base}/scaled` : n.output![0];
    nodes.push({
      opType: 'Mul',
      input: [`${base}/x_scaled`, `${weight.name}_scale`],
      output: [scaled],
      name: `${base}/MulW`,
    });
    const bias = n.opType === 'Conv' ? n.input?.[2] : undefined;
    if (bias) {
      // Conv's bias [C] becomes an Add on [1,C,1,…].
      const b = byName.get(bias)!;
      replaced.add(bias);
      tensors.push({ ...b, name: `${bias}_nc`, dims: scaleDims });
      nodes.push({ opType: 'Add', input: [scaled, `${bias}_nc`], output: [n.output![0]], name: `${base}/AddBias` });
    }
  }
  return {
    ...s,
    name: `${s.name}.int8`,
    nodes,
    tensors: [...s.tensors.filter((t) => !replaced.has(t.name)), ...tensors],
  };
}
