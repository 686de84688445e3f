/** A short version of bench/bridge-load.ts in the suite: 50 clients for 5 s against a real bridge process. */
import { describe, expect, it } from 'vitest';
import { runLoad } from '../../bench/bridge-load.js';

describe('bridge under load', () => {
  it('serves 50 polling and streaming clients for 5 s with no errors and bounded memory', async () => {
    const report = await runLoad({ seconds: 5, clients: 50, frames: 60 });
    expect(report.errorSamples).toEqual([]);
    expect(report.errors).toBe(0);
    expect(report.requests).toBeGreaterThan(200);
    expect(report.streams).toBeGreaterThanOrEqual(50);
    expect(report.events).toBeGreaterThan(50);
    // Bounded, not flat: a 5 s run includes warm-up (first job loads the pipeline). The 60 s figures are in
    // bench/bridge-load.md.
    expect(report.rssEndMiB - report.rssStartMiB).toBeLessThan(96);
  }, 60_000);
});
