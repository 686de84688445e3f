/**
 * Writes test/fixtures/landmarks/astronaut.json: the tracker's landmarks for the bundled portrait, so engine tests
 * (meshwarp) can use real landmarks without running the face models. Re-run after tracker changes:
 *   node --import tsx scripts/make-landmarks-fixture.ts
 */
import fs from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';
import { createFaceTracker } from '../bridge/src/face/index.js';

const root = path.resolve(import.meta.dirname, '..');
const source = 'test/fixtures/media/portrait-astronaut.png';
const png = PNG.sync.read(fs.readFileSync(path.join(root, source)));
const image = { data: new Uint8Array(png.data), width: png.width, height: png.height, channels: 4 as const };

const tracker = await createFaceTracker();
const [face] = await tracker.detect(image);
await tracker.dispose();
if (!face) throw new Error(`No face found in ${source}`);

const r3 = (v: number) => Math.round(v * 1000) / 1000;
const triples = (a: Float32Array) =>
  Array.from({ length: a.length / 3 }, (_, i) => [r3(a[3 * i]), r3(a[3 * i + 1]), r3(a[3 * i + 2])]);
const fixture = {
  source,
  width: image.width,
  height: image.height,
  producedBy: 'scripts/make-landmarks-fixture.ts (createFaceTracker().detect, models from @vladmandic/human 3.3.6)',
  coordinates: 'image pixels, x right, y down; pixel (i, j) has its centre at (i + 0.5, j + 0.5); z is depth in px',
  score: r3(face.score),
  box: { x: r3(face.box.x), y: r3(face.box.y), width: r3(face.box.width), height: r3(face.box.height) },
  pose: Object.fromEntries(Object.entries(face.pose).map(([k, v]) => [k, r3(v)])),
  expression: Object.fromEntries(Object.entries(face.expression).map(([k, v]) => [k, r3(v)])),
  landmarks: triples(face.landmarks),
  iris: face.iris ? triples(face.iris) : null,
};
const out = path.join(root, 'test/fixtures/landmarks/astronaut.json');
fs.writeFileSync(out, `${JSON.stringify(fixture)}\n`);
console.log(`wrote ${out}: ${fixture.landmarks.length} landmarks, box ${JSON.stringify(fixture.box)}`);
