/**
 * Face tracking over a clip: detection on the first frame, every `redetectEvery` frames, at once when a face is
 * lost and then every `retryEvery` frames while it stays missing; in between each face's region comes from its previous landmarks (MediaPipe's scheme, ~2× cheaper).
 * Several faces keep stable ids: a detection joins the track whose box it overlaps most (IoU), so a face never
 * jumps to the neighbour with the higher score; a face that returns after leaving takes back the id of the
 * nearest lost face of similar size. Frames without a face are reported with a reason, never thrown.
 */
import type { Image } from '../media/types.js';
import type { Detection, Detector } from './detector.js';
import { checkImage } from './image.js';
import { type Iris, refineLids } from './iris.js';
import { expression, headPose, landmarksBox } from './measure.js';
import { type Mesh, type Roi, roiFromDetection, roiFromLandmarks } from './mesh.js';
import type { Box, FaceChoice, FaceObservation, FrameFaces } from './types.js';

/** While no face is tracked, every this many frames the detector scans tiles too (whole frame + 1/2-side tiles). */
const TILED_EVERY = 15;

export interface TrackerOptions {
  /** Run the detector every N frames even when all faces are tracked (default 30). */
  redetectEvery?: number;
  /** While a face lost in the last `retryFor` frames is still missing, run the detector every N frames (default 5). */
  retryEvery?: number;
  /** How long (frames) a lost face keeps triggering the faster re-detection (default 150). Its id is kept for good. */
  retryFor?: number;
  /** Minimum facemesh face-presence score to accept landmarks (default 0.5). */
  minFaceScore?: number;
  /** Most faces tracked at once (default 4). */
  maxFaces?: number;
  /** Run the iris model (default true). */
  iris?: boolean;
}

interface Track {
  id: number;
  /** Frame counter value when the track was lost (lost tracks only). */
  lostAt?: number;
  roi: Roi;
  box: Box;
}

export interface TrackerModels {
  detector: Detector;
  mesh: Mesh;
  iris?: Iris;
}

export function boxIou(p: Box, q: Box): number {
  const ix = Math.max(0, Math.min(p.x + p.width, q.x + q.width) - Math.max(p.x, q.x));
  const iy = Math.max(0, Math.min(p.y + p.height, q.y + q.height) - Math.max(p.y, q.y));
  const inter = ix * iy;
  const union = p.width * p.height + q.width * q.height - inter;
  return union > 0 ? inter / union : 0;
}

const area = (b: Box) => b.width * b.height;
const centre = (b: Box): [number, number] => [b.x + b.width / 2, b.y + b.height / 2];

/** Faces sorted largest first (box area), ties by id: the order `{by:'index'}` refers to. */
export function sortLargestFirst(faces: FaceObservation[]): FaceObservation[] {
  return [...faces].sort((a, b) => area(b.box) - area(a.box) || a.id - b.id);
}

/**
 * Picks one face: by id, by index in largest-first order, or by a point (the face whose box holds it, nearest centre
 * first; else the nearest face within one face size). Undefined when nothing matches.
 */
export function chooseFace(faces: FaceObservation[], choice: FaceChoice): FaceObservation | undefined {
  const sorted = sortLargestFirst(faces);
  switch (choice.by) {
    case 'largest':
      return sorted[0];
    case 'index':
      return sorted[choice.index];
    case 'id':
      return faces.find((f) => f.id === choice.id);
    case 'point': {
      const d = (f: FaceObservation) => {
        const [cx, cy] = centre(f.box);
        return Math.hypot(cx - choice.x, cy - choice.y);
      };
      const inside = (f: FaceObservation) =>
        choice.x >= f.box.x &&
        choice.x <= f.box.x + f.box.width &&
        choice.y >= f.box.y &&
        choice.y <= f.box.y + f.box.height;
      const byDist = [...faces].sort((a, b) => d(a) - d(b));
      return byDist.find(inside) ?? byDist.find((f) => d(f) <= Math.max(f.box.width, f.box.height));
    }
  }
}

/**
 * One face per frame for a clip: the choice is resolved on frame `at` (default: the first frame with a face), and
 * that face's id is followed through the clip (null where it is absent). Returns the id too (undefined if the
 * choice matched nothing).
 */
export function followChoice(
  frames: readonly FrameFaces[],
  choice: FaceChoice,
  at?: number,
): { id: number | undefined; faces: (FaceObservation | null)[] } {
  let id: number | undefined;
  if (choice.by === 'id') id = choice.id;
  else {
    const pick = at !== undefined ? frames.find((f) => f.index === at) : frames.find((f) => f.faces.length > 0);
    id = pick ? chooseFace(pick.faces, choice)?.id : undefined;
  }
  return { id, faces: frames.map((f) => (id === undefined ? null : (f.faces.find((o) => o.id === id) ?? null))) };
}

