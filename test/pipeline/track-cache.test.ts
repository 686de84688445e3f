/** Face tracks on disk: written record by record, read back by offset, and never trusted when cut short or foreign. */
import { readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { observation } from '../../bridge/src/face/tracker.js';
import type { FaceObservation } from '../../bridge/src/face/types.js';
import { createTrackWriter, openTrack } from '../../bridge/src/pipeline/track-cache.js';
import { seededRandom } from '../../bridge/src/util/random.js';
import { tempDir } from '../helpers/media.js';

function randomFace(id: number, seed: number, withIris: boolean): FaceObservation {
  const rnd = seededRandom(seed);
  const landmarks = Float32Array.from({ length: 468 * 3 }, () => 100 + rnd() * 200);
  const iris = withIris ? Float32Array.from({ length: 30 }, () => 100 + rnd() * 200) : undefined;
  return observation(id, 0.75, landmarks, iris);
}

async function writeTrack(file: string, key: string, faces: (FaceObservation | null)[]): Promise<void> {
  const writer = await createTrackWriter(file, key, 40);
  for (const f of faces) await writer.append(f);
  await writer.finish();
}

describe('track files', () => {
  const faces = [randomFace(3, 1, true), null, randomFace(3, 2, false), randomFace(3, 3, true)];

  it('round-trips faces (landmarks, iris, id, score; box, pose and expression rebuilt) and their median size', async () => {
    const file = path.join(tempDir(), 'tracks', 'k.track');
    await writeTrack(file, 'k', faces);
    const track = openTrack(file, 'k')!;
    expect(track).toBeDefined();
    expect([track.start, track.count]).toEqual([40, 4]);
    // The smoother's speed unit comes with the track: the median face size over the frames with a face.
    const scales = [faces[0], faces[2], faces[3]].map((f) => f!.pose.scale).sort((a, b) => a - b);
    expect(track.scale).toBe(scales[1]);
    expect(track.face(1)).toBeNull();
    expect(track.face(4)).toBeNull();
    expect(track.face(-1)).toBeNull();
    for (const i of [0, 2, 3]) expect(track.face(i)).toEqual(faces[i]);
    expect(track.face(2)!.iris).toBeUndefined();
    track.close();
    // Nothing but the final file is left in the folder.
    expect(readdirSync(path.dirname(file))).toEqual(['k.track']);
  });

  it('is not visible under its final name until finished; abort leaves nothing', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'k.track');
    const writer = await createTrackWriter(file, 'k', 0);
    await writer.append(faces[0]);
    expect(openTrack(file, 'k')).toBeUndefined();
    await writer.abort();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('refuses a track cut short, with another key, or not a track at all (so it is rebuilt)', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'k.track');
    await writeTrack(file, 'k', faces);
    expect(openTrack(file, 'other')).toBeUndefined();
    const whole = readFileSync(file);
    truncateSync(file, whole.length - 1);
    expect(openTrack(file, 'k')).toBeUndefined();
    writeFileSync(file, Buffer.concat([whole.subarray(0, 100), whole.subarray(whole.length - 200)]));
    expect(openTrack(file, 'k')).toBeUndefined();
    writeFileSync(file, 'not a track');
    expect(openTrack(file, 'k')).toBeUndefined();
    expect(openTrack(path.join(dir, 'missing.track'), 'k')).toBeUndefined();
  });
});

describe('a track made by two renders at once', () => {
  it('uses the one another render finished when writing its own fails, and fails when there is none', async () => {
    const { cachedTrack } = await import('../../bridge/src/pipeline/tracking.js');
    const dir = tempDir();
    const file = path.join(dir, 'k.track');
    const made = await cachedTrack(file, 'k', 40, async () => {
      await writeTrack(file, 'k', faces4()); // the other render finishes first…
      throw new Error('EPERM: operation not permitted, rename'); // …and replacing its open file fails here
    });
    expect(made.cached).toBe(true);
    expect(made.track.face(0)).toEqual(faces4()[0]);
    made.track.close();
    const lone = path.join(dir, 'lone.track');
    await expect(
      cachedTrack(lone, 'k', 40, async () => {
        throw new Error('disk gone');
      }),
    ).rejects.toThrow('disk gone');
    expect(readdirSync(dir)).toEqual(['k.track']);
  });
});

function faces4(): FaceObservation[] {
  return [randomFace(1, 7, true), randomFace(1, 8, true)];
}
