/**
 * Rewrites every 5-D GridSample node (trilinear "linear" mode, zeros padding, align_corners 0) into standard ONNX
 * ops, so execution providers without a volumetric GridSample kernel (CUDA before ORT PR #27201, DirectML, CoreML)
 * can run LivePortrait's `warping_spade.onnx` whole. Applied once at model install; the result is cached beside the
 * original. The maths follows the ONNX GridSample-20 definition (and ORT's CPU kernel):
 *   ix = ((gx + 1)·W − 1) / 2   (likewise iy with H, iz with D; align_corners = 0)
 *   out = Σ over the 8 corners (x0|x0+1, y0|y0+1, z0|z0+1) of w·X[corner], with w the trilinear weight and
 *         X[corner] = 0 when the corner lies outside the volume (zeros padding).
 * Corners are fetched with a plain `Gather` on a flattened [N·D·H·W, C] view of X: the most widely supported
 * gather form across execution providers.
 */
import {
  attr,
  DataType,
  decodeModel,
  encodeModel,
  type GraphProto,
  type ModelProto,
  type NodeProto,
  type TensorProto,
  tensor,
  type ValueInfoProto,
} from './proto.js';

export interface RewriteOptions {
  /**
   * What to do with a GridSample whose input rank is not declared in the graph (exporters often omit intermediate
   * shapes). LivePortrait's warping graph has only 5-D GridSample nodes, so the default treats them as 5-D.
   */
  unknownRank?: 'rewrite' | 'keep';
}

export interface RewriteReport {
  /** Names of the GridSample nodes replaced. */
  rewritten: string[];
  /** GridSample nodes left alone, with the reason (4-D, other mode, padding or align_corners). */
  kept: { name: string; reason: string }[];
}

function attrString(node: NodeProto, name: string, fallback: string): string {
  const a = node.attribute?.find((x) => x.name === name);
  return a?.s ? new TextDecoder().decode(a.s) : fallback;
}

function attrInt(node: NodeProto, name: string, fallback: number): number {
  const a = node.attribute?.find((x) => x.name === name);
  return a?.i ?? fallback;
}

/** Declared rank of a value in the graph (inputs, outputs, value_info, initializers), or undefined. */
function declaredRank(graph: GraphProto, name: string): number | undefined {
  const infos: ValueInfoProto[] = [...(graph.input ?? []), ...(graph.output ?? []), ...(graph.valueInfo ?? [])];
  const info = infos.find((v) => v.name === name);
  const dims = info?.type?.tensorType?.shape?.dim;
  if (dims) return dims.length;
  const init = graph.initializer?.find((t) => t.name === name);
  return init?.dims?.length;
}

/** Why a GridSample node cannot be rewritten by this tool, or null when it can. */
function unsupportedReason(graph: GraphProto, node: NodeProto, options: RewriteOptions): string | null {
  const mode = attrString(node, 'mode', 'linear');
  if (mode !== 'linear' && mode !== 'bilinear') return `mode ${mode}`;
  const padding = attrString(node, 'padding_mode', 'zeros');
  if (padding !== 'zeros') return `padding_mode ${padding}`;
  if (attrInt(node, 'align_corners', 0) !== 0) return 'align_corners 1';
  const rank = declaredRank(graph, node.input?.[0] ?? '') ?? declaredRank(graph, node.input?.[1] ?? '');
  if (rank === undefined) return options.unknownRank === 'keep' ? 'rank not declared' : null;
  if (rank !== 5) return `rank ${rank}`;
  return null;
}

/** Emits nodes and constants for one replacement, with unique names under `prefix`. */
class Emitter {
  readonly nodes: NodeProto[] = [];
  readonly constants: TensorProto[] = [];
  private n = 0;
  constructor(private readonly prefix: string) {}

  name(hint: string): string {
    this.n += 1;
    return `${this.prefix}/${hint}_${this.n}`;
  }

  op(opType: string, inputs: string[], hint: string, attribute: NodeProto['attribute'] = []): string {
    const out = this.name(hint);
    this.nodes.push({ opType, input: inputs, output: [out], name: `${out}_node`, attribute });
    return out;
  }

  i64(values: number[], hint = 'i64'): string {
    const name = this.name(hint);
    this.constants.push(tensor(name, [values.length], BigInt64Array.from(values.map((v) => BigInt(v)))));
    return name;
  }

