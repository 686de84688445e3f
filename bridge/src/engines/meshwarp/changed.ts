/**
 * The box a meshwarp frame can differ from the still portrait in, reported with the frame so the PNG encoder compares
 * only that box (png-delta.ts): the rasteriser's box, the base frame's own changes (the inpainted hole behind a moved
 * head) and the region the eyes and mouth paint. It must never be too small: every pixel outside it is the portrait's
 * (test/engines/meshwarp/changed.test.ts checks that on whole renders).
 */
import type { PixelRect } from '../../media/types.js';
import type { EyeModel } from './eyes.js';
import { boundsOf } from './geometry.js';
import type { PixelBox } from './warp.js';

const EVERY_LANDMARK = Array.from({ length: 468 }, (_, i) => i);

/**
 * Union of `boxes` (null ones skipped) and the eyes' and mouth's region: both paint within a few pixels of the face
 * landmarks' bounds, as moved (`points`) and as moved with the head alone (`rigid`), 468 × 3 each.
 */
export function changedRegion(
  boxes: (PixelBox | null)[],
  points: ArrayLike<number>,
  rigid: ArrayLike<number>,
  eyes: [EyeModel, EyeModel],
  width: number,
  height: number,
): PixelRect {
  const [ax0, ay0, ax1, ay1] = boundsOf(points, EVERY_LANDMARK, 3);
  const [rx0, ry0, rx1, ry1] = boundsOf(rigid, EVERY_LANDMARK, 3);
  // eyes.ts pads an eye's box by 2 + 0.08 · its width; mouth.ts pads its by 1. One more for the rounding.
  const pad = 3 + 0.08 * Math.max(eyes[0].width, eyes[1].width);
  let bx0 = Math.floor(Math.min(ax0, rx0) - pad);
  let by0 = Math.floor(Math.min(ay0, ry0) - pad);
  let bx1 = Math.ceil(Math.max(ax1, rx1) + pad);
  let by1 = Math.ceil(Math.max(ay1, ry1) + pad);
  for (const b of boxes) {
    if (!b || b[0] > b[2] || b[1] > b[3]) continue;
    bx0 = Math.min(bx0, b[0]);
    by0 = Math.min(by0, b[1]);
    bx1 = Math.max(bx1, b[2]);
    by1 = Math.max(by1, b[3]);
  }
  return { x0: Math.max(0, bx0), y0: Math.max(0, by0), x1: Math.min(width - 1, bx1), y1: Math.min(height - 1, by1) };
}
