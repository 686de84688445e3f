import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../bridge/src/cli/program.js';
import { ReenactError } from '../../bridge/src/errors.js';
import { type Catalog, loadCatalog } from '../../bridge/src/models/catalog.js';
import { type InstallEvent, installModels } from '../../bridge/src/models/install.js';
import { decodeModel } from '../../bridge/src/onnx/proto.js';
import { buildWarpingModel } from '../engines/liveportrait/synthetic-models.js';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

// Fake model files (random bytes): the installer does not care what is inside, only the hash.
const big = randomBytes(300_000);
const small = randomBytes(1_000);
const optional = randomBytes(500);
const files: Record<string, Buffer> = { 'big.onnx': big, 'small.onnx': small, 'extra.onnx': optional };
/** What a mirror serves for a file: a re-saved copy, not byte-equal to the primary's (as VisoMaster's are). */
const mirrored: Record<string, Buffer> = { 'small.onnx': randomBytes(1_200) };

interface Hit {
  url: string;
  range?: string;
}
let hits: Hit[] = [];
let cutOnce = new Set<string>();
let server: http.Server;
let base = '';

/** /ok/<f> serves with Range support; /cut/<f> drops the connection halfway on the first full request; /bad/<f> serves wrong bytes. */
function handler(req: http.IncomingMessage, res: http.ServerResponse): void {
  hits.push({ url: req.url ?? '', range: req.headers.range });
  const [, mode, name] = (req.url ?? '').split('/');
  if (mode === 'moved') {
    res.writeHead(302, { location: `/ok/${name}` });
    res.end();
    return;
  }
  const body = files[name];
  if (!body || mode === 'gone') {
    res.writeHead(404);
    res.end();
    return;
  }
  const served = mode === 'bad' ? Buffer.from(body).fill(7, 0, 10) : mode === 'mirror' ? mirrored[name] : body;
  const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
  if (m) {
    const start = Number(m[1]);
    if (start >= served.length) {
      res.writeHead(416, { 'content-range': `bytes */${served.length}` });
      res.end();
      return;
    }
    res.writeHead(206, {
      'content-length': served.length - start,
      'content-range': `bytes ${start}-${served.length - 1}/${served.length}`,
    });
    res.end(served.subarray(start));
    return;
  }
  res.writeHead(200, { 'content-length': served.length });
  if (mode === 'stall' && !cutOnce.has(name)) {
    cutOnce.add(name);
    res.write(served.subarray(0, 120_000)); // then silence: the client's idle timeout must cut and resume
    return;
  }
  if (mode === 'cut' && !cutOnce.has(name)) {
    cutOnce.add(name);
    res.write(served.subarray(0, 120_000), () => res.socket?.end()); // FIN after the bytes: they all arrive
    return;
  }
  res.end(served);
}

let tmp: string;
let catalog: Catalog;

/** One catalog source: a URL with the sha256 published for the copy it serves. */
const source = (url: string, sha256: string | null, name = 'the test server', sizeBytes: number | null = null) => ({
  name,
  url,
  sha256,
  sizeBytes,
  hashSource: sha256 ? 'the test' : null,
});
let env: NodeJS.ProcessEnv;

function writeCatalog(extra: Partial<Catalog['models'][number]>[] = []): string {
  const model = (id: string, file: string, required: boolean) => ({
    id,
    file,
    role: `test ${id}`,
    required,
    sources: [source(`${base}/ok/${file}`, sha(files[file]))],
    approxSize: null,
    licence: 'MIT',
    licenceSource: 'the test',
  });
  const cat = {
    set: 'testset',
    version: 1,
    licence: { name: 'MIT', text: 'Test weights.', urls: ['https://example.invalid/licence'] },
    models: [
      model('big', 'big.onnx', true),
      model('small', 'small.onnx', true),
      model('extra', 'extra.onnx', false),
      ...extra,
    ],
  };
  const file = path.join(tmp, 'catalog.json');
  writeFileSync(file, JSON.stringify(cat));
  return file;
}

