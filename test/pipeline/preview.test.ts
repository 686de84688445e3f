import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeFrames } from '../../bridge/src/media/decode.js';
import { writePng } from '../../bridge/src/media/encode.js';
import { probe } from '../../bridge/src/media/probe.js';
import type { Image } from '../../bridge/src/media/types.js';
import { writeSideBySide } from '../../bridge/src/pipeline/preview.js';
import { makeIndexedClip, tempDir } from '../helpers/media.js';

const dir = tempDir('reenact-preview-');

function solid(width: number, height: number, rgba: number[]): Image {
  const data = new Uint8Array(width * height * rgba.length);
  for (let i = 0; i < data.length; i++) data[i] = rgba[i % rgba.length];
  return { data, width, height, channels: rgba.length as 3 | 4 };
}

describe('side-by-side preview', () => {
  it('shows the result as the comp does: over the portrait, RGB under alpha 0 never shows', async () => {
    const w = 64;
    const h = 48;
    const driving = await makeIndexedClip(path.join(dir, 'driving.mkv'), 3, '25', `${w}x${h}`);
    const portrait = path.join(dir, 'portrait.png');
    await writePng(portrait, solid(w, h, [20, 200, 40]));
    // Frames like the neural engine's: left half transparent over red (unblended RGB), right half opaque blue.
    mkdirSync(path.join(dir, 'frames'));
    const frame = solid(w, h, [255, 0, 0, 0]);
    for (let y = 0; y < h; y++) for (let x = w / 2; x < w; x++) frame.data.set([0, 0, 255, 255], (y * w + x) * 4);
    for (let k = 0; k < 3; k++)
      await writePng(path.join(dir, 'frames', `frame_${String(k).padStart(5, '0')}.png`), frame);
    const file = path.join(dir, 'preview.mp4');
    await writeSideBySide({
      driving,
      portrait,
      range: { start: 0, end: 2 },
      result: path.join(dir, 'frames', 'frame_%05d.png'),
      resultIsSequence: true,
      fps: { num: 25, den: 1 },
      height: h,
      file,
    });
    const info = await probe(file);
    expect(info.frameCount).toBe(3);
    for await (const f of decodeFrames(file, { info, range: { start: 1, end: 1 }, channels: 3 })) {
      const px = (x: number, y: number) => Array.from(f.data.slice((y * f.width + x) * 3, (y * f.width + x) * 3 + 3));
      const near = (got: number[], want: number[]) => got.every((v, i) => Math.abs(v - want[i]) <= 24);
      // The right half of the preview is the result: portrait green where the frame is transparent, blue where opaque.
      expect(near(px(w + 8, h / 2), [20, 200, 40]), `transparent area ${px(w + 8, h / 2)}`).toBe(true);
      expect(near(px(w + w - 8, h / 2), [0, 0, 255]), `opaque area ${px(w + w - 8, h / 2)}`).toBe(true);
    }
  });
});
