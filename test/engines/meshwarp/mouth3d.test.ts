/**
 * The teeth behind the 3-D head's lips: a nod sees them from another angle (nodded down by t, screen-up = y·cos t −
 * z·sin t, so the teeth rise behind the upper lip and above the lower one), and the painted interior shows the
 * portrait's teeth moved by that much against the lips.
 */
import { describe, expect, it } from 'vitest';
import { parseMeshwarpConfig } from '../../../bridge/src/engines/meshwarp/config.js';
import {
  computeMotion3d,
  motion3dOptions,
  preparePortrait3d,
  prepareReference3d,
} from '../../../bridge/src/engines/meshwarp/motion3d.js';
import {
  createMouthScratch,
  NO_PARALLAX,
  prepareMouth,
  renderMouth,
  type TeethParallax,
} from '../../../bridge/src/engines/meshwarp/mouth.js';
import { teethParallax } from '../../../bridge/src/engines/meshwarp/mouth3d.js';
import { rotationOf } from '../../../bridge/src/face/pose.js';
import type { FaceObservation } from '../../../bridge/src/face/types.js';
import { astronaut, controls, openMouth, posedFace } from './fixtures.js';

const DEG = Math.PI / 180;
const { image, face } = astronaut();
const still: FaceObservation = { ...face, iris: undefined };
const config = parseMeshwarpConfig({});

describe('3-D head: the teeth behind the lips', () => {
  it('a nod moves the teeth against each lip by their depth behind it times the sine of the nod', () => {
    const portrait = preparePortrait3d(still, config.cameraDistance, config.depthGain);
    const reference = prepareReference3d(still);
    const H = portrait.head;
    // Upper incisors 1.3 cm behind the upper lip's outer midpoint (landmark 0), the lower ones 0.25 cm further back;
    // seen past the inner lip points 13 and 14.
    const upperDz = H[0 * 3 + 2] + 1.3 - H[13 * 3 + 2];
    const lowerDz = H[0 * 3 + 2] + 1.55 - H[14 * 3 + 2];
    expect(upperDz).toBeGreaterThan(0.3);
    for (const nod of [-20, -10, 10, 20]) {
      const driving = posedFace(still, rotationOf({ yaw: 0, pitch: nod * DEG, roll: 0 }));
      const motion = computeMotion3d(portrait, reference, driving, controls(), motion3dOptions(config));
      const shown = teethParallax(portrait, motion);
      // Nodded down (negative pitch here: the face moves down the image) the teeth rise: they show further into the
      // photo's tooth rows below the upper lip (positive) and further out of the lower lip.
      const rendered = motion.pose.pitch * config.pitchGain;
      const expected = (dz: number): number => -dz * Math.sin(rendered) * portrait.fit.scale;
      expect(Math.sign(shown.upper)).toBe(-Math.sign(nod));
      expect(shown.upper).toBeCloseTo(expected(upperDz), 0);
      expect(Math.abs(shown.upper / expected(upperDz) - 1)).toBeLessThan(0.15);
      expect(Math.abs(shown.lower / expected(lowerDz) - 1)).toBeLessThan(0.15);
    }
  });

  it('the painted interior shows the portrait teeth moved against the lips by that much', () => {
    const pixels = { data: image.data, width: image.width, height: image.height, channels: image.channels };
    const model = prepareMouth(pixels, face.landmarks, config);
    expect(model.sourceTeeth).toBe(true);
    const target = openMouth(face, 8).landmarks;
    const x = Math.round((target[13 * 3] + target[14 * 3]) / 2);
    const y0 = Math.floor(target[13 * 3 + 1]);
    /** The row (sub-pixel) where the upper teeth end: green falls through 150 below the lip. */
    const teethEnd = (parallax: TeethParallax): number => {
      const out = new Uint8Array(image.width * image.height * 4);
      for (let i = 0; i < image.width * image.height; i++) out.set(image.data.subarray(i * 3, i * 3 + 3), i * 4);
      expect(renderMouth(pixels, out, model, target, createMouthScratch(), parallax)).toBeGreaterThan(0);
      const g = (y: number): number => out[(y * image.width + x) * 4 + 1];
      let y = y0;
      while (g(y) < 200) y++; // into the teeth
      while (g(y + 1) >= 150) y++;
      return y + (g(y) - 150) / (g(y) - g(y + 1));
    };
    const at = teethEnd(NO_PARALLAX);
    // Nodded down: the teeth rise 2.5 px behind the upper lip, which hides that much more of them.
    expect(teethEnd({ upper: 2.5, lower: 2.5 })).toBeCloseTo(at - 2.5, 0);
    // Tilted up: they drop below it.
    expect(teethEnd({ upper: -2, lower: -2 })).toBeCloseTo(at + 2, 0);
  });
});
