/**
 * What the engine reads from landmarks: crop anchors (eye and mouth centres) and eye/lip openness ratios, from our
 * tracker's 468 FaceMesh points or from LivePortrait's optional 203-point model. Ratios are lid gap / eye width and
 * inner-lip gap / mouth width (research §4.2), unchanged by any similarity transform.
 */

/** FaceMesh 468 indices: per eye [outer corner, inner corner, upper lid, lower lid]; mouth corners; inner lips. */
export const MESH = {
  eyeA: [33, 133, 159, 145],
  eyeB: [263, 362, 386, 374],
  mouthCorners: [61, 291],
  innerLips: [13, 14],
} as const;

/**
 * FaceMesh points whose extent matches the landmark sets LivePortrait crops from (106/203 points: jaw contour from
 * ear to ear, brows, eyes, nose, lips — no forehead). The full mesh reaches the hairline, which would make the
 * square ~30% larger than LivePortrait's and the face smaller in the 256² input the networks were trained on.
 * Jaw: the lower face oval from 127 (image-left, at eye level) through the chin 152 to 356; brows: both brows.
 */
export const MESH_EXTENT = [
  127, 234, 93, 132, 58, 172, 136, 150, 149, 176, 148, 152, 377, 400, 378, 379, 365, 397, 288, 361, 323, 454, 356, 46,
  53, 52, 65, 55, 70, 63, 105, 66, 107, 276, 283, 282, 295, 285, 300, 293, 334, 296, 336,
] as const;

/** The (x, y) pairs of MESH_EXTENT from 468×`stride` landmarks, for cropFromLandmarks(points, 2, …). */
export function meshExtentPoints(landmarks: ArrayLike<number>, stride = 3): Float32Array {
  const out = new Float32Array(MESH_EXTENT.length * 2);
  MESH_EXTENT.forEach((i, k) => {
    out[k * 2] = landmarks[i * stride];
    out[k * 2 + 1] = landmarks[i * stride + 1];
  });
  return out;
}

function pt(points: ArrayLike<number>, stride: number, i: number): [number, number] {
  return [points[i * stride], points[i * stride + 1]];
}

function mean(points: ArrayLike<number>, stride: number, idx: readonly number[]): [number, number] {
  let x = 0;
  let y = 0;
  for (const i of idx) {
    x += points[i * stride];
    y += points[i * stride + 1];
  }
  return [x / idx.length, y / idx.length];
}

function dist(a: [number, number], b: [number, number]): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1]);
}

export interface Anchors {
  eye: [number, number];
  mouth: [number, number];
}

/** Crop anchors from 468×(x,y,z) FaceMesh landmarks: mean of both eye contours, mean of the mouth corners. */
export function meshAnchors(landmarks: ArrayLike<number>, stride = 3): Anchors {
  const a = mean(landmarks, stride, MESH.eyeA);
  const b = mean(landmarks, stride, MESH.eyeB);
  return { eye: [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2], mouth: mean(landmarks, stride, MESH.mouthCorners) };
}

export interface Openness {
  /** Eye openness of the image-left eye, then the image-right eye. */
  eyes: [number, number];
  lip: number;
}

/** Openness ratios from FaceMesh 468 points. */
export function meshOpenness(landmarks: ArrayLike<number>, stride = 3): Openness {
  const eye = (idx: readonly number[]) =>
    dist(pt(landmarks, stride, idx[2]), pt(landmarks, stride, idx[3])) /
    (dist(pt(landmarks, stride, idx[0]), pt(landmarks, stride, idx[1])) + 1e-6);
  const lip =
    dist(pt(landmarks, stride, MESH.innerLips[0]), pt(landmarks, stride, MESH.innerLips[1])) /
    (dist(pt(landmarks, stride, MESH.mouthCorners[0]), pt(landmarks, stride, MESH.mouthCorners[1])) + 1e-6);
  return { eyes: [eye(MESH.eyeA), eye(MESH.eyeB)], lip };
}

/**
 * Crop anchors from LivePortrait's 203 points (x, y pairs): eye centre = mean of the two eye centres (points
 * {0, 6, 12, 18} and {24, 30, 36, 42}), mouth centre = mean of points 48 and 66 (LP src/utils/crop.py
 * parse_pt2_from_pt203).
 */
export function anchors203(points: ArrayLike<number>): Anchors {
  const a = mean(points, 2, [0, 6, 12, 18]);
  const b = mean(points, 2, [24, 30, 36, 42]);
  const m = mean(points, 2, [48, 66]);
  return { eye: [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2], mouth: m };
}

/** Openness ratios from LivePortrait's 203 points (x, y pairs), indices of LP retargeting_utils. */
export function openness203(points: ArrayLike<number>): Openness {
  const p = (i: number) => pt(points, 2, i);
  return {
    eyes: [dist(p(6), p(18)) / (dist(p(0), p(12)) + 1e-6), dist(p(30), p(42)) / (dist(p(24), p(36)) + 1e-6)],
    lip: dist(p(90), p(102)) / (dist(p(48), p(66)) + 1e-6),
  };
}
