/**
 * PNG sequences, written in-process: each frame's file name from the caller's layout (never a printf pattern over the
 * whole path: a folder named "100%done" must stay a folder), each file written to a temp sibling and renamed, so a frame is complete or absent whatever stops the render. A few frames compress at once on the thread
 * pool while the caller renders the next. Frames that share a background (a render: the portrait everywhere but
 * around the face) are delta-encoded, which is what makes PNG output cheap next to rendering (png-delta.ts).
 */
import { open, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ReenactError } from '../errors.js';
import { ensureDir, outputError, tempSibling } from '../util/fs.js';
import { isCompletePng, PNG_MIN_BYTES } from '../util/png.js';
import type { FrameWriter } from './encode.js';
import { createPngDeltaEncoder } from './png-delta.js';

/** Frames compressing or being written at once (each holds its changed band and its PNG bytes)… */
const IN_FLIGHT = 4;
/** …fewer for huge frames, so their bands stay within about this many bytes. */
const IN_FLIGHT_BYTES = 256 * 2 ** 20;

export interface PngSequenceOptions {
  width: number;
  height: number;
  channels: 3 | 4;
  /** The file of frame number `n`, e.g. n => /out/frames/frame_0000n.png (see `numberedFiles`). */
  framePath: (n: number) => string;
  /** Number of the first frame written. */
  startNumber: number;
  /** Pixels most frames share (same layout as the frames), e.g. the portrait with alpha 0: only changes are encoded. */
  background?: Uint8Array;
}

/** Opens a PNG sequence writer; `write` resolves once the frame's pixels are read (the buffer may be reused). */
export async function openPngSequence(options: PngSequenceOptions): Promise<FrameWriter> {
  await ensureDir(path.dirname(options.framePath(options.startNumber)));
  const encoder = createPngDeltaEncoder(options);
  const frameBytes = options.width * options.height * options.channels;
  const inFlight = Math.max(1, Math.min(IN_FLIGHT, Math.floor(IN_FLIGHT_BYTES / frameBytes)));
  const pending = new Set<Promise<void>>();
  let failure: ReenactError | undefined;
  /** No more frames are taken; frames already taken are still written. */
  let closed = false;
  /** Frames not yet written are dropped. */
  let aborted = false;
  let written = 0;

  const save = async (file: string, png: Promise<Buffer[]>): Promise<void> => {
    const tmp = tempSibling(file);
    try {
      const pieces = await png;
      if (aborted) return;
      await writeFile(tmp, pieces); // the pieces as they are: no copy of the whole file
      await rename(tmp, file);
    } catch (err) {
      await rm(tmp, { force: true });
      failure ??= writeError(err, file);
    }
  };

  return {
    async write(image, changed) {
      if (image.width !== options.width || image.height !== options.height || image.channels !== options.channels) {
        throw new ReenactError(
          'INTERNAL',
          `Expected a ${options.width}×${options.height}×${options.channels} frame for the encoder but received ${image.width}×${image.height}×${image.channels}.`,
        );
      }
      if (failure) throw failure;
      if (closed) throw new ReenactError('INTERNAL', 'Expected an open PNG sequence but it was closed.');
      const job = save(options.framePath(options.startNumber + written++), encoder.encode(image.data, changed));
      pending.add(job);
      job.then(() => pending.delete(job));
      while (pending.size >= inFlight) await Promise.race(pending);
      if (failure) throw failure;
    },
    async close() {
      closed = true;
      await Promise.all(pending);
      if (failure) throw failure;
    },
    async abort() {
      closed = true;
      aborted = true;
      await Promise.all(pending);
    },
  };
}

/** A full disk says what to do; other failures name the file (read-only folder, …). */
function writeError(err: unknown, file: string): ReenactError {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new ReenactError(
      'OUTPUT_UNWRITABLE',
      'The disk is full while encoding. Free some space, then run the same command again to resume.',
      { cause: err, details: { file } },
    );
  }
  return outputError(err, file);
}

/** Files `<dir>/<prefix><n, zero-padded to digits><ext>`: the name is built, the folder is taken as it is. */
export function numberedFiles(dir: string, prefix: string, digits = 5, ext = '.png'): (n: number) => string {
  return (n) => path.join(dir, `${prefix}${String(n).padStart(digits, '0')}${ext}`);
}

/** True when `file` is a complete PNG (api/png-ready.ts says what that means). Cheap: reads its two ends. */
export async function isCompletePngFile(file: string): Promise<boolean> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(file, 'r');
    const { size } = await handle.stat();
    if (size < PNG_MIN_BYTES) return false;
    const head = new Uint8Array(8);
    const tail = new Uint8Array(12);
    await handle.read(head, 0, 8, 0);
    await handle.read(tail, 0, 12, size - 12);
    return isCompletePng(head, tail, size);
  } catch {
    return false;
  } finally {
    await handle?.close();
  }
}
