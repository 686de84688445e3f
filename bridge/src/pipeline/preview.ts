/**
 * Small previews: a downscaled frame for live UI events, and the side-by-side (driving | result over the portrait)
 * review movie.
 */
import { rename, rm } from 'node:fs/promises';
import { ffmpegPaths } from '../media/locator.js';
import { runProcess } from '../media/run.js';
import type { Image } from '../media/types.js';
import { tempSibling } from '../util/fs.js';
import { formatRational, type Rational } from '../util/rational.js';

/**
 * Box-filter downscale so the longer side is at most `maxSide` (RGB or RGBA in, same channels out).
 * Pure; used for preview events and thumbnails.
 */
export function downscale(image: Image, maxSide: number): Image {
  const scale = Math.max(image.width, image.height) / maxSide;
  if (scale <= 1) return image;
  const w = Math.max(1, Math.round(image.width / scale));
  const h = Math.max(1, Math.round(image.height / scale));
  const c = image.channels;
  const out = new Uint8Array(w * h * c);
  for (let y = 0; y < h; y++) {
    const sy0 = Math.floor((y * image.height) / h);
    const sy1 = Math.max(sy0 + 1, Math.floor(((y + 1) * image.height) / h));
    for (let x = 0; x < w; x++) {
      const sx0 = Math.floor((x * image.width) / w);
      const sx1 = Math.max(sx0 + 1, Math.floor(((x + 1) * image.width) / w));
      const acc = [0, 0, 0, 0];
      for (let sy = sy0; sy < sy1; sy++) {
        for (let sx = sx0; sx < sx1; sx++) {
          const o = (sy * image.width + sx) * c;
          for (let k = 0; k < c; k++) acc[k] += image.data[o + k];
        }
      }
      const n = (sy1 - sy0) * (sx1 - sx0);
      const o = (y * w + x) * c;
      for (let k = 0; k < c; k++) out[o + k] = Math.round(acc[k] / n);
    }
  }
  return { data: out, width: w, height: h, channels: c };
}

export interface SideBySideOptions {
  driving: string;
  /** The portrait: result frames are composited over it (straight alpha), as they are in the comp. */
  portrait: string;
  /** Inclusive clip frame range of the driving clip used. */
  range: { start: number; end: number };
  /** Result: PNG pattern or movie file. */
  result: string;
  resultIsSequence: boolean;
  fps: Rational;
  /** Output height (even). */
  height: number;
  file: string;
  signal?: AbortSignal;
}

/** Builds the ffmpeg arguments for the side-by-side preview (pure). */
export function sideBySideArgs(o: SideBySideOptions & { tmp: string }): string[] {
  const rate = formatRational(o.fps);
  const h = o.height - (o.height % 2);
  return [
    '-v',
    'error',
    '-nostdin',
    '-i',
    o.driving,
    ...(o.resultIsSequence ? ['-framerate', rate, '-start_number', '0', '-i', o.result] : ['-i', o.result]),
    '-loop',
    '1',
    '-framerate',
    rate,
    '-i',
    o.portrait,
    '-filter_complex',
    // The frames' RGB is only meaningful under their alpha (the neural engine writes the face unblended): show the
    // result as the comp shows it, over the portrait.
    `[0:v]trim=start_frame=${o.range.start}:end_frame=${o.range.end + 1},setpts=PTS-STARTPTS,fps=${rate},scale=-2:${h}[d];` +
      `[2:v]format=rgb24[p];[1:v]format=rgba[f];[p][f]overlay=shortest=1:format=auto,format=rgb24,scale=-2:${h}[r];` +
      `[d][r]hstack=inputs=2,format=yuv420p[v]`,
    '-map',
    '[v]',
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-crf',
    '20',
    '-movflags',
    '+faststart',
    '-shortest',
    '-f',
    'mp4',
    '-y',
    o.tmp,
  ];
}

/** Writes the side-by-side preview movie (temp name, then rename). */
export async function writeSideBySide(o: SideBySideOptions): Promise<void> {
  const tmp = `${tempSibling(o.file)}.mp4`;
  try {
    await runProcess(ffmpegPaths().ffmpeg, sideBySideArgs({ ...o, tmp }), { signal: o.signal });
    await rename(tmp, o.file);
  } finally {
    await rm(tmp, { force: true });
  }
}
