import { describe, expect, it } from 'vitest';
import type { FrameControls } from '../../../bridge/src/engines/controls.js';
import { polygonCoverage } from '../../../bridge/src/engines/meshwarp/geometry.js';
import { createMeshwarpEngine } from '../../../bridge/src/engines/meshwarp/index.js';
import { EYE_A, EYES, MOUTH_LOOP } from '../../../bridge/src/engines/meshwarp/regions.js';
import type { FaceObservation } from '../../../bridge/src/face/types.js';
import { astronaut, closeEyes, controls, openMouth } from './fixtures.js';

const lum = (d: Uint8Array, o: number) => 0.299 * d[o] + 0.587 * d[o + 1] + 0.114 * d[o + 2];

function polygon(points: ArrayLike<number>, idx: readonly number[]): Float64Array {
  const p = new Float64Array(idx.length * 2);
  idx.forEach((i, k) => {
    p[k * 2] = points[i * 3];
    p[k * 2 + 1] = points[i * 3 + 1];
  });
  return p;
}

/** Luminance of every pixel fully inside the polygon. */
function inside(data: Uint8Array, width: number, poly: Float64Array): number[] {
  const n = poly.length / 2;
  const out: number[] = [];
  let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
  for (let k = 0; k < n; k++) {
    x0 = Math.min(x0, poly[k * 2]);
    x1 = Math.max(x1, poly[k * 2]);
    y0 = Math.min(y0, poly[k * 2 + 1]);
    y1 = Math.max(y1, poly[k * 2 + 1]);
  }
  for (let y = Math.floor(y0); y <= y1; y++) {
    for (let x = Math.floor(x0); x <= x1; x++) {
      if (polygonCoverage(poly, n, x, y) >= 1) out.push(lum(data, (y * width + x) * 4));
    }
  }
  return out;
}

const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
const variance = (v: number[]) => mean(v.map((x) => (x - mean(v)) ** 2));

async function render(driving: FaceObservation, over: Partial<FrameControls> = {}, config: object = {}) {
  const { image, face } = astronaut();
  const engine = createMeshwarpEngine(config);
  await engine.prepare(image, face);
  await engine.setReference({ index: 0, time: 0, face, controls: controls() });
  const out = await engine.render({ index: 1, time: 0, face: driving, controls: controls(over) });
  return { out: out.image.data, motion: engine.lastMotion!, image, face };
}

describe('mouth interior', () => {
  for (const teeth of ['auto', 'synthetic'] as const) {
    it(`an opened mouth is dark inside, shaded and not one flat colour, with teeth (${teeth})`, async () => {
      const { face } = astronaut();
      const { out, motion } = await render(openMouth(face, 14), {}, { teeth });
      const px = inside(out, 512, polygon(motion.points, MOUTH_LOOP));
      expect(px.length).toBeGreaterThan(300);
      // Dark-ish overall, with real variation (throat shading, tongue, teeth).
      expect(mean(px)).toBeLessThan(110);
      expect(variance(px)).toBeGreaterThan(400);
      expect(px.filter((l) => l < 40).length).toBeGreaterThan(0.2 * px.length);
      // Teeth: bright pixels near the upper lip.
      expect(px.filter((l) => l > 150).length).toBeGreaterThan(15);
    });
  }
});

describe('eyes', () => {
  it('a blink covers the iris with lid skin (the eye region brightens to skin, no squashed iris)', async () => {
    const { face, image } = astronaut();
    const { out } = await render(closeEyes(face, 0.9));
    for (let e = 0; e < 2; e++) {
      const cx = face.iris![e * 15] - 0.5;
      const cy = face.iris![e * 15 + 1] - 0.5;
      let before = 0;
      let after = 0;
      let n = 0;
      for (let y = Math.round(cy) - 2; y <= Math.round(cy) + 2; y++) {
        for (let x = Math.round(cx) - 2; x <= Math.round(cx) + 2; x++) {
          const i = y * 512 + x;
          before += 0.299 * image.data[i * 3] + 0.587 * image.data[i * 3 + 1] + 0.114 * image.data[i * 3 + 2];
          after += lum(out, i * 4);
          n++;
        }
      }
      expect(before / n).toBeLessThan(100); // a dark iris in the portrait
      expect(after / n).toBeGreaterThan(140); // lid skin over it
    }
  });

  it('gaze shifts the dark iris disc inside the eye by the requested amount (±1.5 px)', async () => {
    const { face } = astronaut();
    const eyeWidth = Math.hypot(
      face.landmarks[EYE_A.corners[0] * 3] - face.landmarks[EYE_A.corners[1] * 3],
      face.landmarks[EYE_A.corners[0] * 3 + 1] - face.landmarks[EYE_A.corners[1] * 3 + 1],
    );
    const centroid = (data: Uint8Array, poly: Float64Array) => {
      let sx = 0;
      let sw = 0;
      for (let y = 80; y < 130; y++) {
        for (let x = 170; x < 280; x++) {
          if (polygonCoverage(poly, poly.length / 2, x, y) < 1) continue;
          const w = Math.max(0, 110 - lum(data, (y * 512 + x) * 4));
          sx += w * x;
          sw += w;
        }
      }
      return sx / sw;
    };
    const base = await render(face);
    const moved = await render(face, { gazeLeft: [-0.2, 0], gazeRight: [-0.2, 0] });
    for (let e = 0; e < 2; e++) {
      const poly = polygon(base.motion.points, EYES[e].opening);
      const shift = centroid(moved.out, poly) - centroid(base.out, poly);
      expect(Math.abs(shift - -0.2 * eyeWidth)).toBeLessThan(1.5);
    }
    // The lids did not move: outside the eye openings nothing changed.
    const polys = EYES.map((eye) => polygon(base.motion.points, eye.opening));
    for (let y = 60; y < 140; y++) {
      for (let x = 160; x < 290; x++) {
        if (polys.some((p) => polygonCoverage(p, p.length / 2, x, y) > 0)) continue;
        const i = (y * 512 + x) * 4;
        for (let c = 0; c < 3; c++)
          if (moved.out[i + c] !== base.out[i + c]) throw new Error(`(${x},${y}) changed by gaze`);
      }
    }
  });
});
