/**
 * The face picker's data: every face in the portrait and in a few evenly sampled driving frames, largest first,
 * each with a small PNG thumbnail. Indices match the pipeline's FaceChoice `{by:'index'}` (largest-first order);
 * on driving frames, `id` links the same person across the samples by box overlap.
 * The face models load once per bridge process, on the first request.
 */
import type { FacesRequestParsed, FacesResponse, FaceThumb } from '../api/schema.js';
import { throwIfAborted } from '../errors.js';
import { boxIou, createFaceTracker, type FaceTracker, sortLargestFirst } from '../face/index.js';
import type { Box, FaceObservation } from '../face/types.js';
import { decodeFrames, readImage, resolveRange } from '../media/decode.js';
import { encodePng } from '../media/encode.js';
import { probe } from '../media/probe.js';
import type { Image } from '../media/types.js';

let tracker: Promise<FaceTracker> | undefined;

function faceTracker(): Promise<FaceTracker> {
  tracker ??= createFaceTracker().catch((err) => {
    tracker = undefined; // let a later request try again (e.g. after the cache folder became writable)
    throw err;
  });
  return tracker;
}

/**
 * Crops `box` (grown by 20 %, clamped to the image) and scales it so the longer side is `size`, by area averaging.
 * image: RGB or RGBA, row-major. Returns RGB.
 */
export function thumbnail(image: Image, box: Box, size: number): Image {
  const grow = 0.2;
  const x0 = Math.max(0, Math.floor(box.x - box.width * grow));
  const y0 = Math.max(0, Math.floor(box.y - box.height * grow));
  const x1 = Math.min(image.width, Math.ceil(box.x + box.width * (1 + grow)));
  const y1 = Math.min(image.height, Math.ceil(box.y + box.height * (1 + grow)));
  const cw = Math.max(1, x1 - x0);
  const ch = Math.max(1, y1 - y0);
  const scale = Math.min(1, size / Math.max(cw, ch));
  const width = Math.max(1, Math.round(cw * scale));
  const height = Math.max(1, Math.round(ch * scale));
  const out = new Uint8Array(width * height * 3);
  const c = image.channels;
  for (let y = 0; y < height; y++) {
    const sy0 = y0 + Math.floor((y * ch) / height);
    const sy1 = Math.max(sy0 + 1, y0 + Math.floor(((y + 1) * ch) / height));
    for (let x = 0; x < width; x++) {
      const sx0 = x0 + Math.floor((x * cw) / width);
      const sx1 = Math.max(sx0 + 1, x0 + Math.floor(((x + 1) * cw) / width));
      let r = 0;
      let g = 0;
      let b = 0;
      let n = 0;
      for (let sy = sy0; sy < sy1 && sy < image.height; sy++) {
        for (let sx = sx0; sx < sx1 && sx < image.width; sx++) {
          const o = (sy * image.width + sx) * c;
          r += image.data[o];
          g += image.data[o + 1];
          b += image.data[o + 2];
          n++;
        }
      }
      const o = (y * width + x) * 3;
      out[o] = Math.round(r / Math.max(1, n));
      out[o + 1] = Math.round(g / Math.max(1, n));
      out[o + 2] = Math.round(b / Math.max(1, n));
    }
  }
  return { data: out, width, height, channels: 3 };
}

function thumbs(image: Image, faces: FaceObservation[], size: number, ids?: number[]): FaceThumb[] {
  return faces.map((face, index) => {
    const thumb = thumbnail(image, face.box, size);
    const round = (v: number) => Math.round(v * 10) / 10;
    return {
      index,
      id: ids ? ids[index] : index,
      score: Math.round(face.score * 1000) / 1000,
      box: { x: round(face.box.x), y: round(face.box.y), width: round(face.box.width), height: round(face.box.height) },
      thumbnail: encodePng(thumb).toString('base64'),
      thumbWidth: thumb.width,
      thumbHeight: thumb.height,
    };
  });
}

/** Evenly spaced frame numbers in [start, end], at most `n`. */
export function sampleFrames(start: number, end: number, n: number): number[] {
  const count = end - start + 1;
  if (count <= n) return Array.from({ length: count }, (_, i) => start + i);
  if (n === 1) return [start];
  return Array.from({ length: n }, (_, k) => start + Math.round((k * (count - 1)) / (n - 1)));
}

export async function listFaces(request: FacesRequestParsed, signal: AbortSignal): Promise<FacesResponse> {
  const detector = await faceTracker();
  const still = await readImage(request.source, { channels: 3, signal });
  const stillFaces = sortLargestFirst(await detector.detect(still));
  const response: FacesResponse = {
    source: {
      path: request.source,
      width: still.width,
      height: still.height,
      faces: thumbs(still, stillFaces, request.thumbSize),
    },
  };
  if (!request.driving) return response;

  const info = await probe(request.driving, { signal });
  const range = resolveRange(info, request.range);
  const frames: NonNullable<FacesResponse['driving']>['frames'] = [];
  let previous: { box: Box; id: number }[] = [];
  let nextId = 0;
  for (const index of sampleFrames(range.start, range.end, request.samples)) {
    throwIfAborted(signal);
    for await (const frame of decodeFrames(info.file, { info, range: { start: index, end: index }, signal })) {
      const faces = sortLargestFirst(await detector.detect(frame));
      // Same person as in the previous sample when the boxes overlap enough; otherwise a new id.
      const taken = new Set<number>();
      const ids = faces.map((f) => {
        const match = previous
          .filter((p) => !taken.has(p.id))
          .map((p) => ({ p, iou: boxIou(p.box, f.box) }))
          .sort((a, b) => b.iou - a.iou)[0];
        const id = match && match.iou > 0.3 ? match.p.id : nextId++;
        taken.add(id);
        return id;
      });
      if (faces.length) previous = faces.map((f, i) => ({ box: f.box, id: ids[i] }));
      frames.push({ index: frame.sourceIndex, faces: thumbs(frame, faces, request.thumbSize, ids) });
    }
  }
  response.driving = { path: request.driving, width: info.width, height: info.height, frames };
  return response;
}
