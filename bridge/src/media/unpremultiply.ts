/**
 * After Effects' saveFrameToPng stores colour premultiplied by alpha (half-transparent edge pixels come out dark),
 * while a PNG's colour is straight by definition and reenact reads portraits that way: a text, shape or comp
 * portrait exported by the host would get dark fringes. This divides the colour by alpha again into a copy kept in
 * the cache, named by the input's content, so the PNG AE wrote is never changed.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { PNG } from 'pngjs';
import { ReenactError } from '../errors.js';
import { ensureDir, writeFileAtomic } from '../util/fs.js';

/**
 * Straight colour from premultiplied colour, in place: c = round(c·255/a), at most 255; alpha 0 keeps colour 0.
 * @param rgba Uint8Array RGBA, 4 bytes a pixel, 0..255.
 * @example unpremultiply(Uint8Array.of(64, 32, 0, 128)) // → [128, 64, 0, 128]
 */
export function unpremultiply(rgba: Uint8Array): Uint8Array {
  for (let i = 0; i < rgba.length; i += 4) {
    const a = rgba[i + 3];
    if (a === 255) continue;
    for (let c = 0; c < 3; c++) rgba[i + c] = a === 0 ? 0 : Math.min(255, Math.round((rgba[i + c] * 255) / a));
  }
  return rgba;
}

/**
 * A straight-colour copy of the premultiplied PNG `file`, written once under `<cacheFolder>/stills/`.
 * @throws ReenactError BAD_INPUT naming the file when it cannot be read as a PNG.
 */
export async function straightCopy(file: string, cacheFolder: string): Promise<string> {
  const bytes = await readFile(file).catch((err: NodeJS.ErrnoException) => {
    throw new ReenactError('BAD_INPUT', `Cannot read the exported still ${file} (${err.code ?? err.message}).`);
  });
  let png: PNG;
  try {
    png = PNG.sync.read(bytes);
  } catch (err) {
    throw new ReenactError(
      'BAD_INPUT',
      `Expected a PNG for the exported still but ${file} is not one (${(err as Error).message}). Export it again.`,
    );
  }
  unpremultiply(png.data);
  const out = path.join(cacheFolder, 'stills', `${createHash('sha256').update(bytes).digest('hex')}.png`);
  await ensureDir(path.dirname(out));
  await writeFileAtomic(out, PNG.sync.write(png));
  return out;
}
