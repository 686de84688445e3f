/**
 * The panel's pure logic, kept apart from the DOM so it is unit-tested in Node: the frame range to render, the
 * default output folder, the job spec the bridge gets, the import request the host gets, and the text of progress
 * lines. Comp times become clip frames in the host (LayerInfo.range, layerRange, frameAtTime), nowhere else.
 */

import type { CompInfo, LayerInfo } from '../../bridge/src/api/host.js';
import type { CreateJobRequest, FacesResponse, FaceThumb, JobProgress } from '../../bridge/src/api/schema.js';
import type { Rational } from '../../bridge/src/util/rational.js';
import type { RangeMode, Settings } from './settings.js';

export interface FrameRange {
  start: number;
  end: number;
}

/** Number of frames in the performance clip. */
export function clipFrames(layer: LayerInfo): number {
  if (!layer.sourceFps || layer.sourceDuration === null) return 0;
  return Math.max(1, Math.round((layer.sourceDuration * layer.sourceFps.num) / layer.sourceFps.den));
}

/**
 * The clip frames to render: the work area (as the host mapped it), the layer's trimmed span, or the artist's
 * numbers. Undefined = the whole clip.
 * @throws Error with a plain message when the work area shows none of the clip or the custom range is backwards.
 */
export function chooseRange(mode: RangeMode, layer: LayerInfo, custom: FrameRange): FrameRange | undefined {
  if (mode === 'workarea') {
    if (layer.range === null) {
      throw new Error(
        `The work area does not cover "${layer.name}". Move the work area over the clip, or pick Range ▸ Layer.`,
      );
    }
    return layer.range ?? undefined;
  }
  if (mode === 'layer') {
    if (!layer.layerRange) {
      throw new Error(
        `The frames of "${layer.name}" do not follow its layer (time remapping). Pick Range ▸ Custom and enter clip frames.`,
      );
    }
    return layer.layerRange;
  }
  const last = clipFrames(layer) - 1;
  if (!(custom.start >= 0 && custom.end >= custom.start && custom.end <= last)) {
    throw new Error(
      `Expected a custom range within frames 0–${last} of "${layer.name}" with start ≤ end but received ${custom.start}–${custom.end}.`,
    );
  }
  return { start: custom.start, end: custom.end };
}

function parentFolder(file: string): { dir: string; sep: string } {
  const sep = file.includes('\\') && !file.includes('/') ? '\\' : '/';
  return { dir: file.slice(0, Math.max(0, file.lastIndexOf(sep))), sep };
}

/** Keeps names usable as folder names on every OS. */
export function safeName(name: string): string {
  const base = name.replace(/\.[A-Za-z0-9]{2,4}$/, '');
  return (
    base
      .replace(/[^A-Za-z0-9._ -]+/g, '_')
      .trim()
      .replace(/\s+/g, '_')
      .slice(0, 60) || 'render'
  );
}

/**
 * Where a render goes: `<chosen folder>/<portrait>__<performance>`, by default `<project folder>/reenact/…`; one
 * subfolder per pair so renders of other layers never collide. Undefined when no folder is chosen and the project
 * was never saved.
 */
export function outputFolder(
  chosen: string,
  projectFile: string | null,
  portrait: string,
  performance: string,
): string | undefined {
  const pair = `${safeName(portrait)}__${safeName(performance)}`;
  if (chosen) {
    const sep = chosen.includes('\\') && !chosen.includes('/') ? '\\' : '/';
    return [chosen.replace(/[\\/]+$/, ''), pair].join(sep);
  }
  if (!projectFile) return undefined;
  const { dir, sep } = parentFolder(projectFile);
  return [dir, 'reenact', pair].join(sep);
}

export interface SpecInputs {
  source: string;
  driving: string;
  folder: string;
  settings: Settings;
  range: FrameRange | undefined;
  referenceFrame: number | 'auto';
  sourceFace: number;
  drivingFace: number | undefined;
  /** Driving rate as a rational string: the output conforms to it exactly. */
  fps?: string;
}

export function buildSpec(i: SpecInputs): CreateJobRequest {
  const s = i.settings;
  return {
    source: i.source,
    driving: i.driving,
    output: { dir: i.folder, format: s.format },
    engine: { name: s.engine, device: s.device, options: {} },
    face: {
      source: { by: 'index', index: i.sourceFace },
      driving: i.drivingFace === undefined ? { by: 'largest' } : { by: 'id', id: i.drivingFace },
    },
    referenceFrame: i.referenceFrame,
    ...(i.range ? { range: i.range } : {}),
    ...(i.fps ? { fps: i.fps } : {}),
    smoothing: s.smoothing,
    onFrameFailure: s.onFrameFailure,
    controls: { intensity: s.intensity, eyes: s.eyes, brows: s.brows, mouth: s.mouth, head: s.head },
  };
}

/** Faces of the driving clip, one per track id (its largest sighting), largest first. */
export function drivingFaces(driving: FacesResponse['driving']): FaceThumb[] {
  const byId = new Map<number, FaceThumb>();
  for (const frame of driving?.frames ?? []) {
    for (const face of frame.faces) {
      const seen = byId.get(face.id);
      if (!seen || area(face) > area(seen)) byId.set(face.id, face);
    }
  }
  return [...byId.values()].sort((a, b) => area(b) - area(a));
}

export function area(face: Pick<FaceThumb, 'box'>): number {
  return face.box.width * face.box.height;
}

/** "29.97" / "24" / "23.976". */
export function fpsText(fps: Rational): string {
  const v = fps.num / fps.den;
  return Number.isInteger(v) ? String(v) : (Math.round(v * 1000) / 1000).toString();
}

/** "0:00:12:04": AE's timecode at the given rate (frames rounded to the nominal rate). */
export function timecode(seconds: number, fps: Rational): string {
  const nominal = Math.round(fps.num / fps.den) || 1;
  const totalFrames = Math.round((seconds * fps.num) / fps.den);
  const f = totalFrames % nominal;
  const s = Math.floor(totalFrames / nominal);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${Math.floor(s / 3600)}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}:${pad(f)}`;
}

export function etaText(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '';
  if (seconds < 60) return `${Math.max(1, Math.round(seconds))} s left`;
  return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s left`;
}

/** "212/361 frames · 24 fps · 6 s left" */
export function progressText(p: JobProgress): string {
  const parts = [`${p.stage === 'track' ? 'tracking ' : ''}${p.done}/${p.total} frames`];
  if (p.fps > 0) parts.push(`${p.fps >= 10 ? Math.round(p.fps) : p.fps.toFixed(1)} fps`);
  const eta = etaText(p.eta);
  if (eta) parts.push(eta);
  return parts.join(' · ');
}

/** "headshot.png · 2048×2048" / "take_03.mov · 29.97 fps · 0:00:12:04". */
export function layerSummary(layer: LayerInfo, comp: Pick<CompInfo, 'fps'>): string {
  const size = layer.width && layer.height ? `${layer.width}×${layer.height}` : '';
  if (layer.sourceFps && layer.sourceDuration !== null) {
    return [size, `${fpsText(layer.sourceFps)} fps`, timecode(layer.sourceDuration, comp.fps)]
      .filter(Boolean)
      .join(' · ');
  }
  return [size, layer.needsExport ? `${layer.kind} layer, rendered as a still` : ''].filter(Boolean).join(' · ');
}
