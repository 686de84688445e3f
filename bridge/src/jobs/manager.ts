/**
 * The local job queue: creates jobs, runs them through the pipeline with bounded concurrency per device, streams
 * their events, cancels (AbortSignal into the pipeline), resumes interrupted ones, and persists every state change
 * in the job store. A runner that throws, rejects or emits garbage fails its job, never the bridge.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Observable } from 'rxjs';
import type { JobState, JobSummary } from '../api/schema.js';
import { asReenactError, messageOf, ReenactError } from '../errors.js';
import type { JobEvent } from '../pipeline/events.js';
import type { JobSpec, Manifest } from '../pipeline/spec.js';
import { JobEventLog } from './events.js';
import { defaultRunner, type JobRunner } from './runner.js';
import type { JobStore } from './store.js';

/** The few logger methods the manager uses (pino's signature). */
export interface JobLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface JobManagerOptions {
  store: JobStore;
  runner?: JobRunner;
  /** Jobs running at once per device (default 1). */
  concurrency?: number;
  /** Preview event every N frames (default 10). */
  previewEvery?: number;
  /** Maps a spec's device to the slot it occupies ('auto' → the device it will really use). Default: auto → cpu. */
  resolveDevice?: (device: string) => string;
  log?: JobLogger;
  /** How often progress is written to the store while running (ms, default 2000). */
  persistEveryMs?: number;
}

interface Entry {
  job: JobSummary;
  events: JobEventLog;
  abort?: AbortController;
  /** Settles when the running runner has settled and the state was recorded. */
  running?: Promise<void>;
  /** Why the run was aborted: the user cancelled, or the bridge is shutting down. */
  stopReason?: 'cancel' | 'shutdown';
  lastPersist: number;
}

const silent: JobLogger = { info() {}, warn() {}, error() {} };

/** Sortable, unguessable id: j-YYYYMMDD-HHMMSS-8hex. */
export function newJobId(now = new Date()): string {
  const iso = now.toISOString(); // 2026-11-25T13:17:08.123Z
  const date = iso.slice(0, 10).replaceAll('-', '');
  const time = iso.slice(11, 19).replaceAll(':', '');
  return `j-${date}-${time}-${randomBytes(4).toString('hex')}`;
}

export class JobManager {
  private readonly entries = new Map<string, Entry>();
  private readonly queue: string[] = [];
  private readonly active = new Map<string, number>();
  private readonly runner: JobRunner;
  private readonly concurrency: number;
  private readonly previewEvery: number;
  private readonly resolveDevice: (device: string) => string;
  private readonly log: JobLogger;
  private readonly persistEveryMs: number;
  private closing = false;

  constructor(private readonly options: JobManagerOptions) {
    this.runner = options.runner ?? defaultRunner;
    this.concurrency = Math.max(1, options.concurrency ?? 1);
    this.previewEvery = options.previewEvery ?? 10;
    this.resolveDevice = options.resolveDevice ?? ((d) => (d === 'auto' ? 'cpu' : d));
    this.log = options.log ?? silent;
    this.persistEveryMs = options.persistEveryMs ?? 2000;
  }

  /** Loads the store; jobs that were queued or running when the last bridge died become `interrupted`. */
  async init(): Promise<void> {
    const jobs = await this.options.store.load((file, reason) =>
      this.log.warn({ file, reason }, 'skipped an unreadable job record'),
    );
    for (const job of jobs) {
      const events = new JobEventLog();
      const entry: Entry = { job, events, lastPersist: 0 };
      this.entries.set(job.id, entry);
      if (job.state === 'queued' || job.state === 'running') {
        job.state = 'interrupted';
        job.updatedAt = new Date().toISOString();
        await this.persist(entry);
      }
      if (job.state === 'failed' && job.error) events.push({ type: 'failed', jobId: job.id, error: job.error });
      if (job.state === 'cancelled') events.push({ type: 'cancelled', jobId: job.id });
    }
    if (jobs.length) this.log.info({ jobs: jobs.length }, 'job store loaded');
  }

  list(): JobSummary[] {
    return [...this.entries.values()].map((e) => ({ ...e.job })).sort((a, b) => (a.id < b.id ? 1 : -1));
  }

  get(id: string): JobSummary {
    return { ...this.entry(id).job };
  }

  /** History then live events of the job's current run. */
  events(id: string): Observable<JobEvent> {
    return this.entry(id).events.events();
  }

