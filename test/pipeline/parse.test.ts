/** parseJobSpec's own checks beyond the schema. */
import { describe, expect, it } from 'vitest';
import { parseJobSpec } from '../../bridge/src/pipeline/parse.js';

const base = { source: '/a.png', driving: '/b.mov', output: { dir: '/o' } };

describe('parseJobSpec', () => {
  it('accepts comp rates, NTSC included, as numbers or text, and keeps them exact', () => {
    for (const [fps, exact] of [
      ['1', '1'],
      ['23.976', '24000/1001'],
      [29.97, '30000/1001'],
      ['30000/1001', '30000/1001'],
      [120, '120'],
      ['999', '999'],
    ] as const)
      expect(parseJobSpec({ ...base, fps }).fps).toBe(exact);
  });

  it('refuses output rates no comp has (a rate of millions would exhaust memory building the frame map)', () => {
    for (const fps of ['100000000', '0.5', '1/1000'])
      expect(() => parseJobSpec({ ...base, fps })).toThrow(
        `fps: Expected an output frame rate between 1 and 1000 fps but received "${fps}". Use the comp's frame rate, e.g. 24, 29.97 or 30000/1001`,
      );
  });
});
