/**
 * A small graph builder for architecture-faithful LivePortrait graphs with seeded random weights. Weights are lazy
 * (each tensor's values are made from its own seed when the file is written), so a 400 MB graph is described in a
 * few kilobytes, its structure (op histogram, parameter count, exact file size, MACs) is known without making a
 * single weight, and any part of it can be cut out and run on its own with the same values as the whole file.
 */
import {
  type AttributeProto,
  DataType,
  type NodeProto,
  type ValueInfoProto,
  valueInfo,
} from '../../../../bridge/src/onnx/proto.js';
import { seededRandom } from '../../../../bridge/src/util/random.js';

export type TensorData = Float32Array | BigInt64Array | Uint16Array | Int8Array | Uint8Array | Int32Array;

export interface LazyTensor {
  name: string;
  dims: number[];
  /** ONNX TensorProto data type (DataType.FLOAT, FLOAT16, INT8, INT64…). */
  dataType: number;
  /** 'weight': a learned parameter (counted as one); 'constant': a folded constant (grids, shapes, scalars). */
  kind: 'weight' | 'constant';
  /** Makes the values (called when the tensor is written, so nothing large is held). */
  values(): TensorData;
}

/** A graph with lazy initializers: what the writers, the transforms and the structure checks work on. */
export interface Skeleton {
  name: string;
  opset: number;
  nodes: NodeProto[];
  inputs: ValueInfoProto[];
  outputs: ValueInfoProto[];
  tensors: LazyTensor[];
  /** Multiply-accumulates of every Conv, MatMul and Gemm (static shapes, batch 1). */
  macs: number;
}

/** A value in the graph and its static shape (tracked by the layer helpers for MACs and reshapes). */
export interface T {
  name: string;
  shape: number[];
}

export const BYTES_PER_ELEMENT: Record<number, number> = {
  [DataType.FLOAT]: 4,
  [DataType.FLOAT16]: 2,
  [DataType.INT8]: 1,
  [DataType.UINT8]: 1,
  [DataType.INT32]: 4,
  [DataType.INT64]: 8,
};

export const numel = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);

/** FNV-1a of a tensor name, mixed with the graph seed: every tensor's values depend only on (seed, name). */
function tensorSeed(seed: number, name: string): number {
  let h = 0x811c9dc5 ^ seed;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** Uniform values with the given mean and standard deviation (a uniform on ±std·√3). */
function uniformValues(n: number, std: number, mean: number, seed: number): Float32Array {
  const r = seededRandom(seed);
  const a = std * Math.sqrt(3);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = mean + (r() * 2 - 1) * a;
  return out;
}

export class GraphBuilder {
  readonly nodes: NodeProto[] = [];
  readonly tensors: LazyTensor[] = [];
  readonly inputs: ValueInfoProto[] = [];
  readonly outputs: ValueInfoProto[] = [];
  macs = 0;
  private count = 0;
  private readonly constants = new Map<string, string>();

  constructor(
    readonly name: string,
    readonly opset: number,
    readonly seed: number,
  ) {}

  input(name: string, shape: number[]): T {
    this.inputs.push(valueInfo(name, DataType.FLOAT, shape));
    return { name, shape };
  }

  /** Declares `t` a graph output (its producer must have written it under this name: pass `out` to op()). */
  output(t: T): T {
    this.outputs.push(valueInfo(t.name, DataType.FLOAT, t.shape));
    return t;
  }

  /** A fresh value name under a readable prefix (`/dense_motion_network/Conv_3`, like the exporter's). */
  fresh(hint: string): string {
    this.count += 1;
    return `${hint}_${this.count}`;
  }

  /** Adds a node; returns its (first) output name. `out` names it (graph outputs, GridSample names). */
  op(opType: string, inputs: string[], attribute: AttributeProto[] = [], out?: string, nodeName?: string): string {
    const output = out ?? this.fresh(`/${opType}`);
    this.nodes.push({ opType, input: inputs, output: [output], name: nodeName ?? output, attribute });
    return output;
  }

  /** A learned parameter with uniform random values of standard deviation `std` around `mean`. */
  weight(name: string, dims: number[], std: number, mean = 0): string {
    const seed = tensorSeed(this.seed, name);
    this.tensors.push({
      name,
      dims,
      dataType: DataType.FLOAT,
      kind: 'weight',
      values: () => uniformValues(numel(dims), std, mean, seed),
    });
    return name;
  }

  /** A folded constant, made when written. */
  constant(name: string, dims: number[], values: () => Float32Array): string {
    this.tensors.push({ name, dims, dataType: DataType.FLOAT, kind: 'constant', values });
    return name;
  }

  /** A small int64 constant (shapes, axes), shared by every node that uses the same values. */
  i64(values: number[]): string {
    const key = `i64:${values.join(',')}`;
    const known = this.constants.get(key);
    if (known) return known;
    const name = this.fresh('/Constant_i64');
    this.constants.set(key, name);
    this.tensors.push({
      name,
      dims: [values.length],
      dataType: DataType.INT64,
      kind: 'constant',
      values: () => BigInt64Array.from(values.map((v) => BigInt(v))),
    });
    return name;
  }

  /** A float scalar constant, shared by value. */
  scalar(value: number): string {
    const key = `f32:${value}`;
    const known = this.constants.get(key);
    if (known) return known;
    const name = this.fresh('/Constant_f32');
    this.constants.set(key, name);
    this.tensors.push({
      name,
      dims: [],
      dataType: DataType.FLOAT,
      kind: 'constant',
      values: () => new Float32Array([value]),
    });
    return name;
  }

  build(): Skeleton {
    return {
      name: this.name,
      opset: this.opset,
      nodes: this.nodes,
      inputs: this.inputs,
      outputs: this.outputs,
      tensors: this.tensors,
      macs: this.macs,
    };
  }
}

export interface Structure {
  /** Node count per op type. */
  ops: Record<string, number>;
  /** Elements of every learned parameter (weights, biases, norm parameters and statistics). */
  params: number;
  /** Elements of folded constants (grids, shapes, scalars). */
  constants: number;
  macs: number;
}

/** What a skeleton contains, without making any values. */
export function structureOf(s: Skeleton): Structure {
  const ops: Record<string, number> = {};
  for (const n of s.nodes) ops[n.opType] = (ops[n.opType] ?? 0) + 1;
  let params = 0;
  let constants = 0;
  for (const t of s.tensors) {
    if (t.kind === 'weight') params += numel(t.dims);
    else constants += numel(t.dims);
  }
  return { ops, params, constants, macs: s.macs };
}