  /** Queues a new job. @throws ReenactError OUTPUT_EXISTS when an active job writes to the same folder. */
  async create(spec: JobSpec): Promise<JobSummary> {
    if (this.closing) throw new ReenactError('SHUTTING_DOWN', 'The bridge is shutting down; no new jobs are accepted.');
    this.assertFolderFree(spec.output.dir);
    const now = new Date().toISOString();
    const job: JobSummary = {
      id: newJobId(),
      state: 'queued',
      spec,
      device: spec.engine.device,
      createdAt: now,
      updatedAt: now,
      runs: 0,
    };
    const entry: Entry = { job, events: new JobEventLog(), lastPersist: 0 };
    this.entries.set(job.id, entry);
    // Queued before the record is saved: a cancel during the save finds the job in the queue (and nothing else).
    this.enqueue(entry);
    const snapshot = { ...job };
    await this.persist(entry);
    this.pump();
    this.log.info({ jobId: job.id, engine: spec.engine.name, output: spec.output.dir }, 'job queued');
    return snapshot;
  }

  /** Cancels a queued or running job. A running job stops at the pipeline's next abort check (< 1 s). */
  async cancel(id: string): Promise<JobSummary> {
    const entry = this.entry(id);
    const { job } = entry;
    if (job.state === 'queued') {
      const at = this.queue.indexOf(id);
      if (at >= 0) this.queue.splice(at, 1);
      await this.finish(entry, 'cancelled');
      entry.events.push({ type: 'cancelled', jobId: id });
    } else if (job.state === 'running') {
      entry.stopReason = 'cancel';
      entry.abort?.abort(new ReenactError('CANCELLED', 'Cancelled.'));
    } else {
      throw new ReenactError('CONFLICT', `Expected a queued or running job to cancel but job ${id} is ${job.state}.`, {
        details: { state: job.state },
      });
    }
    this.log.info({ jobId: id }, 'job cancel requested');
    return { ...job };
  }

  /** Runs an interrupted, failed or cancelled job again on the same output folder; valid frames are kept. */
  async resume(id: string): Promise<JobSummary> {
    const entry = this.entry(id);
    const { job } = entry;
    if (!['interrupted', 'failed', 'cancelled'].includes(job.state)) {
      throw new ReenactError(
        'CONFLICT',
        `Expected an interrupted, failed or cancelled job to resume but job ${id} is ${job.state}.`,
        { details: { state: job.state } },
      );
    }
    if (this.closing) throw new ReenactError('SHUTTING_DOWN', 'The bridge is shutting down; no jobs are started.');
    this.assertFolderFree(job.spec.output.dir, id);
    // Resume must keep what the folder holds: never start over, even if the first run asked to.
    job.spec = { ...job.spec, output: { ...job.spec.output, force: false } };
    job.state = 'queued';
    job.error = undefined;
    job.finishedAt = undefined;
    job.updatedAt = new Date().toISOString();
    entry.events.reset();
    entry.stopReason = undefined;
    this.enqueue(entry);
    const snapshot = { ...job };
    await this.persist(entry);
    this.pump();
    this.log.info({ jobId: id }, 'job resumed');
    return snapshot;
  }

  /** Forgets a finished job (its record, not its outputs). @throws ReenactError when it is queued or running. */
  async remove(id: string): Promise<void> {
    const { job } = this.entry(id);
    if (job.state === 'queued' || job.state === 'running') {
      throw new ReenactError(
        'CONFLICT',
        `Expected a finished job to remove but job ${id} is ${job.state}. Cancel it first.`,
        {
          details: { state: job.state },
        },
      );
    }
    this.entries.delete(id);
    await this.options.store.remove(id);
    this.log.info({ jobId: id }, 'job removed');
  }

  /** True while the job is queued or running (its outputs must not be touched). */
  isActive(id: string): boolean {
    const state = this.entry(id).job.state;
    return state === 'queued' || state === 'running';
  }

