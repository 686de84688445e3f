/**
 * The panel controller: connects to the bridge, fills the portrait/performance slots from AE's selection, scans
 * faces, runs jobs with live progress and previews, imports results through the host scripts, and drives the
 * AE-native controls (Add controls → keyframe → Update). State lives in one object; render() repaints from it.
 */
import type { Subscription } from 'rxjs';
import { BridgeApiError, type BridgeClient } from '../../bridge/src/api/client.js';
import type { CompInfo, ImportResult, LayerInfo } from '../../bridge/src/api/host.js';
import type { CreateJobRequest, EngineAvailability, FaceThumb, JobSummary } from '../../bridge/src/api/schema.js';
import type { JobEvent } from '../../bridge/src/pipeline/events.js';
import type { Manifest } from '../../bridge/src/pipeline/spec.js';
import { callHost, extensionFolder, HostError, projectFile } from './cep.js';
import { type Connected, connectBridge } from './connect.js';
import { $, notice } from './dom.js';
import { renderChips } from './faces.js';
import { type JobAction, type JobMeta, loadJobMeta, renderJobs, saveJobMeta } from './jobs.js';
import { cepNodeDeps, type NodeDeps, revealFolder, waitForPng } from './launch.js';
import {
  buildSpec,
  chooseRange,
  clipFrameAt,
  drivingFaces,
  importRequest,
  layerSummary,
  outputFolder,
  progressText,
  timecode,
} from './model.js';
import { ModelsBox } from './models.js';
import { bindOptions, fillEngineChoices } from './options.js';
import { loadSettings, type Settings } from './settings.js';

const PORTRAIT_KINDS = ['still', 'comp', 'text', 'shape', 'video'];
const PERFORMANCE_KINDS = ['video', 'sequence'];

interface Result {
  import: ImportResult;
  manifestPath: string;
  manifest: Manifest;
  spec: CreateJobRequest;
  portrait: LayerInfo;
  performance: LayerInfo | null;
}

interface State {
  conn?: Connected;
  engines: EngineAvailability[];
  comp?: CompInfo;
  portrait: LayerInfo | null;
  performance: LayerInfo | null;
  /** Portrait file on disk (its footage file, or an exported PNG), by layer id. */
  portraitFiles: Map<number, string>;
  faces: { source: FaceThumb[]; driving: FaceThumb[]; source_pick: number; driving_pick?: number; scanned: boolean };
  referenceFrame: number | 'auto';
  referenceFrom: '' | 'marker' | 'time';
  job?: {
    id: string;
    sub: Subscription;
    portrait: LayerInfo;
    performance: LayerInfo;
    spec: CreateJobRequest;
    update: boolean;
  };
  result?: Result;
  jobs: JobSummary[];
  busy: boolean;
}

/** Turns any failure into one sentence for the artist (host, bridge and panel errors carry their fixes). */
function say(err: unknown): string {
  if (err instanceof HostError || err instanceof BridgeApiError) return err.message;
  return err instanceof Error ? err.message : String(err);
}

export class PanelApp {
  private settings: Settings = loadSettings();
  private deps: NodeDeps | undefined = cepNodeDeps();
  private meta: Record<string, JobMeta> = loadJobMeta();
  private faceScan = 0;
  /** Warnings of the job being shown. */
  private warnings: string[] = [];
  /** The job that stopped on a folder holding another render: "Replace" runs it again with force. */
  private replaceable: State['job'];
  /** The neural engine's "Install models…"; an install that finishes reloads the engine menu. */
  private readonly models = new ModelsBox(
    () => this.s.conn?.client,
    async () => {
      if (this.s.conn) await this.loadEngines(this.s.conn.client);
      this.render();
    },
  );
  private s: State = {
    engines: [],
    portrait: null,
    performance: null,
    portraitFiles: new Map(),
    faces: { source: [], driving: [], source_pick: 0, scanned: false },
    referenceFrame: 'auto',
    referenceFrom: '',
    jobs: [],
    busy: false,
  };

