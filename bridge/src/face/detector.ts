/**
 * Face detection with BlazeFace (the 256² "back" model shipped in `@vladmandic/human`, converted to ONNX):
 * letterbox the frame into 256², run, decode the 896 anchors, merge overlaps with MediaPipe's weighted NMS,
 * and map boxes and the 6 keypoints back to frame pixels. Decoding follows human's src/face/blazeface.ts (input
 * scaled to [-1, 1]; 16 values per anchor; anchors at stride·(cell+0.5) px; box and keypoints are offsets in input px).
 */
import * as ort from 'onnxruntime-node';
import type { Image } from '../media/types.js';
import { type ModelSpec, runNamed } from '../onnx/session.js';
import type { Affine } from '../util/affine.js';
import { sampleAffineFiltered } from './image.js';
import type { Box } from './types.js';

export const BLAZEFACE_SIZE = 256;

export const BLAZEFACE_SPEC: ModelSpec = {
  id: 'blazeface (human 3.3.6, 256²)',
  inputs: [{ name: 'input', dims: [1, 256, 256, 3], type: 'float32' }],
  outputs: [
    { name: 'Identity', dims: [1, 512, 1], type: 'float32' },
    { name: 'Identity_1', dims: [1, 384, 1], type: 'float32' },
    { name: 'Identity_2', dims: [1, 512, 16], type: 'float32' },
    { name: 'Identity_3', dims: [1, 384, 16], type: 'float32' },
  ],
};

/** One detected face in frame pixels. Keypoints: right eye (image left), left eye, nose tip, mouth, right ear, left ear. */
export interface Detection {
  score: number;
  box: Box;
  /** 6 × (x, y). */
  keypoints: Float32Array;
}

export interface DetectorOptions {
  /** Minimum sigmoid score (default 0.5). */
  minScore?: number;
  /** IoU above which detections merge (default 0.3). */
  iouThreshold?: number;
}

/** Anchor centres in input px, 896 × (x, y): 16×16 cells × 2 then 8×8 cells × 6 (human's generateAnchors). */
export function blazeFaceAnchors(size = BLAZEFACE_SIZE): Float32Array {
  const anchors = new Float32Array(896 * 2);
  let k = 0;
  for (const [stride, count] of [
    [size / 16, 2],
    [size / 8, 6],
  ] as const) {
    const cells = Math.ceil(size / stride);
    for (let gy = 0; gy < cells; gy++)
      for (let gx = 0; gx < cells; gx++)
        for (let n = 0; n < count; n++) {
          anchors[k++] = stride * (gx + 0.5);
          anchors[k++] = stride * (gy + 0.5);
        }
  }
  return anchors;
}

const ANCHORS = blazeFaceAnchors();

/** Letterbox transform: frame → 256² input, keeping aspect, centred (padding is black → −1). */
export function letterbox(
  width: number,
  height: number,
  size = BLAZEFACE_SIZE,
): { scale: number; ox: number; oy: number } {
  const scale = size / Math.max(width, height);
  return { scale, ox: (size - width * scale) / 2, oy: (size - height * scale) / 2 };
}

interface Candidate {
  score: number;
  /** x0, y0, x1, y1 then 6 keypoints (x, y), input px. */
  v: Float64Array;
}

/**
 * Decodes raw BlazeFace outputs (scores 512 + 384 logits; boxes 512×16 + 384×16) into candidates above `minScore`,
 * in input pixels. Pure.
 */
export function decodeBlazeFace(
  scores: [Float32Array, Float32Array],
  boxes: [Float32Array, Float32Array],
  minScore: number,
): Candidate[] {
  const out: Candidate[] = [];
  const minLogit = Math.log(minScore / (1 - minScore));
  let a = 0;
  for (let layer = 0; layer < 2; layer++) {
    const s = scores[layer];
    const b = boxes[layer];
    for (let i = 0; i < s.length; i++, a++) {
      if (s[i] < minLogit) continue;
      const ax = ANCHORS[2 * a];
      const ay = ANCHORS[2 * a + 1];
      const r = i * 16;
      const cx = ax + b[r];
      const cy = ay + b[r + 1];
      const hw = b[r + 2] / 2;
      const hh = b[r + 3] / 2;
      const v = new Float64Array(16);
      v[0] = cx - hw;
      v[1] = cy - hh;
      v[2] = cx + hw;
      v[3] = cy + hh;
      for (let k = 0; k < 6; k++) {
        v[4 + 2 * k] = ax + b[r + 4 + 2 * k];
        v[5 + 2 * k] = ay + b[r + 5 + 2 * k];
      }
      out.push({ score: 1 / (1 + Math.exp(-s[i])), v });
    }
  }
  return out;
}

function iou(p: Float64Array, q: Float64Array): number {
  const ix = Math.max(0, Math.min(p[2], q[2]) - Math.max(p[0], q[0]));
  const iy = Math.max(0, Math.min(p[3], q[3]) - Math.max(p[1], q[1]));
  const inter = ix * iy;
  const union = (p[2] - p[0]) * (p[3] - p[1]) + (q[2] - q[0]) * (q[3] - q[1]) - inter;
  return union > 0 ? inter / union : 0;
}

