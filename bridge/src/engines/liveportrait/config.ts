/**
 * The LivePortrait engine's options: flat data, defaults in one place, every field commented. A job spec's
 * `engine.options` are these without `device` (the spec's `engine.device` fills it; see engines/registry.ts).
 */
import { z } from 'zod';
import { DeviceSchema } from '../../onnx/devices.js';
import { parseOptions } from '../../util/zod-errors.js';

export const RegionSchema = z.enum(['expression', 'pose', 'lips', 'eyes', 'all']);

export const LivePortraitConfigSchema = z
  .object({
    /** Execution provider: auto picks the platform's GPU provider when this build has it, else CPU (with a warning). */
    device: DeviceSchema.default('auto'),
    /** Motion multiplier applied last (LivePortrait's driving_multiplier); multiplied by the per-frame intensity. */
    intensity: z.number().min(0).max(4).default(1),
    /** What the performance animates: expression (all keypoints' expression), pose (head), lips, eyes, or all. */
    regions: z
      .union([RegionSchema, z.array(RegionSchema).min(1)])
      .default('all')
      .transform((r) => (Array.isArray(r) ? r : [r])),
    /** Fixed eyes-open ratio (0 closed … 0.8 wide) through the eye retargeting network; null = follow the performance. */
    eyeRatio: z.number().min(0).max(0.8).nullable().default(null),
    /** Fixed lip-open ratio (0 closed … 0.8) through the lip retargeting network; null = follow the performance. */
    lipRatio: z.number().min(0).max(0.8).nullable().default(null),
    /** Close the portrait's open mouth before animating (LivePortrait flag_normalize_lip: when its ratio ≥ 0.03). */
    normalizeLip: z.boolean().default(false),
    /** Stitching network keeps the face aligned with the portrait at the paste-back edge (off for large motion). */
    stitching: z.boolean().default(true),
    /** Keypoint smoothing across frames: 0 none … 1 heavy (exponential; the tracker already smooths landmarks). */
    motionSmoothing: z.number().min(0).max(1).default(0),
    /**
     * Driving crop: the reference frame's face box for every frame (keeps head translation, like LivePortrait), each
     * frame's own face box, the full frame (for clips already cropped to the face), or auto: full for a square clip
     * whose face box would not fit inside it (a tight face crop, which LivePortrait uses whole), else reference.
     */
    drivingCrop: z.enum(['auto', 'full', 'reference', 'face']).default('auto'),
    /** Portrait crop: square side = landmark extent × cropScale (LivePortrait 2.3). */
    cropScale: z.number().min(1.2).max(4).default(2.3),
    /** Portrait crop centre shift in crop sides, negative = toward the forehead (LivePortrait −0.125). */
    cropOffsetY: z.number().min(-0.5).max(0.5).default(-0.125),
    /** Driving crop scale and shift (LivePortrait 2.2 and −0.1). */
    drivingCropScale: z.number().min(1.2).max(4).default(2.2),
    drivingCropOffsetY: z.number().min(-0.5).max(0.5).default(-0.1),
    /**
     * Use the optional 203-point landmark model (when installed) for the crops and the portrait's eye/lip ratios, as
     * LivePortrait does; else the tracker's 468 points.
     */
    landmarkModel: z.enum(['auto', 'off']).default('auto'),
    /** Warping graph: auto = original on CPU, GridSample-rewritten on GPU providers; original runs only on CPU. */
    warpGraph: z.enum(['auto', 'original', 'rewritten']).default('auto'),
  })
  .strict();

export type LivePortraitConfig = z.output<typeof LivePortraitConfigSchema>;

/** A job spec's `engine.options` for this engine: the config without `device` (the spec's `engine.device`). */
export const LivePortraitOptionsSchema = LivePortraitConfigSchema.omit({ device: true });
export type LivePortraitOptions = z.output<typeof LivePortraitOptionsSchema>;
export type LivePortraitConfigInput = z.input<typeof LivePortraitConfigSchema>;

/**
 * Validates options. @throws ReenactError USAGE 'Expected a value ≤ 4 for liveportrait.intensity but received 9.'
 */
export function parseLivePortraitConfig(input: unknown): LivePortraitConfig {
  return parseOptions(LivePortraitConfigSchema, input, 'liveportrait');
}
