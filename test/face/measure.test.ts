import { describe, expect, it } from 'vitest';
import {
  EYE_GAPS,
  expression,
  eyeOpenness,
  headPose,
  headYawPitch,
  LM,
  landmarksBox,
} from '../../bridge/src/face/measure.js';

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
    [LM.forehead]: [150, 40],
    [LM.chin]: [150, 240],
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
    const l = face({ [LM.eyeOuterR]: [200, 100, 100], [LM.forehead]: [150, 40, -30] });
    const { roll, scale, x, y, ...turn } = headPose(l);
    expect(turn).toEqual(headYawPitch(l));
  });

  it('centre is the mean of the eye corners and the nose bridge points', () => {
    const pose = headPose(face());
    expect(pose.x).toBeCloseTo(150, 6);
    expect(pose.y).toBeCloseTo((100 * 5 + 112) / 6, 6);
  });
});

describe('headYawPitch', () => {
  /** face() with the cheek sides (20 px outside the eye corners) and the nose base. */
  const turned = (extra: Record<number, [number, number, number?]> = {}) =>
    face({ [LM.cheekL]: [80, 110], [LM.cheekR]: [220, 110], [LM.noseBase]: [150, 150], ...extra });

  it('reads a frontal face as 0, 0', () => {
    const { yaw, pitch } = headYawPitch(turned());
    expect(yaw).toBeCloseTo(0, 12);
    expect(pitch).toBeCloseTo(0, 12);
  });

  it('yaw from the depth slope of the eye corners and cheeks: the image-right side farther → negative', () => {
    // Eye line (100, 0, 100) plus half the cheek line (140, 0, 140): a 45° slope.
    expect(headYawPitch(turned({ [LM.eyeOuterR]: [200, 100, 100], [LM.cheekR]: [220, 110, 140] })).yaw).toBeCloseTo(
      -Math.PI / 4,
      6,
    );
    expect(headYawPitch(turned({ [LM.eyeOuterL]: [100, 100, 100], [LM.cheekL]: [80, 110, 140] })).yaw).toBeCloseTo(
      Math.PI / 4,
      6,
    );
  });

  it('pitch from the forehead → nose-base depth slope: forehead nearer → positive (tilted down); the jaw is ignored', () => {
    expect(headYawPitch(turned({ [LM.forehead]: [150, 40, -110] })).pitch).toBeCloseTo(Math.PI / 4, 6);
    expect(headYawPitch(turned({ [LM.forehead]: [150, 40, 110] })).pitch).toBeCloseTo(-Math.PI / 4, 6);
    // An open mouth moves the chin, not the head's pitch.
    expect(headYawPitch(turned({ [LM.chin]: [150, 280, 60] })).pitch).toBeCloseTo(0, 12);
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
