/** A decode that fails names the input and the fix, rather than passing on ffmpeg's exit status. */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readImage } from '../../bridge/src/media/decode.js';
import { PORTRAIT, tempDir } from '../helpers/media.js';

const dir = tempDir();

describe('decode errors', () => {
  it('a truncated PNG that probes fine but cannot be decoded', async () => {
    const file = path.join(dir, 'truncated.png');
    const data = readFileSync(PORTRAIT);
    writeFileSync(file, data.subarray(0, Math.floor(data.length / 3)));
    const err = await readImage(file).catch((e) => e);
    expect(err).toMatchObject({ code: 'BAD_INPUT', details: { file } });
    expect(err.message).toMatch(
      new RegExp(`^Could not decode ${file}: it may be corrupt or truncated \\(ffmpeg said: .+\\)\\. Re-export it\\.$`),
    );
  });
});
