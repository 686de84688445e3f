/**
 * Writes a Skeleton as an .onnx file one initializer at a time, so a 400 MB graph never exists encoded in memory:
 * ModelProto fields (graph last) | graph tag + length | GraphProto without initializers | one length-delimited
 * TensorProto (field 5) per initializer. Protobuf merges repeated fields that arrive in pieces, so ONNX Runtime and
 * decodeModel read the result as one graph. Each tensor's encoded length is known from its metadata alone, so the
 * graph's length (and the file's exact size) is computed before any weight is made.
 */
import { closeSync, openSync, renameSync, writeSync } from 'node:fs';
import {
  encodeMessage,
  encodeModel,
  type GraphProto,
  type ModelProto,
  makeModel,
  type TensorProto,
} from '../../../../bridge/src/onnx/proto.js';
import { BYTES_PER_ELEMENT, type LazyTensor, numel, type Skeleton } from './graph.js';

const WIRE_LEN = 2;
const GRAPH_FIELD = 7;
const INITIALIZER_FIELD = 5;
const RAW_DATA_FIELD = 9;

function varint(n: number): number[] {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return out;
}

const tag = (field: number) => varint((field << 3) | WIRE_LEN);

function graphHead(s: Skeleton): GraphProto {
  return { name: s.name, node: s.nodes, input: s.inputs, output: s.outputs };
}

/** The model without its graph (opset, IR version, producer), encoded. */
function modelHead(s: Skeleton): Uint8Array {
  const model = makeModel({}, s.opset, 'reenact-random-weights');
  delete model.graph;
  return encodeModel(model);
}

/** A tensor's encoded metadata (name, dims, data type) and the length of its raw data. */
function tensorParts(t: LazyTensor): { meta: Uint8Array; rawBytes: number } {
  const meta = encodeMessage('TensorProto', { name: t.name, dims: t.dims, dataType: t.dataType });
  return { meta, rawBytes: numel(t.dims) * BYTES_PER_ELEMENT[t.dataType] };
}

function tensorLength(meta: Uint8Array, rawBytes: number): number {
  return meta.length + tag(RAW_DATA_FIELD).length + varint(rawBytes).length + rawBytes;
}

interface Plan {
  head: Uint8Array;
  graph: Uint8Array;
  graphLength: number;
  tensors: { t: LazyTensor; meta: Uint8Array; rawBytes: number; length: number }[];
  size: number;
}

function plan(s: Skeleton): Plan {
  const head = modelHead(s);
  const graph = encodeMessage('GraphProto', graphHead(s));
  const tensors = s.tensors.map((t) => {
    const { meta, rawBytes } = tensorParts(t);
    return { t, meta, rawBytes, length: tensorLength(meta, rawBytes) };
  });
  const graphLength =
    graph.length + tensors.reduce((n, x) => n + tag(INITIALIZER_FIELD).length + varint(x.length).length + x.length, 0);
  const size = head.length + tag(GRAPH_FIELD).length + varint(graphLength).length + graphLength;
  return { head, graph, graphLength, tensors, size };
}

/** The exact size in bytes of the file writeSkeleton would write (no weights are made). */
export function fileSize(s: Skeleton): number {
  return plan(s).size;
}

function bytesOf(values: ArrayBufferView): Uint8Array {
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

/** Writes `s` to `file` (through `<file>.part`, renamed when complete); returns the size written. */
export function writeSkeleton(file: string, s: Skeleton): number {
  const p = plan(s);
  const part = `${file}.part`;
  const fd = openSync(part, 'w');
  try {
    const put = (bytes: Uint8Array | number[]) =>
      writeSync(fd, bytes instanceof Uint8Array ? bytes : Uint8Array.from(bytes));
    put(p.head);
    put([...tag(GRAPH_FIELD), ...varint(p.graphLength)]);
    put(p.graph);
    for (const x of p.tensors) {
      const values = x.t.values();
      if (values.byteLength !== x.rawBytes)
        throw new Error(`Tensor ${x.t.name} made ${values.byteLength} bytes but declares ${x.rawBytes}.`);
      put([...tag(INITIALIZER_FIELD), ...varint(x.length)]);
      put(x.meta);
      put([...tag(RAW_DATA_FIELD), ...varint(x.rawBytes)]);
      put(bytesOf(values));
    }
  } finally {
    closeSync(fd);
  }
  renameSync(part, file);
  return p.size;
}

/** The whole model in memory (small graphs, tests, cut-out parts). */
function toModel(s: Skeleton): ModelProto {
  const initializer: TensorProto[] = s.tensors.map((t) => ({
    name: t.name,
    dims: t.dims,
    dataType: t.dataType,
    rawData: bytesOf(t.values()).slice(),
  }));
  return makeModel({ ...graphHead(s), initializer }, s.opset, 'reenact-random-weights');
}

/** Encoded bytes of a (small) skeleton. */
export function toBytes(s: Skeleton): Uint8Array {
  return encodeModel(toModel(s));
}
