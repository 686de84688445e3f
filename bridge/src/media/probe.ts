/**
 * probe(file): what a still or a clip is — size, rational fps, frame count, rotation, alpha, VFR — or a clear error
 * for missing, unreadable, empty, corrupt and unsupported files.
 */
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import path from 'node:path';
import { ReenactError } from '../errors.js';
import { parseRational, type Rational, rational } from '../util/rational.js';
import { countFramesArgs, packetTimesArgs, probeArgs } from './ffmpeg-args.js';
import { ffmpegPaths } from './locator.js';
import { runProcess } from './run.js';
import type { ProbeResult } from './types.js';

interface FfStream {
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  pix_fmt?: string;
  sample_aspect_ratio?: string;
  r_frame_rate?: string;
  avg_frame_rate?: string;
  nb_frames?: string;
  duration?: string;
  tags?: Record<string, string>;
  side_data_list?: { side_data_type?: string; rotation?: number }[];
  disposition?: { attached_pic?: number };
}

interface FfProbe {
  streams?: FfStream[];
  format?: { format_name?: string; duration?: string };
}

const IMAGE_FORMATS =
  /(^|,)(image2|png_pipe|jpeg_pipe|bmp_pipe|tiff_pipe|webp_pipe|psd_pipe|exr_pipe|dpx_pipe|ppm_pipe|pam_pipe|sgi_pipe|tga_pipe|gif_pipe|j2k_pipe|qoi_pipe)(,|$)/;
const ALPHA_FORMATS = /^(rgba|bgra|argb|abgr|ya8|ya16|yuva|gbrap|rgba64|bgra64|pal8)/;

/** Clockwise display rotation from a display matrix angle or a legacy `rotate` tag. */
export function normaliseRotation(stream: FfStream): 0 | 90 | 180 | 270 {
  let deg = 0;
  const matrix = stream.side_data_list?.find((s) => typeof s.rotation === 'number');
  if (matrix?.rotation !== undefined)
    deg = -matrix.rotation; // display matrix angle is counter-clockwise
  else if (stream.tags?.rotate) deg = Number(stream.tags.rotate);
  const r = (((Math.round(deg / 90) * 90) % 360) + 360) % 360;
  return r as 0 | 90 | 180 | 270;
}

function safeRational(text: string | undefined): Rational | undefined {
  if (!text || text === '0/0') return undefined;
  try {
    return parseRational(text);
  } catch {
    return undefined;
  }
}

/** True when packet durations vary by more than 1/4 of the mean (timestamps not evenly spaced). */
export function isVariableRate(times: number[]): boolean {
  const sorted = [...times].filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length < 3) return false;
  const deltas = sorted.slice(1).map((t, i) => t - sorted[i]);
  const mean = deltas.reduce((a, b) => a + b, 0) / deltas.length;
  if (mean <= 0) return false;
  return deltas.some((d) => Math.abs(d - mean) > mean / 4);
}

async function checkReadable(file: string): Promise<void> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(file);
  } catch {
    throw new ReenactError('BAD_INPUT', `File not found (${file}). Check the path.`, {
      details: { file },
    });
  }
  if (info.isDirectory()) {
    throw new ReenactError(
      'BAD_INPUT',
      `Expected a file but received a folder (${file}). Pick the image or clip inside it.`,
      {
        details: { file },
      },
    );
  }
  try {
    await access(file, constants.R_OK);
  } catch {
    throw new ReenactError('BAD_INPUT', `File is not readable (${file}). Check its permissions.`, {
      details: { file },
    });
  }
  if (info.size === 0) {
    throw new ReenactError('BAD_INPUT', `File is empty (0 bytes) (${file}). Re-export or re-copy it.`, {
      details: { file },
    });
  }
}

/**
 * Probes a still or a video.
 * @throws ReenactError BAD_INPUT for missing, unreadable, empty, corrupt, zero-frame or audio-only files.
 * @example const info = await probe('take_03.mov'); info.fps // {num: 30000, den: 1001}
 */
