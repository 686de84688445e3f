import { describe, expect, it } from 'vitest';
import { ReenactError } from '../../bridge/src/errors.js';
import { formatRational, frameTime, parseRational, toNumber } from '../../bridge/src/util/rational.js';

describe('parseRational', () => {
  it('keeps NTSC rates exact', () => {
    expect(parseRational('30000/1001')).toEqual({ num: 30000, den: 1001 });
    expect(parseRational('29.97')).toEqual({ num: 30000, den: 1001 });
    expect(parseRational('23.976')).toEqual({ num: 24000, den: 1001 });
    expect(parseRational('59.94')).toEqual({ num: 60000, den: 1001 });
  });
  it('reduces and parses decimals', () => {
    expect(parseRational('50/2')).toEqual({ num: 25, den: 1 });
    expect(parseRational('12.5')).toEqual({ num: 25, den: 2 });
    expect(formatRational(parseRational('24'))).toBe('24');
    expect(toNumber(parseRational('30000/1001'))).toBeCloseTo(29.97003, 5);
    expect(frameTime(30, { num: 30000, den: 1001 })).toBeCloseTo(1.001, 9);
  });
  it('rejects junk with a clear message', () => {
    for (const bad of ['', 'abc', '0', '1/0', '-5', '30/']) {
      expect(() => parseRational(bad)).toThrow(ReenactError);
    }
    expect(() => parseRational('abc')).toThrow(
      'Expected a positive frame rate like 25, 29.97 or 30000/1001 but received "abc".',
    );
  });
  it('rejects Object.prototype names and numbers too large to be exact', () => {
    for (const bad of [
      'toString',
      'constructor',
      '__proto__',
      'hasOwnProperty',
      '1'.repeat(30),
      `${'9'.repeat(20)}.5`,
    ]) {
      expect(() => parseRational(bad)).toThrow(
        `Expected a positive frame rate like 25, 29.97 or 30000/1001 but received "${bad}".`,
      );
    }
  });
});
