import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { locateFfmpeg } from '../../bridge/src/media/locator.js';
import type { JobEvent } from '../../bridge/src/pipeline/events.js';
import { renderJob } from '../../bridge/src/pipeline/render.js';
import { frameHashes } from '../helpers/frames.js';
import { tempDir } from '../helpers/media.js';
import { collect, startTestBridge, type TestBridge } from '../server/helpers.js';
import { corrupted, pngOf, tinyClip } from './corpus.js';
import { writeFaultyFfmpeg } from './ffmpeg-fault.js';
import { outputProblems, type Row, ranWholeFile, scrub, writeSection } from './harness.js';
import { mountTmpfs, unmount } from './mounts.js';

const dir = tempDir('reenact-bridge-faults-');
// This file runs in its own process: every ffmpeg it starts goes through the faulty wrapper, which passes work
// through untouched unless FAULT_DECODE_BYTES / FAULT_ENCODE_BYTES is set when the ffmpeg starts.
process.env.FAULT_FFMPEG = locateFfmpeg().ffmpeg;
process.env.REENACT_FFMPEG = writeFaultyFfmpeg(dir);

const rows: Row[] = [];
const mounts: string[] = [];
let t: TestBridge;
let source = '';
let clip = '';
let reference: Record<string, string> = {};

async function runJob(out: string, driving = clip): Promise<{ id: string; events: JobEvent[] }> {
  const { job } = await t.client.createJob({ source, driving, output: { dir: out }, engine: { name: 'fixture' } });
  return { id: job.id, events: await collect(t.client.jobEvents(job.id, { previews: false })) };
}

function failure(events: JobEvent[]): { code: string; message: string } | undefined {
  const last = events.at(-1);
  return last?.type === 'failed' ? last.error : undefined;
}

beforeAll(async () => {
  source = pngOf(path.join(dir, 'portrait.png'), 64, 64);
  clip = await tinyClip(path.join(dir, 'clip.mp4'), { frames: 24 });
  await renderJob({ source, driving: clip, output: { dir: path.join(dir, 'reference') }, engine: { name: 'fixture' } });
  reference = frameHashes(path.join(dir, 'reference'));
  t = await startTestBridge();
});

// biome-ignore lint/correctness/noEmptyPattern: vitest passes (context, suite) and wants the context destructured
afterAll(async ({}, suite) => {
  await t?.bridge.close();
  for (const m of mounts) unmount(m);
  if (ranWholeFile(suite))
    writeSection(
      'bridge',
      'Faults through the bridge (test/reliability/bridge-faults.test.ts)',
      'In-process bridge on 127.0.0.1, typed client over HTTP + WebSocket; `fixture` engine, 64×64 portrait, 24-frame ' +
        'clip. The bridge killed with SIGKILL mid-job and resumed by the next bridge is test/server/serve.test.ts.',
      rows,
    );
});

describe('bridge jobs under faults', () => {
  it('ffmpeg killed mid-decode: the job fails clearly, the bridge keeps serving, resume gives identical frames', async () => {
    const t0 = performance.now();
    const out = path.join(dir, 'killed');
    process.env.FAULT_DECODE_BYTES = String(64 * 48 * 3 * 10);
    const { id, events } = await runJob(out).finally(() => {
      delete process.env.FAULT_DECODE_BYTES;
    });
    expect(failure(events)).toEqual({
      code: 'FFMPEG_FAILED',
      message: `ffmpeg stopped (killed by SIGKILL) while decoding ${clip} after 10 frame(s). Run the same command again to resume.`,
    });
    expect((await t.client.health()).ok).toBe(true);
    expect(await outputProblems(out)).toEqual([]);
    const kept = readdirSync(path.join(out, 'frames')).length;
    await t.client.resumeJob(id);
    const resumed = await collect(t.client.jobEvents(id, { previews: false }));
    expect(resumed.at(-1)?.type).toBe('done');
    expect(frameHashes(out)).toEqual(reference);
    rows.push({
      case: 'ffmpeg killed mid-decode in a bridge job',
      input: 'clip.mp4 (24 frames)',
      via: 'library',
      outcome: scrub(
        `job failed ${failure(events)?.code}: ${failure(events)?.message} — ${kept} frames kept; bridge healthy; POST resume → identical`,
        [dir],
      ),
      seconds: (performance.now() - t0) / 1000,
    });
  });

  it('a corrupt driving clip: the job fails naming the file, the bridge keeps serving', async () => {
    const t0 = performance.now();
    const fast = await tinyClip(path.join(dir, 'fast.mp4'), { frames: 24, extra: ['-movflags', '+faststart'] });
    const bad = corrupted(path.join(dir, 'corrupt.mp4'), fast, 0.5, 0.2);
    const out = path.join(dir, 'corrupt-out');
    const { events } = await runJob(out, bad);
    const err = failure(events);
    expect(err?.code).toBe('BAD_INPUT');
    expect(err?.message).toContain(`from ${bad} but only`);
    expect((await t.client.health()).ok).toBe(true);
    expect(await outputProblems(out)).toEqual([]);
    rows.push({
      case: 'corrupt driving clip in a bridge job',
      input: 'corrupt.mp4',
      via: 'library',
      outcome: scrub(`job failed ${err?.code}: ${err?.message} — bridge healthy`, [dir]),
      seconds: (performance.now() - t0) / 1000,
    });
  });

  it('a full disk: the job fails with the disk-full message; once space is freed, resume gives identical frames', async (ctx) => {
    const t0 = performance.now();
    const mnt = path.join(dir, 'tmpfs');
    if (!mountTmpfs(mnt, 'size=1m')) return ctx.skip();
    mounts.push(mnt);
    const filler = path.join(mnt, 'filler');
    writeFileSync(filler, Buffer.alloc(1024 * 1024 - 8 * 4096));
    const out = path.join(mnt, 'render');
    const { id, events } = await runJob(out);
    const err = failure(events);
    expect(err?.code).toBe('OUTPUT_UNWRITABLE');
    expect(err?.message).toMatch(
      /^The disk is full while (encoding|writing .*)\. Free some space, then run the same command again to resume\.$/,
    );
    expect((await t.client.health()).ok).toBe(true);
    expect(await outputProblems(out)).toEqual([]);
    rmSync(filler);
    await t.client.resumeJob(id);
    const resumed = await collect(t.client.jobEvents(id, { previews: false }));
    expect(resumed.at(-1)?.type).toBe('done');
    expect(frameHashes(out)).toEqual(reference);
    rows.push({
      case: 'disk full in a bridge job (tmpfs 1 MB)',
      input: 'clip.mp4 (24 frames)',
      via: 'library',
      outcome: scrub(`job failed ${err?.code}: ${err?.message} — space freed, POST resume → identical`, [dir]),
      seconds: (performance.now() - t0) / 1000,
    });
  });
});
