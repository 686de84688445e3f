/** Test helpers: temp folders, and clips generated with the real ffmpeg (never downloaded). */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import { rawEncodeArgs } from '../../bridge/src/media/ffmpeg-args.js';
import { ffmpegPaths } from '../../bridge/src/media/locator.js';
import { runProcess } from '../../bridge/src/media/run.js';
import { parseRational, type Rational } from '../../bridge/src/util/rational.js';

export const FIXTURES = path.resolve(import.meta.dirname, '..', 'fixtures');
export const PORTRAIT = path.join(FIXTURES, 'media', 'portrait-astronaut.png');
export const DRIVING = path.join(FIXTURES, 'media', 'driving-talk.mp4');

/** A temp folder removed after the test file finishes. */
export function tempDir(prefix = 'reenact-test-'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Runs ffmpeg with `args` (quiet, overwrite). */
export async function ffmpeg(...args: string[]): Promise<void> {
  await runProcess(ffmpegPaths().ffmpeg, ['-v', 'error', '-nostdin', '-y', ...args]);
}

/** Encodes raw RGB frames (`raw`, frame after frame) into `file` with `encoder`'s ffmpeg arguments. */
export async function encodeRawClip(
  file: string,
  raw: Uint8Array,
  size: { width: number; height: number; fps: Rational },
  encoder: string[],
): Promise<void> {
  await runProcess(ffmpegPaths().ffmpeg, rawEncodeArgs({ ...size, channels: 3 }, encoder, file), { input: raw });
}

/**
 * Writes a lossless clip whose frame k is filled with colour (k*step mod 256, 255-k, 128) so tests can read the
 * frame number back from the pixels. Returns the file.
 */
export async function makeIndexedClip(
  file: string,
  frames: number,
  fps: string,
  size = '64x48',
  step = 7,
): Promise<string> {
  const [w, h] = size.split('x').map(Number);
  const raw = Buffer.alloc(w * h * 3 * frames);
  for (let k = 0; k < frames; k++) {
    for (let p = 0; p < w * h; p++) {
      const o = (k * w * h + p) * 3;
      raw[o] = (k * step) % 256;
      raw[o + 1] = 255 - (k % 256);
      raw[o + 2] = 128;
    }
  }
  await encodeRawClip(file, raw, { width: w, height: h, fps: parseRational(fps) }, [
    '-c:v',
    'libx264rgb',
    '-qp',
    '0',
    '-preset',
    'ultrafast',
  ]);
  return file;
}

/** Reads back the frame number written by makeIndexedClip from a pixel (R channel / step, using G for wraps). */
export function indexFromPixel(data: Uint8Array): number {
  return 255 - data[1];
}

/**
 * A small 64×48, 25 fps H.264 clip whose brightness follows `wave` (an ffmpeg expression in the frame number N), so
 * the fixture engine's output changes from frame to frame. With `setpts` (an expression in N and TB) the frames get
 * those timestamps and keep them (variable frame rate). Returns the file.
 */
export async function brightnessClip(
  file: string,
  frames: number,
  wave = 'sin(N/5)',
  setpts?: string,
): Promise<string> {
  await ffmpeg(
    '-f',
    'lavfi',
    '-i',
    'color=gray:size=64x48:rate=25',
    '-vf',
    `geq=lum='128+100*${wave}':cb=128:cr=128${setpts ? `,setpts='${setpts}'` : ''}`,
    '-frames:v',
    String(frames),
    ...(setpts ? ['-vsync', 'vfr'] : []),
    '-c:v',
    'libx264',
    '-pix_fmt',
    'yuv420p',
    file,
  );
  return file;
}
