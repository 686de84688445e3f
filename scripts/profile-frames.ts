/**
 * A strip of the bundled clip's turn to profile (frames 143–214): the demo portrait rendered against reference frame
 * 220 (the clip's most neutral face, as in docs/demo-faces.jpg), cropped wide around the head so what the moved head
 * uncovers shows too, side by side, for looking at the 3-D head's edges. Usage:
 * npx tsx scripts/profile-frames.ts [out.png] ['{"head":"2d"}'] [scale]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { readImage } from '../bridge/src/media/decode.js';
import { renderJob } from '../bridge/src/pipeline/render.js';

const root = path.resolve(import.meta.dirname, '..');
const media = path.join(root, 'test', 'fixtures', 'media');
const target = path.resolve(process.argv[2] ?? 'profile-frames.png');
const options = process.argv[3] ? (JSON.parse(process.argv[3]) as Record<string, unknown>) : {};
const scale = Math.max(1, Math.round(Number(process.argv[4] ?? 1)));
const FRAMES = [143, 155, 167, 179, 191, 203, 214];
/** Crop in the 512² portrait: x, y, width, height (the head and the background either side of it). */
const CROP = [96, 0, 260, 250];

const work = mkdtempSync(path.join(tmpdir(), 'reenact-profile-'));
try {
  const out = path.join(work, 'render');
  await renderJob({
    source: path.join(media, 'portrait-astronaut.png'),
    driving: path.join(media, 'driving-talk.mp4'),
    output: { dir: out },
    referenceFrame: 220,
    range: { start: Math.min(...FRAMES), end: Math.max(...FRAMES) },
    engine: { name: 'meshwarp', options },
  });
  const [cx, cy, cw, ch] = CROP;
  const sheet = new PNG({ width: cw * scale * FRAMES.length, height: ch * scale });
  for (const [k, f] of FRAMES.entries()) {
    const img = await readImage(path.join(out, 'frames', `frame_${String(f - FRAMES[0]).padStart(5, '0')}.png`), {
      channels: 3,
    });
    for (let y = 0; y < ch * scale; y++) {
      for (let x = 0; x < cw * scale; x++) {
        const i = ((cy + Math.floor(y / scale)) * img.width + cx + Math.floor(x / scale)) * 3;
        const o = (y * sheet.width + k * cw * scale + x) * 4;
        sheet.data.set([img.data[i], img.data[i + 1], img.data[i + 2], 255], o);
      }
    }
  }
  writeFileSync(target, PNG.sync.write(sheet));
  console.log(`wrote ${target}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