  i64Scalar(value: number, hint = 'i64s'): string {
    const name = this.name(hint);
    this.constants.push(tensor(name, [], BigInt64Array.from([BigInt(value)])));
    return name;
  }

  f32(value: number, hint = 'f32'): string {
    const name = this.name(hint);
    this.constants.push(tensor(name, [], new Float32Array([value])));
    return name;
  }
}

/**
 * Builds the replacement for `Y = GridSample(X, grid)` with X [N,C,D,H,W] and grid [N,Do,Ho,Wo,3].
 * Shapes are read at run time (Shape ops), so the subgraph works for any static or dynamic sizes.
 */
function emitTrilinear(e: Emitter, x: string, grid: string, y: string): void {
  const xShape = e.op('Shape', [x], 'x_shape');
  const gShape = e.op('Shape', [grid], 'grid_shape');
  const dim = (shape: string, i: number, hint: string) =>
    e.op('Gather', [shape, e.i64([i])], hint, [attr.int('axis', 0)]);
  const N = dim(xShape, 0, 'N');
  const C = dim(xShape, 1, 'C');
  const D = dim(xShape, 2, 'D');
  const H = dim(xShape, 3, 'H');
  const W = dim(xShape, 4, 'W');
  const Do = dim(gShape, 1, 'Do');
  const Ho = dim(gShape, 2, 'Ho');
  const Wo = dim(gShape, 3, 'Wo');

  // X → [N·D·H·W, C] so one Gather on axis 0 fetches a corner's C channels.
  const xt = e.op('Transpose', [x], 'x_ndhwc', [attr.ints('perm', [0, 2, 3, 4, 1])]);
  const flatShape = e.op('Concat', [e.i64([-1]), C], 'flat_shape', [attr.int('axis', 0)]);
  const xf = e.op('Reshape', [xt, flatShape], 'x_flat');

  // grid → [N, P, 3], P = Do·Ho·Wo; split into x, y, z coordinates [N, P].
  const nP3 = e.op('Concat', [N, e.i64([-1, 3])], 'np3', [attr.int('axis', 0)]);
  const g = e.op('Reshape', [grid, nP3], 'grid_np3');
  const coord = (axis: number, hint: string) => {
    const s = e.op('Slice', [g, e.i64([axis]), e.i64([axis + 1]), e.i64([2])], `${hint}_slice`);
    return e.op('Squeeze', [s, e.i64([2])], hint);
  };
  const gx = coord(0, 'gx');
  const gy = coord(1, 'gy');
  const gz = coord(2, 'gz');

  const one = e.f32(1, 'one');
  const zero = e.f32(0, 'zero');
  const half = e.f32(0.5, 'half');
  const toFloat = (v: string, hint: string) => e.op('Cast', [v], hint, [attr.int('to', DataType.FLOAT)]);
  const toInt = (v: string, hint: string) => e.op('Cast', [v], hint, [attr.int('to', DataType.INT64)]);

  // Unnormalise (align_corners 0): i = ((g + 1)·size − 1) / 2.
  const axisTerms = (gc: string, size: string, hint: string) => {
    const sizeF = toFloat(size, `${hint}_sizef`);
    const maxIndex = e.op('Sub', [sizeF, one], `${hint}_max`);
    const plus1 = e.op('Add', [gc, one], `${hint}_p1`);
    const scaled = e.op('Mul', [plus1, sizeF], `${hint}_scaled`);
    const pos = e.op('Mul', [e.op('Sub', [scaled, one], `${hint}_m1`), half], `${hint}_pos`);
    const i0 = e.op('Floor', [pos], `${hint}_0`);
    const i1 = e.op('Add', [i0, one], `${hint}_1`);
    const w1 = e.op('Sub', [pos, i0], `${hint}_w1`);
    const w0 = e.op('Sub', [one, w1], `${hint}_w0`);
    const corner = (i: string, w: string, tag: string) => {
      // Inside-volume mask (zeros padding), then clamp so the gather index is always valid.
      const inside = e.op(
        'And',
        [e.op('GreaterOrEqual', [i, zero], `${tag}_ge`), e.op('LessOrEqual', [i, maxIndex], `${tag}_le`)],
        `${tag}_in`,
      );
      const weight = e.op('Mul', [w, toFloat(inside, `${tag}_inf`)], `${tag}_w`);
      const clamped = e.op('Min', [e.op('Max', [i, zero], `${tag}_lo`), maxIndex], `${tag}_clamp`);
      return { index: toInt(clamped, `${tag}_idx`), weight };
    };
    return [corner(i0, w0, `${hint}0`), corner(i1, w1, `${hint}1`)] as const;
  };
  const xs = axisTerms(gx, W, 'x');
  const ys = axisTerms(gy, H, 'y');
  const zs = axisTerms(gz, D, 'z');

  // Batch offset n·D·H·W as [N, 1] so each batch item gathers from its own volume.
  const HW = e.op('Mul', [H, W], 'HW');
  const DHW = e.op('Mul', [D, HW], 'DHW');
  const nScalar = e.op('Squeeze', [N, e.i64([0])], 'N_scalar');
  const range = e.op('Range', [e.i64Scalar(0), nScalar, e.i64Scalar(1)], 'batch_range');
  const batchBase = e.op('Unsqueeze', [e.op('Mul', [range, DHW], 'batch_mul'), e.i64([1])], 'batch_base');

  let acc: string | undefined;
  for (const z of zs) {
    const zOff = e.op('Add', [batchBase, e.op('Mul', [z.index, HW], 'z_hw')], 'z_off');
    for (const yy of ys) {
      const zyOff = e.op('Add', [zOff, e.op('Mul', [yy.index, W], 'y_w')], 'zy_off');
      const zyW = e.op('Mul', [z.weight, yy.weight], 'zy_w');
      for (const xx of xs) {
        const flat = e.op('Add', [zyOff, xx.index], 'flat');
        const values = e.op('Gather', [xf, flat], 'corner', [attr.int('axis', 0)]); // [N, P, C]
        const w = e.op('Unsqueeze', [e.op('Mul', [zyW, xx.weight], 'w'), e.i64([2])], 'w3'); // [N, P, 1]
        const term = e.op('Mul', [values, w], 'term');
        acc = acc === undefined ? term : e.op('Add', [acc, term], 'acc');
      }
    }
  }
  // [N, P, C] → [N, C, P] → [N, C, Do, Ho, Wo].
  const ncp = e.op('Transpose', [acc!], 'ncp', [attr.ints('perm', [0, 2, 1])]);
  const outShape = e.op('Concat', [N, C, Do, Ho, Wo], 'out_shape', [attr.int('axis', 0)]);
  e.nodes.push({ opType: 'Reshape', input: [ncp, outShape], output: [y], name: e.name('out') });
}

