/**
 * The rasteriser core both meshwarp renderers share (raster.ts): which pixels of a screen triangle are drawn, with
 * what barycentric weights, and how the depth buffer decides between overlapping triangles.
 */
import { describe, expect, it } from 'vitest';
import {
  createTriFrame,
  createTriScan,
  setupTriangle,
  startDepth,
  triFrame,
  visiblePixels,
} from '../../../bridge/src/engines/meshwarp/raster.js';
import { createWarpScratch, type PixelBox } from '../../../bridge/src/engines/meshwarp/warp.js';

const W = 40;
const H = 30;

/** Vertices x, y, depth; draws the triangles in order and returns, per image pixel, how often it was listed. */
function draw(
  dst: number[],
  tris: number[][],
): { hits: Int32Array; lists: { pixel: number; l1: number; l2: number }[][] } {
  const v = Float64Array.from(dst);
  const scratch = createWarpScratch([0, 0, W - 1, H - 1]);
  const box: PixelBox = startDepth(v, v.length / 3, scratch.region, scratch);
  const scan = createTriScan(H);
  const hits = new Int32Array(W * H);
  const lists: { pixel: number; l1: number; l2: number }[][] = [];
  for (const [a, b, c] of tris) {
    const list: { pixel: number; l1: number; l2: number }[] = [];
    if (setupTriangle(v, a, b, c, box, scan)) {
      const za = v[a * 3 + 2];
      const n = visiblePixels(scan, za, v[b * 3 + 2] - za, v[c * 3 + 2] - za, scratch, W);
      for (let k = 0; k < n; k++) {
        const zi = scan.hitIndex[2 * k];
        const pixel = scan.hitIndex[2 * k + 1];
        expect(zi).toBe(pixel); // the scratch region is the whole image here
        hits[pixel]++;
        list.push({ pixel, l1: scan.hitL[2 * k], l2: scan.hitL[2 * k + 1] });
      }
    }
    lists.push(list);
  }
  return { hits, lists };
}

describe('visiblePixels', () => {
  it('covers a quad split along its diagonal exactly once: no gap and no double pixel on the shared edge', () => {
    // Corners at pixel centres 5..25 × 4..20, all at one depth: the second triangle is not nearer, so a pixel
    // listed twice would be a bug in the inside test, not a depth win.
    const { hits } = draw(
      [5, 4, 1, 25, 4, 1, 25, 20, 1, 5, 20, 1],
      [
        [0, 1, 2],
        [0, 2, 3],
      ],
    );
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const inside = x >= 5 && x <= 25 && y >= 4 && y <= 20;
        expect(hits[y * W + x], `pixel ${x},${y}`).toBe(inside ? 1 : 0);
      }
    }
  });

  it('lists barycentric weights that map each pixel centre back onto itself', () => {
    const dst = [3.3, 2.7, 0, 31.2, 9.1, 0, 12.6, 26.4, 0];
    const { lists } = draw(dst, [[0, 1, 2]]);
    expect(lists[0].length).toBeGreaterThan(100);
    for (const { pixel, l1, l2 } of lists[0]) {
      expect(dst[0] + l1 * (dst[3] - dst[0]) + l2 * (dst[6] - dst[0])).toBeCloseTo(pixel % W, 9);
      expect(dst[1] + l1 * (dst[4] - dst[1]) + l2 * (dst[7] - dst[1])).toBeCloseTo(Math.floor(pixel / W), 9);
    }
  });

  it('lets the nearer of two overlapping triangles win, whichever is drawn first', () => {
    // Triangle A at depth 5, B (same footprint shifted right) at depth 2, then C over both at depth 9.
    const { hits, lists } = draw(
      [2, 2, 5, 22, 2, 5, 2, 22, 5, 8, 2, 2, 28, 2, 2, 8, 22, 2, 0, 0, 9, 39, 0, 9, 0, 29, 9],
      [
        [0, 1, 2],
        [3, 4, 5],
        [6, 7, 8],
      ],
    );
    const [a, b, c] = lists.map((l) => new Set(l.map((p) => p.pixel)));
    // Every pixel of B is drawn (nearer than A), including those A drew first.
    const overlap = [...b].filter((p) => a.has(p));
    expect(overlap.length).toBeGreaterThan(50);
    // C is farther than both: it only fills pixels neither drew.
    for (const p of c) expect(a.has(p) || b.has(p)).toBe(false);
    expect(c.size).toBeGreaterThan(100);
    // Drawn twice exactly where B won over A.
    expect([...hits].filter((h) => h === 2).length).toBe(overlap.length);
  });

  it('grows its pixel list for a triangle larger than any before', () => {
    const { lists } = draw(
      [0, 0, 1, 2, 0, 1, 0, 2, 1, 0, 0, 0, 39, 0, 0, 0, 29, 0],
      [
        [0, 1, 2],
        [3, 4, 5],
      ],
    );
    expect(lists[0].length).toBe(6);
    // Pixel centres on or below the hypotenuse x/39 + y/29 ≤ 1.
    let expected = 0;
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) if (x / 39 + y / 29 <= 1 + 1e-9) expected++;
    expect(lists[1].length).toBe(expected);
  });
});

describe('triFrame', () => {
  it('gives corner a and the changes towards b and c', () => {
    const v = Float64Array.from([10, 20, 13, 18, 7, 25]);
    expect(triFrame(v, 0, 1, 2, createTriFrame())).toEqual({ xa: 10, ya: 20, dxb: 3, dyb: -2, dxc: -3, dyc: 5 });
  });
});
