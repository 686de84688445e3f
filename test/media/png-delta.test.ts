/**
 * The in-process PNG encoder: checksums and the filter on hand-checked values, then real round trips (pngjs and
 * ffmpeg decode every file back to the exact pixels) for changes anywhere in the frame, and bytes that do not depend
 * on what the encoder had cached.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { readImage } from '../../bridge/src/media/decode.js';
import {
  adler32,
  adler32Combine,
  averageFilter,
  changedBox,
  crc32,
  createPngDeltaEncoder,
} from '../../bridge/src/media/png-delta.js';
import { numberedFiles, openPngSequence } from '../../bridge/src/media/png-sequence.js';
import { seededRandom } from '../../bridge/src/util/random.js';
import { PORTRAIT, tempDir } from '../helpers/media.js';

const bytes = (s: string) => new Uint8Array(Buffer.from(s, 'latin1'));
/** Byte equality without a megabyte-long diff on failure. */
const expectSame = (a: Uint8Array, b: Uint8Array) => expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);

describe('checksums', () => {
  it('Adler-32 and its combination match the published values', () => {
    expect(adler32(bytes('Wikipedia'))).toBe(0x11e60398);
    expect(adler32(new Uint8Array(0))).toBe(1);
    expect(adler32Combine(adler32(bytes('Wiki')), adler32(bytes('pedia')), 5)).toBe(0x11e60398);
    // Long input: the modulo steps and the combination agree with the one-pass sum.
    const long = new Uint8Array(100_003).fill(255);
    const whole = adler32(long);
    expect(adler32Combine(adler32(long.subarray(0, 40_000)), adler32(long.subarray(40_000)), 60_003)).toBe(whole);
    let a = 1;
    let b = 0;
    for (const v of long) {
      a = (a + v) % 65521;
      b = (b + a) % 65521;
    }
    expect(whole).toBe(((b << 16) | a) >>> 0);
  });

  it('CRC-32 matches the check value, continued over pieces', () => {
    expect(crc32(bytes('123456789'))).toBe(0xcbf43926);
    expect(crc32(bytes('56789'), crc32(bytes('1234')))).toBe(0xcbf43926);
  });
});

describe('Average filter', () => {
  it('gives the same bytes four at a time (aligned RGBA) as byte by byte (unaligned)', () => {
    const w = 9;
    const h = 5;
    const rgba = noise(w, h, 4, 3);
    const unaligned = new Uint8Array(rgba.length + 1).subarray(1);
    unaligned.set(rgba);
    const words = new Uint8Array(h * (w * 4 + 1));
    const bytes = new Uint8Array(h * (w * 4 + 1));
    averageFilter(rgba, words, w, 4, 0, 0, h - 1, 0, w - 1);
    averageFilter(unaligned, bytes, w, 4, 0, 0, h - 1, 0, w - 1);
    expectSame(words, bytes);
    // A sub-box leaves the other bytes alone, in both paths.
    const a = new Uint8Array(words.length).fill(7);
    const b = new Uint8Array(words.length).fill(7);
    averageFilter(rgba, a, w, 4, 0, 1, 3, 2, 6);
    averageFilter(unaligned, b, w, 4, 0, 1, 3, 2, 6);
    expectSame(a, b);
    expect(a[0]).toBe(7);
    expect(a[w * 4 + 1]).toBe(3);
    expect(a[w * 4 + 2]).toBe(7);
  });

  it('subtracts the floor mean of the left and upper bytes (0 outside the image)', () => {
    // 2×2 RGB: rows [10,20,30 | 50,60,70] and [100,110,120 | 1,2,3].
    const img = new Uint8Array([10, 20, 30, 50, 60, 70, 100, 110, 120, 1, 2, 3]);
    const out = new Uint8Array(2 * 7);
    averageFilter(img, out, 2, 3, 0, 0, 1, 0, 1);
    expect([...out]).toEqual([
      3,
      10,
      20,
      30,
      50 - 5,
      60 - 10,
      70 - 15,
      3,
      100 - 5,
      110 - 10,
      120 - 15,
      (1 - ((100 + 50) >> 1)) & 255,
      (2 - ((110 + 60) >> 1)) & 255,
      (3 - ((120 + 70) >> 1)) & 255,
    ]);
  });
});

function noise(width: number, height: number, channels: 3 | 4, seed: number): Uint8Array {
  const rnd = seededRandom(seed);
  return Uint8Array.from({ length: width * height * channels }, () => Math.floor(rnd() * 256));
}

/** The background with a box of pixels changed. */
function withBox(bg: Uint8Array, width: number, channels: number, box: [number, number, number, number], seed: number) {
  const out = Uint8Array.from(bg);
  const rnd = seededRandom(seed);
  for (let y = box[1]; y <= box[3]; y++)
    for (let x = box[0]; x <= box[2]; x++)
      for (let c = 0; c < channels; c++) out[(y * width + x) * channels + c] = Math.floor(rnd() * 256);
  return out;
}