  start(): void {
    bindOptions(this.settings, () => this.render());
    this.models.bind();
    $('reconnect').addEventListener('click', () => void this.connect());
    for (const slot of ['portrait', 'performance'] as const) {
      $(`${slot}-use`).addEventListener('click', () => void this.useSelected(slot));
      $(`${slot}-clear`).addEventListener('click', () => this.clear(slot));
    }
    $('swap').addEventListener('click', () => this.swap());
    $('ref-now').addEventListener('click', () => void this.referenceNow());
    $('ref-auto').addEventListener('click', () => {
      this.s.referenceFrame = 'auto';
      this.s.referenceFrom = '';
      this.render();
    });
    $('animate').addEventListener('click', () => void this.animate());
    $('cancel').addEventListener('click', () => void this.cancel());
    $('add-controls').addEventListener('click', () => void this.addControls());
    $('update').addEventListener('click', () => void this.update());
    $('replace').addEventListener('click', () => void this.replace());
    this.render();
    void this.connect();
  }

  // ---- connection ----

  private status(state: 'connecting' | 'ready' | 'error', text: string): void {
    $('status').dataset.state = state;
    $('status-text').textContent = text;
  }

  async connect(): Promise<void> {
    this.s.conn = undefined;
    $('connect-error-text').textContent = '';
    $('connect-error').hidden = true;
    this.status('connecting', 'starting bridge…');
    this.render();
    try {
      const conn = await connectBridge({
        deps: this.deps,
        bridgeUrl: this.settings.bridgeUrl,
        bridgeToken: this.settings.bridgeToken,
        nodePath: this.settings.nodePath,
        extensionFolder: extensionFolder(),
        onStatus: (text) => this.status('connecting', text),
      });
      this.s.conn = conn;
      this.status('ready', `bridge ready · ${conn.device}`);
      await this.loadEngines(conn.client);
      await this.refreshJobs();
      this.resumeFollowing();
      if (this.s.portrait) void this.scanFaces();
    } catch (err) {
      const refused = (err as { code?: string }).code === 'TOKEN_REFUSED';
      this.status('error', refused ? 'bridge refused the token' : 'bridge not running');
      $('connect-error-text').textContent = say(err);
      $('connect-error').hidden = false;
    }
    this.render();
  }

  /** The bridge went away (quit, crashed, machine asleep): say so and offer Reconnect. */
  private lost(message: string): void {
    this.s.conn = undefined;
    this.status('error', 'bridge not running');
    $('connect-error-text').textContent = `${message} Click Reconnect to start it again; finished frames are kept.`;
    $('connect-error').hidden = false;
    this.render();
  }

  private async loadEngines(client: BridgeClient): Promise<void> {
    const [engines, devices] = await Promise.all([client.engines(), client.devices(), this.models.refresh()]);
    this.s.engines = fillEngineChoices(engines.engines, devices.devices, this.settings, this.models.missing);
  }

  // ---- selection ----

  private async useSelected(target: 'portrait' | 'performance'): Promise<void> {
    const msg = $('selection-message');
    notice(msg, '');
    try {
      const picked = await callHost('pickInputs');
      this.s.comp = picked.comp;
      if (!picked.portrait && !picked.performance) throw new Error('Nothing usable is selected.');
      if (target === 'portrait' && !picked.portrait && picked.performance && !this.s.performance) {
        // One clip selected from the portrait slot: it is the performance.
      } else if (target === 'portrait' && !picked.portrait) {
        notice(
          msg,
          `Layer "${picked.performance?.name}" is a video clip: it drives the performance. Select a still image (or a comp, text or shape layer) for the portrait.`,
        );
      } else if (target === 'performance' && !picked.performance) {
        notice(
          msg,
          `Layer "${picked.portrait?.name}" is a still: it has no motion to follow. Select the video layer of the performance.`,
        );
      }
      if (picked.portrait) this.s.portrait = picked.portrait;
      if (picked.performance) this.setPerformance(picked.performance);
      this.afterSlotsChanged();
    } catch (err) {
      notice(msg, say(err), 'error');
      this.render();
    }
  }

