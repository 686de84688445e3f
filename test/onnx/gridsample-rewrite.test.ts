import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { rewriteGridSampleBytes } from '../../bridge/src/onnx/gridsample-rewrite.js';
import { attr, DataType, decodeModel, encodeModel, makeModel, valueInfo } from '../../bridge/src/onnx/proto.js';
import { seededRandom } from '../../bridge/src/util/random.js';
import { buildWarpingModel } from '../engines/liveportrait/synthetic-models.js';

function randomArray(n: number, lo: number, hi: number, r: () => number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = lo + (hi - lo) * r();
  return a;
}

function gridSampleModel(
  xShape: (number | string)[],
  gridShape: (number | string)[],
  declareShapes = true,
): Uint8Array {
  return encodeModel(
    makeModel(
      {
        name: 'gs',
        node: [
          {
            opType: 'GridSample',
            name: '/GridSample',
            input: ['x', 'grid'],
            output: ['y'],
            attribute: [
              attr.string('mode', 'linear'),
              attr.string('padding_mode', 'zeros'),
              attr.int('align_corners', 0),
            ],
          },
        ],
        input: [
          valueInfo('x', DataType.FLOAT, declareShapes ? xShape : []),
          valueInfo('grid', DataType.FLOAT, declareShapes ? gridShape : []),
        ].map((v) => (declareShapes ? v : { name: v.name, type: { tensorType: { elemType: DataType.FLOAT } } })),
        output: [{ name: 'y', type: { tensorType: { elemType: DataType.FLOAT } } }],
      },
      20,
    ),
  );
}

async function run(bytes: Uint8Array, feeds: Record<string, ort.Tensor>): Promise<Record<string, ort.Tensor>> {
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'] });
  try {
    return await session.run(feeds);
  } finally {
    await session.release();
  }
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('5-D GridSample rewrite', () => {
  const cases: { x: number[]; grid: number[]; range: number; declared: boolean }[] = [
    { x: [1, 1, 2, 2, 2], grid: [1, 1, 1, 5, 3], range: 1.5, declared: true },
    { x: [1, 3, 4, 5, 6], grid: [1, 2, 3, 4, 3], range: 1.3, declared: true },
    { x: [2, 4, 3, 7, 5], grid: [2, 4, 6, 5, 3], range: 2.5, declared: true },
    { x: [3, 2, 5, 4, 4], grid: [3, 3, 3, 3, 3], range: 1.1, declared: false },
    { x: [1, 32, 16, 16, 16], grid: [1, 16, 16, 16, 3], range: 1.2, declared: true },
  ];
  for (const [k, c] of cases.entries()) {
    it(`equals ORT CPU GridSample within 1e-5 for X ${c.x.join('×')}, grid ${c.grid.join('×')} in ±${c.range}`, async () => {
      const r = seededRandom(1000 + k);
      const x = randomArray(
        c.x.reduce((p, v) => p * v, 1),
        -2,
        2,
        r,
      );
      const grid = randomArray(
        c.grid.reduce((p, v) => p * v, 1),
        -c.range,
        c.range,
        r,
      );
      // Exact integer pixel positions and borders are where floor/clamp bugs hide: put some grid points there.
      const [, , D, , W] = c.x;
      for (let i = 0; i < Math.min(6, grid.length / 3); i++) {
        grid[i * 3] = (2 * (i % W) + 1) / W - 1;
        grid[i * 3 + 1] = i % 2 === 0 ? -1 : 1;
        grid[i * 3 + 2] = (2 * (i % D) + 1) / D - 1 + (i === 5 ? 1e-7 : 0);
      }
      const original = gridSampleModel(c.x, c.grid, c.declared);
      const { bytes, report } = rewriteGridSampleBytes(original);
      expect(report.rewritten).toEqual(['/GridSample']);
      expect(decodeModel(bytes).graph?.node?.some((n) => n.opType === 'GridSample')).toBe(false);
      const feeds = { x: new ort.Tensor('float32', x, c.x), grid: new ort.Tensor('float32', grid, c.grid) };
      const expected = (await run(original, feeds)).y;
      const actual = (await run(bytes, feeds)).y;
      expect(actual.dims).toEqual(expected.dims);
      expect(maxAbsDiff(actual.data as Float32Array, expected.data as Float32Array)).toBeLessThan(1e-5);
    });
  }

  it('leaves 4-D GridSample and other modes alone, and says why', () => {
    const model = decodeModel(gridSampleModel([1, 1, 4, 4], [1, 2, 2, 2]));
    const node = model.graph!.node![0];
    const fourD = rewriteGridSampleBytes(encodeModel(model));
    expect(fourD.report).toEqual({ rewritten: [], kept: [{ name: '/GridSample', reason: 'rank 4' }] });
    node.attribute = [attr.string('mode', 'nearest')];
    model.graph!.input = [
      valueInfo('x', DataType.FLOAT, [1, 1, 2, 2, 2]),
      valueInfo('grid', DataType.FLOAT, [1, 1, 1, 1, 3]),
    ];
    expect(rewriteGridSampleBytes(encodeModel(model)).report.kept).toEqual([
      { name: '/GridSample', reason: 'mode nearest' },
    ]);
  });

  it('turns a synthetic warping-style model (two 5-D GridSamples) into one without GridSample, same outputs', async () => {
    const original = buildWarpingModel({ seed: 7, outSize: 64 });
    const { bytes, report } = rewriteGridSampleBytes(original);
    expect(report.rewritten).toHaveLength(2);
    expect(decodeModel(original).graph?.node?.filter((n) => n.opType === 'GridSample')).toHaveLength(2);
    expect(decodeModel(bytes).graph?.node?.some((n) => n.opType === 'GridSample')).toBe(false);
    const r = seededRandom(99);
    const feeds = {
      feature_3d: new ort.Tensor('float32', randomArray(32 * 16 * 64 * 64, -1, 1, r), [1, 32, 16, 64, 64]),
      kp_driving: new ort.Tensor('float32', randomArray(63, -0.6, 0.6, r), [1, 21, 3]),
      kp_source: new ort.Tensor('float32', randomArray(63, -0.6, 0.6, r), [1, 21, 3]),
    };
    const expected = (await run(original, feeds)).out;
    const actual = (await run(bytes, feeds)).out;
    expect(actual.dims).toEqual([1, 3, 64, 64]);
    expect(maxAbsDiff(actual.data as Float32Array, expected.data as Float32Array)).toBeLessThan(1e-5);
  });
});
