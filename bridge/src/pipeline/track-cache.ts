/**
 * Face tracks on disk: one chosen face per driving frame, in fixed-size Float32 records, so a render reads the face of
 * frame i by offset and memory stays flat however long the clip (a 10-minute track is ~100 MB). The raw track of a
 * clip is cached by the clip's content hash and the tracking options (a re-render after a control change skips
 * decoding and tracking); its smoothed copy is cached beside it by smoothing strength.
 * Format: the records, then a JSON trailer, then the trailer's length (4 bytes LE), so a track is written front to
 * back as frames are tracked; it appears under its final name (temp + rename) only when complete.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { type FileHandle, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { expression, headPose, landmarksBox } from '../face/measure.js';
import { median } from '../face/smooth-track.js';
import type { FaceObservation } from '../face/types.js';
import { ensureDir, outputError, PRIVATE_DIR_MODE, PRIVATE_FILE_MODE, tempSibling } from '../util/fs.js';

const LANDMARKS = 468 * 3;
const IRIS = 10 * 3;
/** present, id, score, landmarks, hasIris, iris */
const RECORD = 3 + LANDMARKS + 1 + IRIS;
const RECORD_BYTES = RECORD * 4;
const FORMAT = 3;

interface Trailer {
  format: typeof FORMAT;
  key: string;
  /** Driving frame of the first record. */
  start: number;
  count: number;
  /** Median face size (pose scale) over the frames with a face: the smoother's speed unit. */
  scale: number;
}

/** Writes a track record by record; `finish` makes it visible under its final name. */
export interface TrackWriter {
  append(face: FaceObservation | null): Promise<void>;
  finish(): Promise<void>;
  /** Drops the unfinished file. */
  abort(): Promise<void>;
}

export async function createTrackWriter(file: string, key: string, start: number): Promise<TrackWriter> {
  await ensureDir(path.dirname(file), PRIVATE_DIR_MODE); // faces of the user's footage: owner-only
  const tmp = tempSibling(file);
  let handle: FileHandle;
  try {
    handle = await open(tmp, 'w', PRIVATE_FILE_MODE);
  } catch (err) {
    throw outputError(err, file);
  }
  const record = new Float32Array(RECORD);
  const bytes = new Uint8Array(record.buffer);
  let count = 0;
  const scales: number[] = [];
  const guard = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (err) {
      await handle.close().catch(() => {});
      await rm(tmp, { force: true });
      throw outputError(err, file);
    }
  };
  return {
    append: (face) =>
      guard(async () => {
        packRecord(face, record);
        await handle.write(bytes);
        count++;
        if (face) scales.push(face.pose.scale);
      }),
    finish: () =>
      guard(async () => {
        const trailer = Buffer.from(
          JSON.stringify({ format: FORMAT, key, start, count, scale: median(scales) } satisfies Trailer),
        );
        const length = Buffer.alloc(4);
        length.writeUInt32LE(trailer.length);
        await handle.write(Buffer.concat([trailer, length]));
        await handle.close();
        await rename(tmp, file);
      }),
    async abort() {
      await handle.close().catch(() => {});
      await rm(tmp, { force: true });
    },
  };
}

function packRecord(face: FaceObservation | null, record: Float32Array): void {
  record.fill(0);
  if (!face) return;
  record[0] = 1;
  record[1] = face.id;
  record[2] = face.score;
  record.set(face.landmarks, 3);
  if (face.iris) {
    record[3 + LANDMARKS] = 1;
    record.set(face.iris, 4 + LANDMARKS);
  }
}

/** A finished track opened for reading by frame. */
export interface TrackFile {
  readonly start: number;
  readonly count: number;
  /** Median face size over the frames with a face (1 when none). */
  readonly scale: number;
  /** The face of record `i` (0-based, frame start + i), rebuilt with box, pose and expression; null for none. */
  face(i: number): FaceObservation | null;
  close(): void;
}

/** Opens a finished track; undefined when it is missing, cut short, or not the track for `key`. */
export function openTrack(file: string, key: string): TrackFile | undefined {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return undefined;
  }
  const read = (buffer: Uint8Array, position: number) => readSync(fd, buffer, 0, buffer.length, position);
  try {
    const trailer = readTrailer(fd, read);
    if (!trailer || trailer.key !== key) {
      closeSync(fd);
      return undefined;
    }
    const record = new Float32Array(RECORD);
    const bytes = new Uint8Array(record.buffer);
    return {
      start: trailer.start,
      count: trailer.count,
      scale: trailer.scale,
      face(i) {
        if (i < 0 || i >= trailer.count) return null;
        if (read(bytes, i * RECORD_BYTES) !== RECORD_BYTES) return null;
        return unpackRecord(record);
      },
      close: () => closeSync(fd),
    };
  } catch {
    closeSync(fd);
    return undefined;
  }
}

function readTrailer(fd: number, read: (b: Uint8Array, at: number) => number): Trailer | undefined {
  const size = fstatSync(fd).size;
  if (size < 4) return undefined;
  const word = Buffer.alloc(4);
  read(word, size - 4);
  const length = word.readUInt32LE(0);
  if (length <= 0 || length > 4096 || length + 4 > size) return undefined;
  const json = Buffer.alloc(length);
  read(json, size - 4 - length);
  const trailer = JSON.parse(json.toString()) as Trailer;
  if (trailer.format !== FORMAT || trailer.count * RECORD_BYTES !== size - 4 - length) return undefined;
  return trailer;
}

function unpackRecord(record: Float32Array): FaceObservation | null {
  if (record[0] !== 1) return null;
  const landmarks = record.slice(3, 3 + LANDMARKS);
  const iris = record[3 + LANDMARKS] === 1 ? record.slice(4 + LANDMARKS, 4 + LANDMARKS + IRIS) : undefined;
  return {
    id: record[1],
    score: record[2],
    landmarks,
    ...(iris ? { iris } : {}),
    box: landmarksBox(landmarks),
    pose: headPose(landmarks),
    expression: expression(landmarks, iris),
  };
}
