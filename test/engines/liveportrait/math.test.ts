import { describe, expect, it } from 'vitest';
import { cropToTensor } from '../../../bridge/src/engines/liveportrait/affine.js';
import { cropFromLandmarks } from '../../../bridge/src/engines/liveportrait/crop.js';
import {
  MESH,
  MESH_EXTENT,
  meshAnchors,
  meshExtentPoints,
  meshOpenness,
  openness203,
} from '../../../bridge/src/engines/liveportrait/landmarks.js';
import {
  applyMultiplier,
  applyStitching,
  expressionGains,
  eyeRetargetInput,
  gazeOffset,
  headposeDegrees,
  type KpInfo,
  lipRetargetInput,
  type MotionGains,
  relativeKeypoints,
  rotationMatrix,
  rotationPower,
  smoothKeypoints,
  stitchingInput,
  transformKeypoints,
} from '../../../bridge/src/engines/liveportrait/motion.js';
import {
  featherMask,
  matteBase,
  pasteBack,
  preparePasteRegion,
} from '../../../bridge/src/engines/liveportrait/pasteback.js';
import { applyAffine, invertAffine } from '../../../bridge/src/util/affine.js';
import { makeImage } from './fixtures.js';

const close = (a: ArrayLike<number>, b: ArrayLike<number>, eps = 1e-6) => {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i]), `index ${i}: ${a[i]} vs ${b[i]}`).toBeLessThan(eps);
};
const ONE: MotionGains = { head: 1, eyes: 1, mouth: 1, brows: 1 };

function info(yaw: number, over: Partial<KpInfo> = {}): KpInfo {
  const kp = new Float32Array(63);
  for (let i = 0; i < 63; i++) kp[i] = ((i * 7) % 11) / 11 - 0.5;
  return {
    pitch: 0,
    yaw,
    roll: 0,
    R: rotationMatrix(0, yaw, 0),
    t: [0.1, -0.2, 0.3],
    exp: new Float32Array(63),
    scale: 1.5,
    kp,
    ...over,
  };
}

describe('angles: softmax expectation over 66 bins', () => {
  it('gives 0° for uniform logits, 22.5° for a peak at bin 40, −52.5° for equal peaks at bins 10 and 20', () => {
    expect(headposeDegrees(new Float32Array(66))).toBeCloseTo(0, 10);
    const peak = new Float32Array(66);
    peak[40] = 100;
    expect(headposeDegrees(peak)).toBeCloseTo(22.5, 6);
    const two = new Float32Array(66).fill(-50);
    two[10] = 50;
    two[20] = 50;
    expect(headposeDegrees(two)).toBeCloseTo(-52.5, 6);
  });
});

describe('rotation matrix (LivePortrait convention: (Rz·Ry·Rx)ᵀ, keypoints as rows)', () => {
  it('turns x into −z for yaw 90°', () => {
    close(rotationMatrix(0, 90, 0), [0, 0, -1, 0, 1, 0, 1, 0, 0]);
  });
  it('applies pitch first: (0,1,0) with pitch 90° then yaw 90° becomes (1,0,0)', () => {
    const R = rotationMatrix(90, 90, 0);
    // Row vector (0,1,0)·R is R's second row.
    close(R.slice(3, 6), [1, 0, 0]);
  });
  it('rolls x toward +y for roll 90°', () => {
    close(rotationMatrix(0, 0, 90).slice(0, 3), [0, 1, 0]);
  });
  it('scales a rotation by its angle (R^0 = I, R^1 = R, R(40°)^½ = R(20°))', () => {
    close(rotationPower(rotationMatrix(0, 40, 0), 0), [1, 0, 0, 0, 1, 0, 0, 0, 1]);
    close(rotationPower(rotationMatrix(10, 40, -5), 1), rotationMatrix(10, 40, -5));
    close(rotationPower(rotationMatrix(0, 40, 0), 0.5), rotationMatrix(0, 20, 0), 1e-9);
    close(rotationPower(rotationMatrix(0, 0, -30), 1.5), rotationMatrix(0, 0, -45), 1e-9);
  });
});

