/**
 * Runs the built panel the way CEP would, as far as a test machine allows: headless Debian Chromium (playwright-core)
 * loads panel/dist over loopback HTTP; `window.__adobe_cep__` answers evalScript with the REAL host scripts running
 * on the simulated AE DOM (test/host), and `window.cep_node` hands the panel real Node fs / child_process calls made
 * in this process. The bridge is real too: `node bridge/dist/cli/main.js serve` with temp data and cache folders.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { buildPanel, PANEL_DIST } from '../../scripts/build-panel.js';
import { DRIVING, PORTRAIT } from '../helpers/media.js';
import { createAeSim } from '../host/ae-sim.js';
import { loadHost } from '../host/host-realm.js';

export const ROOT = path.resolve(import.meta.dirname, '..', '..');
export const CLI = path.join(ROOT, 'bridge', 'dist', 'cli', 'main.js');
export const ARTIFACTS = path.join(ROOT, 'test-artifacts', 'panel');
export const CHROMIUM = '/usr/bin/chromium';

/** A shot: 29.97 comp, the astronaut still on top, the 20 fps talking clip below it, project saved in `dir`. */
export function makeShot(dir: string, options: { asyncSaves?: boolean } = {}) {
  process.env.REENACT_SIM_TEMP = dir;
  const sim = createAeSim({ sequenceFps: 30, asyncSaves: options.asyncSaves, scriptsCanWriteFiles: true });
  const host = loadHost(sim);
  sim.declareMovie(DRIVING, { width: 320, height: 400, fps: 20, frames: 345 });
  const comp = sim.addComp({ name: 'Shot 010', width: 1920, height: 1080, fps: 30000 / 1001, duration: 20 });
  const stillItem = sim.addFootage({ file: PORTRAIT, width: 512, height: 512 });
  const takeItem = sim.addFootage({ file: DRIVING, width: 320, height: 400, fps: 20, frames: 345 });
  const take = sim.addLayer(comp, takeItem, { startTime: 0 });
  const still = sim.addLayer(comp, stillItem);
  comp.workAreaStart = 0;
  comp.workAreaDuration = 0.5; // clip frames 0–9 at 20 fps: a short real render
  sim.openComp(comp);
  sim.project.file = new sim.classes.File(path.join(dir, 'shot.aep'));
  return { dir, sim, host, comp, still, take, stillItem, takeItem };
}
export type Shot = ReturnType<typeof makeShot>;

/** Starts `reenact serve` as a child process; resolves with its ready line. */
export async function startServe(
  env: NodeJS.ProcessEnv,
): Promise<{ child: ChildProcess; port: number; token: string; url: string }> {
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr?.on('data', (c) => {
    err += String(c);
  });
  const line = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (c) => {
      out += String(c);
      if (out.includes('\n')) resolve(out.split('\n')[0]);
    });
    child.on('exit', (code) => reject(new Error(`reenact serve exited ${code}: ${err}`)));
  });
  const { port, token } = JSON.parse(line) as { port: number; token: string };
  return { child, port, token, url: `http://127.0.0.1:${port}` };
}

/**
 * Stops a bridge started by startServe with SIGTERM and waits for the process to end; resolves with its exit code,
 * or rejects (after a SIGKILL, so no test leaves a process behind) when it has not ended within `timeoutMs`.
 */
export async function stopServe(
  bridge: { child: ChildProcess } | undefined,
  timeoutMs = 30_000,
): Promise<number | null> {
  const child = bridge?.child;
  if (!child || child.exitCode !== null || child.signalCode !== null) return child?.exitCode ?? null;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  const result = await Promise.race([exited, timedOut]);
  clearTimeout(timer);
  if (result === 'timeout') {
    child.kill('SIGKILL');
    await exited;
    throw new Error(`reenact serve (pid ${child.pid}) did not exit within ${timeoutMs} ms of SIGTERM`);
  }
  return result;
}

export interface Rig {
  browser: Browser;
  panelUrl: string;
  bridge: { child: ChildProcess; port: number; token: string; url: string };
  /** Closes the browser, stops the bridge and the panel server. */
  close(): Promise<void>;
}

