/**
 * Motion fidelity on real clips: the driving clip and the engine's output are tracked with the same tracker, and
 * each head-pose and expression signal of the output is compared with the driver's (Pearson r, and the amplitude
 * ratio: standard deviation of the output's signal over the driver's). Signals are relative to the reference frame
 * and normalised by face size where the two faces differ (shift in face widths, scale as a log ratio, eyes and mouth
 * relative to the reference frame's value), so a small portrait and a big driver compare.
 */
import path from 'node:path';
import { createFaceTracker } from '../../bridge/src/face/index.js';
import type { FaceObservation } from '../../bridge/src/face/types.js';
import { readImage } from '../../bridge/src/media/decode.js';
import type { Image } from '../../bridge/src/media/types.js';
import type { Manifest } from '../../bridge/src/pipeline/spec.js';
import { pearson } from './synth.js';

export const SIGNALS = ['yaw', 'pitch', 'roll', 'x', 'y', 'scale', 'eyes', 'mouth'] as const;
export type Signal = (typeof SIGNALS)[number];

/** One tracked face reduced to the signals compared (absolute values; null = no face). */
export interface Sample {
  yaw: number;
  pitch: number;
  roll: number;
  x: number;
  y: number;
  scale: number;
  eyes: number;
  mouth: number;
}

export function sampleOf(face: FaceObservation): Sample {
  const { pose, expression: e } = face;
  return {
    yaw: pose.yaw,
    pitch: pose.pitch,
    roll: pose.roll,
    x: pose.x,
    y: pose.y,
    scale: pose.scale,
    eyes: (e.leftEyeOpen + e.rightEyeOpen) / 2,
    mouth: e.mouthOpen,
  };
}

/** The RGB frames a render wrote into `out` (its frames/ folder), in manifest order. */
export async function* renderedFrames(out: string, manifest: Pick<Manifest, 'frames'>): AsyncGenerator<Image> {
  for (const f of manifest.frames) {
    yield readImage(path.join(out, 'frames', `frame_${String(f.index).padStart(5, '0')}.png`), { channels: 3 });
  }
}

/** Tracks every frame (tracking mode, largest face); null where no face was found. */
export async function trackSamples(frames: AsyncIterable<Image>): Promise<(Sample | null)[]> {
  const tracker = await createFaceTracker();
  const out: (Sample | null)[] = [];
  let i = 0;
  try {
    for await (const f of frames) {
      const found = await tracker.track(f, i++);
      out.push(found.faces[0] ? sampleOf(found.faces[0]) : null);
    }
  } finally {
    await tracker.dispose();
  }
  return out;
}

/**
 * Each signal relative to the reference sample: angles as differences, shift in reference face widths (eye-corner
 * distance), scale as a log ratio, eye openness as a ratio − 1, mouth opening (already ÷ eye distance) as a
 * difference.
 */
export function relative(s: Sample, ref: Sample): Record<Signal, number> {
  return {
    yaw: s.yaw - ref.yaw,
    pitch: s.pitch - ref.pitch,
    roll: s.roll - ref.roll,
    x: (s.x - ref.x) / ref.scale,
    y: (s.y - ref.y) / ref.scale,
    scale: Math.log(s.scale / ref.scale),
    eyes: s.eyes / ref.eyes - 1,
    mouth: s.mouth - ref.mouth,
  };
}

export interface Fidelity {
  r: number;
  /** Standard deviation of the output's signal ÷ the driver's. */
  amplitude: number;
}

function std(a: number[]): number {
  const m = a.reduce((s, v) => s + v, 0) / a.length;
  return Math.sqrt(a.reduce((s, v) => s + (v - m) ** 2, 0) / a.length);
}

/**
 * Compares output with driver over the frames where both have a face and the driver's head is turned no more than
 * `maxYawDeg` from its reference (past that the engine clamps, and every signal that the turn foreshortens — eye
 * line, roll, openness — stops being comparable).
 * @param refIndex the driving frame motion is measured from (its output frame is the neutral portrait)
 */
export function compareMotion(
  driver: (Sample | null)[],
  output: (Sample | null)[],
  refIndex: number,
  frames: number[],
  maxYawDeg = 45,
): Record<Signal, Fidelity> & { frames: number } {
  const dRef = driver[refIndex];
  const oRef = output[refIndex];
  if (!dRef || !oRef) throw new Error(`no face in reference frame ${refIndex}`);
  const d: Record<Signal, number[]> = Object.fromEntries(SIGNALS.map((k) => [k, []])) as never;
  const o: Record<Signal, number[]> = Object.fromEntries(SIGNALS.map((k) => [k, []])) as never;
  let n = 0;
  for (const i of frames) {
    const ds = driver[i];
    const os = output[i];
    if (!ds || !os) continue;
    const dr = relative(ds, dRef);
    if (Math.abs(dr.yaw) > (maxYawDeg * Math.PI) / 180) continue;
    const or = relative(os, oRef);
    for (const k of SIGNALS) {
      d[k].push(dr[k]);
      o[k].push(or[k]);
    }
    n++;
  }
  const result = { frames: n } as Record<Signal, Fidelity> & { frames: number };
  for (const k of SIGNALS) {
    result[k] = { r: pearson(d[k], o[k]), amplitude: std(o[k]) / (std(d[k]) || 1) };
  }
  return result;
}
