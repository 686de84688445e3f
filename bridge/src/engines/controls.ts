/**
 * Performance controls: a global intensity and per-region gains, constant for a job or per-frame curves
 * sampled from AE keyframes. Defaults in one place; every engine honours the same fields. They live with the engine
 * seam (each DrivingFrame carries them) so engines never import the pipeline; the job spec embeds the schema.
 */
import { z } from 'zod';

export const FrameControlsSchema = z.object({
  /** Overall motion multiplier (0 = neutral portrait, 1 = as performed). */
  intensity: z.number().min(0).max(4).default(1),
  /** Head pose gain (roll, translation, scale, yaw/pitch). */
  head: z.number().min(0).max(4).default(1),
  brows: z.number().min(0).max(4).default(1),
  /** Eyelid motion gain. */
  eyes: z.number().min(0).max(4).default(1),
  mouth: z.number().min(0).max(4).default(1),
  /** Blink gain on top of `eyes` (0 = never blink). */
  blink: z.number().min(0).max(4).default(1),
  /** Gaze offset per eye in eye-widths (x right, y down), independent of the eyelids. */
  gazeLeft: z.tuple([z.number(), z.number()]).default([0, 0]),
  gazeRight: z.tuple([z.number(), z.number()]).default([0, 0]),
  /** Freeze head pose while expressions continue. */
  holdPose: z.boolean().default(false),
});

export type FrameControls = z.infer<typeof FrameControlsSchema>;

export const DEFAULT_CONTROLS: FrameControls = FrameControlsSchema.parse({});
