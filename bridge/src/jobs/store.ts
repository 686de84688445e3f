/**
 * The job store, in `<data>/jobs/` (folder 0700, files 0600: they name the user's projects): per job a small record
 * `<id>.json` (state, progress, times), written atomically on every state change and progress save, and its spec
 * `<id>.spec.json`, written only when the spec changes (create, resume) — a spec with long control curves is not
 * rewritten every two seconds. So a bridge that crashed or was killed can list what it was doing and resume it.
 * Frames themselves live in each job's output folder; the pipeline resumes those by itself.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { JobIdSchema, type JobState, type JobSummary } from '../api/schema.js';
import { messageOf } from '../errors.js';
import { type JobSpec, JobSpecSchema } from '../pipeline/spec.js';
import { ensurePrivateDir, PRIVATE_FILE_MODE } from '../util/fs.js';
import { readJson, writeJsonAtomic } from './atomic.js';

const STATES: readonly JobState[] = ['queued', 'running', 'done', 'failed', 'cancelled', 'interrupted'];

export class JobStore {
  readonly dir: string;
  /** Last write per job: writes of one job are chained so an older snapshot never lands after a newer one. */
  private readonly writes = new Map<string, Promise<void>>();
  /** The spec object last written per job: a job's spec is replaced (never edited) when it changes. */
  private readonly writtenSpecs = new Map<string, JobSpec>();

  constructor(dir: string) {
    this.dir = dir;
  }

  fileOf(id: string): string {
    return path.join(this.dir, `${id}.json`);
  }

  specFileOf(id: string): string {
    return path.join(this.dir, `${id}.spec.json`);
  }

  /** Every stored job, oldest first. Files that do not parse are reported through `onSkip` and left alone. */
  async load(onSkip: (file: string, reason: string) => void = () => {}): Promise<JobSummary[]> {
    await ensurePrivateDir(this.dir);
    const names = (await fs.readdir(this.dir)).filter((n) => n.endsWith('.json') && !n.endsWith('.spec.json')).sort();
    const jobs: JobSummary[] = [];
    for (const name of names) {
      const file = path.join(this.dir, name);
      // Records an older version wrote 0644 (project paths others could read) become owner-only.
      if (process.platform !== 'win32') await fs.chmod(file, PRIVATE_FILE_MODE).catch(() => {});
      try {
        const record = (await readJson(file)) as Partial<JobSummary> | undefined;
        // Records of older versions hold their spec; theirs is written to its own file on the next save.
        const inline = typeof record === 'object' && record !== null && 'spec' in record;
        const spec = inline ? record.spec : await readJson(this.specFileOf(String(record?.id)));
        const job = parseRecord({ ...record, spec });
        if (!inline) this.writtenSpecs.set(job.id, job.spec);
        jobs.push(job);
      } catch (err) {
        onSkip(file, messageOf(err));
      }
    }
    return jobs;
  }

  /** Persists a snapshot of `job` (atomic; chained per job): its record, and its spec when that changed. */
  save(job: JobSummary): Promise<void> {
    const { spec, ...summary } = job;
    const record = structuredClone(summary);
    const newSpec = this.writtenSpecs.get(job.id) === spec ? undefined : structuredClone(spec);
    this.writtenSpecs.set(job.id, spec);
    const previous = this.writes.get(job.id) ?? Promise.resolve();
    const next = previous
      .catch(() => {})
      .then(async () => {
        if (newSpec) await writeJsonAtomic(this.specFileOf(job.id), newSpec, PRIVATE_FILE_MODE);
        await writeJsonAtomic(this.fileOf(job.id), record, PRIVATE_FILE_MODE);
      });
    this.writes.set(job.id, next);
    const settled = () => {
      if (this.writes.get(job.id) === next) this.writes.delete(job.id);
    };
    // Handled here as well as by the caller: a failed write (full disk) must never become an unhandled rejection,
    // which would end the bridge. A failed spec write is tried again by the next save.
    next.then(settled, () => {
      settled();
      if (this.writtenSpecs.get(job.id) === spec) this.writtenSpecs.delete(job.id);
    });
    return next;
  }

  async remove(id: string): Promise<void> {
    await (this.writes.get(id) ?? Promise.resolve()).catch(() => {});
    await fs.rm(this.fileOf(id), { force: true });
    await fs.rm(this.specFileOf(id), { force: true });
    this.writtenSpecs.delete(id);
  }

  /** Waits for every pending write (shutdown). */
  async flush(): Promise<void> {
    await Promise.allSettled([...this.writes.values()]);
  }
}

function parseRecord(value: unknown): JobSummary {
  if (typeof value !== 'object' || value === null) throw new Error('not a JSON object');
  const record = value as JobSummary;
  JobIdSchema.parse(record.id);
  if (!STATES.includes(record.state)) throw new Error(`unknown state ${JSON.stringify(record.state)}`);
  return { ...record, spec: JobSpecSchema.parse(record.spec) };
}
