/**
 * The 3-D head (meshwarp head=3d, the default): the engine renders the astronaut portrait at a known head pose and
 * the face tracker reads that pose back off the rendered pixels; outside the moved head and its matte every byte is
 * the photo's; the controls (intensity, hold pose, region gains) act on the 3-D head; head=2d is the old warp.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { parseMeshwarpConfig } from '../../../bridge/src/engines/meshwarp/config.js';
import {
  createMeshwarpEngine,
  prepareRenderer,
  renderFrame,
  toRendererCoords,
} from '../../../bridge/src/engines/meshwarp/index.js';
import { computeMotion, preparePortrait, prepareReference } from '../../../bridge/src/engines/meshwarp/motion.js';
import {
  computeMotion3d,
  motion3dOptions,
  preparePortrait3d,
  prepareReference3d,
} from '../../../bridge/src/engines/meshwarp/motion3d.js';
import { EYES } from '../../../bridge/src/engines/meshwarp/regions.js';
import { prepareRenderer3d } from '../../../bridge/src/engines/meshwarp/render3d.js';
import { createFaceTracker, type FaceTracker } from '../../../bridge/src/face/index.js';
import { anglesOf, fitHead, mul3, rotationOf, transpose3 } from '../../../bridge/src/face/pose.js';
import type { FaceObservation } from '../../../bridge/src/face/types.js';
import type { Image } from '../../../bridge/src/media/types.js';
import { astronaut, closeEyes, controls, moveHead, openMouth, posedFace, toRgb } from './fixtures.js';

const DEG = Math.PI / 180;
const { image, face } = astronaut();
const still: FaceObservation = { ...face, iris: undefined };

/** The portrait's own landmarks turned by (yaw, pitch, roll) about its head: a driving face with a known pose. */
function turned(yaw: number, pitch: number, roll: number): FaceObservation {
  return posedFace(still, rotationOf({ yaw: yaw * DEG, pitch: pitch * DEG, roll: roll * DEG }));
}

let tracker: FaceTracker;
let portraitRotation: Float64Array;
beforeAll(async () => {
  tracker = await createFaceTracker();
  portraitRotation = fitHead((await tracker.detect(image))[0].landmarks).rotation;
}, 60_000);

/** The head pose the tracker reads off a rendered frame, relative to the portrait's own, in degrees. */
async function trackedPose(out: Image): Promise<[number, number, number]> {
  const [f] = await tracker.detect(toRgb(out));
  const a = anglesOf(mul3(fitHead(f.landmarks).rotation, transpose3(portraitRotation)));
  return [a.yaw / DEG, a.pitch / DEG, a.roll / DEG];
}

