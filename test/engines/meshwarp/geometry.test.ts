import { describe, expect, it } from 'vitest';
import {
  applySimilarity,
  fitAffine,
  fitSimilarity,
  invertSimilarity,
  polygonCoverage,
  segmentDistance2,
  similarityAngle,
  similarityScale,
} from '../../../bridge/src/engines/meshwarp/geometry.js';
import { matteAlpha, matteLut, transparentCopy } from '../../../bridge/src/engines/meshwarp/matte.js';
import { createWarpScratch, softenFolds } from '../../../bridge/src/engines/meshwarp/warp.js';

describe('fitSimilarity', () => {
  it('recovers scale 2, a 90° clockwise turn and a shift (hand-checked)', () => {
    // (x, y) → 2·R90(x, y) + (10, 20) with R90(x, y) = (−y, x): (1,0)→(10,22), (0,1)→(8,20), (1,1)→(8,22).
    const from = [0, 0, 1, 0, 0, 1, 1, 1];
    const to = [10, 20, 10, 22, 8, 20, 8, 22];
    const s = fitSimilarity(from, to, [0, 1, 2, 3], 2, 2);
    expect(s.a).toBeCloseTo(0, 12);
    expect(s.b).toBeCloseTo(2, 12);
    expect(s.tx).toBeCloseTo(10, 12);
    expect(s.ty).toBeCloseTo(20, 12);
    expect(similarityScale(s)).toBeCloseTo(2, 12);
    expect(similarityAngle(s)).toBeCloseTo(Math.PI / 2, 12);
    const inv = invertSimilarity(s);
    const [x, y] = applySimilarity(inv, 8, 22);
    expect(x).toBeCloseTo(1, 12);
    expect(y).toBeCloseTo(1, 12);
  });
});

describe('fitAffine', () => {
  it('recovers an exact affine from three points', () => {
    // x' = 2x + y + 3, y' = −x + 0.5y + 1
    const from = [0, 0, 1, 0, 0, 2];
    const to = [3, 1, 5, 0, 5, 2];
    const A = fitAffine(from, to, 3);
    for (const [i, v] of [2, 1, 3, -1, 0.5, 1].entries()) expect(A[i]).toBeCloseTo(v, 10);
  });

  it('falls back to identity for collinear points', () => {
    expect(fitAffine([0, 0, 1, 1, 2, 2], [0, 0, 1, 1, 2, 2], 3)).toEqual([1, 0, 0, 0, 1, 0]);
  });
});

describe('polygonCoverage', () => {
  const square = [0, 0, 10, 0, 10, 10, 0, 10];
  it('is 1 inside, 0 outside and ramps across one pixel at the edge', () => {
    expect(polygonCoverage(square, 4, 5, 5)).toBe(1);
    expect(polygonCoverage(square, 4, 12, 5)).toBe(0);
    expect(polygonCoverage(square, 4, 10, 5)).toBeCloseTo(0.5, 12);
    expect(polygonCoverage(square, 4, 9.75, 5)).toBeCloseTo(0.75, 12);
    expect(polygonCoverage(square, 4, 10.25, 5)).toBeCloseTo(0.25, 12);
  });
  it('segmentDistance2 measures to the nearest point of the segment', () => {
    expect(segmentDistance2(5, 3, 0, 0, 10, 0)).toBe(9);
    expect(segmentDistance2(13, 4, 0, 0, 10, 0)).toBe(25);
  });
});

describe('matte', () => {
  it('maps face weight to alpha with a smoothstep over the feather (hand-checked)', () => {
    expect(matteAlpha(0, 0.3)).toBe(0);
    expect(matteAlpha(0.15, 0.3)).toBe(128); // smoothstep(0.5) = 0.5 → 127.5 → 128
    expect(matteAlpha(0.075, 0.3)).toBe(40); // t = 0.25 → 0.15625 × 255 = 39.8
    expect(matteAlpha(0.3, 0.3)).toBe(255);
    expect(matteAlpha(1, 0.3)).toBe(255);
    const lut = matteLut(0.3);
    expect(lut.length).toBe(1025);
    expect(lut[0]).toBe(0);
    expect(lut[1024]).toBe(255);
  });
  it('transparentCopy keeps RGB and sets alpha 0', () => {
    const out = transparentCopy(Uint8Array.from([1, 2, 3, 4, 5, 6]), 2, 1, 3);
    expect([...out]).toEqual([1, 2, 3, 0, 4, 5, 6, 0]);
  });
});

describe('softenFolds', () => {
  it('blends 3:1 across a jump in source position, and leaves a continuous mapping alone (hand-checked)', () => {
    const s = createWarpScratch([0, 0, 3, 0]);
    const out = Uint8Array.from([0, 0, 0, 255, 0, 0, 0, 255, 200, 200, 200, 255, 200, 200, 200, 255]);
    s.depth.fill(0);
    s.srcX.set([0, 1, 9, 10]); // a fold between pixels 1 and 2
    expect(softenFolds(out, 4, [0, 0, 3, 0], s, 4)).toBe(1);
    expect([out[0], out[4], out[8], out[12]]).toEqual([0, 50, 150, 200]); // (3·0 + 200 + 2) >> 2 = 50
    s.srcX.set([0, 1, 2, 3]);
    const before = Uint8Array.from(out);
    expect(softenFolds(out, 4, [0, 0, 3, 0], s, 4)).toBe(0);
    expect(out).toEqual(before);
  });
});
