// A re-render into a folder keeps a frame on disk only when its key says the same engine would make the same bytes:
// the key holds the engine as it runs (name, version, options with their defaults filled), not the spec's options as
// given. A spec with `options: {}` rendered before a default changed (meshwarp's 2-D head before the 3-D head became
// the default), or by another version of the engine, must be rendered again, not kept.
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { registerEngine } from '../../bridge/src/engines/registry.js';
import type { Engine, EngineModule } from '../../bridge/src/engines/types.js';
import { parseJobSpec } from '../../bridge/src/pipeline/parse.js';
import { renderJob } from '../../bridge/src/pipeline/render.js';
import { createToyEngine } from '../engines/toy/index.js';
import { frameHashes } from '../helpers/frames.js';
import { tempDir } from '../helpers/media.js';
import { makeMedia } from '../server/helpers.js';

const dir = tempDir();

let unregister: (() => void) | undefined;
afterEach(() => unregister?.());

/**
 * Installs "rekey", the toy engine as one release of reenact ships it: `size` defaults to `defaultSize`, and the
 * engine reports `version`. Registering it again stands for upgrading reenact.
 */
function release(defaultSize: number, version: string): void {
  unregister?.();
  const options = z.strictObject({ size: z.number().min(0.1).max(1).default(defaultSize) });
  const create: EngineModule<z.output<typeof options>>['create'] = async ({ options: o }) => {
    const toy = createToyEngine(o);
    // Version 2 draws the square at 3/4 of the brightness: another version, other pixels.
    const render: Engine['render'] = async (frame) => {
      const out = await toy.render(frame);
      if (version === '2')
        for (let i = 0; i < out.image.data.length; i += 4) out.image.data[i] = (out.image.data[i] * 3) >> 2;
      return out;
    };
    return { ...toy, info: { ...toy.info, name: 'rekey', version }, render };
  };
  unregister = registerEngine({
    name: 'rekey',
    label: 'Rekey · test',
    summary: 'a toy',
    options,
    load: async () => ({ create }),
  });
}

/** Renders the same spec (options left to their defaults) into `out`: its frames' hashes and what the run kept. */
async function render(out: string, options?: { size: number }) {
  const media = await makeMedia(dir, 6);
  const manifest = await renderJob(
    parseJobSpec({ ...media, output: { dir: out }, engine: { name: 'rekey', ...(options ? { options } : {}) } }),
  );
  return { frames: frameHashes(out), stats: manifest.stats };
}

describe('the per-frame key of a re-render into the same folder', () => {
  it('renders again the frames of an engine whose default option changed since', async () => {
    const out = `${dir}/default-changed`;
    release(0.5, '1');
    const before = await render(out);
    release(0.8, '1');
    const after = await render(out);
    expect(after.stats).toEqual({ rendered: 6, kept: 0 });
    const fresh = await render(`${dir}/default-fresh`);
    expect(after.frames).toEqual(fresh.frames);
    expect(after.frames).not.toEqual(before.frames);
  });

  it('renders again the frames of another version of the engine', async () => {
    const out = `${dir}/version-changed`;
    release(0.5, '1');
    const before = await render(out);
    release(0.5, '2');
    const after = await render(out);
    expect(after.stats).toEqual({ rendered: 6, kept: 0 });
    const fresh = await render(`${dir}/version-fresh`);
    expect(after.frames).toEqual(fresh.frames);
    expect(after.frames).not.toEqual(before.frames);
  });

  it('keeps every frame when nothing changed (the same options spelt out or left to their defaults)', async () => {
    const out = `${dir}/same`;
    release(0.5, '1');
    const before = await render(out);
    const after = await render(out, { size: 0.5 });
    expect(after.stats).toEqual({ rendered: 0, kept: 6 });
    expect(after.frames).toEqual(before.frames);
  });
});
