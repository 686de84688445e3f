/** Output-folder errors name the folder and the fix, whatever the filesystem reports. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureDir, outputError } from '../../bridge/src/util/fs.js';
import { tempDir } from '../helpers/media.js';
import { mountTmpfs, unmount } from '../reliability/mounts.js';

const dir = tempDir();
const mounted: string[] = [];
afterAll(() => {
  for (const m of mounted) unmount(m);
});

describe('output folder errors', () => {
  it('says a part of the path is a file (ENOTDIR)', async () => {
    writeFileSync(path.join(dir, 'file'), 'x');
    const target = path.join(dir, 'file', 'out', 'frames');
    await expect(ensureDir(target)).rejects.toThrow(
      `Cannot write to ${target} (ENOTDIR: part of the path is a file, not a folder). Choose another output folder.`,
    );
  });

  it('says read-only when recursive mkdir on a read-only filesystem reports ENOENT', async (ctx) => {
    const ro = path.join(dir, 'ro');
    if (!mountTmpfs(ro, 'size=64k,ro')) return ctx.skip(); // needs mount permission (root in CI)
    mounted.push(ro);
    const target = path.join(ro, 'render', 'frames');
    await expect(ensureDir(target)).rejects.toMatchObject({
      code: 'OUTPUT_UNWRITABLE',
      message: `Cannot write to ${target} (EROFS: read-only or no permission). Choose another output folder.`,
    });
  });

  it('maps a full disk to a resumable message', () => {
    const e = outputError(Object.assign(new Error('nope'), { code: 'ENOSPC' }), '/x/frame.png');
    expect(e.message).toBe(
      'The disk is full while writing /x/frame.png. Free some space, then run the same command again to resume.',
    );
  });
});