describe('3-D head: known-pose self-consistency', () => {
  // At the default settings (the sides of the head deepened 1.7× behind the eyes, pitch rendered at 0.9). With the
  // tracked depth alone a 30° turn read as 21–22°.
  it('renders the portrait at a known yaw, pitch and roll that the tracker reads back within 3°', async () => {
    const engine = createMeshwarpEngine({ maxPitchDeg: 30 });
    await engine.prepare(image, face);
    await engine.setReference({ index: 0, time: 0, face: still, controls: controls() });
    const poses: [number, number, number][] = [
      [15, 0, 0],
      [-15, 0, 0],
      [30, 0, 0],
      [-30, 0, 0],
      [0, 15, 0],
      [0, 30, 0],
      [0, -30, 0],
      [0, 0, 20],
      [0, 0, -20],
    ];
    const misses: string[] = [];
    for (const pose of poses) {
      const out = await engine.render({ index: 1, time: 0, face: turned(...pose), controls: controls() });
      expect(out.warnings).toBeUndefined();
      const got = await trackedPose(out.image);
      // The commanded axis within 3°; the others stay near 0 (cross-talk of the tracker itself, under 5°).
      pose.forEach((want, k) => {
        const tol = want !== 0 ? 3 : 5;
        if (Math.abs(got[k] - want) > tol) misses.push(`${pose} → ${got.map((v) => v.toFixed(1))}`);
      });
    }
    expect(misses).toEqual([]);
    await engine.dispose();
  }, 120_000);

  // A gain on the whole depth turned the head as far but the nose jutted out at 45°: the gain is for the sides.
  it('depthGain deepens the head behind the eyes; the brow, nose and lips keep their tracked height', () => {
    const local = toRendererCoords(face);
    const flat = preparePortrait3d(local, 100, 1).head;
    const deep = preparePortrait3d(local, 100, 1.7).head;
    const z = (h: Float64Array, i: number): number => h[i * 3 + 2];
    const eyes = (h: Float64Array): number => (z(h, 33) + z(h, 133) + z(h, 362) + z(h, 263)) / 4;
    // (Within 10 %: the gain acts along the camera's axis, the head's axes are those of the portrait's slightly turned
    // head. A gain on the whole depth makes the front ratios 1.7 too.)
    for (const front of [1, 4, 13, 14]) {
      // nose tip, nose, lips: in front of the eye corners (smaller z)
      const ratio = (eyes(deep) - z(deep, front)) / (eyes(flat) - z(flat, front));
      expect(Math.abs(ratio - 1), `${front}`).toBeLessThan(0.1);
    }
    for (const side of [234, 454, 132, 361]) {
      const ratio = (z(deep, side) - eyes(deep)) / (z(flat, side) - eyes(flat));
      expect(Math.abs(ratio - 1.7), `${side}`).toBeLessThan(0.1);
    }
    // The mouth keeps its relief although the smile's corners lie behind the eye corners: corners (outer, inner) and
    // the lower lip's sides as deep behind the lip centre as tracked. Deepened, the far corner hooked up past the lips
    // on a turned head, and a nod lifted both corners (the tracker read a more closed mouth).
    for (const lip of [61, 291, 78, 308, 84, 314, 91, 321]) {
      const ratio = (z(deep, lip) - z(deep, 13)) / (z(flat, lip) - z(flat, 13));
      expect(Math.abs(ratio - 1), `${lip}`).toBeLessThan(0.1);
    }
  });
});

describe('3-D head: a moved head', () => {
  // The driver's pose is what its camera saw. A head that only moves across the frame keeps facing the camera: seen
  // from its new place, a head that kept its rotation reads as turned towards the move (5–8° for 80 px before the
  // engine turned it along its line of sight).
  it('moved without turning, it turns to face the camera along its new line of sight', () => {
    const local = toRendererCoords(still);
    const portrait = preparePortrait3d(local, 100, 1.7);
    const reference = prepareReference3d(local);
    const options = motion3dOptions(parseMeshwarpConfig({}));
    for (const [dx, dy] of [
      [0, 80],
      [0, -80],
      [80, 0],
      [-60, 60],
    ]) {
      const m = computeMotion3d(portrait, reference, toRendererCoords(moveHead(still, 0, dx, dy)), controls(), options);
      // The head's forward axis relative to the portrait's own: R · R_portraitᵀ · (0, 0, 1).
      const R = mul3(m.transform.rotation, transpose3(portrait.fit.rotation));
      const n = Math.hypot(dx, dy, portrait.camera.d);
      expect(R[2]).toBeCloseTo(dx / n, 6);
      expect(R[5]).toBeCloseTo(dy / n, 6);
      expect(R[8]).toBeCloseTo(portrait.camera.d / n, 6);
    }
  });

  // What the tracker reads. Moved up, the rendered head still reads as tilted up by 2–3° more than the unmoved render
  // (bench/RESULTS.md): not asserted here.
  it('moved down or sideways without turning, the tracker reads it as facing the camera', async () => {
    const engine = createMeshwarpEngine();
    await engine.prepare(image, face);
    await engine.setReference({ index: 0, time: 0, face: still, controls: controls() });
    const misses: string[] = [];
    for (const [dx, dy] of [
      [0, 80],
      [80, 0],
      [-80, 0],
      [-60, 60],
    ]) {
      const out = await engine.render({ index: 1, time: 0, face: moveHead(still, 0, dx, dy), controls: controls() });
      const [yaw, pitch] = await trackedPose(out.image);
      if (Math.abs(yaw) > 3 || Math.abs(pitch) > 3)
        misses.push(`moved ${dx}, ${dy} → yaw ${yaw.toFixed(1)}, pitch ${pitch.toFixed(1)}`);
    }
    expect(misses).toEqual([]);
    await engine.dispose();
  }, 60_000);
});

