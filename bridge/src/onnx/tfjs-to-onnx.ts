/**
 * Our own TF.js graph-model → ONNX converter, so the face models shipped as TF.js graphs inside
 * `@vladmandic/human` (blazeface, facemesh, iris) run in onnxruntime-node with nothing downloaded and no
 * TensorFlow installed. It covers the ops those MediaPipe-derived graphs use (see SUPPORTED_OPS); anything
 * else fails loudly with the op and node name.
 *
 * Layout: TF graphs are NHWC, ONNX convolutions are NCHW. The graph input keeps its TF name and NHWC shape
 * and is transposed once; 4-D activations stay NCHW inside; a Reshape or a graph output transposes back to
 * NHWC first, so every output has exactly the TF shape and memory order.
 */
import { ReenactError } from '../errors.js';
import { attr, DataType, encodeModel, type NodeProto, type TensorProto, tensor, valueInfo } from './proto.js';

/** Bump when the converter's output for the same source changes (it keys the model cache). */
export const CONVERTER_VERSION = '1';

export const SUPPORTED_OPS = [
  'Placeholder',
  'Const',
  '_FusedConv2D',
  'Conv2D',
  'DepthwiseConv2dNative',
  'FusedDepthwiseConv2dNative',
  'BiasAdd',
  'AddV2',
  'Add',
  'Mul',
  'Prelu',
  'Relu',
  'Relu6',
  'Sigmoid',
  'MaxPool',
  'Pad',
  'Reshape',
  'ConcatV2',
  'Identity',
] as const;

/** The parts of a TF.js `model.json` the converter reads. */
export interface TfjsGraphJson {
  modelTopology: { node: TfjsNode[] };
  weightsManifest: { paths: string[]; weights: TfjsWeightSpec[] }[];
  signature?: {
    inputs?: Record<string, { name: string }>;
    outputs?: Record<string, { name: string }>;
  };
}

export interface TfjsNode {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, TfjsAttr>;
}

export interface TfjsAttr {
  s?: string;
  i?: string | number;
  f?: number;
  b?: boolean;
  type?: string;
  list?: { s?: string[]; i?: (string | number)[]; f?: number[] };
  shape?: { dim?: { size?: string | number }[] };
  tensor?: unknown;
}

export interface TfjsWeightSpec {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32' | 'bool' | string;
  quantization?: { dtype: 'float16' | 'uint8' | 'uint16'; scale?: number; min?: number; original_dtype?: string };
}

interface ConstValue {
  shape: number[];
  data: Float32Array | Int32Array;
}

/** How a converted TF tensor is held in the ONNX graph: 4-D activations are NCHW, everything else as in TF. */
interface Value {
  name: string;
  nchw: boolean;
}

/** IEEE 754 half → float. */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 31) return frac ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}

/**
 * Splits the concatenated weight bytes into named constants, dequantising float16/uint8/uint16 weights to float32.
 * @throws ReenactError BAD_INPUT when the bytes are shorter than the manifest says.
 */
export function readWeights(json: TfjsGraphJson, bin: Uint8Array): Map<string, ConstValue> {
  const out = new Map<string, ConstValue>();
  const view = new DataView(bin.buffer, bin.byteOffset, bin.byteLength);
  let offset = 0;
  for (const group of json.weightsManifest) {
    for (const w of group.weights) {
      const n = w.shape.reduce((a, b) => a * b, 1);
      const q = w.quantization;
      const bytesPer = q ? (q.dtype === 'uint8' ? 1 : 2) : 4;
      if (offset + n * bytesPer > bin.byteLength) {
        throw new ReenactError(
          'BAD_INPUT',
          `Expected ${n * bytesPer} bytes for weight ${w.name} at offset ${offset} but the weights file has ${bin.byteLength} bytes. Reinstall @vladmandic/human.`,
        );
      }
      let data: Float32Array | Int32Array;
      if (w.dtype === 'int32' && !q) {
        data = new Int32Array(n);
        for (let i = 0; i < n; i++) data[i] = view.getInt32(offset + 4 * i, true);
      } else {
        const f = new Float32Array(n);
        if (!q) for (let i = 0; i < n; i++) f[i] = view.getFloat32(offset + 4 * i, true);
        else if (q.dtype === 'float16')
          for (let i = 0; i < n; i++) f[i] = halfToFloat(view.getUint16(offset + 2 * i, true));
        else {
          const scale = q.scale ?? 1;
          const min = q.min ?? 0;
          for (let i = 0; i < n; i++) {
            const v = q.dtype === 'uint8' ? view.getUint8(offset + i) : view.getUint16(offset + 2 * i, true);
            f[i] = v * scale + min;
          }
        }
        data = w.dtype === 'int32' ? Int32Array.from(f, Math.round) : f;
      }
      out.set(w.name, { shape: w.shape, data });
      offset += n * bytesPer;
    }
  }
  return out;
}

