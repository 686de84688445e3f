/** Shared test helpers for the face stage: PNG reading (until media lands here), temp cache dir, fixture paths. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import type { Image } from '../../bridge/src/media/types.js';

export const ROOT = path.resolve(import.meta.dirname, '..', '..');
export const fixture = (...p: string[]) => path.join(ROOT, 'test', 'fixtures', ...p);
export const FFMPEG = path.join(ROOT, 'node_modules', '@ffmpeg-installer', 'linux-x64', 'ffmpeg');

export function readPng(file: string): Image {
  const png = PNG.sync.read(fs.readFileSync(file));
  return { data: new Uint8Array(png.data), width: png.width, height: png.height, channels: 4 };
}

/** A fresh cache dir set as REENACT_CACHE_DIR; returns the env to pass on. */
export function tempCacheEnv(): NodeJS.ProcessEnv {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reenact-face-'));
  process.env.REENACT_CACHE_DIR = dir;
  return { ...process.env, REENACT_CACHE_DIR: dir };
}

/** The portrait; memoised. */
let portrait: Image | undefined;
export function astronaut(): Image {
  portrait ??= readPng(fixture('media', 'portrait-astronaut.png'));
  return portrait;
}

/** Two copies of an image side by side (RGB). */
export function sideBySide(a: Image, b: Image): Image {
  const width = a.width + b.width;
  const height = Math.max(a.height, b.height);
  const data = new Uint8Array(width * height * 3);
  for (const [img, ox] of [
    [a, 0],
    [b, a.width],
  ] as const) {
    for (let y = 0; y < img.height; y++)
      for (let x = 0; x < img.width; x++)
        for (let c = 0; c < 3; c++)
          data[(y * width + ox + x) * 3 + c] = img.data[(y * img.width + x) * img.channels + c];
  }
  return { data, width, height, channels: 3 };
}
