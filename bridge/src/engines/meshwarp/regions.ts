/**
 * Named landmark groups of the 468-point mesh that the motion model and the renderer agree on, and
 * the per-landmark region weights (eyes, brows, mouth, rest) that let per-region gains fade smoothly
 * instead of tearing the mesh at a region border. Index lists follow MediaPipe's annotations
 * (via @vladmandic/human, MIT). "Eye A" is the eye on the image's left (the subject's right eye),
 * matching the iris array order in FaceObservation.
 */
import { UV468 } from './facemesh-data.js';

export interface EyeIndices {
  /** Outer then inner corner (A: 33, 133; B: 263, 362). */
  corners: [number, number];
  /** Upper lid edge, 7 points from the outer to the inner corner. */
  upper0: readonly number[];
  /** Lower lid edge between the corners, 7 points from outer to inner; pairs with upper0 by position. */
  lower0: readonly number[];
  /** Lid skin rings above the lid edge (7 points each, same order), used to slide the lid. */
  upper1: readonly number[];
  upper2: readonly number[];
  lower1: readonly number[];
  lower2: readonly number[];
  /** Eye opening polygon (16 points, closed implicitly): corner, upper0, corner, lower0 reversed. */
  opening: readonly number[];
  /** Central upper/lower pairs used to measure openness. */
  gapPairs: readonly [number, number][];
  brow: readonly number[];
}

function eye(
  corners: [number, number],
  upper0: number[],
  lower0: number[],
  upper1: number[],
  upper2: number[],
  lower1: number[],
  lower2: number[],
  brow: number[],
): EyeIndices {
  const opening = [corners[0], ...upper0, corners[1], ...[...lower0].reverse()];
  const gapPairs: [number, number][] = [2, 3, 4].map((k) => [upper0[k], lower0[k]]);
  return { corners, upper0, lower0, upper1, upper2, lower1, lower2, opening, gapPairs, brow };
}

export const EYE_A: EyeIndices = eye(
  [33, 133],
  [246, 161, 160, 159, 158, 157, 173],
  [7, 163, 144, 145, 153, 154, 155],
  [247, 30, 29, 27, 28, 56, 190],
  [113, 225, 224, 223, 222, 221, 189],
  [130, 25, 110, 24, 23, 22, 26, 112, 243],
  [226, 31, 228, 229, 230, 231, 232, 233, 244],
  [156, 70, 63, 105, 66, 107, 55, 193, 35, 124, 46, 53, 52, 65],
);

export const EYE_B: EyeIndices = eye(
  [263, 362],
  [466, 388, 387, 386, 385, 384, 398],
  [249, 390, 373, 374, 380, 381, 382],
  [467, 260, 259, 257, 258, 286, 414],
  [342, 445, 444, 443, 442, 441, 413],
  [359, 255, 339, 254, 253, 252, 256, 341, 463],
  [446, 261, 448, 449, 450, 451, 452, 453, 464],
  [383, 300, 293, 334, 296, 336, 285, 417, 265, 353, 276, 283, 282, 295],
);

export const EYES: readonly [EyeIndices, EyeIndices] = [EYE_A, EYE_B];

/** Inner lip edge, upper chain from corner 78 to corner 308 (11 points). */
export const LIP_UPPER_INNER: readonly number[] = [78, 191, 80, 81, 82, 13, 312, 311, 310, 415, 308];
/** Inner lip edge, lower chain from corner 78 to corner 308 (11 points); pairs with LIP_UPPER_INNER by position. */
export const LIP_LOWER_INNER: readonly number[] = [78, 95, 88, 178, 87, 14, 317, 402, 318, 324, 308];
/** The mouth hole of the mesh (TRI468 leaves it open): upper chain then lower chain back, 20 points. */
export const MOUTH_LOOP: readonly number[] = [...LIP_UPPER_INNER, ...LIP_LOWER_INNER.slice(1, -1).reverse()];
const LIPS_OTHER = [
  61, 185, 40, 39, 37, 0, 267, 269, 270, 409, 291, 146, 91, 181, 84, 17, 314, 405, 321, 375, 76, 77, 90, 180, 85, 16,
  315, 404, 320, 307, 306, 184, 74, 73, 72, 11, 302, 303, 304, 408, 62, 96, 89, 179, 86, 15, 316, 403, 319, 325, 292,
  183, 42, 41, 38, 12, 268, 271, 272, 407,
];
/** Chin and jaw points that follow the jaw when the mouth opens. */
const JAW = [18, 200, 199, 175, 152, 148, 176, 149, 377, 400, 378, 83, 313, 201, 421, 208, 428, 171, 396, 140, 369];

/** Face oval (36 points, closed loop), the outer boundary of TRI468. */
export const SILHOUETTE: readonly number[] = [
  10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377, 152, 148, 176, 149, 150, 136,
  172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109,
];

/**
 * Points that move little with expression (eye corners, nose bridge, forehead, temples, cheek sides):
 * the similarity fit that separates head motion from expression uses only these.
 */
export const STABLE: readonly number[] = [
  33, 133, 362, 263, 168, 6, 197, 195, 10, 151, 9, 108, 337, 234, 454, 127, 356,
];

export const REGION_EYES = 0;
export const REGION_BROWS = 1;
export const REGION_MOUTH = 2;

/** Upper-lid chain points whose motion comes from the lid model, not from raw driving deltas. */
export const LID_CHAIN: ReadonlySet<number> = new Set([
  ...EYE_A.upper0,
  ...EYE_A.upper1,
  ...EYE_A.upper2,
  ...EYE_B.upper0,
  ...EYE_B.upper1,
  ...EYE_B.upper2,
]);

/**
 * Region weights per landmark: Float32Array 468 × 3 (eyes, brows, mouth), each 0..1, sum ≤ 1; the rest
 * (1 − sum) is "residual" motion. Core points weigh 1 in their own region; others fall off with their
 * canonical (UV) distance to the nearest core point, so a gain change never tears the mesh.
 */
export function regionWeights(): Float32Array {
  const cores: [number[], number][] = [
    [
      [
        ...EYES.flatMap((e) => [
          ...e.corners,
          ...e.upper0,
          ...e.lower0,
          ...e.upper1,
          ...e.upper2,
          ...e.lower1,
          ...e.lower2,
        ]),
      ],
      0.035,
    ],
    [[...EYE_A.brow, ...EYE_B.brow], 0.08],
    [[...LIP_UPPER_INNER, ...LIP_LOWER_INNER, ...LIPS_OTHER, ...JAW], 0.12],
  ];
  const w = new Float32Array(468 * 3);
  const coreOf = new Int8Array(468).fill(-1);
  cores.forEach(([idx], r) => {
    for (const i of idx) coreOf[i] = r;
  });
  for (let i = 0; i < 468; i++) {
    if (coreOf[i] >= 0) {
      w[i * 3 + coreOf[i]] = 1;
      continue;
    }
    let sum = 0;
    for (let r = 0; r < 3; r++) {
      const [idx, radius] = cores[r];
      let best = Number.POSITIVE_INFINITY;
      for (const j of idx)
        best = Math.min(best, Math.hypot(UV468[2 * i] - UV468[2 * j], UV468[2 * i + 1] - UV468[2 * j + 1]));
      const f = Math.max(0, 1 - best / radius);
      w[i * 3 + r] = f * f;
      sum += f * f;
    }
    if (sum > 1) for (let r = 0; r < 3; r++) w[i * 3 + r] /= sum;
  }
  return w;
}
