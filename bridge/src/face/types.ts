/**
 * The FaceTrack seam: what the tracker reports per frame, used by both engines, the panel's face picker,
 * and the motion tests. Coordinates are image pixels of the frame they came from (x right, y down).
 */

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Head pose. Angles in radians; roll is in-plane, positive = clockwise on screen. */
export interface HeadPose {
  roll: number;
  /** Positive = the face turns toward image left (measure.ts headYawPitch, a view of pose.ts headAngles). */
  yaw: number;
  /** Positive = the face tilts down. */
  pitch: number;
  /** Face size in pixels (inter-ocular distance based). */
  scale: number;
  /** Face centre in pixels. */
  x: number;
  y: number;
}

/** Expression scalars, each normalised by face size so they compare across faces. 0 = closed. */
export interface Expression {
  leftEyeOpen: number;
  rightEyeOpen: number;
  mouthOpen: number;
  mouthWidth: number;
  leftBrowRaise: number;
  rightBrowRaise: number;
  /** Iris offset within the eye, −1..1 per axis, when iris landmarks exist. */
  gazeX: number;
  gazeY: number;
}

export interface FaceObservation {
  /** Stable identity across frames of one clip (0, 1, …, in order of first appearance). */
  id: number;
  score: number;
  box: Box;
  /** 468 × (x, y, z) in image pixels (z is relative depth, same scale as x). */
  landmarks: Float32Array;
  /** 10 × (x, y, z): 5 per eye (centre then 4 contour points), left eye of the image first; absent when not run. */
  iris?: Float32Array;
  pose: HeadPose;
  expression: Expression;
}

/** All faces found in one frame; `faces` empty means no face (`reason` says why). */
export interface FrameFaces {
  index: number;
  faces: FaceObservation[];
  reason?: 'no-face' | 'lost' | 'low-confidence';
}

/** How the user picks the face to use when several are present. */
export type FaceChoice =
  | { by: 'largest' }
  | { by: 'index'; index: number }
  | { by: 'id'; id: number }
  | { by: 'point'; x: number; y: number };
