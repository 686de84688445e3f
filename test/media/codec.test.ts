import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ReenactError } from '../../bridge/src/errors.js';
import { conformMap, decodeFrames, readImage } from '../../bridge/src/media/decode.js';
import { openMovie } from '../../bridge/src/media/encode.js';
import { decodeArgs } from '../../bridge/src/media/ffmpeg-args.js';
import { numberedFiles, openPngSequence } from '../../bridge/src/media/png-sequence.js';
import { probe } from '../../bridge/src/media/probe.js';
import type { Image } from '../../bridge/src/media/types.js';
import { indexFromPixel, makeIndexedClip, PORTRAIT, tempDir } from '../helpers/media.js';

const dir = tempDir();
const W = 40;
const H = 30;

/** RGBA test frame: a gradient that depends on k, with a radial alpha (0 in the corners, 255 in the centre). */
function rgbaFrame(k: number): Image {
  const data = new Uint8Array(W * H * 4);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const o = (y * W + x) * 4;
      data[o] = (x * 6 + k * 10) & 255;
      data[o + 1] = (y * 8) & 255;
      data[o + 2] = (k * 40) & 255;
      const d = Math.hypot(x - W / 2, y - H / 2) / (W / 2);
      data[o + 3] = d > 1 ? 0 : Math.round(255 * (1 - d * d));
    }
  }
  return { data, width: W, height: H, channels: 4 };
}

async function collect(file: string, options: Parameters<typeof decodeFrames>[1]) {
  const frames = [];
  for await (const f of decodeFrames(file, options)) frames.push(f);
  return frames;
}

describe('decode', () => {
  let clip = '';
  beforeAll(async () => {
    clip = await makeIndexedClip(path.join(dir, 'indexed.mp4'), 24, '24');
  });

  it('streams every frame with index and time', async () => {
    const frames = await collect(clip, {});
    expect(frames).toHaveLength(24);
    expect(frames.map((f) => indexFromPixel(f.data))).toEqual([...Array(24).keys()]);
    expect(frames[12].time).toBeCloseTo(0.5, 9);
  });
  it('decodes a frame range', async () => {
    const frames = await collect(clip, { range: { start: 10, end: 14 } });
    expect(frames.map((f) => [f.index, f.sourceIndex, indexFromPixel(f.data)])).toEqual([
      [0, 10, 10],
      [1, 11, 11],
      [2, 12, 12],
      [3, 13, 13],
      [4, 14, 14],
    ]);
  });
  it('conforms 24 → 48 fps by repeating and 24 → 12 fps by dropping, following the map', async () => {
    const up = await collect(clip, { range: { start: 0, end: 3 }, fps: { num: 48, den: 1 } });
    expect(up.map((f) => indexFromPixel(f.data))).toEqual([0, 0, 1, 1, 2, 2, 3, 3]);
    const down = await collect(clip, { fps: { num: 12, den: 1 } });
    expect(down.map((f) => f.sourceIndex)).toEqual([0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22]);
    expect(down.map((f) => indexFromPixel(f.data))).toEqual(down.map((f) => f.sourceIndex));
  });
  it('computes exact conform maps for NTSC rates', () => {
    expect(conformMap(4, { num: 24, den: 1 }, { num: 48, den: 1 })).toEqual([0, 0, 1, 1, 2, 2, 3, 3]);
    // 30000/1001 → 24000/1001: 5 source frames make 4 output frames.
    expect(conformMap(10, { num: 30000, den: 1001 }, { num: 24000, den: 1001 })).toEqual([0, 1, 2, 3, 5, 6, 7, 8]);
    expect(conformMap(3, { num: 25, den: 1 }, { num: 25, den: 1 })).toEqual([0, 1, 2]);
  });
  it('rejects a range outside the clip', async () => {
    await expect(collect(clip, { range: { start: 30, end: 40 } })).rejects.toThrow(
      `Expected a frame range within 0-23 for ${clip} but received 30-40: the clip has 24 frames.`,
    );
  });
  it('stops ffmpeg when the consumer stops early, and honours abort', async () => {
    let n = 0;
    for await (const _ of decodeFrames(clip, {})) if (++n === 3) break;
    expect(n).toBe(3);
    const controller = new AbortController();
    const it = decodeFrames(clip, { signal: controller.signal });
    await it.next();
    controller.abort();
    await expect(
      (async () => {
        for await (const _ of it) {
          /* drain */
        }
      })(),
    ).rejects.toMatchObject({ code: 'CANCELLED' });
  });
  it('reads a still as RGB', async () => {
    const img = await readImage(PORTRAIT);
    expect([img.width, img.height, img.channels, img.data.length]).toEqual([512, 512, 3, 512 * 512 * 3]);
  });
  it('builds decode arguments as arrays', () => {
    expect(decodeArgs('/a.mov', { channels: 4, startFrame: 5, endFrame: 9 })).toEqual([
      '-v',
      'error',
      '-nostdin',
      '-i',
      '/a.mov',
      '-map',
      '0:v:0',
      '-vf',
      'trim=start_frame=5:end_frame=10',
      '-vsync',
      'passthrough',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgba',
      '-',
    ]);
  });
});

