/**
 * Test inputs for the meshwarp engine: the astronaut portrait with its tracked landmarks (fixture from
 * the face stage), a stand-in face built from the canonical mesh, and driving faces with known motion
 * (mouth opened by N px, eyes closed by a fraction, head rolled/shifted) made by editing landmarks.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';
import { DEFAULT_CONTROLS, type FrameControls } from '../../../bridge/src/engines/controls.js';
import { UV468 } from '../../../bridge/src/engines/meshwarp/facemesh-data.js';
import { EYES } from '../../../bridge/src/engines/meshwarp/regions.js';
import { fitHead, type Mat3, mul3, unpose } from '../../../bridge/src/face/pose.js';
import type { FaceObservation } from '../../../bridge/src/face/types.js';
import type { Image } from '../../../bridge/src/media/types.js';

const root = path.resolve(import.meta.dirname, '../../..');

export function loadPng(file: string): Image {
  const png = PNG.sync.read(readFileSync(path.join(root, file)));
  return { data: new Uint8Array(png.data), width: png.width, height: png.height, channels: 4 };
}

/** RGB copy of an RGBA image. */
export function toRgb(img: Image): Image {
  const n = img.width * img.height;
  const data = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    data[i * 3] = img.data[i * img.channels];
    data[i * 3 + 1] = img.data[i * img.channels + 1];
    data[i * 3 + 2] = img.data[i * img.channels + 2];
  }
  return { data, width: img.width, height: img.height, channels: 3 };
}

function observation(landmarks: Float32Array, iris?: Float32Array): FaceObservation {
  return {
    id: 0,
    score: 1,
    box: { x: 0, y: 0, width: 1, height: 1 },
    landmarks,
    iris,
    pose: { roll: 0, yaw: 0, pitch: 0, scale: 1, x: 0, y: 0 },
    expression: {
      leftEyeOpen: 0,
      rightEyeOpen: 0,
      mouthOpen: 0,
      mouthWidth: 0,
      leftBrowRaise: 0,
      rightBrowRaise: 0,
      gazeX: 0,
      gazeY: 0,
    },
  };
}

/** The astronaut portrait (RGB, 512²) and its tracked face (fixture from the face stage). */
export function astronaut(): { image: Image; face: FaceObservation } {
  const json = JSON.parse(readFileSync(path.join(root, 'test/fixtures/landmarks/astronaut.json'), 'utf8')) as {
    landmarks: number[][];
    iris: number[][];
  };
  const image = toRgb(loadPng('test/fixtures/media/portrait-astronaut.png'));
  return { image, face: observation(Float32Array.from(json.landmarks.flat()), Float32Array.from(json.iris.flat())) };
}

/**
 * A stand-in face from the canonical UV layout, centred at (cx, cy), ~120 × 150 px, with a dome of depth;
 * iris discs at each eye's centre (radius 0.2 × eye width).
 */
export function standInFace(cx = 224, cy = 124): FaceObservation {
  const lm = new Float32Array(468 * 3);
  for (let i = 0; i < 468; i++) {
    const u = UV468[2 * i] - 0.5;
    const v = UV468[2 * i + 1] - 0.53;
    lm[i * 3] = cx + 72 * Math.sin(u * 2.6);
    lm[i * 3 + 1] = cy + v * 176;
    lm[i * 3 + 2] = -40 * Math.cos(u * 2.6) * Math.max(0, 1 - (v / 0.6) ** 2);
  }
  const iris = new Float32Array(30);
  EYES.forEach((eye, e) => {
    const [a, b] = eye.corners;
    const x = (lm[a * 3] + lm[b * 3]) / 2;
    const y = (lm[eye.upper0[3] * 3 + 1] + lm[eye.lower0[3] * 3 + 1]) / 2;
    const r = 0.2 * Math.hypot(lm[a * 3] - lm[b * 3], lm[a * 3 + 1] - lm[b * 3 + 1]);
    const pts = [
      [x, y],
      [x + r, y],
      [x, y - r],
      [x - r, y],
      [x, y + r],
    ];
    pts.forEach(([px, py], k) => {
      iris[e * 15 + k * 3] = px;
      iris[e * 15 + k * 3 + 1] = py;
      iris[e * 15 + k * 3 + 2] = -30;
    });
  });
  return observation(lm, iris);
}

