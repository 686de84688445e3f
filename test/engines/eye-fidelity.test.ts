/**
 * Eye openness on a real clip (issue #21): a frontal section of the bundled driving clip in which the performer
 * widens his eyes, then squints laughing (frames 285–344), is rendered onto the portrait by the 3-D head through the
 * real pipeline, and the output is tracked with the same tracker as the driver. Its eye openness must follow the
 * driver's with r ≥ 0.85 and amplitude ≥ 0.8. Full-clip figures: bench/RESULTS.md.
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeFrames } from '../../bridge/src/media/decode.js';
import { renderJob } from '../../bridge/src/pipeline/render.js';
import type { Manifest } from '../../bridge/src/pipeline/spec.js';
import { compareMotion, renderedFrames, type Sample, trackSamples } from '../helpers/fidelity.js';
import { DRIVING, PORTRAIT, tempDir } from '../helpers/media.js';

const RANGE = { start: 285, end: 344 };
/** A frame of the section with open, relaxed eyes (openness within 5 % of the clip's most neutral frame, 235). */
const REFERENCE = 310;
const dir = tempDir();

let driver: (Sample | null)[];
let output: (Sample | null)[];
let manifest: Manifest;
beforeAll(async () => {
  driver = await trackSamples(decodeFrames(DRIVING, { range: RANGE }));
  const out = path.join(dir, '3d');
  manifest = await renderJob({
    source: PORTRAIT,
    driving: DRIVING,
    output: { dir: out },
    range: RANGE,
    referenceFrame: REFERENCE,
    engine: { name: 'meshwarp' },
  });
  output = await trackSamples(renderedFrames(out, manifest));
}, 300_000);

describe('eye openness on the real driving clip (frames 285–344)', () => {
  it('follows the driver’s widening and squinting with r ≥ 0.85 and amplitude ≥ 0.8', () => {
    const f = compareMotion(
      driver,
      output,
      REFERENCE - RANGE.start,
      driver.map((_, i) => i),
    );
    console.log(`3-D head ${f.frames} frames: eyes r ${f.eyes.r.toFixed(2)} amp ${f.eyes.amplitude.toFixed(2)}`);
    expect(manifest.frames.every((m) => m.status === 'rendered')).toBe(true);
    expect(f.frames).toBeGreaterThan(55);
    expect(f.eyes.r).toBeGreaterThanOrEqual(0.85);
    expect(f.eyes.amplitude).toBeGreaterThanOrEqual(0.8);
  });
});
