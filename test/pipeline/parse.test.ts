/** parseJobSpec's own checks beyond the schema. */
import { describe, expect, it } from 'vitest';
import { parseJobSpec } from '../../bridge/src/pipeline/parse.js';

const base = { source: '/a.png', driving: '/b.mov', output: { dir: '/o' } };

describe('parseJobSpec', () => {
  it('accepts comp rates, NTSC included', () => {
    for (const fps of ['1', '23.976', '30000/1001', '120', '999']) expect(parseJobSpec({ ...base, fps }).fps).toBe(fps);
  });

  it('refuses output rates no comp has (a rate of millions would exhaust memory building the frame map)', () => {
    for (const fps of ['100000000', '0.5', '1/1000'])
      expect(() => parseJobSpec({ ...base, fps })).toThrow(
        `Expected an output frame rate between 1 and 1000 fps but received "${fps}". Use the comp's frame rate, e.g. 24, 29.97 or 30000/1001.`,
      );
  });
});