describe('encode', () => {
  it('round-trips RGBA through a PNG sequence exactly, with zero-padded names', async () => {
    const pattern = path.join(dir, 'seq', 'frame_%05d.png');
    const writer = await openPngSequence({
      framePath: numberedFiles(path.dirname(pattern), 'frame_'),
      startNumber: 7,
      width: W,
      height: H,
      channels: 4,
    });
    for (let k = 0; k < 3; k++) await writer.write(rgbaFrame(k));
    await writer.close();
    expect(readdirSync(path.join(dir, 'seq')).sort()).toEqual([
      'frame_00007.png',
      'frame_00008.png',
      'frame_00009.png',
    ]);
    for (let k = 0; k < 3; k++) {
      const back = await readImage(path.join(dir, 'seq', `frame_0000${7 + k}.png`), { channels: 4 });
      expect(Buffer.from(back.data).equals(Buffer.from(rgbaFrame(k).data))).toBe(true);
    }
  });

  it('round-trips RGBA through ProRes 4444 with alpha preserved', async () => {
    const file = path.join(dir, 'out.mov');
    const writer = await openMovie({
      file,
      codec: 'prores',
      width: W,
      height: H,
      channels: 4,
      fps: { num: 30000, den: 1001 },
    });
    for (let k = 0; k < 4; k++) await writer.write(rgbaFrame(k));
    await writer.close();
    const info = await probe(file);
    expect(info).toMatchObject({ codec: 'prores', hasAlpha: true, frameCount: 4, fps: { num: 30000, den: 1001 } });
    let k = 0;
    for await (const f of decodeFrames(file, { channels: 4 })) {
      const ref = rgbaFrame(k++).data;
      let maxDiff = 0;
      for (let i = 0; i < ref.length; i++) maxDiff = Math.max(maxDiff, Math.abs(ref[i] - f.data[i]));
      expect(maxDiff).toBeLessThanOrEqual(6); // 10-bit 4:4:4 YUV: small colour rounding, alpha exact-ish
      expect(f.data[3]).toBe(0); // corner transparent
      expect(f.data[((H / 2) * W + W / 2) * 4 + 3]).toBeGreaterThan(250); // centre opaque
    }
    expect(k).toBe(4);
  });

  it("has taken a frame's bytes when write() resolves, so the caller may draw the next frame into them", async () => {
    // A caller may reuse its buffer once write() resolves (as the render pipeline reuses engine frames; its movie is
    // encoded from the PNG frames today): a frame still queued in ffmpeg's stdin pipe must not be overwritten then. Node queues a written Uint8Array by reference, without a copy
    // (https://nodejs.org/api/stream.html#writablewritechunk-encoding-callback: the callback fires "once this chunk of
    // data is flushed"), and a pipe takes 64 KiB at once on Linux (pipe(7)), so this 256 KiB frame is mostly queued.
    const size = 256;
    const file = path.join(dir, 'reused.mov');
    const writer = await openMovie({
      file,
      codec: 'prores',
      width: size,
      height: size,
      channels: 4,
      fps: { num: 25, den: 1 },
    });
    const levels = [40, 90, 140, 200];
    const buffer = new Uint8Array(size * size * 4);
    for (const level of levels) {
      buffer.fill(level); // one buffer for every frame, redrawn as soon as the previous write() resolved
      await writer.write({ data: buffer, width: size, height: size, channels: 4 });
    }
    buffer.fill(0); // what a reused buffer holds next
    await writer.close();
    const means: number[] = [];
    for await (const f of decodeFrames(file, { channels: 4 })) {
      let sum = 0;
      for (let i = 0; i < f.data.length; i += 4) sum += f.data[i];
      means.push(Math.round(sum / (f.data.length / 4)));
    }
    expect(means).toHaveLength(levels.length);
    for (const [k, m] of means.entries()) {
      expect(Math.abs(m - levels[k]), `frame ${k}: mean ${m}, drawn ${levels[k]}`).toBeLessThanOrEqual(3);
    }
  });

  it('writes a movie under a temp name and renames it only when complete', async () => {
    const file = path.join(dir, 'atomic.mp4');
    const writer = await openMovie({ file, codec: 'h264', width: W, height: H, channels: 4, fps: { num: 25, den: 1 } });
    await writer.write(rgbaFrame(0));
    const hasTemp = () => readdirSync(dir).some((n) => n.startsWith('.atomic.mp4.') && n.endsWith('.partial.mp4'));
    for (let i = 0; i < 100 && !hasTemp(); i++) await new Promise((r) => setTimeout(r, 20)); // ffmpeg opens it lazily
    expect(hasTemp()).toBe(true);
    expect(existsSync(file)).toBe(false);
    await writer.close();
    expect(existsSync(file)).toBe(true);
    expect(readdirSync(dir).some((n) => n.includes('.partial'))).toBe(false);
  });

  it('leaves nothing behind when an encode is cancelled', async () => {
    const file = path.join(dir, 'cancelled.mov');
    const writer = await openMovie({
      file,
      codec: 'prores',
      width: W,
      height: H,
      channels: 4,
      fps: { num: 25, den: 1 },
    });
    await writer.write(rgbaFrame(0));
    await writer.abort();
    expect(existsSync(file)).toBe(false);
    expect(readdirSync(dir).some((n) => n.startsWith('.cancelled.mov'))).toBe(false);
  });

  it('refuses to overwrite an existing output without force', async () => {
    const file = path.join(dir, 'mine.mov');
    writeFileSync(file, 'user data');
    const attempt = openMovie({ file, codec: 'prores', width: W, height: H, channels: 4, fps: { num: 25, den: 1 } });
    await expect(attempt).rejects.toBeInstanceOf(ReenactError);
    await expect(attempt).rejects.toThrow(
      `Output already exists (${file}). Use --force to replace it, or choose another output.`,
    );
    const forced = await openMovie({
      file,
      codec: 'prores',
      width: W,
      height: H,
      channels: 4,
      fps: { num: 25, den: 1 },
      force: true,
    });
    await forced.write(rgbaFrame(1));
    await forced.close();
    expect((await probe(file)).codec).toBe('prores');
  });

  it('rejects a frame of the wrong size', async () => {
    const writer = await openMovie({
      file: path.join(dir, 'size.mov'),
      codec: 'prores',
      width: W,
      height: H,
      channels: 4,
      fps: { num: 25, den: 1 },
    });
    await expect(writer.write({ data: new Uint8Array(12), width: 2, height: 2, channels: 3 })).rejects.toThrow(
      'Expected a 40×30×4 frame for the encoder but received 2×2×3.',
    );
    await writer.abort();
  });
});