  private setPerformance(layer: LayerInfo): void {
    this.s.performance = layer;
    this.s.referenceFrame = 'auto';
    this.s.referenceFrom = '';
    void callHost('readNeutralMarker', layer.index)
      .then((marker) => {
        if (marker && this.s.performance?.id === layer.id) {
          this.s.referenceFrame = marker.frame;
          this.s.referenceFrom = 'marker';
          this.render();
        }
      })
      .catch(() => {});
  }

  private clear(slot: 'portrait' | 'performance'): void {
    this.s[slot] = null;
    notice($('selection-message'), '');
    this.afterSlotsChanged();
  }

  private swap(): void {
    const { portrait, performance } = this.s;
    notice($('selection-message'), '');
    this.s.portrait = performance;
    this.s.performance = portrait;
    this.afterSlotsChanged();
  }

  /** Plain-word reasons the slots cannot be used as they are, or ''. */
  private slotProblem(): string {
    const { portrait, performance } = this.s;
    if (performance && !PERFORMANCE_KINDS.includes(performance.kind)) {
      return `Layer "${performance.name}" is a ${performance.kind} layer: it has no motion to follow. Select a video clip for the performance (or swap back).`;
    }
    if (portrait && !PORTRAIT_KINDS.includes(portrait.kind)) {
      return `Layer "${portrait.name}" is a ${portrait.kind} layer, which has no face to use. Select a still image for the portrait.`;
    }
    if (portrait && performance && portrait.id === performance.id) {
      return `Layer "${portrait.name}" is in both slots. Select a different portrait.`;
    }
    return '';
  }

  private afterSlotsChanged(): void {
    this.s.faces = { source: [], driving: [], source_pick: 0, scanned: false };
    const problem = this.slotProblem();
    if (problem) notice($('selection-message'), problem, 'error');
    this.render();
    if (!problem && this.s.portrait) void this.scanFaces();
  }

  /** The portrait as a file the bridge can read: the footage file, or a PNG the host renders once. */
  private async portraitFile(layer: LayerInfo): Promise<string> {
    const known = this.s.portraitFiles.get(layer.id);
    if (known) return known;
    let file = layer.file;
    if (layer.needsExport || layer.kind === 'video' || !file) {
      const still = await callHost('exportStill', layer.index, null);
      // Recent AE writes the PNG after the call returns: wait for its last chunk before the bridge reads it.
      if (!still.written && this.deps) await waitForPng(this.deps, still.file);
      file = still.file;
    }
    this.s.portraitFiles.set(layer.id, file);
    return file;
  }

  // ---- faces ----

  private async scanFaces(): Promise<void> {
    const { portrait, performance, conn } = this.s;
    if (!portrait || !conn) return;
    const scan = ++this.faceScan;
    const msg = $('faces-message');
    notice(msg, 'Looking for faces…', 'info');
    $('faces').hidden = false;
    try {
      const source = await this.portraitFile(portrait);
      const driving = performance?.file && PERFORMANCE_KINDS.includes(performance.kind) ? performance.file : undefined;
      const range = performance?.range ?? undefined;
      const res = await conn.client.faces({
        source,
        driving,
        samples: 5,
        thumbSize: 64,
        ...(driving && range ? { range } : {}),
      });
      if (scan !== this.faceScan) return;
      const f = this.s.faces;
      f.source = res.source.faces;
      f.driving = drivingFaces(res.driving);
      f.source_pick = 0; // largest first
      f.driving_pick = f.driving[0]?.id;
      f.scanned = true;
      if (!f.source.length) {
        notice(
          msg,
          `No face found in "${portrait.name}". Use a portrait where the face is clearly visible, facing the camera, at least about 100 px tall.`,
          'error',
        );
      } else if (driving && !f.driving.length) {
        notice(
          msg,
          `No face found in the frames of "${performance?.name}" that were sampled. Check the range (Output ▸ range) or choose a clip where the face is visible.`,
          'error',
        );
      } else {
        notice(msg, '');
      }
    } catch (err) {
      if (scan !== this.faceScan) return;
      this.s.faces.scanned = false;
      notice(msg, `Faces could not be listed: ${say(err)} The render will use the largest face.`);
    }
    this.render();
  }