/** Decodes with pngjs after checking every chunk's CRC and the zlib stream (Adler-32 included) by hand. */
function decode(pieces: Buffer[]): Uint8Array {
  const png = Buffer.concat(pieces);
  const idat: Buffer[] = [];
  for (let at = 8; at < png.length; ) {
    const length = png.readUInt32BE(at);
    const body = png.subarray(at + 4, at + 8 + length);
    expect(png.readUInt32BE(at + 8 + length)).toBe(crc32(body));
    if (body.toString('latin1', 0, 4) === 'IDAT') idat.push(body.subarray(4));
    at += 12 + length;
  }
  const { width, height } = PNG.sync.read(png);
  const channels = png[25] === 6 ? 4 : 3;
  expect(zlib.inflateSync(Buffer.concat(idat)).length).toBe(height * (width * channels + 1));
  return PNG.sync.read(png).data;
}

const toRgba = (data: Uint8Array, channels: number) =>
  channels === 4
    ? data
    : Uint8Array.from({ length: (data.length / 3) * 4 }, (_, i) => (i % 4 === 3 ? 255 : data[(i >> 2) * 3 + (i % 4)]));

describe('delta encoding', () => {
  const W = 37;
  const H = 23;
  const boxes: [string, [number, number, number, number]][] = [
    ['top-left pixel', [0, 0, 0, 0]],
    ['bottom-right pixel', [W - 1, H - 1, W - 1, H - 1]],
    ['last row', [0, H - 1, W - 1, H - 1]],
    ['last column', [W - 1, 0, W - 1, H - 1]],
    ['a middle box', [10, 5, 20, 12]],
    ['everything', [0, 0, W - 1, H - 1]],
  ];

  it('finds the changed box', () => {
    const bg = noise(W, H, 4, 1);
    expect(changedBox(bg, bg, W, H, 4)).toBeNull();
    for (const [, box] of boxes) {
      const frame = withBox(bg, W, 4, box, 2);
      expect(changedBox(frame, bg, W, H, 4)).toEqual({ x0: box[0], y0: box[1], x1: box[2], y1: box[3] });
    }
    // Two separate changes: the box holds both; an unaligned copy (byte-wise path) agrees.
    const two = withBox(withBox(bg, W, 4, [2, 3, 2, 3], 3), W, 4, [30, 15, 31, 15], 4);
    expect(changedBox(two, bg, W, H, 4)).toEqual({ x0: 2, y0: 3, x1: 31, y1: 15 });
    const unaligned = new Uint8Array(two.length + 1).subarray(1);
    unaligned.set(two);
    expect(changedBox(unaligned, bg, W, H, 4)).toEqual({ x0: 2, y0: 3, x1: 31, y1: 15 });
  });

  it('reuses a band only after its compression is done: frames encoded at once keep their own bytes', async () => {
    const bg = noise(W, H, 4, 9);
    const shared = createPngDeltaEncoder({ width: W, height: H, channels: 4, background: bg });
    const frames = boxes.flatMap(([, box], i) => [withBox(bg, W, 4, box, 30 + i), withBox(bg, W, 4, box, 50 + i)]);
    // All frames in flight together (the encoder's band pool would hand out a band deflate is still reading), twice.
    for (let round = 0; round < 2; round++) {
      const pngs = await Promise.all(frames.map((f) => shared.encode(f)));
      for (const [i, f] of frames.entries()) {
        const alone = createPngDeltaEncoder({ width: W, height: H, channels: 4, background: bg });
        expectSame(Buffer.concat(pngs[i]), Buffer.concat(await alone.encode(f)));
        expectSame(decode(pngs[i]), f);
      }
    }
  });

  it('compares only the box the caller vouches for, with the same answer and the same bytes', async () => {
    // The caller's box: larger than the change, or exactly it, or reaching past the frame's edges.
    const hints = (box: [number, number, number, number]) => [
      { x0: box[0], y0: box[1], x1: box[2], y1: box[3] },
      { x0: Math.max(0, box[0] - 3), y0: Math.max(0, box[1] - 2), x1: box[2] + 5, y1: box[3] + 1 },
      { x0: -10, y0: -10, x1: W + 10, y1: H + 10 },
    ];
    for (const channels of [3, 4] as const) {
      const bg = noise(W, H, channels, 7);
      const plain = createPngDeltaEncoder({ width: W, height: H, channels, background: bg });
      const hinted = createPngDeltaEncoder({ width: W, height: H, channels, background: bg });
      for (const [i, [what, box]] of boxes.entries()) {
        const frame = withBox(bg, W, channels, box, 20 + i);
        const want = Buffer.concat(await plain.encode(frame));
        for (const hint of hints(box)) {
          expect(changedBox(frame, bg, W, H, channels, hint), what).toEqual(changedBox(frame, bg, W, H, channels));
          expectSame(Buffer.concat(await hinted.encode(frame, hint)), want);
        }
      }
      // Nothing changed: null says so without a comparison; an empty box finds nothing.
      const same = Buffer.concat(await plain.encode(bg));
      expectSame(Buffer.concat(await hinted.encode(bg, null)), same);
      expect(changedBox(bg, bg, W, H, channels, { x0: 5, y0: 5, x1: 4, y1: 9 })).toBeNull();
    }
    // Only the vouched box is read: a change outside it is not seen (which is why engines must never under-report,
    // test/engines/meshwarp/changed.test.ts).
    const bg = noise(W, H, 4, 8);
    const frame = withBox(withBox(bg, W, 4, [1, 1, 2, 2], 3), W, 4, [20, 10, 22, 12], 4);
    expect(changedBox(frame, bg, W, H, 4, { x0: 15, y0: 5, x1: 30, y1: 20 })).toEqual({
      x0: 20,
      y0: 10,
      x1: 22,
      y1: 12,
    });
  });

  for (const channels of [3, 4] as const) {
    it(`round-trips ${channels}-channel frames exactly, wherever they change`, async () => {
      const bg = noise(W, H, channels, 5);
      const encoder = createPngDeltaEncoder({ width: W, height: H, channels, background: bg });
      const frames = [bg, ...boxes.map(([, box], i) => withBox(bg, W, channels, box, 10 + i))];
      for (const frame of frames) {
        const png = await encoder.encode(frame);
        expectSame(decode(png), toRgba(frame, channels));
      }
      // ffmpeg (a second, independent decoder, with its own Adler-32 and CRC checks) agrees.
      const dir = tempDir();
      const file = path.join(dir, 'f.png');
      const { writeFileSync } = await import('node:fs');
      writeFileSync(file, Buffer.concat(await encoder.encode(frames[5])));
      const back = await readImage(file, { channels });
      expectSame(back.data, frames[5]);
    });
  }

  it('gives the same bytes whatever was encoded before, and with no background', async () => {
    const bg = noise(W, H, 4, 6);
    const frames = boxes.map(([, box], i) => withBox(bg, W, 4, box, 20 + i));
    const warm = createPngDeltaEncoder({ width: W, height: H, channels: 4, background: bg });
    const sequence = [];
    for (const f of frames) sequence.push(Buffer.concat(await warm.encode(f)));
    for (let i = 0; i < frames.length; i++) {
      const fresh = createPngDeltaEncoder({ width: W, height: H, channels: 4, background: bg });
      expectSame(Buffer.concat(await fresh.encode(frames[i])), sequence[i]);
      const plain = createPngDeltaEncoder({ width: W, height: H, channels: 4 });
      expectSame(decode(await plain.encode(frames[i])), frames[i]);
    }
  });

  it('costs a photo about the same file size as a whole encode', async () => {
    const photo = await readImage(PORTRAIT, { channels: 4 });
    const { width: w, height: h } = photo;
    const bg = photo.data;
    const delta = createPngDeltaEncoder({ width: w, height: h, channels: 4, background: bg });
    const plain = createPngDeltaEncoder({ width: w, height: h, channels: 4 });
    const frame = withBox(bg, w, 4, [200, 220, 300, 320], 7);
    const a = Buffer.concat(await delta.encode(frame));
    const b = Buffer.concat(await plain.encode(frame));
    expectSame(decode([a]), frame);
    // Each piece restarts compression and costs a few bytes: within 1 % of a whole encode on a real photo.
    expect(Math.abs(a.length - b.length) / b.length).toBeLessThan(0.01);
  });
});

