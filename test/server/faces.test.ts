/**
 * The face picker endpoint on real media: the bundled portrait and driving clip through the real face models
 * (converted into the suite's cache on first use), with PNG thumbnails, over HTTP with the typed client.
 */
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleFrames, thumbnail } from '../../bridge/src/server/faces.js';
import { DRIVING, PORTRAIT } from '../helpers/media.js';
import { expectApiError, startTestBridge, type TestBridge } from './helpers.js';

let t: TestBridge;

beforeAll(async () => {
  t = await startTestBridge();
});

afterAll(async () => {
  await t?.bridge.close();
});

describe('face picker', () => {
  it('lists the faces of the portrait and of sampled driving frames, with PNG thumbnails', async () => {
    const res = await t.client.faces({ source: PORTRAIT, driving: DRIVING, samples: 3, thumbSize: 64 });
    expect(res.source).toMatchObject({ path: PORTRAIT, width: 512, height: 512 });
    expect(res.source.faces).toHaveLength(1);
    const face = res.source.faces[0];
    expect(face).toMatchObject({ index: 0, id: 0 });
    expect(face.score).toBeGreaterThan(0.5);
    // The astronaut's face sits in the upper middle of the photo.
    expect(face.box.x + face.box.width / 2).toBeGreaterThan(150);
    expect(face.box.x + face.box.width / 2).toBeLessThan(350);
    const png = PNG.sync.read(Buffer.from(face.thumbnail, 'base64'));
    expect([png.width, png.height]).toEqual([face.thumbWidth, face.thumbHeight]);
    expect(Math.max(png.width, png.height)).toBe(64);

    expect(res.driving).toMatchObject({ path: DRIVING, width: 320, height: 400 });
    expect(res.driving!.frames.map((f) => f.index)).toEqual([0, 172, 344]);
    expect(res.driving!.frames[0].faces).toHaveLength(1);
    expect(res.driving!.frames[0].faces[0].id).toBe(0);
  });

  it('refuses a missing file with the path and the fix', async () => {
    await expectApiError(t.client.faces({ source: '/no/such/portrait.png' }), {
      status: 400,
      code: 'BAD_INPUT',
      message: 'Expected an existing file for source but received /no/such/portrait.png (not found). Check the path.',
    });
  });

  it('samples frames evenly and crops thumbnails inside the image', () => {
    expect(sampleFrames(0, 9, 3)).toEqual([0, 5, 9]);
    expect(sampleFrames(10, 11, 5)).toEqual([10, 11]);
    expect(sampleFrames(4, 100, 1)).toEqual([4]);
    const image = { data: new Uint8Array(10 * 10 * 3).fill(200), width: 10, height: 10, channels: 3 as const };
    const thumb = thumbnail(image, { x: 8, y: 8, width: 6, height: 6 }, 32);
    expect([thumb.width, thumb.height]).toEqual([4, 4]); // grown 20 %, clamped to the image: x and y 6 … 10
    expect([...thumb.data.slice(0, 3)]).toEqual([200, 200, 200]);
  });
});
