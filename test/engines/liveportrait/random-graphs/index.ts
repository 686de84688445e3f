/**
 * The LivePortrait ONNX set rebuilt with the published files' topology (same layers, channel counts, kernels, op
 * types, I/O names, shapes, dtypes and opsets) and seeded random weights, for measuring the neural engine's real
 * cost without the real weights: speed and memory do not depend on weight values. Files go to the cache folder
 * (`<cache>/random-weights/liveportrait/v<N>/`, never to git) and are reused while the generator version and each
 * file's exact size match. Outputs are meaningless pictures; every value stays finite.
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { cacheDir } from '../../../../bridge/src/util/paths.js';
import { buildAppearanceFeatureExtractor } from './appearance.js';
import type { Skeleton } from './graph.js';
import { buildLandmark } from './landmark.js';
import { buildMotionExtractor } from './motion.js';
import { buildStitching } from './stitching.js';
import { buildWarpingSpade } from './warping.js';
import { fileSize, writeSkeleton } from './write.js';

/** Bump when any builder changes what it writes: cached files of older versions are then not reused. */
export const GENERATOR_VERSION = 1;

/** Catalog file name → builder. */
export const NETWORKS: Record<string, () => Skeleton> = {
  'appearance_feature_extractor.onnx': () => buildAppearanceFeatureExtractor(),
  'motion_extractor.onnx': () => buildMotionExtractor(),
  'warping_spade.onnx': () => buildWarpingSpade(),
  'stitching.onnx': () => buildStitching('stitching'),
  'stitching_eye.onnx': () => buildStitching('stitching_eye'),
  'stitching_lip.onnx': () => buildStitching('stitching_lip'),
  'landmark.onnx': () => buildLandmark(),
};

export function randomGraphsDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(cacheDir(env), 'random-weights', 'liveportrait', `v${GENERATOR_VERSION}`);
}

/** Writes `skeleton` to `file` unless a complete copy (same exact size) is there already. Returns whether it wrote. */
export function ensureGraph(file: string, skeleton: Skeleton): boolean {
  if (existsSync(file) && statSync(file).size === fileSize(skeleton)) return false;
  mkdirSync(path.dirname(file), { recursive: true });
  writeSkeleton(file, skeleton);
  return true;
}

/** Generates every network (or `only` these file names) into `dir`; returns the file paths. */
export function generateRandomGraphs(dir = randomGraphsDir(), only = Object.keys(NETWORKS)): string[] {
  return only.map((name) => {
    const file = path.join(dir, name);
    ensureGraph(file, NETWORKS[name]());
    return file;
  });
}
