/**
 * Streaming decode: an async iterable of frames with back-pressure (ffmpeg is paused while the consumer works),
 * a frame range, rotation applied, and optional conform to a target rate through an explicit source→output frame map.
 * Memory holds one frame at a time, whatever the clip length.
 */
import { spawn } from 'node:child_process';
import { ReenactError } from '../errors.js';
import { debug } from '../log.js';
import { equalRational, frameTime, type Rational } from '../util/rational.js';
import { decodeArgs } from './ffmpeg-args.js';
import { readFrames } from './frame-reader.js';
import { ffmpegPaths } from './locator.js';
import { probe } from './probe.js';
import { formatCommand, killProcess, lastLines, processError } from './run.js';
import type { Frame, Image, ProbeResult } from './types.js';

export interface DecodeOptions {
  /** 3 = RGB, 4 = RGBA. Default 3. */
  channels?: 3 | 4;
  /** Inclusive clip frame range. */
  range?: { start: number; end: number };
  /** Output rate; frames are repeated or dropped by the conform map. Default: the clip's own rate. */
  fps?: Rational;
  signal?: AbortSignal;
  /** Reuse an earlier probe of the same file. */
  info?: ProbeResult;
}

/**
 * For output frame k (0-based) the source frame (0-based, relative to the range start) shown at that time:
 * floor(k · srcFps / outFps), exact in integers. Stops before `sourceCount`.
 * @example conformMap(4, {num:24,den:1}, {num:48,den:1}) // [0,0,1,1,2,2,3,3]
 */
export function conformMap(sourceCount: number, srcFps: Rational, outFps: Rational): number[] {
  const map: number[] = [];
  const num = srcFps.num * outFps.den;
  const den = srcFps.den * outFps.num;
  for (let k = 0; ; k++) {
    const src = Math.floor((k * num) / den);
    if (src >= sourceCount) break;
    map.push(src);
  }
  return map;
}

/**
 * Checks a requested range against the clip; returns it with its end clamped to the clip's last frame (callers say
 * so when it was). @throws BAD_INPUT when the range starts past the clip (nothing of it is in the clip).
 */
export function resolveRange(
  info: ProbeResult,
  range?: { start: number; end: number },
): { start: number; end: number } {
  const last = info.frameCount - 1;
  if (!range) return { start: 0, end: last };
  if (range.start > last || range.end < range.start) {
    throw new ReenactError(
      'BAD_INPUT',
      `Expected a frame range within 0-${last} for ${info.file} but received ${range.start}-${range.end}: the clip has ${info.frameCount} frames.`,
      { details: { file: info.file } },
    );
  }
  return { start: range.start, end: Math.min(range.end, last) };
}

/**
 * Decodes frames. `index` is the output frame number (0-based), `sourceIndex` the clip frame it came from.
 * @example for await (const f of decodeFrames('take.mov', {range: {start: 10, end: 20}})) use(f.data)
 */
export async function* decodeFrames(file: string, options: DecodeOptions = {}): AsyncGenerator<Frame> {
  const info = options.info ?? (await probe(file, { signal: options.signal }));
  const channels = options.channels ?? 3;
  const range = resolveRange(info, options.range);
  const outFps = options.fps ?? info.fps;
  const count = range.end - range.start + 1;
  const map = equalRational(outFps, info.fps) ? null : conformMap(count, info.fps, outFps);
  const { ffmpeg } = ffmpegPaths();
  const args = decodeArgs(info.file, {
    channels,
    startFrame: range.start,
    endFrame: range.end,
    cfrRate: info.vfr ? info.fps : undefined,
  });
  debug('decode %s', formatCommand(ffmpeg, args));
  const child = spawn(ffmpeg, args, { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  const spawnError = new Promise<never>((_, reject) =>
    child.on('error', (err) =>
      reject(new ReenactError('MISSING_DEPENDENCY', `Could not start ffmpeg: ${err.message}`, { cause: err })),
    ),
  );
  spawnError.catch(() => {});
  const onAbort = () => killProcess(child);
  options.signal?.addEventListener('abort', onAbort, { once: true });

  const frameSize = info.width * info.height * channels;
  let relIndex = 0; // source frame number relative to range start
  let outIndex = 0;
  let done = false;
  const makeFrames = function* (data: Uint8Array): Generator<Frame> {
    const reps = map ? countInMap(map, relIndex, outIndex) : 1;
    for (let r = 0; r < reps; r++) {
      const index = outIndex++;
      yield {
        data: r === reps - 1 ? data : Uint8Array.prototype.slice.call(data), // a copy (Buffer#slice would share)
        width: info.width,
        height: info.height,
        channels,
        index,
        sourceIndex: range.start + relIndex,
        time: frameTime(index, outFps),
      };
    }
    relIndex++;
    if (map && outIndex >= map.length) done = true;
  };
  try {
    for await (const full of readFrames(child.stdout, frameSize)) {
      yield* makeFrames(full);
      if (done) return;
    }
    const { code, signal } = await Promise.race([exited, spawnError]);
    if (options.signal?.aborted) throw new ReenactError('CANCELLED', 'Cancelled.');
    if (code !== 0) throw decodeError(info.file, relIndex, processError(ffmpeg, args, code, signal, stderr), signal);
    if (relIndex === 0) {
      throw new ReenactError(
        'BAD_INPUT',
        `No frames could be decoded from ${info.file}. It may be corrupt; re-export it.`,
        {
          details: { file: info.file, stderr },
        },
      );
    }
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    killProcess(child);
  }
}

/**
 * A failed decode, said in terms of the input: ffmpeg killed from outside (resumable) or a file it cannot read past
 * some frame (corrupt or truncated). Keeps ffmpeg's command and stderr in details.
 */
function decodeError(file: string, decoded: number, err: ReenactError, signal: string | null): ReenactError {
  const where = decoded ? ` after ${decoded} frame(s)` : '';
  if (signal) {
    return new ReenactError(
      'FFMPEG_FAILED',
      `ffmpeg stopped (killed by ${signal}) while decoding ${file}${where}. Run the same command again to resume.`,
      { cause: err, details: { ...err.details, file } },
    );
  }
  const said = lastLines(String(err.details.stderr ?? ''), 1);
  return new ReenactError(
    'BAD_INPUT',
    `Could not decode ${file}${where}: it may be corrupt or truncated${said ? ` (ffmpeg said: ${said})` : ''}. Re-export it.`,
    { cause: err, details: { ...err.details, file } },
  );
}

/** How many output frames show source frame `rel`, given output frames already emitted. */
function countInMap(map: number[], rel: number, from: number): number {
  let n = 0;
  while (from + n < map.length && map[from + n] === rel) n++;
  return n;
}

/**
 * Reads a still (or a clip's first frame) as RGB or RGBA. Default channels: 4 when the file has alpha, else 3.
 * @example const img = await readImage('portrait.png'); // {width, height, channels, data}
 */
export async function readImage(
  file: string,
  options: { channels?: 3 | 4; signal?: AbortSignal } = {},
): Promise<Image> {
  const info = await probe(file, options);
  const channels = options.channels ?? (info.hasAlpha ? 4 : 3);
  for await (const frame of decodeFrames(info.file, {
    channels,
    info,
    range: { start: 0, end: 0 },
    signal: options.signal,
  })) {
    return { data: frame.data, width: frame.width, height: frame.height, channels };
  }
  throw new ReenactError('BAD_INPUT', `No image could be decoded from ${info.file}. It may be corrupt; re-export it.`, {
    details: { file: info.file },
  });
}
