/**
 * On-disk cache of a driving clip's face track (one chosen face per frame, before smoothing), keyed by the clip's
 * content hash and the tracking options. A re-render after a control change skips decoding and tracking.
 * Format: 4-byte header length, JSON header, then fixed-size Float32 records (so a record is found by offset).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { expression, headPose, landmarksBox } from '../face/measure.js';
import type { FaceObservation } from '../face/types.js';
import { ensureDir, writeFileAtomic } from '../util/fs.js';

const LANDMARKS = 468 * 3;
const IRIS = 10 * 3;
/** present, id, score, landmarks, hasIris, iris */
const RECORD = 3 + LANDMARKS + 1 + IRIS;

export interface TrackHeader {
  version: 1;
  key: string;
  start: number;
  count: number;
}

/** Packs faces (null = no face) into the cache format. */
export function encodeTrack(key: string, start: number, faces: readonly (FaceObservation | null)[]): Buffer {
  const header = Buffer.from(JSON.stringify({ version: 1, key, start, count: faces.length } satisfies TrackHeader));
  const body = new Float32Array(RECORD * faces.length);
  faces.forEach((f, i) => {
    if (!f) return;
    const o = i * RECORD;
    body[o] = 1;
    body[o + 1] = f.id;
    body[o + 2] = f.score;
    body.set(f.landmarks, o + 3);
    if (f.iris) {
      body[o + 3 + LANDMARKS] = 1;
      body.set(f.iris, o + 4 + LANDMARKS);
    }
  });
  const len = Buffer.alloc(4);
  len.writeUInt32LE(header.length);
  return Buffer.concat([len, header, Buffer.from(body.buffer)]);
}

/** Unpacks the cache format; undefined when the bytes do not hold a complete track for `key`. */
export function decodeTrack(
  bytes: Buffer,
  key: string,
): { start: number; faces: (FaceObservation | null)[] } | undefined {
  if (bytes.length < 4) return undefined;
  const hlen = bytes.readUInt32LE(0);
  let header: TrackHeader;
  try {
    header = JSON.parse(bytes.subarray(4, 4 + hlen).toString()) as TrackHeader;
  } catch {
    return undefined;
  }
  if (header.version !== 1 || header.key !== key) return undefined;
  const bodyBytes = bytes.subarray(4 + hlen);
  if (bodyBytes.length !== header.count * RECORD * 4) return undefined;
  const body = new Float32Array(Uint8Array.prototype.slice.call(bodyBytes).buffer);
  const faces: (FaceObservation | null)[] = [];
  for (let i = 0; i < header.count; i++) {
    const o = i * RECORD;
    if (body[o] !== 1) {
      faces.push(null);
      continue;
    }
    const landmarks = body.slice(o + 3, o + 3 + LANDMARKS);
    const iris = body[o + 3 + LANDMARKS] === 1 ? body.slice(o + 4 + LANDMARKS, o + 4 + LANDMARKS + IRIS) : undefined;
    faces.push({
      id: body[o + 1],
      score: body[o + 2],
      landmarks,
      ...(iris ? { iris } : {}),
      box: landmarksBox(landmarks),
      pose: headPose(landmarks),
      expression: expression(landmarks, iris),
    });
  }
  return { start: header.start, faces };
}

export async function readTrackCache(dir: string, key: string) {
  try {
    return decodeTrack(await readFile(path.join(dir, `${key}.track`)), key);
  } catch {
    return undefined;
  }
}

export async function writeTrackCache(
  dir: string,
  key: string,
  start: number,
  faces: readonly (FaceObservation | null)[],
): Promise<void> {
  await ensureDir(dir);
  await writeFileAtomic(path.join(dir, `${key}.track`), encodeTrack(key, start, faces));
}
