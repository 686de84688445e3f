/**
 * Queue throughput: one chunked meshwarp job through the Redis queue with 1 vs 2 local `reenact worker` processes
 * (real child processes of the built CLI, a real redis-server on loopback). Runs alternate (1, 2, 1, 2 …) so load
 * from other processes hits both alike; the best time of each is kept. On a 2-core machine the ratio shows how much
 * a second worker adds when one worker's render already uses most of a core (ffmpeg decode/encode run beside it).
 *
 *   node --import tsx bench/queue.ts            (needs `npm run build` and redis-server)
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { queueStatus, submitJobs } from '../bridge/src/jobs/queue.js';
import { parseJobSpec } from '../bridge/src/pipeline/parse.js';
import { renderJob } from '../bridge/src/pipeline/render.js';
import { DRIVING, PORTRAIT } from '../test/helpers/media.js';
import { startRedis } from '../test/helpers/redis.js';
import { benchDir, type Row } from './lib.js';

const CLI = path.resolve(import.meta.dirname, '..', 'bridge', 'dist', 'cli', 'main.js');

export interface QueueBenchOptions {
  /** Driving frames of driving-talk.mp4 (default 60). */
  frames?: number;
  chunkSize?: number;
  /** Alternating rounds (default 2). */
  rounds?: number;
}

function startWorker(redis: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [CLI, 'worker', '--redis', redis], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('reenact worker ready')) resolve(child);
    });
    child.on('exit', (code) => reject(new Error(`worker exited ${code}`)));
  });
}

/**
 * CPU seconds a worker and its reaped children (ffmpeg) have used: utime+stime+cutime+cstime from /proc (Linux, 100
 * ticks/s). A load-independent figure: wall time on a busy machine depends on everyone else, CPU time per frame does not.
 */
function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return fields.slice(11, 15).reduce((sum, v) => sum + Number(v), 0) / 100;
  } catch {
    return Number.NaN;
  }
}

async function runOnce(redis: string, workers: number, o: Required<QueueBenchOptions>, round: number) {
  const children = await Promise.all(Array.from({ length: workers }, () => startWorker(redis)));
  const out = path.join(benchDir, `queue-${workers}-${round}`);
  try {
    const spec = parseJobSpec({
      source: PORTRAIT,
      driving: DRIVING,
      range: { start: 0, end: o.frames - 1 },
      output: { dir: out },
    });
    const t0 = performance.now();
    const [job] = await submitJobs([{ name: `bench-${workers}`, spec }], { redis, chunkSize: o.chunkSize });
    for (;;) {
      const s = (await queueStatus({ redis })).find((x) => x.id === job.id);
      if (s?.state === 'done') break;
      if (s?.state === 'failed') throw new Error(`bench job failed: ${s.error}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const seconds = (performance.now() - t0) / 1000;
    const cpu = children.reduce((sum, c) => sum + cpuSeconds(c.pid!), 0);
    return { seconds, cpu };
  } finally {
    for (const c of children) c.kill('SIGTERM');
    rmSync(out, { recursive: true, force: true });
  }
}

/** Seconds and frames/s for 1 and 2 workers, and the ratio of their throughputs. */
export async function benchQueue(options: QueueBenchOptions = {}): Promise<Row[]> {
  const o = { frames: 60, chunkSize: 10, rounds: 2, ...options };
  const redis = await startRedis();
  try {
    // Warm the face-track cache and the model cache so every timed run does the same work.
    await renderJob(
      parseJobSpec({
        source: PORTRAIT,
        driving: DRIVING,
        range: { start: 0, end: o.frames - 1 },
        output: { dir: path.join(benchDir, 'queue-warm'), force: true },
      }),
    );
    const best = { 1: { seconds: Number.POSITIVE_INFINITY, cpu: 0 }, 2: { seconds: Number.POSITIVE_INFINITY, cpu: 0 } };
    for (let r = 0; r < o.rounds; r++) {
      for (const w of [1, 2] as const) {
        const run = await runOnce(redis.url, w, o, r);
        if (run.seconds < best[w].seconds) best[w] = run;
      }
    }
    const fps = (s: number) => o.frames / s;
    return ([1, 2] as const).map((w) => ({
      workers: w,
      frames: o.frames,
      chunks: Math.ceil(o.frames / o.chunkSize),
      seconds: best[w].seconds.toFixed(2),
      'frames/s': fps(best[w].seconds).toFixed(2),
      'ratio to 1 worker': (fps(best[w].seconds) / fps(best[1].seconds)).toFixed(2),
      'worker CPU s/frame': (best[w].cpu / o.frames).toFixed(3),
      'CPU cores busy': (best[w].cpu / best[w].seconds).toFixed(2),
    }));
  } finally {
    await redis.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { table } = await import('./lib.js');
  const { cpus } = await import('node:os');
  console.log(
    `${cpus().length}× ${cpus()[0]?.model}, load ${(await import('node:os'))
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}`,
  );
  console.log(table('Queue throughput: 1 vs 2 local workers (meshwarp, chunks of 10)', await benchQueue()));
}
