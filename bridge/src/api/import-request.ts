/**
 * Turns a finished render's `reenact.json` into the argument of the host call `reenact.importResult`: which file to
 * import, as what, at which rate, and which driving frame output frame 0 shows (so the host script can line the
 * result up with the performance layer). Pure and browser-safe: the panel builds its import with it. Paths are
 * joined with the manifest path's own separator (the bridge may run on another OS than the code reading them).
 */
import { ReenactError } from '../errors.js';
import type { Manifest } from '../pipeline/spec.js';
import type { ImportRequest } from './host.js';

/** Where the result goes: the portrait and performance layers, by id (stable when the result shifts indices). */
export interface ImportTargets {
  stillLayerId: number;
  drivingLayerId?: number | null;
}

/** "frames/frame_%05d.png" with 7 → "frames/frame_00007.png". */
export function frameFileName(pattern: string, index: number): string {
  const m = /%0?(\d*)d/.exec(pattern);
  if (!m)
    throw new ReenactError('BAD_INPUT', `Expected a frame pattern like "frame_%05d.png" but received "${pattern}".`);
  const width = m[1] ? Number(m[1]) : 0;
  return pattern.replace(m[0], String(index).padStart(width, '0'));
}

/** `relative` ("frames/frame_00000.png") in the folder of `file`, with its separator (a backslash for C:\r\x.json). */
function besideFile(file: string, relative: string): string {
  const sep = file.includes('\\') && !file.includes('/') ? '\\' : '/';
  const dir = file.slice(0, Math.max(0, file.lastIndexOf(sep)));
  return [dir, ...relative.split('/')].join(sep);
}

/**
 * @example importRequestFromManifest(manifest, '/renders/take_03/reenact.json', { stillLayerId: 5, drivingLayerId: 6 })
 * // → { file: '/renders/take_03/frames/frame_00000.png', format: 'png', fps: '30000/1001', firstFrame: 12, … }
 * @throws ReenactError BAD_INPUT when the render is incomplete or has no frames.
 */
export function importRequestFromManifest(
  manifest: Pick<Manifest, 'format' | 'output' | 'fps' | 'frames' | 'firstFrame' | 'complete'>,
  manifestPath: string,
  targets: ImportTargets,
): ImportRequest {
  if (!manifest.complete || manifest.frames.length === 0) {
    throw new ReenactError(
      'BAD_INPUT',
      `The render in ${manifestPath} is not complete (${manifest.frames.length} frames). Finish or resume it before importing.`,
    );
  }
  const first = manifest.frames[0];
  const name =
    manifest.format === 'png' ? frameFileName(manifest.output, first.index ?? manifest.firstFrame) : manifest.output;
  return {
    file: besideFile(manifestPath, name),
    format: manifest.format,
    fps: manifest.fps,
    stillLayerId: targets.stillLayerId,
    drivingLayerId: targets.drivingLayerId ?? null,
    firstFrame: first.sourceIndex,
  };
}
