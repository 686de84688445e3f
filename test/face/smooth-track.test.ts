import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createChoiceFollower, createFaceSmoother, followChoice, smoothFaces } from '../../bridge/src/face/index.js';
import { median } from '../../bridge/src/face/smooth-track.js';
import { observation } from '../../bridge/src/face/tracker.js';
import type { FaceObservation, FrameFaces } from '../../bridge/src/face/types.js';
import { fixture } from './helpers.js';

const fx = JSON.parse(fs.readFileSync(fixture('landmarks', 'astronaut.json'), 'utf8'));
const base = Float32Array.from((fx.landmarks as number[][]).flat());
const baseIris = Float32Array.from((fx.iris as number[][]).flat());

/** The fixture face moved by (dx, dy), with deterministic per-point jitter of ±j px. */
function face(id: number, dx: number, dy: number, j = 0, seed = 0): FaceObservation {
  const l = base.map((v, i) => {
    const s = Math.sin((i + 1) * 12.9898 + seed * 78.233) * 43758.5453;
    const noise = (s - Math.floor(s) - 0.5) * 2 * j;
    return v + (i % 3 === 0 ? dx : i % 3 === 1 ? dy : 0) + noise;
  });
  const ir = baseIris.map((v, i) => v + (i % 3 === 0 ? dx : i % 3 === 1 ? dy : 0));
  return observation(id, 1, l, ir);
}

describe('followChoice', () => {
  const frames: FrameFaces[] = [
    { index: 0, faces: [], reason: 'no-face' },
    { index: 1, faces: [face(0, 0, 0), face(1, 300, 0)] },
    { index: 2, faces: [face(1, 300, 0)] },
    { index: 3, faces: [face(0, 2, 0), face(1, 302, 0)] },
  ];
  it('resolves the choice on the first frame with faces and follows that id', () => {
    const byPoint = followChoice(frames, { by: 'point', x: 525, y: 110 });
    expect(byPoint.id).toBe(1);
    expect(byPoint.faces.map((f) => f?.id ?? null)).toEqual([null, 1, 1, 1]);
    const byId = followChoice(frames, { by: 'id', id: 0 });
    expect(byId.faces.map((f) => f?.id ?? null)).toEqual([null, 0, null, 0]);
    expect(followChoice(frames, { by: 'index', index: 5 }).id).toBeUndefined();
    expect(followChoice(frames, { by: 'largest' }, 2).id).toBe(1);
  });

  it('frame by frame (createChoiceFollower) gives the same faces', () => {
    for (const choice of [
      { by: 'point', x: 525, y: 110 },
      { by: 'id', id: 0 },
      { by: 'index', index: 5 },
      { by: 'largest' },
    ] as const) {
      const follow = createChoiceFollower(choice);
      expect(frames.map((f) => follow(f))).toEqual(followChoice(frames, choice).faces);
    }
  });
});

describe('smoothFaces', () => {
  const track = Array.from({ length: 40 }, (_, i) => (i === 20 ? null : face(0, i * 0.5, 0, 1.5, i)));

  it('strength 0 returns the faces unchanged; null stays null', () => {
    expect(smoothFaces(track, { strength: 0, fps: 25 })).toEqual(track);
    expect(smoothFaces(track, { strength: 0.8, fps: 25 })[20]).toBeNull();
  });

  it('reduces landmark jitter and recomputes pose and box from the smoothed points', () => {
    const smooth = smoothFaces(track, { strength: 0.8, fps: 25 });
    const jitter = (faces: (FaceObservation | null)[]) => {
      let e = 0;
      for (let i = 25; i < 40; i++) {
        const l = faces[i]!.landmarks;
        for (let p = 0; p < 468; p++) e += (l[3 * p + 1] - base[3 * p + 1]) ** 2;
      }
      return e;
    };
    expect(jitter(smooth)).toBeLessThan(jitter(track) / 4);
    const f = smooth[30]!;
    expect(f.pose.x).not.toBe(track[30]!.pose.x);
    expect(f.box.x).toBeCloseTo(Math.min(...Array.from({ length: 468 }, (_, p) => f.landmarks[3 * p])), 4);
    expect(f.iris).toHaveLength(30);
  });

  it('a chunk equals the same frames of the whole run (full warm-up)', () => {
    const whole = smoothFaces(track, { strength: 0.5, fps: 25 });
    expect(smoothFaces(track, { strength: 0.5, fps: 25, from: 28, to: 35 })).toEqual(whole.slice(28, 35));
  });
});

describe('createFaceSmoother', () => {
  it('fed frame by frame equals smoothFaces over the whole track', () => {
    const track = Array.from({ length: 30 }, (_, i) => (i % 11 === 5 ? null : face(0, i, -i, 2, i)));
    const scale = median(track.filter((f): f is FaceObservation => f !== null).map((f) => f.pose.scale));
    const smoother = createFaceSmoother({ strength: 0.6, fps: 30, scale });
    expect(track.map((f) => smoother.step(f))).toEqual(smoothFaces(track, { strength: 0.6, fps: 30 }));
    expect(median([3, 1, 2])).toBe(2);
    expect(median([])).toBe(1);
  });
});
