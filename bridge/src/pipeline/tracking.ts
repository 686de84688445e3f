/**
 * The tracking stage of a render: the portrait's face, and the chosen face in every driving frame (cached by the
 * clip's content hash and the tracking options, then smoothed), with the neutral reference frame picked.
 * Engines that need no faces (the fixture engine) skip it.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { pickReferenceFrame } from '../engines/meshwarp/reference.js';
import type { Engine } from '../engines/types.js';
import { ReenactError, throwIfAborted } from '../errors.js';
import { chooseFace, createFaceTracker, type FaceTracker, followChoice } from '../face/index.js';
import { smoothFaces } from '../face/smooth-track.js';
import type { FaceChoice, FaceObservation, FrameFaces } from '../face/types.js';
import { decodeFrames } from '../media/decode.js';
import type { Image, ProbeResult } from '../media/types.js';
import { cacheDir } from '../util/paths.js';
import { toNumber } from '../util/rational.js';
import type { JobEvent } from './events.js';
import { ProgressMeter } from './progress.js';
import type { JobSpec } from './spec.js';
import { readTrackCache, writeTrackCache } from './track-cache.js';

/** Bump when tracking output changes, so caches from older versions are not reused. */
const TRACK_VERSION = 2;

export interface DrivingTrack {
  /** The portrait's chosen face. */
  sourceFace: FaceObservation;
  /** Driving clip frame taken as neutral. */
  referenceIndex: number;
  /** The chosen (smoothed) face in a driving clip frame, or null. */
  faceAt(sourceIndex: number): FaceObservation | null;
  /** True when the track came from the cache (no decoding or tracking was done). */
  cached: boolean;
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

function describeChoice(choice: FaceChoice): string {
  switch (choice.by) {
    case 'largest':
      return 'the largest face';
    case 'index':
      return `face index ${choice.index}`;
    case 'id':
      return `face id ${choice.id}`;
    case 'point':
      return `a face at (${choice.x}, ${choice.y})`;
  }
}

async function portraitFace(tracker: FaceTracker, spec: JobSpec, source: Image): Promise<FaceObservation> {
  const faces = await tracker.detect(source, { largestOnly: spec.face.source.by === 'largest' });
  if (!faces.length) {
    throw new ReenactError(
      'BAD_INPUT',
      `No face found in the portrait (${spec.source}). Use a photo where the face is clearly visible, frontal and at least about 80 pixels wide.`,
    );
  }
  const face = chooseFace(faces, spec.face.source);
  if (!face) {
    throw new ReenactError(
      'BAD_INPUT',
      `Expected ${describeChoice(spec.face.source)} in the portrait but found ${faces.length} face(s) (${spec.source}). Pick another face (--face).`,
    );
  }
  return face;
}

/** Tracks frames [start, end]; keeps the face chosen at the first frame with faces, followed by its id. */
async function trackSpan(
  tracker: FaceTracker,
  spec: JobSpec,
  c: TrackContext,
  span: { start: number; end: number },
): Promise<(FaceObservation | null)[]> {
  const frames: FrameFaces[] = [];
  const meter = new ProgressMeter(c.jobId, 'track', span.end - span.start + 1, c.emit);
  tracker.reset();
  for await (const frame of decodeFrames(c.driving.file, { info: c.driving, range: span, signal: c.signal })) {
    throwIfAborted(c.signal);
    frames.push(await tracker.track(frame, frame.sourceIndex));
    meter.tick();
  }
  return followChoice(frames, spec.face.driving).faces;
}

export async function trackForJob(spec: JobSpec, engine: Engine, c: TrackContext): Promise<DrivingTrack | null> {
  if (engine.info.needsFaces === false) return null;
  const tracker = await createFaceTracker();
  try {
    const sourceFace = await portraitFace(tracker, spec, c.source);
    const ref = spec.referenceFrame;
    if (typeof ref === 'number' && ref >= c.driving.frameCount) {
      throw new ReenactError(
        'BAD_INPUT',
        `Expected a reference frame within 0-${c.driving.frameCount - 1} but received ${ref} (${spec.driving}).`,
      );
    }
    const span = {
      start: Math.min(c.range.start, typeof ref === 'number' ? ref : c.range.start),
      end: Math.max(c.range.end, typeof ref === 'number' ? ref : c.range.end),
    };
    const key = createHash('sha256')
      .update(
        JSON.stringify([TRACK_VERSION, c.drivingHash, tracker.models.map((m) => m.sha256), span, spec.face.driving]),
      )
      .digest('hex')
      .slice(0, 32);
    const dir = path.join(cacheDir(), 'tracks');
    const hit = await readTrackCache(dir, key);
    const raw = hit?.faces ?? (await trackSpan(tracker, spec, c, span));
    if (!hit) await writeTrackCache(dir, key, span.start, raw);
    const smoothed = smoothFaces(raw, { strength: spec.smoothing, fps: toNumber(c.driving.fps) });
    const at = (i: number) => smoothed[i - span.start] ?? null;
    let referenceIndex: number;
    if (typeof ref === 'number') {
      if (!at(ref))
        throw new ReenactError(
          'BAD_INPUT',
          `No face in the reference frame ${ref} of ${spec.driving}. Pick a frame where the face is visible (--ref-frame).`,
        );
      referenceIndex = ref;
    } else {
      const inRange = smoothed.map((f, i) => (span.start + i >= c.range.start ? f : null));
      const first = ref === 'neutral' ? pickReferenceFrame(inRange) : inRange.findIndex((f) => f);
      if (first < 0)
        throw new ReenactError(
          'BAD_INPUT',
          `No face found in the driving clip (${spec.driving}, frames ${c.range.start}-${c.range.end}). Use footage where the performer's face is visible.`,
        );
      referenceIndex = span.start + first;
    }
    return { sourceFace, referenceIndex, faceAt: at, cached: Boolean(hit) };
  } finally {
    await tracker.dispose();
  }
}
