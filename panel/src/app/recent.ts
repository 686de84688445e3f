/**
 * The Recent list: the bridge's jobs with Reveal, Re-run and Re-import, and, after the panel was closed and opened
 * again, following the newest job it started that is still running.
 */

import type { LayerInfo } from '../../../bridge/src/api/host.js';
import type { CreateJobRequest, JobSummary } from '../../../bridge/src/api/schema.js';
import { messageOf } from '../../../bridge/src/errors.js';
import { $ } from '../dom.js';
import { type JobAction, renderJobs } from '../jobs.js';
import { revealFolder } from '../launch.js';
import type { PanelContext, RenderLayers } from './context.js';

/** A layer known only by what the panel remembered (id and name): enough to import by id. */
const remembered = (id: number, name: string) => ({ id, name }) as LayerInfo;

export class Recent {
  constructor(private readonly ctx: PanelContext) {}

  async refresh(): Promise<void> {
    const { s, meta, deps } = this.ctx;
    const conn = s.conn;
    if (!conn) return;
    try {
      s.jobs = (await conn.client.listJobs()).jobs;
    } catch {
      return;
    }
    renderJobs($('jobs'), s.jobs, meta, !!deps, (action, job) => void this.jobAction(action, job));
  }

  /** After a reload: keep showing (and then import) the newest job this panel started that is still running. */
  resumeFollowing(): void {
    const { s, meta, sections } = this.ctx;
    if (s.job) return;
    const active = s.jobs
      .filter((j) => (j.state === 'running' || j.state === 'queued') && meta[j.id])
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0];
    if (!active) return;
    const m = meta[active.id];
    sections.runs.follow(
      active.id,
      active.spec as CreateJobRequest,
      {
        portrait: remembered(m.portraitId, m.portraitName),
        performance: remembered(m.performanceId ?? 0, m.performanceName),
        portraitRect: m.portraitRect ?? null,
      },
      false,
    );
  }

  private async jobAction(action: JobAction, job: JobSummary): Promise<void> {
    const { s, deps, sections } = this.ctx;
    const conn = s.conn;
    if (!conn) return;
    try {
      if (action === 'reveal' && deps) revealFolder(deps, job.spec.output.dir);
      if (action === 'rerun') {
        const layers = this.layersOf(job);
        s.busy = true;
        await sections.runs.run(job.spec as CreateJobRequest, layers, false);
      }
      if (action === 'reimport') {
        const detail = await conn.client.getJob(job.id);
        if (!detail.manifest || !detail.job.manifestPath) throw new Error(`Job ${job.id} has no manifest to import.`);
        const layers = this.layersOf(job);
        await sections.runs.imported(
          { id: job.id, unsubscribe() {}, spec: job.spec as CreateJobRequest, update: false, ...layers },
          detail.job.manifestPath,
          detail.manifest,
        );
      }
    } catch (err) {
      this.ctx.jobMessage(messageOf(err));
      s.busy = false;
      this.ctx.render();
    }
  }

  /** The layers a job was made from: remembered ids, else the current slots. */
  private layersOf(job: JobSummary): RenderLayers {
    const m = this.ctx.meta[job.id];
    const { portrait, performance } = this.ctx.s;
    const portraitRect = m?.portraitRect ?? null;
    if (m && portrait?.id === m.portraitId && performance && performance.id === m.performanceId)
      return { portrait, performance, portraitRect };
    if (m) {
      return {
        portrait: remembered(m.portraitId, m.portraitName),
        performance: remembered(m.performanceId ?? 0, m.performanceName),
        portraitRect,
      };
    }
    if (portrait && performance) return { portrait, performance, portraitRect: null };
    throw new Error('Select the portrait and performance this render belongs to (Use selected), then try again.');
  }
}