export async function probe(file: string, options: { signal?: AbortSignal } = {}): Promise<ProbeResult> {
  const abs = path.resolve(file);
  await checkReadable(abs);
  const { ffprobe } = ffmpegPaths();
  let data: FfProbe;
  try {
    const { stdout } = await runProcess(ffprobe, probeArgs(abs), { signal: options.signal, timeoutMs: 60_000 });
    data = JSON.parse(stdout.toString()) as FfProbe;
  } catch (err) {
    if (err instanceof ReenactError && err.code === 'CANCELLED') throw err;
    const reason = err instanceof ReenactError ? String(err.details.stderr ?? err.message) : String(err);
    throw new ReenactError(
      'BAD_INPUT',
      `Cannot read this file as an image or video: it is corrupt or in an unsupported format (${abs}). ffprobe said: ${reason.split('\n').pop()}. Re-export it as PNG, JPEG, MOV or MP4.`,
      { cause: err, details: { file: abs } },
    );
  }
  const video = data.streams?.find((s) => s.codec_type === 'video' && !s.disposition?.attached_pic);
  if (!video?.width || !video.height) {
    const hasAudio = data.streams?.some((s) => s.codec_type === 'audio');
    throw new ReenactError(
      'BAD_INPUT',
      hasAudio
        ? `File has audio but no video stream (${abs}). Pick a clip with picture.`
        : `File has no picture in it (${abs}). Pick an image or a video clip.`,
      { details: { file: abs } },
    );
  }
  const formatName = data.format?.format_name ?? '';
  const isStill = IMAGE_FORMATS.test(formatName) && (video.nb_frames === undefined || Number(video.nb_frames) <= 1);
  const rotation = normaliseRotation(video);
  const swap = rotation === 90 || rotation === 270;
  const pixelFormat = video.pix_fmt ?? 'unknown';
  const common = {
    file: abs,
    width: swap ? video.height : video.width,
    height: swap ? video.width : video.height,
    pixelAspect: safeRational(video.sample_aspect_ratio?.replace(':', '/')) ?? rational(1),
    rotation,
    pixelFormat,
    hasAlpha: ALPHA_FORMATS.test(pixelFormat),
    codec: video.codec_name ?? 'unknown',
  };
  if (isStill) {
    return { ...common, kind: 'still', fps: rational(1), frameCount: 1, duration: 0, vfr: false };
  }
  const fps = safeRational(video.avg_frame_rate) ?? safeRational(video.r_frame_rate);
  if (!fps) {
    throw new ReenactError(
      'BAD_INPUT',
      `Cannot tell the frame rate of this clip (${abs}). Re-export it with a constant frame rate.`,
      {
        details: { file: abs },
      },
    );
  }
  let frameCount = Number(video.nb_frames ?? 0);
  if (!frameCount) {
    const { stdout } = await runProcess(ffprobe, countFramesArgs(abs), { signal: options.signal, timeoutMs: 300_000 });
    const counted = JSON.parse(stdout.toString()) as { streams?: { nb_read_packets?: string }[] };
    frameCount = Number(counted.streams?.[0]?.nb_read_packets ?? 0);
  }
  if (!frameCount) {
    throw new ReenactError('BAD_INPUT', `Clip has no frames (${abs}). It may be truncated; re-export it.`, {
      details: { file: abs },
    });
  }
  const { stdout } = await runProcess(ffprobe, packetTimesArgs(abs), { signal: options.signal, timeoutMs: 120_000 });
  const packets =
    (JSON.parse(stdout.toString()) as { packets?: { pts_time?: string; dts_time?: string }[] }).packets ?? [];
  const vfr = isVariableRate(packets.map((p) => Number(p.pts_time ?? p.dts_time)));
  const duration = Number(video.duration ?? data.format?.duration ?? (frameCount * fps.den) / fps.num);
  return { ...common, kind: 'video', fps, frameCount, duration, vfr };
}
