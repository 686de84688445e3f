/**
 * `npm run bench`: runs every benchmark section and prints markdown tables (copied into bench/RESULTS.md with the
 * machine named). `npm run bench -- media` runs one section: media, engine, liveportrait, long, queue, thread, and
 * liveportrait-gpu (not in the default run: bench/gpu.sh runs it on an NVIDIA machine).
 */
import { rmSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { asReenactError, EXIT_CODES } from '../bridge/src/errors.js';
import { benchEngine } from './engine.js';
import { benchDir, table } from './lib.js';
import { benchLivePortrait } from './liveportrait.js';
import { benchLivePortraitGpu } from './liveportrait-gpu.js';
import { benchLong } from './long.js';
import { benchMedia } from './media.js';
import { benchQueue } from './queue.js';
import { benchRenderThread } from './render-thread.js';

const sections: Record<string, () => Promise<string>> = {
  media: async () => table('Media I/O (1080p, ratio = reenact ÷ plain ffmpeg, target ≥ 0.9)', await benchMedia()),
  engine: async () => {
    const { speed, endToEnd } = await benchEngine();
    return [
      table('Default engine speed', speed),
      table(
        'End to end, 1080p output (target: ratio to floor ≥ 0.8; re-render row: speed-up over the first render, target ≥ 5)',
        endToEnd,
      ),
    ].join('\n');
  },
  liveportrait: async () => (await benchLivePortrait()).map((t) => table(t.title, t.rows)).join('\n'),
  'liveportrait-gpu': async () => (await benchLivePortraitGpu()).map((t) => table(t.title, t.rows)).join('\n'),
  long: async () =>
    table('Long clips: peak RSS and progress (issue #9; 10 s vs 60 s RSS ratio target ≤ 1.1)', await benchLong()),
  queue: async () => table('Studio queue: 1 vs 2 local workers (needs redis-server on PATH)', await benchQueue()),
  thread: async () =>
    table(
      'Bridge while rendering: API latency, jobs in a render thread vs in the bridge thread',
      await benchRenderThread(),
    ),
};

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const names = wanted.length ? wanted : Object.keys(sections).filter((s) => s !== 'liveportrait-gpu');
console.log(
  `## reenact bench — ${new Date().toISOString().slice(0, 10)} — ${cpus().length}× ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}\n`,
);
for (const name of names) {
  const run = sections[name];
  if (!run) {
    console.error(`unknown bench section "${name}"; one of: ${Object.keys(sections).join(', ')}`);
    process.exitCode = 2;
    continue;
  }
  try {
    console.log(await run());
  } catch (err) {
    // A missing dependency (e.g. no CUDA provider) says so and exits 3, like the CLI; anything else is a failure.
    const e = asReenactError(err);
    console.error(`bench section "${name}": ${e.code === 'INTERNAL' ? (err as Error).stack : e.message}`);
    process.exitCode = EXIT_CODES[e.code];
  }
}
// Generated clips and frames (hundreds of MB) go with the run.
rmSync(benchDir, { recursive: true, force: true });
