/**
 * Conforming by motion (issue #20 item 4, acceptance): a 20 fps clip conformed to 30000/1001 renders every output
 * frame from the performance at that frame's own time, so no two consecutive output frames are the same, and the
 * output's tracked motion is as smooth as the driver's; the nearest-frame conform (the old behaviour, kept as an
 * option) repeats frames and judders.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFaceTracker, type FaceObservation, type FaceTracker } from '../../bridge/src/face/index.js';
import { decodeFrames, readImage } from '../../bridge/src/media/decode.js';
import { renderJob } from '../../bridge/src/pipeline/render.js';
import { DRIVING, PORTRAIT, tempDir } from '../helpers/media.js';

const dir = tempDir();
/** 2 s of the sample's talking (20 fps): the head and mouth move in every frame. */
const RANGE = { start: 60, end: 99 };
let tracker: FaceTracker;

/** Per frame: face centre and mouth opening, in face sizes (so a portrait and a performer of other sizes compare). */
function motion(face: FaceObservation): number[] {
  return [face.pose.x / face.pose.scale, face.pose.y / face.pose.scale, face.expression.mouthOpen];
}

/**
 * Frame-to-frame shake of a track: RMS of second differences over RMS of first differences, per channel, averaged.
 * Smooth motion sampled finely is near 0; a frame repeated then a double step (judder) or tracker noise is near 1-2.
 */
function shake(track: number[][]): number {
  const channels = track[0].length;
  let sum = 0;
  for (let c = 0; c < channels; c++) {
    const x = track.map((v) => v[c]);
    const d1 = x.slice(1).map((v, i) => v - x[i]);
    const d2 = d1.slice(1).map((v, i) => v - d1[i]);
    const rms = (a: number[]) => Math.sqrt(a.reduce((s, v) => s + v * v, 0) / a.length);
    sum += rms(d2) / rms(d1);
  }
  return sum / channels;
}

async function trackFrames(frames: AsyncIterable<Parameters<FaceTracker['track']>[0]>): Promise<number[][]> {
  tracker.reset();
  const out: number[][] = [];
  let i = 0;
  for await (const image of frames) {
    const found = await tracker.track(image, i++);
    if (!found.faces.length) throw new Error(`no face tracked in frame ${i - 1}`);
    out.push(motion(found.faces[0]));
  }
  return out;
}

async function* outputFrames(out: string) {
  const frames = path.join(out, 'frames');
  for (const name of readdirSync(frames).sort()) yield readImage(path.join(frames, name), { channels: 3 });
}

const hashes = (out: string) =>
  readdirSync(path.join(out, 'frames'))
    .sort()
    .map((n) =>
      createHash('sha1')
        .update(readFileSync(path.join(out, 'frames', n)))
        .digest('hex'),
    );

beforeAll(async () => {
  tracker = await createFaceTracker();
});
afterAll(async () => {
  await tracker?.dispose();
});

describe('conform 20 fps → 30000/1001', () => {
  const render = (name: string, conform: 'motion' | 'nearest') =>
    renderJob({
      source: PORTRAIT,
      driving: DRIVING,
      output: { dir: path.join(dir, name) },
      range: RANGE,
      fps: '30000/1001',
      conform,
      referenceFrame: 'neutral',
    });

  it('renders every output frame from the performance at its own time: no repeats, as smooth as the driver', async () => {
    const m = await render('motion', 'motion');
    expect(m.frameCount).toBe(60);
    const h = hashes(path.join(dir, 'motion'));
    const repeats = h.filter((x, i) => i > 0 && x === h[i - 1]).length;
    expect(repeats).toBe(0);

    const driver = await trackFrames(
      (async function* () {
        for await (const f of decodeFrames(DRIVING, { range: RANGE, channels: 3 })) yield f;
      })(),
    );
    const output = await trackFrames(outputFrames(path.join(dir, 'motion')));
    const nearest = await render('nearest', 'nearest');
    const hn = hashes(path.join(dir, 'nearest'));
    const nearestOutput = await trackFrames(outputFrames(path.join(dir, 'nearest')));
    const s = { driver: shake(driver), motion: shake(output), nearest: shake(nearestOutput) };
    // Measured here: driver 1.60, motion 1.34, nearest 1.46 (the tracker's own noise keeps every value above 1).
    expect(s.motion).toBeLessThanOrEqual(s.driver);
    // The same render conformed by nearest frame (the old behaviour): every third frame a repeat, and judder that
    // undoes what the smoothed performance gained.
    expect(nearest.frameCount).toBe(60);
    expect(hn.filter((x, i) => i > 0 && x === hn[i - 1]).length).toBe(20);
    expect(s.nearest).toBeGreaterThan(s.motion);
  }, 300_000);
});
