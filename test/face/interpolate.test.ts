/** Faces between two tracked frames (conform by motion): points, angles on the shorter arc, size geometrically. */
import { describe, expect, it } from 'vitest';
import { interpolateFace, lerpAngle, lerpPose } from '../../bridge/src/face/interpolate.js';
import { expression, headPose, landmarksBox } from '../../bridge/src/face/measure.js';
import type { FaceObservation } from '../../bridge/src/face/types.js';
import { astronautLandmarks } from '../helpers/synth.js';

/** The astronaut's 468 landmarks moved by (dx, dy) and scaled by s about the origin. */
function face(id: number, dx: number, dy: number, s = 1, score = 0.9): FaceObservation {
  const landmarks = Float32Array.from(astronautLandmarks().flatMap(([x, y, z]) => [x * s + dx, y * s + dy, z * s]));
  const iris = Float32Array.from({ length: 30 }, (_, i) =>
    i % 3 === 0 ? 100 * s + dx : i % 3 === 1 ? 80 * s + dy : 0,
  );
  return {
    id,
    score,
    box: landmarksBox(landmarks),
    landmarks,
    iris,
    pose: headPose(landmarks),
    expression: expression(landmarks, iris),
  };
}

describe('interpolateFace', () => {
  it('moves every point linearly and measures box and expression again', () => {
    const a = face(0, 0, 0);
    const b = face(0, 10, -4);
    const m = interpolateFace(a, b, 0.25)!;
    for (let i = 0; i < a.landmarks.length; i += 3) {
      expect(m.landmarks[i]).toBeCloseTo(a.landmarks[i] + 2.5, 4);
      expect(m.landmarks[i + 1]).toBeCloseTo(a.landmarks[i + 1] - 1, 4);
    }
    expect(m.iris![0]).toBeCloseTo(102.5, 4);
    expect(m.box.x).toBeCloseTo(a.box.x + 2.5, 3);
    expect(m.score).toBeCloseTo(0.9, 6);
    expect(m.expression).toEqual(expression(m.landmarks, m.iris));
    expect(m.pose.x).toBeCloseTo(a.pose.x + 2.5, 3);
  });

  it('grows the face geometrically', () => {
    const m = interpolateFace(face(0, 0, 0, 1), face(0, 0, 0, 4), 0.5)!;
    expect(m.pose.scale / face(0, 0, 0, 1).pose.scale).toBeCloseTo(2, 5);
  });

  it('takes the nearer frame when the other has no face or another person', () => {
    const a = face(0, 0, 0);
    const b = face(1, 10, 0);
    expect(interpolateFace(a, null, 0.4)).toBe(a);
    expect(interpolateFace(a, null, 0.6)).toBeNull();
    expect(interpolateFace(null, b, 0.6)).toBe(b);
    expect(interpolateFace(a, b, 0.3)).toBe(a);
    expect(interpolateFace(a, b, 0.7)).toBe(b);
    expect(interpolateFace(a, face(0, 1, 0), 0)).toBe(a);
  });
});

describe('pose angles', () => {
  it('go the shorter way round', () => {
    expect(Math.abs(lerpAngle(3.1, -3.1, 0.5))).toBeCloseTo(Math.PI, 6);
    expect(lerpAngle(0.2, 0.6, 0.25)).toBeCloseTo(0.3, 9);
    expect(Math.abs(lerpAngle(-3, 3, 0.5))).toBeCloseTo(Math.PI, 6);
    const p = lerpPose(
      { roll: 3.0, yaw: 0, pitch: 0.1, scale: 50, x: 0, y: 0 },
      { roll: -3.0, yaw: 0.2, pitch: 0.3, scale: 200, x: 10, y: 20 },
      0.5,
    );
    expect(Math.abs(p.roll)).toBeCloseTo(Math.PI, 6);
    expect(p).toMatchObject({ yaw: expect.closeTo(0.1, 9), pitch: expect.closeTo(0.2, 9), x: 5, y: 10 });
    expect(p.scale).toBeCloseTo(100, 9);
  });
});
