/**
 * Test fixtures for the LivePortrait engine: synthetic portraits and driving frames (generated, no files), a
 * FaceObservation with 468 FaceMesh-layout landmarks, and a model cache populated through the real installer
 * (`--from` a folder of synthetic ONNX files, with a test catalog holding their sha256).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_CONTROLS } from '../../../bridge/src/engines/controls.js';
import type { FaceObservation } from '../../../bridge/src/face/types.js';
import type { Image } from '../../../bridge/src/media/types.js';
import { loadCatalog } from '../../../bridge/src/models/catalog.js';
import { installModels } from '../../../bridge/src/models/install.js';
import { sha256File } from '../../../bridge/src/util/fs.js';
import { writeSyntheticModels } from './synthetic-models.js';

/** RGB image with a smooth pattern that depends on `seed` (so motion-extractor outputs differ per frame). */
export function makeImage(width: number, height: number, seed: number, channels: 3 | 4 = 3): Image {
  const data = new Uint8Array(width * height * channels);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * channels;
      data[o] = (x * 3 + seed * 40) % 256;
      data[o + 1] = (y * 2 + seed * 90) % 256;
      data[o + 2] = ((x + y) * (1 + (seed % 3)) + seed * 17) % 256;
      if (channels === 4) data[o + 3] = 255;
    }
  return { data, width, height, channels };
}

/** A face centred at (cx, cy), ~r px in radius, with FaceMesh eye/mouth indices where a face has them. */
export function makeFace(cx: number, cy: number, r: number, mouthOpen = 0.1): FaceObservation {
  const lm = new Float32Array(468 * 3);
  for (let i = 0; i < 468; i++) {
    const a = (i * 2.399963) % (2 * Math.PI); // golden-angle spiral fills an ellipse
    const rr = Math.sqrt((i + 0.5) / 468);
    lm[i * 3] = cx + Math.cos(a) * rr * r * 0.8;
    lm[i * 3 + 1] = cy + Math.sin(a) * rr * r;
  }
  const set = (i: number, x: number, y: number) => {
    lm[i * 3] = cx + x * r;
    lm[i * 3 + 1] = cy + y * r;
  };
  set(33, -0.5, -0.2);
  set(133, -0.15, -0.2);
  set(159, -0.32, -0.26);
  set(145, -0.32, -0.14);
  set(263, 0.5, -0.2);
  set(362, 0.15, -0.2);
  set(386, 0.32, -0.26);
  set(374, 0.32, -0.14);
  set(61, -0.3, 0.45);
  set(291, 0.3, 0.45);
  set(13, 0, 0.45 - mouthOpen * 0.3);
  set(14, 0, 0.45 + mouthOpen * 0.3);
  return {
    id: 0,
    score: 0.99,
    box: { x: cx - r, y: cy - r, width: 2 * r, height: 2 * r },
    landmarks: lm,
    pose: { roll: 0, yaw: 0, pitch: 0, scale: r, x: cx, y: cy },
    expression: {
      leftEyeOpen: 0.3,
      rightEyeOpen: 0.3,
      mouthOpen,
      mouthWidth: 0.6,
      leftBrowRaise: 0,
      rightBrowRaise: 0,
      gazeX: 0,
      gazeY: 0,
    },
  };
}

export function drivingFrame(index: number, image: Image | undefined, face: FaceObservation | null, controls = {}) {
  return { index, time: index / 25, image, face, controls: { ...DEFAULT_CONTROLS, ...controls } };
}

/**
 * A catalog source for a synthetic file: its sha256 (hashed here unless given), at a URL nothing listens on
 * (installs go `--from` a folder).
 */
export function syntheticSource(
  folder: string,
  file: string,
  sha256 = createHash('sha256')
    .update(readFileSync(path.join(folder, file)))
    .digest('hex'),
) {
  return { name: 'synthetic', url: `http://127.0.0.1:9/${file}`, sha256, sizeBytes: null, hashSource: 'the tests' };
}

/**
 * Writes synthetic models to `<root>/downloads`, a test catalog (the real ids and file names, their sha256) to
 * `<root>/catalog.json`, and installs them with the real installer into `<root>/cache`. Returns the env to use.
 */
export async function installSyntheticModels(
  root: string,
  options: { warpGrid?: [number, number, number]; landmark?: boolean } = {},
): Promise<NodeJS.ProcessEnv> {
  const downloads = path.join(root, 'downloads');
  mkdirSync(downloads, { recursive: true });
  writeSyntheticModels(downloads, { warpGrid: options.warpGrid });
  return installModelFolder(root, downloads, options.landmark ?? true);
}

/**
 * Installs the LivePortrait files found in `folder` (the catalog's file names) with the real installer into
 * `<root>/cache`, through a test catalog holding their sha256 (`<root>/catalog.json`). Returns the env to use.
 */
export async function installModelFolder(root: string, folder: string, landmark = true): Promise<NodeJS.ProcessEnv> {
  mkdirSync(root, { recursive: true });
  const real = JSON.parse(readFileSync(path.resolve('models/catalog.json'), 'utf8'));
  for (const m of real.models) {
    const file = path.join(folder, m.file);
    // Hashed as a stream: the random-weight warping graph is 420 MB.
    if (existsSync(file)) m.sources = [syntheticSource(folder, m.file, await sha256File(file))];
  }
  const catalogFile = path.join(root, 'catalog.json');
  writeFileSync(catalogFile, JSON.stringify(real));
  const env = { ...process.env, REENACT_CACHE_DIR: path.join(root, 'cache'), REENACT_MODEL_CATALOG: catalogFile };
  await installModels(loadCatalog(catalogFile), { env, from: folder, all: landmark });
  return env;
}
