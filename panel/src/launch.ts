/**
 * Finding or starting the bridge from the panel. CEP's own Node (15.9 / 17.7) cannot load the bridge's native
 * addons and its fork() runs the browser engine, so the bridge runs under a real Node ≥ 20: found on PATH, in the
 * usual install folders, or at a path the artist set. A running bridge is reused through its lock file
 * (`<data>/bridge.lock`, written by `reenact serve`); otherwise `node <ext>/bridge/dist/cli/main.js serve` is
 * spawned and its one JSON line `{port, token, version, pid}` read from stdout.
 *
 * Every Node API arrives as a parameter (NodeDeps), so tests drive this module with real Node in vitest and with a
 * stub in the browser; in CEP, `cepNodeDeps()` builds them from `cep_node.require`.
 */

import { bridgeUrl, LOCK_FILE, type LockInfo, type ReadyLine } from '../../bridge/src/api/lock.js';
import { messageOf } from '../../bridge/src/errors.js';
import { dataDirOf } from '../../bridge/src/util/data-dir.js';
/** One end of a child's output pipe (Node's Readable has it). */
export interface PipeLike {
  on(event: 'data', listener: (chunk: unknown) => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
  destroy?(): void;
}

/** What a spawned child looks like (Node's ChildProcess has it). */
export interface ChildLike {
  pid?: number;
  stdout: PipeLike | null;
  stderr: PipeLike | null;
  on(event: 'exit', listener: (code: number | null, signal: string | null) => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
  unref?(): void;
  kill?(): void;
}

export interface NodeDeps {
  platform: string;
  env: Record<string, string | undefined>;
  homedir: string;
  /** The system's temp folder (os.tmpdir()). */
  tmpdir: string;
  /** File text, or undefined when it does not exist or cannot be read. */
  readFile(path: string): Promise<string | undefined>;
  /** File bytes, or undefined when it does not exist or cannot be read. */
  readBytes(path: string): Promise<Uint8Array | undefined>;
  /** True for an existing regular file. */
  isFile(path: string): Promise<boolean>;
  /** Names in a folder ([] when missing). */
  readdir(path: string): Promise<string[]>;
  /** `<node> --version` output (e.g. "v20.11.1"), or undefined when it does not run. */
  nodeVersion(nodePath: string): Promise<string | undefined>;
  spawn(command: string, args: string[], options: { env: Record<string, string | undefined> }): ChildLike;
  /** Copies a file or a folder tree (parents created). */
  copy(from: string, to: string): Promise<void>;
  writeFile(path: string, text: string): Promise<void>;
  /** Creates a folder and its parents (no error when it exists). */
  mkdir(path: string): Promise<void>;
  /** Runs a command to its end (not detached): exit code and the tail of stderr. */
  run(
    command: string,
    args: string[],
    options: { cwd: string; env: Record<string, string | undefined> },
  ): Promise<{ code: number | null; stderr: string }>;
}

export interface BridgeAddress {
  url: string;
  token: string;
  version?: string;
  pid?: number;
  /** How the panel got it. */
  via: 'lock' | 'spawned' | 'settings';
}

export class LaunchError extends Error {
  override readonly name = 'LaunchError';
  constructor(
    readonly code: 'NO_NODE' | 'NO_BRIDGE_SCRIPT' | 'SPAWN_FAILED' | 'NO_NODE_API' | 'NO_NPM' | 'SETUP_FAILED',
    message: string,
  ) {
    super(message);
  }
}

export const MIN_NODE_MAJOR = 20;

function sep(platform: string): string {
  return platform === 'win32' ? '\\' : '/';
}

export function joinPath(platform: string, ...parts: string[]): string {
  const s = sep(platform);
  return parts.map((p, i) => (i === 0 ? p.replace(/[\\/]+$/, '') : p.replace(/^[\\/]+|[\\/]+$/g, ''))).join(s);
}

/** The bridge's data folder (the rule of bridge/src/util/data-dir.ts). */
export function dataDir(deps: Pick<NodeDeps, 'platform' | 'env' | 'homedir'>): string {
  return dataDirOf(deps, (...parts) => joinPath(deps.platform, ...parts));
}

/**
 * The environment of a child the panel starts: the found Node's folder first on PATH. AE opened from the macOS Dock
 * runs with PATH=/usr/bin:/bin:/usr/sbin:/sbin, where Node (Homebrew, the nodejs.org installer, nvm) is not, and npm
 * 7+ no longer puts its Node's folder on PATH for package scripts, so a `#!/usr/bin/env node` script would fail.
 */
export function childEnv(
  deps: Pick<NodeDeps, 'platform' | 'env'>,
  node: string,
  extra: Record<string, string> = {},
): Record<string, string | undefined> {
  const sep = deps.platform === 'win32' ? ';' : ':';
  // Windows spells it Path; the copy must keep one key, or the child sees two.
  const key = Object.keys(deps.env).find((k) => k.toUpperCase() === 'PATH') ?? 'PATH';
  const dir = node.replace(/[\\/][^\\/]+$/, '');
  const rest = (deps.env[key] ?? '').split(sep).filter((d) => d && d !== dir);
  return { ...deps.env, ...extra, [key]: [dir, ...rest].join(sep) };
}

export function lockFile(deps: Pick<NodeDeps, 'platform' | 'env' | 'homedir'>): string {
  return joinPath(deps.platform, dataDir(deps), LOCK_FILE);
}

/** A lock written by a ready bridge, or undefined (missing, starting, torn). */
export async function readLock(deps: NodeDeps): Promise<BridgeAddress | undefined> {
  const text = await deps.readFile(lockFile(deps));
  if (!text) return undefined;
  try {
    const lock = JSON.parse(text) as Partial<LockInfo>;
    if (lock.state !== 'ready' || typeof lock.port !== 'number' || typeof lock.token !== 'string') return undefined;
    return {
      url: bridgeUrl(lock.host, lock.port),
      token: lock.token,
      version: lock.version,
      pid: lock.pid,
      via: 'lock',
    };
  } catch {
    return undefined;
  }
}

/** Places a Node binary usually lives, in the order they are tried (duplicates removed). */
export async function nodeCandidates(deps: NodeDeps, configured?: string): Promise<string[]> {
  const { platform, env, homedir } = deps;
  const win = platform === 'win32';
  const exe = win ? 'node.exe' : 'node';
  const j = (...p: string[]) => joinPath(platform, ...p);
  const list: string[] = [];
  if (configured) list.push(configured);
  if (env.REENACT_NODE) list.push(env.REENACT_NODE);
  for (const dir of (env.PATH ?? env.Path ?? '').split(win ? ';' : ':')) if (dir) list.push(j(dir, exe));
  // Version managers: newest version folder first.
  const managed = async (root: string, sub: string[]) => {
    const names = (await deps.readdir(root)).filter((n) => /^v?\d+\./.test(n));
    names.sort((a, b) => compareVersions(b, a));
    return names.map((n) => j(root, n, ...sub));
  };
  if (win) {
    list.push(j(env.ProgramFiles ?? 'C:\\Program Files', 'nodejs', exe));
    if (env.LOCALAPPDATA) list.push(j(env.LOCALAPPDATA, 'Programs', 'nodejs', exe));
    if (env.NVM_HOME) list.push(...(await managed(env.NVM_HOME, [exe])));
    list.push(j(homedir, '.volta', 'bin', exe));
  } else {
    if (platform === 'darwin') list.push('/opt/homebrew/bin/node');
    list.push('/usr/local/bin/node', '/usr/bin/node', j(homedir, '.volta', 'bin', 'node'));
    list.push(...(await managed(j(homedir, '.nvm', 'versions', 'node'), ['bin', 'node'])));
    list.push(
      ...(await managed(j(homedir, '.local', 'share', 'fnm', 'node-versions'), ['installation', 'bin', 'node'])),
    );
  }
  return [...new Set(list)];
}

function compareVersions(a: string, b: string): number {
  const pa = a.replace(/^v/, '').split('.').map(Number);
  const pb = b.replace(/^v/, '').split('.').map(Number);
  for (let i = 0; i < 3; i++) if ((pa[i] || 0) !== (pb[i] || 0)) return (pa[i] || 0) - (pb[i] || 0);
  return 0;
}

export interface FoundNode {
  path: string;
  version: string;
}

/**
 * The first Node ≥ 20 among the candidates.
 * @throws LaunchError NO_NODE naming what was tried and how to fix it.
 */
export async function findNode(deps: NodeDeps, configured?: string): Promise<FoundNode> {
  const tooOld: string[] = [];
  for (const candidate of await nodeCandidates(deps, configured)) {
    if (!(await deps.isFile(candidate))) continue;
    const version = (await deps.nodeVersion(candidate))?.trim();
    const major = version ? Number(/^v(\d+)\./.exec(version)?.[1]) : Number.NaN;
    if (major >= MIN_NODE_MAJOR) return { path: candidate, version: version as string };
    tooOld.push(`${candidate} (${version ?? 'does not run'})`);
  }
  const found = tooOld.length ? ` Found only: ${tooOld.join(', ')}.` : '';
  throw new LaunchError(
    'NO_NODE',
    `reenact needs Node.js ${MIN_NODE_MAJOR} or newer to run its bridge, and none was found on PATH or in the usual install folders.${found} Install the LTS version from nodejs.org (or set its path under Engine ▸ Node.js), then click Reconnect.`,
  );
}

/**
 * Spawns `node <script> serve` (Node's folder first on PATH, see childEnv) and resolves with its ready line. The
 * bridge outlives the panel (detached): the next panel finds it through the lock file.
 * @throws LaunchError SPAWN_FAILED with the bridge's last stderr lines when it exits or stays silent.
 */
export function spawnBridge(deps: NodeDeps, node: string, script: string, timeoutMs = 60_000): Promise<BridgeAddress> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
    };
    const tail = () => (err.trim() ? ` It said: ${err.trim().split('\n').slice(-3).join(' / ')}` : '');
    let child: ChildLike;
    try {
      child = deps.spawn(node, [script, 'serve'], { env: childEnv(deps, node) });
    } catch (e) {
      reject(new LaunchError('SPAWN_FAILED', `Could not start ${node}: ${messageOf(e)}.`));
      return;
    }
    const timer = setTimeout(
      () =>
        finish(() => {
          child.kill?.();
          reject(
            new LaunchError(
              'SPAWN_FAILED',
              `The bridge (${node} ${script} serve) did not report ready within ${timeoutMs / 1000} s.${tail()}`,
            ),
          );
        }),
      timeoutMs,
    );
    child.stderr?.on('data', (chunk) => {
      err = (err + String(chunk)).slice(-4000);
    });
    // A pipe error (the bridge gone) must not become an uncaught exception in the panel; exit reports it.
    child.stdout?.on('error', () => {});
    child.stderr?.on('error', () => {});
    child.stdout?.on('data', (chunk) => {
      out += String(chunk);
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      try {
        const line = JSON.parse(out.slice(0, nl)) as ReadyLine;
        if (typeof line.port !== 'number' || typeof line.token !== 'string') throw new Error('no port/token');
        finish(() => {
          // Nothing more is read: close our ends so the bridge never writes into a pipe nobody drains (it ignores
          // the EPIPE that follows, and the one it would get after this panel closes).
          child.stdout?.destroy?.();
          child.stderr?.destroy?.();
          child.unref?.();
          resolve({
            url: `http://127.0.0.1:${line.port}`,
            token: line.token,
            version: line.version,
            pid: line.pid,
            via: 'spawned',
          });
        });
      } catch {
        finish(() =>
          reject(
            new LaunchError(
              'SPAWN_FAILED',
              `The bridge printed ${JSON.stringify(out.slice(0, nl).slice(0, 120))} instead of its ready line.${tail()}`,
            ),
          ),
        );
      }
    });
    child.on('error', (e) =>
      finish(() => reject(new LaunchError('SPAWN_FAILED', `Could not start ${node}: ${e.message}.`))),
    );
    child.on('exit', (code, signal) =>
      finish(() =>
        reject(
          new LaunchError('SPAWN_FAILED', `The bridge stopped before it was ready (exit ${code ?? signal}).${tail()}`),
        ),
      ),
    );
  });
}

