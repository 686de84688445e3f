import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { benchTracker } from '../../bridge/src/face/bench.js';
import { sampleAffine } from '../../bridge/src/face/image.js';
import { chooseFace, createFaceTracker, type FaceObservation, type FaceTracker } from '../../bridge/src/face/index.js';
import { decodeFrames } from '../../bridge/src/media/decode.js';
import type { Image } from '../../bridge/src/media/types.js';
import { astronaut, FFMPEG, fixture, sideBySide, tempCacheEnv } from './helpers.js';

/** `src` scaled by `k` (bilinear), RGB. */
function scaled(src: Image, k: number): Image {
  const width = Math.round(src.width * k);
  const height = Math.round(src.height * k);
  const f = new Float32Array(width * height * 3);
  sampleAffine(src, [1 / k, 0, 0, 0, 1 / k, 0], width, height, f, 1, 0);
  return { data: Uint8Array.from(f, (v) => Math.round(v)), width, height, channels: 3 };
}

/** A w×h RGB window of `src` whose top-left is at (x, y); outside is mid-grey. */
function windowOf(src: Image, x: number, y: number, w: number, h: number): Image {
  const data = new Uint8Array(w * h * 3).fill(96);
  for (let j = 0; j < h; j++)
    for (let i = 0; i < w; i++) {
      const sx = x + i;
      const sy = y + j;
      if (sx < 0 || sy < 0 || sx >= src.width || sy >= src.height) continue;
      for (let c = 0; c < 3; c++) data[(j * w + i) * 3 + c] = src.data[(sy * src.width + sx) * src.channels + c];
    }
  return { data, width: w, height: h, channels: 3 };
}

