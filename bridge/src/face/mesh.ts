/**
 * 468-point face mesh: a rotated square region of interest (ROI) is resampled into 192², the converted
 * facemesh model returns 468 × (x, y, z) in crop pixels and a face-presence score, and the points are mapped
 * back to frame pixels. The ROI comes from a detection (first frame, re-detection) or from the previous
 * frame's landmarks (tracking), as MediaPipe does.
 */
import * as ort from 'onnxruntime-node';
import type { Image } from '../media/types.js';
import { type ModelSpec, runNamed } from '../onnx/session.js';
import { type Affine, applyAffine } from '../util/affine.js';
import type { Detection } from './detector.js';
import { cropAffine, sampleAffineFiltered } from './image.js';

export const MESH_SIZE = 192;
export const MESH_POINTS = 468;

export const FACEMESH_SPEC: ModelSpec = {
  id: 'facemesh (human 3.3.6, 192²)',
  inputs: [{ name: 'input_1', dims: ['N', 192, 192, 3], type: 'float32' }],
  outputs: [
    { name: 'Identity_2', dims: ['N', 1404], type: 'float32' },
    { name: 'Identity_1', dims: ['N', 1], type: 'float32' },
  ],
};

/** A rotated square region: centre, side in px, angle in radians (clockwise on screen; the face's eye line). */
export interface Roi {
  cx: number;
  cy: number;
  size: number;
  angle: number;
}

/** Landmarks of the outer eye corners (image-left eye, image-right eye) used for the ROI angle. */
export const EYE_CORNERS = [33, 263] as const;

/** ROI around a detection: centre of the box, 1.5 × its larger side, angle from the two eye keypoints. */
export function roiFromDetection(d: Detection, scale = 1.5): Roi {
  const k = d.keypoints;
  return {
    cx: d.box.x + d.box.width / 2,
    cy: d.box.y + d.box.height / 2,
    size: Math.max(d.box.width, d.box.height) * scale,
    angle: Math.atan2(k[3] - k[1], k[2] - k[0]),
  };
}

/**
 * ROI from 468 landmarks (Float32Array 468×3, frame px): angle from the eye corners, the landmarks' bounding box
 * in that rotated frame, scaled by `scale` (1.5, MediaPipe's value). Pure.
 */
export function roiFromLandmarks(landmarks: Float32Array, scale = 1.5): Roi {
  const [a, b] = EYE_CORNERS;
  const angle = Math.atan2(landmarks[3 * b + 1] - landmarks[3 * a + 1], landmarks[3 * b] - landmarks[3 * a]);
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  let minU = Infinity;
  let maxU = -Infinity;
  let minV = Infinity;
  let maxV = -Infinity;
  for (let i = 0; i < MESH_POINTS; i++) {
    const x = landmarks[3 * i];
    const y = landmarks[3 * i + 1];
    const u = cos * x + sin * y;
    const v = -sin * x + cos * y;
    if (u < minU) minU = u;
    if (u > maxU) maxU = u;
    if (v < minV) minV = v;
    if (v > maxV) maxV = v;
  }
  const cu = (minU + maxU) / 2;
  const cv = (minV + maxV) / 2;
  return {
    cx: cos * cu - sin * cv,
    cy: sin * cu + cos * cv,
    size: Math.max(maxU - minU, maxV - minV) * scale,
    angle,
  };
}

export function roiAffine(roi: Roi): Affine {
  return cropAffine(roi.cx, roi.cy, roi.size, roi.angle, MESH_SIZE);
}

/** Writes the ROI's 192² crop (Float32Array NHWC 1×192×192×3, 0..1) into `out`. */
export function cropForMesh(image: Image, roi: Roi, out: Float32Array): void {
  sampleAffineFiltered(image, roiAffine(roi), MESH_SIZE, MESH_SIZE, out, 1 / 255, 0);
}

/**
 * Maps raw mesh output (1404 floats, crop px) to frame px through the ROI (z scaled like x). Pure.
 * @returns Float32Array 468×3.
 */
export function meshToImage(raw: Float32Array, roi: Roi): Float32Array {
  const m = roiAffine(roi);
  const k = roi.size / MESH_SIZE;
  const out = new Float32Array(MESH_POINTS * 3);
  for (let i = 0; i < MESH_POINTS; i++) {
    const u = raw[3 * i];
    const v = raw[3 * i + 1];
    [out[3 * i], out[3 * i + 1]] = applyAffine(m, u, v);
    out[3 * i + 2] = raw[3 * i + 2] * k;
  }
  return out;
}

export interface MeshResult {
  /** 468 × (x, y, z), frame px. */
  landmarks: Float32Array;
  /** Face presence 0..1 (the model's sigmoid face flag). */
  score: number;
  roi: Roi;
}

/** A facemesh runner on an ONNX session; reuses its crop buffer. */
export function createMesh(session: ort.InferenceSession) {
  const input = new Float32Array(MESH_SIZE * MESH_SIZE * 3);
  return {
    /** Raw model run on a prepared 192² crop (used by the golden test). */
    async runCrop(crop: Float32Array): Promise<{ raw: Float32Array; score: number }> {
      const out = await runNamed(session, FACEMESH_SPEC, {
        input_1: new ort.Tensor('float32', crop, [1, MESH_SIZE, MESH_SIZE, 3]),
      });
      return { raw: out.Identity_2.data as Float32Array, score: (out.Identity_1.data as Float32Array)[0] };
    },
    async run(image: Image, roi: Roi): Promise<MeshResult> {
      cropForMesh(image, roi, input);
      const { raw, score } = await this.runCrop(input);
      return { landmarks: meshToImage(raw, roi), score, roi };
    },
  };
}

export type Mesh = ReturnType<typeof createMesh>;