const decodeS = (s: string | undefined): string => (s ? Buffer.from(s, 'base64').toString('utf8') : '');
const ints = (a: TfjsAttr | undefined): number[] => (a?.list?.i ?? []).map((v) => Number(v));
/** TF tensor reference "node:1" / "^node" → node name and output index. */
function parseRef(ref: string): { node: string; index: number } {
  const clean = ref.startsWith('^') ? ref.slice(1) : ref;
  const m = /^(.*):(\d+)$/.exec(clean);
  return m ? { node: m[1], index: Number(m[2]) } : { node: clean, index: 0 };
}

/** NHWC axis → NCHW axis. */
const NHWC_TO_NCHW_AXIS = [0, 2, 3, 1];

class GraphBuilder {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  private counter = 0;
  private readonly used = new Set<string>();

  unique(base: string): string {
    let name = base;
    while (this.used.has(name)) name = `${base}__${++this.counter}`;
    this.used.add(name);
    return name;
  }

  /** Reserves a name (graph inputs and outputs) so no generated value takes it. */
  reserve(name: string): void {
    this.used.add(name);
  }

  node(opType: string, inputs: string[], base: string, attributes: NodeProto['attribute'] = [], exact = false): string {
    const output = exact ? base : this.unique(base);
    this.nodes.push({ opType, input: inputs, output: [output], name: output, attribute: attributes });
    return output;
  }

  init(base: string, dims: number[], data: Float32Array | Int32Array | BigInt64Array): string {
    const name = this.unique(base);
    this.initializers.push(tensor(name, dims, data));
    return name;
  }
}

export interface ConvertOptions {
  /** ONNX opset (default 17). */
  opset?: number;
  /** Keep only these outputs (TF node names, e.g. 'Identity_2'), pruning the branches only the others need. */
  outputs?: string[];
  /** Extra metadata recorded in the model (source hash…). */
  metadata?: Record<string, string>;
}

/**
 * Converts a TF.js graph model to ONNX bytes.
 * Inputs keep their TF placeholder names and NHWC shapes (batch dim symbolic 'N' when -1). Outputs are named
 * after the signature's tensors (or, without a signature, the graph's unconsumed nodes) without ':0'.
 * @throws ReenactError BAD_INPUT "Unsupported TF.js op Foo in node bar …" for ops outside SUPPORTED_OPS.
 */