/**
 * Replaces each eligible GridSample node of `model` in place (topological order is kept: the replacement nodes
 * take the original node's position). Needs opset ≥ 13 (Squeeze/Unsqueeze/Slice with tensor inputs), which
 * every model with a 5-D GridSample has (GridSample-20).
 */
export function rewriteGridSample(model: ModelProto, options: RewriteOptions = {}): RewriteReport {
  const graph = model.graph;
  const report: RewriteReport = { rewritten: [], kept: [] };
  if (!graph?.node) return report;
  const opset = model.opsetImport?.find((o) => !o.domain || o.domain === 'ai.onnx')?.version ?? 0;
  const nodes: NodeProto[] = [];
  const constants: TensorProto[] = [];
  let index = 0;
  for (const node of graph.node) {
    if (node.opType !== 'GridSample' || (node.domain && node.domain !== 'ai.onnx')) {
      nodes.push(node);
      continue;
    }
    const name = node.name || `GridSample_${index}`;
    index += 1;
    const reason = opset < 13 ? `opset ${opset} < 13` : unsupportedReason(graph, node, options);
    if (reason) {
      report.kept.push({ name, reason });
      nodes.push(node);
      continue;
    }
    const e = new Emitter(`gs_rewrite/${name.replace(/^\//, '')}`);
    emitTrilinear(e, node.input![0], node.input![1], node.output![0]);
    nodes.push(...e.nodes);
    constants.push(...e.constants);
    report.rewritten.push(name);
  }
  graph.node = nodes;
  graph.initializer = [...(graph.initializer ?? []), ...constants];
  return report;
}

/** Bytes in, bytes out: decode, rewrite, encode. */
export function rewriteGridSampleBytes(
  bytes: Uint8Array,
  options: RewriteOptions = {},
): { bytes: Uint8Array; report: RewriteReport } {
  const model = decodeModel(bytes);
  const report = rewriteGridSample(model, options);
  return { bytes: encodeModel(model), report };
}
