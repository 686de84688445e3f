import { writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ReenactError } from '../../bridge/src/errors.js';
import { decodeFrames } from '../../bridge/src/media/decode.js';
import { isVariableRate, normaliseRotation, probe } from '../../bridge/src/media/probe.js';
import { DRIVING, ffmpeg, PORTRAIT, tempDir } from '../helpers/media.js';

const dir = tempDir();
const clip = (name: string) => path.join(dir, name);

async function probeError(file: string): Promise<ReenactError> {
  try {
    await probe(file);
  } catch (err) {
    expect(err).toBeInstanceOf(ReenactError);
    return err as ReenactError;
  }
  throw new Error(`probe(${file}) did not fail`);
}

describe('probe', () => {
  beforeAll(async () => {
    await ffmpeg(
      '-f',
      'lavfi',
      '-i',
      'testsrc=size=64x48:rate=30000/1001',
      '-frames:v',
      '15',
      '-c:v',
      'libx264',
      '-pix_fmt',
      'yuv420p',
      clip('ntsc.mp4'),
    );
    // Left half red, right half blue, stored landscape with a 90° rotation flag (a phone clip).
    await ffmpeg(
      '-f',
      'lavfi',
      '-i',
      'color=red:size=32x48:rate=25',
      '-f',
      'lavfi',
      '-i',
      'color=blue:size=32x48:rate=25',
      '-filter_complex',
      'hstack',
      '-frames:v',
      '5',
      '-c:v',
      'libx264',
      '-pix_fmt',
      'yuv444p',
      clip('landscape.mp4'),
    );
    // This ffmpeg build stores `rotate=90` as a display matrix of 90° counter-clockwise, i.e. 270° clockwise.
    await ffmpeg('-i', clip('landscape.mp4'), '-c', 'copy', '-metadata:s:v:0', 'rotate=90', clip('rotated.mp4'));
    // Frames 0-9 one frame apart, then two apart: a variable frame rate.
    await ffmpeg(
      '-f',
      'lavfi',
      '-i',
      'testsrc=size=64x48:rate=30',
      '-frames:v',
      '30',
      '-vf',
      "setpts='if(lt(N,10),N,2*N-10)/30/TB'",
      '-vsync',
      'vfr',
      '-c:v',
      'libx264',
      '-pix_fmt',
      'yuv420p',
      clip('vfr.mp4'),
    );
    await ffmpeg('-f', 'lavfi', '-i', 'sine=frequency=440:duration=1', clip('audio.m4a'));
    await ffmpeg('-f', 'lavfi', '-i', 'color=white@0.5:size=16x16,format=rgba', '-frames:v', '1', clip('alpha.png'));
    const full = await readFile(DRIVING);
    writeFileSync(clip('truncated.mp4'), full.subarray(0, 2000));
    writeFileSync(clip('corrupt.mov'), Buffer.from('this is not a movie at all, just some text'.repeat(20)));
    writeFileSync(clip('empty.mp4'), '');
  });

  it('reads the bundled driving clip', async () => {
    const info = await probe(DRIVING);
    expect(info).toMatchObject({
      kind: 'video',
      width: 320,
      height: 400,
      fps: { num: 20, den: 1 },
      frameCount: 345,
      rotation: 0,
      vfr: false,
      codec: 'h264',
      hasAlpha: false,
    });
    expect(info.duration).toBeCloseTo(17.25, 2);
  });
  it('reads a still', async () => {
    expect(await probe(PORTRAIT)).toMatchObject({
      kind: 'still',
      width: 512,
      height: 512,
      frameCount: 1,
      codec: 'png',
      hasAlpha: false,
    });
    expect(await probe(clip('alpha.png'))).toMatchObject({ kind: 'still', hasAlpha: true, pixelFormat: 'rgba' });
  });
  it('keeps 29.97 as 30000/1001', async () => {
    expect(await probe(clip('ntsc.mp4'))).toMatchObject({ fps: { num: 30000, den: 1001 }, frameCount: 15 });
  });
  it('reports rotation and decodes upright', async () => {
    const info = await probe(clip('rotated.mp4'));
    expect(info).toMatchObject({ rotation: 270, width: 48, height: 64 });
    for await (const f of decodeFrames(clip('rotated.mp4'), { info, range: { start: 0, end: 0 } })) {
      expect([f.width, f.height]).toEqual([48, 64]);
      const at = (x: number, y: number) => Array.from(f.data.subarray((y * 48 + x) * 3, (y * 48 + x) * 3 + 3));
      // Turned 270° clockwise for display, the stored right (blue) half is on top and the red half below.
      expect(at(24, 5)[2]).toBeGreaterThan(200);
      expect(at(24, 58)[0]).toBeGreaterThan(200);
    }
  });
  it('flags a variable frame rate clip', async () => {
    expect((await probe(clip('vfr.mp4'))).vfr).toBe(true);
    expect(isVariableRate([0, 0.04, 0.08, 0.12])).toBe(false);
    expect(isVariableRate([0, 0.04, 0.08, 0.2, 0.24])).toBe(true);
  });
  it('normalises display-matrix and tag rotations to clockwise degrees', () => {
    expect(normaliseRotation({ side_data_list: [{ rotation: -90 }] })).toBe(90);
    expect(normaliseRotation({ side_data_list: [{ rotation: 90 }] })).toBe(270);
    expect(normaliseRotation({ tags: { rotate: '180' } })).toBe(180);
    expect(normaliseRotation({})).toBe(0);
  });

  it('names a missing file and the fix', async () => {
    const e = await probeError(clip('nope.mp4'));
    expect(e.message).toBe(`File not found (${clip('nope.mp4')}). Check the path.`);
    expect(e.exitCode).toBe(2);
  });
  it('rejects a zero-byte file', async () => {
    expect((await probeError(clip('empty.mp4'))).message).toBe(
      `File is empty (0 bytes) (${clip('empty.mp4')}). Re-export or re-copy it.`,
    );
  });
  it('rejects a folder', async () => {
    expect((await probeError(dir)).message).toBe(
      `Expected a file but received a folder (${dir}). Pick the image or clip inside it.`,
    );
  });
  it('rejects a corrupt file', async () => {
    const e = await probeError(clip('corrupt.mov'));
    expect(e.message).toMatch(
      /^Cannot read this file as an image or video: it is corrupt or in an unsupported format \(.*corrupt\.mov\)\. ffprobe said: .*Re-export it as PNG, JPEG, MOV or MP4\.$/,
    );
  });
  it('rejects a truncated clip', async () => {
    const e = await probeError(clip('truncated.mp4'));
    expect(e.code).toBe('BAD_INPUT');
    expect(e.message).toContain('truncated.mp4');
  });
  it('rejects audio-only files', async () => {
    expect((await probeError(clip('audio.m4a'))).message).toBe(
      `File has audio but no video stream (${clip('audio.m4a')}). Pick a clip with picture.`,
    );
  });
});