/** Round-trips frames through a real H.264 encode/decode with ffmpeg (as a driving clip would arrive). */
function throughH264(frames: Image[]): Image[] {
  const { width, height } = frames[0];
  const size = width * height * 3;
  const raw = Buffer.concat(frames.map((f) => Buffer.from(f.data)));
  const enc = spawnSync(
    FFMPEG,
    ['-v', 'error', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${width}x${height}`, '-r', '25', '-i', '-'].concat([
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-crf',
      '12',
      '-pix_fmt',
      'yuv444p',
      '-f',
      'matroska',
      '-',
    ]),
    { input: raw, maxBuffer: 1 << 28 },
  );
  expect(enc.status).toBe(0);
  const dec = spawnSync(FFMPEG, ['-v', 'error', '-i', '-', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], {
    input: enc.stdout,
    maxBuffer: 1 << 28,
  });
  expect(dec.status).toBe(0);
  expect(dec.stdout.length).toBe(size * frames.length);
  return frames.map((_, i) => ({
    data: new Uint8Array(dec.stdout.buffer, dec.stdout.byteOffset + i * size, size),
    width,
    height,
    channels: 3,
  }));
}

const lm = (f: FaceObservation, i: number) => [f.landmarks[3 * i], f.landmarks[3 * i + 1]];

describe('face tracker on real photos', () => {
  let tracker: FaceTracker;
  beforeAll(async () => {
    tracker = await createFaceTracker({ env: tempCacheEnv() });
  });
  afterAll(async () => {
    await tracker.dispose();
  });

  it('finds the one face of the astronaut portrait near (224,124) with ~62 px between the eyes', async () => {
    const faces = await tracker.detect(astronaut());
    expect(faces).toHaveLength(1);
    const [f] = faces;
    expect(f.id).toBe(0);
    expect(f.score).toBeGreaterThan(0.9);
    expect(Math.hypot(f.box.x + f.box.width / 2 - 224, f.box.y + f.box.height / 2 - 124)).toBeLessThan(10);
    expect(f.pose.scale).toBeGreaterThan(56);
    expect(f.pose.scale).toBeLessThan(68);
    expect(Math.abs(f.pose.roll)).toBeLessThan(0.15);
    expect(Math.abs(f.pose.yaw)).toBeLessThan(0.2);
    expect(f.landmarks).toHaveLength(468 * 3);
    expect(f.iris).toHaveLength(30);
  });

  it('tiny and blank images give no faces, not errors; a malformed image is a clear error', async () => {
    const tiny: Image = { data: new Uint8Array(8 * 8 * 3).fill(128), width: 8, height: 8, channels: 3 };
    expect(await tracker.detect(tiny)).toEqual([]);
    tracker.reset();
    expect(await tracker.track(tiny, 7)).toEqual({ index: 7, faces: [], reason: 'no-face' });
    await expect(tracker.track({ ...tiny, width: 9 }, 8)).rejects.toThrow(
      "Expected 216 bytes (9×8×3) for the face tracker's image but received 192.",
    );
  });

  it('finds a small face in a large still by scanning tiles', async () => {
    // The portrait at half size (face ≈ 50 px) in a 2048×1536 grey frame: 6 px wide in one letterboxed pass.
    const small = scaled(astronaut(), 0.5);
    const big: Image = { data: new Uint8Array(2048 * 1536 * 3).fill(110), width: 2048, height: 1536, channels: 3 };
    for (let y = 0; y < small.height; y++)
      big.data.set(small.data.subarray(y * small.width * 3, (y + 1) * small.width * 3), ((900 + y) * 2048 + 1400) * 3);
    const faces = await tracker.detect(big);
    expect(faces).toHaveLength(1);
    expect(Math.abs(faces[0].pose.x - (1400 + 225 / 2))).toBeLessThan(6);
    expect(Math.abs(faces[0].pose.y - (900 + 104 / 2))).toBeLessThan(6);
    expect(faces[0].pose.scale).toBeGreaterThan(26);
    expect(faces[0].pose.scale).toBeLessThan(36);
    // A clip of such frames: the first frame's detection scans tiles too, then the face is tracked by its landmarks.
    tracker.reset();
    for (let i = 0; i < 3; i++) {
      const r = await tracker.track(big, i);
      expect(r.faces.map((f) => f.id)).toEqual([0]);
      expect(Math.abs(r.faces[0].pose.x - faces[0].pose.x)).toBeLessThan(3);
    }
  });

  it('places eyes, nose and mouth where they belong (and irises inside the eyes)', async () => {
    const [f] = await tracker.detect(astronaut());
    const [eyeLx, eyeLy] = lm(f, 33);
    const [eyeRx, eyeRy] = lm(f, 263);
    const [noseX, noseY] = lm(f, 1);
    const [mouthX, mouthY] = lm(f, 13);
    const [chinX, chinY] = lm(f, 152);
    expect(eyeLx).toBeLessThan(noseX);
    expect(eyeRx).toBeGreaterThan(noseX);
    expect(Math.abs(eyeLy - eyeRy)).toBeLessThan(8);
    expect(noseY).toBeGreaterThan(eyeLy + 15);
    expect(mouthY).toBeGreaterThan(noseY);
    expect(chinY).toBeGreaterThan(mouthY + 10);
    for (const x of [noseX, mouthX, chinX]) expect(Math.abs(x - (eyeLx + eyeRx) / 2)).toBeLessThan(8);
    // Iris centres lie between each eye's corners.
    const iris = f.iris!;
    expect(iris[0]).toBeGreaterThan(lm(f, 33)[0]);
    expect(iris[0]).toBeLessThan(lm(f, 133)[0]);
    expect(iris[15]).toBeGreaterThan(lm(f, 362)[0]);
    expect(iris[15]).toBeLessThan(lm(f, 263)[0]);
    expect(Math.abs(iris[1] - eyeLy)).toBeLessThan(6);
  });

  it('is deterministic (same input → same landmark bytes) and matches the committed fixture', async () => {
    const [a] = await tracker.detect(astronaut());
    const other = await createFaceTracker({ env: tempCacheEnv() });
    const [b] = await other.detect(astronaut());
    await other.dispose();
    expect(Buffer.from(b.landmarks.buffer).equals(Buffer.from(a.landmarks.buffer))).toBe(true);
    expect(Buffer.from(b.iris!.buffer).equals(Buffer.from(a.iris!.buffer))).toBe(true);
    const fx = JSON.parse(fs.readFileSync(fixture('landmarks', 'astronaut.json'), 'utf8'));
    const flat = (fx.landmarks as number[][]).flat();
    let max = 0;
    for (let i = 0; i < flat.length; i++) max = Math.max(max, Math.abs(flat[i] - a.landmarks[i]));
    expect(max).toBeLessThan(2e-3); // fixture values are rounded to 0.001
  });

  it('chooses among two faces by index (largest first), id and point', async () => {
    const big = windowOf(astronaut(), 100, 0, 250, 300);
    const small = scaled(big, 0.8);
    const pair = sideBySide(big, small);
    const faces = await tracker.detect(pair);
    expect(faces).toHaveLength(2);
    const [first, second] = faces;
    // Largest first: the full-size copy (left) is index 0 / id 0.
    expect(first.box.x + first.box.width / 2).toBeLessThan(250);
    expect(second.box.x + second.box.width / 2).toBeGreaterThan(250);
    expect(first.pose.scale / second.pose.scale).toBeGreaterThan(1.15);
    expect([first.id, second.id]).toEqual([0, 1]);
    expect(chooseFace(faces, { by: 'largest' })).toBe(first);
    expect(chooseFace(faces, { by: 'index', index: 1 })).toBe(second);
    expect(chooseFace(faces, { by: 'index', index: 2 })).toBeUndefined();
    expect(chooseFace(faces, { by: 'id', id: 1 })).toBe(second);
    expect(chooseFace(faces, { by: 'point', x: second.pose.x, y: second.pose.y })).toBe(second);
    expect(chooseFace(faces, { by: 'point', x: first.pose.x, y: first.pose.y })).toBe(first);
    expect(chooseFace(faces, { by: 'point', x: 2, y: 298 })).toBeUndefined();

    // Tracked over frames the ids stay with their faces, even when the other face is the larger one.
    tracker.reset();
    const swapped = sideBySide(scaled(big, 0.8), big);
    const f0 = await tracker.track(pair, 0);
    const f1 = await tracker.track(pair, 1);
    expect(f0.faces.map((f) => f.id).sort()).toEqual([0, 1]);
    expect(f1.faces.map((f) => f.id).sort()).toEqual([0, 1]);
    const left0 = f0.faces.find((f) => f.pose.x < 250)!.id;
    expect(f1.faces.find((f) => f.pose.x < 250)!.id).toBe(left0);
    tracker.reset();
    const s0 = await tracker.track(swapped, 0);
    expect(chooseFace(s0.faces, { by: 'largest' })!.pose.x).toBeGreaterThan(200);
  });

  it('reports frames without a face and gives a returning face its id back (real H.264 clip)', async () => {
    const base = windowOf(astronaut(), 96, 0, 256, 256);
    const frames: Image[] = [];
    for (let i = 0; i < 6; i++) frames.push(windowOf(astronaut(), 96 - 2 * i, 2 * i, 256, 256)); // face in view, moving
    for (let i = 1; i <= 4; i++) frames.push(windowOf(astronaut(), 86 - 60 * i, 10, 256, 256)); // slides out to the right
    for (let i = 0; i < 4; i++) frames.push(windowOf(astronaut(), 1000, 0, 256, 256)); // empty grey
    for (let i = 0; i < 4; i++) frames.push(base); // back
    const clip = throughH264(frames);
    tracker.reset();
    const results = [];
    for (let i = 0; i < clip.length; i++) results.push(await tracker.track(clip[i], i));
    expect(results.map((r) => r.index)).toEqual(clip.map((_, i) => i));
    for (let i = 0; i < 6; i++) expect(results[i].faces.map((f) => f.id)).toEqual([0]);
    for (let i = 10; i < 14; i++) {
      expect(results[i].faces).toEqual([]);
      expect(results[i].reason).toBe('no-face');
    }
    expect(results.slice(6, 11).some((r) => r.faces.length === 0 && r.reason === 'lost')).toBe(true);
    for (let i = 14; i < 18; i++) expect(results[i].faces.map((f) => f.id)).toEqual([0]);
    // Tracked positions follow the motion: the face moves left-down by (−2, +2) per frame in the window → +2, −2.
    const x0 = results[0].faces[0].pose.x;
    const x5 = results[5].faces[0].pose.x;
    expect(x5 - x0).toBeGreaterThan(7);
    expect(x5 - x0).toBeLessThan(13);

    // Same clip again from a reset: identical landmark bytes.
    tracker.reset();
    for (let i = 0; i < 6; i++) {
      const again = await tracker.track(clip[i], i);
      expect(
        Buffer.from(again.faces[0].landmarks.buffer).equals(Buffer.from(results[i].faces[0].landmarks.buffer)),
      ).toBe(true);
    }
  });

  it('follows the real driving clip through a turn to profile with one stable id', async () => {
    tracker.reset();
    const yaws: number[] = [];
    for await (const frame of decodeFrames(fixture('media', 'driving-talk.mp4'), { range: { start: 130, end: 176 } })) {
      const r = await tracker.track(frame, frame.index);
      expect(r.faces.map((f) => f.id)).toEqual([0]);
      yaws.push(r.faces[0].pose.yaw);
    }
    expect(yaws).toHaveLength(47); // the range is inclusive
    expect(Math.abs(yaws[0])).toBeLessThan(0.2);
    // The performer turns toward image right (their left): yaw goes negative, past 40°.
    expect(Math.min(...yaws)).toBeLessThan(-0.7);
    expect(Math.max(...yaws)).toBeLessThan(0.2);
  });

  it('benchTracker tracks a sequence and reports throughput', async () => {
    const blank: Image = { data: new Uint8Array(64 * 64 * 3), width: 64, height: 64, channels: 3 };
    const r = await benchTracker([astronaut(), astronaut(), blank], { env: tempCacheEnv(), iris: false });
    expect(r.frames).toBe(3);
    expect(r.withFace).toBe(2);
    expect(r.fps).toBeGreaterThan(0);
    expect(r.fpsPerCore).toBeGreaterThan(0);
  });

  it('runs overlapping calls one at a time in call order; refuses calls after dispose', async () => {
    const t = await createFaceTracker({ env: tempCacheEnv(), iris: false });
    const blank: Image = { data: new Uint8Array(64 * 64 * 3), width: 64, height: 64, channels: 3 };
    const [still, f0, f1, f2] = await Promise.all([
      t.detect(astronaut()),
      t.track(astronaut(), 0),
      t.track(blank, 1),
      t.track(astronaut(), 2),
    ]);
    expect(still).toHaveLength(1);
    expect(f0.faces.map((f) => f.id)).toEqual([0]);
    expect(f1).toEqual({ index: 1, faces: [], reason: 'lost' });
    expect(f2.faces.map((f) => f.id)).toEqual([0]);
    await expect(t.track({ ...blank, width: 65 }, 3)).rejects.toThrow('Expected 12480 bytes');
    expect((await t.track(astronaut(), 4)).faces).toHaveLength(1);
    await t.dispose();
    await t.dispose();
    await expect(t.detect(astronaut())).rejects.toThrow(
      'Expected a live face tracker for detect() but it was disposed.',
    );
  });
});
