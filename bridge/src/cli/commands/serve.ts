/**
 * `reenact serve`: the local bridge the After Effects panel talks to. Prints one JSON line
 * `{port, token, version, pid}` on stdout when ready (the panel reads it), or the line of the bridge already
 * running for this data folder. Stops on SIGINT/SIGTERM or when the panel sends `POST /shutdown`.
 */
import type { Command } from 'commander';
import { messageOf, ReenactError } from '../../errors.js';
import { redisUrl } from '../../jobs/queue.js';
import { queueRunner } from '../../jobs/queue-runner.js';
import { serve } from '../../server/bridge.js';
import { intFlag } from '../flags.js';

interface ServeFlags {
  host: string;
  port: number;
  token?: string;
  dataDir?: string;
  concurrency: number;
  logLevel: string;
  previewEvery: number;
  queue?: string;
  chunkSize: number;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function logLevel(value: string): string {
  if (!LOG_LEVELS.includes(value)) {
    throw new ReenactError('USAGE', `Expected one of ${LOG_LEVELS.join(', ')} for --log-level but received ${value}.`);
  }
  return value;
}

export function register(program: Command): void {
  program
    .command('serve')
    .description('Start the local bridge for the After Effects panel (prints {port, token, version, pid}).')
    .option('--host <host>', 'interface to listen on; anything but loopback exposes the bridge', '127.0.0.1')
    .option('--port <port>', 'port, 0 for any free one', intFlag('--port', 0, 65535), 0)
    .option('--token <token>', 'bearer token (default: random per launch)')
    .option('--data-dir <dir>', 'data folder for the lock, job store and logs (default: the per-user data folder)')
    .option('--concurrency <n>', 'jobs at once per device', intFlag('--concurrency', 1, 64), 1)
    .option('--log-level <level>', `log level in <data>/logs/bridge.log: ${LOG_LEVELS.join(', ')}`, 'info')
    .option(
      '--preview-every <n>',
      'send a preview image of the latest frame every N frames (0: never)',
      intFlag('--preview-every', 0, 100_000),
      10,
    )
    .option('--queue <redis-url>', 'hand jobs to the studio queue (reenact worker) instead of rendering here')
    .option('--chunk-size <n>', 'frames per queued chunk (with --queue)', intFlag('--chunk-size', 1, 1_000_000), 50)
    .action(async (flags: ServeFlags) => {
      const result = await serve({
        host: flags.host,
        port: flags.port,
        token: flags.token,
        dataDir: flags.dataDir,
        concurrency: flags.concurrency,
        logLevel: logLevel(flags.logLevel),
        previewEvery: flags.previewEvery,
        ...(flags.queue
          ? {
              services: {
                runner: queueRunner({
                  redis: redisUrl(flags.queue),
                  chunkSize: flags.chunkSize,
                }),
              },
            }
          : {}),
      });
      if (result.reused) {
        process.stdout.write(`${JSON.stringify(result.line)}\n`);
        return;
      }
      const { bridge } = result;
      let signals = 0;
      const onSignal = (signal: NodeJS.Signals) => {
        signals += 1;
        if (signals > 1) process.exit(130); // a second Ctrl-C: stop waiting for jobs to wind down
        bridge.app.log.info({ signal }, 'signal received');
        void bridge.close();
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      // A job that rejects somewhere unexpected must not take the bridge down: log it and keep serving.
      const onRejection = (reason: unknown) => bridge.app.log.error({ err: messageOf(reason) }, 'unhandled rejection');
      process.on('unhandledRejection', onRejection);
      // The panel starts the bridge detached with piped stdout/stderr, then stops reading (or closes): a later write
      // (a warning, NODE_DEBUG lines) fails with EPIPE, which unhandled would end the bridge. Its log is the file.
      const onPipeError = (err: NodeJS.ErrnoException) => {
        if (err.code !== 'EPIPE') bridge.app.log.warn({ err: err.message }, 'cannot write to stdout/stderr');
      };
      process.stdout.on('error', onPipeError);
      process.stderr.on('error', onPipeError);
      // Printed last: whoever reads this line may signal us at once, so the handlers are already in place.
      process.stdout.write(`${JSON.stringify(result.line)}\n`);
      await result.stopped;
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      process.off('unhandledRejection', onRejection);
    });
}
