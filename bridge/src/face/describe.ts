/**
 * Faces as people read them in a terminal or an error message: "index 0: box 170,60 120×150, score 0.98". One
 * wording for `reenact probe --faces` and for the "no such face" errors, so what the error lists is what the user
 * types back (`--face index:1`).
 */
import type { FaceChoice, FaceObservation } from './types.js';

/** One face as shown to people; `index` is its place in largest-first order (what `{by:'index'}` refers to). */
export interface FaceListing {
  index: number;
  /** Stable id through a clip (what `{by:'id'}` refers to); in a still, the same as the index. */
  id: number;
  box: { x: number; y: number; width: number; height: number };
  score: number;
}

const round1 = (v: number) => Math.round(v * 10) / 10;

/** Faces already sorted largest first → listings (boxes to 0.1 px, scores to 0.001). */
export function listFaceChoices(sorted: readonly FaceObservation[]): FaceListing[] {
  return sorted.map((f, index) => ({
    index,
    id: f.id,
    box: { x: round1(f.box.x), y: round1(f.box.y), width: round1(f.box.width), height: round1(f.box.height) },
    score: Math.round(f.score * 1000) / 1000,
  }));
}

/** "index 0 (id 0): box 170,60 120×150, score 0.98" — ids only when asked (clips), since stills number them alike. */
export function describeListing(f: FaceListing, withId = false): string {
  const b = f.box;
  return `index ${f.index}${withId ? ` (id ${f.id})` : ''}: box ${Math.round(b.x)},${Math.round(b.y)} ${Math.round(b.width)}×${Math.round(b.height)}, score ${f.score.toFixed(2)}`;
}

/** "face index 5", "the largest face" … for messages. */
export function describeChoice(choice: FaceChoice): string {
  switch (choice.by) {
    case 'largest':
      return 'the largest face';
    case 'index':
      return `face index ${choice.index}`;
    case 'id':
      return `face id ${choice.id}`;
    case 'point':
      return `a face at (${choice.x}, ${choice.y})`;
  }
}

/** "2 faces, largest first: index 0: box …; index 1: box …" (or "1 face: index 0: …") for error messages. */
export function describeCandidates(sorted: readonly FaceObservation[], withId = false): string {
  const list = listFaceChoices(sorted).map((f) => describeListing(f, withId));
  return `${sorted.length === 1 ? '1 face' : `${sorted.length} faces, largest first`}: ${list.join('; ')}`;
}
