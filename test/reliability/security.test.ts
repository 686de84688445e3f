/**
 * Security probes (issue #19): what an attacker with a valid token — a buggy panel, a leaked token, a script with a
 * typo — or a web page on the artist's machine can make the bridge do, over real HTTP and WebSocket on loopback.
 * Each probe asserts the refusal (or the safe outcome) and becomes a row of the "Security" section of
 * test/RELIABILITY.md.
 */
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { readdir } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createClient } from '../../bridge/src/api/client.js';
import { locateFfmpeg, toolReport } from '../../bridge/src/media/locator.js';
import { serve } from '../../bridge/src/server/bridge.js';
import { createFixtureRunner } from '../jobs/fixture-runner.js';
import {
  collect,
  fileHashes,
  makeInputs,
  makeMedia,
  startTestBridge,
  type TestBridge,
  tempDir,
} from '../server/helpers.js';
import { type Row, ranWholeFile, scrub, writeSection } from './harness.js';

const rows: Row[] = [];
let t: TestBridge;
let work = '';
let inputs: { source: string; driving: string };

/** A bridge with the real pipeline (fixture engine), and real footage for it. */
let real: TestBridge;
let media: { source: string; driving: string };

beforeAll(async () => {
  work = await tempDir('reenact-security-');
  inputs = await makeInputs(work);
  t = await startTestBridge({ services: { runner: createFixtureRunner({ frames: 3 }) } });
  real = await startTestBridge();
  mkdirSync(path.join(work, 'media'));
  media = await makeMedia(path.join(work, 'media'), 6); // the pipeline probes and decodes it
});

const specIn = (dir: string, extra: Record<string, unknown> = {}) => ({
  ...media,
  output: { dir },
  engine: { name: 'fixture' as const },
  ...extra,
});

/** Runs a job on the real bridge to its end; returns the last event as "done" or "failed CODE: message". */
async function runReal(spec: ReturnType<typeof specIn>): Promise<string> {
  const { job } = await real.client.createJob(spec);
  const last = (await collect(real.client.jobEvents(job.id, { previews: false }))).at(-1);
  return last?.type === 'failed' ? `failed ${last.error.code}: ${last.error.message}` : String(last?.type);
}

// biome-ignore lint/correctness/noEmptyPattern: vitest passes (context, suite) and wants the context destructured
afterAll(async ({}, suite) => {
  await t?.bridge.close();
  await real?.bridge.close();
  if (ranWholeFile(suite))
    writeSection(
      'security',
      'Security (test/reliability/security.test.ts)',
      'Probes of issue #19, each as an attacker with a valid token (or a web page on the same machine) would send ' +
        'it, to an in-process bridge on 127.0.0.1. Every probe is asserted; the outcome column is what the bridge did.',
      rows,
    );
});

/** Hashes of the data folder's files but the log (every request appends to it). */
async function dataFiles(dir: string): Promise<Record<string, string>> {
  const all = await fileHashes(dir);
  return Object.fromEntries(Object.entries(all).filter(([name]) => !name.startsWith('logs')));
}

/** A job id (j-YYYYMMDD-HHMMSS-<hex>) or a bridge's port: different in every run, so masked in the table. */
function steady(text: string): string {
  let out = text.replace(/\bj-\d{8}-\d{6}-[0-9a-f]{8}\b/g, '<job>');
  for (const b of [t, real])
    if (b) out = out.replaceAll(String(b.bridge.port + 1), '<port+1>').replaceAll(String(b.bridge.port), '<port>');
  return out;
}

function row(
  c: string,
  input: string,
  via: Row['via'],
  outcome: string,
  t0: number,
  figures?: Record<string, number>,
): void {
  rows.push({
    case: c,
    input: steady(input),
    via,
    outcome: steady(scrub(outcome, [work])),
    seconds: (performance.now() - t0) / 1000,
    ...(figures ? { figures } : {}),
  });
}

interface RawAnswer {
  status: number;
  body: { error?: { code: string; message: string } } & Record<string, unknown>;
}

