/**
 * Eye crops of driver and 3-D output frames side by side (one row per frame: driver eye, output eye, for each eye),
 * the output's commanded eye outline blue, its tracked one green, the driver's tracked one green, from the JSON that
 * roll-trace.ts writes. Crop size and zoom from CW, CH (output px) and CZ (zoom).
 * Usage: npx tsx scripts/eye-crops.ts /tmp/hf /tmp/roll.json 235,293,299 out.png
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';
import { decodeFrames, readImage } from '../bridge/src/media/decode.js';
import type { Image } from '../bridge/src/media/types.js';
import { DRIVING } from '../test/helpers/media.js';

const [dir, json, list, outPng] = process.argv.slice(2);
const frames = list.split(',').map(Number);
const rows = JSON.parse(readFileSync(json, 'utf8')) as ({ k: number; eyePts: number[][] } | null)[];
const drv = new Map<number, Image>();
let i = 0;
for await (const f of decodeFrames(DRIVING)) {
  if (frames.includes(i)) drv.set(i, { ...f, data: Uint8Array.from(f.data) });
  i++;
}
const W = Number(process.env.CW ?? 44);
const H = Number(process.env.CH ?? 24);
const Z = Number(process.env.CZ ?? 7);
const png = new PNG({ width: W * Z * 4, height: H * Z * frames.length });
const N = 16;
function put(
  img: Image,
  col: number,
  row: number,
  pts: [number, number, number, number, number][],
  zoom: number,
): void {
  const cx = pts.reduce((s, p) => s + p[0], 0) / pts.length;
  const cy = pts.reduce((s, p) => s + p[1], 0) / pts.length;
  for (let y = 0; y < H * Z; y++)
    for (let x = 0; x < W * Z; x++) {
      const sx = Math.round(cx + (x / Z - W / 2) * zoom);
      const sy = Math.round(cy + (y / Z - H / 2) * zoom);
      const o = ((row * H * Z + y) * png.width + col * W * Z + x) * 4;
      const inside = sx >= 0 && sy >= 0 && sx < img.width && sy < img.height;
      for (let c = 0; c < 3; c++) png.data[o + c] = inside ? img.data[(sy * img.width + sx) * img.channels + c] : 0;
      png.data[o + 3] = 255;
    }
  const dot = (px: number, py: number, r: number, g: number, b: number) => {
    const x = Math.round(((px - cx) / zoom + W / 2) * Z);
    const y = Math.round(((py - cy) / zoom + H / 2) * Z);
    for (let dy = -1; dy <= 1; dy++)
      for (let dx = -1; dx <= 1; dx++) {
        if (x + dx < 0 || y + dy < 0 || x + dx >= W * Z || y + dy >= H * Z) continue;
        const o = ((row * H * Z + y + dy) * png.width + col * W * Z + x + dx) * 4;
        png.data[o] = r;
        png.data[o + 1] = g;
        png.data[o + 2] = b;
      }
  };
  for (const p of pts) dot(p[0], p[1], p[2], p[3], p[4]);
}
for (const [row, k] of frames.entries()) {
  const r = rows[k];
  if (!r) continue;
  const out = await readImage(path.join(dir, 'frames', `frame_${String(k).padStart(5, '0')}.png`), { channels: 3 });
  const d = drv.get(k) as Image;
  for (let e = 0; e < 2; e++) {
    const P = r.eyePts.slice(e * N, e * N + N);
    const dw = Math.hypot(P[0][4] - P[8][4], P[0][5] - P[8][5]);
    const ow = Math.hypot(P[0][0] - P[8][0], P[0][1] - P[8][1]);
    put(
      d,
      e * 2,
      row,
      P.map((p) => [p[4], p[5], 0, 255, 0]),
      dw / ow,
    );
    put(
      out,
      e * 2 + 1,
      row,
      [
        ...P.map((p) => [p[0], p[1], 0, 80, 255] as [number, number, number, number, number]),
        ...P.map((p) => [p[2], p[3], 0, 255, 0] as [number, number, number, number, number]),
      ],
      1,
    );
  }
}
writeFileSync(outPng, PNG.sync.write(png));
