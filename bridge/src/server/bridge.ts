/**
 * Starting and stopping the bridge: data folder, log file, job store and queue, the HTTP app on loopback, and the
 * lock file that lets a second launch reuse a running bridge. `startBridge` is the in-process core (tests use it);
 * `serve` adds the lock protocol and is what `reenact serve` runs.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { bridgeUrl, type ReadyLine, type ReadyLock } from '../api/lock.js';
import { messageOf, ReenactError } from '../errors.js';
import { JobManager } from '../jobs/manager.js';
import { JobStore } from '../jobs/store.js';
import { cachedToolReport } from '../media/locator.js';
import { ensurePrivateDir } from '../util/fs.js';
import { dataDir as defaultDataDir } from '../util/paths.js';
import { VERSION } from '../version.js';
import { buildApp } from './app.js';
import { acquireLock, releaseLock, writeReadyLock } from './lock.js';
import { RotatingFile } from './log.js';
import { confinedRunner } from './routes/jobs.js';
import { type BridgeServices, defaultServices } from './services.js';

export interface BridgeOptions {
  /** Interface to listen on (default 127.0.0.1: loopback only). */
  host?: string;
  /** Port (default 0: any free port). */
  port?: number;
  /** Bearer token (default: 32 random bytes, base64url). */
  token?: string;
  dataDir?: string;
  /** Replace parts of the real services (tests). */
  services?: Partial<BridgeServices>;
  /** Jobs at once per device (default 1). */
  concurrency?: number;
  /** Preview event every N frames (default 10). */
  previewEvery?: number;
  logLevel?: string;
  /** Log rotation size in bytes (default 5 MiB). */
  logMaxBytes?: number;
}

export interface RunningBridge extends ReadyLine {
  host: string;
  /** Base URL a client on this machine uses. */
  url: string;
  dataDir: string;
  app: FastifyInstance;
  manager: JobManager;
  /** Stops jobs (they become `interrupted`), closes the server and the log. Idempotent. */
  close(): Promise<void>;
  /** Settles once the bridge has closed (by close(), a signal or POST /shutdown). */
  closed: Promise<void>;
}

const TOKEN_RE = /^[A-Za-z0-9._~-]{16,256}$/;

export function checkToken(token: string): string {
  if (!TOKEN_RE.test(token)) {
    const others = /[^A-Za-z0-9._~-]/.test(token) ? ' with other characters' : '';
    throw new ReenactError(
      'USAGE',
      `Expected a token of 16 to 256 characters (letters, digits, . _ ~ -) for --token but received ${token.length} characters${others}.`,
    );
  }
  return token;
}

export async function startBridge(options: BridgeOptions = {}): Promise<RunningBridge> {
  const host = options.host ?? '127.0.0.1';
  const token = options.token === undefined ? randomBytes(32).toString('base64url') : checkToken(options.token);
  const dataDir = path.resolve(options.dataDir ?? defaultDataDir());
  await ensurePrivateDir(dataDir); // owner-only: job records, logs and the lock
  const logFile = new RotatingFile(path.join(dataDir, 'logs', 'bridge.log'), {
    secrets: [token],
    maxBytes: options.logMaxBytes,
  });
  const services: BridgeServices = { ...defaultServices(), ...options.services };
  // The manager logs through the app's logger, which exists once the app is built.
  let logger: FastifyInstance['log'] | undefined;
  const manager = new JobManager({
    store: new JobStore(path.join(dataDir, 'jobs')),
    runner: confinedRunner(services.runner, dataDir),
    concurrency: options.concurrency,
    previewEvery: options.previewEvery,
    log: {
      info: (o, m) => logger?.info(o, m),
      warn: (o, m) => logger?.warn(o, m),
      error: (o, m) => logger?.error(o, m),
    },
  });
  const app = await buildApp({
    token,
    host,
    manager,
    services,
    dataDir,
    logStream: logFile,
    logLevel: options.logLevel ?? 'info',
    onShutdown: () => void close(),
  });
  logger = app.log;
  await manager.init();

  try {
    await app.listen({ host, port: options.port ?? 0 });
  } catch (err) {
    logFile.close();
    const code = (err as NodeJS.ErrnoException).code;
    throw new ReenactError(
      code === 'EADDRINUSE' ? 'USAGE' : 'INTERNAL',
      code === 'EADDRINUSE'
        ? `Expected a free port for --port but received ${options.port}, which is in use. Use --port 0 for any free port.`
        : `Could not listen on ${host}:${options.port ?? 0}: ${messageOf(err)}`,
      { cause: err },
    );
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? 0);
  app.log.info({ host, port, pid: process.pid, version: VERSION, dataDir }, 'bridge listening');
  const tools = cachedToolReport();
  if ('error' in tools) app.log.error({ err: tools.error }, 'ffmpeg not found');
  else
    for (const tool of [tools.ffmpeg, tools.ffprobe]) {
      if (tool.warning) app.log.warn({ ...tool }, 'ffmpeg too old');
      else app.log.info({ ...tool }, 'ffmpeg');
    }

  let resolveClosed!: () => void;
  const closed = new Promise<void>((resolve) => {
    resolveClosed = resolve;
  });
  let closing: Promise<void> | undefined;
  function close(): Promise<void> {
    closing ??= (async () => {
      app.log.info({}, 'bridge shutting down');
      try {
        await manager.close();
        await app.close();
        await services.close();
      } finally {
        app.log.info({}, 'bridge stopped');
        logFile.close();
        resolveClosed();
      }
    })();
    return closing;
  }

  return {
    host,
    port,
    token,
    version: VERSION,
    pid: process.pid,
    url: bridgeUrl(host, port),
    dataDir,
    app,
    manager,
    close,
    closed,
  };
}

export type ServeResult =
  | { reused: true; line: ReadyLine }
  /** `stopped` settles after the bridge closed and its lock was removed. */
  | { reused: false; line: ReadyLine; bridge: RunningBridge; stopped: Promise<void> };

/**
 * Starts a bridge unless one already runs for this data folder (then returns its line). The lock is written once
 * the server listens and removed when it closes.
 */
export async function serve(options: BridgeOptions = {}): Promise<ServeResult> {
  const dataDir = path.resolve(options.dataDir ?? defaultDataDir());
  const acquired = await acquireLock(dataDir);
  if (acquired.kind === 'existing') {
    const { port, token, version, pid } = acquired.lock;
    return { reused: true, line: { port, token, version, pid } };
  }
  let bridge: RunningBridge;
  try {
    bridge = await startBridge({ ...options, dataDir });
  } catch (err) {
    await releaseLock(dataDir);
    throw err;
  }
  const lock: Omit<ReadyLock, 'pid' | 'state'> = {
    host: bridge.host,
    port: bridge.port,
    token: bridge.token,
    version: bridge.version,
    startedAt: new Date().toISOString(),
  };
  await writeReadyLock(dataDir, lock);
  const stopped = bridge.closed.then(() => releaseLock(dataDir));
  const line: ReadyLine = { port: bridge.port, token: bridge.token, version: bridge.version, pid: bridge.pid };
  return { reused: false, line, bridge, stopped };
}
