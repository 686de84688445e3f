/**
 * The job store: one JSON file per job in `<data>/jobs/` (folder 0700, files 0600: they name the user's projects),
 * written atomically on every state change, so a bridge that crashed or was killed can list what it was doing and
 * resume it. Frames themselves live in each job's
 * output folder; the pipeline resumes those by itself.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { JobIdSchema, type JobState, type JobSummary } from '../api/schema.js';
import { JobSpecSchema } from '../pipeline/spec.js';
import { ensurePrivateDir, PRIVATE_FILE_MODE } from '../util/fs.js';
import { readJson, writeJsonAtomic } from './atomic.js';

const STATES: readonly JobState[] = ['queued', 'running', 'done', 'failed', 'cancelled', 'interrupted'];

export class JobStore {
  readonly dir: string;
  /** Last write per job: writes of one job are chained so an older snapshot never lands after a newer one. */
  private readonly writes = new Map<string, Promise<void>>();

  constructor(dir: string) {
    this.dir = dir;
  }

  fileOf(id: string): string {
    return path.join(this.dir, `${id}.json`);
  }

  /** Every stored job, oldest first. Files that do not parse are reported through `onSkip` and left alone. */
  async load(onSkip: (file: string, reason: string) => void = () => {}): Promise<JobSummary[]> {
    await ensurePrivateDir(this.dir);
    const names = (await fs.readdir(this.dir)).filter((n) => n.endsWith('.json')).sort();
    const jobs: JobSummary[] = [];
    for (const name of names) {
      const file = path.join(this.dir, name);
      // Records an older version wrote 0644 (project paths others could read) become owner-only.
      if (process.platform !== 'win32') await fs.chmod(file, PRIVATE_FILE_MODE).catch(() => {});
      try {
        jobs.push(parseRecord(await readJson(file)));
      } catch (err) {
        onSkip(file, (err as Error).message);
      }
    }
    return jobs;
  }

  /** Persists a snapshot of `job` (atomic; chained per job). */
  save(job: JobSummary): Promise<void> {
    const snapshot = structuredClone(job);
    const previous = this.writes.get(job.id) ?? Promise.resolve();
    const next = previous.catch(() => {}).then(() => writeJsonAtomic(this.fileOf(job.id), snapshot, PRIVATE_FILE_MODE));
    this.writes.set(job.id, next);
    void next.finally(() => {
      if (this.writes.get(job.id) === next) this.writes.delete(job.id);
    });
    return next;
  }

  async remove(id: string): Promise<void> {
    await (this.writes.get(id) ?? Promise.resolve()).catch(() => {});
    await fs.rm(this.fileOf(id), { force: true });
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
