/**
 * Graph surgery on Skeletons: the GridSample rewrite (bridge/src/onnx/gridsample-rewrite.ts, the code the installer
 * runs) applied to a skeleton without making its weights, and cutting a part out of a graph (new inputs where the
 * cut is, only the nodes and tensors the chosen outputs need), so a test can run the parts of the 600-GMAC warping
 * graph that matter to it.
 */
import { type RewriteReport, rewriteGridSample } from '../../../../bridge/src/onnx/gridsample-rewrite.js';
import { DataType, type ModelProto, tensorValues, valueInfo } from '../../../../bridge/src/onnx/proto.js';
import type { LazyTensor, Skeleton } from './graph.js';

/** `s` with every eligible 5-D GridSample replaced by standard ops, as `reenact models install` does. */
export function rewriteSkeleton(s: Skeleton): { skeleton: Skeleton; report: RewriteReport } {
  const model: ModelProto = {
    opsetImport: [{ domain: '', version: s.opset }],
    graph: { node: s.nodes.map((n) => ({ ...n })), input: s.inputs, output: s.outputs, initializer: [] },
  };
  const report = rewriteGridSample(model);
  const added: LazyTensor[] = (model.graph?.initializer ?? []).map((t) => ({
    name: t.name ?? '',
    dims: t.dims ?? [],
    dataType: t.dataType ?? DataType.FLOAT,
    kind: 'constant',
    values: () => tensorValues(t),
  }));
  return { skeleton: { ...s, nodes: model.graph?.node ?? [], tensors: [...s.tensors, ...added] }, report };
}

/**
 * The part of `s` that computes `outputs` from `inputs` (value names with their shapes): the graph's own inputs or
 * intermediate values, which become float32 inputs of the part.
 * @throws Error when an output needs a graph input that is not among `inputs`.
 */
export function cut(
  s: Skeleton,
  inputs: { name: string; shape: number[] }[],
  outputs: { name: string; shape: number[] }[],
): Skeleton {
  const producer = new Map<string, number>();
  for (const [i, n] of s.nodes.entries()) for (const o of n.output ?? []) producer.set(o, i);
  const tensorNames = new Set(s.tensors.map((t) => t.name));
  const cutAt = new Set(inputs.map((i) => i.name));
  const keep = new Set<number>();
  const usedTensors = new Set<string>();
  const stack = outputs.map((o) => o.name);
  while (stack.length) {
    const name = stack.pop() as string;
    if (name === '' || cutAt.has(name)) continue;
    if (tensorNames.has(name)) {
      usedTensors.add(name);
      continue;
    }
    const i = producer.get(name);
    if (i === undefined) throw new Error(`Cutting ${s.name}: ${name} is a graph input not among the part's inputs.`);
    if (keep.has(i)) continue;
    keep.add(i);
    stack.push(...(s.nodes[i].input ?? []));
  }
  return {
    ...s,
    name: `${s.name}.part`,
    macs: 0, // not counted for parts
    nodes: s.nodes.filter((_, i) => keep.has(i)),
    inputs: inputs.map((i) => valueInfo(i.name, DataType.FLOAT, i.shape)),
    outputs: outputs.map((o) => valueInfo(o.name, DataType.FLOAT, o.shape)),
    tensors: s.tensors.filter((t) => usedTensors.has(t.name)),
  };
}
