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
  it('reads any decimal within half a hundredth of N×1000/1001 as that NTSC rate, strings and numbers alike', () => {
    for (const [given, num] of [
      ['23.98', 24000],
      [23.976, 24000],
      ['47.95', 48000],
      [29.97, 30000],
      [30000 / 1001, 30000],
      ['29.970029970029973', 30000],
      [59.94, 60000],
      ['119.88', 120000],
      ['14.985', 15000],
    ] as const)
      expect({ given, rate: parseRational(given) }).toEqual({ given, rate: { num, den: 1001 } });
    // Whole numbers and other decimals are exactly what they say.
    expect(parseRational(30)).toEqual({ num: 30, den: 1 });
    expect(parseRational('29.9')).toEqual({ num: 299, den: 10 });
    expect(parseRational(25.5)).toEqual({ num: 51, den: 2 });
    expect(parseRational('24.000')).toEqual({ num: 24, den: 1 });
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