/** Node's own modules, as CEP's `cep_node.require` (or Node's `require`) hands them out. */
export type RequireLike = (module: string) => unknown;

/** NodeDeps over Node's callback APIs (works in CEP's Node 15/17 and in Node 20+). */
export function nodeDepsFrom(
  req: RequireLike,
  proc: { platform: string; env: Record<string, string | undefined> },
): NodeDeps {
  type Cb<T> = (err: Error | null, value: T) => void;
  const fs = req('fs') as {
    readFile(p: string, enc: string, cb: Cb<string>): void;
    readFile(p: string, cb: Cb<Uint8Array>): void;
    stat(p: string, cb: Cb<{ isFile(): boolean; isDirectory(): boolean }>): void;
    readdir(p: string, cb: Cb<string[]>): void;
    mkdir(p: string, o: { recursive: boolean }, cb: (e: Error | null) => void): void;
    copyFile(a: string, b: string, cb: (e: Error | null) => void): void;
    writeFile(p: string, t: string, cb: (e: Error | null) => void): void;
  };
  // Callback APIs only: CEP's Node 15 has neither fs/promises everywhere nor fs.cp.
  const call = (fn: (cb: (e: Error | null) => void) => void) =>
    new Promise<void>((resolve, reject) => fn((e) => (e ? reject(e) : resolve())));
  const parent = (p: string) => p.replace(/[\\/][^\\/]+$/, '');
  const copy = async (from: string, to: string): Promise<void> => {
    const st = await new Promise<{ isDirectory(): boolean }>((resolve, reject) =>
      fs.stat(from, (e, s) => (e ? reject(e) : resolve(s))),
    );
    if (!st.isDirectory()) {
      await call((cb) => fs.mkdir(parent(to), { recursive: true }, cb));
      await call((cb) => fs.copyFile(from, to, cb));
      return;
    }
    await call((cb) => fs.mkdir(to, { recursive: true }, cb));
    const names = await new Promise<string[]>((resolve, reject) =>
      fs.readdir(from, (e, n) => (e ? reject(e) : resolve(n))),
    );
    const s = proc.platform === 'win32' ? '\\' : '/';
    for (const n of names) await copy(`${from}${s}${n}`, `${to}${s}${n}`);
  };
  const os = req('os') as { homedir(): string; tmpdir(): string };
  const cp = req('child_process') as {
    execFile(f: string, a: string[], o: { timeout: number }, cb: (e: Error | null, out: unknown) => void): void;
    spawn(c: string, a: string[], o: Record<string, unknown>): ChildLike;
  };
  return {
    platform: proc.platform,
    env: proc.env,
    homedir: os.homedir(),
    tmpdir: os.tmpdir(),
    readFile: (p) => new Promise((r) => fs.readFile(p, 'utf8', (e, t) => r(e ? undefined : t))),
    readBytes: (p) => new Promise((r) => fs.readFile(p, (e, b) => r(e ? undefined : new Uint8Array(b)))),
    isFile: (p) => new Promise((r) => fs.stat(p, (e, st) => r(!e && st.isFile()))),
    readdir: (p) => new Promise((r) => fs.readdir(p, (e, n) => r(e ? [] : n))),
    nodeVersion: (p) =>
      new Promise((r) =>
        cp.execFile(p, ['--version'], { timeout: 10_000 }, (e, out) => r(e ? undefined : String(out))),
      ),
    // Detached: the bridge outlives this panel and serves the next one through its lock file.
    spawn: (c, a, o) =>
      cp.spawn(c, a, { env: o.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true }),
    copy,
    writeFile: (p, t) => call((cb) => fs.writeFile(p, t, cb)),
    mkdir: (p) => call((cb) => fs.mkdir(p, { recursive: true }, cb)),
    run: (c, a, o) =>
      new Promise((resolve) => {
        let stderr = '';
        const child = cp.spawn(c, a, {
          cwd: o.cwd,
          env: o.env,
          stdio: ['ignore', 'ignore', 'pipe'],
          windowsHide: true,
        });
        child.stderr?.on('data', (d) => {
          stderr = (stderr + String(d)).slice(-4000);
        });
        child.on('error', (e) => resolve({ code: -1, stderr: e.message }));
        child.on('exit', (code) => resolve({ code, stderr }));
      }),
  };
}

/** Node APIs from CEP (`cep_node` with --enable-nodejs --mixed-context), or undefined outside CEP. */
export function cepNodeDeps(): NodeDeps | undefined {
  const node = (
    window as unknown as {
      cep_node?: { require: RequireLike; process: { platform: string; env: Record<string, string | undefined> } };
    }
  ).cep_node;
  return node?.require ? nodeDepsFrom(node.require, node.process) : undefined;
}

/** Opens a folder in Finder / Explorer / the file manager. */
export function revealFolder(deps: NodeDeps, folder: string): void {
  const cmd = deps.platform === 'darwin' ? 'open' : deps.platform === 'win32' ? 'explorer' : 'xdg-open';
  const child = deps.spawn(cmd, [folder], { env: deps.env });
  child.on('error', () => {});
  child.unref?.();
}
