/**
 * The Redis queue end to end on a real redis-server: submit → two workers → chunks → merged output equal to an
 * unchunked render; a worker killed mid-chunk (child process, kill -9) → the chunk is retried by the other worker and
 * the merged result is still identical; cancel; dead letters.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { cancelSubmission, deadJobs, queueStatus, submitJobs } from '../../bridge/src/jobs/queue.js';
import { queueRunner } from '../../bridge/src/jobs/queue-runner.js';
import { type RunningWorker, startWorker, type WorkerOptions } from '../../bridge/src/jobs/worker.js';
import { chunkName } from '../../bridge/src/pipeline/layout.js';
import { parseJobSpec } from '../../bridge/src/pipeline/parse.js';
import { renderJob } from '../../bridge/src/pipeline/render.js';
import type { JobSpec } from '../../bridge/src/pipeline/spec.js';
import { CLI, runCli } from '../helpers/cli.js';
import { frameHashes } from '../helpers/frames.js';
import { brightnessClip, ffmpeg, PORTRAIT, tempDir } from '../helpers/media.js';
import { startRedis, type TestRedis } from '../helpers/redis.js';
import { pngOf, tinyClip } from '../reliability/corpus.js';
import { collect, startTestBridge } from '../server/helpers.js';

const dir = tempDir();
let redis: TestRedis;
let driving = '';
let reference: Record<string, string>;

const spec = (out: string): JobSpec =>
  parseJobSpec({ source: PORTRAIT, driving, output: { dir: out }, engine: { name: 'fixture' }, fps: '50' });

async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}.`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function statusOf(id: string) {
  return (await queueStatus({ redis: redis.url })).find((s) => s.id === id)!;
}

/** An in-process worker closed when the test ends, also when it times out (a live worker takes later tests' chunks). */
async function testWorker(o: WorkerOptions): Promise<RunningWorker> {
  const worker = await startWorker(o);
  let closing: Promise<void> | undefined;
  const close = () => (closing ??= worker.close());
  onTestFinished(close);
  return { close };
}

beforeAll(async () => {
  redis = await startRedis();
  driving = path.join(dir, 'drive.mp4');
  await brightnessClip(driving, 24, 'sin(N/4)');
  await renderJob(spec(path.join(dir, 'reference')));
  reference = frameHashes(path.join(dir, 'reference'));
});

afterAll(async () => {
  await redis?.stop();
});