  private renderFaces(): void {
    const f = this.s.faces;
    const pick = (key: 'index' | 'id', value: number) => {
      if (key === 'index') f.source_pick = value;
      else f.driving_pick = value;
      this.render();
    };
    renderChips($('faces-source'), f.source, f.source_pick, 'index', 'Portrait', pick);
    renderChips($('faces-driving'), f.driving, f.driving_pick, 'id', 'Performance', pick);
    $('faces-arrow').hidden = !(f.source.length && f.driving.length);
    const perf = this.s.performance;
    const ref = this.s.referenceFrame;
    $('ref-text').textContent =
      ref === 'auto'
        ? 'first frame with a face'
        : `frame ${ref}${perf?.sourceFps ? ` (${timecode(ref / (perf.sourceFps.num / perf.sourceFps.den), perf.sourceFps)})` : ''}${this.s.referenceFrom === 'marker' ? ' · from marker' : ''}`;
    $<HTMLButtonElement>('ref-now').disabled = !perf;
  }

  private async referenceNow(): Promise<void> {
    const perf = this.s.performance;
    if (!perf) return;
    try {
      const sel = await callHost('getSelection');
      this.s.referenceFrame = clipFrameAt(perf, sel.comp.time);
      this.s.referenceFrom = 'time';
    } catch (err) {
      notice($('selection-message'), say(err), 'error');
    }
    this.render();
  }

  // ---- run ----

  private jobMessage(text: string, kind: 'error' | 'warn' | 'info' = 'error'): void {
    notice($('job-message'), text, kind);
  }

  private async animate(): Promise<void> {
    const { portrait, performance, conn } = this.s;
    if (!portrait || !performance || !conn || this.s.job) return;
    this.jobMessage('');
    this.s.busy = true;
    this.render();
    try {
      const range = chooseRange(this.settings.range, performance, {
        start: this.settings.customStart,
        end: this.settings.customEnd,
      });
      const chosen = this.settings.folder;
      const folder = outputFolder(chosen, chosen ? null : await projectFile(), portrait.name, performance.name);
      if (!folder) {
        throw new Error(
          'Save the project first (renders go into a "reenact" folder beside it), or choose a folder under Output.',
        );
      }
      if (!performance.file)
        throw new Error(`Layer "${performance.name}" has no file on disk. Render it to a movie first.`);
      const spec = buildSpec({
        source: await this.portraitFile(portrait),
        driving: performance.file,
        folder,
        settings: this.settings,
        range,
        referenceFrame: this.s.referenceFrame,
        sourceFace: this.s.faces.source_pick,
        drivingFace: this.s.faces.driving_pick,
      });
      await this.run(spec, portrait, performance, false);
    } catch (err) {
      this.jobMessage(say(err));
      this.s.busy = false;
      this.render();
    }
  }

  private async run(
    spec: CreateJobRequest,
    portrait: LayerInfo,
    performance: LayerInfo,
    update: boolean,
  ): Promise<void> {
    const conn = this.s.conn as Connected;
    const { job } = await conn.client.createJob(spec);
    this.meta[job.id] = {
      portraitId: portrait.id,
      performanceId: performance.id,
      portraitName: portrait.name,
      performanceName: performance.name,
    };
    saveJobMeta(this.meta);
    this.follow(job.id, spec, portrait, performance, update);
  }

  /** Shows a job's progress and imports it when done (also a job started before the panel was reopened). */
  private follow(
    id: string,
    spec: CreateJobRequest,
    portrait: LayerInfo,
    performance: LayerInfo,
    update: boolean,
  ): void {
    const conn = this.s.conn as Connected;
    const job = { id };
    this.s.busy = true;
    this.warnings = [];
    $('replace').hidden = true;
    $<HTMLProgressElement>('bar').value = 0;
    $('progress-text').textContent = update ? 'updating…' : 'starting…';
    $('progress-title').textContent = `${update ? 'Updating' : 'Animating'} ${portrait.name} with ${performance.name}`;
    const sub = conn.client.jobEvents(job.id).subscribe({
      next: (e) => void this.onEvent(e),
      error: (err) => {
        if (err instanceof BridgeApiError && err.status === 0) {
          this.finish(
            'The bridge stopped during the render. Reconnect, then Animate again to continue where it stopped.',
          );
          this.lost('The bridge stopped or cannot be reached.');
        } else {
          this.finish(say(err));
        }
      },
    });
    this.s.job = { id: job.id, sub, portrait, performance, spec, update };
    this.render();
    void this.refreshJobs();
  }

