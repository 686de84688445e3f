/**
 * The 3-D head's pose transfer (issue #21): the tracker reads yaw, pitch and roll as angles, and the driving clip's
 * head pose is compared with the output's angle by angle, each relative to its reference frame. So the portrait,
 * posed as it is in the photo, must change each angle as the driver's changed, even when the driver's reference is
 * posed differently from the portrait.
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
import { anglesOf, fitHead, type HeadAngles, mul3, rotationOf } from '../../../bridge/src/face/pose.js';
import type { FaceObservation } from '../../../bridge/src/face/types.js';
import { astronaut, controls, posedFace } from './fixtures.js';

const DEG = Math.PI / 180;
const { face } = astronaut();
const still: FaceObservation = { ...face, iris: undefined };

/** The portrait's own face turned by `by` (degrees) about the camera's axes after `first`. */
function turned(first: HeadAngles, by: HeadAngles): FaceObservation {
  const rad = (a: HeadAngles): HeadAngles => ({ yaw: a.yaw * DEG, pitch: a.pitch * DEG, roll: a.roll * DEG });
  return posedFace(still, mul3(rotationOf(rad(by)), rotationOf(rad(first))));
}

describe('3-D head: pose transfer', () => {
  it('each angle changes as the driver’s did, when the driver’s reference is posed unlike the portrait', () => {
    const config = parseMeshwarpConfig({});
    const options = motion3dOptions(config);
    const portrait = preparePortrait3d(toRendererCoords(still), config.cameraDistance, config.depthGain);
    const own = anglesOf(portrait.fit.rotation);
    // A driver whose reference frame is turned 15° and tilted 5° from the portrait's pose; it nods by 15°, turns by
    // 20°, or both.
    const refPose = { yaw: -15, pitch: 0, roll: 5 };
    const reference = prepareReference3d(turned(refPose, { yaw: 0, pitch: 0, roll: 0 }));
    const aRef = anglesOf(reference.fit.rotation);
    const misses: string[] = [];
    for (const by of [
      { yaw: 0, pitch: 15, roll: 0 },
      { yaw: 20, pitch: 0, roll: 0 },
      { yaw: 20, pitch: -10, roll: 0 },
    ]) {
      const driving = turned(refPose, by);
      const aD = anglesOf(fitHead(driving.landmarks).rotation);
      const m = computeMotion3d(portrait, reference, driving, controls(), options);
      const got = anglesOf(m.transform.rotation);
      const want: HeadAngles = {
        yaw: aD.yaw - aRef.yaw,
        pitch: (aD.pitch - aRef.pitch) * config.pitchGain,
        roll: aD.roll - aRef.roll,
      };
      for (const k of ['yaw', 'pitch', 'roll'] as const) {
        const diff = (got[k] - own[k] - want[k]) / DEG;
        if (Math.abs(diff) > 0.1) misses.push(`${JSON.stringify(by)} ${k}: ${diff.toFixed(2)}° off`);
      }
    }
    // Before: the rotation between the two driving poses was applied about the camera's axes; the nod came out 4.2°
    // off in roll, the turn 1.4° off in pitch, both together 2.0° off in pitch and 2.1° in roll.
    expect(misses).toEqual([]);
  });
});
