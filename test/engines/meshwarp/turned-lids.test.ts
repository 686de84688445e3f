/**
 * The lower lids of a turned driver (issue #21). The tracker's mesh of a real head 35–45° turned is not rigid:
 * unposed, its lower lids rise against their own eye's corners and the eye as a whole shifts in the head. Carried
 * over as expression, the risen lower lids drew the turned eyes narrower than the driver's and the tracker read them
 * nearly shut. On a turned driver the lower lids now keep their place relative to their eye's corners (the shift of
 * the whole eye is kept); a frontal driver's lower-lid motion still comes through.
 */
import { describe, expect, it } from 'vitest';
import { parseMeshwarpConfig } from '../../../bridge/src/engines/meshwarp/config.js';
import { toRendererCoords } from '../../../bridge/src/engines/meshwarp/index.js';
import {
  computeMotion3d,
  motion3dOptions,
  preparePortrait3d,
  prepareReference3d,
} from '../../../bridge/src/engines/meshwarp/motion3d.js';
import { EYES } from '../../../bridge/src/engines/meshwarp/regions.js';
import { fitHead, mul3, rotationOf, unpose } from '../../../bridge/src/face/pose.js';
import type { FaceObservation } from '../../../bridge/src/face/types.js';
import { astronaut, controls } from './fixtures.js';

const DEG = Math.PI / 180;
const { face } = astronaut();
const still: FaceObservation = { ...face, iris: undefined };
const fit = fitHead(still.landmarks);
const head = unpose(still.landmarks, fit);
/** Every point of both eyes (corners, lids and rings). */
const EYE_POINTS = EYES.flatMap((e) => [
  ...e.corners,
  ...e.upper0,
  ...e.upper1,
  ...e.upper2,
  ...e.lower0,
  ...e.lower1,
  ...e.lower2,
]);

/**
 * The portrait's face turned by `yaw` degrees, its lower lid edges raised by `rise` of their lid gap against their
 * eye and both eyes as a whole shifted `shift` cm down in the head: a turned tracker mesh's distortion.
 */
function distorted(yaw: number, rise: number, shift: number): FaceObservation {
  const h = Float64Array.from(head);
  for (const eye of EYES) {
    eye.lower0.forEach((l, j) => {
      h[l * 3 + 1] -= rise * (head[l * 3 + 1] - head[eye.upper0[j] * 3 + 1]);
    });
  }
  for (const i of new Set(EYE_POINTS)) h[i * 3 + 1] += shift;
  const R = mul3(rotationOf({ yaw: yaw * DEG, pitch: 0, roll: 0 }), fit.rotation);
  const lm = new Float32Array(468 * 3);
  for (let i = 0; i < 468; i++) {
    for (let a = 0; a < 3; a++) {
      lm[i * 3 + a] =
        fit.translation[a] +
        fit.scale * (R[a * 3] * h[i * 3] + R[a * 3 + 1] * h[i * 3 + 1] + R[a * 3 + 2] * h[i * 3 + 2]);
    }
  }
  return { ...still, landmarks: lm };
}

/** Per eye, how far (share of the lid gap) each lower lid edge point of `target` sits above its place between the corners. */
function lowerLidRise(target: Float64Array, rest: Float64Array): number[][] {
  return EYES.map((eye) => {
    const [c0, c1] = eye.corners;
    const ax = rest[c1 * 3] - rest[c0 * 3];
    const ay = rest[c1 * 3 + 1] - rest[c0 * 3 + 1];
    const between = (m: Float64Array, i: number): number => {
      const t = ((rest[i * 3] - rest[c0 * 3]) * ax + (rest[i * 3 + 1] - rest[c0 * 3 + 1]) * ay) / (ax * ax + ay * ay);
      return m[i * 3 + 1] - (m[c0 * 3 + 1] + (m[c1 * 3 + 1] - m[c0 * 3 + 1]) * t);
    };
    return eye.lower0.map((l, j) => {
      const gap = rest[l * 3 + 1] - rest[eye.upper0[j] * 3 + 1];
      return (between(rest, l) - between(target, l)) / gap;
    });
  });
}

describe('3-D head: the lower lids of a turned driver', () => {
  const config = parseMeshwarpConfig({});
  const options = motion3dOptions(config);
  const portrait = preparePortrait3d(toRendererCoords(face), config.cameraDistance, config.depthGain);
  const reference = prepareReference3d(still);
  const corners = EYES.flatMap((e) => e.corners);
  const meanY = (m: Float64Array, points: number[]): number =>
    points.reduce((s, i) => s + m[i * 3 + 1], 0) / points.length;

  it('stay where they are against their eye’s corners at 40° of turn, and move with the eye as a whole', () => {
    const shift = 0.08;
    const m = computeMotion3d(portrait, reference, distorted(40, 0.3, shift), controls(), options);
    const rises = lowerLidRise(m.targetHead, portrait.head);
    console.log(
      `turned 40°: lower lid rise against the corners (share of the gap) ${rises
        .flat()
        .map((r) => r.toFixed(3))
        .join(' ')}`,
    );
    // Before: 0.30 (the driver's rise carried over at full weight).
    for (const r of rises.flat()) expect(Math.abs(r)).toBeLessThanOrEqual(0.05);
    // The whole eye's shift is kept: corners and lower lids move down with it (the eye corners weigh in the head's
    // fit, which takes up a little of the shift: 0.056 cm of 0.08 move; the lower lids 0.043, the lid model's partial
    // closure of the narrowed eye lifting them 0.02 of their gap).
    const lower = EYES.flatMap((e) => [...e.lower0]);
    const moved = [corners, lower].map((points) => meanY(m.targetHead, points) - meanY(portrait.head, points));
    console.log(`eye shift ${shift} cm: corners move ${moved[0].toFixed(3)}, lower lids ${moved[1].toFixed(3)}`);
    for (const v of moved) expect(v).toBeGreaterThan(0.5 * shift);
  });

  it('follow a frontal driver’s lower lids', () => {
    const m = computeMotion3d(portrait, reference, distorted(0, 0.3, 0), controls(), options);
    const rises = lowerLidRise(m.targetHead, portrait.head);
    console.log(
      `frontal: lower lid rise against the corners ${rises
        .flat()
        .map((r) => r.toFixed(3))
        .join(' ')}`,
    );
    // The middle of each lid (where the gap is widest and the rise is a real expression) rises with the driver's.
    for (const eye of rises) for (const r of eye.slice(1, 6)) expect(r).toBeGreaterThan(0.2);
  });
});
