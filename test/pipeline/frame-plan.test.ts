import { describe, expect, it } from 'vitest';
import type { ProbeResult } from '../../bridge/src/media/types.js';
import { countOf, planFrames } from '../../bridge/src/pipeline/frame-plan.js';
import { parseJobSpec } from '../../bridge/src/pipeline/parse.js';
import type { JobSpecInput } from '../../bridge/src/pipeline/spec.js';

/** What probe() reports for a 25 fps clip of `frameCount` frames (a pure function needs no file). */
function clip(frameCount: number, kind: ProbeResult['kind'] = 'video'): ProbeResult {
  return {
    file: '/clips/take.mov',
    kind,
    width: 64,
    height: 48,
    pixelAspect: { num: 1, den: 1 },
    fps: { num: 25, den: 1 },
    frameCount,
    duration: frameCount / 25,
    rotation: 0,
    pixelFormat: 'yuv420p',
    hasAlpha: false,
    vfr: false,
    codec: 'h264',
  };
}

const spec = (extra: Partial<JobSpecInput> = {}) =>
  parseJobSpec({ source: '/p.png', driving: '/clips/take.mov', output: { dir: '/out' }, ...extra });

describe('planFrames', () => {
  it('maps every output frame to its driving frame, the whole job by default', () => {
    const plan = planFrames(spec(), clip(10));
    expect(plan).toMatchObject({
      range: { start: 0, end: 9 },
      fps: { num: 25, den: 1 },
      total: 10,
      run: { start: 0, end: 9 },
    });
    expect(Array.from({ length: 10 }, (_, i) => plan.drivingFrame(i))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(countOf(plan.run)).toBe(10);
  });

  it('says where each output frame falls between clip frames, exactly (motion conform)', () => {
    const plan = planFrames(spec({ fps: '30000/1001', range: { start: 4, end: 9 } }), clip(10));
    // 25 fps → 29.97: output frame k is at clip position 4 + k·25·1001/30000.
    expect([0, 1, 5, 6].map((k) => plan.drivingPosition(k))).toEqual([
      { frame: 4, weight: 0 },
      { frame: 4, weight: 25025 / 30000 },
      { frame: 8, weight: 5125 / 30000 },
      { frame: 9, weight: 150 / 30000 },
    ]);
    for (let k = 0; k < plan.total; k++) expect(plan.drivingPosition(k).frame).toBe(plan.drivingFrame(k));
  });

  it('conforms a clip range to the output rate, and a chunk keeps the whole job’s map', () => {
    const whole = planFrames(spec({ fps: '50', range: { start: 4, end: 7 } }), clip(10));
    expect(whole.total).toBe(8);
    expect(Array.from({ length: 8 }, (_, i) => whole.drivingFrame(i))).toEqual([4, 4, 5, 5, 6, 6, 7, 7]);
    const chunk = planFrames(spec({ fps: '50', range: { start: 4, end: 7 }, chunk: { start: 3, end: 5 } }), clip(10));
    expect(chunk).toMatchObject({ total: 8, run: { start: 3, end: 5 } });
    expect([3, 4, 5].map((i) => chunk.drivingFrame(i))).toEqual([5, 6, 6]);
    // NTSC film from 25 fps: frames are skipped, never invented.
    const film = planFrames(spec({ fps: '24000/1001' }), clip(30));
    expect(film.total).toBe(29);
    expect([22, 23, 24, 25, 28].map((i) => film.drivingFrame(i))).toEqual([22, 23, 25, 26, 29]);
  });

  it('refuses a still, a chunk outside the job and a chunked movie', () => {
    expect(() => planFrames(spec(), clip(1, 'still'))).toThrow(
      'Expected a video clip for the driving performance but received a still image (/clips/take.mov). Pick the performance footage.',
    );
    expect(() => planFrames(spec({ chunk: { start: 8, end: 10 } }), clip(10))).toThrow(
      'Expected a chunk within output frames 0-9 but received 8-10 (/clips/take.mov). Split the job with its own frame count.',
    );
    expect(() =>
      planFrames(spec({ chunk: { start: 0, end: 3 }, output: { dir: '/out', format: 'prores' } }), clip(10)),
    ).toThrow(
      'Expected format png for a chunked render but received prores. Chunks render PNG frames; mergeChunks encodes the movie.',
    );
    expect(() => planFrames(spec({ range: { start: 12, end: 14 } }), clip(10))).toThrow(
      'Expected a frame range within 0-9 for /clips/take.mov but received 12-14: the clip has 10 frames.',
    );
  });
});