/** One HTTP request with full control of every header, Host included (fetch may not set Host). */
function raw(
  method: string,
  route: string,
  headers: Record<string, string | undefined>,
  body?: string,
  to: TestBridge = t,
): Promise<RawAnswer> {
  const url = new URL(to.bridge.url + route);
  const wanted = Object.fromEntries(Object.entries(headers).filter(([, v]) => v !== undefined)) as Record<
    string,
    string
  >;
  if (body !== undefined) wanted['content-length'] = String(Buffer.byteLength(body));
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method,
        headers: wanted,
        setHost: !('host' in headers),
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => {
          text += d;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : {} }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const bearer = (to: TestBridge = t) => ({ authorization: `Bearer ${to.bridge.token}` });
const outcomeOf = (a: RawAnswer) =>
  a.body.error ? `${a.status} ${a.body.error.code}: ${a.body.error.message}` : `${a.status}`;

describe('who may talk to the bridge (item 9)', () => {
  it('refuses an Origin of file:// with a host, and http://127.1', async () => {
    for (const origin of [
      'file://evil-share/panel.html',
      'file://evil-share',
      'http://127.1',
      `http://127.1:${t.bridge.port}`,
    ]) {
      const t0 = performance.now();
      const a = await raw('GET', '/health', { ...bearer(), origin });
      expect(a.status, origin).toBe(403);
      expect(a.body.error?.code).toBe('FORBIDDEN_ORIGIN');
      row('Origin that only looks local', `Origin: ${origin}`, 'HTTP', outcomeOf(a), t0);
    }
  });

  it('keeps the panel origins: null (CEP in current Chromium), file://, localhost pages', async () => {
    for (const origin of ['null', 'file://', `http://localhost:${t.bridge.port}`, 'http://[::1]:8080']) {
      const a = await raw('GET', '/health', { ...bearer(), origin });
      expect(a.status, origin).toBe(200);
    }
  });

  it('refuses a Host that is not the bridge (DNS rebinding), even with the token', async () => {
    const port = t.bridge.port;
    for (const host of [
      `evil.example:${port}`,
      `127.0.0.1:${port + 1}`,
      '127.0.0.1',
      `localhost.evil.example:${port}`,
      `10.0.0.1:${port}`,
    ]) {
      const t0 = performance.now();
      const a = await raw('GET', '/jobs', { ...bearer(), host });
      expect(a.status, host).toBe(403);
      expect(a.body.error?.code).toBe('FORBIDDEN_HOST');
      row(
        'Host of another name (DNS rebinding)',
        `Host: ${host.replace(String(port), '<port>')}`,
        'HTTP',
        outcomeOf(a).replaceAll(String(port), '<port>'),
        t0,
      );
    }
    const t0 = performance.now();
    const none = await raw('GET', '/jobs', { ...bearer(), host: undefined });
    expect(none.status).toBe(400); // Node's HTTP server refuses an HTTP/1.1 request without Host before routing
    row('no Host header', '(none)', 'HTTP', `${none.status} (refused by Node's HTTP server before routing)`, t0);
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`]) {
      expect((await raw('GET', '/jobs', { ...bearer(), host })).status, host).toBe(200);
    }
  });

  it('refuses a WebSocket upgrade through another Host', async () => {
    const job = (
      await t.client.createJob({ ...inputs, output: { dir: path.join(work, 'ws-host') }, engine: { name: 'fixture' } })
    ).job;
    const t0 = performance.now();
    const status = await new Promise<number>((resolve, reject) => {
      const ws = new WebSocket(`${t.bridge.url.replace('http', 'ws')}/jobs/${job.id}/events?token=${t.bridge.token}`, {
        headers: { host: `evil.example:${t.bridge.port}` },
      });
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => reject(new Error('opened')));
      ws.on('error', () => {});
    });
    expect(status).toBe(403);
    row(
      'WebSocket upgrade through another Host',
      'Host: evil.example:<port>',
      'WebSocket',
      `${status} FORBIDDEN_HOST`,
      t0,
    );
  });

  it('accepts ?token= only on the events WebSocket', async () => {
    for (const route of ['/jobs', '/health', '/probe?path=/etc/hostname']) {
      const t0 = performance.now();
      const sep = route.includes('?') ? '&' : '?';
      const a = await raw('GET', `${route}${sep}token=${t.bridge.token}`, {});
      expect(a.status, route).toBe(401);
      expect(a.body.error?.message).toBe(
        'Expected the bridge token in an Authorization: Bearer header but received it in the URL (?token= is accepted only on the events WebSocket, where browsers cannot set headers).',
      );
      row('token in the URL of a plain request', `GET ${route}${sep}token=<token>`, 'HTTP', outcomeOf(a), t0);
    }
    const job = (
      await t.client.createJob({ ...inputs, output: { dir: path.join(work, 'ws-token') }, engine: { name: 'fixture' } })
    ).job;
    const opened = await new Promise<boolean>((resolve) => {
      const ws = new WebSocket(`${t.bridge.url.replace('http', 'ws')}/jobs/${job.id}/events?token=${t.bridge.token}`);
      ws.on('open', () => {
        ws.close();
        resolve(true);
      });
      ws.on('unexpected-response', () => resolve(false));
      ws.on('error', () => {});
    });
    expect(opened).toBe(true);
  });
});

describe('bounded resources (item 8)', () => {
  it('closes with 1013 a WebSocket client that pings and never reads, instead of queuing replies without bound', async () => {
    // A job that runs for the whole probe, so its stream stays open.
    const slow = await startTestBridge({ services: { runner: createFixtureRunner({ frames: 600, delayMs: 100 }) } });
    const job = (
      await slow.client.createJob({
        ...inputs,
        output: { dir: path.join(work, 'ws-slow') },
        engine: { name: 'fixture' },
      })
    ).job;
    const t0 = performance.now();
    const ws = new WebSocket(
      `${slow.bridge.url.replace('http', 'ws')}/jobs/${job.id}/events?token=${slow.bridge.token}`,
    );
    await new Promise((resolve) => ws.once('open', resolve));
    ws.pause(); // reads nothing from now on: every reply stays in the kernel's buffers, then in the bridge's
    const pings = 600_000;
    const message = JSON.stringify({ type: 'ping', id: 1_000_000_000 });
    for (let i = 0; i < pings; i++) {
      ws.send(message);
      if (i % 20_000 === 0) await new Promise((r) => setImmediate(r));
    }
    await new Promise<void>((resolve, reject) => ws.send(message, (err) => (err ? reject(err) : resolve())));
    const rssWhileStalled = (await slow.client.health()).memory.rss;
    let pongs = 0;
    // Ends with the close, or once every ping was answered (the old bridge queued them all and stayed open).
    const ended = new Promise<number | 'every ping answered'>((resolve) => {
      ws.once('close', (closeCode) => resolve(closeCode));
      ws.on('message', (data) => {
        if (String(data).startsWith('{"type":"pong"') && ++pongs > pings) resolve('every ping answered');
      });
    });
    ws.resume();
    const code = await ended;
    ws.terminate();
    expect(code).toBe(1013);
    expect(pongs).toBeLessThan(pings); // the rest were never queued
    expect((await slow.client.health()).ok).toBe(true);
    await slow.bridge.close();
    row(
      'WebSocket client that pings and never reads',
      `${pings} pings, no reads`,
      'WebSocket',
      `closed with ${code} before all ${pings} pongs were sent (the rest never queued); bridge healthy after`,
      t0,
      { pongs, rssWhileStalledMiB: Math.round(rssWhileStalled / 2 ** 20) },
    );
  });
});

describe('private data (item 10)', () => {
  it.skipIf(process.platform === 'win32')(
    'keeps the data folder 0700 and job records, log and lock 0600 — also those an older version left open',
    async () => {
      const t0 = performance.now();
      const data = path.join(work, 'data-perms');
      const oldRecord = path.join(data, 'jobs', 'j-20260101-000000-0a1b2c3d.json');
      mkdirSync(path.join(data, 'jobs'), { recursive: true, mode: 0o755 });
      mkdirSync(path.join(data, 'logs'), { recursive: true, mode: 0o755 });
      writeFileSync(path.join(data, 'logs', 'bridge.log'), '', { mode: 0o644 });
      const old = {
        id: 'j-20260101-000000-0a1b2c3d',
        state: 'done',
        spec: { ...inputs, output: { dir: path.join(work, 'old-out') }, engine: { name: 'fixture' } },
        device: 'auto',
        createdAt: '2026-01-01T00:00:00.000Z',
        updatedAt: '2026-01-01T00:00:00.000Z',
        runs: 1,
      };
      writeFileSync(oldRecord, JSON.stringify(old), { mode: 0o644 });
      const started = await serve({ dataDir: data, services: { runner: createFixtureRunner({ frames: 2 }) } });
      if (started.reused) throw new Error('expected a new bridge');
      const { bridge } = started;
      const client = createClient({
        url: bridge.url,
        token: bridge.token,
        WebSocket,
      });
      const job = (
        await client.createJob({ ...inputs, output: { dir: path.join(work, 'perm-out') }, engine: { name: 'fixture' } })
      ).job;
      await new Promise<void>((resolve, reject) =>
        client.jobEvents(job.id).subscribe({ complete: () => resolve(), error: reject }),
      );
      const mode = (p: string) => (statSync(p).mode & 0o777).toString(8).padStart(4, '0');
      const modes = {
        'data folder': mode(data),
        'jobs/': mode(path.join(data, 'jobs')),
        'logs/': mode(path.join(data, 'logs')),
        'new job record': mode(path.join(data, 'jobs', `${job.id}.json`)),
        'old job record': mode(oldRecord),
        'logs/bridge.log': mode(path.join(data, 'logs', 'bridge.log')),
        'bridge.lock': mode(path.join(data, 'bridge.lock')),
      };
      await bridge.close();
      await started.stopped;
      expect(modes).toEqual({
        'data folder': '0700',
        'jobs/': '0700',
        'logs/': '0700',
        'new job record': '0600',
        'old job record': '0600',
        'logs/bridge.log': '0600',
        'bridge.lock': '0600',
      });
      row(
        'other local users reading job records (umask 022)',
        'data folder, jobs/, logs/ made 0755 and files 0644 by an older version',
        'library',
        Object.entries(modes)
          .map(([k, v]) => `${k} ${v}`)
          .join(', '),
        t0,
      );
    },
  );
});

describe('the ffmpeg that decodes untrusted footage (item 11)', () => {
  it('/health names its version and origin, and warns below FFmpeg 5.1', async () => {
    const t0 = performance.now();
    const { ffmpeg } = await t.client.health();
    if ('error' in ffmpeg) throw new Error(ffmpeg.error);
    expect(ffmpeg).toEqual(toolReport(locateFfmpeg()));
    if (ffmpeg.ffmpeg.source === '@ffmpeg-installer/ffmpeg') {
      // No newer ffmpeg on this machine's PATH: the bundled 2018 snapshot, flagged.
      expect(ffmpeg.ffmpeg.version).toBe('4.1+ (git snapshot N-47683-g0e8eb07980-static, libavcodec 58.42.100, 2018)');
      expect(ffmpeg.ffmpeg.warning).toMatch(/is older than FFmpeg 5\.1: its decoders lack years of security fixes/);
    }
    row(
      'which ffmpeg decodes the footage',
      'GET /health',
      'HTTP',
      `ffmpeg ${ffmpeg.ffmpeg.version} from ${ffmpeg.ffmpeg.source}${ffmpeg.ffmpeg.warning ? ', with a warning (older than FFmpeg 5.1)' : ''}; ffprobe ${ffmpeg.ffprobe.version} from ${ffmpeg.ffprobe.source}${ffmpeg.ffprobe.warning ? ', with a warning' : ''}`,
      t0,
    );
  });
});

describe('the output folder and its deletes (item 1)', () => {
  it('refuses an output folder that is a symlink into the data folder (checked at its real path)', async () => {
    const t0 = performance.now();
    const before = await dataFiles(real.dataDir);
    const link = path.join(work, 'looks-harmless');
    symlinkSync(real.dataDir, link);
    const deeper = path.join(work, 'deeper-link');
    symlinkSync(path.join(real.dataDir, 'jobs'), deeper);
    for (const dir of [link, path.join(link, 'renders'), deeper]) {
      const a = await raw(
        'POST',
        '/jobs',
        { ...bearer(real), 'content-type': 'application/json' },
        JSON.stringify(specIn(dir)),
        real,
      );
      expect(a.status, dir).toBe(400);
      expect(a.body.error?.message).toMatch(/^Expected an output folder outside the bridge's data folder /);
      row(
        'output folder that is a symlink into the data folder',
        `output.dir ${dir.replace(work, '<tmp>')} → data folder`,
        'HTTP',
        outcomeOf(a).replaceAll(real.dataDir, '<data>'),
        t0,
      );
    }
    expect(await dataFiles(real.dataDir)).toEqual(before);
  });

  it('refuses DELETE outputs with paths: nothing in the data folder or outside the job can be named', async () => {
    const out = path.join(work, 'named-deletes');
    const { job } = await real.client.createJob(specIn(out));
    await collect(real.client.jobEvents(job.id));
    const data = await dataFiles(real.dataDir);
    for (const paths of [['bridge.lock'], [`jobs/${job.id}.json`], [real.dataDir], ['frames']]) {
      const t0 = performance.now();
      const a = await raw(
        'DELETE',
        `/jobs/${job.id}/outputs`,
        { ...bearer(real), 'content-type': 'application/json' },
        JSON.stringify({ paths }),
        real,
      );
      expect(a.status).toBe(400);
      row(
        'DELETE outputs naming files',
        `{"paths": ${JSON.stringify(paths).replaceAll(real.dataDir, '<data>')}}`,
        'HTTP',
        outcomeOf(a),
        t0,
      );
    }
    expect(await dataFiles(real.dataDir)).toMatchObject(data);
    expect((await readdir(path.join(out, 'frames'))).length).toBe(6);
  });

  it('deletes nothing for a job that wrote nothing, and never a user folder beside the outputs', async () => {
    const t0 = performance.now();
    const home = path.join(work, 'home');
    mkdirSync(path.join(home, 'Documents'), { recursive: true });
    writeFileSync(path.join(home, 'Documents', 'thesis.txt'), 'years of work');
    const { job } = await real.client.createJob(specIn(home, { driving: media.source })); // a still as the clip: fails before writing anything
    const events = await collect(real.client.jobEvents(job.id));
    expect(events.at(-1)?.type).toBe('failed');
    const before = await fileHashes(home);
    const named = await raw(
      'DELETE',
      `/jobs/${job.id}/outputs`,
      { ...bearer(real), 'content-type': 'application/json' },
      JSON.stringify({ paths: ['Documents'] }),
      real,
    );
    expect(named.status).toBe(400);
    const { deleted } = await real.client.deleteOutputs(job.id);
    expect(deleted).toEqual([]);
    expect(await fileHashes(home)).toEqual(before);
    row(
      'DELETE outputs of a job that wrote nothing (a still as the driving clip)',
      '{"paths": ["Documents"]}, then no body',
      'HTTP',
      `${outcomeOf(named)}; without a body: deleted nothing, Documents/thesis.txt intact`,
      t0,
    );
  });

  it('deletes only what the manifest lists, leaving look-alikes, user temp files and symlinks', async () => {
    const t0 = performance.now();
    const out = path.join(work, 'manifest-deletes');
    const { job } = await real.client.createJob(specIn(out, { output: { dir: out, preview: true } }));
    await collect(real.client.jobEvents(job.id));
    const mine = {
      'notes.txt': 'notes',
      'frames/frame_99999.png': 'a look-alike frame no manifest lists',
      'frames/render.partial': 'a user file with a temp-like name',
      'frames/.frame_00001.png.tmp': "not reenact's temp name",
      'take.reenact.mov': 'a user movie named like ours (format png: not ours)',
    };
    for (const [rel, text] of Object.entries(mine)) writeFileSync(path.join(out, rel), text);
    symlinkSync(media.source, path.join(out, 'frames', 'frame_00006.png'));
    const { deleted } = await real.client.deleteOutputs(job.id);
    expect(deleted.map((f) => path.relative(out, f)).sort()).toEqual([
      ...[0, 1, 2, 3, 4, 5].map((i) => `frames/frame_0000${i}.png`),
      'preview.mp4',
      'reenact.json',
    ]);
    for (const [rel, text] of Object.entries(mine)) expect(readFileSync(path.join(out, rel), 'utf8')).toBe(text);
    expect(readlinkSync(path.join(out, 'frames', 'frame_00006.png'))).toBe(media.source);
    row(
      'DELETE outputs beside user files',
      'notes.txt, frames/frame_99999.png, frames/render.partial, a symlink frame',
      'HTTP',
      `deleted the 6 listed frames, preview.mp4 and reenact.json; ${Object.keys(mine).length} user files and the symlink byte-identical`,
      t0,
    );
  });

  it('refuses to run when the output folder was swapped for a symlink into the data folder after it was checked', async () => {
    const t0 = performance.now();
    const out = path.join(work, 'swapped');
    const { job } = await real.client.createJob(specIn(out, { driving: media.source })); // a still as the clip: fails before writing anything
    await collect(real.client.jobEvents(job.id));
    symlinkSync(real.dataDir, out); // then the folder becomes a link into the data folder
    const record = `jobs/${job.id}.json`; // the resume updates the job's own record, nothing else
    const { [record]: _before, ...before } = await dataFiles(real.dataDir);
    await real.client.resumeJob(job.id);
    const events = await collect(real.client.jobEvents(job.id));
    const last = events.at(-1);
    expect(last?.type === 'failed' && last.error).toEqual({
      code: 'BAD_INPUT',
      message: `Expected an output folder outside the bridge's data folder ${real.dataDir} but received ${out} (really ${real.dataDir}).`,
    });
    const { [record]: _after, ...after } = await dataFiles(real.dataDir);
    expect(after).toEqual(before);
    row(
      'output folder swapped for a symlink after the job was made, then resumed',
      'output.dir → data folder',
      'HTTP',
      `job failed before rendering: ${last?.type === 'failed' ? last.error.message : ''}`.replaceAll(
        real.dataDir,
        '<data>',
      ),
      t0,
    );
  });
});

