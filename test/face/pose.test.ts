/**
 * Head pose by weighted Procrustes against the canonical face: a posed canonical face gives back its pose exactly,
 * the angles round-trip, unposing gives back the face, and an open mouth does not read as a nod.
 */
import { describe, expect, it } from 'vitest';
import { anglesOf, CANONICAL_HEAD, fitHead, headAngles, unpose } from '../../bridge/src/face/pose.js';
import { posedCanonicalFace } from '../helpers/canonical-face.js';

const DEG = Math.PI / 180;

describe('head pose (weighted Procrustes)', () => {
  it('recovers the rotation, scale and translation of a posed canonical face', () => {
    for (const angles of [
      { yaw: 0, pitch: 0, roll: 0 },
      { yaw: 40 * DEG, pitch: -20 * DEG, roll: 10 * DEG },
      { yaw: -55 * DEG, pitch: 25 * DEG, roll: -30 * DEG },
    ]) {
      const fit = fitHead(posedCanonicalFace(angles, 7.5, [300, 200, 40]));
      const got = anglesOf(fit.rotation);
      expect(got.yaw).toBeCloseTo(angles.yaw, 5);
      expect(got.pitch).toBeCloseTo(angles.pitch, 5);
      expect(got.roll).toBeCloseTo(angles.roll, 5);
      expect(fit.scale).toBeCloseTo(7.5, 4);
      expect(fit.translation[0]).toBeCloseTo(300, 2);
      expect(fit.translation[1]).toBeCloseTo(200, 2);
    }
  });

  it('signs: a face turned towards image right has yaw > 0, tilted up has pitch > 0, turned clockwise roll > 0', () => {
    const nose = (lm: Float32Array) => [lm[4 * 3], lm[4 * 3 + 1]];
    const front = posedCanonicalFace({ yaw: 0, pitch: 0, roll: 0 }, 5, [0, 0, 0]);
    expect(nose(posedCanonicalFace({ yaw: 0.3, pitch: 0, roll: 0 }, 5, [0, 0, 0]))[0]).toBeGreaterThan(nose(front)[0]);
    expect(nose(posedCanonicalFace({ yaw: 0, pitch: 0.3, roll: 0 }, 5, [0, 0, 0]))[1]).toBeLessThan(nose(front)[1]);
    const eyes = posedCanonicalFace({ yaw: 0, pitch: 0, roll: 0.3 }, 5, [0, 0, 0]);
    expect(eyes[263 * 3 + 1]).toBeGreaterThan(eyes[33 * 3 + 1]); // the image-right eye drops: clockwise
    expect(headAngles(posedCanonicalFace({ yaw: 0.3, pitch: 0, roll: 0 }, 5, [0, 0, 0])).yaw).toBeCloseTo(0.3, 5);
  });

  it('unposes a posed face back to the canonical one', () => {
    const lm = posedCanonicalFace({ yaw: 0.4, pitch: 0.2, roll: -0.1 }, 6, [120, 80, 10]);
    const head = unpose(lm, fitHead(lm));
    for (let i = 0; i < 468 * 3; i++) expect(head[i]).toBeCloseTo(CANONICAL_HEAD[i], 3);
  });

  it('an open mouth (lower lip, chin and jaw dropped 2 cm) does not read as a nod', () => {
    const lm = posedCanonicalFace({ yaw: 0, pitch: 0, roll: 0 }, 6, [0, 0, 0]);
    for (let i = 0; i < 468; i++) if (CANONICAL_HEAD[i * 3 + 1] > 4.5) lm[i * 3 + 1] += 12; // below the lips
    const { pitch } = headAngles(lm);
    expect(Math.abs(pitch)).toBeLessThan(0.5 * DEG);
  });
});
