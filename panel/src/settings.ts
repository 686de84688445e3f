/**
 * What the artist chose last time, per user (CEP keeps localStorage per extension and user). Flat data with
 * defaults in one place; unknown or malformed stored fields fall back to the default.
 */
import type { DeviceRequest } from '../../bridge/src/onnx/devices.js';

export type RangeMode = 'workarea' | 'layer' | 'custom';

export interface Settings {
  /** An engine of the bridge's registry (GET /engines). */
  engine: string;
  device: DeviceRequest;
  /** Overall motion (0 = still portrait, 1 = as performed). */
  intensity: number;
  eyes: number;
  brows: number;
  mouth: number;
  head: number;
  /** Landmark smoothing 0 … 1. */
  smoothing: number;
  /** Frames without a face: hold the last good frame, show the neutral portrait, or stop the render. */
  onFrameFailure: 'hold' | 'neutral' | 'fail';
  range: RangeMode;
  customStart: number;
  customEnd: number;
  format: 'png' | 'prores';
  /** Output folder; empty = a "reenact" folder beside the project file. */
  folder: string;
  /** Node ≥ 20 binary; empty = search PATH and the usual folders. */
  nodePath: string;
  /** A bridge on another machine; empty = this computer. */
  bridgeUrl: string;
  bridgeToken: string;
  /** Which option groups are open. */
  open: { motion: boolean; output: boolean; engine: boolean };
}

export const DEFAULT_SETTINGS: Settings = {
  engine: 'meshwarp',
  device: 'auto',
  intensity: 1,
  eyes: 1,
  brows: 1,
  mouth: 1,
  head: 1,
  smoothing: 0.5,
  onFrameFailure: 'hold',
  range: 'workarea',
  customStart: 0,
  customEnd: 0,
  format: 'png',
  folder: '',
  nodePath: '',
  bridgeUrl: '',
  bridgeToken: '',
  open: { motion: true, output: false, engine: false },
};

export const SETTINGS_KEY = 'reenact.settings.v1';

/** Stored settings merged over the defaults, field by field and type by type. */
export function parseSettings(text: string | null): Settings {
  const out: Settings = { ...DEFAULT_SETTINGS, open: { ...DEFAULT_SETTINGS.open } };
  if (!text) return out;
  let stored: Record<string, unknown>;
  try {
    stored = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return out;
  }
  if (!stored || typeof stored !== 'object') return out;
  const o = out as unknown as Record<string, unknown>;
  for (const key of Object.keys(DEFAULT_SETTINGS) as (keyof Settings)[]) {
    const def = DEFAULT_SETTINGS[key];
    const v = stored[key];
    if (key === 'open') {
      if (v && typeof v === 'object') Object.assign(out.open, v);
    } else if (typeof v === typeof def && !(typeof v === 'number' && !Number.isFinite(v))) {
      o[key] = v;
    }
  }
  return out;
}

export function loadSettings(storage: Storage = localStorage): Settings {
  try {
    return parseSettings(storage.getItem(SETTINGS_KEY));
  } catch {
    return parseSettings(null);
  }
}

export function saveSettings(settings: Settings, storage: Storage = localStorage): void {
  try {
    storage.setItem(SETTINGS_KEY, JSON.stringify(settings));
  } catch {
    // Storage full or disabled: settings last for this session only.
  }
}