describe('3-D head: pixels and controls', () => {
  it('turns the head 40° without a warning, and leaves every pixel outside the matte equal to the photo', async () => {
    const engine = createMeshwarpEngine();
    await engine.prepare(image, face);
    await engine.setReference({ index: 0, time: 0, face: still, controls: controls() });
    const out = await engine.render({ index: 1, time: 0, face: turned(40, -10, 5), controls: controls() });
    expect(out.warnings).toBeUndefined();
    let outside = 0;
    let changed = 0;
    for (let i = 0; i < 512 * 512; i++) {
      if (out.image.data[i * 4 + 3] === 0) {
        outside++;
        for (let c = 0; c < 3; c++) {
          if (out.image.data[i * 4 + c] !== image.data[i * 3 + c])
            throw new Error(`pixel ${i} changed outside the matte`);
        }
      } else changed++;
    }
    expect(changed).toBeGreaterThan(15_000); // face, hair and the uncovered background
    expect(outside).toBeGreaterThan(512 * 512 * 0.6);
    // Past the limit: clamped to 45° with a warning.
    const far = await engine.render({ index: 2, time: 0, face: turned(60, 0, 0), controls: controls() });
    // (The driver's yaw changes by 59.9°: turned() turns the portrait's face, rolled 3°, by 60° about the camera's axis.)
    expect(far.warnings).toEqual(['Head yaw of 59.9° is beyond what the 3-D head can show (limit 45°); clamped.']);
    // The tracker reads the clamped turn as about 45° (40.2° with the portrait's lids as the mesh model drew them,
    // 39.7° with the iris model's lid contour: the eyes' texture moves the reading by half a degree at this turn).
    expect((await trackedPose(far.image))[0]).toBeGreaterThan(39);
  }, 60_000);

  it('intensity 0 gives the photo; hold pose keeps the head still while the mouth opens', async () => {
    const engine = createMeshwarpEngine();
    await engine.prepare(image, face);
    await engine.setReference({ index: 0, time: 0, face: still, controls: controls() });
    const zero = await engine.render({
      index: 1,
      time: 0,
      face: turned(30, 10, 5),
      controls: controls({ intensity: 0 }),
    });
    for (let i = 0; i < 512 * 512; i++) expect(zero.image.data[i * 4 + 3]).toBe(0);
    const talking = openMouth(turned(30, 10, 5), 12);
    const held = await engine.render({ index: 2, time: 0, face: talking, controls: controls({ holdPose: true }) });
    const pose = await trackedPose(held.image);
    for (const v of pose) expect(Math.abs(v)).toBeLessThan(2.5);
    // Only the face moved: the hair above the forehead (y < 40) is the photo's.
    for (let y = 10; y < 40; y++) {
      for (let x = 160; x < 290; x++) expect(held.image.data[(y * 512 + x) * 4 + 3]).toBe(0);
    }
    /** Lip gap of the rendered points beyond what head motion alone gives (the portrait smiles with parted lips). */
    const parted = (): number => {
      const m = engine.lastMotion;
      if (!m) throw new Error('no motion');
      return m.points[14 * 3 + 1] - m.points[13 * 3 + 1] - (m.rigid[14 * 3 + 1] - m.rigid[13 * 3 + 1]);
    };
    expect(parted()).toBeGreaterThan(6);
    // Mouth gain 0: the head still turns, the lips keep the portrait's own gap.
    const quiet = await engine.render({ index: 3, time: 0, face: talking, controls: controls({ mouth: 0 }) });
    expect((await trackedPose(quiet.image))[0]).toBeGreaterThan(18);
    expect(Math.abs(parted())).toBeLessThan(1);
  }, 60_000);

  /**
   * The portrait driven by its own face with the upper lids raised by `by` of their gap (the crease row above them by
   * `crease` of that), rendered against the still face; the engine is left open for lastMotion.
   */
  async function renderRaisedLids(by: number, crease: number) {
    const engine = createMeshwarpEngine();
    await engine.prepare(image, face);
    await engine.setReference({ index: 0, time: 0, face: still, controls: controls() });
    const lm = Float32Array.from(face.landmarks);
    for (const eye of EYES) {
      eye.upper0.forEach((u, j) => {
        for (let a = 0; a < 2; a++) {
          const v = face.landmarks[eye.lower0[j] * 3 + a] - face.landmarks[u * 3 + a];
          lm[u * 3 + a] -= by * v;
          lm[eye.upper1[j] * 3 + a] -= by * crease * v;
        }
      });
    }
    const frame = { index: 1, time: 0, face: { ...still, landmarks: lm }, controls: controls() };
    return { engine, out: (await engine.render(frame)).image };
  }

  // A raised lid took its lashes along only as a thin painted line: the photo's dark margin stayed at the old lid line
  // and the tracker kept reading the lid there.
  it('a widening lid carries its dark lash margin up with it', async () => {
    // Driving lids raised by 0.4 of their gap (crease row along at 0.35 of that).
    const { engine, out } = await renderRaisedLids(0.4, 0.35);
    const moved = engine.lastMotion?.points;
    if (!moved) throw new Error('no motion');
    const lum = (x: number, y: number): number => {
      const o = (y * 512 + x) * 4;
      const a = out.data[o + 3] / 255;
      const p = (y * 512 + x) * 3;
      return [0.3, 0.59, 0.11].reduce((s, w, c) => s + w * (out.data[o + c] * a + image.data[p + c] * (1 - a)), 0);
    };
    for (const eye of EYES) {
      // Down the column through the lid's middle point, from the new lid line to the old one: the darkest pixel (the
      // lashes) sits just under the new line.
      const u = eye.upper0[3];
      const x = Math.round(face.landmarks[u * 3] - 0.5);
      const yOld = face.landmarks[u * 3 + 1] - 0.5;
      const yNew = moved[u * 3 + 1];
      expect(yOld - yNew).toBeGreaterThan(2);
      let darkest = Math.floor(yNew);
      for (let y = Math.floor(yNew); y <= Math.floor(yOld); y++) if (lum(x, y) < lum(x, darkest)) darkest = y;
      expect(Math.abs(darkest - yNew), `eye ${eye.corners}`).toBeLessThanOrEqual(1.5);
      expect(lum(x, darkest), `eye ${eye.corners}`).toBeLessThan(80);
    }
    await engine.dispose();
  }, 60_000);

  it('the eye a widening lid uncovers is about as bright as the sclera the photo shows beside the iris', async () => {
    // Driving lids raised by half their gap: the portrait's lids go up by half of theirs (maxWiden 0.5).
    const { engine, out } = await renderRaisedLids(0.5, 0);
    const moved = engine.lastMotion?.points;
    if (!moved) throw new Error('no motion');
    const lum = (data: Uint8Array, channels: number, x: number, y: number): number =>
      [0.3, 0.59, 0.11].reduce((s, w, c) => s + w * data[(y * 512 + x) * channels + c], 0);
    const ratios: number[] = [];
    EYES.forEach((eye, e) => {
      const cx = face.iris![e * 15] - 0.5;
      const r = Math.hypot(
        face.iris![e * 15 + 3] - face.iris![e * 15],
        face.iris![e * 15 + 4] - face.iris![e * 15 + 1],
      );
      // Columns just beside the iris disc, through the lid's middle three points' span.
      for (const x of [Math.round(cx - r - 1.5), Math.round(cx + r + 1.5)]) {
        const near = (i: number): number => Math.abs(face.landmarks[i * 3] - 0.5 - x);
        const k = [1, 2, 3, 4, 5].reduce((b, j) => (near(eye.upper0[j]) < near(eye.upper0[b]) ? j : b), 1);
        const yOld = Math.round(face.landmarks[eye.upper0[k] * 3 + 1] - 0.5);
        const yLow = Math.round(face.landmarks[eye.lower0[k] * 3 + 1] - 0.5);
        const yNew = Math.round(moved[eye.upper0[k] * 3 + 1]);
        // The photo's sclera: the brightest pixel between its lids in this column. The uncovered eye: the three
        // pixels under the moved lash margin (2.3 px for this eye), which lie above the old lid line.
        let sclera = 0;
        for (let y = yOld; y <= yLow; y++) sclera = Math.max(sclera, lum(image.data, 3, x, y));
        let band = 0;
        for (let y = yNew + 3; y <= yNew + 5; y++) band += lum(out.data, 4, x, y) / 3;
        expect(yNew + 5, `eye ${e} column ${x}`).toBeLessThanOrEqual(yOld + 3);
        ratios.push(band / sclera);
      }
    });
    // A grey band reads as lid skin, not as an eye opened wider. Measured 0.86, 0.96, 0.83, 0.98 (before: the sclera
    // tone from the opening's brighter half and a drawn shadow under the moved lid, 0.81, 0.90, 0.76, 0.87).
    expect(ratios.reduce((s, q) => s + q, 0) / ratios.length).toBeGreaterThan(0.88);
    for (const q of ratios) expect(q).toBeGreaterThan(0.8);
    await engine.dispose();
  }, 60_000);

  it('the face tracker reads rendered lids at about their size: shut eyes as shut, half-shut ones as half shut', async () => {
    // The mesh model alone draws lids from the face's shape: it read these shut eyes as 28 % closed and the half-shut
    // ones as 19 %. The iris model's lid contour follows the lid edge (face/iris.ts refineLids): 76 % and 46 %.
    const engine = createMeshwarpEngine();
    await engine.prepare(image, face);
    await engine.setReference({ index: 0, time: 0, face: still, controls: controls() });
    const [ref] = await tracker.detect(image);
    const open = (f: FaceObservation): number => (f.expression.leftEyeOpen + f.expression.rightEyeOpen) / 2;
    const closure = async (f: number): Promise<[number, number]> => {
      const out = await engine.render({
        index: 1,
        time: 0,
        face: { ...closeEyes(face, f), iris: undefined },
        controls: controls(),
      });
      const [seen] = await tracker.detect(toRgb(out.image));
      const shown = engine.lastMotion?.eyeClosure ?? [0, 0];
      return [1 - open(seen) / open(ref), (shown[0] + shown[1]) / 2];
    };
    const [shut, shutShown] = await closure(1);
    const [half, halfShown] = await closure(0.33);
    expect(shutShown).toBe(1);
    expect(halfShown).toBeCloseTo(0.57, 2); // the driver's lids a third closed: 0.57 of the way (blinkFull 0.55)
    expect(shut).toBeGreaterThan(0.6);
    expect(half).toBeGreaterThan(0.35);
    await engine.dispose();
  }, 60_000);

  it('head=2d is the earlier 2-D warp, byte for byte', async () => {
    const engine = createMeshwarpEngine({ head: '2d' });
    await engine.prepare(image, face);
    await engine.setReference({ index: 0, time: 0, face, controls: controls() });
    const driving = moveHead(face, 6, 4, -3);
    const out = await engine.render({ index: 1, time: 0, face: driving, controls: controls() });
    // The same frame straight from the 2-D renderer (renderer coordinates: pixel centres at integers).
    const config = parseMeshwarpConfig({ head: '2d' });
    const shift = (a: Float32Array) => a.map((v, i) => (i % 3 < 2 ? v - 0.5 : v));
    const local = { landmarks: shift(face.landmarks), iris: face.iris ? shift(face.iris) : undefined };
    const portrait = preparePortrait(local);
    const motion = computeMotion(portrait, prepareReference(portrait, face), driving, controls(), config);
    const direct = renderFrame(prepareRenderer(image, local.landmarks, local.iris ?? null, config), motion);
    expect(Buffer.compare(Buffer.from(out.image.data), Buffer.from(direct.data))).toBe(0);
  }, 60_000);
});

