/**
 * Iris landmarks: each eye is resampled into 64² from the frame (rotated with the face), the converted iris
 * model returns 71 eye-contour points and 5 iris points (centre, then 4 on the iris edge) in crop pixels,
 * and the iris points are mapped back to frame pixels. The model was trained on one eye side, so the other
 * eye's crop is mirrored (the affine does it; no extra copy). Both eyes run as one batch of 2.
 */
import * as ort from 'onnxruntime-node';
import type { Image } from '../media/types.js';
import { type ModelSpec, runNamed } from '../onnx/session.js';
import { applyAffine } from '../util/affine.js';
import { cropAffine, sampleAffineFiltered } from './image.js';
import type { Roi } from './mesh.js';

export const IRIS_SIZE = 64;
const IRIS_OUT = 76 * 3;

export const IRIS_SPEC: ModelSpec = {
  id: 'iris (human 3.3.6, 64²)',
  inputs: [{ name: 'input_1', dims: [2, 64, 64, 3], type: 'float32' }],
  outputs: [{ name: 'Identity', dims: [2, 1, 1, IRIS_OUT], type: 'float32' }],
};

/** Eye corner landmarks (outer, inner): image-left eye (subject's right) then image-right eye. */
export const EYE_CORNER_PAIRS = [
  [33, 133],
  [263, 362],
] as const;

/**
 * Which eye's crop is mirrored so it looks like the eye the model expects (index into EYE_CORNER_PAIRS). Checked on
 * the astronaut photo: unmirrored image-left eye and mirrored image-right eye put the model's eye contour within
 * 0.6–0.8 px of the mesh's eye landmarks (12 px the other way round).
 */
export const MIRRORED_EYE = 1;

/** Crop side relative to the eye-corner distance (human's value). */
export const EYE_CROP_SCALE = 2.3;

/** An eye's crop: a rotated square like the mesh's, mirrored for the image-right eye (MIRRORED_EYE). */
export interface EyeCrop extends Roi {
  mirror: boolean;
}

/** The two eye crops from 468 landmarks (Float32Array 468×3, frame px) and the face angle. Pure. */
export function eyeCrops(landmarks: Float32Array, angle: number): [EyeCrop, EyeCrop] {
  return EYE_CORNER_PAIRS.map(([a, b], eye) => {
    const ax = landmarks[3 * a];
    const ay = landmarks[3 * a + 1];
    const bx = landmarks[3 * b];
    const by = landmarks[3 * b + 1];
    return {
      cx: (ax + bx) / 2,
      cy: (ay + by) / 2,
      size: Math.hypot(bx - ax, by - ay) * EYE_CROP_SCALE,
      angle,
      mirror: eye === MIRRORED_EYE,
    };
  }) as [EyeCrop, EyeCrop];
}

/** A runner for the iris model; reuses its batch buffer. */
export function createIris(session: ort.InferenceSession) {
  const input = new Float32Array(2 * IRIS_SIZE * IRIS_SIZE * 3);
  return {
    /**
     * Iris points for both eyes: Float32Array 10×3 (image-left eye first; per eye the centre, then the edge points on
     * the face's +x side, top, −x side, bottom),
     * frame px; z is the model's depth scaled like x.
     */
    async run(
      image: Image,
      landmarks: Float32Array,
      angle: number,
    ): Promise<{ iris: Float32Array; contours: Float32Array }> {
      const crops = eyeCrops(landmarks, angle);
      const maps = crops.map((c) => cropAffine(c.cx, c.cy, c.size, c.angle, IRIS_SIZE, c.mirror));
      maps.forEach((m, i) => {
        sampleAffineFiltered(image, m, IRIS_SIZE, IRIS_SIZE, input, 1 / 255, 0, i * IRIS_SIZE * IRIS_SIZE * 3);
      });
      const out = await runNamed(session, IRIS_SPEC, {
        input_1: new ort.Tensor('float32', input, [2, IRIS_SIZE, IRIS_SIZE, 3]),
      });
      const raw = out.Identity.data as Float32Array;
      const iris = new Float32Array(30);
      const contours = new Float32Array(2 * 71 * 3);
      for (let eye = 0; eye < 2; eye++) {
        const m = maps[eye];
        const k = crops[eye].size / IRIS_SIZE;
        for (let p = 0; p < 76; p++) {
          const r = eye * IRIS_OUT + p * 3;
          const u = raw[r];
          const v = raw[r + 1];
          const [x, y] = applyAffine(m, u, v);
          const z = raw[r + 2] * k;
          // Iris edge points are (face-right, top, face-left, bottom) in crop space: swap 1 and 3 on the mirrored
          // eye so both eyes report centre, +x side, top, −x side, bottom in the face's own frame.
          let q = p - 71;
          if (crops[eye].mirror && (q === 1 || q === 3)) q = 4 - q;
          const o = p < 71 ? (eye * 71 + p) * 3 : (eye * 5 + q) * 3;
          const dst = p < 71 ? contours : iris;
          dst[o] = x;
          dst[o + 1] = y;
          dst[o + 2] = z;
        }
      }
      return { iris, contours };
    },
  };
}

