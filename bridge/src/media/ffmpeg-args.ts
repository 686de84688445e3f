/**
 * Pure ffmpeg/ffprobe argument builders: each returns string[] and is tested as an array. No spawning here.
 */
import { formatRational, type Rational } from '../util/rational.js';

export function probeArgs(file: string): string[] {
  return ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', file];
}

/** Counts video packets (demux only, fast) when the container does not store a frame count. */
export function countFramesArgs(file: string): string[] {
  return [
    '-v',
    'error',
    '-select_streams',
    'v:0',
    '-count_packets',
    '-show_entries',
    'stream=nb_read_packets',
    '-print_format',
    'json',
    file,
  ];
}

/** Packet timestamps of the first `limit` video packets, for VFR detection. */
export function packetTimesArgs(file: string, limit = 600): string[] {
  return [
    '-v',
    'error',
    '-select_streams',
    'v:0',
    '-read_intervals',
    `%+#${limit}`,
    '-show_entries',
    'packet=pts_time,dts_time',
    '-print_format',
    'json',
    file,
  ];
}

export interface DecodeArgsOptions {
  channels: 3 | 4;
  /** First and last clip frame to output (inclusive), counted after VFR→CFR normalisation. */
  startFrame?: number;
  endFrame?: number;
  /** Resample a variable-rate clip to this constant rate first (frames picked by timestamp). */
  cfrRate?: Rational;
  /** Output size when scaling in ffmpeg (e.g. previews). */
  scale?: { width: number; height: number };
}

/** Decode the first video stream to raw RGB(A) frames on stdout. ffmpeg applies rotation metadata (autorotate). */
export function decodeArgs(file: string, o: DecodeArgsOptions): string[] {
  const filters: string[] = [];
  if (o.cfrRate) filters.push(`fps=${formatRational(o.cfrRate)}`);
  if (o.startFrame !== undefined || o.endFrame !== undefined) {
    const parts = [];
    if (o.startFrame) parts.push(`start_frame=${o.startFrame}`);
    if (o.endFrame !== undefined) parts.push(`end_frame=${o.endFrame + 1}`);
    if (parts.length) filters.push(`trim=${parts.join(':')}`);
  }
  if (o.scale) filters.push(`scale=${o.scale.width}:${o.scale.height}:flags=bilinear`);
  return [
    '-v',
    'error',
    '-nostdin',
    '-i',
    file,
    '-map',
    '0:v:0',
    ...(filters.length ? ['-vf', filters.join(',')] : []),
    '-vsync',
    'passthrough',
    '-f',
    'rawvideo',
    '-pix_fmt',
    o.channels === 4 ? 'rgba' : 'rgb24',
    '-',
  ];
}

export interface RawInput {
  width: number;
  height: number;
  channels: 3 | 4;
  fps: Rational;
}

/**
 * An encode of raw frames on stdin: quiet, never reading the terminal, the frames' size, layout and rate, then the
 * encoder's own arguments and its output, overwritten (encode.ts writes to a temp name first).
 */
export function rawEncodeArgs(i: RawInput, encoder: string[], output: string): string[] {
  return [
    '-v',
    'error',
    '-nostdin',
    '-f',
    'rawvideo',
    '-pix_fmt',
    i.channels === 4 ? 'rgba' : 'rgb24',
    '-s',
    `${i.width}x${i.height}`,
    '-framerate',
    formatRational(i.fps),
    '-i',
    '-',
    ...encoder,
    '-y',
    output,
  ];
}

/** ProRes 4444 with alpha (prores_aw: ~3× prores_ks speed on 2 cores, docs/ARCHITECTURE.md §5) into a .mov. */
export function prores4444Args(i: RawInput & { file: string }): string[] {
  return rawEncodeArgs(
    i,
    ['-c:v', 'prores_aw', '-profile:v', '4', '-pix_fmt', 'yuva444p10le', '-vendor', 'apl0', '-f', 'mov'],
    i.file,
  );
}

/** H.264 preview (.mp4, yuv420p, even dimensions) for quick review; alpha is dropped. */
export function h264Args(i: RawInput & { file: string }): string[] {
  return rawEncodeArgs(
    i,
    [
      '-vf',
      'pad=ceil(iw/2)*2:ceil(ih/2)*2',
      '-c:v',
      'libx264',
      '-preset',
      'veryfast',
      '-crf',
      '18',
      '-pix_fmt',
      'yuv420p',
      '-movflags',
      '+faststart',
      '-f',
      'mp4',
    ],
    i.file,
  );
}
