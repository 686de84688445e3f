// A PNG being written by After Effects (or cut off by a killed render) counts as complete only with its signature and
// its IEND trailer: the one check, for the panel's bytes and the bridge's files alike.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { waitForCompletePng } from '../../bridge/src/api/png-ready.js';
import { isCompletePngFile } from '../../bridge/src/media/png-sequence.js';
import { isCompletePng } from '../../bridge/src/util/png.js';

const dir = mkdtempSync(join(tmpdir(), 'reenact-png-ready-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const png = PNG.sync.write(new PNG({ width: 16, height: 16 }));
const read = (f: string) =>
  readFile(f).then(
    (b) => new Uint8Array(b),
    () => undefined,
  );

describe('png readiness', () => {
  it('is false for missing, truncated and non-PNG files, true for a complete PNG', async () => {
    const f = join(dir, 'a.png');
    expect(await isCompletePngFile(f)).toBe(false);
    for (const [bytes, complete] of [
      [png.subarray(0, png.length - 1), false],
      [Buffer.concat([Buffer.from('GIF89a..'), png.subarray(8)]), false],
      [png.subarray(0, 56), false],
      [png, true],
    ] as const) {
      writeFileSync(f, bytes);
      expect(await isCompletePngFile(f)).toBe(complete);
      expect(isCompletePng(new Uint8Array(bytes))).toBe(complete);
    }
  });

  it('waits for a file that is finished later, and times out with the file named', async () => {
    const f = join(dir, 'late.png');
    writeFileSync(f, png.subarray(0, 40));
    setTimeout(() => writeFileSync(f, png), 120);
    await expect(waitForCompletePng(f, read, { timeoutMs: 5000, intervalMs: 20 })).resolves.toBeUndefined();
    await expect(waitForCompletePng(join(dir, 'never.png'), read, { timeoutMs: 60, intervalMs: 20 })).rejects.toThrow(
      `After Effects did not finish writing ${join(dir, 'never.png')} within 0.06 s. Check the AE render settings and disk space, then try again.`,
    );
  });
});
