import { describe, expect, it } from 'vitest';
import { parseMeshwarpConfig } from '../../../bridge/src/engines/meshwarp/config.js';
import {
  computeMotion,
  lidClosure,
  pastLimit,
  preparePortrait,
  prepareReference,
  rotateYawPitch,
  softThreshold,
} from '../../../bridge/src/engines/meshwarp/motion.js';
import { EYE_A, EYES, LIP_LOWER_INNER, LIP_UPPER_INNER, STABLE } from '../../../bridge/src/engines/meshwarp/regions.js';
import { EYE_GAPS, headYawPitch } from '../../../bridge/src/face/measure.js';
import type { FaceObservation } from '../../../bridge/src/face/types.js';
import { astronaut, cloneFace, closeEyes, controls, moveHead, openMouth, standInFace } from './fixtures.js';

// computeMotion is the 2-D warp's motion model (the 3-D head's is motion3d.ts, test/engines/meshwarp/head3d.test.ts).
const cfg = parseMeshwarpConfig({ head: '2d' });
const DEG = Math.PI / 180;

function setup(portraitFace: FaceObservation = standInFace(), ref: FaceObservation = standInFace()) {
  const portrait = preparePortrait(portraitFace);
  const reference = prepareReference(portrait, ref);
  return { portrait, reference, ref };
}

/** The face scaled by k about (cx, cy) (a bigger portrait of the same face). */
function scaled(face: FaceObservation, k: number, cx = 224, cy = 124): FaceObservation {
  const out = cloneFace(face);
  for (const arr of [out.landmarks, out.iris]) {
    if (!arr) continue;
    for (let i = 0; i < arr.length; i += 3) {
      arr[i] = cx + k * (arr[i] - cx);
      arr[i + 1] = cy + k * (arr[i + 1] - cy);
      arr[i + 2] *= k;
    }
  }
  return out;
}

const gapAt = (p: ArrayLike<number>, j = 5) => p[LIP_LOWER_INNER[j] * 3 + 1] - p[LIP_UPPER_INNER[j] * 3 + 1];

describe('measures (hand-checked)', () => {
  it('measures eye openness on the face stage’s lid pairs', () => {
    expect(EYES.map(({ corners, gapPairs }) => ({ corners, gapPairs }))).toEqual(EYE_GAPS);
  });

  it('lidClosure maps 1 − open/ref through the dead zone and the full-closure point', () => {
    expect(lidClosure(0.1, 0.3, 0.1, 0.7)).toBeCloseTo((1 - 1 / 3 - 0.1) / 0.6, 12); // 0.9444
    expect(lidClosure(0.3, 0.3, 0.1, 0.7)).toBe(0);
    expect(lidClosure(0.28, 0.3, 0.1, 0.7)).toBe(0); // 6.7 % closed: inside the dead zone
    expect(lidClosure(0, 0.3, 0.1, 0.7)).toBe(1);
    expect(lidClosure(0.1, 0, 0.1, 0.7)).toBe(0);
  });

  it('softThreshold removes the dead zone and stays continuous', () => {
    expect(softThreshold(0.02, 0.03)).toBe(0);
    expect(softThreshold(-0.03, 0.03)).toBe(0);
    expect(softThreshold(0.1, 0.03)).toBeCloseTo(0.07, 12);
    expect(softThreshold(-0.1, 0.03)).toBeCloseTo(-0.07, 12);
  });

  it('headYawPitch rises by exactly the rotation rotateYawPitch applies', () => {
    const face = standInFace();
    const { yaw: y0, pitch: p0 } = headYawPitch(face.landmarks);
    const rotated = new Float32Array(468 * 3);
    for (let i = 0; i < 468; i++) {
      const lm = face.landmarks;
      rotateYawPitch(lm[i * 3], lm[i * 3 + 1], lm[i * 3 + 2], 224, 124, 0, 12 * DEG, 0, rotated, i * 3);
    }
    const { yaw: y1, pitch: p1 } = headYawPitch(rotated);
    expect((y1 - y0) / DEG).toBeCloseTo(12, 3);
    // A pure yaw barely moves pitch (< 0.01 rad at 12°): only the face's own roll couples the two.
    expect(Math.abs(p1 - p0)).toBeLessThan(0.01);
    // A quarter turn moves x into z: (10, 0, 0) about the origin → (0, 0, −10).
    const out = new Float64Array(3);
    rotateYawPitch(10, 0, 0, 0, 0, 0, Math.PI / 2, 0, out, 0);
    expect(out[0]).toBeCloseTo(0, 12);
    expect(out[2]).toBeCloseTo(-10, 12);
    rotateYawPitch(0, 10, 0, 0, 0, 0, 0, Math.PI / 2, out, 0);
    expect(out[1]).toBeCloseTo(0, 12);
    expect(out[2]).toBeCloseTo(10, 12);
  });
});