export type Iris = ReturnType<typeof createIris>;

/**
 * The mesh landmarks of each eye's lid line, in the order of the iris model's first 16 contour points: lower lid from
 * the outer corner to the inner one, then the upper lid between them (MediaPipe's EyeLower0 and EyeUpper0; the map of
 * its iris-tracking graph, mediapipe/graphs/iris_tracking/calculators/update_face_landmarks_calculator.cc).
 */
export const LID_CONTOUR: readonly [readonly number[], readonly number[]] = [
  [33, 7, 163, 144, 145, 153, 154, 155, 133, 246, 161, 160, 159, 158, 157, 173],
  [263, 249, 390, 373, 374, 380, 381, 382, 362, 466, 388, 387, 386, 385, 384, 398],
];

/**
 * Depth difference of the two outer eye corners, as a fraction of the mesh ROI side, past which the face is turned
 * too far for both eyes' contours: Human's 30 px of its 192² mesh crop.
 */
const TURNED_DEPTH = 30 / 192;
/** Contour index of the inner corner (the outer one is 0). */
const CORNER_INNER = 8;

/**
 * Puts the iris model's lid lines into the mesh landmarks (in place; x and y, the mesh keeps its depth), as the
 * models' source does (Human 3.3.6 src/face/iris.ts augmentIris, after MediaPipe's iris tracking): the mesh model
 * sees the whole face at 192² and draws lids from the face's shape, the iris model sees each eye at 64² and follows
 * the lid edge, so a blink or a wide-open eye reads at its real size. On a turned face only the eye nearer the
 * camera is refined (the far eye's crop is foreshortened and its contour drifts). The corners stay the mesh's: they
 * anchor head pose (roll, scale, the Procrustes fit), which the whole-face model places consistently with the rest of
 * the face; moved to the iris model's corners, the tracked roll of the bundled clip lost its correlation (r 0.86 → 0.51).
 * @param contours the iris model's 2 × 71 × 3 contour points, frame px (image-left eye first)
 * @param roiSize side of the mesh ROI, px
 */
export function refineLids(landmarks: Float32Array, contours: Float32Array, roiSize: number): void {
  const zl = landmarks[LID_CONTOUR[0][0] * 3 + 2];
  const zr = landmarks[LID_CONTOUR[1][0] * 3 + 2];
  const turned = Math.abs(zr - zl) >= TURNED_DEPTH * roiSize;
  for (let e = 0; e < 2; e++) {
    // z smaller is nearer the camera: when turned, keep only the eye with the smaller corner depth.
    if (turned && (e === 0 ? zl > zr : zr > zl)) continue;
    const ids = LID_CONTOUR[e];
    for (let k = 1; k < ids.length; k++) {
      if (k === CORNER_INNER) continue;
      landmarks[ids[k] * 3] = contours[(e * 71 + k) * 3];
      landmarks[ids[k] * 3 + 1] = contours[(e * 71 + k) * 3 + 1];
    }
  }
}
