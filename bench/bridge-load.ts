/**
 * Bridge load: N concurrent clients (default 50) against a real `reenact serve` child process on loopback, for a
 * bounded time (default 60 s; `--seconds`, `--clients`). Each client polls the job list, the current job and
 * health, and streams the current job's events over WebSocket; a feeder keeps one real render job (fixture
 * engine) running throughout. Reports errors, request and event rates, and the bridge's RSS at start and end.
 *
 *   node --import tsx bench/bridge-load.ts --seconds 60
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { type BridgeClient, createClient } from '../bridge/src/api/client.js';
import { messageOf } from '../bridge/src/errors.js';
import { ffmpegPaths } from '../bridge/src/media/locator.js';
import { runProcess } from '../bridge/src/media/run.js';

export interface LoadOptions {
  seconds?: number;
  clients?: number;
  /** Delay between one client's polls (ms, default 100: a panel polls far less often). */
  pollMs?: number;
  /** Frames of the driving clip each job renders. */
  frames?: number;
}

export interface LoadReport {
  seconds: number;
  clients: number;
  requests: number;
  requestsPerSecond: number;
  errors: number;
  errorSamples: string[];
  events: number;
  streams: number;
  jobs: number;
  p50Ms: number;
  p99Ms: number;
  rssStartMiB: number;
  rssEndMiB: number;
  heapStartMiB: number;
  heapEndMiB: number;
  /** The bridge's RSS every `sampleEvery` seconds (MiB). */
  rssSamplesMiB: number[];
}

const ROOT = path.resolve(import.meta.dirname, '..');
const MiB = 1024 * 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function makeMedia(dir: string, frames: number): Promise<{ source: string; driving: string }> {
  const ffmpeg = ffmpegPaths().ffmpeg;
  const source = path.join(dir, 'portrait.png');
  const driving = path.join(dir, 'driving.mp4');
  const q = ['-v', 'error', '-nostdin', '-y'];
  await runProcess(ffmpeg, [...q, '-f', 'lavfi', '-i', 'testsrc2=size=320x240', '-frames:v', '1', source]);
  await runProcess(ffmpeg, [
    ...q,
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=64x48:rate=25`,
    '-frames:v',
    String(frames),
    '-c:v',
    'libx264rgb',
    '-qp',
    '0',
    driving,
  ]);
  return { source, driving };
}

function startServe(dataDir: string): Promise<{ child: ChildProcess; port: number; token: string }> {
  const child = spawn(
    process.execPath,
    // The compiled bridge, as users run it (jobs render in a thread of their own; REENACT_RENDER_IN_PROCESS=1 not).
    [path.join(ROOT, 'bridge/dist/cli/main.js'), 'serve', '--data-dir', dataDir],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolve({ child, ...JSON.parse(out.slice(0, out.indexOf('\n'))) });
    });
    child.on('exit', (code) => reject(new Error(`reenact serve exited ${code}`)));
  });
}

export async function runLoad(options: LoadOptions = {}): Promise<LoadReport> {
  const seconds = options.seconds ?? 60;
  const clients = options.clients ?? 50;
  const pollMs = options.pollMs ?? 100;
  const work = mkdtempSync(path.join(os.tmpdir(), 'reenact-load-'));
  const media = await makeMedia(work, options.frames ?? 100);
  const served = await startServe(path.join(work, 'data'));
  const url = `http://127.0.0.1:${served.port}`;
  const feeder = createClient({ url, token: served.token, WebSocket });
  const errors: string[] = [];
  const latencies: number[] = [];
  let requests = 0;
  let events = 0;
  let streams = 0;
  let jobs = 0;
  let current: string | undefined;
  let stop = false;

  const timed = async (fn: () => Promise<unknown>) => {
    const t = performance.now();
    try {
      await fn();
      latencies.push(performance.now() - t);
    } catch (err) {
      errors.push(messageOf(err));
    }
    requests++;
  };

  // Feeder: one real render job at a time, the next as soon as one ends.
  const feed = (async () => {
    while (!stop) {
      try {
        const { job } = await feeder.createJob({
          source: media.source,
          driving: media.driving,
          output: { dir: path.join(work, 'out', String(jobs)) },
          engine: { name: 'fixture' },
        });
        jobs++;
        current = job.id;
        while (!stop && (await feeder.getJob(job.id)).job.state !== 'done') await sleep(100);
      } catch (err) {
        errors.push(`feeder: ${messageOf(err)}`);
        await sleep(200);
      }
    }
  })();
  while (!current) await sleep(20);

  const warm = await feeder.health();
  const open = new Set<{ unsubscribe(): void }>();
  const clientLoop = async (client: BridgeClient, n: number) => {
    let streaming = false;
    let step = n; // clients start at different points of the cycle
    while (!stop) {
      const id = current!;
      if (!streaming) {
        // One event stream per client at a time: the current job's, then the next one's.
        streaming = true;
        streams++;
        const sub = client.jobEvents(id, { previews: n % 2 === 0 }).subscribe({
          next: () => {
            events++;
          },
          error: (err) => {
            if (!stop) errors.push(`stream: ${messageOf(err)}`);
            open.delete(sub);
            streaming = false;
          },
          complete: () => {
            open.delete(sub);
            streaming = false;
          },
        });
        if (!sub.closed) open.add(sub);
      }
      const which = step++ % 3;
      if (which === 0) await timed(() => client.listJobs());
      else if (which === 1) await timed(() => client.getJob(id));
      else await timed(() => client.health());
      await sleep(pollMs);
    }
  };
  const started = performance.now();
  const loops = Array.from({ length: clients }, (_, n) =>
    clientLoop(createClient({ url, token: served.token, WebSocket }), n),
  );
  const samples: number[] = [];
  const sampleEvery = Math.max(1, Math.min(10, seconds / 6));
  const sampler = setInterval(() => {
    feeder.health().then(
      (h) => samples.push(Math.round((h.memory.rss / MiB) * 10) / 10),
      () => {},
    );
  }, sampleEvery * 1000);
  await sleep(seconds * 1000);
  clearInterval(sampler);
  stop = true;
  await Promise.all(loops);
  for (const sub of open) sub.unsubscribe();
  const elapsed = (performance.now() - started) / 1000;
  await feed;
  const end = await feeder.health();
  await feeder.shutdown().catch(() => {});
  await new Promise((r) => served.child.once('exit', r));
  rmSync(work, { recursive: true, force: true });

  latencies.sort((a, b) => a - b);
  const round = (v: number) => Math.round(v * 10) / 10;
  return {
    seconds: round(elapsed),
    clients,
    requests,
    requestsPerSecond: round(requests / elapsed),
    errors: errors.length,
    errorSamples: [...new Set(errors)].slice(0, 5),
    events,
    streams,
    jobs,
    p50Ms: round(latencies[Math.floor(latencies.length * 0.5)] ?? 0),
    p99Ms: round(latencies[Math.floor(latencies.length * 0.99)] ?? 0),
    rssStartMiB: round(warm.memory.rss / MiB),
    rssEndMiB: round(end.memory.rss / MiB),
    heapStartMiB: round(warm.memory.heapUsed / MiB),
    heapEndMiB: round(end.memory.heapUsed / MiB),
    rssSamplesMiB: samples,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name: string) => {
    const at = process.argv.indexOf(`--${name}`);
    return at >= 0 ? Number(process.argv[at + 1]) : undefined;
  };
  const report = await runLoad({ seconds: arg('seconds'), clients: arg('clients'), pollMs: arg('poll-ms') });
  console.log(JSON.stringify(report, null, 2));
  process.exitCode = report.errors ? 1 : 0;
}
