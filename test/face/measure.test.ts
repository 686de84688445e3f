import { describe, expect, it } from 'vitest';
import { rotateYawPitch } from '../../bridge/src/engines/meshwarp/motion.js';
import {
  EYE_GAPS,
  expression,
  eyeOpenness,
  headPose,
  headYawPitch,
  LM,
  landmarksBox,
} from '../../bridge/src/face/measure.js';
import { CANONICAL_HEAD, headAngles } from '../../bridge/src/face/pose.js';
import { posedCanonicalFace } from '../helpers/canonical-face.js';

const DEG = Math.PI / 180;

/** The canonical face posed by pose.ts angles, 6 px per cm, its origin at (300, 200, 40). */
const canonical = (angles: { yaw: number; pitch: number; roll: number }) =>
  posedCanonicalFace(angles, 6, [300, 200, 40]);

/** 468 points at the origin with the given ones set. */
function landmarks(points: Record<number, [number, number, number?]>): Float32Array {
  const l = new Float32Array(468 * 3);
  for (const [i, [x, y, z]] of Object.entries(points)) l.set([x, y, z ?? 0], Number(i) * 3);
  return l;
}

/** A simple upright face: eyes 100 px apart at y=100, centred on x=150. */
const face = (extra: Record<number, [number, number, number?]> = {}) =>
  landmarks({
    [LM.eyeOuterL]: [100, 100],
    [LM.eyeInnerL]: [130, 100],
    [LM.eyeInnerR]: [170, 100],
    [LM.eyeOuterR]: [200, 100],
    [LM.noseBridge]: [150, 100],
    [LM.noseTop]: [150, 112],
    ...extra,
  });

describe('head pose', () => {
  it('roll is the eye-line angle, clockwise positive; scale is the eye-corner distance', () => {
    const t = Math.tan((10 * Math.PI) / 180);
    const pose = headPose(face({ [LM.eyeOuterR]: [200, 100 + 100 * t] }));
    expect(pose.roll).toBeCloseTo((10 * Math.PI) / 180, 6);
    expect(pose.scale).toBeCloseTo(100 / Math.cos((10 * Math.PI) / 180), 4);
    expect(headPose(face({ [LM.eyeOuterR]: [200, 100 - 100 * t] })).roll).toBeCloseTo((-10 * Math.PI) / 180, 6);
  });

  it('yaw and pitch are headYawPitch', () => {
    const l = canonical({ yaw: 0.2, pitch: -0.1, roll: 0.05 });
    const { roll, scale, x, y, ...turn } = headPose(l);
    expect(turn).toEqual(headYawPitch(l));
  });

  it('centre is the mean of the eye corners and the nose bridge points', () => {
    const pose = headPose(face());
    expect(pose.x).toBeCloseTo(150, 6);
    expect(pose.y).toBeCloseTo((100 * 5 + 112) / 6, 6);
  });
});

describe('headYawPitch (the one head-turn estimator)', () => {
  /** The canonical face, 6 px per cm about (300, 200, 40), turned by rotateYawPitch (the 2-D warp's rotation). */
  const turned = (yaw: number, pitch: number): Float32Array => {
    const l = canonical({ yaw: 0, pitch: 0, roll: 0 });
    const out = new Float32Array(468 * 3);
    for (let i = 0; i < 468; i++)
      rotateYawPitch(l[i * 3], l[i * 3 + 1], l[i * 3 + 2], 300, 200, 40, yaw, pitch, out, i * 3);
    return out;
  };

  it('reads the frontal canonical face as 0, 0', () => {
    const { yaw, pitch } = headYawPitch(canonical({ yaw: 0, pitch: 0, roll: 0 }));
    expect(yaw).toBeCloseTo(0, 5);
    expect(pitch).toBeCloseTo(0, 5);
  });

  it('gives back the yaw and the pitch rotateYawPitch turned the canonical face by (yaw + = toward image left, pitch + = down)', () => {
    for (const deg of [-40, -12, 12, 40]) {
      const a = headYawPitch(turned(deg * DEG, 0));
      expect(a.yaw / DEG).toBeCloseTo(deg, 3);
      expect(a.pitch / DEG).toBeCloseTo(0, 3);
      const b = headYawPitch(turned(0, deg * DEG));
      expect(b.yaw / DEG).toBeCloseTo(0, 3);
      expect(b.pitch / DEG).toBeCloseTo(deg, 3);
    }
    // Turned toward image left: the nose tip (4) moves left and the image-left cheek (234) recedes past the right (454).
    const left = turned(20 * DEG, 0);
    expect(left[4 * 3]).toBeLessThan(turned(0, 0)[4 * 3]);
    expect(left[234 * 3 + 2]).toBeGreaterThan(left[454 * 3 + 2]);
    // Both at once: the rotation order (yaw then pitch here, pitch then yaw in pose.ts) matters only to second order.
    const both = headYawPitch(turned(15 * DEG, -10 * DEG));
    expect(Math.abs(both.yaw / DEG - 15)).toBeLessThan(1);
    expect(Math.abs(both.pitch / DEG + 10)).toBeLessThan(1);
  });

  it('is headAngles with yaw and pitch negated, whatever the roll', () => {
    for (const angles of [
      { yaw: 0.5, pitch: -0.3, roll: 0.4 },
      { yaw: -0.7, pitch: 0.2, roll: -0.6 },
    ]) {
      const l = canonical(angles);
      const { yaw, pitch } = headYawPitch(l);
      expect(yaw).toBeCloseTo(-angles.yaw, 5);
      expect(pitch).toBeCloseTo(-angles.pitch, 5);
      expect({ yaw, pitch }).toEqual({ yaw: -headAngles(l).yaw, pitch: -headAngles(l).pitch });
    }
  });

  it('an open mouth does not read as a nod', () => {
    const l = canonical({ yaw: 0, pitch: 0, roll: 0 });
    for (let i = 0; i < 468; i++) if (CANONICAL_HEAD[i * 3 + 1] > 4.5) l[i * 3 + 1] += 12; // below the lips
    expect(Math.abs(headYawPitch(l).pitch)).toBeLessThan(0.5 * DEG);
  });
});

