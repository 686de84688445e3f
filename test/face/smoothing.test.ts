import { describe, expect, it } from 'vitest';
import { createSmoother, oneEuroParams, smoothRange } from '../../bridge/src/face/smoothing.js';

const fps = 30;
/** A slow sine plus deterministic jitter, 2 channels. */
const signal = (n: number) =>
  Array.from({ length: n }, (_, i) => {
    const jitter = Math.sin(i * 12.9898) * 43758.5453;
    const noise = (jitter - Math.floor(jitter) - 0.5) * 2;
    return [100 + 20 * Math.sin(i / 15) + noise, 50 + noise * 0.5];
  });

describe('One-Euro smoothing', () => {
  it('strength 0 is off: values pass through unchanged', () => {
    expect(oneEuroParams(0)).toBeUndefined();
    const s = createSmoother(2, { strength: 0, fps });
    for (const v of signal(10)) expect(Array.from(s.step(v)!)).toEqual(Array.from(Float32Array.from(v)));
  });

  it('a constant stays constant; a step is approached monotonically, slower at higher strength', () => {
    const lag = (strength: number) => {
      const s = createSmoother(1, { strength, fps });
      for (let i = 0; i < 5; i++) expect(s.step([3])![0]).toBe(3);
      const out: number[] = [];
      for (let i = 0; i < 10; i++) out.push(s.step([13])![0]);
      for (let i = 1; i < out.length; i++) expect(out[i]).toBeGreaterThanOrEqual(out[i - 1]);
      expect(out[9]).toBeLessThanOrEqual(13);
      return out[0];
    };
    expect(lag(0.2)).toBeGreaterThan(lag(0.8));
  });

  it('reduces jitter on a still channel more as strength grows', () => {
    const seq = signal(150).map(([, y]) => [y]);
    const residual = (strength: number) => {
      const out = smoothRange(seq, 1, { strength, fps });
      let e = 0;
      for (let i = 30; i < seq.length; i++) e += (out[i]![0] - 50) ** 2;
      return e;
    };
    expect(residual(0.5)).toBeLessThan(residual(0));
    expect(residual(0.9)).toBeLessThan(residual(0.5));
  });

  it('is deterministic and restartable from a saved state', () => {
    const seq = signal(60);
    const full = smoothRange(seq, 2, { strength: 0.7, fps });
    expect(smoothRange(seq, 2, { strength: 0.7, fps })).toEqual(full);
    const a = createSmoother(2, { strength: 0.7, fps });
    for (let i = 0; i < 25; i++) a.step(seq[i]);
    const saved = JSON.parse(JSON.stringify(a.save()));
    const b = createSmoother(2, { strength: 0.7, fps });
    b.restore(saved);
    for (let i = 25; i < 60; i++) expect(b.step(seq[i])).toEqual(full[i]);
  });

  it('a chunk with full warm-up equals the whole run; a 1 s warm-up converges to it', () => {
    const seq = signal(120);
    const full = smoothRange(seq, 2, { strength: 0.6, fps });
    expect(smoothRange(seq, 2, { strength: 0.6, fps }, 80, 120)).toEqual(full.slice(80, 120));
    const warm = smoothRange(seq, 2, { strength: 0.6, fps }, 80, 120, 30);
    for (let i = 0; i < warm.length; i++) expect(Math.abs(warm[i]![0] - full[80 + i]![0])).toBeLessThan(0.05);
    const cold = smoothRange(seq, 2, { strength: 0.6, fps }, 80, 120, 0);
    expect(Math.abs(cold[0]![0] - full[80]![0])).toBeGreaterThan(Math.abs(warm[0]![0] - full[80]![0]));
  });

  it('frames without a value pass as undefined and hold the state', () => {
    const s = createSmoother(1, { strength: 0.5, fps });
    s.step([1]);
    expect(s.step(undefined)).toBeUndefined();
    expect(s.save().gap).toBe(2);
    const v = s.step([1])![0];
    expect(v).toBe(1);
    expect(() => s.step([1, 2])).toThrow('Expected 1 values per frame for the smoother but received 2.');
  });
});
