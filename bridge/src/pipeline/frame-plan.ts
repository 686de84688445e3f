/**
 * Which output frames a job has, which driving clip frame each one shows (the conform map), and which of them one run
 * renders (its chunk, or all). One pure function of the spec and the driving clip's probe, so the render, the chunk
 * splitter (jobs/chunks.ts) and the merge count the same frames and map them the same way.
 */
import { ReenactError } from '../errors.js';
import { conformMap, resolveRange } from '../media/decode.js';
import type { ProbeResult } from '../media/types.js';
import { parseRational, type Rational } from '../util/rational.js';
import type { JobSpec } from './spec.js';

/** Inclusive frame numbers. */
export interface FrameSpan {
  start: number;
  end: number;
}

export interface FramePlan {
  /** Driving clip frames the job uses, in the clip's own numbers. */
  range: FrameSpan;
  /** The range the spec asked for, when it went past the clip's last frame and `range` is what is left of it. */
  clampedFrom?: FrameSpan;
  /** Output frame rate (the spec's fps, else the clip's). */
  fps: Rational;
  /** Output frames of the whole job. */
  total: number;
  /** Output frames this run renders: the spec's chunk, or the whole job. */
  run: FrameSpan;
  /** Clip frame number shown by output frame `index` (conform: frames repeat or are skipped). */
  drivingFrame(index: number): number;
  /**
   * Where output frame `index` falls in the clip: the clip frame at or before its time, and how far towards the next
   * one it is (0 ≤ weight < 1), exactly (rational arithmetic). What a motion conform interpolates the face with.
   */
  drivingPosition(index: number): { frame: number; weight: number };
}

/**
 * Plans a job's frames. Chunks keep the WHOLE job's conform map, so a chunk's frames show the same driving frames as
 * in an unchunked render.
 * @example planFrames(spec /* fps "50", chunk 2-5 *\/, clip /* 25 fps, 10 frames *\/)
 *   // → { range: {0,9}, total: 20, run: {2,5}, drivingFrame(3) = 1 }
 * @throws BAD_INPUT for a still as the driving clip, a range outside the clip, a chunk outside the job's frames, a
 *   chunk asking for a movie, or control curves for frames the job does not have.
 */
export function planFrames(spec: JobSpec, driving: ProbeResult): FramePlan {
  checkDrivingClip(driving);
  const fps = spec.fps ? parseRational(spec.fps, 'output frame rate (fps)') : driving.fps;
  const range = resolveRange(driving, spec.range);
  const map = conformMap(range.end - range.start + 1, driving.fps, fps);
  checkChunk(spec, map.length);
  checkCurves(spec, map.length);
  return {
    range,
    ...(spec.range && spec.range.end !== range.end ? { clampedFrom: spec.range } : {}),
    fps,
    total: map.length,
    run: spec.chunk ?? { start: 0, end: map.length - 1 },
    drivingFrame: (index) => range.start + map[index],
    drivingPosition: (index) => {
      // Output frame k is at clip position k · (clip fps / output fps) = k·num/den, as conformMap floors it.
      const num = driving.fps.num * fps.den;
      const den = driving.fps.den * fps.num;
      return { frame: range.start + map[index], weight: ((index * num) % den) / den };
    },
  };
}

/**
 * The spec as it renders and is recorded: a range past the clip's last frame becomes the frames the clip has, so a
 * render, each chunk of it, their merge and a later run of the same spec agree on the range; with the warning that
 * says so.
 */
export function asPlanned(spec: JobSpec, plan: FramePlan, driving: ProbeResult): { spec: JobSpec; warnings: string[] } {
  if (!plan.clampedFrom) return { spec, warnings: [] };
  const { start, end } = plan.clampedFrom;
  return {
    spec: { ...spec, range: plan.range },
    warnings: [
      `Range ${start}-${end} goes past the last frame of ${spec.driving} (${driving.frameCount - 1}): clip frames ${plan.range.start}-${plan.range.end} are rendered, and recorded as the range.`,
    ],
  };
}

/** Frames in a span. */
export const countOf = (span: FrameSpan): number => span.end - span.start + 1;

/** @throws BAD_INPUT when the driving input is a still image. */
export function checkDrivingClip(driving: ProbeResult): void {
  if (driving.kind !== 'video') {
    throw new ReenactError(
      'BAD_INPUT',
      `Expected a video clip for the driving performance but received a still image (${driving.file}). Pick the performance footage.`,
    );
  }
}

/** @throws BAD_INPUT when a chunk lies outside the job's output frames, or asks for a movie. */
function checkChunk(spec: JobSpec, total: number): void {
  const { chunk } = spec;
  if (!chunk) return;
  if (chunk.end >= total) {
    throw new ReenactError(
      'BAD_INPUT',
      `Expected a chunk within output frames 0-${total - 1} but received ${chunk.start}-${chunk.end} (${spec.driving}). Split the job with its own frame count.`,
    );
  }
  if (spec.output.format !== 'png') {
    throw new ReenactError(
      'BAD_INPUT',
      `Expected format png for a chunked render but received ${spec.output.format}. Chunks render PNG frames; mergeChunks encodes the movie.`,
    );
  }
}

/**
 * @throws BAD_INPUT when control curves name frames past the job's last output frame: curves are sampled once per
 * output frame (the panel samples exactly the job's frame count), so more frames than the job is a mistake — and an
 * unbounded list held in every job record.
 */
function checkCurves(spec: JobSpec, total: number): void {
  const curves = spec.curves;
  if (!curves || curves.frames.length === 0) return;
  const end = curves.start + curves.frames.length - 1;
  if (end >= total) {
    throw new ReenactError(
      'BAD_INPUT',
      `Expected control curves for output frames 0-${total - 1} (the job's ${total} frames) but received ${curves.frames.length} curve frames from frame ${curves.start} (to ${end}). Sample the curves over the job's frames only.`,
      { details: { total, start: curves.start, frames: curves.frames.length } },
    );
  }
}
