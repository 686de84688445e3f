/**
 * Regenerates docs/demo-faces.jpg: the demo render (bundled portrait and driving clip, most neutral reference
 * frame) cropped to the face at frames 10, 30, 100, 165, 190 (the performer turned away) and 320, side by side.
 * Usage: npx tsx scripts/demo-faces.ts [out.jpg] ['{"head":"2d"}']
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { ffmpegPaths } from '../bridge/src/media/locator.js';
import { runProcess } from '../bridge/src/media/run.js';
import { demoStrip } from './strip.js';

const root = path.resolve(import.meta.dirname, '..');
const target = path.resolve(process.argv[2] ?? path.join(root, 'docs', 'demo-faces.jpg'));
const options = process.argv[3] ? (JSON.parse(process.argv[3]) as Record<string, unknown>) : {};

const sheet = await demoStrip({
  frames: [10, 30, 100, 165, 190, 320],
  // The face.
  crop: [124, 10, 200, 220],
  start: 0,
  referenceFrame: 'neutral',
  options,
});
const work = mkdtempSync(path.join(tmpdir(), 'reenact-faces-'));
try {
  const png = path.join(work, 'sheet.png');
  writeFileSync(png, PNG.sync.write(sheet));
  await runProcess(ffmpegPaths().ffmpeg, ['-y', '-loglevel', 'error', '-i', png, '-q:v', '3', target]);
  console.log(`wrote ${target}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