  /** Stops accepting work, aborts running jobs (they become `interrupted`), waits for them (bounded). */
  async close(timeoutMs = 5000): Promise<void> {
    this.closing = true;
    for (const id of this.queue.splice(0)) {
      const entry = this.entries.get(id);
      if (entry) await this.finish(entry, 'interrupted');
    }
    const running = [...this.entries.values()].filter((e) => e.running);
    for (const entry of running) {
      entry.stopReason = 'shutdown';
      entry.abort?.abort(new ReenactError('CANCELLED', 'The bridge is shutting down.'));
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled(running.map((e) => e.running)),
      new Promise((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    for (const entry of running) {
      if (entry.job.state === 'running') {
        entry.job.state = 'interrupted';
        await this.persist(entry);
      }
    }
    await this.options.store.flush();
  }

  // -------------------------------------------------------------------------------------------------------------

  private entry(id: string): Entry {
    const entry = this.entries.get(id);
    if (!entry) throw new ReenactError('NOT_FOUND', `No job with id ${id}.`);
    return entry;
  }

  private assertFolderFree(dir: string, self?: string): void {
    const wanted = path.resolve(dir);
    for (const { job } of this.entries.values()) {
      if (job.id === self || (job.state !== 'queued' && job.state !== 'running')) continue;
      if (path.resolve(job.spec.output.dir) === wanted) {
        throw new ReenactError(
          'OUTPUT_EXISTS',
          `Expected no other active job writing to ${wanted} but job ${job.id} is ${job.state} there. Cancel it or choose another output folder.`,
          { details: { jobId: job.id } },
        );
      }
    }
  }

  /** Puts the job in the queue; `pump()` starts it once its `queued` record is saved. */
  private enqueue(entry: Entry): void {
    this.queue.push(entry.job.id);
    entry.events.push({ type: 'queued', jobId: entry.job.id });
  }

  /** Starts queued jobs, oldest first, while their device has a free slot. */
  private pump(): void {
    if (this.closing) return;
    for (let i = 0; i < this.queue.length; ) {
      const entry = this.entries.get(this.queue[i]);
      if (!entry) {
        this.queue.splice(i, 1);
        continue;
      }
      const slot = this.resolveDevice(entry.job.device);
      if ((this.active.get(slot) ?? 0) >= this.concurrency) {
        i++;
        continue;
      }
      this.queue.splice(i, 1);
      this.active.set(slot, (this.active.get(slot) ?? 0) + 1);
      entry.running = this.run(entry).finally(() => {
        this.active.set(slot, (this.active.get(slot) ?? 1) - 1);
        entry.running = undefined;
        this.pump();
      });
    }
  }

  private async run(entry: Entry): Promise<void> {
    const { job } = entry;
    const abort = new AbortController();
    entry.abort = abort;
    const now = new Date().toISOString();
    job.state = 'running';
    job.startedAt = now;
    job.updatedAt = now;
    job.runs += 1;
    job.progress = undefined;
    await this.persist(entry);
    this.log.info({ jobId: job.id, run: job.runs }, 'job started');

    let manifestPath = path.join(job.spec.output.dir, 'reenact.json');
    const onEvent = (event: JobEvent) => {
      try {
        if (abort.signal.aborted && entry.stopReason) return; // late events of a stopped run
        if (event.type === 'done') manifestPath = event.manifestPath;
        if (event.type === 'queued' || event.type === 'done' || event.type === 'failed' || event.type === 'cancelled')
          return; // the manager reports the outcome itself, once
        if (event.type === 'progress') {
          const { type: _, jobId: __, ...progress } = event;
          job.progress = progress;
          if (Date.now() - entry.lastPersist > this.persistEveryMs) void this.persist(entry);
        }
        entry.events.push({ ...event, jobId: job.id });
      } catch (err) {
        this.log.warn({ jobId: job.id, err: messageOf(err) }, 'dropped a bad job event');
      }
    };

    let manifest: Manifest | undefined;
    let failure: unknown;
    try {
      // Promise.resolve().then: a runner that throws synchronously is caught like one that rejects.
      manifest = await Promise.resolve().then(() =>
        this.runner(job.spec, { jobId: job.id, signal: abort.signal, onEvent, previewEvery: this.previewEvery }),
      );
    } catch (err) {
      failure = err;
    }
    entry.abort = undefined;

    if (entry.stopReason === 'shutdown') {
      await this.finish(entry, 'interrupted');
      this.log.info({ jobId: job.id }, 'job interrupted by shutdown');
      return;
    }
    if (failure === undefined && manifest) {
      job.manifestPath = manifestPath;
      await this.finish(entry, 'done');
      entry.events.push({ type: 'done', jobId: job.id, manifestPath, manifest });
      this.log.info({ jobId: job.id, frames: manifest.frameCount }, 'job done');
      return;
    }
    const error = asReenactError(failure ?? new Error('The runner resolved without a manifest.'), 'ENGINE_FAILED');
    if (error.code === 'CANCELLED' || entry.stopReason === 'cancel') {
      await this.finish(entry, 'cancelled');
      entry.events.push({ type: 'cancelled', jobId: job.id });
      this.log.info({ jobId: job.id }, 'job cancelled');
      return;
    }
    job.error = { code: error.code, message: error.message };
    await this.finish(entry, 'failed');
    entry.events.push({ type: 'failed', jobId: job.id, error: job.error });
    this.log.error({ jobId: job.id, code: error.code, err: error.message }, 'job failed');
  }

  private async finish(entry: Entry, state: JobState): Promise<void> {
    const now = new Date().toISOString();
    entry.job.state = state;
    entry.job.finishedAt = now;
    entry.job.updatedAt = now;
    await this.persist(entry);
  }

  private async persist(entry: Entry): Promise<void> {
    entry.lastPersist = Date.now();
    entry.job.updatedAt = new Date().toISOString();
    try {
      await this.options.store.save(entry.job);
    } catch (err) {
      // A full disk must not kill the bridge; the state stays right in memory.
      this.log.error({ jobId: entry.job.id, err: messageOf(err) }, 'could not write the job record');
    }
  }
}