describe('files reenact did not write (item 2)', () => {
  const outcome = (o: string) => o.replaceAll(work, '<tmp>');

  it('a render leaves user *.tmp and *.partial files in frames/ alone (only its own temp names go)', async () => {
    const t0 = performance.now();
    const out = path.join(work, 'temps');
    mkdirSync(path.join(out, 'frames'), { recursive: true });
    const mine = ['render.partial', 'comp.tmp', 'frame_00001.png.bak'];
    for (const n of mine) writeFileSync(path.join(out, 'frames', n), `user file ${n}`);
    expect(await runReal(specIn(out))).toBe('done');
    writeFileSync(path.join(out, 'frames', '.frame_00002.png.0badc0de.partial'), 'left by a killed render');
    expect(await runReal(specIn(out))).toBe('done'); // resume: cleans its own temp
    for (const n of mine) expect(readFileSync(path.join(out, 'frames', n), 'utf8')).toBe(`user file ${n}`);
    expect(existsSync(path.join(out, 'frames', '.frame_00002.png.0badc0de.partial'))).toBe(false);
    row(
      'user temp-like files in frames/',
      mine.map((n) => `frames/${n}`).join(', '),
      'HTTP',
      'render and resume kept all three; removed only its own .frame_00002.png.<hex>.partial',
      t0,
    );
  });

  it("preview refuses a user's preview.mp4 (OUTPUT_EXISTS) instead of overwriting it", async () => {
    const t0 = performance.now();
    const out = path.join(work, 'user-preview');
    mkdirSync(out);
    writeFileSync(path.join(out, 'preview.mp4'), 'my cut');
    const result = await runReal(specIn(out, { output: { dir: out, preview: true } }));
    expect(result).toMatch(
      /^failed OUTPUT_EXISTS: The output folder holds files reenact did not write where this render would write \(user-preview\/preview\.mp4\)/,
    );
    expect(readFileSync(path.join(out, 'preview.mp4'), 'utf8')).toBe('my cut');
    row("render with --preview beside the user's preview.mp4", 'preview.mp4 (user)', 'HTTP', outcome(result), t0);
  });

  it("--force refuses a user's look-alike frame and a reenact.json reenact did not write, deleting neither", async () => {
    for (const [name, text] of [
      ['frames/frame_001.png', 'my frame'],
      ['reenact.json', '{"tool": "another plugin"}'],
    ]) {
      const t0 = performance.now();
      const out = path.join(work, `force-${path.basename(name, path.extname(name))}`);
      mkdirSync(path.join(out, 'frames'), { recursive: true });
      writeFileSync(path.join(out, name), text);
      const result = await runReal(specIn(out, { output: { dir: out, force: true } }));
      expect(result).toMatch(/^failed OUTPUT_EXISTS: The output folder holds files reenact did not write/);
      expect(readFileSync(path.join(out, name), 'utf8')).toBe(text);
      row('--force in a folder with a file reenact did not write', name, 'HTTP', outcome(result), t0);
    }
  });

  it('refuses a symlinked frames/ instead of writing through it', async () => {
    const t0 = performance.now();
    const out = path.join(work, 'linked-frames');
    const theirs = path.join(work, 'their-sequence');
    mkdirSync(out);
    mkdirSync(theirs);
    writeFileSync(path.join(theirs, 'frame_00000.png'), 'their frame');
    symlinkSync(theirs, path.join(out, 'frames'));
    for (const force of [false, true]) {
      const result = await runReal(specIn(out, { output: { dir: out, force } }));
      expect(result).toMatch(
        /^failed OUTPUT_EXISTS: Expected .*\/frames to be a folder reenact can write into but it is a symlink\./,
      );
      row(
        `frames/ a symlink to another folder${force ? ' (--force)' : ''}`,
        'frames → their-sequence/',
        'HTTP',
        outcome(result),
        t0,
      );
    }
    expect(readdirSync(theirs)).toEqual(['frame_00000.png']);
    expect(readFileSync(path.join(theirs, 'frame_00000.png'), 'utf8')).toBe('their frame');
  });

  it("DELETE outputs leaves a user's preview.mp4 and <clip>.reenact.mov that the job did not write", async () => {
    const t0 = performance.now();
    const out = path.join(work, 'user-movies');
    mkdirSync(out);
    const movie = `${path.basename(media.driving, path.extname(media.driving))}.reenact.mov`;
    const { job } = await real.client.createJob(specIn(out));
    await collect(real.client.jobEvents(job.id));
    writeFileSync(path.join(out, 'preview.mp4'), 'my cut');
    writeFileSync(path.join(out, movie), 'my movie');
    const { deleted } = await real.client.deleteOutputs(job.id);
    expect(deleted).toHaveLength(7); // 6 frames and reenact.json
    expect(readdirSync(out).sort()).toEqual([movie, 'preview.mp4'].sort());
    row(
      'DELETE outputs beside a user preview.mp4 and <clip>.reenact.mov',
      'png job without preview',
      'HTTP',
      'deleted 6 frames and reenact.json; preview.mp4 and the .mov untouched',
      t0,
    );
  });
});

