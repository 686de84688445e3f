/**
 * What one output frame becomes, decided before any pixel is made: rendered by the engine, the last good frame held,
 * or the neutral portrait — and its recipe key, which lets a resumed or updated render keep the file already on disk.
 * Pure functions of the frame's inputs, so resume and chunk behaviour is decided in one place.
 */
import { createHash } from 'node:crypto';
import type { FrameControls } from '../engines/controls.js';
import type { EngineInfo } from '../engines/types.js';
import { messageOf, ReenactError } from '../errors.js';
import type { FaceObservation } from '../face/types.js';
import type { FrameStatus, JobSpec } from './spec.js';

/** What every frame of a job shares in its key. */
export interface JobKeyParts {
  /** reenact's version. */
  tool: string;
  sourceHash: string;
  drivingHash: string;
  /** The engine as it runs: its name and version (engine.info). */
  engine: Pick<EngineInfo, 'name' | 'version'>;
  /**
   * The device the spec asked for ('auto', 'cpu'…), as before: the engine's own device can change mid-job (a GPU that
   * fails falls back to the CPU), which the frame keys of one run cannot follow.
   */
  device: string;
  /** The engine's options with every default filled (resolvedEngineOptions), never the spec's as given. */
  options: Record<string, unknown>;
  onFrameFailure: JobSpec['onFrameFailure'];
  smoothing: number;
}

/**
 * The job's shared key part. The engine enters as it runs, not as the spec names it: a spec's `options: {}` renders
 * differently once a default changes (meshwarp's head became 3-D by default), and so does another engine version,
 * so frames on disk from either must not be kept by a re-render into the same folder.
 */
export function jobKeyBase(p: JobKeyParts): string {
  return JSON.stringify([
    p.tool,
    p.sourceHash,
    p.drivingHash,
    p.engine.name,
    p.engine.version,
    p.device,
    p.options,
    p.onFrameFailure,
    p.smoothing,
  ]);
}

/**
 * One output frame's recipe hash (16 hex digits): same key ⇒ same bytes. `base` holds what every frame of the job
 * shares (jobKeyBase); a held frame's key is its source frame's key.
 */
export function frameKey(base: string, face: FaceObservation | null, controls: unknown, held?: string): string {
  const h = createHash('sha1').update(base).update(JSON.stringify(controls));
  if (face)
    h.update(Buffer.from(face.landmarks.buffer, face.landmarks.byteOffset, face.landmarks.byteLength)).update(
      JSON.stringify(face.pose),
    );
  else h.update('no-face');
  if (held) h.update(`held:${held}`);
  return h.digest('hex').slice(0, 16);
}

/** The decision for one output frame. */
export interface FrameDecision {
  status: Extract<FrameStatus, 'rendered' | 'held' | 'no-face'>;
  key: string;
  /** The engine wants a face and the driving frame has none. */
  noFace: boolean;
}

export interface FrameInputs {
  /** The job's shared key part (see frameKey). */
  keyBase: string;
  /** Driving clip frame shown (for messages). */
  sourceIndex: number;
  face: FaceObservation | null;
  controls: FrameControls;
  /** False for engines that render without faces. */
  needsFaces: boolean;
  policy: JobSpec['onFrameFailure'];
  /** Key of the last good frame before this one, when there is one to hold. */
  lastGoodKey?: string;
  /** The driving clip's path (for messages). */
  driving: string;
}

/**
 * Decides a frame from its face: rendered when the engine has what it needs; otherwise the last good frame held
 * (policy hold, when there is one) or the neutral portrait.
 * @throws BAD_INPUT when the face is missing and the policy is fail.
 */
export function decideFrame(f: FrameInputs): FrameDecision {
  if (!f.needsFaces || f.face)
    return { status: 'rendered', key: frameKey(f.keyBase, f.face, f.controls), noFace: false };
  if (f.policy === 'fail') {
    throw new ReenactError(
      'BAD_INPUT',
      `No face in clip frame ${f.sourceIndex} (${f.driving}). Use --on-frame-failure hold to hold the last good frame instead.`,
    );
  }
  if (f.policy === 'hold' && f.lastGoodKey !== undefined)
    return { status: 'held', key: frameKey(f.keyBase, null, null, f.lastGoodKey), noFace: true };
  return { status: 'no-face', key: frameKey(f.keyBase, f.face, f.controls), noFace: true };
}

/** What a frame becomes when the engine threw on it, and the warning that says so. */
export interface FailureDecision {
  status: Extract<FrameStatus, 'held' | 'failed'>;
  key: string;
  warning: string;
}

/**
 * After the engine failed on a frame decided 'rendered' with `key`: hold the last good frame (policy hold) or show
 * the neutral portrait. A failed frame's key never matches a later run's, so a resume retries it.
 * @throws ENGINE_FAILED when the policy is fail.
 */
export function decideFailure(
  f: Pick<FrameInputs, 'keyBase' | 'policy' | 'lastGoodKey'> & { index: number; key: string; engine: string },
  err: unknown,
): FailureDecision {
  const message = messageOf(err);
  if (f.policy === 'fail')
    throw new ReenactError('ENGINE_FAILED', `The ${f.engine} engine failed on output frame ${f.index}: ${message}`, {
      cause: err,
    });
  const holds = f.policy === 'hold' && f.lastGoodKey !== undefined;
  const warning = `The engine failed on output frame ${f.index} (${message}); it ${holds ? 'holds the previous frame' : 'shows the neutral portrait'}.`;
  return holds
    ? { status: 'held', key: frameKey(f.keyBase, null, null, `${f.lastGoodKey}:failed`), warning }
    : { status: 'failed', key: `${f.key}:failed`, warning };
}
