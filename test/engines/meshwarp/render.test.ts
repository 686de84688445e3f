import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MESHWARP_CONFIG } from '../../../bridge/src/engines/meshwarp/config.js';
import { polygonCoverage } from '../../../bridge/src/engines/meshwarp/geometry.js';
import { createMeshwarpEngine } from '../../../bridge/src/engines/meshwarp/index.js';
import { buildWarpMesh } from '../../../bridge/src/engines/meshwarp/mesh.js';
import { type MotionResult, neutralMotion, preparePortrait } from '../../../bridge/src/engines/meshwarp/motion.js';
import { SILHOUETTE } from '../../../bridge/src/engines/meshwarp/regions.js';
import { prepareRenderer, renderFrame } from '../../../bridge/src/engines/meshwarp/render.js';
import type { FaceObservation } from '../../../bridge/src/face/types.js';
import type { Image } from '../../../bridge/src/media/types.js';
import { astronaut, closeEyes, controls, moveHead, openMouth, standInFace } from './fixtures.js';

function checkerboard(width: number, height: number, cell: number): Image {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const on = (Math.floor(x / cell) + Math.floor(y / cell)) % 2 === 1;
      const o = (y * width + x) * 3;
      data[o] = on ? 230 : 20;
      data[o + 1] = on ? 200 : 60;
      data[o + 2] = (x * 7 + y * 3) & 255; // unique-ish blue so a wrong offset shows
    }
  }
  return { data, width, height, channels: 3 };
}

/** Motion that moves every landmark by (dx, dy): nothing else. */
function shifted(face: FaceObservation, dx: number, dy: number): MotionResult {
  const m = neutralMotion(preparePortrait(face));
  for (let i = 0; i < 468; i++) {
    m.points[i * 3] += dx;
    m.points[i * 3 + 1] += dy;
  }
  m.identity = false;
  return m;
}

function silhouette(points: ArrayLike<number>): Float64Array {
  const poly = new Float64Array(SILHOUETTE.length * 2);
  SILHOUETTE.forEach((i, k) => {
    poly[k * 2] = points[i * 3];
    poly[k * 2 + 1] = points[i * 3 + 1];
  });
  return poly;
}

