/**
 * The meshwarp engine's options: flat data, every default in this one place, validated with zod at the
 * boundary (CLI, service, job spec). Angles in degrees, sizes relative to the face so one config fits
 * any portrait resolution.
 */
import { z } from 'zod';
import { ReenactError } from '../../errors.js';

export const MeshwarpConfigSchema = z
  .object({
    /** Outer ring size relative to the face oval (about its centre): the warp fades to zero there. */
    ringScale: z.number().min(1.2).max(4).default(2),
    /** Inner ring size relative to the face oval; must be below ringScale. */
    innerRingScale: z.number().min(1.05).max(3.5).default(1.4),
    /** Fraction of the oval's motion the inner ring follows: hair and neck move a little with the head. */
    innerRingFollow: z.number().min(0).max(1).default(0.5),
    /** Part of the outer band (inner ring → outer ring, 0..1) over which the matte fades from 1 to 0. */
    matteFeather: z.number().min(0.01).max(1).default(0.3),
    /** Gain on landmark motion outside the eyes, brows and mouth (cheeks, nose): mostly tracker noise. */
    residualGain: z.number().min(0).max(2).default(0.5),
    /** Eye-closure fraction of the reference openness below which no blink is shown (tracker jitter). */
    blinkDeadZone: z.number().min(0).max(0.9).default(0.12),
    /** Closure fraction (1 − open/reference) that counts as a fully closed eye (trackers rarely report 0). */
    blinkFull: z.number().min(0.1).max(1).default(0.7),
    /** Most the eyes may open wider than the portrait's own eyes (fraction of its lid gap). */
    maxWiden: z.number().min(0).max(1).default(0.3),
    /** Share of the tracked depth used for yaw/pitch parallax (full depth folds the nose over the cheek). */
    depthScale: z.number().min(0).max(1).default(0.6),
    /** Yaw (left/right turn) a 2-D warp can show honestly; more is clamped with a warning. */
    maxYawDeg: z.number().min(0).max(60).default(20),
    /** Pitch (nod) limit, as for yaw. */
    maxPitchDeg: z.number().min(0).max(60).default(12),
    /** In-plane roll limit. */
    maxRollDeg: z.number().min(0).max(90).default(30),
    /** Largest head shift, in face widths; the ring must stay outside the moved face. */
    maxShift: z.number().min(0).max(1).default(0.3),
    /** Head scale range relative to the portrait (the two ranges meet at 1, so min ≤ max always holds). */
    minScale: z.number().min(0.5).max(1).default(0.85),
    maxScale: z.number().min(1).max(2).default(1.15),
    /** Driving gaze changes below this many eye widths are tracker jitter and are ignored (soft threshold). */
    gazeDeadZone: z.number().min(0).max(0.2).default(0.03),
    /** Largest gaze offset (eye widths) horizontally and vertically: the iris must stay in the eye. */
    maxGazeX: z.number().min(0).max(0.5).default(0.3),
    maxGazeY: z.number().min(0).max(0.5).default(0.15),
    /** Mouth interior teeth: from the portrait where it shows them ('auto'), always synthetic, or from the source. */
    teeth: z.enum(['auto', 'synthetic', 'source']).default('auto'),
    /** Draw a lash line on a closing lid. */
    lashLine: z.boolean().default(true),
  })
  .strict();

export type MeshwarpConfig = z.infer<typeof MeshwarpConfigSchema>;

export const DEFAULT_MESHWARP_CONFIG: MeshwarpConfig = MeshwarpConfigSchema.parse({});

/** Validates user options; throws USAGE naming the first bad field: "Expected <what> for meshwarp.<field> but received <value>." */
export function parseMeshwarpConfig(input: unknown): MeshwarpConfig {
  const result = MeshwarpConfigSchema.safeParse(input ?? {});
  if (result.success) {
    if (result.data.innerRingScale >= result.data.ringScale) {
      throw new ReenactError(
        'USAGE',
        `Expected meshwarp.innerRingScale below meshwarp.ringScale (${result.data.ringScale}) but received ${result.data.innerRingScale}.`,
      );
    }
    return result.data;
  }
  const issue = result.error.issues[0];
  const unknownKey = issue.code === 'unrecognized_keys' ? issue.keys[0] : undefined;
  const path = unknownKey === undefined ? issue.path.map(String) : [unknownKey];
  const field = path.join('.');
  const value = path.reduce<unknown>(
    (v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined),
    input,
  );
  const shown = JSON.stringify(value) ?? 'undefined';
  const known = Object.keys(MeshwarpConfigSchema.shape).join(', ');
  const what = unknownKey !== undefined ? `a known option (${known})` : describeIssue(issue);
  throw new ReenactError('USAGE', `Expected ${what} for meshwarp.${field} but received ${shown}.`, {
    details: { field, issues: result.error.issues },
  });
}

function describeIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return `a ${issue.expected}`;
    case 'too_big':
      return `a value ≤ ${String(issue.maximum)}`;
    case 'too_small':
      return `a value ≥ ${String(issue.minimum)}`;
    case 'invalid_value':
      return `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    default:
      return 'a valid value';
  }
}
