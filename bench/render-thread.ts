/**
 * The bridge while it renders: `GET /health` latency against a real `reenact serve` during a 1080p meshwarp job,
 * with jobs rendered in a thread of their own (the default) and in the bridge's own thread
 * (REENACT_RENDER_IN_PROCESS=1), same job, same run, each tracking cold. The poller asks as fast as it is answered
 * (20 ms apart), so the thread run also serves several times more requests while it renders.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import WebSocket from 'ws';
import { createClient } from '../bridge/src/api/client.js';
import { ffmpegPaths } from '../bridge/src/media/locator.js';
import { runProcess } from '../bridge/src/media/run.js';
import { benchDir, type Row } from './lib.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const CLI = path.join(ROOT, 'bridge', 'dist', 'cli', 'main.js');
const MEDIA = path.join(ROOT, 'test', 'fixtures', 'media');

async function serve(env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; url: string; token: string }> {
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0'], { env, stdio: ['ignore', 'pipe', 'ignore'] });
  const line = await new Promise<string>((resolve) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolve(out.split('\n')[0]);
    });
  });
  const { port, token } = JSON.parse(line) as { port: number; token: string };
  return { child, url: `http://127.0.0.1:${port}`, token };
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];

export async function benchRenderThread(): Promise<Row[]> {
  const portrait = path.join(benchDir, 'thread-portrait1080.png');
  await runProcess(ffmpegPaths().ffmpeg, [
    '-v',
    'error',
    '-y',
    '-i',
    path.join(MEDIA, 'portrait-astronaut.png'),
    '-vf',
    'scale=-1:1080:flags=lanczos,pad=1920:1080:(ow-iw)/2:0:color=gray',
    portrait,
  ]);
  const rows: Row[] = [];
  for (const mode of ['thread', 'in-process'] as const) {
    const env = {
      ...process.env,
      REENACT_DATA_DIR: path.join(benchDir, `thread-data-${mode}`),
      REENACT_CACHE_DIR: path.join(benchDir, 'cache'),
      REENACT_RENDER_IN_PROCESS: mode === 'in-process' ? '1' : '0',
    };
    rmSync(path.join(benchDir, 'cache', 'tracks'), { recursive: true, force: true }); // both track cold
    const bridge = await serve(env);
    try {
      const client = createClient({ url: bridge.url, token: bridge.token, WebSocket });
      const spec = {
        source: portrait,
        driving: path.join(MEDIA, 'driving-talk.mp4'),
        output: { dir: path.join(benchDir, `thread-out-${mode}`) },
        range: { start: 0, end: 99 },
      };
      const { job } = await client.createJob(spec);
      const latencies: number[] = [];
      const t0 = performance.now();
      for (;;) {
        const t = performance.now();
        const state = (await client.getJob(job.id)).job.state;
        await client.health();
        latencies.push((performance.now() - t) / 2);
        if (state === 'done' || state === 'failed') break;
        await new Promise((r) => setTimeout(r, 20));
      }
      const seconds = (performance.now() - t0) / 1000;
      latencies.sort((a, b) => a - b);
      rows.push({
        renderer: mode,
        'job seconds': seconds,
        requests: latencies.length * 2,
        'p50 ms': pct(latencies, 0.5),
        'p99 ms': pct(latencies, 0.99),
        'max ms': latencies.at(-1) ?? 0,
      });
    } finally {
      bridge.child.kill();
    }
  }
  return rows;
}
