import fs from 'node:fs';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureFaceModel } from '../../bridge/src/face/models.js';
import { createSession } from '../../bridge/src/onnx/session.js';
import { fixture, readPng, tempCacheEnv } from './helpers.js';

/**
 * Our converted models against TF.js itself: test/fixtures/golden/tfjs-golden.json was computed once by
 * scripts/make-facemesh-golden.mjs with @tensorflow/tfjs 4.22 (wasm backend) on the committed PNG crops.
 */
const golden = JSON.parse(fs.readFileSync(fixture('golden', 'tfjs-golden.json'), 'utf8'));

function tensorFrom(file: string, n: number, size: number, scale: number, bias: number): ort.Tensor {
  const img = readPng(fixture('golden', file));
  const data = new Float32Array(img.width * img.height * 3);
  for (let i = 0; i < img.width * img.height; i++)
    for (let c = 0; c < 3; c++) data[i * 3 + c] = img.data[i * 4 + c] * scale + bias;
  return new ort.Tensor('float32', data, [n, size, size, 3]);
}

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

describe('converted face models match TF.js on a real photo', () => {
  const sessions: ort.InferenceSession[] = [];
  let env: NodeJS.ProcessEnv;
  beforeAll(() => {
    env = tempCacheEnv();
  });
  afterAll(async () => {
    await Promise.all(sessions.map((s) => s.release()));
  });
  const open = async (name: 'facemesh' | 'iris' | 'blazeface') => {
    const s = await createSession(ensureFaceModel(name, { env }).file);
    sessions.push(s);
    return s;
  };

  it('facemesh: 468 landmarks within 1e-3 px of TF.js, face flag equal', async () => {
    const s = await open('facemesh');
    const out = await s.run({ input_1: tensorFrom('facemesh-crop-192.png', 1, 192, 1 / 255, 0) });
    const mesh = out.Identity_2.data as Float32Array;
    expect(mesh.length).toBe(1404);
    expect(maxAbsDiff(mesh, golden.facemesh.mesh)).toBeLessThan(1e-3);
    expect(maxAbsDiff(out.Identity_1.data as Float32Array, golden.facemesh.faceflag)).toBeLessThan(1e-4);
  });

  it('iris: both eyes (batch of 2) within 1e-3 px of TF.js', async () => {
    const s = await open('iris');
    const out = await s.run({ input_1: tensorFrom('iris-crops-64.png', 2, 64, 1 / 255, 0) });
    expect(out.Identity.dims).toEqual([2, 1, 1, 228]);
    expect(maxAbsDiff(out.Identity.data as Float32Array, golden.iris.output)).toBeLessThan(1e-3);
  });

  it('blazeface: logits and the best anchors’ boxes match TF.js', async () => {
    const s = await open('blazeface');
    const out = await s.run({ input: tensorFrom('blazeface-input-256.png', 1, 256, 1 / 127.5, -1) });
    const logits = [...(out.Identity.data as Float32Array), ...(out.Identity_1.data as Float32Array)];
    expect(maxAbsDiff(logits, golden.blazeface.logits)).toBeLessThan(5e-3);
    for (const { anchor, box } of golden.blazeface.top as { anchor: number; box: number[] }[]) {
      const rows = anchor < 512 ? (out.Identity_2.data as Float32Array) : (out.Identity_3.data as Float32Array);
      const i = anchor < 512 ? anchor : anchor - 512;
      expect(maxAbsDiff(rows.slice(i * 16, i * 16 + 16), box)).toBeLessThan(5e-3);
    }
  });
});