beforeAll(async () => {
  server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

beforeEach(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'reenact-models-'));
  hits = [];
  cutOnce = new Set();
  env = { REENACT_CACHE_DIR: path.join(tmp, 'cache'), REENACT_MODEL_CATALOG: writeCatalog() };
  catalog = loadCatalog(env.REENACT_MODEL_CATALOG);
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

const dirOf = () => path.join(tmp, 'cache', 'models', 'testset');

describe('reenact models install (loopback HTTP server)', () => {
  it('downloads the required models, following a redirect, and records their sha256', async () => {
    const events: InstallEvent[] = [];
    const result = await installModels(catalog, { env, mirror: `${base}/moved`, onEvent: (e) => events.push(e) });
    expect(result.installed).toEqual(['big.onnx', 'small.onnx']);
    expect(sha(readFileSync(path.join(dirOf(), 'big.onnx')))).toBe(sha(big));
    expect(existsSync(path.join(dirOf(), 'extra.onnx'))).toBe(false);
    const state = JSON.parse(readFileSync(path.join(dirOf(), 'installed.json'), 'utf8'));
    expect(state.files['small.onnx'].sha256).toBe(sha(small));
    expect(events.filter((e) => e.type === 'model-done').map((e) => (e as { file: string }).file)).toEqual([
      'big.onnx',
      'small.onnx',
    ]);
    // A second run skips what is installed.
    const again = await installModels(catalog, { env, mirror: `${base}/ok` });
    expect(again.skipped).toEqual(['big.onnx', 'small.onnx']);
  });

  it('resumes with an HTTP Range request after the connection is cut', async () => {
    const events: InstallEvent[] = [];
    await installModels(catalog, { env, ids: ['big'], mirror: `${base}/cut`, onEvent: (e) => events.push(e) });
    expect(hits.map((h) => h.range)).toEqual([undefined, 'bytes=120000-']);
    expect(events.some((e) => e.type === 'model-retry')).toBe(true);
    expect(sha(readFileSync(path.join(dirOf(), 'big.onnx')))).toBe(sha(big));
    expect(existsSync(path.join(dirOf(), 'big.onnx.part'))).toBe(false);
  });

  it('resumes after the server stalls mid-file (idle timeout)', async () => {
    await installModels(catalog, { env, ids: ['big'], mirror: `${base}/stall`, timeoutMs: 300 });
    expect(hits.map((h) => h.range)).toEqual([undefined, 'bytes=120000-']);
    expect(sha(readFileSync(path.join(dirOf(), 'big.onnx')))).toBe(sha(big));
  });

  it('keeps big.onnx.part when the run fails and resumes it on the next run', async () => {
    const err = await installModels(catalog, { env, ids: ['big'], mirror: `${base}/cut`, retries: 0 }).catch((e) => e);
    expect(err).toBeInstanceOf(ReenactError);
    expect((err as ReenactError).code).toBe('MISSING_MODEL');
    expect(readFileSync(path.join(dirOf(), 'big.onnx.part')).length).toBe(120_000);
    expect(existsSync(path.join(dirOf(), 'big.onnx'))).toBe(false);
    await installModels(catalog, { env, ids: ['big'], mirror: `${base}/cut` });
    expect(hits.at(-1)?.range).toBe('bytes=120000-');
    expect(sha(readFileSync(path.join(dirOf(), 'big.onnx')))).toBe(sha(big));
  });

  it('rejects a wrong sha256 and leaves nothing under the final name', async () => {
    const err = (await installModels(catalog, { env, ids: ['small'], mirror: `${base}/bad` }).catch(
      (e) => e,
    )) as ReenactError;
    expect(err.code).toBe('MISSING_MODEL');
    expect(err.exitCode).toBe(3);
    const badSha = sha(Buffer.from(small).fill(7, 0, 10));
    expect(err.message).toContain(
      `Expected sha256 ${sha(small)} for small.onnx but received ${badSha} from ${base}/bad/small.onnx`,
    );
    expect(existsSync(path.join(dirOf(), 'small.onnx'))).toBe(false);
    expect(existsSync(path.join(dirOf(), 'small.onnx.part'))).toBe(false);
  });

  it('falls back to the next URL when the first serves a wrong file', async () => {
    const file = writeCatalog();
    const cat = JSON.parse(readFileSync(file, 'utf8'));
    cat.models[1].sources = [source(`${base}/bad/small.onnx`, sha(small)), source(`${base}/ok/small.onnx`, sha(small))];
    writeFileSync(file, JSON.stringify(cat));
    const events: InstallEvent[] = [];
    await installModels(loadCatalog(file), { env, ids: ['small'], onEvent: (e) => events.push(e) });
    expect(sha(readFileSync(path.join(dirOf(), 'small.onnx')))).toBe(sha(small));
    expect(events.some((e) => e.type === 'warning' && e.message.includes('the download was deleted'))).toBe(true);
  });

  it('says how to install from a folder when offline (exit code 3)', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const err = (await installModels(catalog, { env, mirror: `http://127.0.0.1:${port}` }).catch(
      (e) => e,
    )) as ReenactError;
    expect(err.code).toBe('MISSING_MODEL');
    expect(err.message).toBe(
      `Could not reach 127.0.0.1:${port} to download big.onnx: this machine looks offline. To install without a connection, download the files on a machine with internet access (${base}/ok/) and run \`reenact models install --from <folder>\` with them in that folder.`,
    );
  });

  it('gives up quickly on a server that never answers, as offline', async () => {
    let connections = 0;
    const silent = http.createServer(() => {}); // accepts, never responds
    silent.on('connection', () => {
      connections++;
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as AddressInfo).port;
    try {
      const err = (await installModels(catalog, { env, mirror: `http://127.0.0.1:${port}`, timeoutMs: 300 }).catch(
        (e) => e,
      )) as ReenactError;
      expect(err.code).toBe('MISSING_MODEL');
      expect(err.message).toMatch(
        /^Could not reach 127\.0\.0\.1:\d+ to download big\.onnx: this machine looks offline\./,
      );
      expect(connections).toBe(1); // no retry loop
    } finally {
      silent.closeAllConnections();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('installs from a local folder, and refuses a wrong or missing file', async () => {
    const folder = path.join(tmp, 'downloads');
    rmSync(folder, { recursive: true, force: true });
    const { mkdirSync } = await import('node:fs');
    mkdirSync(folder);
    writeFileSync(path.join(folder, 'big.onnx'), big);
    const missing = (await installModels(catalog, { env, from: folder }).catch((e) => e)) as ReenactError;
    expect(missing.code).toBe('BAD_INPUT');
    expect(missing.message).toBe(
      `Expected small.onnx in ${folder} but it is not there. Put the downloaded files in that folder (names as listed by \`reenact models list\`).`,
    );
    writeFileSync(path.join(folder, 'small.onnx'), Buffer.from(small).fill(1, 0, 4));
    const wrong = (await installModels(catalog, { env, from: folder, ids: ['small'] }).catch((e) => e)) as ReenactError;
    expect(wrong.code).toBe('BAD_INPUT');
    expect(wrong.message).toContain(`Expected sha256 ${sha(small)} for small.onnx but received`);
    expect(existsSync(path.join(dirOf(), 'small.onnx'))).toBe(false);
    writeFileSync(path.join(folder, 'small.onnx'), small);
    const events: InstallEvent[] = [];
    const result = await installModels(catalog, { env, from: folder, all: true, onEvent: (e) => events.push(e) });
    expect(result.installed).toEqual(['big.onnx', 'small.onnx']);
    expect(result.skipped).toEqual(['extra.onnx']);
    expect(hits).toEqual([]); // no network at all
    expect(sha(readFileSync(path.join(dirOf(), 'small.onnx')))).toBe(sha(small));
  });

  it('rewrites the GridSample nodes of a file with a derived entry, and records the rewritten file hash', async () => {
    const warp = buildWarpingModel({ outSize: 32, grid: [4, 8, 8] });
    files['warp.onnx'] = Buffer.from(warp);
    const file = writeCatalog([
      {
        id: 'warp',
        file: 'warp.onnx',
        role: 'test warp',
        required: true,
        sources: [source(`${base}/ok/warp.onnx`, sha(warp), 'the test server', warp.byteLength)],
        approxSize: null,
        licence: 'MIT',
        licenceSource: 'the test',
        derived: { file: 'warp.gs-rewrite.onnx', transform: 'gridsample-rewrite', why: 'test' },
      },
    ]);
    await installModels(loadCatalog(file), { env, ids: ['warp'] });
    const rewritten = readFileSync(path.join(dirOf(), 'warp.gs-rewrite.onnx'));
    expect(decodeModel(rewritten).graph?.node?.some((n) => n.opType === 'GridSample')).toBe(false);
    const state = JSON.parse(readFileSync(path.join(dirOf(), 'installed.json'), 'utf8'));
    expect(state.derived['warp.gs-rewrite.onnx']).toMatchObject({
      sha256: sha(rewritten),
      from: 'warp.onnx',
      fromSha256: sha(warp),
      rewritten: ['/dense_motion_network/GridSample', '/GridSample'],
    });
    delete files['warp.onnx'];
  });
});

describe('a file published by two sources with different bytes', () => {
  /** small.onnx from the primary (/ok/, its own sha256) and from a mirror that serves a re-saved copy. */
  function twoSourceCatalog(primary: string): Catalog {
    const file = writeCatalog();
    const cat = JSON.parse(readFileSync(file, 'utf8'));
    cat.models[1].sources = [
      source(`${base}/${primary}/small.onnx`, sha(small), 'Primary hub'),
      source(`${base}/mirror/small.onnx`, sha(mirrored['small.onnx']), 'Mirror'),
    ];
    writeFileSync(file, JSON.stringify(cat));
    return loadCatalog(file);
  }
  const verifyJson = async () => {
    const lines: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      lines.push(String(chunk));
      return true;
    });
    try {
      Object.assign(process.env, env);
      await runCli(['node', 'reenact', 'models', 'verify', '--json']);
    } finally {
      spy.mockRestore();
      delete process.env.REENACT_CACHE_DIR;
      delete process.env.REENACT_MODEL_CATALOG;
    }
    // big.onnx is not installed, so verify exits 3 after its report: take the report line.
    return lines
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l))
      .find((r) => r.type === 'verify');
  };

  it("checks the primary's bytes against the primary's own sha256, and says which copy is installed", async () => {
    const events: InstallEvent[] = [];
    await installModels(twoSourceCatalog('ok'), { env, ids: ['small'], onEvent: (e) => events.push(e) });
    expect(hits.map((h) => h.url)).toEqual(['/ok/small.onnx']); // accepted: no fall-through to the mirror
    expect(events.find((e) => e.type === 'model-done')).toMatchObject({ matches: 'Primary hub' });
    const state = JSON.parse(readFileSync(path.join(dirOf(), 'installed.json'), 'utf8'));
    expect(state.files['small.onnx']).toMatchObject({ sha256: sha(small), matches: 'Primary hub' });
    const report = await verifyJson();
    expect(report.models[1]).toMatchObject({ file: 'small.onnx', status: 'ok', matches: 'Primary hub' });
  });

  it("falls back to the mirror's copy, checked against the mirror's sha256", async () => {
    const cat = twoSourceCatalog('gone'); // 404 at the primary
    const events: InstallEvent[] = [];
    await installModels(cat, { env, ids: ['small'], onEvent: (e) => events.push(e) });
    expect(sha(readFileSync(path.join(dirOf(), 'small.onnx')))).toBe(sha(mirrored['small.onnx']));
    expect(events.find((e) => e.type === 'model-done')).toMatchObject({ matches: 'Mirror' });
    expect((await verifyJson()).models[1]).toMatchObject({ status: 'ok', matches: 'Mirror' });
    // Damage is still caught, naming both published hashes.
    writeFileSync(path.join(dirOf(), 'small.onnx'), 'damaged');
    const damaged = (await verifyJson()).models[1];
    expect(damaged.status).toBe('mismatch');
    expect(damaged.notes.at(-1)).toBe(
      `sha256 ${sha(Buffer.from('damaged'))} matches none published (${sha(small)} from Primary hub, ${sha(mirrored['small.onnx'])} from Mirror); run install with --force`,
    );
  });

  it('takes a copy with no published sha256 only from its own source, with a warning, and guards it from then on', async () => {
    const file = writeCatalog();
    const cat = JSON.parse(readFileSync(file, 'utf8'));
    // Like stitching_lip: the mirror publishes a hash (tried first), the other source publishes none.
    cat.models[1].sources = [
      source(`${base}/gone/small.onnx`, sha(mirrored['small.onnx']), 'Mirror'),
      source(`${base}/ok/small.onnx`, null, 'Primary hub'),
    ];
    writeFileSync(file, JSON.stringify(cat));
    const events: InstallEvent[] = [];
    await installModels(loadCatalog(file), { env, ids: ['small'], onEvent: (e) => events.push(e) });
    expect(events.find((e) => e.type === 'model-done')).toMatchObject({ matches: null });
    expect(events).toContainEqual({
      type: 'warning',
      message: `small.onnx from ${base}/ok/small.onnx matches no published sha256 (none is published for that copy); recorded ${sha(small)} so verify can detect later changes.`,
    });
    expect((await verifyJson()).models[1]).toMatchObject({
      status: 'ok',
      notes: [
        'size not published in the catalog',
        `matches the sha256 recorded at install from ${base}/ok/small.onnx (no sha256 is published for that copy)`,
      ],
    });
    writeFileSync(path.join(dirOf(), 'small.onnx'), 'damaged');
    expect((await verifyJson()).models[1].status).toBe('mismatch');
  });

  it('accepts either copy from a --from folder, and refuses bytes that match neither', async () => {
    const cat = twoSourceCatalog('ok');
    const folder = path.join(tmp, 'downloads');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(folder);
    writeFileSync(path.join(folder, 'small.onnx'), Buffer.from('neither'));
    const err = (await installModels(cat, { env, ids: ['small'], from: folder }).catch((e) => e)) as ReenactError;
    expect(err.message).toContain(
      `Expected sha256 ${sha(small)} (Primary hub) or ${sha(mirrored['small.onnx'])} (Mirror) for small.onnx but received`,
    );
    writeFileSync(path.join(folder, 'small.onnx'), mirrored['small.onnx']);
    const events: InstallEvent[] = [];
    await installModels(cat, { env, ids: ['small'], from: folder, onEvent: (e) => events.push(e) });
    expect(events.find((e) => e.type === 'model-done')).toMatchObject({ matches: 'Mirror' });
  });
});