/**
 * `followChoice` frame by frame (resolved on the first frame with a face), for tracks that are not kept in memory.
 * `onUnmatched` hears of the frame where the choice was resolved and matched none of its faces (it may throw).
 */
export function createChoiceFollower(
  choice: FaceChoice,
  onUnmatched?: (frame: FrameFaces) => void,
): (frame: FrameFaces) => FaceObservation | null {
  let resolved = choice.by === 'id';
  let id = choice.by === 'id' ? choice.id : undefined;
  return (frame) => {
    if (!resolved && frame.faces.length > 0) {
      id = chooseFace(frame.faces, choice)?.id;
      resolved = true;
      if (id === undefined) onUnmatched?.(frame);
    }
    return id === undefined ? null : (frame.faces.find((o) => o.id === id) ?? null);
  };
}

/** Builds a full observation from landmarks. */
export function observation(id: number, score: number, landmarks: Float32Array, iris?: Float32Array): FaceObservation {
  return {
    id,
    score,
    box: landmarksBox(landmarks),
    landmarks,
    ...(iris ? { iris } : {}),
    pose: headPose(landmarks),
    expression: expression(landmarks, iris),
  };
}

/** Landmarks, score and ROI for one region (mesh, then iris when enabled); undefined when the mesh rejects it. */
async function measureRoi(
  models: TrackerModels,
  image: Image,
  roi: Roi,
  minFaceScore: number,
): Promise<{ landmarks: Float32Array; score: number; iris?: Float32Array } | undefined> {
  const m = await models.mesh.run(image, roi);
  if (!(m.score >= minFaceScore)) return undefined;
  if (!models.iris) return { landmarks: m.landmarks, score: m.score };
  const eyes = await models.iris.run(image, m.landmarks, roiFromLandmarks(m.landmarks).angle);
  refineLids(m.landmarks, eyes.contours, roi.size);
  return { landmarks: m.landmarks, score: m.score, iris: eyes.iris };
}

export interface StillOptions {
  /**
   * Only the largest face is wanted: the tile scan for small faces is skipped when the whole image shows a face
   * (about 0.4 s saved on a 1080p portrait).
   */
  largestOnly?: boolean;
}

/**
 * All faces in a still, largest first (ids 0, 1, … in that order). The detector also scans tiles, so small faces in
 * large photos are found. Each detection is refined twice: once from the detector's box, once from the resulting
 * landmarks (as tracking would). Overlapping results are merged.
 */
export async function detectStill(
  models: TrackerModels,
  image: Image,
  options: TrackerOptions & StillOptions = {},
): Promise<FaceObservation[]> {
  checkImage(image);
  const minFaceScore = options.minFaceScore ?? 0.5;
  const found: { landmarks: Float32Array; score: number; iris?: Float32Array }[] = [];
  const detections = await models.detector.detectAll(image, { stopAtWhole: options.largestOnly });
  for (const d of detections.slice(0, options.maxFaces ?? 4)) {
    const first = await models.mesh.run(image, roiFromDetection(d));
    if (!(first.score >= minFaceScore)) continue;
    const r = await measureRoi(models, image, roiFromLandmarks(first.landmarks), minFaceScore);
    if (!r) continue;
    const box = landmarksBox(r.landmarks);
    if (found.some((f) => boxIou(landmarksBox(f.landmarks), box) > 0.5)) continue;
    found.push(r);
  }
  const faces = found.map((f) => observation(0, f.score, f.landmarks, options.iris === false ? undefined : f.iris));
  return sortLargestFirst(faces).map((f, i) => ({ ...f, id: i }));
}

