/**
 * The meshwarp engine's options: flat data, every default in this one place, validated with zod wherever a job
 * spec enters (the engine registry checks `engine.options` against this schema). Angles in degrees, sizes relative
 * to the face so one config fits any portrait resolution.
 */
import { z } from 'zod';
import { parseOptions } from '../../util/zod-errors.js';

export const MeshwarpConfigSchema = z
  .object({
    /**
     * How the head moves: '3d' turns the portrait's head as a textured 3-D model (face mesh + head proxy, the
     * background it uncovers inpainted); '2d' is the earlier 2-D warp with a fixed ring (yaw/pitch as parallax).
     */
    head: z.enum(['2d', '3d']).default('3d'),
    /** 3-D head: distance of the virtual camera from the head, cm (perspective: the near side widens). */
    cameraDistance: z.number().min(20).max(1000).default(100),
    /**
     * 3-D head: gain on the portrait's tracked depth behind the eye corners (how far the sides of the head wrap back);
     * the relief in front of them (brow, nose, lips) keeps its tracked height. With the tracked depth (1) a face turned
     * 30° reads as about 21–22° to the face tracker; at 1.7 turns read back within 2° up to 30°
     * (test/engines/meshwarp/head3d.test.ts). A gain on the whole depth did too at 1.5, but the nose jutted at 45°.
     */
    depthGain: z.number().min(0.5).max(3).default(1.7),
    /** 3-D head: rendered pitch per degree of driving pitch (0.9: the deepened head's nod reads about 1.07×). */
    pitchGain: z.number().min(0.2).max(2).default(0.9),
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
    /** Eye-closure fraction of the reference openness below which no blink is shown (tracker jitter). Default 0.03 (3-D: pose-free openness), 0.12 (2-D). */
    blinkDeadZone: z.number().min(0).max(0.9).optional(),
    /** Closure fraction (1 − open/reference) that counts as a fully closed eye (trackers rarely report 0). Default 0.55 (3-D), 0.7 (2-D). */
    blinkFull: z.number().min(0.1).max(1).optional(),
    /** Lid widening per unit of the driver's widening (3-D: a tracker reads a painted lid at about half its travel). Default 1.5 (3-D), 1 (2-D). */
    widenGain: z.number().min(0).max(4).optional(),
    /** Most the eyes may open wider than the portrait's own eyes (fraction of its lid gap). Default 0.5 (3-D), 0.3 (2-D). */
    maxWiden: z.number().min(0).max(1).optional(),
    /** Share of the tracked depth used for yaw/pitch parallax (full depth folds the nose over the cheek). */
    depthScale: z.number().min(0).max(1).default(0.6),
    /** Yaw (left/right turn) the head may show; more is clamped with a warning. Default 45 (3-D), 20 (2-D). */
    maxYawDeg: z.number().min(0).max(60).optional(),
    /** Pitch (nod) limit, as for yaw. Default 25 (3-D), 12 (2-D). */
    maxPitchDeg: z.number().min(0).max(60).optional(),
    /** In-plane roll limit. Default 45 (3-D), 30 (2-D). */
    maxRollDeg: z.number().min(0).max(90).optional(),
    /** 2-D warp: largest head shift, in face widths; the ring must stay outside the moved face. */
    maxShift: z.number().min(0).max(1).default(0.3),
    /** Head scale range relative to the portrait (the two ranges meet at 1). Default 0.5–2 (3-D), 0.85–1.15 (2-D). */
    minScale: z.number().min(0.5).max(1).optional(),
    maxScale: z.number().min(1).max(2).optional(),
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
  .strict()
  .superRefine((c, ctx) => {
    if (c.innerRingScale >= c.ringScale)
      ctx.addIssue({
        code: 'custom',
        path: ['innerRingScale'],
        message: `Expected meshwarp.innerRingScale below meshwarp.ringScale (${c.ringScale}) but received ${c.innerRingScale}.`,
      });
  });

export type MeshwarpConfig = z.infer<typeof MeshwarpConfigSchema>;

/** Head limits with the mode's defaults filled in (angles in radians). */
export interface ResolvedHeadLimits {
  maxYaw: number;
  maxPitch: number;
  maxRoll: number;
  minScale: number;
  maxScale: number;
}

/** Lid options with the mode's defaults filled in. */
export function lidOptions(config: MeshwarpConfig): {
  blinkDeadZone: number;
  blinkFull: number;
  maxWiden: number;
  widenGain: number;
} {
  const is3d = config.head === '3d';
  return {
    blinkDeadZone: config.blinkDeadZone ?? (is3d ? 0.03 : 0.12),
    blinkFull: config.blinkFull ?? (is3d ? 0.55 : 0.7),
    maxWiden: config.maxWiden ?? (is3d ? 0.5 : 0.3),
    widenGain: config.widenGain ?? (is3d ? 1.5 : 1),
  };
}

export function headLimits(config: MeshwarpConfig): ResolvedHeadLimits {
  const is3d = config.head === '3d';
  const rad = Math.PI / 180;
  return {
    maxYaw: (config.maxYawDeg ?? (is3d ? 45 : 20)) * rad,
    maxPitch: (config.maxPitchDeg ?? (is3d ? 25 : 12)) * rad,
    maxRoll: (config.maxRollDeg ?? (is3d ? 45 : 30)) * rad,
    minScale: config.minScale ?? (is3d ? 0.5 : 0.85),
    maxScale: config.maxScale ?? (is3d ? 2 : 1.15),
  };
}

export const DEFAULT_MESHWARP_CONFIG: MeshwarpConfig = MeshwarpConfigSchema.parse({});

/** Validates user options; throws USAGE naming the first bad field: "Expected <what> for meshwarp.<field> but received <value>." */
export function parseMeshwarpConfig(input: unknown): MeshwarpConfig {
  return parseOptions(MeshwarpConfigSchema, input, 'meshwarp');
}