describe('computeMotion', () => {
  it('driving = reference gives the portrait unchanged (identity)', () => {
    const { portrait, reference, ref } = setup();
    const m = computeMotion(portrait, reference, ref, controls(), cfg);
    expect(m.identity).toBe(true);
    for (let i = 0; i < 468 * 3; i += 3) {
      expect(m.points[i]).toBeCloseTo(portrait.landmarks[i], 3);
      expect(m.points[i + 1]).toBeCloseTo(portrait.landmarks[i + 1], 3);
    }
    expect(m.warnings).toEqual([]);
  });

  it('null driving face and zero intensity both give the neutral portrait', () => {
    const { portrait, reference, ref } = setup();
    expect(computeMotion(portrait, reference, null, controls(), cfg).identity).toBe(true);
    const moved = openMouth(moveHead(ref, 8, 5, 2), 6);
    expect(computeMotion(portrait, reference, moved, controls({ intensity: 0 }), cfg).identity).toBe(true);
  });

  it('transfers a head shift and roll: shift (6, 3) moves every point by (6, 3); roll 10° is reported as 10°', () => {
    const { portrait, reference, ref } = setup();
    const m = computeMotion(portrait, reference, moveHead(ref, 0, 6, 3), controls(), cfg);
    expect(m.pose.dx).toBeCloseTo(6, 3);
    expect(m.pose.dy).toBeCloseTo(3, 3);
    for (const i of [1, 13, 33, 152, 263]) {
      expect(m.points[i * 3] - portrait.landmarks[i * 3]).toBeCloseTo(6, 2);
      expect(m.points[i * 3 + 1] - portrait.landmarks[i * 3 + 1]).toBeCloseTo(3, 2);
    }
    const r = computeMotion(portrait, reference, moveHead(ref, 10), controls(), cfg);
    expect(r.pose.roll / DEG).toBeCloseTo(10, 3);
    expect(r.pose.scale).toBeCloseTo(1, 4);
  });

  it('keeps the portrait proportions: a 2× portrait gets twice the shift and twice the mouth opening', () => {
    const { portrait, reference, ref } = setup(scaled(standInFace(), 2));
    const driving = openMouth(moveHead(ref, 0, 5, 0), 4);
    const m = computeMotion(portrait, reference, driving, controls(), cfg);
    expect(m.pose.dx).toBeCloseTo(10, 2);
    expect(m.pose.scale).toBeCloseTo(1, 3);
    const before = gapAt(portrait.landmarks);
    expect(gapAt(m.points) - before).toBeCloseTo(8, 0);
  });

  it('head gain and intensity scale the pose; the scale follows s^gain', () => {
    const { portrait, reference, ref } = setup();
    const m = computeMotion(portrait, reference, moveHead(ref, 10, 4, 0), controls({ head: 0.5 }), cfg);
    expect(m.pose.roll / DEG).toBeCloseTo(5, 3);
    const big = scaled(ref, 1.1);
    const s = computeMotion(portrait, reference, big, controls({ intensity: 0.5 }), cfg);
    expect(s.pose.scale).toBeCloseTo(Math.sqrt(1.1), 3);
  });

  it('holdPose freezes roll, shift, scale and yaw while the mouth still opens (#11)', () => {
    const { portrait, reference, ref } = setup();
    const driving = openMouth(moveHead(ref, 8, 5, 2), 6);
    const held = computeMotion(portrait, reference, driving, controls({ holdPose: true }), cfg);
    expect(held.pose).toEqual({ roll: 0, yaw: 0, pitch: 0, scale: 1, dx: 0, dy: 0 });
    for (let i = 0; i < 468 * 3; i++) expect(held.rigid[i]).toBeCloseTo(portrait.landmarks[i], 4);
    for (const i of STABLE) {
      expect(Math.abs(held.points[i * 3] - portrait.landmarks[i * 3])).toBeLessThan(0.5);
      expect(Math.abs(held.points[i * 3 + 1] - portrait.landmarks[i * 3 + 1])).toBeLessThan(0.5);
    }
    expect(gapAt(held.points) - gapAt(portrait.landmarks)).toBeGreaterThan(5);
    // Two frames with different head motion give the same held pose.
    const other = computeMotion(
      portrait,
      reference,
      openMouth(moveHead(ref, -5, -3, 1), 6),
      controls({ holdPose: true }),
      cfg,
    );
    expect(other.pose).toEqual(held.pose);
  });

  it('mouth gain 0 keeps every lip point where head motion alone puts it (mouth flat, #11)', () => {
    const { portrait, reference, ref } = setup();
    const driving = openMouth(moveHead(ref, 6, 3, 0), 10);
    const m = computeMotion(portrait, reference, driving, controls({ mouth: 0 }), cfg);
    for (const i of [...LIP_UPPER_INNER, ...LIP_LOWER_INNER, 0, 17, 61, 291]) {
      expect(m.points[i * 3]).toBeCloseTo(m.rigid[i * 3], 4);
      expect(m.points[i * 3 + 1]).toBeCloseTo(m.rigid[i * 3 + 1], 4);
    }
    const open = computeMotion(portrait, reference, driving, controls({ mouth: 1 }), cfg);
    expect(gapAt(open.points) - gapAt(open.rigid)).toBeCloseTo(10, 0);
    const double = computeMotion(portrait, reference, driving, controls({ mouth: 2 }), cfg);
    expect(gapAt(double.points) - gapAt(double.rigid)).toBeCloseTo(20, 0);
  });

  it('gaze moves the iris by the requested eye widths, within 1 px, and no eyelid point (#11)', () => {
    for (const face of [standInFace(), astronaut().face]) {
      const { portrait, reference, ref } = setup(face, face);
      const base = computeMotion(portrait, reference, ref, controls(), cfg);
      const m = computeMotion(portrait, reference, ref, controls({ gazeLeft: [0.2, 0.1], gazeRight: [-0.15, 0] }), cfg);
      expect(m.identity).toBe(false);
      const want = [
        [0.2, 0.1],
        [-0.15, 0],
      ];
      for (let e = 0; e < 2; e++) {
        const w = portrait.eyeWidth[e];
        const ex = Math.cos(portrait.roll);
        const ey = Math.sin(portrait.roll);
        const [gx, gy] = want[e];
        const wantX = (gx * ex - gy * ey) * w;
        const wantY = (gx * ey + gy * ex) * w;
        for (let k = 0; k < 5; k++) {
          const i = (e * 5 + k) * 3;
          expect(Math.abs(m.iris![i] - face.iris![i] - wantX)).toBeLessThan(1);
          expect(Math.abs(m.iris![i + 1] - face.iris![i + 1] - wantY)).toBeLessThan(1);
        }
      }
      // Every landmark (lids included) is where it was without gaze.
      for (let i = 0; i < 468 * 3; i++) expect(m.points[i]).toBe(base.points[i]);
    }
  });

  it('transfers the driving iris offset (less the jitter dead zone) in eye widths', () => {
    const { portrait, reference, ref } = setup();
    const driving = cloneFace(ref);
    const w = portrait.eyeWidth[0];
    for (let k = 0; k < 5; k++) driving.iris![k * 3] += 0.13 * w; // eye A's iris 0.13 eye widths right
    const m = computeMotion(portrait, reference, driving, controls(), cfg);
    // (within 0.05 px: the eye line is tilted a little, so an x shift projects with cos(tilt))
    expect(m.gaze[0][0]).toBeCloseTo((0.13 - cfg.gazeDeadZone) * w, 1);
    expect(m.gaze[1][0]).toBeCloseTo(0, 6);
    expect(computeMotion(portrait, reference, driving, controls({ eyes: 0 }), cfg).gaze[0][0]).toBe(0);
  });

  it('gaze is clamped to the configured range', () => {
    const { portrait, reference, ref } = setup();
    const m = computeMotion(portrait, reference, ref, controls({ gazeLeft: [5, -5] }), cfg);
    expect(m.gaze[0][0]).toBeCloseTo(cfg.maxGazeX * portrait.eyeWidth[0], 6);
    expect(m.gaze[0][1]).toBeCloseTo(-cfg.maxGazeY * portrait.eyeWidth[0], 6);
  });

  it('a blink closes the portrait lids relative to its own lid gap; eyes or blink gain 0 stops it', () => {
    const { portrait, reference, ref } = setup();
    const driving = closeEyes(ref, 0.8);
    const m = computeMotion(portrait, reference, driving, controls(), cfg);
    expect(m.eyeClosure[0]).toBe(1); // (0.8 − 0.12) / (0.7 − 0.12) > 1 → clamped
    const u = EYE_A.upper0[3];
    const l = EYE_A.lower0[3];
    const gap0 = portrait.landmarks[l * 3 + 1] - portrait.landmarks[u * 3 + 1];
    const gap1 = m.points[l * 3 + 1] - m.points[u * 3 + 1];
    expect(gap1).toBeCloseTo(gap0 * (1 - 0.96 - 0.04), 3);
    const half = computeMotion(portrait, reference, closeEyes(ref, 0.41), controls(), cfg);
    expect(half.eyeClosure[0]).toBeCloseTo((0.41 - 0.12) / (0.7 - 0.12), 3);
    expect(computeMotion(portrait, reference, driving, controls({ blink: 0 }), cfg).eyeClosure).toEqual([0, 0]);
    expect(computeMotion(portrait, reference, driving, controls({ eyes: 0 }), cfg).eyeClosure).toEqual([0, 0]);
    expect(computeMotion(portrait, reference, driving, controls({ blink: 0.5 }), cfg).eyeClosure[1]).toBeCloseTo(
      0.5,
      6,
    );
  });

  it('clamps yaw past the limit with a warning, and shows yaw within it as parallax', () => {
    const { portrait, reference, ref } = setup();
    const turn = (deg: number) => {
      const out = cloneFace(ref);
      const lm = ref.landmarks;
      // About the stable points' centre, so the turn carries no shift.
      const c = [0, 1, 2].map((k) => STABLE.reduce((s, i) => s + lm[i * 3 + k], 0) / STABLE.length);
      for (let i = 0; i < 468; i++) {
        rotateYawPitch(lm[i * 3], lm[i * 3 + 1], lm[i * 3 + 2], c[0], c[1], c[2], deg * DEG, 0, out.landmarks, i * 3);
      }
      return out;
    };
    // Past 30° of turn the driving eyes are not trusted: no blink, no gaze from them.
    const farBlink = closeEyes(turn(35), 0.9);
    for (let k = 0; k < 10; k++) farBlink.iris![k * 3] += 3;
    const untrusted = computeMotion(portrait, reference, farBlink, controls(), cfg);
    expect(untrusted.eyeClosure).toEqual([0, 0]);
    expect(untrusted.gaze[0][0]).toBe(0);
    const far = computeMotion(portrait, reference, turn(35), controls(), cfg);
    expect(far.pose.yaw / DEG).toBeCloseTo(20, 6);
    expect(far.warnings).toEqual(['Head yaw of 35° is beyond what a 2-D warp can show (limit 20°); clamped.']);
    const near = computeMotion(portrait, reference, turn(10), controls(), cfg);
    expect(near.warnings).toEqual([]);
    expect(near.pose.yaw / DEG).toBeCloseTo(10, 1);
    // The nose tip (nearest the camera) shifts against the ears: parallax, not a flat shift.
    const nose = near.points[1 * 3] - portrait.landmarks[1 * 3];
    const ear = near.points[234 * 3] - portrait.landmarks[234 * 3];
    expect(Math.abs(nose - ear)).toBeGreaterThan(2);
  });

  it('clamps a head shift beyond the ring with a warning', () => {
    const { portrait, reference, ref } = setup();
    const m = computeMotion(portrait, reference, moveHead(ref, 0, 60, 0), controls(), cfg);
    const limit = cfg.maxShift * portrait.faceWidth;
    expect(m.pose.dx).toBeCloseTo(limit, 6);
    expect(m.warnings).toEqual([
      `Head shift of 60 px is beyond what the warp ring allows (limit ${Number(limit.toFixed(1))} px); clamped.`,
    ]);
  });

  it('never shows a value rounded onto its limit (issue #20 item 8: "19 px beyond the limit of 19 px")', () => {
    expect(pastLimit(19.4, 18.9)).toEqual(['19.4', '18.9']);
    expect(pastLimit(19.04, 19)).toEqual(['19.04', '19']);
    expect(pastLimit(30.0004, 30)).toEqual(['30', '30']); // beyond 3 decimals it is the limit, for every purpose
    expect(pastLimit(60, 12.5)).toEqual(['60', '12.5']);
  });

  it('lips never cross when the driving mouth closes past its reference', () => {
    const { portrait, reference, ref } = setup();
    const m = computeMotion(portrait, reference, openMouth(ref, -6), controls(), cfg);
    for (let j = 1; j < LIP_UPPER_INNER.length - 1; j++) expect(gapAt(m.points, j)).toBeGreaterThanOrEqual(-1e-3);
  });

  it('brow gain scales brow motion only', () => {
    const { portrait, reference, ref } = setup();
    const driving = cloneFace(ref);
    for (const i of EYES[0].brow) driving.landmarks[i * 3 + 1] -= 4;
    const on = computeMotion(portrait, reference, driving, controls(), cfg);
    const off = computeMotion(portrait, reference, driving, controls({ brows: 0 }), cfg);
    const b = EYES[0].brow[3];
    expect(portrait.landmarks[b * 3 + 1] - on.points[b * 3 + 1]).toBeGreaterThan(3);
    expect(off.points[b * 3 + 1]).toBeCloseTo(on.rigid[b * 3 + 1], 1);
  });
});
