/**
 * Regenerates docs/demo-faces.jpg: the demo render (bundled portrait and driving clip, most neutral reference
 * frame) cropped to the face at frames 10, 30, 100, 165, 190 (the performer turned away) and 320, side by side.
 * Usage: npx tsx scripts/demo-faces.ts [out.jpg] ['{"head":"2d"}']
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { readImage } from '../bridge/src/media/decode.js';
import { ffmpegPaths } from '../bridge/src/media/locator.js';
import { runProcess } from '../bridge/src/media/run.js';
import { renderJob } from '../bridge/src/pipeline/render.js';

const root = path.resolve(import.meta.dirname, '..');
const media = path.join(root, 'test', 'fixtures', 'media');
const target = path.resolve(process.argv[2] ?? path.join(root, 'docs', 'demo-faces.jpg'));
const options = process.argv[3] ? (JSON.parse(process.argv[3]) as Record<string, unknown>) : {};
const FRAMES = [10, 30, 100, 165, 190, 320];
/** Face crop in the 512² portrait: x, y, width, height. */
const CROP = [124, 10, 200, 220];

const work = mkdtempSync(path.join(tmpdir(), 'reenact-faces-'));
try {
  const out = path.join(work, 'render');
  await renderJob({
    source: path.join(media, 'portrait-astronaut.png'),
    driving: path.join(media, 'driving-talk.mp4'),
    output: { dir: out },
    referenceFrame: 'neutral',
    range: { start: 0, end: Math.max(...FRAMES) },
    engine: { name: 'meshwarp', options },
  });
  const [cx, cy, cw, ch] = CROP;
  const sheet = new PNG({ width: cw * FRAMES.length, height: ch });
  for (const [k, f] of FRAMES.entries()) {
    const img = await readImage(path.join(out, 'frames', `frame_${String(f).padStart(5, '0')}.png`), { channels: 3 });
    for (let y = 0; y < ch; y++) {
      for (let x = 0; x < cw; x++) {
        const i = ((cy + y) * img.width + cx + x) * 3;
        const o = (y * sheet.width + k * cw + x) * 4;
        sheet.data.set([img.data[i], img.data[i + 1], img.data[i + 2], 255], o);
      }
    }
  }
  const png = path.join(work, 'sheet.png');
  writeFileSync(png, PNG.sync.write(sheet));
  await runProcess(ffmpegPaths().ffmpeg, ['-y', '-loglevel', 'error', '-i', png, '-q:v', '3', target]);
  console.log(`wrote ${target}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
