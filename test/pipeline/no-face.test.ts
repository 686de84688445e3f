/**
 * Frames without a face in the driving clip are reported, never fatal, and follow the policy: the neutral portrait
 * (onFrameFailure "neutral") or the last good frame held ("hold"); "fail" stops with a clear message.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readImage } from '../../bridge/src/media/decode.js';
import type { Image } from '../../bridge/src/media/types.js';
import { renderJob } from '../../bridge/src/pipeline/render.js';
import { PORTRAIT, tempDir } from '../helpers/media.js';
import { astronautLandmarks, knownMotionFrame, scriptedMotion, writeClip } from '../helpers/synth.js';

const dir = tempDir();
const driving = path.join(dir, 'face-gone.mp4');
let portrait: Image;

const framePath = (out: string, i: number) => path.join(out, 'frames', `frame_${String(i).padStart(5, '0')}.png`);
const hash = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

beforeAll(async () => {
  portrait = await readImage(PORTRAIT, { channels: 3 });
  const lm = astronautLandmarks();
  const motion = scriptedMotion(14);
  const grey: Image = { data: new Uint8Array(512 * 512 * 3).fill(110), width: 512, height: 512, channels: 3 };
  // Frames 0–5 face, 6–9 empty grey (the performer left), 10–13 face again.
  const frames = motion.map((m, i) => (i >= 6 && i <= 9 ? grey : knownMotionFrame(portrait, lm, m)));
  await writeClip(driving, frames);
}, 120_000);

describe('driving frames without a face', () => {
  it('shows the neutral portrait with policy "neutral" and reports the frames', async () => {
    const out = path.join(dir, 'neutral');
    const warnings: string[] = [];
    const m = await renderJob(
      { source: PORTRAIT, driving, output: { dir: out }, onFrameFailure: 'neutral' },
      { onEvent: (e) => e.type === 'warning' && warnings.push(e.message) },
    );
    expect(m.frames.map((f) => f.status)).toEqual([
      ...Array(6).fill('rendered'),
      ...Array(4).fill('no-face'),
      ...Array(4).fill('rendered'),
    ]);
    expect(warnings).toContain('No face in 4 output frames 6–9 (clip frames 6–9): they show the neutral portrait.');
    const img = await readImage(framePath(out, 7), { channels: 4 });
    for (let p = 0, q = 0; p < img.data.length; p += 4, q += 3) {
      if (img.data[p + 3] !== 0 || img.data[p] !== portrait.data[q] || img.data[p + 2] !== portrait.data[q + 2]) {
        throw new Error(`neutral frame differs from the portrait at pixel ${q / 3}`);
      }
    }
  });

  it('holds the last good frame with policy "hold"', async () => {
    const out = path.join(dir, 'hold');
    const m = await renderJob({ source: PORTRAIT, driving, output: { dir: out }, onFrameFailure: 'hold' });
    expect(m.frames.slice(6, 10).map((f) => f.status)).toEqual(['held', 'held', 'held', 'held']);
    for (const i of [6, 7, 8, 9]) expect(hash(framePath(out, i))).toBe(hash(framePath(out, 5)));
    expect(m.warnings).toContain('No face in 4 output frames 6–9 (clip frames 6–9): they hold the last good frame.');
  });

  it('stops with a clear message with policy "fail"', async () => {
    await expect(
      renderJob({ source: PORTRAIT, driving, output: { dir: path.join(dir, 'fail') }, onFrameFailure: 'fail' }),
    ).rejects.toThrow(
      `No face in clip frame 6 (${driving}). Use --on-frame-failure hold to hold the last good frame instead.`,
    );
  });
});