describe('a % in the output path (item 3)', () => {
  it('writes every frame inside a folder named 100%done (or take_%05d), and its preview reads them back', async () => {
    for (const name of ['100%done', 'take_%05d', '%d%d']) {
      const t0 = performance.now();
      const parent = path.join(work, 'percent', name.replace(/%/g, 'pct'));
      mkdirSync(parent, { recursive: true });
      const out = path.join(parent, name);
      const result = await runReal(specIn(out, { output: { dir: out, preview: true } }));
      expect(result).toBe('done');
      expect(readdirSync(parent)).toEqual([name]); // nothing scattered beside it
      expect(readdirSync(path.join(out, 'frames'))).toEqual([0, 1, 2, 3, 4, 5].map((i) => `frame_0000${i}.png`));
      expect(readdirSync(out).sort()).toEqual(['frames', 'preview.mp4', 'reenact.json']);
      row(
        'output folder with % in its name',
        `output.dir …/${name}`,
        'HTTP',
        `done: 6 frames in ${name}/frames/, preview.mp4 read them back; nothing written beside the folder`,
        t0,
      );
    }
  });
});

describe('bounded specs (items 5, 6, 7)', () => {
  const post = (body: unknown) =>
    raw('POST', '/jobs', { ...bearer(real), 'content-type': 'application/json' }, JSON.stringify(body), real);

  it('refuses deeply nested engine options with a 400 naming the key; the bridge keeps listing its jobs', async () => {
    const t0 = performance.now();
    const depth = 50_000; // the body is written as text: nothing here recurses
    const spec = JSON.stringify(specIn(path.join(work, 'deep'), { engine: { name: 'fixture', options: { deep: 0 } } }));
    const body = spec.replace('"deep":0', `"deep":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`);
    const before = (await real.client.listJobs()).jobs.length;
    const a = await raw('POST', '/jobs', { ...bearer(real), 'content-type': 'application/json' }, body, real);
    expect(a.status).toBe(400);
    expect(a.body.error?.message).toMatch(/engine\.options/);
    const list = await raw('GET', '/jobs', bearer(real), undefined, real);
    expect(list.status).toBe(200);
    expect((list.body.jobs as unknown[]).length).toBe(before);
    row(
      'engine options nested 50 000 deep',
      '{"engine": {"options": {"deep": {"a": {"a": …}}}}}',
      'HTTP',
      `${outcomeOf(a).slice(0, 160)}…; GET /jobs then 200`,
      t0,
    );
  });

  it('refuses curves longer than the job (a 1 MB body of empty curve frames) at creation', async () => {
    const t0 = performance.now();
    const frames = Array.from({ length: 340_000 }, () => ({}));
    const heap = (await real.client.health()).memory.heapUsed;
    const a = await post(specIn(path.join(work, 'curves'), { curves: { frames } }));
    expect(a.status).toBe(400);
    expect(a.body.error?.message).toBe(
      "Expected control curves for output frames 0-5 (the job's 6 frames) but received 340000 curve frames from frame 0 (to 339999). Sample the curves over the job's frames only.",
    );
    const grown = (await real.client.health()).memory.heapUsed - heap;
    row(
      '340 000 empty curve frames (a 1 MB body) for a 6-frame job',
      '{"curves": {"frames": [{}, {}, …]}}',
      'HTTP',
      outcomeOf(a),
      t0,
      { heapGrowthMiB: Math.round(grown / 2 ** 20) },
    );
  });

  it('keeps curve frames exactly as sent: no defaults filled in (a job record holds what the client posted)', async () => {
    const t0 = performance.now();
    const frames = [{}, { mouth: 2 }];
    const { job } = await real.client.createJob(specIn(path.join(work, 'curves-as-sent'), { curves: { frames } }));
    await collect(real.client.jobEvents(job.id, { previews: false }));
    const stored = JSON.parse(readFileSync(path.join(real.dataDir, 'jobs', `${job.id}.spec.json`), 'utf8'));
    const answers = {
      created: job.spec.curves?.frames,
      get: (await real.client.getJob(job.id)).job.spec.curves?.frames,
      stored: stored.curves?.frames,
    };
    expect(answers).toEqual({ created: frames, get: frames, stored: frames });
    row(
      'curve frames with keys left out',
      '{"curves": {"frames": [{}, {"mouth": 2}]}}',
      'HTTP',
      `201; POST answer, GET /jobs/:id and the stored record all hold ${JSON.stringify(answers.get)}`,
      t0,
    );
  });

  it('refuses bad frame rates and chunks outside the job at creation (400), as the CLI does', async () => {
    for (const extra of [{ fps: '0/0' }, { fps: '1e309' }, { fps: '999999999/1' }, { chunk: { start: 4, end: 99 } }]) {
      const t0 = performance.now();
      const a = await post(specIn(path.join(work, 'bad-rate'), extra));
      expect(a.status, JSON.stringify(extra)).toBe(400);
      row('bad frame rate or chunk', JSON.stringify(extra), 'HTTP', outcomeOf(a).replaceAll(work, '<tmp>'), t0);
    }
  });
});
