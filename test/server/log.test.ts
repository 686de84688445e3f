/** The bridge log: rotation by size, and no secrets in any line. */
import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RotatingFile, redactUrl, scrub } from '../../bridge/src/server/log.js';
import { tempDir } from './helpers.js';

describe('bridge log', () => {
  it('rotates by size and keeps N files', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'logs', 'bridge.log');
    const log = new RotatingFile(file, { maxBytes: 1000, keep: 2 });
    for (let i = 0; i < 100; i++) log.write(`${JSON.stringify({ i, pad: 'x'.repeat(40) })}\n`);
    log.close();
    expect((await fs.readdir(path.dirname(file))).sort()).toEqual(['bridge.log', 'bridge.log.1', 'bridge.log.2']);
    for (const name of ['bridge.log', 'bridge.log.1', 'bridge.log.2']) {
      const size = (await fs.stat(path.join(dir, 'logs', name))).size;
      expect(size).toBeLessThanOrEqual(1000);
    }
    const last = (await fs.readFile(file, 'utf8')).trim().split('\n').at(-1)!;
    expect(JSON.parse(last).i).toBe(99);
  });

  it('scrubs the token, bearer headers and token query parameters', () => {
    const token = 'Qwbpro4pJ77sr72g5XUdjBt5O2Oc9WSttAdckWAYIEw';
    expect(scrub(`{"a":"${token}"}`, [token])).toBe('{"a":"[redacted]"}');
    expect(scrub('authorization: Bearer abc.def')).toBe('authorization: Bearer [redacted]');
    expect(scrub('"url":"/jobs/x/events?token=abc&previews=false"')).toBe(
      '"url":"/jobs/x/events?token=[redacted]&previews=false"',
    );
    expect(redactUrl('/jobs/x/events?previews=false&token=abc')).toBe('/jobs/x/events?previews=false&token=[redacted]');
  });
});
