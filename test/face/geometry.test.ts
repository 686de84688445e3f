import { describe, expect, it } from 'vitest';
import {
  blazeFaceAnchors,
  decodeBlazeFace,
  letterbox,
  tileStarts,
  weightedNms,
} from '../../bridge/src/face/detector.js';
import { checkImage, cropAffine, sampleAffine, sampleAffineFiltered } from '../../bridge/src/face/image.js';
import { eyeCrops } from '../../bridge/src/face/iris.js';
import { meshToImage, roiAffine, roiFromDetection, roiFromLandmarks } from '../../bridge/src/face/mesh.js';
import type { Image } from '../../bridge/src/media/types.js';
import { type Affine, applyAffine } from '../../bridge/src/util/affine.js';

/** 2×2 RGB image: red, green / blue, white. */
const tiny: Image = {
  data: Uint8Array.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255]),
  width: 2,
  height: 2,
  channels: 3,
};

describe('sampleAffine', () => {
  it('identity map reproduces the pixels, scaled and biased', () => {
    const out = new Float32Array(12);
    sampleAffine(tiny, [1, 0, 0, 0, 1, 0], 2, 2, out, 1 / 255, 0);
    expect(Array.from(out)).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1]);
    sampleAffine(tiny, [1, 0, 0, 0, 1, 0], 2, 2, out, 1 / 127.5, -1);
    expect(Array.from(out)).toEqual([1, -1, -1, -1, 1, -1, -1, -1, 1, 1, 1, 1]);
  });

  it('samples bilinearly between pixel centres and reads black outside', () => {
    const out = new Float32Array(3);
    // One output pixel whose centre maps to the image centre (1, 1): the mean of the four pixels.
    sampleAffine(tiny, [1, 0, 0.5, 0, 1, 0.5], 1, 1, out, 1, 0);
    expect(Array.from(out)).toEqual([127.5, 127.5, 127.5]);
    // Centre at (0, 0.5): halfway between the red pixel and black outside on the left and half above.
    sampleAffine(tiny, [1, 0, -0.5, 0, 1, -0.5], 1, 1, out, 1, 0);
    expect(Array.from(out)).toEqual([255 / 4, 0, 0]);
    sampleAffine(tiny, [1, 0, 50, 0, 1, 50], 1, 1, out, 1, -1);
    expect(Array.from(out)).toEqual([-1, -1, -1]);
  });

  it('writes at an offset (batched crops) and ignores alpha', () => {
    const rgba: Image = { data: Uint8Array.from([10, 20, 30, 0]), width: 1, height: 1, channels: 4 };
    const out = new Float32Array(6).fill(7);
    sampleAffine(rgba, [1, 0, 0, 0, 1, 0], 1, 1, out, 1, 0, 3);
    expect(Array.from(out)).toEqual([7, 7, 7, 10, 20, 30]);
  });
});

describe('sampleAffineFiltered', () => {
  // 1-pixel columns alternating black and white: the worst case for point sampling at 2× reduction.
  const stripes: Image = { data: new Uint8Array(8 * 2 * 3), width: 8, height: 2, channels: 3 };
  for (let y = 0; y < 2; y++)
    for (let x = 1; x < 8; x += 2) stripes.data.fill(255, (y * 8 + x) * 3, (y * 8 + x) * 3 + 3);
  const half: Affine = [2, 0, 0.5, 0, 2, 0];

  it('averages over the footprint when reducing ≥ 2×, where plain bilinear aliases', () => {
    const point = new Float32Array(3 * 3);
    sampleAffine(stripes, half, 3, 1, point, 1, 0);
    expect(Array.from(point.slice(0, 3))).toEqual([255, 255, 255]);
    const filtered = new Float32Array(3 * 3);
    sampleAffineFiltered(stripes, half, 3, 1, filtered, 1, 0);
    for (const v of filtered) expect(v).toBeCloseTo(127.5, 4);
  });

  it('is plain bilinear below 2× reduction, and honours scale, bias and offset', () => {
    const a = new Float32Array(8);
    const b = new Float32Array(8);
    const m: Affine = [1.5, 0, 0.2, 0, 1, 0];
    sampleAffine(stripes, m, 2, 1, a, 1 / 255, -1, 2);
    sampleAffineFiltered(stripes, m, 2, 1, b, 1 / 255, -1, 2);
    expect(Array.from(b)).toEqual(Array.from(a));
    const c = new Float32Array(6).fill(9);
    sampleAffineFiltered(stripes, half, 1, 1, c, 1 / 127.5, -1, 3);
    expect(Array.from(c.slice(0, 3))).toEqual([9, 9, 9]);
    for (const v of c.slice(3)) expect(v).toBeCloseTo(0, 5);
  });
});

