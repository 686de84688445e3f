/**
 * Rendering and bringing the result back: Animate builds the job spec, the bridge renders it while the panel shows
 * its progress, preview and warnings, and a finished job is imported into the comp through the host; Cancel, and
 * Replace when the output folder holds another render of the same layers.
 */

import { BridgeApiError } from '../../../bridge/src/api/client.js';
import { importRequestFromManifest } from '../../../bridge/src/api/import-request.js';
import type { CreateJobRequest } from '../../../bridge/src/api/schema.js';
import { messageOf } from '../../../bridge/src/errors.js';
import type { JobEvent } from '../../../bridge/src/pipeline/events.js';
import type { Manifest } from '../../../bridge/src/pipeline/spec.js';
import { callHost, projectFile } from '../cep.js';
import { $ } from '../dom.js';
import { saveJobMeta } from '../jobs.js';
import { buildSpec, chooseRange, outputFolder, progressText } from '../model.js';
import type { FollowedJob, PanelContext, RenderLayers } from './context.js';

export class Runs {
  /** Warnings of the job being shown. */
  private warnings: string[] = [];
  /** The job that stopped on a folder holding another render: "Replace" runs it again with force. */
  private replaceable: FollowedJob | undefined;

  constructor(private readonly ctx: PanelContext) {}

  bind(): void {
    $('animate').addEventListener('click', () => void this.animate());
    $('cancel').addEventListener('click', () => void this.cancel());
    $('replace').addEventListener('click', () => void this.replace());
  }

  private async animate(): Promise<void> {
    const { s, settings, sections } = this.ctx;
    const { portrait, performance, conn } = s;
    if (!portrait || !performance || !conn || s.job) return;
    this.ctx.jobMessage('');
    s.busy = true;
    this.ctx.render();
    try {
      const range = chooseRange(settings.range, performance, { start: settings.customStart, end: settings.customEnd });
      const chosen = settings.folder;
      const folder = outputFolder(chosen, chosen ? null : await projectFile(), portrait.name, performance.name);
      if (!folder) {
        throw new Error(
          'Save the project first (renders go into a "reenact" folder beside it), or choose a folder under Output.',
        );
      }
      if (!performance.file)
        throw new Error(`Layer "${performance.name}" has no file on disk. Render it to a movie first.`);
      const still = await sections.slots.portraitFile(portrait);
      const spec = buildSpec({
        source: still.file,
        driving: performance.file,
        folder,
        settings,
        range,
        referenceFrame: s.referenceFrame,
        sourceFace: s.faces.source_pick,
        drivingFace: s.faces.driving_pick,
      });
      await this.run(spec, { portrait, performance, portraitRect: still.rect }, false);
    } catch (err) {
      this.ctx.jobMessage(messageOf(err));
      s.busy = false;
      this.ctx.render();
    }
  }

  /** Creates the job on the bridge, remembers which layers it was made from, and follows it. */
  async run(spec: CreateJobRequest, layers: RenderLayers, update: boolean): Promise<void> {
    const conn = this.ctx.s.conn;
    if (!conn) throw new Error('The bridge is not connected. Click Reconnect, then try again.');
    const { job } = await conn.client.createJob(spec);
    const { portrait, performance, portraitRect } = layers;
    this.ctx.meta[job.id] = {
      portraitId: portrait.id,
      performanceId: performance.id,
      portraitName: portrait.name,
      performanceName: performance.name,
      portraitRect,
    };
    saveJobMeta(this.ctx.meta);
    this.follow(job.id, spec, layers, update);
  }

  /** Shows a job's progress and imports it when done (also a job started before the panel was reopened). */
  follow(id: string, spec: CreateJobRequest, layers: RenderLayers, update: boolean): void {
    const { portrait, performance, portraitRect } = layers;
    const { s, sections } = this.ctx;
    const conn = s.conn;
    if (!conn) return;
    s.busy = true;
    this.warnings = [];
    $('replace').hidden = true;
    $<HTMLProgressElement>('bar').value = 0;
    $('progress-text').textContent = update ? 'updating…' : 'starting…';
    $('progress-title').textContent = `${update ? 'Updating' : 'Animating'} ${portrait.name} with ${performance.name}`;
    const sub = conn.client.jobEvents(id).subscribe({
      next: (e) => void this.onEvent(e),
      error: (err) => {
        if (err instanceof BridgeApiError && err.status === 0) {
          this.finish(
            'The bridge stopped during the render. Reconnect, then Animate again to continue where it stopped.',
          );
          sections.connection.lost('The bridge stopped or cannot be reached.');
        } else {
          this.finish(messageOf(err));
        }
      },
    });
    s.job = { id, unsubscribe: () => sub.unsubscribe(), portrait, performance, portraitRect, spec, update };
    this.ctx.render();
    void sections.recent.refresh();
  }