describe('keypoint transform x = scale·(kp·R + exp) + (tx, ty, 0)', () => {
  it('matches a hand computation and never applies tz', () => {
    const kp = new Float32Array(63);
    kp[0] = 1; // k0 = (1, 0, 0)
    const exp = new Float32Array(63);
    exp[1] = 0.1; // k0 y
    const x = transformKeypoints(kp, rotationMatrix(0, 90, 0), exp, 2, [0.5, -0.25, 9]);
    close(x.slice(0, 3), [0.5, -0.05, -2]);
    close(x.slice(3, 6), [0.5, -0.25, 0]); // k1 = 0 → translation only, z untouched
  });
});

describe('relative motion against the reference frame', () => {
  const src = info(10);
  const xs = transformKeypoints(src.kp, src.R, src.exp, src.scale, [src.t[0], src.t[1], 0]);

  it('gives the source keypoints when the driving frame equals the reference', () => {
    const ref = info(-20, { scale: 2, t: [1, 1, 1] });
    close(relativeKeypoints(src, ref, ref, ['all'], ONE), xs, 1e-6);
  });

  it('adds the driving change of rotation and translation (pose), and of scale for all only, scaled by the head gain', () => {
    const ref = info(0, { scale: 1, t: [0, 0, 0] });
    const drv = info(30, { scale: 1.21, t: [0.2, 0.1, 5] });
    const want = (yaw: number, s: number, t: number[]) =>
      transformKeypoints(src.kp, rotationMatrix(0, yaw, 0), src.exp, s, t);
    close(relativeKeypoints(src, drv, ref, ['all'], ONE), want(40, 1.5 * 1.21, [0.3, -0.1, 0]), 1e-5);
    // 'pose' is rotation and translation only: LivePortrait applies the driving scale ratio for 'all' alone
    // (KwaiVGI/LivePortrait src/live_portrait_pipeline.py @1986663, lines 354-357).
    close(relativeKeypoints(src, drv, ref, ['pose'], { ...ONE, head: 0.5 }), want(25, 1.5, [0.2, -0.15, 0]), 1e-5);
    close(relativeKeypoints(src, drv, ref, ['pose', 'expression'], ONE), want(40, 1.5, [0.3, -0.1, 0]), 1e-5);
    close(relativeKeypoints(src, drv, ref, ['expression'], ONE), xs, 1e-6); // no pose with 'expression'
  });

  it('moves only the expression keypoints of the chosen regions, by their gains', () => {
    const ref = info(0);
    const exp = new Float32Array(63);
    exp[19 * 3 + 1] = 0.01; // lips
    exp[11 * 3 + 1] = -0.02; // eyes
    exp[1 * 3] = 0.03; // brow
    const drv = info(0, { exp });
    const d = (x: Float32Array) => Array.from(x, (v, i) => v - xs[i]);
    const all = d(relativeKeypoints(src, drv, ref, ['all'], ONE));
    // Rotation is the source's; an exp change moves x by scale·Δexp along the same axis.
    expect(all[19 * 3 + 1]).toBeCloseTo(1.5 * 0.01, 6);
    expect(all[11 * 3 + 1]).toBeCloseTo(1.5 * -0.02, 6);
    expect(all[1 * 3]).toBeCloseTo(1.5 * 0.03, 6);
    const lips = d(relativeKeypoints(src, drv, ref, ['lips'], ONE));
    expect(lips[19 * 3 + 1]).toBeCloseTo(0.015, 6);
    expect(lips[11 * 3 + 1]).toBeCloseTo(0, 6);
    const quiet = d(relativeKeypoints(src, drv, ref, ['all'], { head: 1, eyes: 0, mouth: 0.5, brows: 2 }));
    expect(quiet[11 * 3 + 1]).toBeCloseTo(0, 6);
    expect(quiet[19 * 3 + 1]).toBeCloseTo(0.0075, 6);
    expect(quiet[1 * 3]).toBeCloseTo(0.09, 6);
  });

  it('uses LivePortrait keypoint groups for regions', () => {
    const g = expressionGains(['eyes', 'lips'], ONE);
    expect(Array.from(g.keys()).filter((k) => g[k] > 0)).toEqual([6, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);
    expect(Array.from(expressionGains(['pose'], ONE)).every((v) => v === 0)).toBe(true);
  });
});

describe('stitching and retargeting inputs', () => {
  const xs = Float32Array.from({ length: 63 }, (_, i) => i);
  const xd = Float32Array.from({ length: 63 }, (_, i) => 100 + i);
  it('packs [x_s ‖ x_d] and applies δ per keypoint plus the global (tx, ty)', () => {
    const input = stitchingInput(xs, xd);
    expect(input.length).toBe(126);
    expect([input[0], input[62], input[63], input[125]]).toEqual([0, 62, 100, 162]);
    const delta = new Float32Array(65);
    delta[0] = 1;
    delta[5] = 2;
    delta[63] = 10;
    delta[64] = 20;
    const out = applyStitching(xd, delta);
    expect(Array.from(out.slice(0, 6))).toEqual([111, 121, 102, 113, 124, 107]);
    expect(out[62]).toBe(162); // z of the last keypoint: no global shift
  });
  it('packs eye [x_s, left, right, target] (66) and lip [x_s, source, target] (65) inputs', () => {
    const eye = eyeRetargetInput(xs, [0.3, 0.31], 0.1);
    expect(eye.length).toBe(66);
    close(eye.slice(62), [62, 0.3, 0.31, 0.1]);
    const lip = lipRetargetInput(xs, 0.2, 0);
    expect(lip.length).toBe(65);
    close(lip.slice(62), [62, 0.2, 0]);
  });
  it('applies the driving multiplier last (0 = source, ½ = halfway)', () => {
    close(applyMultiplier(xs, xd, 0), xs);
    expect(applyMultiplier(xs, xd, 0.5)[3]).toBe(53);
  });
  it('turns gaze into kps 11/15 offsets with the official slider coefficients', () => {
    const g = gazeOffset(0.25, 0); // 15 slider units to the right
    expect(g[11 * 3]).toBeCloseTo(0.0105, 7);
    expect(g[15 * 3]).toBeCloseTo(0.015, 7);
    const up = gazeOffset(0, -0.25); // up: slider +31.5 → y −0.0315
    expect(up[11 * 3 + 1]).toBeCloseTo(-0.0315, 7);
  });
  it('smooths keypoints exponentially', () => {
    expect(Array.from(smoothKeypoints(new Float32Array([0, 10]), new Float32Array([10, 20]), 0.25))).toEqual([
      2.5, 12.5,
    ]);
  });
});

describe('crop from our own landmarks', () => {
  const square = new Float32Array([0, 0, 0, 100, 0, 0, 0, 100, 0, 100, 100, 0]);
  it('makes an upright square crop: side = extent × scale, centre shifted by vy·side', () => {
    const box = cropFromLandmarks(square, 3, [50, 40], [50, 80], {
      dsize: 200,
      scale: 2,
      vyRatio: -0.1,
      vxRatio: 0,
      rotate: true,
    });
    expect(box.side).toBe(200);
    close(box.center, [50, 30]);
    close(box.o2c, [1, 0, 50, 0, 1, 70]);
    close(applyAffine(box.c2o, 100, 100), [50, 30]);
  });
  it('follows the roll: eyes above the mouth in the crop whatever the face angle', () => {
    const box = cropFromLandmarks(square, 3, [50, 50], [10, 50], {
      dsize: 512,
      scale: 2.3,
      vyRatio: -0.125,
      vxRatio: 0,
      rotate: true,
    });
    expect(box.angle).toBeCloseTo(Math.PI / 2, 9);
    const eye = applyAffine(box.o2c, 50, 50);
    const mouth = applyAffine(box.o2c, 10, 50);
    expect(eye[0]).toBeCloseTo(mouth[0], 9);
    expect(mouth[1] - eye[1]).toBeCloseTo((40 * 512) / 230, 6);
    close(applyAffine(invertAffine(box.o2c), ...applyAffine(box.o2c, 3, 7)), [3, 7], 1e-9);
  });
  it('stays upright without rotation, still measuring along the face axes (LivePortrait driving crop)', () => {
    const box = cropFromLandmarks(square, 3, [50, 50], [10, 50], {
      dsize: 512,
      scale: 2.2,
      vyRatio: -0.1,
      vxRatio: 0,
      rotate: false,
    });
    expect(box.angle).toBe(0);
    expect(box.side).toBeCloseTo(220, 9);
    // The forehead shift goes along the face's up axis (+x here, the mouth being at −x): 0.1 × 220 px.
    close(box.center, [72, 50], 1e-9);
    const s = 512 / 220;
    close(box.o2c, [s, 0, 256 - s * 72, 0, s, 256 - s * 50], 1e-9);
  });
});

describe('landmark ratios and anchors', () => {
  it('reads eye/mouth anchors and openness from FaceMesh indices', () => {
    const lm = new Float32Array(468 * 3);
    const set = (i: number, x: number, y: number) => {
      lm[i * 3] = x;
      lm[i * 3 + 1] = y;
    };
    // eye A: corners 20 apart, lids 6 apart; eye B: corners 20 apart, lids 2 apart.
    set(MESH.eyeA[0], 10, 50);
    set(MESH.eyeA[1], 30, 50);
    set(MESH.eyeA[2], 20, 47);
    set(MESH.eyeA[3], 20, 53);
    set(MESH.eyeB[0], 90, 50);
    set(MESH.eyeB[1], 70, 50);
    set(MESH.eyeB[2], 80, 49);
    set(MESH.eyeB[3], 80, 51);
    set(MESH.mouthCorners[0], 35, 100);
    set(MESH.mouthCorners[1], 65, 100);
    set(MESH.innerLips[0], 50, 97);
    set(MESH.innerLips[1], 50, 103);
    const o = meshOpenness(lm);
    expect(o.eyes[0]).toBeCloseTo(0.3, 5);
    expect(o.eyes[1]).toBeCloseTo(0.1, 5);
    expect(o.lip).toBeCloseTo(0.2, 5);
    expect(meshAnchors(lm)).toEqual({ eye: [50, 50], mouth: [50, 100] });
  });
  it('measures the crop extent without the forehead: jaw contour and brows only', () => {
    const lm = new Float32Array(468 * 3);
    lm[10 * 3 + 1] = -500; // forehead top (not in the extent set)
    lm[152 * 3 + 1] = 80; // chin
    lm[105 * 3 + 1] = -40; // a brow point
    const pts = meshExtentPoints(lm);
    expect(pts.length).toBe(MESH_EXTENT.length * 2);
    expect(MESH_EXTENT).not.toContain(10);
    const ys = pts.filter((_, i) => i % 2 === 1);
    expect([Math.min(...ys), Math.max(...ys)]).toEqual([-40, 80]);
    expect(new Set(MESH_EXTENT).size).toBe(MESH_EXTENT.length);
  });

  it('reads the 203-point ratios at LivePortrait indices', () => {
    const p = new Float32Array(406);
    const set = (i: number, x: number, y: number) => {
      p[i * 2] = x;
      p[i * 2 + 1] = y;
    };
    set(0, 0, 0);
    set(12, 10, 0);
    set(6, 5, -2);
    set(18, 5, 2);
    set(24, 0, 0);
    set(36, 20, 0);
    set(30, 0, 0);
    set(42, 0, 1);
    set(48, 0, 0);
    set(66, 40, 0);
    set(90, 0, 0);
    set(102, 0, 10);
    const o = openness203(p);
    close([o.eyes[0], o.eyes[1], o.lip], [0.4, 0.05, 0.25], 1e-6);
  });
});

describe('feathered mask and paste-back', () => {
  it('is 1 inside [16, 496]², falls linearly to 0 over 16 px, rounded at corners', () => {
    expect(featherMask(256, 256)).toBe(1);
    expect(featherMask(16, 16)).toBe(1);
    expect(featherMask(8, 256)).toBe(0.5);
    expect(featherMask(0, 256)).toBe(0);
    expect(featherMask(8, 8)).toBeCloseTo(1 - Math.SQRT2 / 2, 9);
    expect(featherMask(504, 300)).toBe(0.5);
    expect(featherMask(128, 128, 256)).toBe(1);
    expect(featherMask(4, 128, 256)).toBe(0.5); // same shape at other crop sizes
  });
  it('writes the generated face unblended with the mask in alpha (straight alpha)', () => {
    const size = 64; // feather = 2 px
    const portrait = { data: new Uint8Array(80 * 70 * 3).fill(100), width: 80, height: 70, channels: 3 as const };
    const o2c: [number, number, number, number, number, number] = [1, 0, -10, 0, 1, -3]; // crop origin at (10, 3)
    const region = preparePasteRegion(o2c, invertAffine(o2c), size, 80, 70);
    expect([region.x0, region.y0]).toEqual([10, 3]);
    const base = matteBase(portrait, region);
    const gen = new Float32Array(3 * size * size).fill(1.2); // clipped to 1 → 255
    const out = pasteBack(base, 80, region, gen, size);
    const px = (x: number, y: number) => Array.from(out.slice((y * 80 + x) * 4, (y * 80 + x) * 4 + 4));
    expect(px(42, 35)).toEqual([255, 255, 255, 255]); // crop centre
    expect(px(10, 35)).toEqual([100, 100, 100, 0]); // crop edge: mask 0, the portrait under alpha 0
    expect(px(11, 35)).toEqual([255, 255, 255, 128]); // 1 px in: mask ½, the face itself
    expect(px(5, 35)).toEqual([100, 100, 100, 0]); // outside the crop
    expect(base[(35 * 80 + 42) * 4]).toBe(100); // base untouched
  });

  it("composited over the portrait (as in After Effects), gives LivePortrait's blend m·face + (1 − m)·portrait", () => {
    // LivePortrait pastes back with result = mask·face + (1 − mask)·portrait (src/utils/crop.py paste_back). Our frame
    // goes over the portrait in the comp with straight alpha: over = α·rgb + (1 − α)·portrait. Every feather pixel
    // must land within one level of the reference, not at m²·face + (1 − m²)·portrait.
    const size = 128; // feather = 4 px
    const w = 160;
    const h = 150;
    const portrait = makeImage(w, h, 3);
    const o2c: [number, number, number, number, number, number] = [0.9, 0.1, -20, -0.1, 0.9, -2];
    const c2o = invertAffine(o2c);
    const region = preparePasteRegion(o2c, c2o, size, w, h);
    const face = [0.8, 0.3, 0.55]; // one colour per plane, so the reference needs no resampling
    const gen = new Float32Array(3 * size * size);
    for (let c = 0; c < 3; c++) gen.fill(face[c], c * size * size, (c + 1) * size * size);
    const out = pasteBack(matteBase(portrait, region), w, region, gen, size);
    let feather = 0;
    let worst = 0;
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        const u = o2c[0] * x + o2c[1] * y + o2c[2];
        const v = o2c[3] * x + o2c[4] * y + o2c[5];
        const m = featherMask(u, v, size);
        const o = (y * w + x) * 4;
        const a = out[o + 3] / 255;
        if (m > 0 && m < 1) feather++;
        for (let c = 0; c < 3; c++) {
          const p = portrait.data[(y * w + x) * 3 + c];
          const reference = m * face[c] * 255 + (1 - m) * p;
          const composited = a * out[o + c] + (1 - a) * p;
          worst = Math.max(worst, Math.abs(composited - reference));
        }
      }
    expect(feather).toBeGreaterThan(500);
    expect(worst).toBeLessThanOrEqual(1);
  });
});

describe('crop to model tensor', () => {
  it('writes NCHW RGB in 0..1 and box-averages supersamples', () => {
    // 2×2 RGB image; identity map.
    const img = {
      data: new Uint8Array([255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255]),
      width: 2,
      height: 2,
      channels: 3,
    };
    const t = cropToTensor(img, [1, 0, 0, 0, 1, 0], 2);
    close(t, [1, 0, 0, 1, 0, 1, 0, 1, 0, 0, 1, 1]);
    const avg = cropToTensor(img, [1, 0, 0, 0, 1, 0], 1, 2); // one pixel = mean of the 4
    close(avg, [0.5, 0.5, 0.5]);
  });
});