/** MediaPipe "weighted" NMS: each cluster (IoU ≥ threshold with its best) becomes the score-weighted mean; keeps the best score. Pure. */
export function weightedNms(candidates: Candidate[], iouThreshold: number): Candidate[] {
  const sorted = [...candidates].sort((p, q) => q.score - p.score);
  const used = new Uint8Array(sorted.length);
  const out: Candidate[] = [];
  for (let i = 0; i < sorted.length; i++) {
    if (used[i]) continue;
    const best = sorted[i];
    const acc = new Float64Array(16);
    let total = 0;
    for (let j = i; j < sorted.length; j++) {
      if (used[j] || iou(best.v, sorted[j].v) < iouThreshold) continue;
      used[j] = 1;
      const w = sorted[j].score;
      total += w;
      for (let k = 0; k < 16; k++) acc[k] += w * sorted[j].v[k];
    }
    for (let k = 0; k < 16; k++) acc[k] /= total;
    out.push({ score: best.score, v: acc });
  }
  return out;
}

/** A BlazeFace detector on an ONNX session; reuses its input buffer across frames. */
export function createDetector(session: ort.InferenceSession, options: DetectorOptions = {}) {
  const size = BLAZEFACE_SIZE;
  const input = new Float32Array(size * size * 3);
  const minScore = options.minScore ?? 0.5;
  const iouThreshold = options.iouThreshold ?? 0.3;

  /** Candidates of one square region (x, y, side in frame px; may extend past the frame, read as black), in frame px. */
  async function region(image: Image, rx: number, ry: number, side: number): Promise<Candidate[]> {
    const k = side / size;
    const m: Affine = [k, 0, rx, 0, k, ry];
    sampleAffineFiltered(image, m, size, size, input, 1 / 127.5, -1);
    const out = await runNamed(session, BLAZEFACE_SPEC, {
      input: new ort.Tensor('float32', input, [1, size, size, 3]),
    });
    const candidates = decodeBlazeFace(
      [out.Identity.data as Float32Array, out.Identity_1.data as Float32Array],
      [out.Identity_2.data as Float32Array, out.Identity_3.data as Float32Array],
      minScore,
    );
    for (const c of candidates) for (let i = 0; i < 16; i++) c.v[i] = (i % 2 === 0 ? rx : ry) + c.v[i] * k;
    return candidates;
  }

  const toDetection = ({ score, v }: Candidate): Detection => ({
    score,
    box: { x: v[0], y: v[1], width: v[2] - v[0], height: v[3] - v[1] },
    keypoints: Float32Array.from(v.subarray(4, 16)),
  });

  /** The whole frame letterboxed into one 256² input. */
  const whole = (image: Image) => {
    const { scale, ox, oy } = letterbox(image.width, image.height, size);
    return region(image, -ox / scale, -oy / scale, size / scale);
  };

  return {
    /** All faces in `image` from one letterboxed pass (video frames), best score first, in frame pixels. */
    async detect(image: Image): Promise<Detection[]> {
      return weightedNms(await whole(image), iouThreshold).map(toDetection);
    },
    /**
     * All faces in a still, small ones included: the letterboxed pass plus half-overlapping square tiles of 1/2, 1/4…
     * of the longer side (down to `minTile` px, at most `maxRuns` passes), merged by weighted NMS. A face of about
     * 1/13 of the tile side is found, so a 4000×3000 photo finds faces from about 80 px. With `stopAtWhole`, tiles are
     * scanned only when the whole-image pass finds nothing (enough when only the largest face matters).
     */
    async detectAll(
      image: Image,
      tiling: { minTile?: number; maxRuns?: number; stopAtWhole?: boolean } = {},
    ): Promise<Detection[]> {
      const minTile = tiling.minTile ?? size * 1.5;
      const maxRuns = tiling.maxRuns ?? 48;
      const all = await whole(image);
      // Tiles only add faces too small for the whole-image pass: not needed when just the largest face is wanted.
      if (tiling.stopAtWhole && all.length > 0) return weightedNms(all, iouThreshold).map(toDetection);
      let runs = 1;
      for (let side = Math.max(image.width, image.height) / 2; side >= minTile; side /= 2) {
        const xs = tileStarts(image.width, side);
        const ys = tileStarts(image.height, side);
        if (runs + xs.length * ys.length > maxRuns) break;
        for (const y of ys) for (const x of xs) all.push(...(await region(image, x, y, side)));
        runs += xs.length * ys.length;
      }
      return weightedNms(all, iouThreshold).map(toDetection);
    },
  };
}

/** Tile origins along one axis: half-overlapping tiles of `side` covering 0..length (the last one flush with the end). */
export function tileStarts(length: number, side: number): number[] {
  if (side >= length) return [(length - side) / 2];
  const starts: number[] = [];
  for (let x = 0; x + side < length; x += side / 2) starts.push(x);
  starts.push(length - side);
  return starts;
}

export type Detector = ReturnType<typeof createDetector>;
