// saveFrameToPng stores premultiplied colour (dark edges where alpha < 1); portraits are read as straight colour.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { straightCopy, unpremultiply } from '../../bridge/src/media/unpremultiply.js';
import { tempDir } from '../helpers/media.js';

describe('unpremultiply', () => {
  it('divides colour by alpha, leaves opaque pixels alone and keeps transparent ones black', () => {
    expect([...unpremultiply(Uint8Array.of(64, 32, 0, 128, 10, 20, 30, 255, 9, 9, 9, 0, 200, 1, 1, 100))]).toEqual([
      128, 64, 0, 128, 10, 20, 30, 255, 0, 0, 0, 0, 255, 3, 3, 100,
    ]);
  });

  it('writes a straight copy into the cache, named by content, and leaves the exported PNG as it was', async () => {
    const dir = tempDir();
    const png = new PNG({ width: 2, height: 1 });
    png.data.set([64, 64, 64, 128, 200, 100, 50, 255]);
    const file = path.join(dir, 'still.png');
    writeFileSync(file, PNG.sync.write(png));
    const before = readFileSync(file);
    const out = await straightCopy(file, path.join(dir, 'cache'));
    expect(path.dirname(out)).toBe(path.join(dir, 'cache', 'stills'));
    expect([...PNG.sync.read(readFileSync(out)).data]).toEqual([128, 128, 128, 128, 200, 100, 50, 255]);
    expect(readFileSync(file).equals(before)).toBe(true);
    expect(await straightCopy(file, path.join(dir, 'cache'))).toBe(out);
  });

  it('names the file when it is not a PNG', async () => {
    const file = path.join(tempDir(), 'still.png');
    writeFileSync(file, 'not a png');
    await expect(straightCopy(file, tempDir())).rejects.toMatchObject({
      code: 'BAD_INPUT',
      message: expect.stringMatching(/^Expected a PNG for the exported still but .*still\.png is not one/),
    });
  });
});
