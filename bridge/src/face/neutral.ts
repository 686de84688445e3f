/**
 * Choosing the neutral driving frame. Motion is measured relative to a reference frame, so a reference caught
 * mid-laugh makes every later laugh look like a closed mouth (the bundled driving clip opens on a laugh). This scores
 * how neutral a tracked face is (mouth closed, eyes open, facing the camera) so a render can take "the most neutral
 * frame" instead of "the first frame with a face" (--ref-frame neutral).
 */
import { EYE_GAPS, eyeOpenness, headYawPitch } from './measure.js';
import type { FaceObservation } from './types.js';

/** What the score reads from a face: its 468 × (x, y, z) landmarks. */
type Face = Pick<FaceObservation, 'landmarks'>;

/** Lower is more neutral: mouth gap/width + turn away from the camera + eyes less open than ~0.25. */
export function neutralScore(face: Face): number {
  const lm = face.landmarks;
  const mouthWidth = Math.hypot(lm[308 * 3] - lm[78 * 3], lm[308 * 3 + 1] - lm[78 * 3 + 1]) || 1;
  const gap = Math.hypot(lm[14 * 3] - lm[13 * 3], lm[14 * 3 + 1] - lm[13 * 3 + 1]);
  const { yaw, pitch } = headYawPitch(lm);
  const eyes = (eyeOpenness(lm, EYE_GAPS[0]) + eyeOpenness(lm, EYE_GAPS[1])) / 2;
  return 3 * (gap / mouthWidth) + Math.abs(yaw) + 0.5 * Math.abs(pitch) + 2 * Math.max(0, 0.25 - eyes);
}

/**
 * The most neutral face among frames [start, end] of a track read one face at a time (`at(i)`, null for a frame
 * without a face), or −1 when there is none. Ties go to the earlier frame. O(frames).
 * @example mostNeutralFrame((i) => faces[i], 0, faces.length - 1)
 */
export function mostNeutralFrame(at: (i: number) => Face | null, start: number, end: number): number {
  let best = -1;
  let bestScore = Number.POSITIVE_INFINITY;
  for (let i = start; i <= end; i++) {
    const f = at(i);
    if (!f) continue;
    const s = neutralScore(f);
    if (s < bestScore) {
      bestScore = s;
      best = i;
    }
  }
  return best;
}
