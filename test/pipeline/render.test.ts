import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { probe } from '../../bridge/src/media/probe.js';
import type { JobEvent } from '../../bridge/src/pipeline/events.js';
import { renderJob } from '../../bridge/src/pipeline/render.js';
import type { JobSpecInput } from '../../bridge/src/pipeline/spec.js';
import { describeRuns } from '../../bridge/src/pipeline/warnings.js';
import { CLI } from '../helpers/cli.js';
import { frameHashes } from '../helpers/frames.js';
import { brightnessClip, PORTRAIT, tempDir } from '../helpers/media.js';
import { fixtureSpec } from '../helpers/spec.js';

const dir = tempDir();
let driving = '';

const spec = (out: string, extra: Partial<JobSpecInput> = {}): JobSpecInput => fixtureSpec(driving, out, extra);

beforeAll(async () => {
  driving = path.join(dir, 'drive.mp4');
  // Brightness ramps up and down so the fixture engine's output changes per frame.
  await brightnessClip(driving, 60, 'sin(N/5)');
});

describe('renderJob (fixture engine)', () => {
  let full: Record<string, string> = {};

  it('renders frames and a correct manifest, with events in order', async () => {
    const out = path.join(dir, 'full');
    const events: JobEvent[] = [];
    const manifest = await renderJob(spec(out), { jobId: 'j1', onEvent: (e) => events.push(e), previewEvery: 20 });
    expect(manifest).toMatchObject({
      complete: true,
      fps: '25',
      frameCount: 60,
      width: 512,
      height: 512,
      format: 'png',
      output: 'frames/frame_%05d.png',
    });
    expect(manifest.frames.map((f) => f.index)).toEqual([...Array(60).keys()]);
    expect(manifest.frames.every((f) => f.status === 'rendered')).toBe(true);
    expect(manifest.inputs.source.sha256).toBe(createHash('sha256').update(readFileSync(PORTRAIT)).digest('hex'));
    expect(JSON.parse(readFileSync(path.join(out, 'reenact.json'), 'utf8')).complete).toBe(true);
    full = frameHashes(out);
    expect(Object.keys(full)).toHaveLength(60);
    expect(new Set(Object.values(full)).size).toBeGreaterThan(10); // frames differ with the driving brightness
    const types = events.map((e) => e.type);
    expect(types[0]).toBe('started');
    expect(types.at(-1)).toBe('done');
    expect(types.filter((t) => t === 'preview')).toHaveLength(3);
    const progress = events.filter((e) => e.type === 'progress');
    expect(progress.at(-1)).toMatchObject({ done: 60, total: 60 });
  });

  it('is deterministic and keeps valid frames on re-run (resume)', async () => {
    const out = path.join(dir, 'resume');
    await renderJob(spec(out));
    expect(frameHashes(out)).toEqual(full);
    // Lose some frames, then run the same spec again: only those are rendered.
    for (const n of ['frame_00003.png', 'frame_00040.png', 'frame_00059.png']) unlinkSync(path.join(out, 'frames', n));
    const events: JobEvent[] = [];
    await renderJob(spec(out), { onEvent: (e) => events.push(e) });
    expect(frameHashes(out)).toEqual(full);
  });

  it('resumes after the CLI is killed mid-render, byte-identical to an uninterrupted run', async () => {
    const out = path.join(dir, 'killed');
    const child = spawn(
      process.execPath,
      [CLI, 'render', '-s', PORTRAIT, '-d', driving, '-o', out, '--engine', 'fixture', '--json'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (d: Buffer) => {
        const progress = d
          .toString()
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l))
          .filter((e) => e.type === 'progress');
        if (progress.some((e) => e.done >= 15)) {
          child.kill('SIGKILL');
          resolve();
        }
      });
      child.on('close', () => resolve());
    });
    const partial = readdirSync(path.join(out, 'frames'));
    expect(partial.length).toBeLessThan(60);
    // Complete frames under final names; a frame being written when the process died is a hidden temp file.
    expect(partial.every((n) => /^(frame_\d{5}\.png|\.frame_\d{5}\.png\.[0-9a-f]+\.partial)$/.test(n))).toBe(true);
    await renderJob(spec(out));
    expect(frameHashes(out)).toEqual(full);
  });

  it('refuses to mix a different render into a folder unless --force', async () => {
    const out = path.join(dir, 'resume');
    await expect(renderJob(spec(out, { range: { start: 0, end: 9 } }))).rejects.toThrow(
      `The output folder already holds a different render (${out}). Use --force to replace it, or choose another output folder.`,
    );
    const m = await renderJob(spec(out, { range: { start: 0, end: 9 }, output: { dir: out, force: true } }));
    expect(m.frameCount).toBe(10);
    expect(readdirSync(path.join(out, 'frames'))).toHaveLength(10);
  });

  it('cancels promptly and leaves only complete frames', async () => {
    const out = path.join(dir, 'cancel');
    const controller = new AbortController();
    const events: JobEvent[] = [];
    const run = renderJob(spec(out), {
      signal: controller.signal,
      onEvent: (e) => {
        events.push(e);
        if (e.type === 'progress' && e.done >= 5) controller.abort();
      },
    });
    await expect(run).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(events.at(-1)?.type).toBe('cancelled');
    const files = readdirSync(path.join(out, 'frames'));
    expect(files.every((n) => /^frame_\d{5}\.png$/.test(n))).toBe(true);
    for (const n of files)
      expect(
        readFileSync(path.join(out, 'frames', n))
          .subarray(-8)
          .toString('hex'),
      ).toBe('49454e44ae426082');
  });

  it('writes ProRes 4444 and a side-by-side preview, conformed to another rate', async () => {
    const out = path.join(dir, 'prores');
    const m = await renderJob(
      spec(out, { output: { dir: out, format: 'prores', preview: true }, fps: '50', range: { start: 0, end: 9 } }),
    );
    expect(m).toMatchObject({
      format: 'prores',
      output: 'drive.reenact.mov',
      fps: '50',
      frameCount: 20,
      preview: 'preview.mp4',
    });
    expect(m.frames.map((f) => f.sourceIndex).slice(0, 6)).toEqual([0, 0, 1, 1, 2, 2]);
    const mov = await probe(path.join(out, 'drive.reenact.mov'));
    expect(mov).toMatchObject({ codec: 'prores', hasAlpha: true, frameCount: 20, width: 512, height: 512 });
    const preview = await probe(path.join(out, 'preview.mp4'));
    expect(preview.codec).toBe('h264');
    expect(preview.width).toBeGreaterThan(preview.height); // two pictures side by side
  });

  it('explains bad specs', async () => {
    await expect(
      renderJob({ ...spec(path.join(dir, 'bad')), output: { dir: path.join(dir, 'bad'), format: 'gif' as 'png' } }),
    ).rejects.toThrow(/^Invalid job spec: output\.format: Expected one of "png", "prores" but received "gif"\.$/);
    await expect(renderJob(spec(path.join(dir, 'bad2'), { driving: PORTRAIT }))).rejects.toThrow(
      `Expected a video clip for the driving performance but received a still image (${PORTRAIT}). Pick the performance footage.`,
    );
    expect(existsSync(path.join(dir, 'bad'))).toBe(false);
    rmSync(path.join(dir, 'bad2'), { recursive: true, force: true });
  });

  it('describes frame runs for messages', () => {
    expect(describeRuns([1, 2, 3, 7, 9, 10])).toBe('1–3, 7, 9–10');
  });
});