// Each test waits on workers through several steps (each waitFor up to a minute): the file's default 60 s per test
// is too short for them on a loaded machine, where a timed-out test also left its workers taking the next test's jobs.
describe('queue (BullMQ on redis-server)', { timeout: 180_000 }, () => {
  it('renders a submitted job as chunks on two workers and merges them, equal to an unchunked render', async () => {
    // A worker's stalled-job check claims a Redis key for its stalledInterval: the default 30 s would keep the next
    // test's workers from finding the killed worker's chunk for up to 30 s.
    const workers = await Promise.all(
      [1, 2].map(() => testWorker({ redis: redis.url, concurrency: 1, stalledInterval: 500 })),
    );
    try {
      const out = path.join(dir, 'two-workers');
      // A range past the clip (issue #20 item 6) is said once, at submit, and the job renders what the clip has.
      const long = parseJobSpec({ ...spec(out), range: '0-3000' });
      const [job] = await submitJobs([{ name: 'two', spec: long }], { redis: redis.url, chunkSize: 15 });
      expect(job).toMatchObject({ name: 'two', queue: 'reenact-auto', chunks: 4, frames: 48, output: out });
      expect(job.warnings).toEqual([
        `Range 0-3000 goes past the last frame of ${driving} (23): clip frames 0-23 are rendered, and recorded as the range.`,
      ]);
      const done = await waitFor('the merge', async () => {
        const s = await statusOf(job.id);
        return s.state === 'done' || s.state === 'failed' ? s : undefined;
      });
      expect(done).toMatchObject({
        state: 'done',
        chunks: { total: 4, done: 4, failed: 0 },
        frames: { total: 48, done: 48 },
        manifest: `${out}/reenact.json`,
      });
      expect(frameHashes(out)).toEqual(reference);
      expect(existsSync(path.join(out, 'chunks'))).toBe(false);
      // The CLI reads the same status.
      const cli = await runCli(['queue', 'status', '--json', '--redis', redis.url]);
      expect(cli.code).toBe(0);
      expect(JSON.parse(cli.stdout).jobs.find((j: { id: string }) => j.id === job.id).state).toBe('done');
      const table = await runCli(['queue', 'status', '--redis', redis.url]);
      expect(table.stdout).toMatch(new RegExp(`${job.id} +done +4/4 +48/48 +${out}`));
    } finally {
      await Promise.all(workers.map((w) => w.close()));
    }
  });

  it('lists every submission exactly once, with consistent counts, while its jobs move between states', async () => {
    // Status reads every state of the queue; a job that moves on between two reads (waiting → active, active →
    // completed) must be neither lost nor counted twice. Small jobs on a busy worker make many such moves.
    const small = pngOf(path.join(dir, 'flux.png'), 64, 64);
    const clip = await tinyClip(path.join(dir, 'flux.mp4'), { frames: 12 });
    const flux = (i: number) => ({
      name: `flux${i}`,
      spec: parseJobSpec({
        source: small,
        driving: clip,
        output: { dir: path.join(dir, `flux${i}`) },
        engine: { name: 'fixture' },
      }),
    });
    const jobs = await submitJobs(
      Array.from({ length: 6 }, (_, i) => flux(i)),
      { redis: redis.url, chunkSize: 3 },
    );
    const worker = await testWorker({ redis: redis.url, concurrency: 3 });
    const problems = new Set<string>();
    const doneBefore = new Map<string, number>();
    let polls = 0;
    try {
      for (const deadline = Date.now() + 120_000; Date.now() < deadline; polls++) {
        const all = await queueStatus({ redis: redis.url });
        for (const job of jobs) {
          const rows = all.filter((s) => s.id === job.id);
          if (rows.length !== 1) problems.add(`${job.id} listed ${rows.length} times`);
          for (const s of rows) {
            const { total, done, running, failed } = s.chunks;
            if (done + running + failed > total)
              problems.add(`${job.id}: ${done}+${running}+${failed} of ${total} chunks`);
            if (s.frames.done > s.frames.total) problems.add(`${job.id}: ${s.frames.done} of ${s.frames.total} frames`);
            if (done < (doneBefore.get(job.id) ?? 0)) problems.add(`${job.id}: done chunks went down`);
            doneBefore.set(job.id, done);
          }
        }
        if (jobs.every((j) => all.find((s) => s.id === j.id)?.state === 'done')) break;
      }
    } finally {
      await worker.close();
    }
    expect([...problems]).toEqual([]);
    expect(
      (await queueStatus({ redis: redis.url })).filter((s) => s.id.startsWith('flux')).map((s) => s.state),
    ).toEqual(jobs.map(() => 'done'));
    expect(polls).toBeGreaterThan(5);
  });

  it('retries the chunk of a worker killed mid-chunk; the merged result equals an uninterrupted run', async () => {
    const args = ['worker', '--redis', redis.url, '--lock-duration', '1500', '--stalled-interval', '500'];
    const logs = new Map<ChildProcess, string>();
    const startChild = () => {
      const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      logs.set(child, '');
      child.stdout!.on('data', (d) => logs.set(child, logs.get(child) + d.toString()));
      child.stderr!.on('data', (d) => logs.set(child, logs.get(child) + d.toString()));
      // Also when the test times out: a worker left running takes the next tests' chunks.
      onTestFinished(() => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      });
      return child;
    };
    const a = startChild();
    const b = startChild();
    await waitFor('two workers', async () =>
      [a, b].every((c) => logs.get(c)!.includes('reenact worker ready')) ? true : undefined,
    );
    // Worker A is stepped through its chunk: it runs in short slices and is stopped (SIGSTOP: it writes its PNGs
    // in-process, so nothing moves) while the test counts its frames, so the kill lands mid-chunk whatever the load.
    // (Catching the chunk in flight by polling missed a 0.8 s chunk on a busy machine; the test then timed out with
    // both workers alive, and worker B took the next test's chunks.) B waits stopped until A is dead.
    b.kill('SIGSTOP');
    const out = path.join(dir, 'killed');
    const [job] = await submitJobs([{ name: 'killed', spec: spec(out) }], { redis: redis.url, chunkSize: 24 });
    const started = () => [...logs.get(a)!.matchAll(/start (\S+-c(\d+)-(\d+))/g)].at(-1);
    await waitFor('worker A to start a chunk', async () => (started() ? true : undefined));
    a.kill('SIGSTOP');
    const [, chunkId, first, last] = started()!;
    const frames = path.join(out, 'chunks', chunkName({ start: Number(first), end: Number(last) }), 'frames');
    const written = () => (existsSync(frames) ? readdirSync(frames).filter((f) => f.endsWith('.png')).length : 0);
    for (let slices = 0; written() < 4; slices++) {
      if (slices > 2000) throw new Error(`Worker A wrote ${written()} frame(s) of ${chunkId} in 2000 slices.`);
      a.kill('SIGCONT');
      await new Promise((r) => setTimeout(r, 20));
      a.kill('SIGSTOP');
    }
    expect(written()).toBeLessThan(24 - 4); // mid-chunk: a slice of 20 ms renders a frame or two
    a.kill('SIGKILL');
    b.kill('SIGCONT');
    const done = await waitFor(
      'the merge after the retry',
      async () => {
        const s = await statusOf(job.id);
        return s.state === 'done' || s.state === 'failed' ? s : undefined;
      },
      100_000,
    );
    expect(done.state).toBe('done');
    expect(logs.get(b)).toContain(`start ${chunkId}`); // the other worker took the dead worker's chunk over
    expect(logs.get(a)).not.toContain(`done ${chunkId}`);
    expect(frameHashes(out)).toEqual(reference);
  });

  it('cancels a job: queued chunks never render and the job shows as cancelled', async () => {
    const out = path.join(dir, 'cancelled');
    const file = path.join(dir, 'cancel-me.json');
    writeFileSync(file, JSON.stringify({ ...spec(out), source: path.relative(dir, PORTRAIT) }));
    const submitted = await runCli(['queue', 'submit', file, '--chunk-size', '40', '--redis', redis.url, '--json']);
    expect(submitted.stderr).toBe('');
    const [job] = JSON.parse(submitted.stdout).jobs as { id: string }[];
    expect(job.id).toMatch(/^cancelled-[0-9a-f]{8}$/);
    expect((await statusOf(job.id)).state).toBe('queued');
    const r = await runCli(['queue', 'cancel', job.id, '--redis', redis.url]);
    expect(r.stdout).toBe(`cancelled ${job.id}\n`);
    const worker = await testWorker({ redis: redis.url });
    try {
      await waitFor('the chunks to fail', async () => ((await statusOf(job.id)).chunks.failed > 0 ? true : undefined));
      expect((await statusOf(job.id)).state).toBe('cancelled');
      expect(existsSync(path.join(out, 'frames'))).toBe(false);
      await expect(cancelSubmission({ redis: redis.url, id: 'nope' })).rejects.toThrow(
        'No queued job with id nope. See reenact queue status for the ids.',
      );
      // Once both chunks have ended, the cancelled job is finished: watch says so, remove --finished drops it.
      await waitFor('both chunks to end', async () =>
        (await statusOf(job.id)).chunks.failed === 2 ? true : undefined,
      );
      const watched = await runCli(['queue', 'watch', job.id, '--redis', redis.url]);
      expect({ code: watched.code, stderr: watched.stderr }).toEqual({
        code: 130,
        stderr: `reenact: Cancelled in the queue: ${job.id}.\n`,
      });
      const removed = await runCli(['queue', 'remove', '--finished', '--json', '--redis', redis.url]);
      expect(JSON.parse(removed.stdout).jobs).toContainEqual({ id: job.id, output: out });
      expect((await queueStatus({ redis: redis.url })).some((x) => x.id === job.id)).toBe(false);
    } finally {
      await worker.close();
    }
  });

  it('lists chunks that failed for good in the dead-letter view', async () => {
    const clip = path.join(dir, 'vanishing.mp4');
    await ffmpeg('-i', driving, '-c', 'copy', clip);
    const out = path.join(dir, 'dead');
    const s = { ...spec(out), driving: clip };
    const [job] = await submitJobs([{ name: 'dead', spec: s }], { redis: redis.url, chunkSize: 24, attempts: 2 });
    rmSync(clip); // the input disappears after submit: the chunks cannot render, and retrying cannot help
    const watching = runCli(['queue', 'watch', job.id, '--interval', '200', '--redis', redis.url]);
    const worker = await testWorker({ redis: redis.url });
    try {
      await waitFor('the job to fail', async () => ((await statusOf(job.id)).state === 'failed' ? true : undefined));
      const dead = (await deadJobs({ redis: redis.url })).filter((d) => d.submission === job.id);
      expect(dead.find((d) => d.kind === 'chunk')).toMatchObject({ name: 'dead', attempts: 1 });
      expect(dead.find((d) => d.kind === 'chunk')?.reason).toContain(clip);
      const cli = await runCli(['queue', 'dead', '--redis', redis.url]);
      expect(cli.stdout).toMatch(/^id +kind +frames +tries +reason\n/);
      expect(cli.stdout).toMatch(new RegExp(`\n${job.id}-c0-23 +chunk +0-23 +1 +File not found`));

      // Issue #20 item 9: status names the chunk's own cause, not BullMQ's "child … failed".
      expect((await statusOf(job.id)).error).toMatch(new RegExp(`^chunk (0-23|24-47): File not found \\(${clip}\\)`));
      const table = await runCli(['queue', 'status', '--redis', redis.url]);
      expect(table.stdout).toMatch(
        new RegExp(`${job.id} +failed .*\\(chunk (0-23|24-47): File not found \\(${clip}\\)`),
      );
      // watch ends with the job: exit 1 and the cause.
      const watched = await watching;
      expect(watched.code).toBe(1);
      expect(watched.stdout).toMatch(new RegExp(`(^|\n)${job.id} failed .*: chunk (0-23|24-47): File not found`));
      expect(watched.stderr).toMatch(new RegExp(`^reenact: 1 of 1 job\\(s\\) failed \\(${job.id}: chunk`));

      // The input is back: retry queues the job again under its id, and it renders as if nothing had happened. (The
      // other chunk is still taken and fails after the job has failed; a job with a running chunk cannot be retried.)
      await waitFor('both chunks to end', async () =>
        (await statusOf(job.id)).chunks.failed === 2 ? true : undefined,
      );
      await ffmpeg('-i', driving, '-c', 'copy', clip);
      const retried = await runCli(['queue', 'retry', `${job.id}-c0-23`, '--redis', redis.url]);
      expect(retried.stderr).toBe('');
      expect(retried.stdout).toBe(`queued ${job.id} again: 48 frames in 2 chunk(s) on reenact-auto → ${out}\n`);
      const done = await runCli(['queue', 'watch', job.id, '--interval', '200', '--redis', redis.url]);
      expect(done.code).toBe(0);
      expect(done.stdout.trim().split('\n').at(-1)).toBe(
        `${job.id} done 2/2 chunks, 48/48 frames → ${path.join(out, 'reenact.json')}`,
      );
      expect(frameHashes(out)).toEqual(reference);
      expect((await deadJobs({ redis: redis.url })).filter((d) => d.submission === job.id)).toEqual([]);
      const again = await runCli(['queue', 'retry', job.id, '--redis', redis.url]);
      expect(again.code).toBe(2);
      expect(again.stderr).toBe(
        `reenact: Expected a failed or cancelled job to retry but job ${job.id} is done. Submit it again to render it anew.\n`,
      );

      // remove drops the finished job from Redis and keeps its files.
      const removed = await runCli(['queue', 'remove', job.id, '--redis', redis.url]);
      expect(removed.stdout).toBe(`removed ${job.id} from the queue (its files in ${out} are kept)\n`);
      expect((await queueStatus({ redis: redis.url })).some((x) => x.id === job.id)).toBe(false);
      expect(frameHashes(out)).toEqual(reference);
    } finally {
      await worker.close();
    }
  });

  it('checks inputs at submit: a missing portrait queues nothing and exits 2', async () => {
    const file = path.join(dir, 'no-portrait.json');
    const missing = path.join(dir, 'nobody.png');
    writeFileSync(file, JSON.stringify({ ...spec(path.join(dir, 'never')), source: missing }));
    const before = (await queueStatus({ redis: redis.url })).length;
    const r = await runCli(['queue', 'submit', file, '--redis', redis.url]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^reenact: File not found \\(${missing}\\)\\.`));
    expect(r.stdout).toBe('');
    expect(await queueStatus({ redis: redis.url })).toHaveLength(before);
  });

  it('says once, without a stack trace, that Redis cannot be reached (exit 3)', async () => {
    const down = await startRedis();
    await down.stop(); // a port where nothing listens any more
    const line = `reenact: Cannot reach Redis at ${down.url} (connect ECONNREFUSED 127.0.0.1:${down.port}). Start redis-server or pass --redis redis://host:port.\n`;
    for (const args of [['queue', 'status'], ['queue', 'watch'], ['worker']]) {
      const r = await runCli([...args, '--redis', down.url], { timeoutMs: 20_000 });
      expect({ args, code: r.code, stderr: r.stderr }).toEqual({ args, code: 3, stderr: line });
    }
  });

  it('lets the bridge hand its jobs to the queue (reenact serve --queue)', async () => {
    const t = await startTestBridge({
      services: { runner: queueRunner({ redis: redis.url, chunkSize: 20, pollMs: 100 }) },
    });
    const worker = await testWorker({ redis: redis.url });
    try {
      const out = path.join(dir, 'via-bridge');
      const { job } = await t.client.createJob({
        source: PORTRAIT,
        driving,
        output: { dir: out },
        engine: { name: 'fixture' },
        fps: '50',
      });
      const events = await collect(t.client.jobEvents(job.id));
      const last = events.at(-1);
      // A failure shows its own error, not only that it was not 'done'.
      expect(last?.type === 'failed' ? last.error : last?.type).toBe('done');
      expect(last).toMatchObject({ type: 'done', manifestPath: path.join(out, 'reenact.json') });
      expect(events.find((e) => e.type === 'started')).toMatchObject({ totalFrames: 48, device: 'queue:reenact-auto' });
      expect(frameHashes(out)).toEqual(reference);
    } finally {
      await worker.close();
      await t.bridge.close();
      rmSync(t.dataDir, { recursive: true, force: true });
    }
  });
});
