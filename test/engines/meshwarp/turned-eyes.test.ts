/**
 * The near eye of a head the 3-D engine turns towards profile (issue #21): the face tracker must find its outer
 * corner where the engine drew it. On the bundled clip's turned frames (146–165) the tracker put that corner 6–17 px
 * out on the temple, where the folded cheek texture (head-model.ts foldedFace) had brought the end of the eye's own
 * lash line, and the eye's openness read 0.55–0.98 where the driver's read 1.5.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMeshwarpConfig } from '../../../bridge/src/engines/meshwarp/config.js';
import { createMeshwarpEngine, toRendererCoords } from '../../../bridge/src/engines/meshwarp/index.js';
import {
  computeMotion3d,
  motion3dOptions,
  preparePortrait3d,
  prepareReference3d,
} from '../../../bridge/src/engines/meshwarp/motion3d.js';
import { createFaceTracker, type FaceTracker } from '../../../bridge/src/face/index.js';
import { anglesOf, fitHead, rotationOf } from '../../../bridge/src/face/pose.js';
import type { FaceObservation } from '../../../bridge/src/face/types.js';
import { decodeFrames } from '../../../bridge/src/media/decode.js';
import { DRIVING } from '../../helpers/media.js';
import { astronaut, controls, posedFace, toRgb } from './fixtures.js';

const DEG = Math.PI / 180;
const { image, face } = astronaut();
const still: FaceObservation = { ...face, iris: undefined };

/** The portrait's own landmarks turned by `yaw` degrees about its head: a driving face with a known pose. */
function turned(yaw: number): FaceObservation {
  return posedFace(still, rotationOf({ yaw: yaw * DEG, pitch: 0, roll: 0 }));
}

let tracker: FaceTracker;
beforeAll(async () => {
  tracker = await createFaceTracker();
}, 60_000);
afterAll(async () => {
  await tracker.dispose();
});

describe('3-D head turned towards profile: the near eye', () => {
  it('the tracker finds the near eye’s outer corner where the engine drew it (within 4 px at 35° and 40°, 3.5 px on average)', async () => {
    const engine = createMeshwarpEngine();
    await engine.prepare(image, face);
    await engine.setReference({ index: 0, time: 0, face: still, controls: controls() });
    const misses: number[] = [];
    for (const yaw of [35, 40]) {
      const out = await engine.render({ index: 1, time: 0, face: turned(yaw), controls: controls() });
      const drawn = engine.lastMotion?.points;
      if (!drawn) throw new Error('no motion');
      const [seen] = await tracker.detect(toRgb(out.image));
      // Turned towards image right, the image-left eye (outer corner 33) is the near one. The engine's points are in
      // pixel-centre coordinates, the tracker's in pixel-edge ones (index.ts toRendererCoords).
      misses.push(
        Math.hypot(seen.landmarks[33 * 3] - drawn[33 * 3] - 0.5, seen.landmarks[33 * 3 + 1] - drawn[33 * 3 + 1] - 0.5),
      );
    }
    console.log(`near eye's outer corner, tracked − drawn: ${misses.map((m) => m.toFixed(1)).join(', ')} px`);
    // Before: 4.2 and 6.3 px (on the temple, at the end of the folded lash line); after: 2.7 and 3.4.
    for (const m of misses) expect(m).toBeLessThanOrEqual(4);
    expect((misses[0] + misses[1]) / 2).toBeLessThanOrEqual(3.5);
    await engine.dispose();
  }, 60_000);
});

/** The bundled clip's faces over `start`–`end`, as the tracker reads them. */
async function trackedClip(start: number, end: number): Promise<FaceObservation[]> {
  tracker.reset();
  const faces: FaceObservation[] = [];
  let k = start;
  for await (const frame of decodeFrames(DRIVING, { range: { start, end } })) {
    const [seen] = (await tracker.track(frame, k++)).faces;
    if (seen) faces.push(seen);
  }
  return faces;
}

describe('3-D head turned towards profile: the eyes’ shape', () => {
  it('a turned driver’s eye corners do not read as an expression (drawn eye widths within 4 % of the turned head’s)', async () => {
    // Past 35° of turn the tracker's mesh of a real head is not rigid: unposed, the near eye comes out ~20 % wider
    // and the far eye ~20 % narrower than at the reference. Carried over as expression, that drew the far eye taller
    // than wide (gap ÷ width 1.1–1.3), and the tracker read its lids at 0.56–0.65 of the drawn gap (frames 146–165).
    const config = parseMeshwarpConfig({});
    const options = motion3dOptions(config);
    const portrait = preparePortrait3d(toRendererCoords(face), config.cameraDistance, config.depthGain);
    const [neutral] = await trackedClip(235, 235);
    const reference = prepareReference3d(neutral);
    const width = (l: ArrayLike<number>, a: number, b: number): number =>
      Math.hypot(l[a * 3] - l[b * 3], l[a * 3 + 1] - l[b * 3 + 1]);
    const ratios: number[] = [];
    for (const driving of await trackedClip(150, 160)) {
      if (Math.abs(anglesOf(fitHead(driving.landmarks).rotation).yaw) < 30 * DEG) continue;
      const m = computeMotion3d(portrait, reference, driving, controls(), options);
      // Drawn (expression applied) against the same head turned with no expression (`rigid`), per eye.
      for (const [a, b] of [
        [33, 133],
        [263, 362],
      ])
        ratios.push(width(m.points, a, b) / width(m.rigid, a, b));
    }
    console.log(`drawn ÷ turned-head eye widths (near, far): ${ratios.map((r) => r.toFixed(2)).join(' ')}`);
    // Before: near 1.18–1.24, far 0.78–0.81.
    expect(ratios.length).toBeGreaterThanOrEqual(16);
    for (const r of ratios) expect(Math.abs(r - 1)).toBeLessThanOrEqual(0.04);
  }, 60_000);
});