/** Stateful video tracker over the three models. */
export function createTracker(models: TrackerModels, options: TrackerOptions = {}) {
  const redetectEvery = Math.max(1, options.redetectEvery ?? 30);
  const retryEvery = Math.max(1, Math.min(redetectEvery, options.retryEvery ?? 5));
  const retryFor = options.retryFor ?? 150;
  /** Frames seen since the last reset. */
  let frameNo = -1;
  let sinceTiled = Number.POSITIVE_INFINITY;
  const minFaceScore = options.minFaceScore ?? 0.5;
  const maxFaces = options.maxFaces ?? 4;
  let tracks: Track[] = [];
  /** Faces seen before and lost since: their last box, to give a returning face its id back. */
  let lost: Track[] = [];
  let nextId = 0;
  let sinceDetect = Number.POSITIVE_INFINITY;

  /** New tracks (id −1 until the mesh confirms them) for detections that no track covers. */
  function adopt(detections: Detection[]): void {
    // Largest first (then left to right), so faces that appear together get ids in the `{by:'index'}` order.
    const bySize = [...detections].sort((p, q) => area(q.box) - area(p.box) || p.box.x - q.box.x);
    for (const d of bySize) {
      if (tracks.length >= maxFaces) break;
      if (tracks.some((t) => boxIou(t.box, d.box) > 0.3)) continue;
      tracks.push({ id: -1, roi: roiFromDetection(d), box: d.box });
    }
  }

  /** Id for a confirmed new face: the nearest lost face of similar size comes back, else the next id. */
  function assignId(box: Box): number {
    const [dx, dy] = centre(box);
    let best: Track | undefined;
    let bestDist = Number.POSITIVE_INFINITY;
    for (const t of lost) {
      const ratio = Math.sqrt(area(box) / Math.max(1, area(t.box)));
      if (ratio <= 0.5 || ratio >= 2) continue;
      const [tx, ty] = centre(t.box);
      const dist = Math.hypot(tx - dx, ty - dy);
      if (dist < bestDist || (dist === bestDist && best && t.id < best.id)) {
        best = t;
        bestDist = dist;
      }
    }
    if (!best) return nextId++;
    lost = lost.filter((t) => t !== best);
    return best.id;
  }

  return {
    /** Tracks one frame; `index` is echoed in the result. Never throws for a frame without faces. */
    async track(image: Image, index: number): Promise<FrameFaces> {
      checkImage(image);
      let detections: Detection[] | undefined;
      const runDetector = async () => {
        // With no face in view, also scan tiles now and then, so a small face in HD/4K footage is found.
        const tiled = tracks.length === 0 && sinceTiled >= TILED_EVERY;
        detections = tiled
          ? await models.detector.detectAll(image, { maxRuns: 7 })
          : await models.detector.detect(image);
        if (tiled) sinceTiled = 0;
        sinceDetect = 0;
        adopt(detections);
      };
      sinceDetect++;
      sinceTiled++;
      frameNo++;
      const missing = lost.some((t) => frameNo - (t.lostAt ?? 0) <= retryFor);
      if (tracks.length === 0 || sinceDetect >= redetectEvery || (missing && sinceDetect >= retryEvery)) {
        await runDetector();
      }

      const faces: FaceObservation[] = [];
      const survivors: Track[] = [];
      let rejected = 0;
      const step = async (list: Track[]) => {
        for (const t of list) {
          const r = await measureRoi(models, image, t.roi, minFaceScore);
          if (!r) {
            rejected++;
            if (t.id >= 0) lost.push({ ...t, lostAt: frameNo });
            continue;
          }
          const box = landmarksBox(r.landmarks);
          // Two tracks that converged on one face: keep the older id (a new one never replaces a known face).
          const twin = faces.findIndex((f) => boxIou(f.box, box) > 0.5);
          if (twin >= 0 && (t.id < 0 || faces[twin].id < t.id)) continue;
          if (twin >= 0) {
            faces.splice(twin, 1);
            survivors.splice(twin, 1);
          }
          const id = t.id >= 0 ? t.id : assignId(box);
          const obs = observation(id, r.score, r.landmarks, r.iris);
          faces.push(obs);
          survivors.push({ id, roi: roiFromLandmarks(r.landmarks), box: obs.box });
        }
      };
      await step(tracks);
      // Re-detect at once when a tracked face was lost and the detector has not run on this frame.
      if (rejected > 0 && detections === undefined) {
        tracks = survivors.slice();
        const before = tracks.length;
        await runDetector();
        await step(tracks.slice(before));
      }
      tracks = survivors;
      lost = lost.filter((l) => !tracks.some((t) => t.id === l.id));
      if (faces.length > 0) return { index, faces: sortLargestFirst(faces) };
      const reason: FrameFaces['reason'] =
        rejected > 0 && detections?.length ? 'low-confidence' : rejected > 0 ? 'lost' : 'no-face';
      return { index, faces: [], reason };
    },
    /** Forgets all tracks and ids (next frame starts with detection, ids from 0). */
    reset(): void {
      tracks = [];
      lost = [];
      nextId = 0;
      frameNo = -1;
      sinceTiled = Number.POSITIVE_INFINITY;
      sinceDetect = Number.POSITIVE_INFINITY;
    },
  };
}