  private async onEvent(e: JobEvent): Promise<void> {
    const job = this.s.job;
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
        this.jobMessage(this.warnings.join('\n'), 'warn');
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

  private async imported(job: NonNullable<State['job']>, manifestPath: string, manifest: Manifest): Promise<void> {
    try {
      const request = importRequest(manifestPath, manifest, job.portrait, job.performance);
      const result = await callHost('importResult', request);
      this.s.result = {
        import: result,
        manifestPath,
        manifest,
        spec: job.spec,
        portrait: job.portrait,
        performance: job.performance,
      };
      this.meta[job.id] = { ...this.meta[job.id], imported: true };
      saveJobMeta(this.meta);
      this.finish('');
      $('result-text').textContent = result.replaced
        ? `Updated "${result.name}" in place (layer ${result.layer}, ${manifest.frameCount} frames).`
        : `Placed "${result.name}" above "${job.portrait.name}" (layer ${result.layer}, ${manifest.frameCount} frames).`;
      if (result.warnings.length) this.jobMessage(result.warnings.join(' '), 'warn');
    } catch (err) {
      this.finish(`The render finished but could not be imported: ${say(err)}`);
    }
  }

  private finish(message: string, kind: 'error' | 'info' = 'error'): void {
    this.s.job?.sub.unsubscribe();
    this.s.job = undefined;
    this.s.busy = false;
    if (message) this.jobMessage(message, kind);
    this.render();
    void this.refreshJobs();
  }

  private async cancel(): Promise<void> {
    const job = this.s.job;
    if (!job || !this.s.conn) return;
    $<HTMLButtonElement>('cancel').disabled = true;
    try {
      await this.s.conn.client.cancelJob(job.id);
    } catch (err) {
      this.jobMessage(say(err));
    }
  }

  private async replace(): Promise<void> {
    const job = this.replaceable;
    if (!job || this.s.job) return;
    this.replaceable = undefined;
    this.jobMessage('');
    try {
      const spec = { ...job.spec, output: { ...job.spec.output, force: true } };
      await this.run(spec, job.portrait, job.performance, false);
    } catch (err) {
      this.jobMessage(say(err));
    }
    this.render();
  }

  // ---- AE-native controls (issue 11) ----

  private async addControls(): Promise<void> {
    const r = this.s.result;
    if (!r) return;
    try {
      const added = await callHost('addControls', r.import.layer);
      this.jobMessage(
        added.added.length
          ? `Added ${added.added.length} controls to "${r.import.name}". Keyframe them in the Effect Controls panel, then click Update.`
          : `"${r.import.name}" already has its controls. Change them, then click Update.`,
        'info',
      );
    } catch (err) {
      this.jobMessage(say(err));
    }
  }

  private async update(): Promise<void> {
    const r = this.s.result;
    if (!r || !this.s.conn || this.s.job) return;
    this.s.busy = true;
    this.jobMessage('');
    this.render();
    try {
      const [num, den] = r.manifest.fps.split('/').map(Number);
      const sampled = await callHost('sampleControls', r.import.layer, null, r.manifest.frameCount, num, den || 1);
      const spec: CreateJobRequest = { ...r.spec, curves: sampled.curves, smoothing: sampled.smoothing };
      if (sampled.warnings.length) this.jobMessage(sampled.warnings.join(' '), 'warn');
      await this.run(spec, r.portrait, r.performance as LayerInfo, true);
    } catch (err) {
      this.jobMessage(say(err));
      this.s.busy = false;
      this.render();
    }
  }

  // ---- recent jobs ----

  private async refreshJobs(): Promise<void> {
    const conn = this.s.conn;
    if (!conn) return;
    try {
      this.s.jobs = (await conn.client.listJobs()).jobs;
    } catch {
      return;
    }
    renderJobs($('jobs'), this.s.jobs, this.meta, !!this.deps, (action, job) => void this.jobAction(action, job));
  }

  /** After a reload: keep showing (and then import) the newest job this panel started that is still running. */
  private resumeFollowing(): void {
    if (this.s.job) return;
    const active = this.s.jobs
      .filter((j) => (j.state === 'running' || j.state === 'queued') && this.meta[j.id])
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0];
    if (!active) return;
    const m = this.meta[active.id];
    const stub = (id: number, name: string) => ({ id, name }) as LayerInfo;
    this.follow(
      active.id,
      active.spec as CreateJobRequest,
      stub(m.portraitId, m.portraitName),
      stub(m.performanceId ?? 0, m.performanceName),
      false,
    );
  }

