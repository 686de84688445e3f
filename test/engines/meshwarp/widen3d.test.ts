/**
 * How the 3-D head widens an eye (issue #21). A real eye widens by its upper lid rising and rounding over the eyeball:
 * beside the iris the lid goes up, over the iris it stays near the iris's top edge. The portrait's lids rest on their
 * irises, so raising the whole lid by a share of its gap left a band of sclera above the iris, a ring of white all
 * round it (a startled stare the driver's widening, which uncovers his own iris top, does not have).
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
import type { FaceObservation } from '../../../bridge/src/face/types.js';
import { astronaut, controls } from './fixtures.js';

const { face } = astronaut();

/** The portrait's own face with its upper lids raised by `by` of their gap. */
function raisedLids(by: number): FaceObservation {
  const lm = Float32Array.from(face.landmarks);
  for (const eye of EYES) {
    eye.upper0.forEach((u, j) => {
      for (let a = 0; a < 2; a++)
        lm[u * 3 + a] -= by * (face.landmarks[eye.lower0[j] * 3 + a] - face.landmarks[u * 3 + a]);
    });
  }
  return { ...face, landmarks: lm };
}

describe('3-D head: a widening eye', () => {
  it('raises the lid beside the iris and keeps it near the iris top over it', () => {
    const config = parseMeshwarpConfig({});
    const portrait = preparePortrait3d(toRendererCoords(face), config.cameraDistance, config.depthGain);
    const reference = prepareReference3d(face);
    const m = computeMotion3d(portrait, reference, raisedLids(0.4), controls(), motion3dOptions(config));
    const P = portrait.landmarks;
    const iris = portrait.iris;
    if (!iris) throw new Error('the fixture has iris points');
    expect(m.eyeWiden[0]).toBeGreaterThan(0.4);
    expect(m.eyeWiden[1]).toBeGreaterThan(0.4);
    EYES.forEach((eye, e) => {
      const [cx, cy] = [iris[e * 15], iris[e * 15 + 1]];
      const r = [1, 2, 3, 4].reduce(
        (s, k) => s + Math.hypot(iris[e * 15 + k * 3] - cx, iris[e * 15 + k * 3 + 1] - cy) / 4,
        0,
      );
      eye.upper0.forEach((u, j) => {
        const dx = P[u * 3] - cx;
        const gap = P[eye.lower0[j] * 3 + 1] - P[u * 3 + 1];
        const rise = P[u * 3 + 1] - m.points[u * 3 + 1];
        const what = `eye ${e} lid point ${j} (${dx.toFixed(1)} px from the iris centre)`;
        expect(rise, what).toBeGreaterThan(-0.05);
        if (Math.abs(dx) < 0.75 * r) {
          // Over the iris: at most a sliver of sclera above it (the whole-lid raise put 3.4 px, 0.9 r, there).
          expect(cy - r - m.points[u * 3 + 1], what).toBeLessThan(0.55 * r);
        } else if (Math.abs(dx) > 1.1 * r && Math.abs(dx) < 2 * r) {
          // Beside the iris the lid rises: the eye opens rounder and wider there.
          expect(rise, what).toBeGreaterThan(0.15 * gap);
        }
        // The lower lid drops a little, far less than the upper one rises beside the iris.
        const l = eye.lower0[j];
        const drop = m.points[l * 3 + 1] - P[l * 3 + 1];
        if (j > 0 && j < 6) {
          expect(drop, `eye ${e} lower lid point ${j}`).toBeGreaterThan(0.02 * gap);
          expect(drop, `eye ${e} lower lid point ${j}`).toBeLessThan(0.1 * gap);
        }
      });
    });
  });
});
