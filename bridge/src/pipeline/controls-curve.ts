/** Effective controls for one output frame: the job's constant controls with that frame's curve values on top. */
import type { FrameControls } from '../engines/controls.js';
import type { JobSpec } from './spec.js';

export function controlsFor(spec: Pick<JobSpec, 'controls' | 'curves'>, index: number): FrameControls {
  const curves = spec.curves;
  if (!curves) return spec.controls;
  const at = curves.frames[index - curves.start];
  return at ? { ...spec.controls, ...at } : spec.controls;
}
