/**
 * The performance at an output frame: the tracked (smoothed) face the engine renders from. When the output rate differs
 * from the clip's, output frames fall between clip frames; a motion conform gives each one the face interpolated to
 * its own time (face/interpolate.ts), so every output frame moves, instead of repeating the nearest clip frame's face.
 */
import { interpolateFace } from '../face/interpolate.js';
import type { FaceObservation } from '../face/types.js';
import type { FramePlan } from './frame-plan.js';
import type { JobSpec } from './spec.js';
import type { DrivingTrack } from './tracking.js';

/**
 * How a job conforms: as the spec says, except for engines that read the driving pixels (a face between two frames
 * has no pixels of its own), which conform by nearest frame.
 */
export function conformMode(spec: Pick<JobSpec, 'conform'>, needsDrivingPixels: boolean): JobSpec['conform'] {
  return needsDrivingPixels ? 'nearest' : spec.conform;
}

/**
 * The face output frame `index` shows: the clip frame's face at or before its time, or (motion) the face between that
 * frame and the next at the output frame's own time. The range's last frame has no next one and is held.
 */
export function faceAtOutput(
  track: DrivingTrack,
  plan: FramePlan,
  index: number,
  mode: JobSpec['conform'],
): FaceObservation | null {
  const { frame, weight } = plan.drivingPosition(index);
  const face = track.faceAt(frame);
  if (mode === 'nearest' || weight === 0 || frame + 1 > plan.range.end) return face;
  return interpolateFace(face, track.faceAt(frame + 1), weight);
}
