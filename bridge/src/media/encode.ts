/**
 * Movie encoders on ffmpeg: ProRes 4444 with alpha (.mov) and H.264 preview (.mp4). Frames stream into ffmpeg's stdin
 * with back-pressure. A movie is written to a temp name and renamed on success; a cancelled or failed encode leaves
 * nothing under the final name. An existing movie is never overwritten without `force`. PNG sequences are written
 * in-process (png-sequence.ts); `FrameWriter` is the interface both share.
 */
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { access, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { PNG } from 'pngjs';
import { ReenactError } from '../errors.js';
import { debug } from '../log.js';
import { ensureDir, outputError, tempSibling, writeFileAtomic } from '../util/fs.js';
import { h264Args, prores4444Args, type RawInput } from './ffmpeg-args.js';
import { ffmpegPaths } from './locator.js';
import { probe } from './probe.js';
import { formatCommand, killProcess, processError } from './run.js';
import type { Image, PixelRect } from './types.js';

export interface FrameWriter {
  /**
   * Writes one frame (must match the writer's size and channels); resolves when ffmpeg has taken it. `changed`: where
   * the frame may differ from the writer's background (RenderedFrame.changed); a writer may ignore it.
   */
  write(image: Image, changed?: PixelRect | null): Promise<void>;
  /** Finishes the file(s); resolves when everything is on disk under final names. */
  close(): Promise<void>;
  /** Stops now; removes what was not finished. Safe after close(). */
  abort(): Promise<void>;
}

/** Spawns ffmpeg reading raw frames on stdin. */
class FfmpegWriter implements FrameWriter {
  private readonly child: ChildProcessByStdio<Writable, null, Readable>;
  private stderr = '';
  private readonly exited: Promise<{ code: number | null; signal: string | null }>;
  private failure: ReenactError | undefined;
  private closed = false;
  private frames = 0;

  constructor(
    private readonly format: RawInput,
    private readonly args: string[],
    /** After a clean exit, with the number of frames written. */
    private readonly onDone: (frames: number) => Promise<void> = async () => {},
    private readonly onAbort: () => Promise<void> = async () => {},
  ) {
    const { ffmpeg } = ffmpegPaths();
    debug('encode %s', formatCommand(ffmpeg, args));
    this.child = spawn(ffmpeg, args, { stdio: ['pipe', 'ignore', 'pipe'], windowsHide: true });
    this.child.stderr.on('data', (d: Buffer) => {
      this.stderr = (this.stderr + d.toString()).slice(-4000);
    });
    this.child.stdin.on('error', () => {}); // EPIPE: the exit status is reported instead
    this.exited = new Promise((resolve) => {
      this.child.on('close', (code, signal) => resolve({ code, signal }));
      this.child.on('error', (err) => {
        this.failure = new ReenactError('MISSING_DEPENDENCY', `Could not start ffmpeg: ${err.message}`, { cause: err });
        resolve({ code: -1, signal: null });
      });
    });
    this.exited.then(({ code, signal }) => {
      if (code !== 0 && !this.failure) this.failure = this.asError(code, signal);
    });
  }

  private asError(code: number | null, signal: string | null): ReenactError {
    if (/No space left|Disk quota/i.test(this.stderr)) {
      return new ReenactError(
        'OUTPUT_UNWRITABLE',
        'The disk is full while encoding. Free some space, then run the same command again to resume.',
        {
          details: { stderr: this.stderr },
        },
      );
    }
    const failed = processError(ffmpegPaths().ffmpeg, this.args, code, signal, this.stderr);
    if (signal) {
      // Killed from outside (out of memory, a user, a crash): nothing is wrong with the job, so say how to go on.
      const into = path.dirname(this.args.at(-1) ?? '');
      return new ReenactError(
        'FFMPEG_FAILED',
        `ffmpeg stopped (killed by ${signal}) while encoding into ${into}. Run the same command again to resume.`,
        { cause: failed, details: failed.details },
      );
    }
    return failed;
  }

  async write(image: Image): Promise<void> {
    const f = this.format;
    if (image.width !== f.width || image.height !== f.height || image.channels !== f.channels) {
      throw new ReenactError(
        'INTERNAL',
        `Expected a ${f.width}×${f.height}×${f.channels} frame for the encoder but received ${image.width}×${image.height}×${image.channels}.`,
      );
    }
    if (this.failure) throw this.failure;
    // Resolve once the pipe has taken every byte: Node queues the written array by reference, not a copy, and a caller
    // may reuse the memory (draw its next frame into it) as soon as this resolves. ffmpeg still encodes this frame
    // while the caller makes the next. (An ffmpeg that already exited takes nothing: its exit
    // status or frame count reports the problem.)
    const taken = new Promise<void>((resolve) => this.child.stdin.write(image.data, () => resolve()));
    this.frames++;
    await Promise.race([taken, this.exited]);
    if (this.failure) throw this.failure;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.child.stdin.end();
    const { code, signal } = await this.exited;
    if (code !== 0) {
      await this.onAbort();
      throw this.failure ?? this.asError(code, signal);
    }
    await this.onDone(this.frames);
  }

  async abort(): Promise<void> {
    const wasClosed = this.closed;
    this.closed = true;
    killProcess(this.child);
    await this.exited;
    if (!wasClosed) await this.onAbort();
  }
}

export interface MovieOptions extends RawInput {
  file: string;
  codec: 'prores' | 'h264';
  /** Replace an existing file. Without it an existing file is an OUTPUT_EXISTS error. */
  force?: boolean;
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}

/** Opens a movie writer (ProRes 4444 .mov or H.264 .mp4), written to a temp name and renamed on close(). */
export async function openMovie(options: MovieOptions): Promise<FrameWriter> {
  const file = path.resolve(options.file);
  if (!options.force && (await exists(file))) {
    throw new ReenactError(
      'OUTPUT_EXISTS',
      `Output already exists (${file}). Use --force to replace it, or choose another output.`,
      {
        details: { file },
      },
    );
  }
  await ensureDir(path.dirname(file));
  const tmp = `${tempSibling(file)}${path.extname(file)}`;
  const args =
    options.codec === 'prores' ? prores4444Args({ ...options, file: tmp }) : h264Args({ ...options, file: tmp });
  return new FfmpegWriter(
    options,
    args,
    async (frames) => {
      // ffmpeg has been seen to exit 0 having written fewer frames than it was given: never name such a movie final.
      const got = await probe(tmp).then(
        (info) => info.frameCount,
        () => 0,
      );
      if (got < frames) {
        await rm(tmp, { force: true });
        throw new ReenactError(
          'FFMPEG_FAILED',
          `ffmpeg wrote ${got} of ${frames} frames into ${path.basename(file)} and reported no error, so the movie was not kept. Run the same command again; if it repeats, check the disk and the ffmpeg in use (REENACT_FFMPEG).`,
          { details: { file, written: got, expected: frames } },
        );
      }
      try {
        await rename(tmp, file);
      } catch (err) {
        await rm(tmp, { force: true });
        throw outputError(err, file);
      }
    },
    () => rm(tmp, { force: true }),
  );
}

/** Encodes an image as PNG in memory (pngjs; for thumbnails and previews, not for frame sequences). */
export function encodePng(image: Image): Buffer {
  const png = new PNG({
    width: image.width,
    height: image.height,
    colorType: image.channels === 4 ? 6 : 2,
    inputHasAlpha: image.channels === 4,
  });
  if (image.channels === 4) png.data = Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength);
  else {
    const rgba = Buffer.alloc(image.width * image.height * 4);
    for (let i = 0, j = 0; i < image.data.length; i += 3, j += 4) {
      rgba[j] = image.data[i];
      rgba[j + 1] = image.data[i + 1];
      rgba[j + 2] = image.data[i + 2];
      rgba[j + 3] = 255;
    }
    png.data = rgba;
  }
  return PNG.sync.write(png, { colorType: image.channels === 4 ? 6 : 2 });
}

/** Writes one PNG atomically. */
export async function writePng(file: string, image: Image): Promise<void> {
  await ensureDir(path.dirname(file));
  await writeFileAtomic(file, encodePng(image));
}