describe('PNG sequence writer', () => {
  it('writes complete files under final names only, numbered from startNumber', async () => {
    const dir = tempDir();
    const pattern = path.join(dir, 'frames', 'frame_%05d.png');
    const bg = noise(16, 8, 4, 8);
    const writer = await openPngSequence({
      width: 16,
      height: 8,
      channels: 4,
      framePath: numberedFiles(path.dirname(pattern), 'frame_'),
      startNumber: 3,
      background: bg,
    });
    const frames = [bg, withBox(bg, 16, 4, [1, 1, 4, 4], 9), withBox(bg, 16, 4, [8, 2, 15, 7], 10)];
    // The caller may reuse its buffer as soon as write() resolves.
    const reused = new Uint8Array(bg.length);
    for (const f of frames) {
      reused.set(f);
      await writer.write({ data: reused, width: 16, height: 8, channels: 4 });
    }
    await writer.close();
    expect(readdirSync(path.join(dir, 'frames')).sort()).toEqual([
      'frame_00003.png',
      'frame_00004.png',
      'frame_00005.png',
    ]);
    frames.forEach((f, i) => {
      const file = path.join(dir, 'frames', `frame_0000${3 + i}.png`);
      expectSame(PNG.sync.read(readFileSync(file)).data, f);
    });
    await expect(writer.write({ data: bg, width: 16, height: 8, channels: 4 })).rejects.toMatchObject({
      code: 'INTERNAL',
    });
  });

  it('refuses a frame of the wrong size, naming both sizes', async () => {
    const writer = await openPngSequence({
      width: 4,
      height: 4,
      channels: 4,
      framePath: numberedFiles(tempDir(), 'f_', 3),
      startNumber: 0,
    });
    await expect(writer.write({ data: new Uint8Array(3 * 4 * 4), width: 3, height: 4, channels: 4 })).rejects.toThrow(
      'Expected a 4×4×4 frame for the encoder but received 3×4×4.',
    );
    await writer.close();
  });
});
