/**
 * Every refusal the bridge makes, over real HTTP and WebSocket on loopback: no token, wrong token, bad Origin,
 * malformed JSON, schema violations, path traversal, oversized bodies — each with its status and exact message.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createClient } from '../../bridge/src/api/client.js';
import { createFixtureRunner } from '../jobs/fixture-runner.js';
import { collect, expectApiError, makeInputs, startTestBridge, type TestBridge, tempDir } from './helpers.js';

let t: TestBridge;
let work: string;
let inputs: { source: string; driving: string };

beforeAll(async () => {
  work = await tempDir();
  process.env.REENACT_DATA_DIR = path.join(work, 'unused-data');
  inputs = await makeInputs(work);
  t = await startTestBridge({ services: { runner: createFixtureRunner({ frames: 3 }) } });
});

afterAll(async () => {
  await t?.bridge.close();
});

/** Raw fetch with full control of headers and body. */
async function raw(
  method: string,
  route: string,
  init: { headers?: Record<string, string>; body?: string; auth?: boolean } = {},
): Promise<{
  status: number;
  body: { error?: { code: string; message: string } } & Record<string, unknown>;
  headers: Headers;
}> {
  const headers: Record<string, string> = {
    ...(init.auth === false ? {} : { authorization: `Bearer ${t.bridge.token}` }),
    ...init.headers,
  };
  const res = await fetch(t.bridge.url + route, { method, headers, body: init.body });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : {}, headers: res.headers };
}

const json = { 'content-type': 'application/json' };
const goodSpec = () => ({
  source: inputs.source,
  driving: inputs.driving,
  output: { dir: path.join(work, 'out') },
  engine: { name: 'fixture' as const },
});

describe('authentication', () => {
  it('refuses a request without a token', async () => {
    const res = await raw('GET', '/health', { auth: false });
    expect(res.status).toBe(401);
    expect(res.body.error).toEqual({
      code: 'UNAUTHORIZED',
      message:
        'Expected the bridge token in an Authorization: Bearer header (or ?token= for the events WebSocket) but received none.',
    });
  });

  it('refuses a wrong token', async () => {
    const res = await raw('GET', '/jobs', { auth: false, headers: { authorization: 'Bearer not-the-token-at-all' } });
    expect(res.status).toBe(401);
    expect(res.body.error?.message).toBe(
      'Expected the bridge token but received a different one. Read the token printed by `reenact serve` (or its lock file).',
    );
  });

  it('refuses a WebSocket upgrade without or with a wrong token', async () => {
    const job = (await t.client.createJob(goodSpec())).job;
    await collect(t.client.jobEvents(job.id));
    for (const query of ['', '?token=wrong-token-wrong-token']) {
      const status = await new Promise<number>((resolve, reject) => {
        const ws = new WebSocket(`${t.bridge.url.replace('http', 'ws')}/jobs/${job.id}/events${query}`);
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.on('open', () => reject(new Error('opened')));
        ws.on('error', () => {});
      });
      expect(status).toBe(401);
    }
    const bad = createClient({ url: t.bridge.url, token: 'x'.repeat(43), WebSocket });
    await expect(collect(bad.jobEvents(job.id))).rejects.toThrow(
      `The event stream of job ${job.id} closed: Unexpected server response: 401.`,
    );
  });

  it('accepts the token as a query parameter for WebSockets, and keeps it out of the log', async () => {
    const job = (await t.client.createJob({ ...goodSpec(), output: { dir: path.join(work, 'out-ws') } })).job;
    const events = await collect(t.client.jobEvents(job.id));
    expect(events.at(-1)?.type).toBe('done');
    const log = await fs.readFile(path.join(t.dataDir, 'logs', 'bridge.log'), 'utf8');
    expect(log).toContain('/events?token=[redacted]');
    expect(log).not.toContain(t.bridge.token);
  });
});

