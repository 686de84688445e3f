/**
 * The AE-native controls (issue 11): "Add controls" puts reenact's Expression Controls on the imported result, and
 * "Update" samples them once per output frame and renders again into the same folder (only changed frames).
 */

import type { CreateJobRequest } from '../../../bridge/src/api/schema.js';
import { messageOf } from '../../../bridge/src/errors.js';
import { callHost } from '../cep.js';
import { $ } from '../dom.js';
import type { PanelContext } from './context.js';

export class Controls {
  constructor(private readonly ctx: PanelContext) {}

  bind(): void {
    $('add-controls').addEventListener('click', () => void this.addControls());
    $('update').addEventListener('click', () => void this.update());
  }

  private async addControls(): Promise<void> {
    const r = this.ctx.s.result;
    if (!r) return;
    try {
      const added = await callHost('addControls', r.import.layerId);
      this.ctx.jobMessage(
        added.added.length
          ? `Added ${added.added.length} controls to "${r.import.name}". Keyframe them in the Effect Controls panel, then click Update.`
          : `"${r.import.name}" already has its controls. Change them, then click Update.`,
        'info',
      );
    } catch (err) {
      this.ctx.jobMessage(messageOf(err));
    }
  }

  private async update(): Promise<void> {
    const { s, sections } = this.ctx;
    const r = s.result;
    if (!r || !s.conn || s.job) return;
    s.busy = true;
    this.ctx.jobMessage('');
    this.ctx.render();
    try {
      const [num, den] = r.manifest.fps.split('/').map(Number);
      const sampled = await callHost('sampleControls', r.import.layerId, null, r.manifest.frameCount, num, den || 1);
      const spec: CreateJobRequest = { ...r.spec, curves: sampled.curves, smoothing: sampled.smoothing };
      if (sampled.warnings.length) this.ctx.jobMessage(sampled.warnings.join(' '), 'warn');
      await sections.runs.run(
        spec,
        { portrait: r.portrait, performance: r.performance, portraitRect: r.portraitRect },
        true,
      );
    } catch (err) {
      this.ctx.jobMessage(messageOf(err));
      s.busy = false;
      this.ctx.render();
    }
  }
}
