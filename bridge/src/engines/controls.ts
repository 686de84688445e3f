/**
 * Performance controls: a global intensity and per-region gains, constant for a job or per-frame curves
 * sampled from AE keyframes. Defaults in one place; every engine honours the same fields. They live with the engine
 * seam (each DrivingFrame carries them) so engines never import the pipeline; the job spec embeds the schema.
 */
import { z } from 'zod';

const gain = () => z.number().min(0).max(4);
const gaze = () => z.tuple([z.number(), z.number()]);

/** Each control's type, without a default (the defaults are below), so a partial set can say only what it sets. */
const CONTROL_FIELDS = {
  /** Overall motion multiplier (0 = neutral portrait, 1 = as performed). */
  intensity: gain(),
  /** Head pose gain (roll, translation, scale, yaw/pitch). */
  head: gain(),
  brows: gain(),
  /** Eyelid motion gain. */
  eyes: gain(),
  mouth: gain(),
  /** Blink gain on top of `eyes` (0 = never blink). */
  blink: gain(),
  /** Gaze offset per eye in eye-widths (x right, y down), independent of the eyelids. */
  gazeLeft: gaze(),
  gazeRight: gaze(),
  /** Freeze head pose while expressions continue. */
  holdPose: z.boolean(),
};

export const FrameControlsSchema = z.object({
  intensity: CONTROL_FIELDS.intensity.default(1),
  head: CONTROL_FIELDS.head.default(1),
  brows: CONTROL_FIELDS.brows.default(1),
  eyes: CONTROL_FIELDS.eyes.default(1),
  mouth: CONTROL_FIELDS.mouth.default(1),
  blink: CONTROL_FIELDS.blink.default(1),
  gazeLeft: CONTROL_FIELDS.gazeLeft.default([0, 0]),
  gazeRight: CONTROL_FIELDS.gazeRight.default([0, 0]),
  holdPose: CONTROL_FIELDS.holdPose.default(false),
});

export type FrameControls = z.infer<typeof FrameControlsSchema>;

export const DEFAULT_CONTROLS: FrameControls = FrameControlsSchema.parse({});

/**
 * Some controls, for one frame of a curve: only what it names, never a default, so a curve that keys `mouth` leaves
 * every other control as the job's controls (and the command line's flags) set it.
 */
export const ControlsPatchSchema = z.object(CONTROL_FIELDS).partial().strict();
