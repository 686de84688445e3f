/** Where a render's files go in its output folder: frames, movie, preview and reenact.json (one chunk: its own folder). */
import path from 'node:path';
import { numberedFiles } from '../media/png-sequence.js';
import type { JobSpec } from './spec.js';

export interface OutputLayout {
  dir: string;
  manifest: string;
  framesDir: string;
  /** ffmpeg image2 input pattern of the PNG frames (a `%` in the folder is doubled, so only frame_%05d is a field). */
  pattern: string;
  /** ProRes file (format prores). */
  movie: string;
  preview: string;
  framePath(index: number): string;
}

export const FRAME_PREFIX = 'frame_';

/** "00010-00019": the folder name of a chunk's output under `<output.dir>/chunks/`. */
export function chunkName(chunk: { start: number; end: number }): string {
  return `${String(chunk.start).padStart(5, '0')}-${String(chunk.end).padStart(5, '0')}`;
}

export function outputLayout(spec: JobSpec): OutputLayout {
  // A chunk renders into its own folder so chunks running at once never share a manifest or clean each other's temps.
  const dir = spec.chunk ? path.join(spec.output.dir, 'chunks', chunkName(spec.chunk)) : spec.output.dir;
  const framesDir = path.join(dir, 'frames');
  const stem = path.basename(spec.driving, path.extname(spec.driving));
  return {
    dir,
    manifest: path.join(dir, 'reenact.json'),
    framesDir,
    pattern: path.join(framesDir.replaceAll('%', '%%'), `${FRAME_PREFIX}%05d.png`),
    movie: path.join(dir, `${stem}.reenact.mov`),
    preview: path.join(dir, 'preview.mp4'),
    framePath: numberedFiles(framesDir, FRAME_PREFIX),
  };
}
