/**
 * Known-motion driving clips built from a real photo (the public-domain astronaut portrait): per frame the photo is
 * rotated, translated and scaled about the face, and the jaw drops by a scripted amount (lower lip and chin move
 * down; the gap is filled dark like a mouth interior). The commanded values are returned as ground truth.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Image } from '../../bridge/src/media/types.js';
import { rational } from '../../bridge/src/util/rational.js';
import { encodeRawClip, FIXTURES } from './media.js';

export interface KnownMotion {
  /** Radians, clockwise on screen. */
  roll: number;
  tx: number;
  ty: number;
  scale: number;
  /** Jaw drop in pixels. */
  mouth: number;
}

/** Decorrelated motion curves (different periods), frame 0 neutral. */
export function scriptedMotion(frames: number): KnownMotion[] {
  return Array.from({ length: frames }, (_, k) => ({
    roll: 0.12 * Math.sin((2 * Math.PI * k) / 29),
    tx: 10 * Math.sin((2 * Math.PI * k) / 23),
    ty: 6 * Math.sin((2 * Math.PI * k) / 37 + 1),
    scale: 1 + 0.04 * Math.sin((2 * Math.PI * k) / 41),
    mouth: 12 * Math.max(0, Math.sin((2 * Math.PI * k) / 17)),
  }));
}

interface Landmarks {
  landmarks: number[][];
}

export function astronautLandmarks(): number[][] {
  return (JSON.parse(readFileSync(path.join(FIXTURES, 'landmarks', 'astronaut.json'), 'utf8')) as Landmarks).landmarks;
}

function sample(src: Image, x: number, y: number, out: Uint8Array, o: number): void {
  const { width: w, height: h, data, channels: c } = src;
  const xc = Math.min(w - 1.001, Math.max(0, x));
  const yc = Math.min(h - 1.001, Math.max(0, y));
  const x0 = Math.floor(xc);
  const y0 = Math.floor(yc);
  const fx = xc - x0;
  const fy = yc - y0;
  for (let k = 0; k < 3; k++) {
    const a = data[(y0 * w + x0) * c + k];
    const b = data[(y0 * w + x0 + 1) * c + k];
    const d = data[((y0 + 1) * w + x0) * c + k];
    const e = data[((y0 + 1) * w + x0 + 1) * c + k];
    out[o + k] = Math.round((a * (1 - fx) + b * fx) * (1 - fy) + (d * (1 - fx) + e * fx) * fy);
  }
}

/** One driving frame (RGB) of `photo` under `m`; `lm` are the photo's landmarks. */
export function knownMotionFrame(photo: Image, lm: number[][], m: KnownMotion): Image {
  const { width: w, height: h } = photo;
  const out = new Uint8Array(w * h * 3);
  const cx = lm[1][0];
  const cy = lm[1][1];
  // The lower lip drops; the opening is a lens between the mouth corners (cos² profile across the mouth).
  const mouthY = lm[14][1];
  const chinY = lm[152][1];
  const mouthX = (lm[61][0] + lm[291][0]) / 2;
  const halfWidth = Math.abs(lm[291][0] - lm[61][0]) / 2;
  const cos = Math.cos(m.roll);
  const sin = Math.sin(m.roll);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      // Inverse similarity: output pixel → photo coordinates (rotation/scale about the nose tip, then shift).
      const dx = (x - cx - m.tx) / m.scale;
      const dy = (y - cy - m.ty) / m.scale;
      let px = cx + cos * dx + sin * dy;
      let py = cy - sin * dx + cos * dy;
      const o = (y * w + x) * 3;
      const u = (px - mouthX) / halfWidth;
      if (py > mouthY && Math.abs(u) < 1.6) {
        const across = Math.abs(u) < 1 ? Math.cos((u * Math.PI) / 2) ** 2 : 0;
        const side = Math.abs(u) < 1 ? 1 : Math.max(0, 1 - (Math.abs(u) - 1) / 0.6);
        const fade = py < chinY ? 1 : Math.max(0, 1 - (py - chinY) / 25);
        const drop = m.mouth * Math.max(across, 0.35 * side) * fade;
        if (py - drop < mouthY && across > 0.05 && drop > 0.5) {
          const t = Math.max(0, (py - mouthY) / drop);
          const v = Math.round(35 + 30 * t);
          out[o] = v + 20;
          out[o + 1] = v;
          out[o + 2] = v;
          continue;
        }
        py -= drop;
      }
      px = Math.min(w - 1, Math.max(0, px));
      sample(photo, px, py, out, o);
    }
  }
  return { data: out, width: w, height: h, channels: 3 };
}

/** Writes the frames as a high-quality H.264 clip. */
export async function writeClip(file: string, frames: Image[], fps = 25): Promise<void> {
  const { width, height } = frames[0];
  await encodeRawClip(
    file,
    Buffer.concat(frames.map((f) => Buffer.from(f.data))),
    { width, height, fps: rational(fps) },
    ['-c:v', 'libx264', '-crf', '10', '-preset', 'veryfast', '-pix_fmt', 'yuv444p'],
  );
}

/** Pearson correlation. */
export function pearson(a: number[], b: number[]): number {
  const n = a.length;
  const ma = a.reduce((s, v) => s + v, 0) / n;
  const mb = b.reduce((s, v) => s + v, 0) / n;
  let num = 0;
  let da = 0;
  let db = 0;
  for (let i = 0; i < n; i++) {
    num += (a[i] - ma) * (b[i] - mb);
    da += (a[i] - ma) ** 2;
    db += (b[i] - mb) ** 2;
  }
  return num / Math.sqrt(da * db);
}