export function convertTfjsGraph(json: TfjsGraphJson, bin: Uint8Array, options: ConvertOptions = {}): Uint8Array {
  const consts = readWeights(json, bin);
  const nodesByName = new Map(json.modelTopology.node.map((n) => [n.name, n]));
  const g = new GraphBuilder();
  const values = new Map<string, Value>();
  const graphInputs: ReturnType<typeof valueInfo>[] = [];

  const outputNames = findOutputs(json, options.outputs);
  const order = topoOrder(json, outputNames);
  for (const n of json.modelTopology.node) if (n.op === 'Placeholder') g.reserve(n.name);
  for (const o of outputNames) g.reserve(o);

  const constOf = (ref: string): ConstValue => {
    const c = consts.get(parseRef(ref).node);
    if (!c) throw new ReenactError('BAD_INPUT', `Expected a constant for ${ref} but it is computed or missing.`);
    return c;
  };
  /** A TF tensor as an ONNX value (constants become initializers on demand, never NCHW). */
  const tfValue = (ref: string): Value => {
    const { node, index } = parseRef(ref);
    if (index > 0) throw new ReenactError('BAD_INPUT', `Unsupported reference to output ${index} of node ${node}.`);
    const v = values.get(node);
    if (v) return v;
    const c = consts.get(node);
    if (!c) throw new ReenactError('BAD_INPUT', `Expected node ${node} to be defined before use.`);
    const name = g.init(node, c.shape, c.data instanceof Int32Array ? BigInt64Array.from(c.data, BigInt) : c.data);
    const val = { name, nchw: false };
    values.set(node, val);
    return val;
  };
  const toNhwc = (v: Value, base: string): string =>
    v.nchw ? g.node('Transpose', [v.name], `${base}__nhwc`, [attr.ints('perm', [0, 2, 3, 1])]) : v.name;
  /** A per-channel or scalar constant made broadcastable against an NCHW tensor: [C] → [C,1,1]. */
  const channelConst = (ref: string, nchw: boolean): string => {
    const c = constOf(ref);
    const n = c.data.length;
    const data = c.data instanceof Float32Array ? c.data : Float32Array.from(c.data);
    if (!nchw || n === 1) return g.init(parseRef(ref).node, n === 1 ? [] : c.shape, data);
    if (c.shape.filter((d) => d !== 1).length > 1) {
      throw new ReenactError('BAD_INPUT', `Expected a per-channel constant for ${ref} but its shape is [${c.shape}].`);
    }
    return g.init(parseRef(ref).node, [n, 1, 1], data);
  };
  const padAttrs = (node: TfjsNode) => {
    const padding = decodeS(node.attr?.padding?.s);
    if (padding === 'SAME') return [attr.string('auto_pad', 'SAME_UPPER')];
    if (padding === 'VALID') return [attr.string('auto_pad', 'VALID')];
    throw new ReenactError('BAD_INPUT', `Unsupported padding ${padding || '(none)'} in node ${node.name}.`);
  };
  const checkNhwc = (node: TfjsNode) => {
    const fmt = decodeS(node.attr?.data_format?.s);
    if (fmt && fmt !== 'NHWC')
      throw new ReenactError('BAD_INPUT', `Unsupported data_format ${fmt} in node ${node.name}.`);
    const d = ints(node.attr?.dilations);
    if (d.some((x) => x !== 1))
      throw new ReenactError('BAD_INPUT', `Unsupported dilations [${d}] in node ${node.name}.`);
  };

  const activation = (op: string, x: Value, node: TfjsNode, alphaRef: string | undefined): Value => {
    const base = node.name;
    switch (op) {
      case 'Relu':
        return { name: g.node('Relu', [x.name], base), nchw: x.nchw };
      case 'Relu6': {
        const lo = g.init(`${base}/min`, [], new Float32Array([0]));
        const hi = g.init(`${base}/max`, [], new Float32Array([6]));
        return { name: g.node('Clip', [x.name, lo, hi], base), nchw: x.nchw };
      }
      case 'Prelu': {
        if (!alphaRef) throw new ReenactError('BAD_INPUT', `Expected an alpha input for Prelu in node ${node.name}.`);
        return { name: g.node('PRelu', [x.name, channelConst(alphaRef, x.nchw)], base), nchw: x.nchw };
      }
      case 'Sigmoid':
        return { name: g.node('Sigmoid', [x.name], base), nchw: x.nchw };
      default:
        throw new ReenactError('BAD_INPUT', `Unsupported fused activation ${op} in node ${node.name}.`);
    }
  };

  /** Conv (regular or depthwise) with optional bias; weights HWIO / HWCM → OIHW. */
  const conv = (node: TfjsNode, depthwise: boolean, biasRef: string | undefined, base: string): Value => {
    checkNhwc(node);
    const inputs = node.input ?? [];
    const x = tfValue(inputs[0]);
    if (!x.nchw) throw new ReenactError('BAD_INPUT', `Expected a 4-D activation into node ${node.name}.`);
    const w = constOf(inputs[1]);
    const [kh, kw, cin, cout] = w.shape;
    const oc = depthwise ? cin * cout : cout;
    const ic = depthwise ? 1 : cin;
    const src = w.data as Float32Array;
    const dst = new Float32Array(src.length);
    // TF HWIO[h][w][i][o] (depthwise: HWCM[h][w][c][m], output channel c*M+m) → ONNX OIHW[o][i][h][w].
    for (let h = 0; h < kh; h++)
      for (let ww = 0; ww < kw; ww++)
        for (let i = 0; i < cin; i++)
          for (let o = 0; o < cout; o++) {
            const s = ((h * kw + ww) * cin + i) * cout + o;
            const d = depthwise ? ((i * cout + o) * kh + h) * kw + ww : ((o * ic + i) * kh + h) * kw + ww;
            dst[d] = src[s];
          }
    const wName = g.init(parseRef(inputs[1]).node, [oc, ic, kh, kw], dst);
    const strides = ints(node.attr?.strides);
    const convInputs = [x.name, wName];
    if (biasRef) {
      const b = constOf(biasRef);
      convInputs.push(g.init(parseRef(biasRef).node, [b.data.length], Float32Array.from(b.data)));
    }
    const attributes = [
      attr.ints('kernel_shape', [kh, kw]),
      attr.ints('strides', [strides[1] ?? 1, strides[2] ?? 1]),
      ...padAttrs(node),
      ...(depthwise ? [attr.int('group', cin)] : []),
    ];
    return { name: g.node('Conv', convInputs, base, attributes), nchw: true };
  };

  for (const name of order) {
    const node = nodesByName.get(name)!;
    const inputs = (node.input ?? []).filter((r) => !r.startsWith('^'));
    let result: Value;
    switch (node.op) {
      case 'Const':
        continue;
      case 'Placeholder': {
        const dims = (node.attr?.shape?.shape?.dim ?? []).map((d) => Number(d.size ?? -1));
        graphInputs.push(
          valueInfo(
            node.name,
            DataType.FLOAT,
            dims.map((d) => (d < 0 ? 'N' : d)),
          ),
        );
        result =
          dims.length === 4
            ? {
                name: g.node('Transpose', [node.name], `${node.name}__nchw`, [attr.ints('perm', [0, 3, 1, 2])]),
                nchw: true,
              }
            : { name: node.name, nchw: false };
        break;
      }
      case '_FusedConv2D':
      case 'FusedDepthwiseConv2dNative': {
        const fused = (node.attr?.fused_ops?.list?.s ?? []).map(decodeS);
        if (fused[0] !== 'BiasAdd') {
          throw new ReenactError('BAD_INPUT', `Unsupported fused ops [${fused}] in node ${node.name}.`);
        }
        const depthwise = node.op === 'FusedDepthwiseConv2dNative';
        const act = fused[1];
        let v = conv({ ...node, input: inputs }, depthwise, inputs[2], act ? `${node.name}/conv` : node.name);
        if (act) v = activation(act, v, node, inputs[3]);
        result = v;
        break;
      }
      case 'Conv2D':
        result = conv({ ...node, input: inputs }, false, undefined, node.name);
        break;
      case 'DepthwiseConv2dNative':
        result = conv({ ...node, input: inputs }, true, undefined, node.name);
        break;
      case 'BiasAdd':
      case 'AddV2':
      case 'Add':
      case 'Mul': {
        const onnxOp = node.op === 'Mul' ? 'Mul' : 'Add';
        const [a, b] = inputs;
        const aConst = consts.has(parseRef(a).node);
        const bConst = consts.has(parseRef(b).node);
        if (!aConst && !bConst) {
          const va = tfValue(a);
          const vb = tfValue(b);
          if (va.nchw !== vb.nchw) {
            throw new ReenactError('BAD_INPUT', `Expected inputs of ${node.name} to share one layout.`);
          }
          result = { name: g.node(onnxOp, [va.name, vb.name], node.name), nchw: va.nchw };
        } else {
          const v = tfValue(aConst ? b : a);
          const c = channelConst(aConst ? a : b, v.nchw);
          result = { name: g.node(onnxOp, [v.name, c], node.name), nchw: v.nchw };
        }
        break;
      }
      case 'Prelu': {
        const x = tfValue(inputs[0]);
        result = activation('Prelu', x, node, inputs[1]);
        break;
      }
      case 'Relu':
      case 'Relu6':
      case 'Sigmoid':
        result = activation(node.op, tfValue(inputs[0]), node, undefined);
        break;
      case 'Identity': {
        const x = tfValue(inputs[0]);
        result = { name: g.node('Identity', [x.name], node.name), nchw: x.nchw };
        break;
      }
      case 'MaxPool': {
        checkNhwc(node);
        const x = tfValue(inputs[0]);
        const k = ints(node.attr?.ksize);
        const s = ints(node.attr?.strides);
        result = {
          name: g.node('MaxPool', [x.name], node.name, [
            attr.ints('kernel_shape', [k[1], k[2]]),
            attr.ints('strides', [s[1], s[2]]),
            ...padAttrs(node),
          ]),
          nchw: true,
        };
        break;
      }
      case 'Pad': {
        const x = tfValue(inputs[0]);
        const p = constOf(inputs[1]).data; // [rank, 2] before/after pairs in TF axis order
        const rank = p.length / 2;
        const pads = new BigInt64Array(rank * 2);
        for (let axis = 0; axis < rank; axis++) {
          const target = x.nchw && rank === 4 ? NHWC_TO_NCHW_AXIS[axis] : axis;
          pads[target] = BigInt(p[axis * 2]);
          pads[rank + target] = BigInt(p[axis * 2 + 1]);
        }
        const padsName = g.init(`${node.name}/pads`, [rank * 2], pads);
        result = {
          name: g.node('Pad', [x.name, padsName], node.name, [attr.string('mode', 'constant')]),
          nchw: x.nchw,
        };
        break;
      }
      case 'Reshape': {
        const x = tfValue(inputs[0]);
        const shape = constOf(inputs[1]).data;
        const shapeName = g.init(
          `${node.name}/shape`,
          [shape.length],
          BigInt64Array.from(shape, (v) => BigInt(v)),
        );
        result = { name: g.node('Reshape', [toNhwc(x, node.name), shapeName], node.name), nchw: false };
        break;
      }
      case 'ConcatV2': {
        const parts = inputs.slice(0, -1).map(tfValue);
        let axis = constOf(inputs[inputs.length - 1]).data[0];
        const nchw = parts.every((p) => p.nchw);
        if (!nchw && parts.some((p) => p.nchw)) {
          throw new ReenactError('BAD_INPUT', `Expected inputs of ${node.name} to share one layout.`);
        }
        if (nchw) axis = NHWC_TO_NCHW_AXIS[axis < 0 ? axis + 4 : axis];
        result = {
          name: g.node(
            'Concat',
            parts.map((p) => p.name),
            node.name,
            [attr.int('axis', axis)],
          ),
          nchw,
        };
        break;
      }
      default:
        throw new ReenactError(
          'BAD_INPUT',
          `Unsupported TF.js op ${node.op} in node ${node.name}. The converter handles ${SUPPORTED_OPS.join(', ')}.`,
        );
    }
    values.set(name, result);
  }

  const graphOutputs = outputNames.map((ref) => {
    const { node } = parseRef(ref);
    const v = tfValue(node);
    const outName = node;
    // Rename the final value to the TF output name (NHWC again if it is still NCHW inside).
    const last = v.nchw
      ? g.node('Transpose', [v.name], outName, [attr.ints('perm', [0, 2, 3, 1])], true)
      : g.node('Identity', [v.name], outName, [], true);
    return { name: last, type: { tensorType: { elemType: DataType.FLOAT } } };
  });

  const model = {
    irVersion: 8,
    opsetImport: [{ domain: '', version: options.opset ?? 17 }],
    producerName: 'reenact-tfjs-to-onnx',
    producerVersion: CONVERTER_VERSION,
    graph: {
      name: 'tfjs',
      node: g.nodes,
      initializer: g.initializers,
      input: graphInputs,
      output: graphOutputs,
    },
    metadataProps: Object.entries(options.metadata ?? {}).map(([key, value]) => ({ key, value })),
  };
  return encodeModel(model);
}

