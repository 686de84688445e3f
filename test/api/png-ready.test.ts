// A PNG being written by After Effects counts as ready only once it is complete (signature + IEND trailer).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { pngIsComplete, waitForCompletePng } from '../../bridge/src/api/png-ready.js';

const dir = mkdtempSync(join(tmpdir(), 'reenact-png-ready-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const png = PNG.sync.write(new PNG({ width: 16, height: 16 }));

describe('png readiness', () => {
  it('is false for missing, truncated and non-PNG files, true for a complete PNG', async () => {
    const f = join(dir, 'a.png');
    expect(await pngIsComplete(f)).toBe(false);
    writeFileSync(f, png.subarray(0, png.length - 1));
    expect(await pngIsComplete(f)).toBe(false);
    writeFileSync(f, Buffer.concat([Buffer.from('GIF89a..'), png.subarray(8)]));
    expect(await pngIsComplete(f)).toBe(false);
    writeFileSync(f, png);
    expect(await pngIsComplete(f)).toBe(true);
  });

  it('waits for a file that is finished later, and times out with the file named', async () => {
    const f = join(dir, 'late.png');
    writeFileSync(f, png.subarray(0, 40));
    setTimeout(() => writeFileSync(f, png), 120);
    await expect(waitForCompletePng(f, { timeoutMs: 5000, intervalMs: 20 })).resolves.toBeUndefined();
    await expect(waitForCompletePng(join(dir, 'never.png'), { timeoutMs: 60, intervalMs: 20 })).rejects.toThrow(
      `After Effects did not finish writing ${join(dir, 'never.png')} within 0.06 s. Check the AE render settings and disk space, then try again.`,
    );
  });
});
