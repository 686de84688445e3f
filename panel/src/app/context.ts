import type { CompInfo, ImportResult, LayerInfo, LayerRect } from '../../../bridge/src/api/host.js';
import type { CreateJobRequest, EngineAvailability, FaceThumb, JobSummary } from '../../../bridge/src/api/schema.js';
import type { Manifest } from '../../../bridge/src/pipeline/spec.js';
import type { Connected } from '../connect.js';
import type { JobMeta } from '../jobs.js';
import type { NodeDeps } from '../launch.js';
import type { Settings } from '../settings.js';
import type { Connection } from './connection.js';
import type { Controls } from './controls.js';
import type { Recent } from './recent.js';
import type { Runs } from './run.js';
import type { Slots } from './slots.js';

export const PORTRAIT_KINDS = ['still', 'comp', 'text', 'shape', 'video'];
export const PERFORMANCE_KINDS = ['video', 'sequence'];

/** The layers a render is made from, and the part of the portrait its file shows (exported text, shape, comp). */
export interface RenderLayers {
  portrait: LayerInfo;
  performance: LayerInfo;
  /** ExportStillResult.rect when the portrait was exported; null for a plain image file. */
  portraitRect: LayerRect | null;
}

/** A render this panel imported: what the controls' Update re-runs. */
export interface Result extends RenderLayers {
  import: ImportResult;
  manifestPath: string;
  manifest: Manifest;
  spec: CreateJobRequest;
}

/** The job whose progress the panel shows (and imports when it is done). */
export interface FollowedJob extends RenderLayers {
  id: string;
  unsubscribe(): void;
  spec: CreateJobRequest;
  update: boolean;
}

export interface State {
  conn?: Connected;
  engines: EngineAvailability[];
  comp?: CompInfo;
  portrait: LayerInfo | null;
  performance: LayerInfo | null;
  faces: { source: FaceThumb[]; driving: FaceThumb[]; source_pick: number; driving_pick?: number; scanned: boolean };
  referenceFrame: number | 'auto';
  referenceFrom: '' | 'marker' | 'time';
  job?: FollowedJob;
  result?: Result;
  jobs: JobSummary[];
  busy: boolean;
}

export interface Sections {
  connection: Connection;
  slots: Slots;
  runs: Runs;
  controls: Controls;
  recent: Recent;
}

export interface PanelContext {
  readonly s: State;
  readonly settings: Settings;
  readonly deps: NodeDeps | undefined;
  /** Which layers each job was made from, kept in localStorage (jobs.ts). */
  readonly meta: Record<string, JobMeta>;
  readonly sections: Sections;
  /** Repaints the slots and the buttons' enabled state from `s`. */
  render(): void;
  /** The message line under Animate. */
  jobMessage(text: string, kind?: 'error' | 'warn' | 'info'): void;
}