describe('reenact models list|verify|remove (CLI, in process)', () => {
  let stdout: string[];
  beforeEach(() => {
    stdout = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      stdout.push(String(chunk));
      return true;
    });
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    Object.assign(process.env, env);
  });
  afterEach(() => {
    vi.restoreAllMocks();
    delete process.env.REENACT_CACHE_DIR;
    delete process.env.REENACT_MODEL_CATALOG;
  });
  const cli = (...args: string[]) => runCli(['node', 'reenact', ...args]);
  const lastJson = () => JSON.parse(stdout.filter((l) => l.startsWith('{')).at(-1)!);

  it('lists, installs with --json events, verifies, detects damage and removes', async () => {
    expect(await cli('models', 'list', '--json')).toBe(0);
    expect(lastJson().models.map((m: { status: string }) => m.status)).toEqual(['missing', 'missing', 'missing']);

    expect(await cli('models', 'verify')).toBe(3);

    stdout.length = 0;
    expect(await cli('models', 'install', '--mirror', `${base}/ok`, '--json')).toBe(0);
    const events = stdout.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
    expect(events[0]).toMatchObject({ type: 'licence', licence: { name: 'MIT' } });
    expect(events.filter((e) => e.type === 'model-done').map((e) => e.file)).toEqual(['big.onnx', 'small.onnx']);
    expect(events.at(-1)).toMatchObject({ type: 'installed', installed: ['big.onnx', 'small.onnx'] });

    expect(await cli('models', 'verify', '--json')).toBe(0);
    const report = lastJson();
    expect(report.ok).toBe(true);
    expect(report.models[0]).toMatchObject({
      file: 'big.onnx',
      status: 'ok',
      notes: ['size not published in the catalog'],
    });

    writeFileSync(path.join(dirOf(), 'small.onnx'), 'damaged');
    expect(await cli('models', 'verify', '--json')).toBe(3);
    expect(stdout.join('')).toContain(
      '"message":"1 model file is missing or damaged (small.onnx). Run `reenact models install` (add --force for damaged files)."',
    );

    expect(await cli('models', 'remove', 'small', '--json')).toBe(0);
    expect(lastJson()).toEqual({ type: 'removed', files: ['small.onnx'] });
    expect(existsSync(path.join(dirOf(), 'big.onnx'))).toBe(true);
    expect(await cli('models', 'remove', 'nope')).toBe(2);
  });
});