export function cloneFace(face: FaceObservation): FaceObservation {
  return {
    ...face,
    landmarks: Float32Array.from(face.landmarks),
    iris: face.iris ? Float32Array.from(face.iris) : undefined,
  };
}

/** Lower-lip points (inner, semi-inner, semi-outer, outer) without the corners: they move with the jaw. */
const LOWER_LIP = [
  95, 88, 178, 87, 14, 317, 402, 318, 324, 96, 89, 179, 86, 15, 316, 403, 319, 325, 77, 90, 180, 85, 16, 315, 404, 320,
  307, 146, 91, 181, 84, 17, 314, 405, 321, 375,
];

/**
 * The face with its jaw opened by `px`: the lower lip and everything below the mouth move down by `px`
 * near the mid-line, fading sideways; the upper lip stays.
 */
export function openMouth(face: FaceObservation, px: number): FaceObservation {
  const out = cloneFace(face);
  const lm = out.landmarks;
  const lower = new Set(LOWER_LIP);
  const top = Math.max(lm[14 * 3 + 1], lm[13 * 3 + 1]);
  const mx = (lm[78 * 3] + lm[308 * 3]) / 2;
  const mw = Math.abs(lm[308 * 3] - lm[78 * 3]);
  for (let i = 0; i < 468; i++) {
    const below = lower.has(i) ? 1 : Math.min(1, Math.max(0, (lm[i * 3 + 1] - top) / 2));
    const side = lower.has(i) ? 1 : Math.exp(-(((lm[i * 3] - mx) / (1.3 * mw)) ** 2));
    lm[i * 3 + 1] += px * below * side;
  }
  return out;
}

/** The face with both upper lids moved `f` of the way down to the lower lids. */
export function closeEyes(face: FaceObservation, f: number): FaceObservation {
  const out = cloneFace(face);
  const lm = out.landmarks;
  for (const eye of EYES) {
    eye.upper0.forEach((u, k) => {
      const l = eye.lower0[k];
      lm[u * 3] += (lm[l * 3] - lm[u * 3]) * f;
      lm[u * 3 + 1] += (lm[l * 3 + 1] - lm[u * 3 + 1]) * f;
    });
  }
  return out;
}

/** The whole face (and iris) rotated by `deg` clockwise about (cx, cy), then shifted by (dx, dy). */
export function moveHead(face: FaceObservation, deg: number, dx = 0, dy = 0, cx = 224, cy = 124): FaceObservation {
  const out = cloneFace(face);
  const c = Math.cos((deg * Math.PI) / 180);
  const s = Math.sin((deg * Math.PI) / 180);
  for (const arr of [out.landmarks, out.iris]) {
    if (!arr) continue;
    for (let i = 0; i < arr.length; i += 3) {
      const x = arr[i] - cx;
      const y = arr[i + 1] - cy;
      arr[i] = cx + c * x - s * y + dx;
      arr[i + 1] = cy + s * x + c * y + dy;
    }
  }
  return out;
}

export function controls(over: Partial<FrameControls> = {}): FrameControls {
  return { ...DEFAULT_CONTROLS, ...over };
}

/**
 * `face` with its landmarks turned by `turn` (a rotation about the camera's axes, applied after the face's own fitted
 * rotation) about its head's centre: a driving face with a known pose.
 */
export function posedFace(face: FaceObservation, turn: Mat3): FaceObservation {
  const fit = fitHead(face.landmarks);
  const head = unpose(face.landmarks, fit);
  const R = mul3(turn, fit.rotation);
  const lm = new Float32Array(468 * 3);
  for (let i = 0; i < 468; i++) {
    for (let a = 0; a < 3; a++) {
      lm[i * 3 + a] =
        fit.translation[a] +
        fit.scale * (R[a * 3] * head[i * 3] + R[a * 3 + 1] * head[i * 3 + 1] + R[a * 3 + 2] * head[i * 3 + 2]);
    }
  }
  return { ...face, landmarks: lm };
}