describe('origins', () => {
  it('refuses a web page origin with 403', async () => {
    const res = await raw('GET', '/health', { headers: { origin: 'https://evil.example' } });
    expect(res.status).toBe(403);
    expect(res.body.error).toEqual({
      code: 'FORBIDDEN_ORIGIN',
      message:
        'Expected a request from the reenact panel (no Origin, file://, null or localhost) but received Origin https://evil.example. Web pages may not use the bridge.',
    });
    const lookalike = await raw('GET', '/health', { headers: { origin: 'http://localhost.evil.example' } });
    expect(lookalike.status).toBe(403);
  });

  it('refuses a web page origin even without a token (and on WebSocket upgrades)', async () => {
    const res = await raw('GET', '/jobs', { auth: false, headers: { origin: 'http://example.com' } });
    expect(res.status).toBe(403);
    const status = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`${t.bridge.url.replace('http', 'ws')}/jobs/j-20260101-000000-00000000/events`, {
        headers: { origin: 'http://example.com', authorization: `Bearer ${t.bridge.token}` },
      });
      ws.on('unexpected-response', (_req, r) => resolve(r.statusCode ?? 0));
      ws.on('error', () => {});
    });
    expect(status).toBe(403);
  });

  it('allows CEP panels (file://, null) and localhost pages, with CORS headers and token-free preflight', async () => {
    for (const origin of ['file://', 'null', 'http://localhost:8080', 'http://127.0.0.1:3000']) {
      const res = await raw('GET', '/health', { headers: { origin } });
      expect(res.status, origin).toBe(200);
      expect(res.headers.get('access-control-allow-origin')).toBe(origin);
    }
    const pre = await raw('OPTIONS', '/jobs', {
      auth: false,
      headers: {
        origin: 'null',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type',
      },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-headers')).toBe('Authorization, Content-Type');
  });
});

