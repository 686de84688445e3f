/** A clip that decodes to fewer frames than it promises fails clearly instead of being reported complete. */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderJob } from '../../bridge/src/pipeline/render.js';
import { tempDir } from '../helpers/media.js';
import { corrupted, pngOf, tinyClip } from '../reliability/corpus.js';

const dir = tempDir();

describe('lost frames', () => {
  it('a clip with corrupt bytes mid-stream: clear error, complete frames kept', async () => {
    const clean = await tinyClip(path.join(dir, 'clean.mp4'), { frames: 24, extra: ['-movflags', '+faststart'] });
    const clip = corrupted(path.join(dir, 'corrupt.mp4'), clean, 0.5, 0.2);
    const out = path.join(dir, 'out');
    const source = pngOf(path.join(dir, 'small.png'), 64, 64);
    const err = await renderJob({ source, driving: clip, output: { dir: out }, engine: { name: 'fixture' } }).catch(
      (e) => e,
    );
    expect(err).toMatchObject({ code: 'BAD_INPUT' });
    expect(err.message).toMatch(
      new RegExp(
        `^Expected 24 frames from ${clip} but only (\\d+) could be decoded: the clip may be corrupt or cut short\\. Re-export it, or render only clip frames 0-\\d+ \\(--range\\)\\.$`,
      ),
    );
    const decoded = Number(/only (\d+)/.exec(err.message)![1]);
    expect(readdirSync(path.join(out, 'frames'))).toHaveLength(decoded);
  });
});
