/**
 * A strip of the demo render, for looking at the engine's output by eye (scripts/demo-faces.ts,
 * scripts/profile-frames.ts): the bundled portrait driven by the bundled clip (meshwarp with the given options), the
 * chosen clip frames cropped from the 512² result and set side by side, each pixel repeated `scale` times.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { readImage } from '../bridge/src/media/decode.js';
import { renderJob } from '../bridge/src/pipeline/render.js';

const media = path.resolve(import.meta.dirname, '..', 'test', 'fixtures', 'media');

export interface StripOptions {
  /** Clip frames to show, left to right. */
  frames: number[];
  /** The crop in the 512² portrait: x, y, width, height. */
  crop: [number, number, number, number];
  /** The render's first clip frame (its range ends at the last shown frame). */
  start: number;
  referenceFrame: number | 'neutral';
  /** meshwarp's engine options ({"head": "2d"}…). */
  options: Record<string, unknown>;
  scale?: number;
}

export async function demoStrip(o: StripOptions): Promise<PNG> {
  const scale = o.scale ?? 1;
  const work = mkdtempSync(path.join(tmpdir(), 'reenact-strip-'));
  try {
    const out = path.join(work, 'render');
    await renderJob({
      source: path.join(media, 'portrait-astronaut.png'),
      driving: path.join(media, 'driving-talk.mp4'),
      output: { dir: out },
      referenceFrame: o.referenceFrame,
      range: { start: o.start, end: Math.max(...o.frames) },
      engine: { name: 'meshwarp', options: o.options },
    });
    const [cx, cy, cw, ch] = o.crop;
    const sheet = new PNG({ width: cw * scale * o.frames.length, height: ch * scale });
    for (const [k, f] of o.frames.entries()) {
      const file = path.join(out, 'frames', `frame_${String(f - o.start).padStart(5, '0')}.png`);
      const img = await readImage(file, { channels: 3 });
      for (let y = 0; y < ch * scale; y++) {
        for (let x = 0; x < cw * scale; x++) {
          const i = ((cy + Math.floor(y / scale)) * img.width + cx + Math.floor(x / scale)) * 3;
          const p = (y * sheet.width + k * cw * scale + x) * 4;
          sheet.data.set([img.data[i], img.data[i + 1], img.data[i + 2], 255], p);
        }
      }
    }
    return sheet;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
