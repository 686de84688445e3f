/** A full disk during a PNG sequence encode: a clear, resumable error and no cut frame under a final name. */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { numberedFiles, openPngSequence } from '../../bridge/src/media/png-sequence.js';
import { tempDir } from '../helpers/media.js';
import { mountTmpfs, unmount } from '../reliability/mounts.js';

const dir = tempDir();
const full = path.join(dir, 'full');
let mounted = false;
afterAll(() => {
  if (mounted) unmount(full);
});

describe('disk full while encoding PNG frames', () => {
  it('stops with the disk-full message and leaves only complete frames', async (ctx) => {
    mounted = mountTmpfs(full, 'size=512k');
    if (!mounted) return ctx.skip(); // needs mount permission (root in CI)
    writeFileSync(path.join(full, 'filler'), Buffer.alloc(400 * 1024));
    const pattern = path.join(full, 'frames', 'frame_%05d.png');
    const writer = await openPngSequence({
      width: 64,
      height: 64,
      channels: 4,
      framePath: numberedFiles(path.dirname(pattern), 'frame_'),
      startNumber: 0,
    });
    // Noise does not compress: ~16 KB per frame, so the ~100 KB left fill after a few frames.
    let seed = 1;
    const noise = () => {
      const data = new Uint8Array(64 * 64 * 4);
      for (let i = 0; i < data.length; i++) {
        seed = (seed * 1103515245 + 12345) >>> 0;
        data[i] = seed >>> 24;
      }
      return { data, width: 64, height: 64, channels: 4 as const };
    };
    const err = await (async () => {
      for (let i = 0; i < 40; i++) await writer.write(noise());
      await writer.close();
    })().catch(async (e) => {
      await writer.close().catch(() => writer.abort());
      return e;
    });
    expect(err).toMatchObject({
      code: 'OUTPUT_UNWRITABLE',
      message: 'The disk is full while encoding. Free some space, then run the same command again to resume.',
    });
    const names = readdirSync(path.join(full, 'frames'));
    for (const n of names) {
      expect(n).toMatch(/^frame_\d{5}\.png$/);
      expect(
        readFileSync(path.join(full, 'frames', n))
          .subarray(-8)
          .toString('hex'),
      ).toBe('49454e44ae426082');
    }
  });
});
