/**
 * The engine's geometry against LivePortrait's own code and assets (test/fixtures/golden/README.md): crop matrices
 * computed by LP's src/utils/crop.py, and LP's paste-back mask template.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { cropFromLandmarks } from '../../../bridge/src/engines/liveportrait/crop.js';
import { anchors203 } from '../../../bridge/src/engines/liveportrait/landmarks.js';
import { featherMask } from '../../../bridge/src/engines/liveportrait/pasteback.js';

const golden = path.resolve('test/fixtures/golden');

describe('against LivePortrait (KwaiVGI/LivePortrait @1986663)', () => {
  it("computes the crop matrices of LP's crop.py from the same 203 points (source, driving, landmark crops)", () => {
    const g = JSON.parse(readFileSync(path.join(golden, 'liveportrait-crop.json'), 'utf8')) as {
      points203: number[];
      o2c: Record<
        string,
        { params: { dsize: number; scale: number; vy_ratio: number; flag_do_rot: boolean }; matrix: number[] }
      >;
    };
    const points = Float32Array.from(g.points203);
    const { eye, mouth } = anchors203(points);
    for (const [name, { params, matrix }] of Object.entries(g.o2c)) {
      const ours = cropFromLandmarks(points, 2, eye, mouth, {
        dsize: params.dsize,
        scale: params.scale,
        vyRatio: params.vy_ratio,
        vxRatio: 0,
        rotate: params.flag_do_rot,
      }).o2c;
      // LP computes in float32: scale terms agree to 1e-5 relative, translations (hundreds of px) to 1e-3 px.
      for (const i of [0, 1, 3, 4]) expect(Math.abs(ours[i] - matrix[i]), `${name}[${i}]`).toBeLessThan(1e-5);
      for (const i of [2, 5]) expect(Math.abs(ours[i] - matrix[i]), `${name}[${i}]`).toBeLessThan(2e-3);
    }
  });

  it("matches LP's paste-back mask template (mask_template.png) within one level at every pixel", () => {
    const png = PNG.sync.read(readFileSync(path.join(golden, 'liveportrait-mask-template.png')));
    expect([png.width, png.height]).toEqual([512, 512]);
    let worst = 0;
    for (let v = 0; v < 512; v++)
      for (let u = 0; u < 512; u++) {
        const template = png.data[(v * 512 + u) * 4];
        worst = Math.max(worst, Math.abs(featherMask(u, v) * 255 - template));
      }
    expect(worst).toBeLessThanOrEqual(1);
  });
});
