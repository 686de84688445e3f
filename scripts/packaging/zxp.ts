/**
 * Writes a folder as a zip (an unsigned .zxp is exactly that). yazl does the zip format: it is small (one
 * dependency, buffer-crc32), streams, sets per-entry compression and timestamps, and is what packaging tools like
 * vsce use for the same job. Entries are sorted and get a fixed timestamp so the same folder gives the same bytes.
 * Signed ZXPs are written by Adobe's ZXPSignCmd instead (see sign.ts), which zips and signs in one step.
 */
import { createWriteStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import yazl from 'yazl';
import { listTree } from './stage.js';

/** DOS timestamps start in 1980; any fixed date keeps builds reproducible. */
const FIXED_MTIME = new Date(Date.UTC(2020, 0, 1));

export async function zipFolder(dir: string, outFile: string): Promise<string[]> {
  const files = listTree(dir);
  const zip = new yazl.ZipFile();
  for (const rel of files) {
    zip.addBuffer(readFileSync(join(dir, rel)), rel, {
      mtime: FIXED_MTIME,
      mode: 0o100644,
      compress: !/\.png$/i.test(rel),
    });
  }
  zip.end();
  await pipeline(zip.outputStream, createWriteStream(outFile));
  return files;
}