describe('the shipped catalog', () => {
  const real = loadCatalog(path.resolve('models/catalog.json'));
  const HF = 'https://huggingface.co/warmshao/FasterLivePortrait/resolve/main/liveportrait_onnx/';
  const VISO = 'https://github.com/visomaster/visomaster-assets/releases/download/';

  it('lists the LivePortrait ONNX set with licences and no InsightFace model', () => {
    expect(real.set).toBe('liveportrait');
    expect(real.models.map((m) => m.file)).toEqual([
      'appearance_feature_extractor.onnx',
      'motion_extractor.onnx',
      'warping_spade.onnx',
      'stitching.onnx',
      'stitching_eye.onnx',
      'stitching_lip.onnx',
      'landmark.onnx',
    ]);
    for (const m of real.models) expect(m.licence).toBe('MIT');
    expect(JSON.stringify(real)).not.toMatch(/det_10g|2d106det|retinaface|insightface/i);
    expect(real.models.find((m) => m.id === 'warping_spade')?.derived?.file).toBe('warping_spade.gs-rewrite.onnx');
  });

  it("pins every download URL: Hugging Face, then VisoMaster's release tags v0.1.0_lp (LivePortrait) and v0.1.0 (landmark)", () => {
    // VisoMaster's app/processors/models_data.py publishes the LivePortrait files under v0.1.0_lp/ and landmark.onnx
    // under v0.1.0/; there is no v1.0.0 release, so those URLs were 404s.
    const urls = Object.fromEntries(real.models.map((m) => [m.id, m.sources.map((s) => s.url)]));
    expect(urls).toEqual({
      appearance_feature_extractor: [
        `${HF}appearance_feature_extractor.onnx`,
        `${VISO}v0.1.0_lp/appearance_feature_extractor.onnx`,
      ],
      motion_extractor: [`${HF}motion_extractor.onnx`, `${VISO}v0.1.0_lp/motion_extractor.onnx`],
      warping_spade: [`${HF}warping_spade.onnx`, `${VISO}v0.1.0_lp/warping_spade.onnx`],
      stitching: [`${HF}stitching.onnx`, `${VISO}v0.1.0_lp/stitching.onnx`],
      stitching_eye: [`${HF}stitching_eye.onnx`, `${VISO}v0.1.0_lp/stitching_eye.onnx`],
      // No sha256 is published for the Hugging Face copy: the mirror, which can be checked, goes first.
      stitching_lip: [`${VISO}v0.1.0_lp/stitching_lip.onnx`, `${HF}stitching_lip.onnx`],
      landmark: [`${HF}landmark.onnx`, `${VISO}v0.1.0/landmark.onnx`],
    });
  });

  it("records each source's own sha256: the Hugging Face files are not byte-equal to VisoMaster's copies", () => {
    const hashes = Object.fromEntries(
      real.models.map((m) => [m.id, m.sources.map((s) => [s.name.split(' ')[0], s.sha256, s.sizeBytes])]),
    );
    expect(hashes).toEqual({
      appearance_feature_extractor: [
        ['Hugging', 'd070afccca7f528ffb0ef5052b21588b42225a996661833f7bdede562d1ab921', 3355896],
        ['VisoMaster', 'dbbbb44e4bba12302d7137bdee6a0f249b45fb6dd879509fd5baa27d70c40e32', null],
      ],
      motion_extractor: [
        ['Hugging', '219a46174297b2b411bb3c5dce48d3a8c8e07a9d82120a0da21f49f58b67fca6', 112648514],
        ['VisoMaster', '99d4b3c9dd3fd301910de9415a29560e38c0afaa702da51398281376cc36fdd3', null],
      ],
      warping_spade: [
        ['Hugging', 'b0e7a566db8fba690c23523bcd2faa4f0d13f05418db84a779397a851062ad69', 421233096],
        ['VisoMaster', 'd6ee9af4352b47e88e0521eba6b774c48204afddc8d91c671a5f7b8a0dfb4971', null],
      ],
      stitching: [
        ['Hugging', '8e33658425e3f1014dc35b28f60ca7459189e8f78f20540262a2fe5ac1dc6ec7', 182363],
        ['VisoMaster', '43598e9747a19f4c55d8e1604fb7d7fa70ab22377d129cb7d1fe38c9a737cc79', null],
      ],
      stitching_eye: [
        ['Hugging', 'b9a2086c4d757c9be71b9b290d020678406da6a33c6247252c4bb0aeeff48afc', 580926],
        ['VisoMaster', '251004fe4a994c57c8cd9f2c50f3d89feb289fb42e6bc3af74470a3a9fa7d83b', null],
      ],
      stitching_lip: [
        ['VisoMaster', '1ca793eac4b0dc5464f1716cdaa62e595c2c2272c9971a444e39c164578dc34b', null],
        ['Hugging', null, null],
      ],
      landmark: [
        ['Hugging', '31d22a5041326c31f19b78886939a634a5aedcaa5ab8b9b951a1167595d147db', 114666491],
        ['VisoMaster', '31d22a5041326c31f19b78886939a634a5aedcaa5ab8b9b951a1167595d147db', 114666491],
      ],
    });
    for (const m of real.models) {
      expect(m.sources[0].sha256, `${m.id}: the first source can be checked`).not.toBeNull();
      for (const s of m.sources) expect(s.sha256 === null).toBe(s.hashSource === null);
    }
  });
});
