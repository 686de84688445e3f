/**
 * Where the 3-D head's pose puts the teeth against the lips. The portrait's teeth lie on the skull behind its lips;
 * mouth.ts paints them in image space, hanging from the lips as the photo shows them. A nod moves points at
 * different depths differently on screen (a head nodded down by t: screen-up = y·cos t − z·sin t, so the teeth rise
 * behind the upper lip, which hides more of them, and rise above the lower lip, which shows more), and this gives
 * mouth.ts how far, per lip, in the portrait's pixels.
 */
import { type Motion3d, type Portrait3d, type PoseTransform, projectHead } from './motion3d.js';
import { mouthFrame, type TeethParallax } from './mouth.js';

/**
 * The upper incisors' front face lies this far behind the upper lip's outer midpoint (landmark 0), in cm: Holdaway's
 * soft-tissue analysis gives the upper lip about 13–14 mm thick at its vermilion.
 */
const UPPER_LIP_THICKNESS = 1.3;
/** The lower incisors' front face lies this much further back than the upper ones' (a normal overjet: 2–3 mm). */
const OVERJET = 0.25;
/** Upper and lower inner-lip midpoints (the teeth show beneath and above them). */
const UPPER_INNER = 13;
const LOWER_INNER = 14;
const UPPER_OUTER = 0;

const scratch = new Float64Array(6);

/** Screen offset across the mouth (along n) of a point `dz` cm behind head point i, posed by `t`. */
function behind(
  t: PoseTransform,
  portrait: Portrait3d,
  head: ArrayLike<number>,
  i: number,
  dz: number,
  nx: number,
  ny: number,
): number {
  const [x, y, z] = [head[i * 3], head[i * 3 + 1], head[i * 3 + 2]];
  projectHead(t, portrait.camera, x, y, z, scratch, 0);
  projectHead(t, portrait.camera, x, y, z + dz, scratch, 3);
  return (scratch[3] - scratch[0]) * nx + (scratch[4] - scratch[1]) * ny;
}

/**
 * How far (portrait px, along the mouth's across axis, positive towards the chin) each lip's teeth show further from
 * that lip than the photo's do, because this frame's pose sees the teeth behind it from another angle: the frame's
 * pixel `a` px below the upper lip shows the photo's tooth row `a·k + upper` px below it (k: portrait px per frame
 * px), the pixel `b` px above the lower lip the row `b·k − lower` px above it. Zero at the portrait's own pose.
 */
export function teethParallax(portrait: Portrait3d, motion: Motion3d): TeethParallax {
  const P = portrait.fit;
  const own: PoseTransform = { rotation: P.rotation, scale: P.scale, translation: P.translation };
  const source = mouthFrame(portrait.landmarks);
  const target = mouthFrame(motion.points);
  const k = source.length / target.length;
  const H = portrait.head;
  const T = motion.targetHead;
  // Depth of the teeth planes from the portrait's own lips (head cm, +z away from the camera); never in front of the
  // inner lip they show under.
  const upperPlane = H[UPPER_OUTER * 3 + 2] + UPPER_LIP_THICKNESS;
  const lowerPlane = upperPlane + OVERJET;
  const lip = (i: number, plane: number): number => {
    const dz = Math.max(0, plane - H[i * 3 + 2]);
    const seen = behind(own, portrait, H, i, dz, -source.ey, source.ex);
    const now = behind(motion.transform, portrait, T, i, dz, -target.ey, target.ex);
    // The tooth row the photo shows at offset `seen` from the lip shows at `now` in this frame.
    return seen - k * now;
  };
  return { upper: lip(UPPER_INNER, upperPlane), lower: lip(LOWER_INNER, lowerPlane) };
}
