/**
 * Tracker throughput for `npm run bench`: tracks a sequence of frames (already decoded, so decoding is not
 * counted) and reports frames per second and how many frames had a face.
 */
import type { Image } from '../media/types.js';
import { createFaceTracker, type FaceTrackerOptions } from './index.js';

export interface TrackerBench {
  frames: number;
  withFace: number;
  seconds: number;
  fps: number;
  /** Process CPU seconds (user + system) spent tracking: with one thread per model this is the cost on one core. */
  cpuSeconds: number;
  /** frames / cpuSeconds: throughput per core, much less sensitive than `fps` to other load on the machine. */
  fpsPerCore: number;
  /** Milliseconds to load (and if needed convert) the models, not counted in fps. */
  loadMs: number;
}

/** Tracks `frames` in order with a fresh tracker and times it (model loading excluded). */
export async function benchTracker(
  frames: Iterable<Image> | AsyncIterable<Image>,
  options: FaceTrackerOptions = {},
): Promise<TrackerBench> {
  const t0 = performance.now();
  const tracker = await createFaceTracker(options);
  const loadMs = performance.now() - t0;
  let n = 0;
  let withFace = 0;
  let busy = 0;
  let cpu = 0;
  try {
    for await (const frame of frames) {
      const start = performance.now();
      const c0 = process.cpuUsage();
      const result = await tracker.track(frame, n++);
      const c = process.cpuUsage(c0);
      cpu += (c.user + c.system) / 1e6;
      busy += performance.now() - start;
      if (result.faces.length > 0) withFace++;
    }
  } finally {
    await tracker.dispose();
  }
  const seconds = busy / 1000;
  return {
    frames: n,
    withFace,
    seconds,
    fps: seconds > 0 ? n / seconds : 0,
    cpuSeconds: cpu,
    fpsPerCore: cpu > 0 ? n / cpu : 0,
    loadMs,
  };
}
