/**
 * Smoothing of a whole face track (one face per frame, or null): the 468 landmarks and the iris points go
 * through per-channel One-Euro filters, then box, pose and expression are recomputed from the smoothed points
 * so every field agrees. Built on the pure smoother, so it is deterministic and chunkable (from/to/warmup).
 */
import { expression, headPose, landmarksBox } from './measure.js';
import { createSmoother } from './smoothing.js';
import type { FaceObservation } from './types.js';

export interface SmoothFacesOptions {
  /** User strength 0..1; 0 returns the faces unchanged. */
  strength: number;
  /** Frames per second of the driving clip. */
  fps: number;
  /** First frame to return (default 0). */
  from?: number;
  /** End frame, exclusive (default: all). */
  to?: number;
  /** Frames before `from` to warm the filter up on (default: all of them, so chunks equal the whole run). */
  warmup?: number;
}

export function median(values: ArrayLike<number>): number {
  if (values.length === 0) return 1;
  const s = Array.from(values).sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export interface FaceSmootherOptions {
  strength: number;
  fps: number;
  /** The track's typical face size (median pose scale): speeds are measured relative to it. */
  scale: number;
}

/**
 * A One-Euro smoother over a face track fed frame by frame (null = no face), for tracks too long to hold in memory.
 * Returns the smoothed face with box, pose and expression recomputed from the smoothed points.
 */
export function createFaceSmoother(options: FaceSmootherOptions) {
  const points = createSmoother(468 * 3, options);
  const iris = createSmoother(30, options);
  return {
    step(f: FaceObservation | null): FaceObservation | null {
      const l = points.step(f?.landmarks);
      const ir = iris.step(f?.iris);
      if (!f || !l) return null;
      return {
        ...f,
        box: landmarksBox(l),
        landmarks: l,
        ...(ir ? { iris: ir } : {}),
        pose: headPose(l),
        expression: expression(l, ir),
      };
    },
  };
}

/**
 * Smoothed copies of `faces[from..to)`; null stays null. The speed term is scaled by the track's median face size,
 * so the same strength behaves alike on close-ups and wide shots.
 */
export function smoothFaces(
  faces: readonly (FaceObservation | null)[],
  options: SmoothFacesOptions,
): (FaceObservation | null)[] {
  const from = options.from ?? 0;
  const to = options.to ?? faces.length;
  if (options.strength <= 0) return faces.slice(from, to);
  const start = Math.max(0, from - (options.warmup ?? Number.POSITIVE_INFINITY));
  const scale = median(faces.filter((f): f is FaceObservation => f !== null).map((f) => f.pose.scale));
  const smoother = createFaceSmoother({ strength: options.strength, fps: options.fps, scale });
  const out: (FaceObservation | null)[] = [];
  for (let i = start; i < to; i++) {
    const face = smoother.step(faces[i] ?? null);
    if (i >= from) out.push(face);
  }
  return out;
}
