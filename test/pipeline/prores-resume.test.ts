/**
 * ProRes renders resume and update like PNG renders (issue #20 item 3): the frames are kept as PNG in frames/ and the
 * movie is encoded from them once all are there. An identical re-run keeps every frame and leaves the movie alone; a
 * cancelled render leaves its frames and reenact.json, and the same command finishes it; changed controls re-render
 * only their frames, then the movie again.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { probe } from '../../bridge/src/media/probe.js';
import { readManifest } from '../../bridge/src/pipeline/output.js';
import { renderJob } from '../../bridge/src/pipeline/render.js';
import type { JobSpecInput } from '../../bridge/src/pipeline/spec.js';
import { brightnessClip, PORTRAIT, tempDir } from '../helpers/media.js';

const dir = tempDir();
const clip = path.join(dir, 'clip.mp4');
const out = path.join(dir, 'out');
const movie = path.join(out, 'clip.reenact.mov');
const spec = (extra: Partial<JobSpecInput> = {}): JobSpecInput => ({
  source: PORTRAIT,
  driving: clip,
  output: { dir: out, format: 'prores' },
  engine: { name: 'fixture' },
  ...extra,
});

beforeAll(async () => {
  await brightnessClip(clip, 24);
});

describe('ProRes resume', () => {
  it('finishes a cancelled render from its frames, keeps an identical re-run, re-encodes after a change', async () => {
    const controller = new AbortController();
    await expect(
      renderJob(spec(), {
        signal: controller.signal,
        onEvent: (e) => {
          if (e.type === 'progress' && e.stage === 'render' && e.done >= 6) controller.abort();
        },
      }),
    ).rejects.toThrow('Cancelled.');
    // Ctrl-C left the frames and the partial reenact.json (it left neither, and an empty frames/, before); no movie.
    const partial = await readManifest(path.join(out, 'reenact.json'));
    expect(partial?.complete).toBe(false);
    const done = partial?.frames.length ?? 0;
    expect(done).toBeGreaterThanOrEqual(6);
    expect(readdirSync(path.join(out, 'frames')).filter((n) => n.endsWith('.png')).length).toBe(done);
    expect(existsSync(movie)).toBe(false);

    const resumed = await renderJob(spec());
    expect(resumed.stats).toEqual({ rendered: 24 - done, kept: done });
    expect(resumed).toMatchObject({ format: 'prores', output: 'clip.reenact.mov', complete: true, frameCount: 24 });
    expect((await probe(movie)).frameCount).toBe(24);

    const encoded = statSync(movie).mtimeMs;
    const rates: number[] = [];
    const again = await renderJob(spec(), {
      onEvent: (e) => e.type === 'progress' && e.stage === 'render' && rates.push(e.fps),
    });
    expect(again.stats).toEqual({ rendered: 0, kept: 24 });
    // Kept frames are not a rendering rate (issue #20 item 8: a kept re-run showed a 1674-fps bar).
    expect(rates.length).toBeGreaterThan(0);
    expect(rates.every((fps) => fps === 0)).toBe(true);
    expect(statSync(movie).mtimeMs).toBe(encoded); // nothing changed: the movie is not encoded again

    const curves = { start: 10, frames: [{ intensity: 0 }, { intensity: 0 }] };
    const updated = await renderJob(spec({ curves }));
    expect(updated.stats).toEqual({ rendered: 2, kept: 22 });
    expect(statSync(movie).mtimeMs).toBeGreaterThan(encoded);
    expect((await probe(movie)).frameCount).toBe(24);

    // An update of the finished render cancelled half-way: the movie stays reenact's, and the same command finishes.
    const stop = new AbortController();
    const halfway = spec({ controls: { intensity: 0.5 } });
    await expect(
      renderJob(halfway, {
        signal: stop.signal,
        onEvent: (e) => {
          if (e.type === 'progress' && e.stage === 'render' && e.done >= 4) stop.abort();
        },
      }),
    ).rejects.toThrow('Cancelled.');
    const finished = await renderJob(halfway);
    expect(finished.stats?.kept).toBeGreaterThanOrEqual(4);
    expect((await probe(movie)).frameCount).toBe(24);
  });
});
