/**
 * The tracking stage of a render: faces in the portrait and in every driving frame, smoothed, with the reference frame
 * chosen. Engines that need no faces (the fixture engine) skip it.
 */

import type { Engine } from '../engines/types.js';
import { ReenactError } from '../errors.js';
import type { FaceObservation } from '../face/types.js';
import type { Image, ProbeResult } from '../media/types.js';
import type { JobEvent } from './events.js';
import type { JobSpec } from './spec.js';

export interface DrivingTrack {
  /** The portrait's chosen face. */
  sourceFace: FaceObservation;
  /** Driving clip frame taken as neutral. */
  referenceIndex: number;
  /** The chosen (smoothed) face in a driving clip frame, or null. */
  faceAt(sourceIndex: number): FaceObservation | null;
}

export interface TrackContext {
  source: Image;
  driving: ProbeResult;
  drivingHash: string;
  range: { start: number; end: number };
  jobId: string;
  emit: (e: JobEvent) => void;
  warn: (message: string, frames?: [number, number]) => void;
  signal?: AbortSignal;
}

export async function trackForJob(spec: JobSpec, engine: Engine, _context: TrackContext): Promise<DrivingTrack | null> {
  if (engine.info.needsFaces === false) return null;
  throw new ReenactError(
    'MISSING_DEPENDENCY',
    `The ${spec.engine.name} engine needs the face tracker, which is not available in this build.`,
  );
}