describe('eyeOpenness', () => {
  it('is the mean central lid gap over the 3-D corner distance', () => {
    const lm = new Float32Array(468 * 3);
    const eye = EYE_GAPS[0];
    lm[eye.corners[1] * 3] = 18;
    lm[eye.corners[1] * 3 + 2] = 24; // corners 30 px apart in 3-D (a turned head keeps its eye width)
    eye.gapPairs.forEach(([u, l], k) => {
      lm[u * 3] = 10 + k;
      lm[l * 3] = 10 + k;
      lm[l * 3 + 1] = [5, 6, 7][k]; // gaps 5, 6, 7 → mean 6
    });
    expect(eyeOpenness(lm, eye)).toBeCloseTo(6 / 30, 6);
    expect(eyeOpenness(new Float32Array(468 * 3), eye)).toBe(0);
  });
});

describe('expression', () => {
  it('eye, mouth and brow distances divided by the eye-corner distance (100 px)', () => {
    const e = expression(
      face({
        [LM.lidUpperL]: [115, 95],
        [LM.lidLowerL]: [115, 105],
        [LM.lidUpperR]: [185, 98],
        [LM.lidLowerR]: [185, 102],
        [LM.lipUpper]: [150, 180],
        [LM.lipLower]: [150, 210],
        [LM.mouthL]: [120, 195],
        [LM.mouthR]: [180, 195],
        105: [110, 70],
        66: [120, 70],
        334: [190, 60],
        296: [180, 60],
      }),
    );
    expect(e.leftEyeOpen).toBeCloseTo(0.1, 6);
    expect(e.rightEyeOpen).toBeCloseTo(0.04, 6);
    expect(e.mouthOpen).toBeCloseTo(0.3, 6);
    expect(e.mouthWidth).toBeCloseTo(0.6, 6);
    expect(e.leftBrowRaise).toBeCloseTo(0.3, 6);
    expect(e.rightBrowRaise).toBeCloseTo(0.4, 6);
    expect(e.gazeX).toBe(0);
    expect(e.gazeY).toBe(0);
  });

  it('gaze: iris centres shifted by half an eye width to the right read +1 (and clamp)', () => {
    const iris = new Float32Array(30);
    iris.set([115 + 7.5, 100, 0], 0); // image-left eye: corners 100..130, centre 115, half width 15
    iris.set([185 + 7.5, 100, 0], 15);
    const e = expression(face(), iris);
    expect(e.gazeX).toBeCloseTo(0.5, 6);
    expect(e.gazeY).toBeCloseTo(0, 6);
    iris[1] = 100 + 7.5;
    iris[16] = 100 + 7.5;
    expect(expression(face(), iris).gazeY).toBeCloseTo(1, 6);
    iris[0] = 200;
    iris[15] = 260;
    expect(expression(face(), iris).gazeX).toBe(1);
  });

  it('is invariant to in-plane rotation and uniform scale of the face', () => {
    const base = face({
      [LM.lipUpper]: [150, 180],
      [LM.lipLower]: [150, 210],
      [LM.lidUpperL]: [115, 95],
      [LM.lidLowerL]: [115, 105],
    });
    const a = 0.4;
    const rotated = new Float32Array(base.length);
    for (let i = 0; i < 468; i++) {
      const x = base[3 * i];
      const y = base[3 * i + 1];
      rotated[3 * i] = 2 * (Math.cos(a) * x - Math.sin(a) * y) + 30;
      rotated[3 * i + 1] = 2 * (Math.sin(a) * x + Math.cos(a) * y) - 10;
    }
    const e0 = expression(base);
    const e1 = expression(rotated);
    expect(e1.mouthOpen).toBeCloseTo(e0.mouthOpen, 6);
    expect(e1.leftEyeOpen).toBeCloseTo(e0.leftEyeOpen, 6);
    expect(headPose(rotated).roll).toBeCloseTo(a, 6);
  });
});

describe('landmarksBox', () => {
  it('is the bounding box of the points', () => {
    const l = new Float32Array(468 * 3).fill(50);
    l.set([10, 20, 0], 0);
    l.set([90, 80, 0], 3);
    expect(landmarksBox(l)).toEqual({ x: 10, y: 20, width: 80, height: 60 });
  });
});
