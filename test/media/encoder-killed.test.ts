/** A movie encoder killed from outside says so, names where it was writing, says the job can resume, leaves no movie. */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openMovie } from '../../bridge/src/media/encode.js';
import { locateFfmpeg } from '../../bridge/src/media/locator.js';
import { tempDir } from '../helpers/media.js';
import { writeFaultyFfmpeg } from '../reliability/ffmpeg-fault.js';

const dir = tempDir();
// This file runs in its own process: the real ffmpeg is located before REENACT_FFMPEG points at the faulty wrapper
// (which runs FAULT_FFMPEG: never the wrapper itself).
const realFfmpeg = locateFfmpeg().ffmpeg;

/** A 32×32 ProRes writer into `out` (through whatever REENACT_FFMPEG points at). */
const openTestMovie = (out: string) =>
  openMovie({
    file: path.join(out, 'clip.reenact.mov'),
    codec: 'prores',
    width: 32,
    height: 32,
    channels: 4,
    fps: { num: 25, den: 1 },
  });

describe('encoder killed mid-stream', () => {
  it('gives a resumable FFMPEG_FAILED naming the output folder, with no movie under the final name', async () => {
    process.env.FAULT_FFMPEG = realFfmpeg;
    process.env.REENACT_FFMPEG = writeFaultyFfmpeg(dir);
    process.env.FAULT_ENCODE_BYTES = String(32 * 32 * 4 * 3);
    const out = path.join(dir, 'out');
    const writer = await openTestMovie(out);
    const image = { data: new Uint8Array(32 * 32 * 4).fill(200), width: 32, height: 32, channels: 4 as const };
    const err = await (async () => {
      for (let i = 0; i < 8; i++) await writer.write(image);
      await writer.close();
    })().catch(async (e) => {
      await writer.abort();
      return e;
    });
    expect(err).toMatchObject({
      code: 'FFMPEG_FAILED',
      message: `ffmpeg stopped (killed by SIGKILL) while encoding into ${out}. Run the same command again to resume.`,
    });
    expect(readdirSync(out)).toEqual([]);
  });
});

describe('encoder that exits 0 with frames missing', () => {
  it('is an error naming the counts, and no movie is left under the final name', async () => {
    process.env.FAULT_FFMPEG = realFfmpeg;
    process.env.REENACT_FFMPEG = writeFaultyFfmpeg(dir);
    delete process.env.FAULT_ENCODE_BYTES;
    process.env.FAULT_ENCODE_SHORT = String(32 * 32 * 4 * 3);
    const out = path.join(dir, 'short');
    const writer = await openTestMovie(out);
    const image = { data: new Uint8Array(32 * 32 * 4).fill(90), width: 32, height: 32, channels: 4 as const };
    for (let i = 0; i < 8; i++) await writer.write(image);
    const err = await writer.close().catch((e) => e);
    delete process.env.FAULT_ENCODE_SHORT;
    expect(err).toMatchObject({
      code: 'FFMPEG_FAILED',
      message:
        'ffmpeg wrote 3 of 8 frames into clip.reenact.mov and reported no error, so the movie was not kept. Run the same command again; if it repeats, check the disk and the ffmpeg in use (REENACT_FFMPEG).',
    });
    expect(readdirSync(out)).toEqual([]);
  });
});