/** Distance-inside test: the pixel and its 5-px neighbourhood are inside the polygon. */
function deepInside(poly: Float64Array, x: number, y: number, r = 5): boolean {
  for (const [dx, dy] of [
    [0, 0],
    [r, 0],
    [-r, 0],
    [0, r],
    [0, -r],
  ]) {
    if (polygonCoverage(poly, poly.length / 2, x + dx, y + dy) < 1) return false;
  }
  return true;
}

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('warp', () => {
  it('zero motion: RGB byte-equal to the source and alpha 0 everywhere (also through the warp itself)', async () => {
    const { image, face } = astronaut();
    const engine = createMeshwarpEngine();
    await engine.prepare(image, face);
    await engine.setReference({ index: 0, time: 0, face, controls: controls() });
    const out = (await engine.render({ index: 1, time: 0, face, controls: controls() })).image;
    expect(out.channels).toBe(4);
    expect([out.width, out.height]).toEqual([512, 512]);
    for (let i = 0; i < 512 * 512; i++) {
      if (out.data[i * 4 + 3] !== 0) throw new Error(`alpha ${out.data[i * 4 + 3]} at pixel ${i}`);
      for (let c = 0; c < 3; c++)
        if (out.data[i * 4 + c] !== image.data[i * 3 + c]) throw new Error(`RGB differs at ${i}`);
    }
    // Forcing the full path with an identity mesh must also reproduce the source inside the face.
    const state = prepareRenderer(image, face.landmarks, face.iris ?? null, DEFAULT_MESHWARP_CONFIG);
    const m = shifted(face, 0, 0);
    const full = renderFrame(state, m).data;
    let diff = 0;
    for (let i = 0; i < 512 * 512; i++)
      for (let c = 0; c < 3; c++) diff = Math.max(diff, Math.abs(full[i * 4 + c] - image.data[i * 3 + c]));
    expect(diff).toBe(0);
  });

  it('pure translation of the mesh moves a checkerboard by exactly that amount inside the face', () => {
    const image = checkerboard(448, 260, 8);
    const face = standInFace();
    const state = prepareRenderer(image, face.landmarks, face.iris ?? null, DEFAULT_MESHWARP_CONFIG);
    const m = shifted(face, 5, 3);
    const out = renderFrame(state, m).data;
    const poly = silhouette(m.points);
    let checked = 0;
    for (let y = 0; y < image.height; y++) {
      for (let x = 0; x < image.width; x++) {
        if (!deepInside(poly, x, y)) continue;
        const s = ((y - 3) * image.width + (x - 5)) * 3;
        const o = (y * image.width + x) * 4;
        for (let c = 0; c < 3; c++)
          if (out[o + c] !== image.data[s + c])
            throw new Error(`(${x},${y}) c${c}: ${out[o + c]} ≠ ${image.data[s + c]}`);
        if (out[o + 3] !== 255) throw new Error(`(${x},${y}) alpha ${out[o + 3]}`);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(10_000);
  });

  it('pixels outside the matte are byte-equal to the source; the matte is opaque on the face and feathered', async () => {
    const { image, face } = astronaut();
    const engine = createMeshwarpEngine();
    await engine.prepare(image, face);
    await engine.setReference({ index: 0, time: 0, face, controls: controls() });
    const driving = openMouth(closeEyes(moveHead(face, 6, 4, 2), 0.5), 8);
    const out = (await engine.render({ index: 1, time: 0, face: driving, controls: controls() })).image.data;
    let transparent = 0;
    let partial = 0;
    for (let i = 0; i < 512 * 512; i++) {
      const a = out[i * 4 + 3];
      if (a === 0) {
        transparent++;
        for (let c = 0; c < 3; c++)
          if (out[i * 4 + c] !== image.data[i * 3 + c]) throw new Error(`pixel ${i} changed outside the matte`);
      } else if (a < 255) partial++;
    }
    expect(transparent).toBeGreaterThan(512 * 512 * 0.6); // the ring bounds the change
    expect(partial).toBeGreaterThan(200); // a feathered edge, not a hard cut-out
    const at = (i: number) =>
      out[(Math.round(face.landmarks[i * 3 + 1]) * 512 + Math.round(face.landmarks[i * 3])) * 4 + 3];
    expect(at(1)).toBe(255); // nose tip
    expect(out[3]).toBe(0); // top-left corner
    // The ring is the outer limit: nothing beyond it is touched.
    const mesh = buildWarpMesh(face.landmarks, 512, 512, DEFAULT_MESHWARP_CONFIG);
    let maxX = 0;
    for (let v = mesh.outerStart; v < mesh.vertexCount; v++) maxX = Math.max(maxX, mesh.src[v * 2]);
    let beyond = 0;
    for (let y = 0; y < 512; y++) for (let x = Math.ceil(maxX) + 1; x < 512; x++) beyond += out[(y * 512 + x) * 4 + 3];
    expect(beyond).toBe(0);
  });

  it('is deterministic: the same input gives the same bytes, in a fresh engine too', async () => {
    const { image, face } = astronaut();
    const driving = openMouth(closeEyes(moveHead(face, -7, -3, 2), 0.9), 12);
    const run = async () => {
      const engine = createMeshwarpEngine();
      await engine.prepare(image, face);
      await engine.setReference({ index: 0, time: 0, face, controls: controls() });
      const c = controls({ gazeLeft: [0.1, 0], gazeRight: [0.1, 0] });
      const a = (await engine.render({ index: 1, time: 0, face: driving, controls: c })).image.data;
      const b = (await engine.render({ index: 1, time: 0, face: driving, controls: c })).image.data;
      expect(sha(a)).toBe(sha(b));
      return sha(a);
    };
    expect(await run()).toBe(await run());
  });

  it("keeps a cut-out portrait's own alpha: transparent source stays transparent and untouched", async () => {
    const { image, face } = astronaut();
    const rgba = new Uint8Array(512 * 512 * 4);
    for (let i = 0; i < 512 * 512; i++) {
      rgba.set(image.data.subarray(i * 3, i * 3 + 3), i * 4);
      rgba[i * 4 + 3] = i % 512 >= 262 ? 0 : 255; // everything right of x = 262 is cut away
    }
    const engine = createMeshwarpEngine();
    await engine.prepare({ data: rgba, width: 512, height: 512, channels: 4 }, face);
    await engine.setReference({ index: 0, time: 0, face, controls: controls() });
    const out = (await engine.render({ index: 1, time: 0, face: moveHead(face, 6, -8, 0), controls: controls() }))
      .image;
    expect(out.data.length).toBe(512 * 512 * 4);
    let bad = 0;
    let opaque = 0;
    for (let i = 0; i < 512 * 512; i++) {
      const a = out.data[i * 4 + 3];
      if (a === 0 && (out.data[i * 4] !== rgba[i * 4] || out.data[i * 4 + 2] !== rgba[i * 4 + 2])) bad++;
      if (i % 512 >= 290 && a > 0) bad++; // well inside the cut-away part nothing shows
      if (a === 255) opaque++;
    }
    expect(bad).toBe(0);
    expect(opaque).toBeGreaterThan(5000);
  });

  it('works for a face at the image corner (rings clamped to the border)', () => {
    const image = checkerboard(200, 160, 6);
    const face = standInFace(70, 70);
    const state = prepareRenderer(image, face.landmarks, face.iris ?? null, DEFAULT_MESHWARP_CONFIG);
    const m = shifted(face, 3, 2);
    const out = renderFrame(state, m).data;
    let changed = 0;
    for (let i = 0; i < 200 * 160; i++) {
      if (out[i * 4 + 3] === 0) {
        for (let c = 0; c < 3; c++)
          if (out[i * 4 + c] !== image.data[i * 3 + c]) throw new Error(`pixel ${i} changed outside the matte`);
      } else changed++;
    }
    expect(changed).toBeGreaterThan(5000);
    const o = (70 * 200 + 70) * 4;
    const s = (68 * 200 + 67) * 3;
    expect([out[o], out[o + 1], out[o + 2]]).toEqual([image.data[s], image.data[s + 1], image.data[s + 2]]);
  });
});
