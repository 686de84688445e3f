/**
 * A strip of the bundled clip's turn to profile (frames 143–214): the demo portrait rendered against reference frame
 * 220 (a frontal face with the mouth closed; fixed, so that strips made by different versions compare, although the
 * neutral-frame search now picks 235), cropped wide around the head so what the moved head uncovers shows too, side
 * by side, for looking at the 3-D head's edges. Usage:
 * npx tsx scripts/profile-frames.ts [out.png] ['{"head":"2d"}'] [scale]
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';
import { demoStrip } from './strip.js';

const target = path.resolve(process.argv[2] ?? 'profile-frames.png');
const options = process.argv[3] ? (JSON.parse(process.argv[3]) as Record<string, unknown>) : {};
const scale = Math.max(1, Math.round(Number(process.argv[4] ?? 1)));

const sheet = await demoStrip({
  frames: [143, 155, 167, 179, 191, 203, 214],
  // The head and the background either side of it.
  crop: [96, 0, 260, 250],
  start: 143,
  referenceFrame: 220,
  options,
  scale,
});
writeFileSync(target, PNG.sync.write(sheet));
console.log(`wrote ${target}`);