/** Rec. 601 luma of pixel (x, y) of an RGB or RGBA image. */
function luma(img: Image, x: number, y: number): number {
  const i = (Math.round(y) * img.width + Math.round(x)) * img.channels;
  return 0.299 * img.data[i] + 0.587 * img.data[i + 1] + 0.114 * img.data[i + 2];
}

/** The hair's outline in the photo on row y: the first pixel darker than the backdrop from the left (or right). */
function hairEdge(y: number, fromLeft: boolean): number {
  if (fromLeft) {
    for (let x = 120; x < 240; x++) if (luma(image, x, y) < 150) return x;
  } else {
    for (let x = 330; x > 220; x--) if (luma(image, x, y) < 150) return x;
  }
  return -1;
}

describe('3-D head: what a turn uncovers and brings into view (the profile frames)', () => {
  it('a moved head leaves inpainted backdrop where its hair was: no ghost of the outline, no hair-tinted fill', async () => {
    const engine = createMeshwarpEngine();
    await engine.prepare(image, face);
    await engine.setReference({ index: 0, time: 0, face: still, controls: controls() });
    for (const dx of [40, -40]) {
      const out = (await engine.render({ index: 1, time: 0, face: moveHead(still, 0, dx, 0), controls: controls() }))
        .image;
      // The band from just outside the hair's old outline to 20 px inside it, on the side the head moved away from:
      // backdrop now (the photo's backdrop is light; hair, its fringe and fill tinted by it are darker).
      let dark = 0;
      let seen = 0;
      for (let y = 20; y <= 100; y++) {
        const edge = hairEdge(y, dx > 0);
        if (edge < 0) continue;
        for (let k = -8; k <= 20; k++) {
          seen++;
          if (luma(out, dx > 0 ? edge + k : edge - k, y) < 150) dark++;
        }
      }
      expect(seen).toBeGreaterThan(1500);
      expect(dark, `dark pixels where the hair was (shift ${dx})`).toBeLessThan(seen * 0.01);
    }
  }, 60_000);

  it('the hair a turn brings round keeps a hair texture (mirrored from the visible hair), not stretched stripes', async () => {
    const engine = createMeshwarpEngine();
    await engine.prepare(image, face);
    await engine.setReference({ index: 0, time: 0, face: still, controls: controls() });
    const out = (await engine.render({ index: 1, time: 0, face: turned(40, 0, 0), controls: controls() })).image;
    const points = engine.lastMotion?.points;
    if (!points) throw new Error('no motion');
    let faceLeft = Number.POSITIVE_INFINITY;
    for (let i = 0; i < 468; i++) faceLeft = Math.min(faceLeft, points[i * 3]);
    // Texture along the rows (|d luma / dx|) between the head's outline and the face, against the photo's own hair:
    // the photo's edge-on hair stretched across the turned side is smooth along its rows (stripes).
    const along = (img: Image, y: number, x0: number, x1: number, skipLight: boolean): [number, number] => {
      let sum = 0;
      let n = 0;
      for (let x = x0; x < x1; x++) {
        if (skipLight && luma(img, x, y) > 170) continue;
        sum += Math.abs(luma(img, x + 1, y) - luma(img, x, y));
        n++;
      }
      return [sum, n];
    };
    let turnedSum = 0;
    let turnedN = 0;
    let photoSum = 0;
    let photoN = 0;
    for (let y = 20; y <= 90; y++) {
      let outline = -1;
      for (let x = 60; x < faceLeft; x++) {
        if (luma(out, x, y) < 170) {
          outline = x;
          break;
        }
      }
      if (outline >= 0) {
        const [s, n] = along(out, y, outline + 3, Math.floor(faceLeft) - 3, false);
        turnedSum += s;
        turnedN += n;
      }
      const left = hairEdge(y, true);
      const right = hairEdge(y, false);
      if (left >= 0 && right >= 0) {
        const [s, n] = along(image, y, left + 3, right - 3, true);
        photoSum += s;
        photoN += n;
      }
    }
    expect(turnedN).toBeGreaterThan(3000);
    expect(turnedSum / turnedN).toBeGreaterThan(0.45 * (photoSum / photoN));
  }, 60_000);

  it('the fill behind the jaw is the colour of the backdrop, not of the collar and neck below it', () => {
    const local = toRendererCoords(face);
    const config = parseMeshwarpConfig({});
    const portrait = preparePortrait3d(local, config.cameraDistance, config.depthGain);
    const base = prepareRenderer3d(image, portrait, config).model.base;
    const baseImage: Image = { data: base, width: 512, height: 512, channels: 4 };
    let backdrop = 0;
    let n = 0;
    for (let x = 180; x < 280; x++) {
      for (let y = 2; y < 8; y++) {
        backdrop += luma(image, x, y);
        n++;
      }
    }
    backdrop /= n;
    const lm = face.landmarks;
    const [cx, cy] = [lm[3], lm[4]];
    // Just inside the jaw line (4 px towards the nose): what a turned head uncovers under its jaw.
    for (const i of [132, 58, 172, 136, 150, 149, 176, 148, 152, 377, 400, 378, 379, 365, 397, 288, 361]) {
      const [x, y] = [lm[i * 3], lm[i * 3 + 1]];
      const d = Math.hypot(cx - x, cy - y);
      const at = luma(baseImage, x + ((cx - x) / d) * 4, y + ((cy - y) / d) * 4);
      expect(Math.abs(at - backdrop), `fill at jaw point ${i}`).toBeLessThan(25);
    }
  });
});