  private async jobAction(action: JobAction, job: JobSummary): Promise<void> {
    const conn = this.s.conn;
    if (!conn) return;
    try {
      if (action === 'reveal' && this.deps) revealFolder(this.deps, job.spec.output.dir);
      if (action === 'rerun') {
        const layers = await this.layersOf(job);
        this.s.busy = true;
        await this.run(job.spec as CreateJobRequest, layers.portrait, layers.performance, false);
      }
      if (action === 'reimport') {
        const detail = await conn.client.getJob(job.id);
        if (!detail.manifest || !detail.job.manifestPath) throw new Error(`Job ${job.id} has no manifest to import.`);
        const layers = await this.layersOf(job);
        await this.imported(
          {
            id: job.id,
            sub: { unsubscribe() {} } as Subscription,
            spec: job.spec as CreateJobRequest,
            update: false,
            ...layers,
          },
          detail.job.manifestPath,
          detail.manifest,
        );
      }
    } catch (err) {
      this.jobMessage(say(err));
      this.s.busy = false;
      this.render();
    }
  }

  /** The layers a job was made from: remembered ids, else the current slots. */
  private async layersOf(job: JobSummary): Promise<{ portrait: LayerInfo; performance: LayerInfo }> {
    const m = this.meta[job.id];
    const { portrait, performance } = this.s;
    if (m && portrait?.id === m.portraitId && performance && performance.id === m.performanceId)
      return { portrait, performance };
    if (m) {
      const stub = (id: number, name: string) => ({ id, name }) as LayerInfo;
      return {
        portrait: stub(m.portraitId, m.portraitName),
        performance: stub(m.performanceId ?? 0, m.performanceName),
      };
    }
    if (portrait && performance) return { portrait, performance };
    throw new Error('Select the portrait and performance this render belongs to (Use selected), then try again.');
  }

  // ---- paint ----

  private render(): void {
    const { portrait, performance, comp, conn, job, faces } = this.s;
    const slot = (name: 'portrait' | 'performance', layer: LayerInfo | null, empty: string) => {
      $(`slot-${name}`).dataset.empty = String(!layer);
      $(`${name}-name`).textContent = layer ? layer.name : 'none';
      $(`${name}-meta`).textContent = layer && comp ? layerSummary(layer, comp) : empty;
      $<HTMLButtonElement>(`${name}-clear`).disabled = !layer;
    };
    slot('portrait', portrait, 'select a still layer');
    slot('performance', performance, 'select a video layer');
    $<HTMLButtonElement>('swap').disabled = !portrait && !performance;
    $('faces').hidden = !portrait;
    this.renderFaces();
    $('custom-range').hidden = this.settings.range !== 'custom';
    const noFace = faces.scanned && (!faces.source.length || (!!performance && !faces.driving.length));
    const ready = !!portrait && !!performance && !!conn && !this.slotProblem() && !noFace;
    const animate = $<HTMLButtonElement>('animate');
    animate.disabled = !ready || this.s.busy || !!job;
    animate.title = !conn
      ? 'Waiting for the bridge'
      : !portrait || !performance
        ? 'Fill both slots first (Use selected)'
        : '';
    $('progress').hidden = !job;
    $<HTMLButtonElement>('cancel').disabled = !job;
    $('result').hidden = !this.s.result;
    $<HTMLButtonElement>('add-controls').disabled = !!job || !this.s.result;
    $<HTMLButtonElement>('update').disabled = !!job || !this.s.result || !conn;
  }
}
