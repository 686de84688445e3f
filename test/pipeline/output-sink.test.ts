/**
 * The output sink, on real files: frames written (a PNG sequence reopened at a gap), the partial manifest a resume
 * trusts, which frames a later run keeps, and frames placed from elsewhere (a chunk's) by link, then into a movie.
 */
import { readdirSync, readFileSync, statSync, truncateSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readImage } from '../../bridge/src/media/decode.js';
import { probe } from '../../bridge/src/media/probe.js';
import type { Image } from '../../bridge/src/media/types.js';
import { openOutputSink } from '../../bridge/src/pipeline/output-sink.js';
import { parseJobSpec } from '../../bridge/src/pipeline/parse.js';
import type { ManifestFrame } from '../../bridge/src/pipeline/spec.js';
import { PORTRAIT, tempDir } from '../helpers/media.js';

const dir = tempDir('reenact-sink-');
const W = 32;
const H = 24;

/** A solid RGBA frame. */
const solid = (v: number): Image => ({ data: new Uint8Array(W * H * 4).fill(v), width: W, height: H, channels: 4 });
const frame = (index: number, key = `key-${index}`): ManifestFrame => ({
  index,
  sourceIndex: index,
  status: 'rendered',
  key,
});
const spec = (out: string, format: 'png' | 'prores' = 'png') =>
  parseJobSpec({ source: PORTRAIT, driving: path.join(dir, 'take.mov'), output: { dir: out, format } });
const format = { width: W, height: H, fps: { num: 25, den: 1 } };

describe('output sink', () => {
  it('writes frames across a gap, checkpoints them, and tells a later run which frames it can keep', async () => {
    const out = path.join(dir, 'png');
    const sink = await openOutputSink(spec(out));
    await sink.begin(format, { start: 0, end: 5 });
    await sink.checkpoint();
    expect(JSON.parse(readFileSync(path.join(out, 'reenact.json'), 'utf8'))).toMatchObject({
      complete: false,
      firstFrame: 0,
      frameCount: 6,
      frames: [],
    });
    for (const i of [0, 1, 5]) await sink.write(frame(i), solid(10 * i));
    await sink.close();
    await sink.checkpoint();
    expect(readdirSync(path.join(out, 'frames')).sort()).toEqual([
      'frame_00000.png',
      'frame_00001.png',
      'frame_00005.png',
    ]);
    const pixels = async (image: Promise<Image>) => new Uint8Array((await image).data);
    expect(await pixels(readImage(path.join(out, 'frames', 'frame_00005.png'), { channels: 4 }))).toEqual(
      solid(50).data,
    );
    const partial = JSON.parse(readFileSync(path.join(out, 'reenact.json'), 'utf8'));
    expect(partial.frames).toEqual([frame(0), frame(1), frame(5)]);

    truncateSync(path.join(out, 'frames', 'frame_00001.png'), 40); // cut short, as by a crash mid-write
    const again = await openOutputSink(spec(out));
    expect(await again.has(0, 'key-0')).toBe(true);
    expect(await again.has(0, 'key-0-changed')).toBe(false);
    expect(await again.has(1, 'key-1')).toBe(false);
    expect(await again.has(2, 'key-2')).toBe(false);
    expect(await pixels(again.read(5))).toEqual(solid(50).data);
  });

  it('places finished PNGs by hard link, and encodes a movie from them', async () => {
    const src = path.join(dir, 'png', 'frames');
    const out = path.join(dir, 'placed');
    const sink = await openOutputSink(spec(out));
    await sink.begin(format, { start: 0, end: 0 });
    await sink.place(frame(0), path.join(src, 'frame_00000.png'));
    await sink.close();
    const placed = path.join(out, 'frames', 'frame_00000.png');
    expect(statSync(placed).ino).toBe(statSync(path.join(src, 'frame_00000.png')).ino);
    expect(sink.frames).toEqual([frame(0)]);

    const movieOut = path.join(dir, 'movie');
    const movie = await openOutputSink(spec(movieOut, 'prores'));
    await movie.begin(format, { start: 0, end: 1 });
    for (const i of [0, 5]) await movie.place(frame(i), path.join(src, `frame_${String(i).padStart(5, '0')}.png`));
    await movie.close();
    await movie.checkpoint(); // a ProRes render keeps its frames like a PNG one, so its checkpoint lists them too
    expect(readdirSync(movieOut).sort()).toEqual(['frames', 'reenact.json', 'take.reenact.mov']);
    expect(readdirSync(path.join(movieOut, 'frames')).sort()).toEqual(['frame_00000.png', 'frame_00005.png']);
    expect(await probe(path.join(movieOut, 'take.reenact.mov'))).toMatchObject({
      codec: 'prores',
      frameCount: 2,
      width: W,
      height: H,
    });
  });

  it('drops a movie that did not finish', async () => {
    const out = path.join(dir, 'aborted');
    const sink = await openOutputSink(spec(out, 'prores'));
    await sink.begin(format, { start: 0, end: 0 });
    await sink.write(frame(0), solid(20));
    await sink.abort();
    expect(readdirSync(out)).toEqual(['frames']);
  });
});