describe('checkImage', () => {
  it('names the shape and byte count it expected', () => {
    expect(() => checkImage({ data: new Uint8Array(1000), width: 640, height: 480, channels: 3 })).toThrow(
      "Expected 921600 bytes (640×480×3) for the face tracker's image but received 1000.",
    );
    expect(() => checkImage({ data: new Uint8Array(0), width: 0, height: 480, channels: 3 })).toThrow(
      "Expected a non-empty RGB or RGBA image for the face tracker's image but received 0×480×3.",
    );
    expect(() => checkImage(tiny)).not.toThrow();
  });
});

describe('crop geometry', () => {
  it('cropAffine maps the crop centre to the ROI centre and its edges a half side away, rotated', () => {
    const m = cropAffine(100, 50, 40, Math.PI / 2, 192);
    const [cx, cy] = applyAffine(m, 96, 96);
    expect(cx).toBeCloseTo(100, 9);
    expect(cy).toBeCloseTo(50, 9);
    // Right edge of the crop (+u) points down the image for a 90° clockwise face.
    const [rx, ry] = applyAffine(m, 192, 96);
    expect(rx).toBeCloseTo(100, 9);
    expect(ry).toBeCloseTo(70, 9);
    const mirrored = cropAffine(100, 50, 40, 0, 192, true);
    expect(applyAffine(mirrored, 0, 96)[0]).toBeCloseTo(120, 9);
  });

  it('meshToImage inverts the ROI crop; roiFromLandmarks recovers centre, size and angle', () => {
    const roi = { cx: 120, cy: 80, size: 96, angle: 0.3 };
    // A square of points spanning 2/3 of the crop, plus eye corners on a horizontal line in crop space.
    const raw = new Float32Array(1404);
    for (let i = 0; i < 468; i++) {
      const t = (i / 467) * Math.PI * 2;
      raw.set(
        [
          96 + 64 * Math.sign(Math.cos(t)) * Math.min(1, Math.abs(Math.cos(t)) * 2),
          96 + 64 * Math.sign(Math.sin(t)) * Math.min(1, Math.abs(Math.sin(t)) * 2),
          10,
        ],
        3 * i,
      );
    }
    raw.set([40, 90, 0], 33 * 3);
    raw.set([152, 90, 0], 263 * 3);
    const l = meshToImage(raw, roi);
    const m = roiAffine(roi);
    expect(l[0]).toBeCloseTo(m[0] * raw[0] + m[1] * raw[1] + m[2], 4);
    expect(l[2]).toBeCloseTo(10 * (96 / 192), 6);
    const back = roiFromLandmarks(l, 1.5);
    expect(back.angle).toBeCloseTo(0.3, 5);
    expect(back.cx).toBeCloseTo(120, 3);
    expect(back.cy).toBeCloseTo(80, 3);
    expect(back.size).toBeCloseTo(((128 * 96) / 192) * 1.5, 3);
  });

  it('roiFromDetection: box centre, 1.5 × the larger side, eye-line angle', () => {
    const kp = new Float32Array(12);
    kp.set([10, 10, 20, 20]);
    const roi = roiFromDetection({ score: 1, box: { x: 0, y: 0, width: 40, height: 30 }, keypoints: kp });
    expect(roi).toEqual({ cx: 20, cy: 15, size: 60, angle: Math.PI / 4 });
  });

  it('eye crops: centred between each eye’s corners, 2.3 × their distance, image-right eye mirrored', () => {
    const l = new Float32Array(468 * 3);
    l.set([100, 50, 0], 33 * 3);
    l.set([120, 50, 0], 133 * 3);
    l.set([140, 50, 0], 362 * 3);
    l.set([160, 50, 0], 263 * 3);
    const [a, b] = eyeCrops(l, 0.1);
    expect(a).toEqual({ cx: 110, cy: 50, size: 46, angle: 0.1, mirror: false });
    expect(b).toEqual({ cx: 150, cy: 50, size: 46, angle: 0.1, mirror: true });
  });
});

