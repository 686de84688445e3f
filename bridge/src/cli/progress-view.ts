/**
 * Shows job events on the terminal: progress bars per stage on a TTY, one JSON event per line with --json, and
 * plain lines otherwise (logs of farm jobs stay readable).
 */
import cliProgress from 'cli-progress';
import type { JobEvent } from '../pipeline/events.js';
import { printJson } from './output.js';

export interface EventView {
  onEvent(e: JobEvent): void;
  stop(): void;
}

export function createEventView(options: { json?: boolean; stream?: NodeJS.WriteStream } = {}): EventView {
  const stream = options.stream ?? process.stderr;
  if (options.json) {
    return {
      onEvent: (e) => printJson(e.type === 'done' ? { ...e, manifest: undefined } : e),
      stop: () => {},
    };
  }
  if (!stream.isTTY) {
    let lastLogged = 0;
    return {
      onEvent: (e) => {
        if (e.type === 'progress') {
          const now = Date.now();
          if (e.done !== e.total && now - lastLogged < 5000) return;
          lastLogged = now;
          stream.write(`${e.stage} ${e.done}/${e.total} ${e.fps.toFixed(1)} fps\n`);
        } else if (e.type === 'warning') stream.write(`warning: ${e.message}\n`);
      },
      stop: () => {},
    };
  }
  const multi = new cliProgress.MultiBar(
    {
      stream,
      format: '{stage} {bar} {value}/{total}  {fps} fps  ETA {eta_s}s',
      hideCursor: true,
      clearOnComplete: false,
      barsize: 24,
    },
    cliProgress.Presets.shades_classic,
  );
  const bars = new Map<string, cliProgress.SingleBar>();
  return {
    onEvent: (e) => {
      if (e.type === 'progress') {
        let bar = bars.get(e.stage);
        const payload = {
          stage: e.stage.padEnd(8),
          fps: e.fps.toFixed(1),
          eta_s: e.eta === null ? '?' : Math.ceil(e.eta),
        };
        if (!bar) {
          bar = multi.create(e.total, e.done, payload);
          bars.set(e.stage, bar);
        }
        bar.setTotal(e.total);
        bar.update(e.done, payload);
      } else if (e.type === 'warning') multi.log(`warning: ${e.message}\n`);
    },
    stop: () => multi.stop(),
  };
}