/**
 * Output node names: `wanted` if given (each must exist), else the signature's outputs, else every non-Const node no
 * other node consumes (sorted by name).
 */
function findOutputs(json: TfjsGraphJson, wanted?: string[]): string[] {
  if (wanted && wanted.length > 0) {
    const names = new Set(json.modelTopology.node.map((n) => n.name));
    const missing = wanted.filter((w) => !names.has(parseRef(w).node));
    if (missing.length) {
      throw new ReenactError(
        'BAD_INPUT',
        `Expected output ${missing.join(', ')} in the TF.js graph but it has no such node.`,
      );
    }
    return wanted.map((w) => parseRef(w).node).sort();
  }
  const sig = json.signature?.outputs;
  if (sig && Object.keys(sig).length > 0) {
    return Object.values(sig)
      .map((o) => parseRef(o.name).node)
      .sort();
  }
  const consumed = new Set<string>();
  for (const n of json.modelTopology.node) for (const r of n.input ?? []) consumed.add(parseRef(r).node);
  return json.modelTopology.node
    .filter((n) => n.op !== 'Const' && n.op !== 'Placeholder' && !consumed.has(n.name))
    .map((n) => n.name)
    .sort();
}

/** Nodes needed for `outputs`, inputs before users (iterative DFS, so deep graphs do not overflow the stack). */
function topoOrder(json: TfjsGraphJson, outputs: string[]): string[] {
  const byName = new Map(json.modelTopology.node.map((n) => [n.name, n]));
  const state = new Map<string, 1 | 2>();
  const order: string[] = [];
  for (const out of outputs) {
    const stack: { name: string; expanded: boolean }[] = [{ name: out, expanded: false }];
    while (stack.length) {
      const top = stack.pop()!;
      if (top.expanded) {
        state.set(top.name, 2);
        order.push(top.name);
        continue;
      }
      if (state.has(top.name)) continue;
      const node = byName.get(top.name);
      if (!node) throw new ReenactError('BAD_INPUT', `Expected node ${top.name} in the TF.js graph but it is missing.`);
      state.set(top.name, 1);
      stack.push({ name: top.name, expanded: true });
      for (const r of [...(node.input ?? [])].reverse()) {
        const dep = parseRef(r).node;
        if (!state.has(dep)) stack.push({ name: dep, expanded: false });
      }
    }
  }
  return order;
}
