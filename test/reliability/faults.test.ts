/**
 * Faults (issue #9): the CLI killed mid-render then resumed (meshwarp; PNG frames are written in-process, so this is
 * also the PNG encoder dying), ffmpeg dying mid-decode and mid-encode (ProRes), an engine throwing on one frame under
 * each policy (a test engine: faulty-engine.ts), and a disk filling up during encode. Every interrupted run ends with
 * a clear error, only complete frames on disk, and a resume byte-identical to an uninterrupted run. Writes the
 * "Faults" section of test/RELIABILITY.md.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ffmpegPaths } from '../../bridge/src/media/locator.js';
import type { JobEvent } from '../../bridge/src/pipeline/events.js';
import { renderJob } from '../../bridge/src/pipeline/render.js';
import type { JobSpecInput } from '../../bridge/src/pipeline/spec.js';
import { CLI, runCli } from '../helpers/cli.js';
import { frameHashes } from '../helpers/frames.js';
import { DRIVING, PORTRAIT, tempDir } from '../helpers/media.js';
import { pngOf, tinyClip } from './corpus.js';
import { registerFaultyEngine, throwsOn } from './faulty-engine.js';
import { writeFaultyFfmpeg } from './ffmpeg-fault.js';
import { outputProblems, type Row, ranWholeFile, scrub, sha256, writeSection } from './harness.js';
import { mountTmpfs, unmount } from './mounts.js';

const dir = tempDir('reenact-faults-');
const rows: Row[] = [];
const mounts: string[] = [];
let small = '';
let clip = '';
let reference: Record<string, string> = {}; // fixture render of (small, clip), uninterrupted

function fixture(out: string, extra: Partial<JobSpecInput> = {}): JobSpecInput {
  return { source: small, driving: clip, output: { dir: out }, engine: { name: 'fixture' }, ...extra };
}

function row(c: string, outcome: string, seconds: number, via: Row['via'] = 'library', input = 'clip.mp4 (12 frames)') {
  rows.push({ case: c, input, via, outcome: scrub(outcome, [dir]), seconds });
}

beforeAll(async () => {
  small = pngOf(path.join(dir, 'small.png'), 64, 64);
  clip = await tinyClip(path.join(dir, 'clip.mp4'));
  const out = path.join(dir, 'reference');
  await renderJob(fixture(out));
  reference = frameHashes(out);
  expect(Object.keys(reference)).toHaveLength(12);
});

// biome-ignore lint/correctness/noEmptyPattern: vitest passes (context, suite) and wants the context destructured
afterAll(({}, suite) => {
  for (const m of mounts) unmount(m);
  if (ranWholeFile(suite))
    writeSection(
      'faults',
      'Faults (test/reliability/faults.test.ts)',
      'Each fault is followed by a resume (the same command again) whose frames are compared byte for byte with an ' +
        'uninterrupted run. `fixture` engine on a 64×64 portrait and a 12-frame 64×48 clip (the engine-throws cases: the ' +
        'fixture engine made to throw on frame 4, test/reliability/faulty-engine.ts), except the kill test (meshwarp).',
      rows,
    );
});

describe('SIGKILL mid-render, then resume (CLI, meshwarp)', () => {
  it('resumes to output byte-identical to an uninterrupted run', async () => {
    const t0 = performance.now();
    const args = (out: string) => ['render', '-s', PORTRAIT, '-d', DRIVING, '-o', out, '--range', '0-19', '--json'];
    const whole = path.join(dir, 'mw-whole');
    const r = await runCli(args(whole));
    expect(r.code, r.stderr).toBe(0);
    const killed = path.join(dir, 'mw-killed');
    const child = spawn(process.execPath, [CLI, ...args(killed)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let buffered = '';
    let killedAt = -1;
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (d: Buffer) => {
        buffered += d.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const line of lines) {
          const e = JSON.parse(line) as JobEvent;
          if (killedAt < 0 && e.type === 'progress' && e.stage === 'render' && e.done >= 6) {
            killedAt = e.done;
            child.kill('SIGKILL');
          }
        }
      });
      child.on('close', () => resolve());
    });
    expect(killedAt).toBeGreaterThan(0);
    const partial = readdirSync(path.join(killed, 'frames')).filter((n) => n.endsWith('.png'));
    expect(partial.length).toBeLessThan(20);
    const manifest = JSON.parse(readFileSync(path.join(killed, 'reenact.json'), 'utf8'));
    expect(manifest.complete).toBe(false);
    const resumed = await runCli(args(killed));
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(frameHashes(killed)).toEqual(frameHashes(whole));
    expect(await outputProblems(killed)).toEqual([]);
    row(
      'SIGKILL during render, then the same command again',
      'killed once 6 frames were rendered, fewer than 20 PNGs on disk; resume → 20 frames byte-identical to an uninterrupted run',
      (performance.now() - t0) / 1000,
      'CLI',
      'driving-talk.mp4 0-19, meshwarp',
    );
  });
});

describe('ffmpeg dying mid-stream', () => {
  const env = (bytes: Record<string, number>) => ({
    REENACT_FFMPEG: writeFaultyFfmpeg(dir),
    FAULT_FFMPEG: ffmpegPaths().ffmpeg,
    ...Object.fromEntries(Object.entries(bytes).map(([k, v]) => [k, String(v)])),
  });
  const args = (out: string) => ['render', '-s', small, '-d', clip, '-o', out, '--engine', 'fixture'];
  const lastLine = (text: string) => text.trimEnd().split('\n').pop() ?? '';

  it('decoder killed after 5 frames: clear resumable error, then an identical resume', async () => {
    const t0 = performance.now();
    const out = path.join(dir, 'decode-killed');
    const r = await runCli(args(out), { env: env({ FAULT_DECODE_BYTES: 64 * 48 * 3 * 5 }) });
    expect(r.code).toBe(1);
    expect(lastLine(r.stderr)).toBe(
      `reenact: ffmpeg stopped (killed by SIGKILL) while decoding ${clip} after 5 frame(s). Run the same command again to resume.`,
    );
    expect(await outputProblems(out)).toEqual([]);
    const kept = readdirSync(path.join(out, 'frames')).length;
    const resumed = await runCli(args(out));
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(frameHashes(out)).toEqual(reference);
    row(
      'ffmpeg killed mid-decode (after 5 frames)',
      `exit 1: ${lastLine(r.stderr)} — ${kept} complete frames kept; resume → identical`,
      (performance.now() - t0) / 1000,
      'CLI',
    );
  });

  it('ProRes encoder killed: no movie under the final name', async () => {
    const t0 = performance.now();
    const out = path.join(dir, 'prores-killed');
    const r = await runCli([...args(out), '--format', 'prores'], { env: env({ FAULT_ENCODE_BYTES: 64 * 64 * 4 * 4 }) });
    expect(r.code).toBe(1);
    expect(lastLine(r.stderr)).toBe(
      `reenact: ffmpeg stopped (killed by SIGKILL) while encoding into ${out}. Run the same command again to resume.`,
    );
    expect(readdirSync(out).filter((n) => n.endsWith('.mov'))).toEqual([]);
    expect(await outputProblems(out)).toEqual([]);
    const resumed = await runCli([...args(out), '--format', 'prores']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(existsSync(path.join(out, 'clip.reenact.mov'))).toBe(true);
    row(
      'ffmpeg killed mid-encode, ProRes',
      `exit 1: ${lastLine(r.stderr)} — no .mov left; rerun → complete movie`,
      (performance.now() - t0) / 1000,
      'CLI',
    );
  });
});

describe('the engine throws on one frame', () => {
  // The fixture engine, throwing on frame 4 while `throwsOn` holds it; the spec stays the same without the fault.
  const faulty = (out: string, extra: Partial<JobSpecInput> = {}) =>
    fixture(out, { engine: { name: 'faulty' }, ...extra });
  let unregister = () => {};
  beforeAll(() => {
    unregister = registerFaultyEngine();
  });
  afterAll(() => unregister());
  beforeEach(() => {
    throwsOn.clear();
    throwsOn.add(4);
  });

  it('hold: the frame is reported and holds the previous frame', async () => {
    const t0 = performance.now();
    const out = path.join(dir, 'throw-hold');
    const events: JobEvent[] = [];
    const m = await renderJob(faulty(out), { onEvent: (e) => events.push(e) });
    expect(m.frames[4].status).toBe('held');
    expect(events).toContainEqual(
      expect.objectContaining({
        type: 'warning',
        message: 'The engine failed on output frame 4 (injected fault on frame 4); it holds the previous frame.',
        frames: [4, 4],
      }),
    );
    const got = frameHashes(out);
    expect(got['frame_00004.png']).toBe(reference['frame_00003.png']);
    expect({ ...got, 'frame_00004.png': '' }).toEqual({ ...reference, 'frame_00004.png': '' });
    // Without the fault, running again retries the failed frame only.
    throwsOn.clear();
    expect((await renderJob(faulty(out))).stats).toEqual({ rendered: 1, kept: 11 });
    expect(frameHashes(out)).toEqual(reference);
    row(
      'engine throws on frame 4, policy hold',
      'frame 4 held (= frame 3), warning names frame 4; re-run renders it',
      (performance.now() - t0) / 1000,
    );
  });

  it('neutral: the frame shows the neutral portrait, and a re-run retries it', async () => {
    const t0 = performance.now();
    const out = path.join(dir, 'throw-neutral');
    const m = await renderJob(faulty(out, { onFrameFailure: 'neutral' }));
    expect(m.frames[4].status).toBe('failed');
    expect(m.warnings).toContain(
      'The engine failed on output frame 4 (injected fault on frame 4); it shows the neutral portrait.',
    );
    const png = readFileSync(path.join(out, 'frames', 'frame_00004.png'));
    expect(png.subarray(-8).toString('hex')).toBe('49454e44ae426082');
    const first = frameHashes(out);
    expect(first['frame_00004.png']).not.toBe(reference['frame_00004.png']);
    throwsOn.clear();
    const rerun = await renderJob(faulty(out, { onFrameFailure: 'neutral' }));
    expect(rerun.frames.every((f) => f.status === 'rendered')).toBe(true);
    expect(rerun.stats).toEqual({ rendered: 1, kept: 11 });
    expect(frameHashes(out)).toEqual(reference);
    row(
      'engine throws on frame 4, policy neutral',
      'frame 4 = neutral portrait (status failed), reported; re-run retries it',
      (performance.now() - t0) / 1000,
    );
  });

  it('fail: the job stops with the frame named, keeping the frames before it', async () => {
    const t0 = performance.now();
    const out = path.join(dir, 'throw-fail');
    const err = await renderJob(faulty(out, { onFrameFailure: 'fail' })).catch((e) => e);
    expect(err).toMatchObject({
      code: 'ENGINE_FAILED',
      message: 'The faulty engine failed on output frame 4: injected fault on frame 4',
    });
    expect(readdirSync(path.join(out, 'frames')).sort()).toEqual(Object.keys(reference).slice(0, 4));
    expect(await outputProblems(out)).toEqual([]);
    throwsOn.clear();
    expect((await renderJob(faulty(out, { onFrameFailure: 'fail' }))).stats).toEqual({ rendered: 8, kept: 4 });
    expect(frameHashes(out)).toEqual(reference);
    row(
      'engine throws on frame 4, policy fail',
      `clear error ENGINE_FAILED: ${err.message}; frames 0–3 kept; resume → identical`,
      (performance.now() - t0) / 1000,
    );
  });
});

describe('disk full during encode', () => {
  it('PNG: stops with the disk-full message, only complete frames, resumes identically once space is freed', async (ctx) => {
    const t0 = performance.now();
    const mnt = path.join(dir, 'tmpfs');
    if (!mountTmpfs(mnt, 'size=2m')) {
      row('disk full during encode', 'skipped: this sandbox cannot mount a tmpfs', 0);
      return ctx.skip();
    }
    mounts.push(mnt);
    // Leave room for the manifest and ~3 of the 64×64 noise-free frames: the rest hit ENOSPC.
    const filler = path.join(mnt, 'filler');
    writeFileSync(filler, Buffer.alloc(2 * 1024 * 1024 - 6 * 4096));
    const out = path.join(mnt, 'render');
    const source = pngOf(path.join(dir, 'noisy.png'), 256, 256);
    const before = sha256(source);
    const spec = { ...fixture(out), source };
    const err = await renderJob(spec).catch((e) => e);
    expect(err).toMatchObject({ code: 'OUTPUT_UNWRITABLE' });
    expect(err.message).toMatch(
      /^The disk is full while (encoding|writing .*)\. Free some space, then run the same command again to resume\.$/,
    );
    expect(await outputProblems(out)).toEqual([]);
    const kept = existsSync(path.join(out, 'frames')) ? readdirSync(path.join(out, 'frames')).length : 0;
    rmSync(filler);
    await renderJob(spec);
    const whole = path.join(dir, 'noisy-whole');
    await renderJob({ ...fixture(whole), source });
    expect(frameHashes(out)).toEqual(frameHashes(whole));
    expect(sha256(source)).toBe(before);
    row(
      'disk full during PNG encode (tmpfs 2 MB)',
      `clear error ${err.code}: ${err.message} — ${kept} complete frames kept; space freed, resume → identical`,
      (performance.now() - t0) / 1000,
      'library',
      'noisy.png 256×256, clip.mp4',
    );
  });

  it('ProRes: no movie under the final name', async (ctx) => {
    const t0 = performance.now();
    const mnt = path.join(dir, 'tmpfs-mov');
    if (!mountTmpfs(mnt, 'size=1m')) return ctx.skip();
    mounts.push(mnt);
    writeFileSync(path.join(mnt, 'filler'), Buffer.alloc(1024 * 1024 - 8 * 4096));
    const out = path.join(mnt, 'render');
    const source = path.join(dir, 'noisy.png');
    const err = await renderJob({ ...fixture(out), source, output: { dir: out, format: 'prores' } }).catch((e) => e);
    expect(err).toMatchObject({ code: 'OUTPUT_UNWRITABLE' });
    expect(readdirSync(out).filter((n) => n.endsWith('.mov'))).toEqual([]);
    expect(await outputProblems(out)).toEqual([]);
    row(
      'disk full during ProRes encode (tmpfs 1 MB)',
      `clear error ${err.code}: ${err.message} — no .mov left`,
      (performance.now() - t0) / 1000,
      'library',
      'noisy.png 256×256, clip.mp4',
    );
  });
});
