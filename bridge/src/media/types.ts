/** Shapes that cross the media seam. Pixels are 8-bit, row-major, top row first, no padding. */
import type { Rational } from '../util/rational.js';

/** An image in memory: RGB (3 channels) or RGBA (4 channels). */
export interface Image {
  data: Uint8Array;
  width: number;
  height: number;
  channels: 3 | 4;
}

/** Columns [x0, x1] and rows [y0, y1] of an image, inclusive. */
export interface PixelRect {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** One decoded video frame. `index` is the output frame index (after range/conform); `sourceIndex` the clip's own. */
export interface Frame extends Image {
  index: number;
  sourceIndex: number;
  /** Presentation time in seconds, in the output timeline. */
  time: number;
}

export interface ProbeResult {
  file: string;
  kind: 'still' | 'video';
  /** Display size: rotation already applied (a 1080×1920 phone clip stored as 1920×1080 + 90° reports 1080×1920). */
  width: number;
  height: number;
  /** Pixel aspect ratio (sample aspect), 1/1 for square pixels. */
  pixelAspect: Rational;
  /** Average frame rate as a rational; 1/1 for stills. */
  fps: Rational;
  /** Frame count (counted when the container does not say); 1 for stills. */
  frameCount: number;
  /** Seconds; 0 for stills. */
  duration: number;
  /** Clockwise rotation in degrees from the container's display matrix: 0, 90, 180 or 270. */
  rotation: 0 | 90 | 180 | 270;
  pixelFormat: string;
  hasAlpha: boolean;
  /** True when frame timestamps are not evenly spaced (variable frame rate). */
  vfr: boolean;
  codec: string;
}

/** What `reenact --version` and `/health` say about one ffmpeg binary: path, where it came from, version. */
export interface ToolReport {
  path: string;
  /** "@ffmpeg-installer/ffmpeg", "PATH", "REENACT_FFMPEG", … */
  source: string;
  version: string;
  /** Set when it is older than FFMPEG_FLOOR: what to do. */
  warning?: string;
}

/** Both binaries' reports, or why they could not be found. */
export type ToolsReport = { ffmpeg: ToolReport; ffprobe: ToolReport } | { error: string };
