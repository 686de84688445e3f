import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import {
  attr,
  DataType,
  decodeModel,
  encodeModel,
  makeModel,
  tensor,
  tensorValues,
  valueInfo,
} from '../../bridge/src/onnx/proto.js';

describe('ONNX protobuf read/write', () => {
  it('writes a model onnxruntime can run, and reads it back unchanged', async () => {
    const w = new Float32Array([1, 2, 3, 4, 5, 6]);
    const model = makeModel({
      name: 'tiny',
      node: [
        { opType: 'MatMul', input: ['x', 'w'], output: ['y0'] },
        { opType: 'Transpose', input: ['y0'], output: ['y'], attribute: [attr.ints('perm', [1, 0])] },
      ],
      initializer: [tensor('w', [2, 3], w)],
      input: [valueInfo('x', DataType.FLOAT, [1, 2])],
      output: [valueInfo('y', DataType.FLOAT, [3, 1])],
    });
    const bytes = encodeModel(model);
    const session = await ort.InferenceSession.create(bytes);
    const out = await session.run({ x: new ort.Tensor('float32', new Float32Array([1, 1]), [1, 2]) });
    expect(Array.from(out.y.data as Float32Array)).toEqual([5, 7, 9]);
    expect(out.y.dims).toEqual([3, 1]);
    await session.release();

    const back = decodeModel(bytes);
    expect(back.graph?.node?.map((n) => n.opType)).toEqual(['MatMul', 'Transpose']);
    expect(back.graph?.node?.[1].attribute?.[0].ints).toEqual([1, 0]);
    expect(Array.from(tensorValues(back.graph!.initializer![0]) as Float32Array)).toEqual(Array.from(w));
    expect(back.opsetImport?.[0].version).toBe(17);
  });
});
