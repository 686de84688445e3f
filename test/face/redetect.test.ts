import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDetector, type Detector } from '../../bridge/src/face/detector.js';
import { createMesh } from '../../bridge/src/face/mesh.js';
import { ensureFaceModel } from '../../bridge/src/face/models.js';
import { createTracker } from '../../bridge/src/face/tracker.js';
import type { Image } from '../../bridge/src/media/types.js';
import { createSession } from '../../bridge/src/onnx/session.js';
import { astronaut, sideBySide, tempCacheEnv } from './helpers.js';

/** When the tracker runs the detector: on the first frame, every N frames, on loss; new faces join at re-detection. */
describe('re-detection schedule', () => {
  let detector: Detector;
  let mesh: ReturnType<typeof createMesh>;
  const sessions: Awaited<ReturnType<typeof createSession>>[] = [];
  const calls: number[] = [];
  let frame = 0;
  beforeAll(async () => {
    const env = tempCacheEnv();
    const d = await createSession(ensureFaceModel('blazeface', { env }).file);
    const m = await createSession(ensureFaceModel('facemesh', { env }).file);
    sessions.push(d, m);
    const real = createDetector(d);
    detector = {
      ...real,
      detect: (image: Image) => {
        calls.push(frame);
        return real.detect(image);
      },
      detectAll: (image: Image, tiling?: { minTile?: number; maxRuns?: number }) => {
        calls.push(frame);
        return real.detectAll(image, tiling);
      },
    };
    mesh = createMesh(m);
  });
  afterAll(async () => {
    await Promise.all(sessions.map((s) => s.release()));
  });

  it('detects on frame 0 and then every N frames while the face is tracked', async () => {
    const tracker = createTracker({ detector, mesh }, { redetectEvery: 5 });
    calls.length = 0;
    for (frame = 0; frame < 12; frame++) expect((await tracker.track(astronaut(), frame)).faces).toHaveLength(1);
    expect(calls).toEqual([0, 5, 10]);
  });

  it('detects at once when the face is lost, on every frame while none is seen, and picks up a second face', async () => {
    const tracker = createTracker({ detector, mesh }, { redetectEvery: 30 });
    const blank: Image = { data: new Uint8Array(512 * 512 * 3).fill(90), width: 512, height: 512, channels: 3 };
    const one = sideBySide(astronaut(), blank);
    const two = sideBySide(astronaut(), astronaut());
    calls.length = 0;
    const seen: string[] = [];
    const empty = sideBySide(blank, blank);
    const frames = [one, one, empty, empty, one, one, two, two];
    for (frame = 0; frame < frames.length; frame++) {
      const r = await tracker.track(frames[frame], frame);
      seen.push(r.faces.map((f) => f.id).join(',') || (r.reason ?? ''));
    }
    expect(seen).toEqual(['0', '0', 'lost', 'no-face', '0', '0', '0', '0']);
    expect(calls).toEqual([0, 2, 3, 4]);
    // The second face appears on frame 6 but joins only at the next scheduled detection.
    for (; frame < 36; frame++) await tracker.track(two, frame);
    const last = await tracker.track(two, frame);
    expect(calls.at(-1)).toBe(34);
    expect(last.faces.map((f) => f.id).sort()).toEqual([0, 1]);
  });

  it('looks for a lost face every few frames while another face is still tracked', async () => {
    const tracker = createTracker({ detector, mesh }, { redetectEvery: 30, retryEvery: 3 });
    const blank: Image = { data: new Uint8Array(512 * 512 * 3).fill(90), width: 512, height: 512, channels: 3 };
    const one = sideBySide(astronaut(), blank);
    const two = sideBySide(astronaut(), astronaut());
    calls.length = 0;
    const seen: string[] = [];
    const frames = [two, two, one, one, two, two, two, two, two];
    for (frame = 0; frame < frames.length; frame++) {
      const r = await tracker.track(frames[frame], frame);
      seen.push(
        r.faces
          .map((f) => f.id)
          .sort()
          .join(','),
      );
    }
    // Lost on frame 2 (detector at once), retried on frame 5 where the face is back with its id.
    expect(calls).toEqual([0, 2, 5]);
    const kept = seen[2];
    expect(kept === '0' || kept === '1').toBe(true);
    expect(seen).toEqual(['0,1', '0,1', kept, kept, kept, '0,1', '0,1', '0,1', '0,1']);
  });
});
