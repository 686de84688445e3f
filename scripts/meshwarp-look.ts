/**
 * Writes preview PNGs of the meshwarp engine on the astronaut portrait (neutral, mouth open, blink, half
 * blink, roll + shift, gaze left), 3× crops plus 5× close-ups of the mouth and eyes, to /tmp/mw-*.png,
 * so a person can look at what the engine does. Usage: npx tsx scripts/meshwarp-look.ts ['{"teeth":"synthetic"}']
 */
import { writeFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import { createMeshwarpEngine } from '../bridge/src/engines/meshwarp/index.js';
import type { Image } from '../bridge/src/media/types.js';
import { astronaut, closeEyes, controls, moveHead, openMouth } from '../test/engines/meshwarp/fixtures.js';

function save(file: string, img: Image, crop?: [number, number, number, number], scale = 1, flatten = false) {
  const [x0, y0, w, h] = crop ?? [0, 0, img.width, img.height];
  const png = new PNG({ width: w * scale, height: h * scale });
  for (let y = 0; y < h * scale; y++)
    for (let x = 0; x < w * scale; x++) {
      const sx = x0 + Math.floor(x / scale),
        sy = y0 + Math.floor(y / scale);
      const i = (sy * img.width + sx) * img.channels,
        o = (y * w * scale + x) * 4;
      for (let c = 0; c < 3; c++) png.data[o + c] = img.data[i + c];
      png.data[o + 3] = flatten || img.channels === 3 ? 255 : img.data[i + 3];
    }
  writeFileSync(file, PNG.sync.write(png));
}
const { image, face } = astronaut();
const eng = createMeshwarpEngine(process.argv[2] ? JSON.parse(process.argv[2]) : {});
await eng.prepare(image, face);
await eng.setReference({ index: 0, time: 0, face, controls: controls() });
const cases: [string, ReturnType<typeof astronaut>['face'], Partial<ReturnType<typeof controls>>][] = [
  ['neutral', face, {}],
  ['mouth', openMouth(face, 14), {}],
  ['blink', closeEyes(face, 0.85), {}],
  ['halfblink', closeEyes(face, 0.45), {}],
  ['roll', moveHead(face, 10, 6, 3), {}],
  ['gaze', face, { gazeLeft: [-0.25, 0], gazeRight: [-0.25, 0] }],
];
const crop: [number, number, number, number] = [150, 40, 150, 170];
for (const [name, f, c] of cases) {
  const t = performance.now();
  const r = await eng.render({ index: 1, time: 0, face: f, controls: controls(c) });
  console.log(name, (performance.now() - t).toFixed(1), 'ms', r.warnings ?? '');
  save(`/tmp/mw-${name}.png`, r.image, crop, 3, true);
  save(
    `/tmp/mw-${name}-alpha.png`,
    { ...r.image, data: r.image.data.map((_v, i) => (i % 4 === 3 ? 255 : r.image.data[i - (i % 4) + 3])) },
    crop,
    1,
  );
}
// Close-ups (4×) of the mouth and the eyes.
for (const [name, f, c] of cases) {
  const r = await eng.render({ index: 1, time: 0, face: f, controls: controls(c) });
  save(`/tmp/mw-${name}-mouthzoom.png`, r.image, [190, 125, 70, 45], 5, true);
  save(`/tmp/mw-${name}-eyezoom.png`, r.image, [180, 85, 95, 30], 5, true);
}
