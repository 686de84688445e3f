import { describe, expect, it } from 'vitest';
import { mostNeutralFrame, neutralScore } from '../../bridge/src/face/neutral.js';
import type { FaceObservation } from '../../bridge/src/face/types.js';
import { closeEyes, openMouth, standInFace } from '../engines/meshwarp/fixtures.js';

const pick = (faces: (FaceObservation | null)[]) => mostNeutralFrame((i) => faces[i], 0, faces.length - 1);

describe('mostNeutralFrame', () => {
  it('picks the face with the mouth closed and the eyes open, skipping frames without a face', () => {
    const base = standInFace();
    const faces = [null, openMouth(base, 12), closeEyes(base, 0.9), base, openMouth(base, 3), null];
    expect(pick(faces)).toBe(3);
    expect(neutralScore(openMouth(base, 12))).toBeGreaterThan(neutralScore(openMouth(base, 3)));
    expect(neutralScore(closeEyes(base, 0.9))).toBeGreaterThan(neutralScore(base));
  });

  it('returns −1 without faces and prefers the earlier of equals', () => {
    expect(pick([null, null])).toBe(-1);
    expect(pick([])).toBe(-1);
    expect(pick([standInFace(), standInFace()])).toBe(0);
  });

  it('reads only frames start…end', () => {
    const base = standInFace();
    const faces = [base, openMouth(base, 6), openMouth(base, 9), base];
    expect(mostNeutralFrame((i) => faces[i], 1, 2)).toBe(1);
  });
});
