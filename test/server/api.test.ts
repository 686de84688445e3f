/**
 * The bridge end to end in-process: a real server on a random loopback port, driven by the typed client, running
 * real render jobs (the pipeline's fixture engine on clips generated with ffmpeg).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultRunner } from '../../bridge/src/jobs/runner.js';
import { isCompletePngFile } from '../../bridge/src/media/png-sequence.js';
import type { JobEvent } from '../../bridge/src/pipeline/events.js';
import type { Manifest } from '../../bridge/src/pipeline/spec.js';
import {
  collect,
  eventTypes,
  expectApiError,
  fileHashes,
  makeMedia,
  startTestBridge,
  type TestBridge,
  tempDir,
  waitFor,
} from './helpers.js';

let t: TestBridge;
let work: string;
let short: { source: string; driving: string };
let long: { source: string; driving: string };
const LONG = 150;

beforeAll(async () => {
  work = await tempDir();
  short = await makeMedia(work, 12);
  long = await makeMedia(work, LONG);
  t = await startTestBridge({
    previewEvery: 5,
    services: {
      // The real pipeline, except a job writing to a folder named "boom" gets a runner that throws (a crashing
      // engine); engine options are the engine's own, checked strictly, so they cannot carry the marker.
      runner: (spec, options) => {
        const dir = typeof spec.output === 'string' ? spec.output : spec.output?.dir;
        if (path.basename(dir ?? '') === 'boom') throw new Error('engine exploded');
        return defaultRunner(spec, options);
      },
    },
  });
});

afterAll(async () => {
  await t?.bridge.close();
});

const spec = (out: string, media = short) => ({
  source: media.source,
  driving: media.driving,
  output: { dir: path.join(work, out) },
  engine: { name: 'fixture' },
});

const progressOf = (events: JobEvent[]) =>
  events.filter((e): e is Extract<JobEvent, { type: 'progress' }> => e.type === 'progress');

describe('bridge API', () => {
  it('answers health with version and pid, and lists engines and devices', async () => {
    const health = await t.client.health();
    expect(health).toMatchObject({ ok: true, name: 'reenact', version: '0.1.0', pid: process.pid });
    expect(health.memory.rss).toBeGreaterThan(0);
    const { devices } = await t.client.devices();
    expect(devices.find((d) => d.name === 'cpu')).toEqual({ name: 'cpu', available: true });
    const { engines } = await t.client.engines();
    expect(engines.filter((e) => e.available).map((e) => e.name)).toEqual(['meshwarp', 'fixture']);
    // The suite's cache folder holds no LivePortrait weights.
    expect(engines.find((e) => e.name === 'liveportrait')?.reason).toMatch(
      /^Models are not installed \(\d+ of \d+ missing\): run `reenact models install`\.$/,
    );
  });

  it('probes a file', async () => {
    const info = await t.client.probe(short.driving);
    expect(info).toMatchObject({ kind: 'video', width: 64, height: 48, frameCount: 12, fps: { num: 25, den: 1 } });
  });

  it('runs a real job: events in order, frames on disk, manifest correct', async () => {
    const { job } = await t.client.createJob(spec('run1'));
    expect(job.state).toBe('queued');
    expect(job.id).toMatch(/^j-\d{8}-\d{6}-[0-9a-f]{8}$/);
    const events = await collect(t.client.jobEvents(job.id));
    const types = eventTypes(events);
    expect(types[0]).toBe('queued');
    expect(types.at(-1)).toBe('done');
    expect(types.indexOf('started')).toBeLessThan(types.findIndex((x) => x === 'progress' || x === 'preview'));
    const progress = progressOf(events).filter((p) => p.stage === 'render');
    expect(progress.map((p) => p.done)).toEqual([...progress.map((p) => p.done)].sort((a, b) => a - b));
    expect(progress.at(-1)).toMatchObject({ done: 12, total: 12 });
    const preview = events.find((e): e is Extract<JobEvent, { type: 'preview' }> => e.type === 'preview');
    expect(preview).toBeDefined();
    expect(PNG.sync.read(Buffer.from(preview!.data, 'base64')).width).toBe(preview!.width);
    expect(events.every((e) => e.jobId === job.id)).toBe(true);

    const done = events.at(-1) as Extract<JobEvent, { type: 'done' }>;
    const out = path.join(work, 'run1');
    expect(done.manifestPath).toBe(path.join(out, 'reenact.json'));
    const manifest = JSON.parse(await fs.readFile(done.manifestPath, 'utf8')) as Manifest;
    expect(manifest).toMatchObject({ complete: true, frameCount: 12, width: 320, height: 240, fps: '25' });
    expect(manifest.engine.name).toBe('fixture');
    const files = (await fs.readdir(path.join(out, 'frames'))).sort();
    expect(files).toEqual(manifest.frames.map((f) => `frame_${String(f.index).padStart(5, '0')}.png`));
    for (const frame of manifest.frames) {
      const file = path.join(out, 'frames', `frame_${String(frame.index).padStart(5, '0')}.png`);
      const png = PNG.sync.read(await fs.readFile(file));
      expect([png.width, png.height]).toEqual([320, 240]);
    }

    const detail = await t.client.getJob(job.id);
    expect(detail.job).toMatchObject({ id: job.id, state: 'done', runs: 1, manifestPath: done.manifestPath });
    expect(detail.manifest?.frameCount).toBe(12);
    const { jobs } = await t.client.listJobs();
    expect(jobs.map((j) => j.id)).toContain(job.id);

    // The detail reads the manifest as the pipeline does: a file reenact did not write is not passed off as one.
    await fs.writeFile(done.manifestPath, JSON.stringify({ frames: 'hand-edited', spec: { source: 1 } }));
    expect(await t.client.getJob(job.id)).toEqual({ job: detail.job });
  });

  it('gives a late subscriber the whole story, and the job state first', async () => {
    const { job } = await t.client.createJob(spec('late'));
    await collect(t.client.jobEvents(job.id));
    const messages = await collect(t.client.jobMessages(job.id, { previews: false }));
    expect(messages[0]).toMatchObject({ type: 'job', job: { id: job.id, state: 'done' } });
    const types = messages.slice(1).map((m) => (m.type === 'event' ? m.event.type : m.type));
    expect(types).toEqual(['queued', 'started', 'progress', 'done']); // compacted: the latest progress only
  });

  it('cancels a running job within 1 s, leaving only complete frames, and resumes it to the full set', async () => {
    const { job } = await t.client.createJob(spec('cancel', long));
    const seen: JobEvent[] = [];
    const stream = collect(t.client.jobEvents(job.id, { previews: false }));
    const sub = t.client.jobEvents(job.id).subscribe((e) => seen.push(e));
    await waitFor(() => seen.some((e) => e.type === 'progress' && e.stage === 'render' && e.done >= 5));
    const asked = Date.now();
    await t.client.cancelJob(job.id);
    const events = await stream;
    expect(Date.now() - asked).toBeLessThan(1000);
    expect(events.at(-1)?.type).toBe('cancelled');
    sub.unsubscribe();
    expect((await t.client.getJob(job.id)).job.state).toBe('cancelled');

    const dir = path.join(work, 'cancel', 'frames');
    const files = await fs.readdir(dir);
    expect(files.length).toBeGreaterThanOrEqual(5);
    expect(files.length).toBeLessThan(LONG);
    expect(files.every((f) => /^frame_\d{5}\.png$/.test(f))).toBe(true); // no partial or temp files
    for (const f of files) expect(await isCompletePngFile(path.join(dir, f))).toBe(true);

    await expectApiError(t.client.cancelJob(job.id), {
      status: 409,
      code: 'CONFLICT',
      message: `Expected a queued or running job to cancel but job ${job.id} is cancelled.`,
    });

    const resumed = await t.client.resumeJob(job.id);
    expect(resumed.job).toMatchObject({ state: 'queued', runs: 1 });
    const after = await collect(t.client.jobEvents(job.id, { previews: false }));
    expect(after.at(-1)?.type).toBe('done');
    expect((await t.client.getJob(job.id)).job).toMatchObject({ state: 'done', runs: 2 });

    // The same frames, byte for byte, as an uninterrupted run.
    const { job: straight } = await t.client.createJob(spec('straight', long));
    await collect(t.client.jobEvents(straight.id, { previews: false }));
    const a = await fileHashes(path.join(work, 'cancel', 'frames'));
    const b = await fileHashes(path.join(work, 'straight', 'frames'));
    expect(Object.keys(a)).toHaveLength(LONG);
    expect(a).toEqual(b);
  });

  it('runs one job at a time per device, in order, and cancels a queued job', async () => {
    const first = (await t.client.createJob(spec('q1', long))).job;
    const second = (await t.client.createJob(spec('q2'))).job;
    expect((await t.client.getJob(second.id)).job.state).toBe('queued');
    await t.client.cancelJob(second.id);
    expect((await t.client.getJob(second.id)).job.state).toBe('cancelled');
    expect(eventTypes(await collect(t.client.jobEvents(second.id)))).toEqual(['queued', 'cancelled']);
    await t.client.cancelJob(first.id);
    await collect(t.client.jobEvents(first.id));
  });

  it('refuses a second active job on the same output folder', async () => {
    const first = (await t.client.createJob(spec('busy', long))).job;
    await expectApiError(t.client.createJob(spec('busy')), {
      status: 409,
      code: 'OUTPUT_EXISTS',
      message: `Expected no other active job writing to ${path.join(work, 'busy')} but job ${first.id} is running there. Cancel it or choose another output folder.`,
    });
    await t.client.cancelJob(first.id);
    await collect(t.client.jobEvents(first.id));
  });

  it('fails a job whose input the pipeline refuses, with the pipeline message', async () => {
    const { job } = await t.client.createJob({ ...spec('still'), driving: short.source });
    const events = await collect(t.client.jobEvents(job.id));
    expect(events.at(-1)).toEqual({
      type: 'failed',
      jobId: job.id,
      error: {
        code: 'BAD_INPUT',
        message: `Expected a video clip for the driving performance but received a still image (${short.source}). Pick the performance footage.`,
      },
    });
  });

  it('survives a runner that throws: the job fails with the message, the server keeps serving', async () => {
    const { job } = await t.client.createJob(spec('boom'));
    const events = await collect(t.client.jobEvents(job.id));
    expect(events.at(-1)).toEqual({
      type: 'failed',
      jobId: job.id,
      error: { code: 'ENGINE_FAILED', message: 'engine exploded' },
    });
    expect((await t.client.getJob(job.id)).job.error).toEqual({ code: 'ENGINE_FAILED', message: 'engine exploded' });
    expect((await t.client.health()).ok).toBe(true);
  });

  it('deletes only what the job wrote, inside its output folder', async () => {
    const { job } = await t.client.createJob(spec('del'));
    await collect(t.client.jobEvents(job.id));
    const out = path.join(work, 'del');
    await fs.writeFile(path.join(out, 'notes.txt'), 'mine');
    const { deleted } = await t.client.deleteOutputs(job.id);
    expect(deleted).toHaveLength(13); // 12 frames + reenact.json
    expect(await fs.readdir(out)).toEqual(['notes.txt']);
    expect((await t.client.deleteOutputs(job.id)).deleted).toEqual([]);
  });

  it('forgets a finished job, and refuses to forget a running one', async () => {
    const { job } = await t.client.createJob(spec('forget'));
    await collect(t.client.jobEvents(job.id));
    expect(await t.client.removeJob(job.id)).toEqual({ ok: true, id: job.id });
    expect((await t.client.listJobs()).jobs.map((j) => j.id)).not.toContain(job.id);
    await expect(fs.access(path.join(t.dataDir, 'jobs', `${job.id}.json`))).rejects.toThrow();
    await fs.access(path.join(work, 'forget', 'reenact.json')); // outputs stay

    const running = (await t.client.createJob(spec('forget2', long))).job;
    await expectApiError(t.client.removeJob(running.id), {
      status: 409,
      code: 'CONFLICT',
      message: `Expected a finished job to remove but job ${running.id} is running. Cancel it first.`,
    });
    await t.client.cancelJob(running.id);
    await collect(t.client.jobEvents(running.id));
  });

  it('answers 503 SHUTTING_DOWN to new work while the bridge stops', async () => {
    const stopping = await startTestBridge();
    await stopping.bridge.manager.close();
    await expectApiError(stopping.client.createJob(spec('late')), {
      status: 503,
      code: 'SHUTTING_DOWN',
      message: 'The bridge is shutting down; no new jobs are accepted.',
    });
  });

  it('answers 404 for an unknown job, over HTTP and WebSocket', async () => {
    const id = 'j-20260101-000000-00000000';
    await expectApiError(t.client.getJob(id), { status: 404, code: 'NOT_FOUND', message: `No job with id ${id}.` });
    await expect(collect(t.client.jobEvents(id))).rejects.toThrow(
      `The event stream of job ${id} closed: Unexpected server response: 404.`,
    );
  });
});