describe('request validation', () => {
  it('refuses malformed JSON', async () => {
    const res = await raw('POST', '/jobs', { headers: json, body: '{"source": ' });
    expect(res.status).toBe(400);
    expect(res.body.error?.code).toBe('BAD_REQUEST');
    expect(res.body.error?.message).toMatch(/^Expected a valid JSON body: /);
  });

  it('refuses a body that is not JSON', async () => {
    const res = await raw('POST', '/jobs', { headers: { 'content-type': 'text/plain' }, body: 'hello' });
    expect(res.status).toBe(415);
    expect(res.body.error).toEqual({
      code: 'UNSUPPORTED_MEDIA_TYPE',
      message: 'Expected Content-Type application/json.',
    });
  });

  it('refuses schema violations, naming each field', async () => {
    const before = (await t.client.listJobs()).jobs;
    await expectApiError(t.client.createJob({ ...goodSpec(), source: 42 } as never), {
      status: 400,
      code: 'BAD_INPUT',
      message: 'Invalid job spec: source: Expected a path string for source.',
    });
    await expectApiError(t.client.createJob({ ...goodSpec(), engine: { name: 'warp9' } } as never), {
      status: 400,
      code: 'BAD_INPUT',
      message:
        'Invalid job spec: engine.name: Expected one of meshwarp, liveportrait, fixture for engine.name but received "warp9".',
    });
    const { output: _o, ...noOutput } = goodSpec();
    await expectApiError(t.client.createJob(noOutput as never), {
      status: 400,
      code: 'BAD_INPUT',
      message: 'Invalid job spec: output: Expected an object but received undefined.',
    });
    await expectApiError(t.client.createJob({ ...goodSpec(), smoothing: 3 }), {
      status: 400,
      code: 'BAD_INPUT',
      message: 'Invalid job spec: smoothing: Expected a value ≤ 1 but received 3.',
    });
    // The same parseJobSpec as the CLI: a rate no comp has is refused at creation, not when the job runs.
    await expectApiError(t.client.createJob({ ...goodSpec(), fps: '0/0' }), {
      status: 400,
      code: 'BAD_INPUT',
      message:
        'Invalid job spec: fps: Expected a positive output frame rate (fps) like 25, 29.97 or 30000/1001 but received "0/0".',
    });
    await expectApiError(t.client.createJob({ ...goodSpec(), fps: '5000' }), {
      status: 400,
      code: 'BAD_INPUT',
      message: /^Invalid job spec: fps: Expected an output frame rate between 1 and 1000 fps but received "5000"\./,
    });
    expect((await t.client.listJobs()).jobs).toEqual(before);
  });

  it('refuses deeply nested engine options with a short 400 naming the key (no stack overflow)', async () => {
    const nested = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
    const body = (options: string) =>
      JSON.stringify({ ...goodSpec(), engine: { name: 'meshwarp', options: {} } }).replace('"options":{}', options);
    // A few levels: the engine's strict options schema names the key and says what it expected.
    const shallow = await raw('POST', '/jobs', { headers: json, body: body(`"options":{"ringScale":${nested(8)}}`) });
    expect(shallow.status).toBe(400);
    expect(shallow.body.error?.message).toBe(
      'Invalid job spec: engine.options.ringScale: Expected a number for meshwarp.ringScale but received an object with 1 key.',
    );
    const unknown = await raw('POST', '/jobs', { headers: json, body: body(`"options":{"deep":${nested(8)}}`) });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error?.message).toMatch(/for meshwarp\.deep but received an object with 1 key\.$/);
    // A hundred thousand levels: still a short 400 naming where, and the bridge keeps serving.
    const deep = await raw('POST', '/jobs', {
      headers: json,
      body: body(`"options":{"ringScale":${nested(100_000)}}`),
    });
    expect(deep.status).toBe(400);
    expect(deep.body.error?.message).toMatch(/engine\.options\.ringScale/);
    expect(deep.body.error?.message.length).toBeLessThan(1000);
    expect((await t.client.health()).ok).toBe(true);
  });

  it('refuses relative paths and ../ traversal in specs, probes and deletes', async () => {
    await expectApiError(t.client.createJob({ ...goodSpec(), source: 'portrait.png' }), {
      status: 400,
      code: 'BAD_INPUT',
      message: 'Invalid job spec: source: Expected an absolute path for source but received "portrait.png".',
    });
    const sneaky = `${work}/out/../../etc`;
    await expectApiError(t.client.createJob({ ...goodSpec(), output: { dir: sneaky } }), {
      status: 400,
      code: 'BAD_INPUT',
      message: `Invalid job spec: output.dir: Expected a path without ".." segments for output.dir but received ${JSON.stringify(sneaky)}.`,
    });
    await expectApiError(t.client.probe('/etc/../etc/passwd'), {
      status: 400,
      code: 'BAD_REQUEST',
      message: 'Invalid query: path: Expected a path without ".." segments for path but received "/etc/../etc/passwd".',
    });
    const job = (await t.client.createJob({ ...goodSpec(), output: { dir: path.join(work, 'out-del') } })).job;
    await collect(t.client.jobEvents(job.id));
    // Deletes name nothing: a body with paths (what older clients sent) is refused, and nothing is deleted.
    for (const paths of [['../portrait.png'], [inputs.source], ['frames']]) {
      const res = await raw('DELETE', `/jobs/${job.id}/outputs`, { headers: json, body: JSON.stringify({ paths }) });
      expect(res.status).toBe(400);
      expect(res.body.error?.message).toBe(
        `Invalid body: paths: Expected no body: the job's outputs are the files its reenact.json lists, nothing else can be named (received "paths").`,
      );
    }
    expect((await fs.readdir(path.join(work, 'out-del', 'frames'))).length).toBe(3);
    // A symlink inside the folder that points outside is never followed: the default delete leaves it and its target.
    await fs.symlink(work, path.join(work, 'out-del', 'escape'));
    const { deleted } = await t.client.deleteOutputs(job.id);
    expect(deleted.map((f) => path.relative(path.join(work, 'out-del'), f))).toEqual([
      'frames/frame_00000.png',
      'frames/frame_00001.png',
      'frames/frame_00002.png',
      'reenact.json',
    ]);
    expect(await fs.readdir(path.join(work, 'out-del'))).toEqual(['escape']);
    await fs.access(inputs.source);
  });

  it('refuses missing input files and an output folder that is a file or the data folder', async () => {
    const missing = path.join(work, 'nope.png');
    await expectApiError(t.client.createJob({ ...goodSpec(), source: missing }), {
      status: 400,
      code: 'BAD_INPUT',
      message: `Expected an existing file for source but received ${missing} (not found). Check the path.`,
    });
    await expectApiError(t.client.createJob({ ...goodSpec(), output: { dir: inputs.source } }), {
      status: 400,
      code: 'BAD_INPUT',
      message: `Expected a folder for output.dir but received ${inputs.source} (a file).`,
    });
    await expectApiError(t.client.createJob({ ...goodSpec(), output: { dir: path.join(t.dataDir, 'jobs') } }), {
      status: 400,
      code: 'BAD_INPUT',
      message: `Expected an output folder outside the bridge's data folder ${t.dataDir} but received ${path.join(t.dataDir, 'jobs')}.`,
    });
  });

  it('refuses bodies over 1 MiB with 413', async () => {
    const big = JSON.stringify({ ...goodSpec(), pad: 'x'.repeat(1024 * 1024) });
    const res = await raw('POST', '/jobs', { headers: json, body: big });
    expect(res.status).toBe(413);
    expect(res.body.error).toEqual({
      code: 'PAYLOAD_TOO_LARGE',
      message: 'Expected a request body of at most 1048576 bytes but received more. Send paths, not file contents.',
    });
  });

  it('refuses a bad job id and unknown routes', async () => {
    const res = await raw('GET', '/jobs/..%2F..%2Fetc');
    expect(res.status).toBe(400);
    expect(res.body.error?.message).toBe('Invalid job id: id: Expected a job id like j-20260101-120000-0a1b2c3d.');
    const nf = await raw('GET', '/nope?token=abc');
    expect(nf.status).toBe(404);
    expect(nf.body.error).toEqual({ code: 'NOT_FOUND', message: 'No route GET /nope.' });
  });

  it('answers a bad WebSocket message with an error and a 1008 close', async () => {
    const job = (await t.client.createJob({ ...goodSpec(), output: { dir: path.join(work, 'out-msg') } })).job;
    await collect(t.client.jobEvents(job.id));
    const ws = new WebSocket(`${t.bridge.url.replace('http', 'ws')}/jobs/${job.id}/events?token=${t.bridge.token}`);
    const messages: unknown[] = [];
    ws.on('message', (d) => messages.push(JSON.parse(String(d))));
    // The job is done: the server sends its state and history, then closes 1000. Send before that lands.
    const { code } = await new Promise<{ code: number }>((resolve) => {
      ws.on('open', () => ws.send('{"type":"ping","id":1}'));
      ws.on('close', (c) => resolve({ code: c }));
    });
    expect(code).toBe(1000);
    expect(messages[0]).toMatchObject({ type: 'job', job: { id: job.id, state: 'done' } });

    // A job still waiting (interrupted jobs keep the stream open): ping, then garbage.
    const slow = await startTestBridge({ services: { runner: createFixtureRunner({ frames: 200, delayMs: 20 }) } });
    try {
      const j = (await slow.client.createJob({ ...goodSpec(), output: { dir: path.join(work, 'out-slow') } })).job;
      const sock = new WebSocket(
        `${slow.bridge.url.replace('http', 'ws')}/jobs/${j.id}/events?token=${slow.bridge.token}`,
      );
      const got: { type: string; error?: { message: string } }[] = [];
      sock.on('message', (d) => {
        const m = JSON.parse(String(d));
        got.push(m);
        if (m.type === 'job') sock.send(JSON.stringify({ type: 'ping', id: 7 }));
        if (m.type === 'pong') sock.send(JSON.stringify({ type: 'shout' }));
      });
      const closed = await new Promise<number>((resolve) => sock.on('close', (c) => resolve(c)));
      expect(closed).toBe(1008);
      expect(got.find((m) => m.type === 'pong')).toEqual({ type: 'pong', id: 7 });
      expect(got.at(-1)).toEqual({
        type: 'error',
        error: {
          code: 'BAD_REQUEST',
          message: 'Invalid message: type: Expected one of "ping", "previews" but received "shout".',
        },
      });
      await slow.client.cancelJob(j.id);
    } finally {
      await slow.bridge.close();
    }
  });
});