describe('BlazeFace decoding', () => {
  it('anchors: 16×16×2 at stride 16 then 8×8×6 at stride 32, cell centres in input px', () => {
    const a = blazeFaceAnchors();
    expect(a.length).toBe(896 * 2);
    expect(Array.from(a.slice(0, 6))).toEqual([8, 8, 8, 8, 24, 8]);
    expect(Array.from(a.slice(511 * 2, 512 * 2))).toEqual([248, 248]);
    expect(Array.from(a.slice(512 * 2, 513 * 2))).toEqual([16, 16]);
    expect(Array.from(a.slice(895 * 2))).toEqual([240, 240]);
  });

  it('tiles overlap by half and end flush with the frame; a tile larger than the frame is centred', () => {
    expect(tileStarts(4000, 2000)).toEqual([0, 1000, 2000]);
    expect(tileStarts(3000, 1000)).toEqual([0, 500, 1000, 1500, 2000]);
    expect(tileStarts(1100, 500)).toEqual([0, 250, 500, 600]);
    expect(tileStarts(300, 500)).toEqual([-100]);
  });

  it('letterbox keeps aspect and centres the frame', () => {
    expect(letterbox(640, 480)).toEqual({ scale: 0.4, ox: 0, oy: 32 });
    const lb = letterbox(320, 400);
    expect(lb.scale).toBe(0.64);
    expect(lb.ox).toBeCloseTo(25.6, 9);
    expect(lb.oy).toBe(0);
  });

  it('decodes boxes and keypoints relative to anchors and drops low scores', () => {
    const s0 = new Float32Array(512).fill(-10);
    const s1 = new Float32Array(384).fill(-10);
    const b0 = new Float32Array(512 * 16);
    const b1 = new Float32Array(384 * 16);
    s0[2] = 2; // anchor 2: (24, 8)
    b0.set([1, 2, 10, 20, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5], 2 * 16);
    s1[0] = 0; // anchor 512: (16, 16), score 0.5
    const out = decodeBlazeFace([s0, s1], [b0, b1], 0.6);
    expect(out).toHaveLength(1);
    expect(out[0].score).toBeCloseTo(1 / (1 + Math.exp(-2)), 9);
    expect(Array.from(out[0].v)).toEqual([20, 0, 30, 20, 24, 8, 25, 9, 26, 10, 27, 11, 28, 12, 29, 13]);
    expect(decodeBlazeFace([s0, s1], [b0, b1], 0.4)).toHaveLength(2);
  });

  it('weighted NMS averages a cluster by score and keeps separate faces apart', () => {
    const box = (x: number, score: number) => ({
      score,
      v: Float64Array.from([x, 0, x + 10, 10, ...new Array(12).fill(x)]),
    });
    const merged = weightedNms([box(0, 0.9), box(1, 0.3), box(100, 0.8)], 0.3);
    expect(merged).toHaveLength(2);
    expect(merged[0].score).toBe(0.9);
    expect(merged[0].v[0]).toBeCloseTo(0.25, 9);
    expect(merged[1].v[0]).toBe(100);
  });
});
