/**
 * Output buffers go back to the engine (RenderedFrame.release) only when the pipeline no longer reads them: the frame
 * was written, and no held frame can repeat it. Through the whole render pipeline, with the real meshwarp engine
 * wrapped as a strict test engine: a released buffer is overwritten with garbage at once (an engine may reuse it
 * immediately), and some frames fail after drawing into a reused buffer (the policy holds the last good frame). Every
 * output file must equal the one a render without any buffer reuse writes.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MeshwarpConfigSchema } from '../../bridge/src/engines/meshwarp/config.js';
import { createMeshwarpEngine } from '../../bridge/src/engines/meshwarp/index.js';
import { registerEngine } from '../../bridge/src/engines/registry.js';
import type { Engine, RenderedFrame } from '../../bridge/src/engines/types.js';
import { renderJob } from '../../bridge/src/pipeline/render.js';
import { DRIVING, PORTRAIT, tempDir } from '../helpers/media.js';

const dir = tempDir();
/** Frames whose render fails (two in a row: the held frame is held across a failed render that reused a buffer). */
const FAILING = new Set([7, 8, 15]);
const stats = { released: 0, twice: 0 };
const unregister: (() => void)[] = [];

/** The real engine; `reuse` false strips release (nothing is ever reused), true poisons each buffer handed back. */
function strict(reuse: boolean): Engine {
  const inner = createMeshwarpEngine();
  return {
    ...inner,
    info: inner.info,
    async render(frame): Promise<RenderedFrame> {
      const out = await inner.render(frame);
      const { release, ...plain } = out;
      const poisoned = () => {
        if (!release) return;
        if (out.image.data[0] === 0xa5 && out.image.data[1] === 0x5a) stats.twice++;
        out.image.data.fill(0xa5);
        out.image.data[1] = 0x5a;
        stats.released++;
        release();
      };
      if (FAILING.has(frame.index)) {
        if (reuse) poisoned(); // it drew into a reused buffer, then failed
        throw new Error(`injected failure on frame ${frame.index}`);
      }
      return reuse ? { ...plain, release: poisoned } : plain;
    },
  };
}

const hashes = (out: string) => {
  const frames = path.join(out, 'frames');
  return readdirSync(frames)
    .filter((f) => f.endsWith('.png'))
    .sort()
    .map(
      (f) =>
        `${f} ${createHash('md5')
          .update(readFileSync(path.join(frames, f)))
          .digest('hex')}`,
    );
};

beforeAll(() => {
  for (const reuse of [false, true]) {
    unregister.push(
      registerEngine({
        name: reuse ? 'meshwarp-reuse' : 'meshwarp-no-reuse',
        label: 'meshwarp, strict about released buffers (tests)',
        summary: 'the meshwarp engine with injected failures',
        options: MeshwarpConfigSchema,
        testOnly: true,
        load: async () => ({ create: async () => strict(reuse) }),
      }),
    );
  }
});
afterAll(() => {
  for (const u of unregister) u();
});

describe('output buffers handed back to the engine', () => {
  it('are reused only once written and no longer held: the same files as without reuse', async () => {
    const spec = (name: string) => ({
      source: PORTRAIT,
      driving: DRIVING,
      output: { dir: path.join(dir, name) },
      engine: { name },
      range: { start: 0, end: 24 },
      onFrameFailure: 'hold' as const,
    });
    const plain = await renderJob(spec('meshwarp-no-reuse'));
    const reused = await renderJob(spec('meshwarp-reuse'));
    expect(plain.frames.filter((f) => f.status === 'held').map((f) => f.index)).toEqual([7, 8, 15]);
    expect(reused.frames.map((f) => f.status)).toEqual(plain.frames.map((f) => f.status));
    expect(hashes(path.join(dir, 'meshwarp-reuse'))).toEqual(hashes(path.join(dir, 'meshwarp-no-reuse')));
    // The pipeline did hand frames back (each at most once), so the engine drew into reused memory.
    expect(stats.released).toBeGreaterThan(15);
    expect(stats.twice).toBe(0);
  }, 120_000);
});
