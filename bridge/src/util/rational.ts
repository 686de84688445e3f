/**
 * Frame rates and times as exact rationals. NTSC rates stay exact: 29.97 is 30000/1001, never 29.97 or 30.
 */
import { ReenactError } from '../errors.js';

export interface Rational {
  num: number;
  den: number;
}

function gcd(a: number, b: number): number {
  a = Math.abs(a);
  b = Math.abs(b);
  while (b) [a, b] = [b, a % b];
  return a || 1;
}

export function rational(num: number, den = 1): Rational {
  if (!Number.isInteger(num) || !Number.isInteger(den) || den === 0) {
    throw new ReenactError(
      'BAD_INPUT',
      `Expected integer numerator and non-zero denominator but received ${num}/${den}.`,
    );
  }
  const g = gcd(num, den);
  const sign = den < 0 ? -1 : 1;
  return { num: (sign * num) / g, den: (sign * den) / g };
}

/** Well-known decimal spellings that mean an NTSC rational. */
const NTSC: Record<string, Rational> = {
  '23.976': { num: 24000, den: 1001 },
  '23.98': { num: 24000, den: 1001 },
  '29.97': { num: 30000, den: 1001 },
  '47.952': { num: 48000, den: 1001 },
  '59.94': { num: 60000, den: 1001 },
  '119.88': { num: 120000, den: 1001 },
};

/**
 * Parses "30000/1001", "30", "29.97" (→ 30000/1001), "25.0". Throws BAD_INPUT naming `what` otherwise.
 * @example parseRational('29.97') // {num: 30000, den: 1001}
 */
export function parseRational(text: string, what = 'frame rate'): Rational {
  const s = String(text).trim();
  const bad = () =>
    new ReenactError('BAD_INPUT', `Expected a positive ${what} like 25, 29.97 or 30000/1001 but received "${text}".`);
  if (Object.hasOwn(NTSC, s)) return { ...NTSC[s] }; // own keys only: "toString" is not a frame rate
  let m = /^(\d+)\/(\d+)$/.exec(s);
  if (m) {
    const n = Number(m[1]);
    const d = Number(m[2]);
    if (d === 0 || n === 0 || !Number.isSafeInteger(n) || !Number.isSafeInteger(d)) throw bad();
    return rational(n, d);
  }
  m = /^(\d+)(?:\.(\d{1,6}))?$/.exec(s);
  if (m) {
    const frac = m[2] ?? '';
    const den = 10 ** frac.length;
    const num = Number(m[1]) * den + (frac ? Number(frac) : 0);
    if (num === 0 || !Number.isSafeInteger(num)) throw bad();
    return rational(num, den);
  }
  throw bad();
}

export function formatRational(r: Rational): string {
  return r.den === 1 ? String(r.num) : `${r.num}/${r.den}`;
}

export function toNumber(r: Rational): number {
  return r.num / r.den;
}

export function equalRational(a: Rational, b: Rational): boolean {
  return a.num * b.den === b.num * a.den;
}

/** Time in seconds of frame `index` at rate `fps`. */
export function frameTime(index: number, fps: Rational): number {
  return (index * fps.den) / fps.num;
}
