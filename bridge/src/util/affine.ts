/**
 * The one 2×3 affine map of the bridge (face crops, LivePortrait's crops and paste-back, meshwarp's eye fits):
 * x' = a·x + b·y + c, y' = d·x + e·y + f, stored [a, b, c, d, e, f] as OpenCV's warpAffine matrices are read.
 */
export type Affine = [number, number, number, number, number, number];

export function applyAffine(m: Affine, x: number, y: number): [number, number] {
  return [m[0] * x + m[1] * y + m[2], m[3] * x + m[4] * y + m[5]];
}

/** Inverse of an affine map. @throws Error when the matrix is singular. */
export function invertAffine(m: Affine): Affine {
  const [a, b, c, d, e, f] = m;
  const det = a * e - b * d;
  if (Math.abs(det) < 1e-12) throw new Error('singular affine transform');
  const ia = e / det;
  const ib = -b / det;
  const id = -d / det;
  const ie = a / det;
  return [ia, ib, -(ia * c + ib * f), id, ie, -(id * c + ie * f)];
}
