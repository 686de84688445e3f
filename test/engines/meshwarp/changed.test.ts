/**
 * The box a meshwarp frame reports as changed (RenderedFrame.changed) is what the PNG writer compares with the
 * portrait; outside it the writer takes the portrait's bytes, so a box that is too small would put the portrait where
 * the head is. Every pixel that differs from the neutral portrait must lie inside the reported box: on the bundled
 * driving clip's tracked faces (its profile turn, blinks and speech) and on poses beyond it, for both heads.
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONTROLS } from '../../../bridge/src/engines/controls.js';
import { createMeshwarpEngine } from '../../../bridge/src/engines/meshwarp/index.js';
import type { DrivingFrame } from '../../../bridge/src/engines/types.js';
import { createFaceTracker } from '../../../bridge/src/face/index.js';
import type { FaceObservation } from '../../../bridge/src/face/types.js';
import { decodeFrames } from '../../../bridge/src/media/decode.js';
import { changedBox } from '../../../bridge/src/media/png-delta.js';
import { neutralFrame } from '../../../bridge/src/pipeline/frame-images.js';
import { astronaut, closeEyes, controls, moveHead, openMouth } from './fixtures.js';

const DRIVING = path.resolve(import.meta.dirname, '../../fixtures/media/driving-talk.mp4');
const { image, face } = astronaut();
const neutral = neutralFrame(image).data;
/** Tracked faces of the clip's frames 120–229 (the turn to profile and back), every second one. */
const clip: DrivingFrame[] = [];

beforeAll(async () => {
  const tracker = await createFaceTracker();
  for await (const f of decodeFrames(DRIVING, { range: { start: 0, end: 229 } })) {
    const found = await tracker.track(f, f.index);
    if (f.index >= 120 && f.index % 2 === 0)
      clip.push({ index: f.index, time: f.time, face: found.faces[0] ?? null, controls: DEFAULT_CONTROLS });
  }
  await tracker.dispose();
}, 120_000);

/** Poses beyond the clip: big turns and shifts (the base frame's hole shows), an open mouth, shut eyes, gaze. */
function poses(): FaceObservation[] {
  const out: FaceObservation[] = [];
  for (const [deg, dx, dy] of [
    [0, 0, 0],
    [25, 60, -30],
    [-30, -90, 40],
    [5, 200, 0],
    [0, 0, -150],
  ])
    out.push(moveHead(face, deg, dx, dy));
  out.push(openMouth(face, 14), closeEyes(face, 1), closeEyes(openMouth(moveHead(face, -12, 30, 10), 8), 0.6));
  return out;
}

function expectInside(frame: Uint8Array, changed: unknown, what: string): void {
  const exact = changedBox(frame, neutral, image.width, image.height, 4);
  expect(changed, `${what}: a changed box`).not.toBeUndefined();
  if (!exact) return;
  const box = changed as { x0: number; y0: number; x1: number; y1: number } | null;
  expect(box, `${what}: pixels changed in ${JSON.stringify(exact)} but the box is null`).not.toBeNull();
  const inside = exact.x0 >= box!.x0 && exact.y0 >= box!.y0 && exact.x1 <= box!.x1 && exact.y1 <= box!.y1;
  expect(inside, `${what}: changed ${JSON.stringify(exact)} outside the reported ${JSON.stringify(box)}`).toBe(true);
}

describe.each(['3d', '2d'])('meshwarp head=%s: the reported changed box', (head) => {
  it('holds every changed pixel, on the clip and on poses beyond it', async () => {
    const engine = createMeshwarpEngine({ head });
    await engine.prepare(image, face);
    await engine.setReference({ index: 0, time: 0, face, controls: controls() });
    let moved = 0;
    for (const [k, f] of poses().entries()) {
      for (const c of [
        controls(),
        controls({ gazeLeft: [0.4, -0.3], gazeRight: [0.4, -0.3], holdPose: k % 2 === 1 }),
      ]) {
        const out = await engine.render({ index: k, time: 0, face: f, controls: c });
        expectInside(out.image.data, out.changed, `pose ${k}`);
        if (out.changed) moved++;
      }
    }
    await engine.setReference(clip[0]);
    for (const frame of clip) {
      const out = await engine.render(frame);
      expectInside(out.image.data, out.changed, `clip frame ${frame.index}`);
    }
    const none = await engine.render({ index: 0, time: 0, face: null, controls: controls() });
    expectInside(none.image.data, none.changed, 'no face');
    expect(moved).toBeGreaterThan(8);
    await engine.dispose();
  }, 120_000);
});
