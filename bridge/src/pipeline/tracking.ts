/**
 * The tracking stage of a render: the portrait's face, and the chosen face in every driving frame (a track file cached
 * by the clip's content hash and the tracking options, then a smoothed copy cached by strength; both on disk, read a
 * face at a time), with the neutral reference frame picked. Engines that need no faces (the fixture engine) skip it.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { Engine } from '../engines/types.js';
import { ReenactError, throwIfAborted } from '../errors.js';
import { describeCandidates, describeChoice, listFaceChoices } from '../face/describe.js';
import {
  chooseFace,
  createChoiceFollower,
  createFaceTracker,
  type FaceTracker,
  sortLargestFirst,
} from '../face/index.js';
import { mostNeutralFrame } from '../face/neutral.js';
import { createFaceSmoother } from '../face/smooth-track.js';
import type { FaceObservation } from '../face/types.js';
import { decodeFrames } from '../media/decode.js';
import type { Image, ProbeResult } from '../media/types.js';
import { cacheDir } from '../util/paths.js';
import { toNumber } from '../util/rational.js';
import type { JobEvent } from './events.js';
import { ProgressMeter } from './progress.js';
import type { JobSpec } from './spec.js';
import { createTrackWriter, openTrack, type TrackFile, type TrackWriter } from './track-cache.js';

/** Bump when tracking output changes, so caches from older versions are not reused. */
const TRACK_VERSION = 4;

export interface DrivingTrack {
  /** The portrait's chosen face. */
  sourceFace: FaceObservation;
  /** Driving clip frame taken as neutral. */
  referenceIndex: number;
  /** The chosen (smoothed) face in a driving clip frame, or null. */
  faceAt(sourceIndex: number): FaceObservation | null;
  /** True when the track came from the cache (no decoding or tracking was done). */
  cached: boolean;
  /** Closes the track files. */
  close(): void;
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
      `Expected ${describeChoice(spec.face.source)} in the portrait (${spec.source}) but it has ${describeCandidates(sortLargestFirst(faces))}. Indices start at 0: pick one with --face index:N (reenact probe --faces lists them).`,
      { details: { file: spec.source, faces: listFaceChoices(sortLargestFirst(faces)) } },
    );
  }
  return face;
}

/**
 * Tracks frames [start, end] into a track file; keeps the face chosen at the first frame with faces, followed by its
 * id. Frames go to disk as they are tracked, so memory does not grow with the clip.
 */
async function trackSpan(
  tracker: FaceTracker,
  spec: JobSpec,
  c: TrackContext,
  span: { start: number; end: number },
  writer: TrackWriter,
): Promise<void> {
  const meter = new ProgressMeter(c.jobId, 'track', span.end - span.start + 1, c.emit);
  const follow = createChoiceFollower(spec.face.driving, (frame) => {
    const faces = sortLargestFirst(frame.faces);
    throw new ReenactError(
      'BAD_INPUT',
      `Expected ${describeChoice(spec.face.driving)} in the driving clip (${spec.driving}) but clip frame ${frame.index}, the first with faces, has ${describeCandidates(faces, true)}. Indices start at 0: pick one with --driving-face index:N or id:N (reenact probe --faces lists them).`,
      { details: { file: spec.driving, frame: frame.index, faces: listFaceChoices(faces) } },
    );
  });
  tracker.reset();
  for await (const frame of decodeFrames(c.driving.file, { info: c.driving, range: span, signal: c.signal })) {
    throwIfAborted(c.signal);
    await writer.append(follow(await tracker.track(frame, frame.sourceIndex)));
    meter.tick();
  }
}

/** A track file, made by `fill` when it is not cached yet. */
export async function cachedTrack(
  file: string,
  key: string,
  start: number,
  fill: (writer: TrackWriter) => Promise<void>,
): Promise<{ track: TrackFile; cached: boolean }> {
  const hit = openTrack(file, key);
  if (hit) return { track: hit, cached: true };
  const writer = await createTrackWriter(file, key, start);
  try {
    await fill(writer);
    await writer.finish();
  } catch (err) {
    await writer.abort();
    // Another render of the same clip (a queue worker, a farm task) may have finished the same track first, and
    // Windows refuses to replace a file someone has open: theirs is as good as ours.
    const theirs = openTrack(file, key);
    if (theirs) return { track: theirs, cached: true };
    throw err;
  }
  const made = openTrack(file, key);
  if (!made) throw new ReenactError('INTERNAL', `Could not read back the face track just written (${file}).`);
  return { track: made, cached: false };
}

/** The smoothed copy of a raw track (the raw track itself when smoothing is off), cached beside it. */
async function smoothedTrack(raw: TrackFile, rawKey: string, dir: string, strength: number, fps: number) {
  if (strength <= 0) return raw;
  const key = `${rawKey}-s${createHash('sha256')
    .update(JSON.stringify([strength, fps]))
    .digest('hex')
    .slice(0, 12)}`;
  const { track } = await cachedTrack(path.join(dir, `${key}.track`), key, raw.start, async (writer) => {
    const smoother = createFaceSmoother({ strength, fps, scale: raw.scale });
    for (let i = 0; i < raw.count; i++) await writer.append(smoother.step(raw.face(i)));
  });
  return track;
}

export async function trackForJob(spec: JobSpec, engine: Engine, c: TrackContext): Promise<DrivingTrack | null> {
  if (engine.info.needsFaces === false) return null;
  const tracker = await createFaceTracker();
  let raw: TrackFile | undefined;
  let smoothed: TrackFile | undefined;
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
    const made = await cachedTrack(path.join(dir, `${key}.track`), key, span.start, (writer) =>
      trackSpan(tracker, spec, c, span, writer),
    );
    raw = made.track;
    smoothed = await smoothedTrack(raw, key, dir, spec.smoothing, toNumber(c.driving.fps));
    const track = smoothed;
    // The last two faces read are kept: a conformed clip repeats frames, and a motion conform reads each frame and the
    // next one in turn.
    let recent: { index: number; face: FaceObservation | null }[] = [];
    const at = (i: number): FaceObservation | null => {
      const hit = recent.find((r) => r.index === i);
      if (hit) return hit.face;
      const read = { index: i, face: track.face(i - track.start) };
      recent = [read, ...recent.slice(0, 1)];
      return read.face;
    };
    let referenceIndex: number;
    if (typeof ref === 'number') {
      if (!at(ref))
        throw new ReenactError(
          'BAD_INPUT',
          `No face in the reference frame ${ref} of ${spec.driving}. Pick a frame where the face is visible (--ref-frame).`,
        );
      referenceIndex = ref;
    } else {
      referenceIndex =
        ref === 'neutral' ? mostNeutralFrame(at, c.range.start, c.range.end) : firstWithFace(at, c.range);
      if (referenceIndex < 0)
        throw new ReenactError(
          'BAD_INPUT',
          `No face found in the driving clip (${spec.driving}, frames ${c.range.start}-${c.range.end}). Use footage where the performer's face is visible.`,
        );
    }
    const files = raw === smoothed ? [raw] : [raw, smoothed];
    raw = smoothed = undefined; // the track owns them now
    return {
      sourceFace,
      referenceIndex,
      faceAt: at,
      cached: made.cached,
      close: () => {
        for (const f of files) f.close();
      },
    };
  } finally {
    raw?.close();
    if (smoothed !== raw) smoothed?.close();
    await tracker.dispose();
  }
}

function firstWithFace(at: (i: number) => FaceObservation | null, range: { start: number; end: number }): number {
  for (let i = range.start; i <= range.end; i++) if (at(i)) return i;
  return -1;
}
