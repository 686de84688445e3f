/**
 * Crop geometry from our own landmarks (no InsightFace): LivePortrait's rule (research §2.2) — eye centre and mouth
 * centre give the face's "down" axis, the landmark cloud's extent along those axes gives a square, scaled and
 * shifted toward the forehead. Returns the original→crop and crop→original affines of a dsize² crop.
 */
import { type Affine, invertAffine } from '../../util/affine.js';

export interface CropParams {
  /** Crop side in pixels (512 for the source and driving crops, 224 for the 203-point model). */
  dsize: number;
  /** Square side = landmark extent × scale (source 2.3, driving 2.2, 203-point model 1.5). */
  scale: number;
  /** Shift of the centre along the face's down axis, in crop sides (negative = toward the forehead). */
  vyRatio: number;
  /** Shift along the face's right axis (LivePortrait ignores it: 0). */
  vxRatio: number;
  /**
   * Follow the face's roll in the crop (true for the source; LivePortrait's driving crop is axis-aligned). The
   * square's centre and size are measured along the face's axes either way, as LivePortrait does.
   */
  rotate: boolean;
}

export interface CropBox {
  o2c: Affine;
  c2o: Affine;
  /** Centre in image pixels, side in image pixels, roll angle θ in radians (0 when not rotated). */
  center: [number, number];
  side: number;
  angle: number;
}

/**
 * @param points Float32Array of N points with `stride` values each (x, y first), image pixels.
 * @param eye Eye centre (mean of both eyes), image pixels.
 * @param mouth Mouth centre, image pixels.
 */
export function cropFromLandmarks(
  points: ArrayLike<number>,
  stride: number,
  eye: [number, number],
  mouth: [number, number],
  params: CropParams,
): CropBox {
  const n = Math.floor(points.length / stride);
  if (n === 0) throw new Error('no landmarks');
  let ux: [number, number] = [1, 0];
  let uy: [number, number] = [0, 1];
  const dx = mouth[0] - eye[0];
  const dy = mouth[1] - eye[1];
  const len = Math.hypot(dx, dy);
  if (len > 1e-3) {
    uy = [dx / len, dy / len];
    ux = [uy[1], -uy[0]];
  }
  let cx0 = 0;
  let cy0 = 0;
  for (let i = 0; i < n; i++) {
    cx0 += points[i * stride];
    cy0 += points[i * stride + 1];
  }
  cx0 /= n;
  cy0 /= n;
  let minX = Infinity;
  let maxX = -Infinity;
  let minY = Infinity;
  let maxY = -Infinity;
  for (let i = 0; i < n; i++) {
    const px = points[i * stride] - cx0;
    const py = points[i * stride + 1] - cy0;
    const rx = px * ux[0] + py * ux[1];
    const ry = px * uy[0] + py * uy[1];
    minX = Math.min(minX, rx);
    maxX = Math.max(maxX, rx);
    minY = Math.min(minY, ry);
    maxY = Math.max(maxY, ry);
  }
  const c1x = (minX + maxX) / 2;
  const c1y = (minY + maxY) / 2;
  const side = Math.max(maxX - minX, maxY - minY, 1) * params.scale;
  const sx = c1x + params.vxRatio * side;
  const sy = c1y + params.vyRatio * side;
  const cx = cx0 + ux[0] * sx + uy[0] * sy;
  const cy = cy0 + ux[1] * sx + uy[1] * sy;
  const s = params.dsize / side;
  const half = params.dsize / 2;
  if (!params.rotate) {
    ux = [1, 0];
    uy = [0, 1];
  }
  const o2c: Affine = [
    s * ux[0],
    s * ux[1],
    half - s * (ux[0] * cx + ux[1] * cy),
    s * uy[0],
    s * uy[1],
    half - s * (uy[0] * cx + uy[1] * cy),
  ];
  return { o2c, c2o: invertAffine(o2c), center: [cx, cy], side, angle: Math.atan2(ux[1], ux[0]) };
}

/**
 * The whole frame as the crop: a `dsize`² square of side max(width, height) centred on the frame (a square frame maps
 * exactly; another shape gets black bars). LivePortrait uses a square driving clip whole, resized, when no driving
 * crop is asked for (src/live_portrait_pipeline.py: it crops only with flag_crop_driving_video or a non-square clip).
 */
export function fullFrameBox(width: number, height: number, dsize: number): CropBox {
  const side = Math.max(width, height);
  const s = dsize / side;
  const o2c: Affine = [s, 0, (dsize - s * width) / 2, 0, s, (dsize - s * height) / 2];
  return { o2c, c2o: invertAffine(o2c), center: [width / 2, height / 2], side, angle: 0 };
}

/**
 * drivingCrop=auto: a square clip whose face crop would not fit inside the frame is already a tight face crop (as
 * LivePortrait's own driving clips are): use it whole instead of cropping it again with black borders.
 */
export function isTightSquareCrop(box: CropBox, width: number, height: number): boolean {
  const square = Math.abs(width - height) <= 0.01 * Math.max(width, height);
  return square && box.side >= Math.min(width, height);
}
