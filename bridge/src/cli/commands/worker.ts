/**
 * `reenact worker`: renders queued chunks (and merges finished jobs) from Redis until stopped. The first Ctrl-C (or
 * SIGTERM) takes no new chunks and lets the running ones finish; a second one exits at once, and the interrupted
 * chunks go to another worker when their lock expires, resuming from the frames already written.
 */
import type { Command } from 'commander';
import { ReenactError } from '../../errors.js';
import { redisUrl } from '../../jobs/queue.js';
import { startWorker } from '../../jobs/worker.js';
import { DEVICES } from '../../onnx/devices.js';
import { intFlag } from '../flags.js';
import { printLine } from '../output.js';

export function parseDevices(text: string): string[] {
  const devices = text.split(',').map((d) => d.trim());
  for (const d of devices) {
    if (!(DEVICES as readonly string[]).includes(d))
      throw new ReenactError(
        'USAGE',
        `Expected --device to be one of ${DEVICES.join(', ')} (comma-separated) but received "${d}".`,
      );
  }
  return devices;
}

export function register(program: Command): void {
  program
    .command('worker')
    .description('Render queued chunks from Redis (see reenact queue).')
    .option('--device <list>', 'take jobs queued for these devices (e.g. cuda or cuda,auto)', parseDevices, ['auto'])
    .option('-c, --concurrency <n>', 'chunks at once per device', intFlag('--concurrency', 1), 1)
    .option('--redis <url>', 'Redis URL (default: $REENACT_REDIS or redis://127.0.0.1:6379)')
    .option(
      '--lock-duration <ms>',
      'job lock; a dead worker’s chunk is retried after it',
      intFlag('--lock-duration', 100),
      30_000,
    )
    .option(
      '--stalled-interval <ms>',
      'how often to look for chunks of dead workers',
      intFlag('--stalled-interval', 100),
      30_000,
    )
    .action(
      async (o: {
        device: string[];
        concurrency: number;
        redis?: string;
        lockDuration: number;
        stalledInterval: number;
      }) => {
        const redis = redisUrl(o.redis);
        const worker = await startWorker({
          redis,
          devices: o.device,
          concurrency: o.concurrency,
          lockDuration: o.lockDuration,
          stalledInterval: o.stalledInterval,
          log: (line) => printLine(`${new Date().toISOString()} ${line}`),
        });
        printLine(`reenact worker ready (pid ${process.pid}) on ${o.device.join(', ')} · ${redis}`);
        let signals = 0;
        await new Promise<void>((resolve) => {
          const stop = () => {
            signals += 1;
            if (signals > 1) process.exit(130);
            printLine('stopping: finishing the running chunks (Ctrl-C again to quit now)');
            resolve();
          };
          process.on('SIGINT', stop);
          process.on('SIGTERM', stop);
        });
        await worker.close();
      },
    );
}