/** What every panel test needs: the built panel served, a real bridge started with `env`, and a browser. */
export async function startRig(env: NodeJS.ProcessEnv): Promise<Rig> {
  ensureBridgeBuilt();
  const [served, bridge, browser] = await Promise.all([servePanel(), startServe(env), launchBrowser()]);
  return {
    browser,
    panelUrl: served.url,
    bridge,
    async close() {
      await browser.close();
      served.server.close();
      await stopServe(bridge);
    },
  };
}

export function ensureBridgeBuilt(): void {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
}

/** Serves panel/dist on loopback (CEP loads it from file://; the bridge allows both). */
export async function servePanel(): Promise<{ server: Server; url: string }> {
  await buildPanel();
  const types: Record<string, string> = {
    '.html': 'text/html',
    '.js': 'text/javascript',
    '.css': 'text/css',
    '.map': 'application/json',
  };
  const server = createServer((req, res) => {
    const name = path.basename(new URL(req.url ?? '/', 'http://x').pathname) || 'index.html';
    const file = path.join(PANEL_DIST, name);
    if (!existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': types[path.extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return { server, url: `http://127.0.0.1:${port}/index.html` };
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
}

export interface PanelPage {
  page: Page;
  /** Every evalScript source the panel sent, in order. */
  calls: string[];
  /** Child processes the panel spawned through cep_node. */
  children: ChildProcess[];
  close(): Promise<void>;
}

export interface OpenOptions {
  shot: Shot;
  width: number;
  height?: number;
  /** process.env the panel's Node sees (REENACT_DATA_DIR points it at a lock). */
  env: Record<string, string | undefined>;
  /** localStorage settings written before the panel starts. */
  settings?: Record<string, unknown>;
  /** Answer every evalScript this much later (a slow AE): the panel must stay usable meanwhile. */
  hostDelayMs?: number;
}

/** Opens the panel in a fresh context with CEP's globals stubbed onto the simulated AE and real Node. */
export async function openPanel(browser: Browser, url: string, o: OpenOptions): Promise<PanelPage> {
  const context = await browser.newContext({ viewport: { width: o.width, height: o.height ?? 900 } });
  const page = await context.newPage();
  const calls: string[] = [];
  const children: ChildProcess[] = [];
  page.on('pageerror', (e) => console.error('[panel error]', e.message));
  await page.exposeFunction('__hostEval', async (script: string) => {
    calls.push(script);
    if (o.hostDelayMs) await new Promise((r) => setTimeout(r, o.hostDelayMs));
    return o.shot.host.evalScript(script);
  });
  await page.exposeFunction('__nodeFs', (op: string, p: string) => {
    try {
      if (op === 'readFile') return { value: readFileSync(p, 'utf8') };
      if (op === 'readBytes') return { value: readFileSync(p).toString('base64') };
      if (op === 'stat') return { value: statSync(p).isFile() };
      if (op === 'readdir') return { value: readdirSync(p) };
      if (op === 'mkdir') return { value: mkdirSync(p, { recursive: true }) ?? null };
    } catch (e) {
      return { err: (e as Error).message };
    }
    return { err: `unknown op ${op}` };
  });
  await page.exposeFunction(
    '__nodeExec',
    (file: string, args: string[]) =>
      new Promise((resolve) =>
        execFile(file, args, { timeout: 10_000 }, (e, out) => resolve(e ? { err: e.message } : { value: out })),
      ),
  );
  await page.exposeFunction('__nodeSpawn', (id: number, cmd: string, args: string[], env: Record<string, string>) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    const send = (kind: string, data: unknown) =>
      page
        .evaluate(([i, k, d]) => (window as unknown as { __spawnEvent(...a: unknown[]): void }).__spawnEvent(i, k, d), [
          id,
          kind,
          data,
        ] as const)
        .catch(() => {});
    child.stdout?.on('data', (c) => void send('stdout', String(c)));
    child.stderr?.on('data', (c) => void send('stderr', String(c)));
    child.on('exit', (code, signal) => void send('exit', [code, signal]));
    child.on('error', (e) => void send('error', e.message));
    return child.pid ?? 0;
  });
  await page.addInitScript(
    ({ ext, env, home, tmp, settings }) => {
      type Fn = (...a: unknown[]) => void;
      const w = window as unknown as Record<string, unknown> & {
        __hostEval(s: string): Promise<string>;
        __nodeFs(op: string, p: string): Promise<{ value?: unknown; err?: string }>;
        __nodeExec(f: string, a: string[]): Promise<{ value?: string; err?: string }>;
        __nodeSpawn(id: number, c: string, a: string[], e: unknown): Promise<number>;
      };
      // Seed once per page: a reload must show what the panel itself saved.
      if (settings && !sessionStorage.getItem('seeded')) {
        localStorage.setItem('reenact.settings.v1', JSON.stringify(settings));
        sessionStorage.setItem('seeded', '1');
      }
      const listeners: Record<string, Fn[]> = {};
      w.__skin = { red: 35, green: 35, blue: 35 };
      w.__adobe_cep__ = {
        evalScript: (script: string, cb: (r: string) => void) => void w.__hostEval(script).then(cb),
        getHostEnvironment: () => JSON.stringify({ appSkinInfo: { panelBackgroundColor: { color: w.__skin } } }),
        getSystemPath: (kind: string) => (kind === 'extension' ? `file://${encodeURI(ext)}` : ''),
        addEventListener: (type: string, fn: Fn) => {
          listeners[type] = [...(listeners[type] || []), fn];
        },
      };
      w.__fireTheme = (color: unknown) => {
        w.__skin = color;
        for (const fn of listeners['com.adobe.csxs.events.ThemeColorChanged'] || [])
          fn({ type: 'com.adobe.csxs.events.ThemeColorChanged', data: '' });
      };
      const fsOp = (op: string, p: string, cb: Fn, map: (v: unknown) => unknown = (v) => v) =>
        void w.__nodeFs(op, p).then((r) => (r.err !== undefined ? cb(new Error(r.err)) : cb(null, map(r.value))));
      const procs: Record<number, Record<string, Fn[]>> = {};
      let nextId = 1;
      w.__spawnEvent = (id: number, kind: string, data: unknown) => {
        for (const fn of procs[id]?.[kind] || []) kind === 'exit' ? fn(...(data as unknown[])) : fn(data);
      };
      const modules: Record<string, unknown> = {
        fs: {
          readFile: (p: string, enc: string | Fn, cb?: Fn) =>
            typeof enc === 'function'
              ? fsOp('readBytes', p, enc, (v) => Uint8Array.from(atob(String(v)), (c) => c.charCodeAt(0)))
              : fsOp('readFile', p, cb as Fn),
          stat: (p: string, cb: Fn) => fsOp('stat', p, cb, (v) => ({ isFile: () => v })),
          readdir: (p: string, cb: Fn) => fsOp('readdir', p, cb),
          mkdir: (p: string, _o: unknown, cb: Fn) => fsOp('mkdir', p, cb),
        },
        os: { homedir: () => home, tmpdir: () => tmp },
        child_process: {
          execFile: (f: string, a: string[], _o: unknown, cb: Fn) =>
            void w.__nodeExec(f, a).then((r) => (r.err !== undefined ? cb(new Error(r.err), '') : cb(null, r.value))),
          spawn: (c: string, a: string[], o: { env: unknown }) => {
            const id = nextId++;
            const on = (kind: string) => (_e: string, fn: Fn) => {
              const events = procs[id] || {};
              events[kind] = [...(events[kind] || []), fn];
              procs[id] = events;
            };
            const child = {
              stdout: { on: on('stdout') },
              stderr: { on: on('stderr') },
              on: (e: string, fn: Fn) => on(e)(e, fn),
              unref: () => {},
              kill: () => {},
            };
            void w.__nodeSpawn(id, c, a, o.env);
            return child;
          },
        },
      };
      w.cep_node = { require: (name: string) => modules[name], process: { platform: 'linux', env } };
    },
    { ext: ROOT, env: o.env, home: os.homedir(), tmp: o.shot.dir, settings: o.settings },
  );
  await page.goto(url);
  return {
    page,
    calls,
    children,
    close: async () => {
      for (const c of children) c.kill();
      await context.close();
    },
  };
}

export async function shoot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

export function tempRoot(prefix: string): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}
