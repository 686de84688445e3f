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

/**
 * How close a decimal must be to an NTSC rate N×1000/1001 to mean it: half a hundredth, so every spelling rounded to
 * two or more decimals (23.98, 23.976, 29.97, 47.95, 59.94, 119.88, or the float 29.970029970029973) is the exact
 * rational, while 29.9 or 25.5 stay what they say.
 */
const NTSC_TOLERANCE = 0.005;

/** N×1000/1001 for a decimal within NTSC_TOLERANCE of it (N whole), else undefined. Whole numbers are never NTSC. */
function ntscRate(text: string): Rational | undefined {
  if (!text.includes('.')) return undefined;
  const value = Number(text);
  if (!(value > 0 && value < 1e6)) return undefined; // beyond, doubles cannot tell the two apart
  const n = Math.round((value * 1001) / 1000);
  if (n < 1 || Math.abs(value - (n * 1000) / 1001) >= NTSC_TOLERANCE) return undefined;
  return rational(n * 1000, 1001);
}

/**
 * Parses a frame rate: "30000/1001", "30", "25.0", a decimal near an NTSC rate ("29.97", "23.976", "59.94" →
 * N×1000/1001, see NTSC_TOLERANCE), any other decimal exactly ("12.5" → 25/2), or the same as a number (29.97).
 * Throws BAD_INPUT naming `what` otherwise.
 * @example parseRational('29.97') // {num: 30000, den: 1001}
 * @example parseRational(23.976) // {num: 24000, den: 1001}
 */
export function parseRational(input: string | number, what = 'frame rate'): Rational {
  const s = String(input).trim();
  const bad = () =>
    new ReenactError('BAD_INPUT', `Expected a positive ${what} like 25, 29.97 or 30000/1001 but received "${input}".`);
  let m = /^(\d+)\/(\d+)$/.exec(s);
  if (m) {
    const n = Number(m[1]);
    const d = Number(m[2]);
    if (d === 0 || n === 0 || !Number.isSafeInteger(n) || !Number.isSafeInteger(d)) throw bad();
    return rational(n, d);
  }
  m = /^(\d+)(?:\.(\d{1,20}))?$/.exec(s);
  if (m) {
    const ntsc = ntscRate(s);
    if (ntsc) return ntsc;
    const frac = (m[2] ?? '').replace(/0+$/, '');
    const den = 10 ** frac.length;
    const num = Number(m[1]) * den + (frac ? Number(frac) : 0);
    if (num === 0 || !Number.isSafeInteger(num) || !Number.isSafeInteger(den)) throw bad();
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