  private async onEvent(e: JobEvent): Promise<void> {
    const job = this.ctx.s.job;
    if (!job || e.jobId !== job.id) return;
    switch (e.type) {
      case 'progress': {
        $<HTMLProgressElement>('bar').value = e.total ? e.done / e.total : 0;
        $('progress-text').textContent = progressText(e);
        $('progress').dataset.done = String(e.done);
        break;
      }
      case 'preview': {
        const img = $<HTMLImageElement>('preview');
        img.src = `data:${e.mime};base64,${e.data}`;
        img.hidden = false;
        img.dataset.index = String(e.index);
        break;
      }
      case 'warning':
        // The pipeline groups its warnings by frame span; show the latest three.
        this.warnings = [...this.warnings.filter((w) => w !== e.message), e.message].slice(-3);
        this.ctx.jobMessage(this.warnings.join('\n'), 'warn');
        break;
      case 'done':
        await this.imported(job, e.manifestPath, e.manifest);
        break;
      case 'failed':
        if (e.error.code === 'OUTPUT_EXISTS') {
          this.replaceable = job;
          this.finish(
            `${job.spec.output.dir} already holds a different render of these layers (another range, format or engine). Replace it, or choose another folder under Output.`,
          );
          $('replace').hidden = false;
        } else {
          this.finish(e.error.message);
        }
        break;
      case 'cancelled':
        this.finish(
          'Cancelled. The frames rendered so far are kept: Animate again to continue where it stopped.',
          'info',
        );
        break;
      default:
        break;
    }
  }

  /**
   * Imports a finished render above its portrait, by layer ids, into the portrait's comp whichever comp is open now;
   * the result is what Add controls and Update work on.
   */
  async imported(job: FollowedJob, manifestPath: string, manifest: Manifest): Promise<void> {
    const { s, meta } = this.ctx;
    try {
      const request = {
        ...importRequestFromManifest(manifest, manifestPath, {
          stillLayerId: job.portrait.id,
          drivingLayerId: job.performance ? job.performance.id : null,
        }),
        ...(job.portraitRect ? { portraitRect: job.portraitRect } : {}),
      };
      const result = await callHost('importResult', request);
      s.result = {
        import: result,
        manifestPath,
        manifest,
        spec: job.spec,
        portrait: job.portrait,
        performance: job.performance,
        portraitRect: job.portraitRect,
      };
      meta[job.id] = { ...meta[job.id], imported: true };
      saveJobMeta(meta);
      this.finish('');
      $('result-text').textContent = result.replaced
        ? `Updated "${result.name}" in place (layer ${result.layer}, ${manifest.frameCount} frames).`
        : `Placed "${result.name}" above "${job.portrait.name}" (layer ${result.layer}, ${manifest.frameCount} frames).`;
      if (result.warnings.length) this.ctx.jobMessage(result.warnings.join(' '), 'warn');
    } catch (err) {
      this.finish(`The render finished but could not be imported: ${messageOf(err)}`);
    }
  }

  private finish(message: string, kind: 'error' | 'info' = 'error'): void {
    const { s, sections } = this.ctx;
    s.job?.unsubscribe();
    s.job = undefined;
    s.busy = false;
    if (message) this.ctx.jobMessage(message, kind);
    this.ctx.render();
    void sections.recent.refresh();
  }

  private async cancel(): Promise<void> {
    const { s } = this.ctx;
    const job = s.job;
    if (!job || !s.conn) return;
    $<HTMLButtonElement>('cancel').disabled = true;
    try {
      await s.conn.client.cancelJob(job.id);
    } catch (err) {
      this.ctx.jobMessage(messageOf(err));
    }
  }

  private async replace(): Promise<void> {
    const job = this.replaceable;
    if (!job || this.ctx.s.job) return;
    this.replaceable = undefined;
    this.ctx.jobMessage('');
    try {
      const spec = { ...job.spec, output: { ...job.spec.output, force: true } };
      await this.run(
        spec,
        { portrait: job.portrait, performance: job.performance, portraitRect: job.portraitRect },
        false,
      );
    } catch (err) {
      this.ctx.jobMessage(messageOf(err));
    }
    this.ctx.render();
  }
}
