import { describe, expect, it } from 'vitest';
import { neutralScore, pickReferenceFrame } from '../../../bridge/src/engines/meshwarp/reference.js';
import { closeEyes, openMouth, standInFace } from './fixtures.js';

describe('pickReferenceFrame', () => {
  it('picks the face with the mouth closed and the eyes open, skipping frames without a face', () => {
    const base = standInFace();
    const faces = [null, openMouth(base, 12), closeEyes(base, 0.9), base, openMouth(base, 3), null];
    expect(pickReferenceFrame(faces)).toBe(3);
    expect(neutralScore(openMouth(base, 12))).toBeGreaterThan(neutralScore(openMouth(base, 3)));
    expect(neutralScore(closeEyes(base, 0.9))).toBeGreaterThan(neutralScore(base));
  });
  it('returns −1 without faces and prefers the earlier of equals', () => {
    expect(pickReferenceFrame([null, null])).toBe(-1);
    expect(pickReferenceFrame([])).toBe(-1);
    expect(pickReferenceFrame([standInFace(), standInFace()])).toBe(0);
  });
});
