/**
 * The 3-D head's output frames are copied into memory that is not zeroed first (render3d.ts copyFrame): each frame
 * must still be its own plain Uint8Array, every byte written, whatever the memory held before.
 */
import { describe, expect, it } from 'vitest';
import { createMeshwarpEngine } from '../../../bridge/src/engines/meshwarp/index.js';
import type { FaceObservation } from '../../../bridge/src/face/types.js';
import { astronaut, controls, moveHead } from './fixtures.js';

const { image, face } = astronaut();
const still: FaceObservation = { ...face, iris: undefined };

describe('3-D head output frames', () => {
  it('are separate plain Uint8Arrays, the same bytes for the same pose whatever was rendered before', async () => {
    const engine = createMeshwarpEngine();
    await engine.prepare(image, face);
    await engine.setReference({ index: 0, time: 0, face: still, controls: controls() });
    const render = async (deg: number, dx: number) =>
      (await engine.render({ index: 1, time: 0, face: moveHead(still, deg, dx, 0), controls: controls() })).image.data;
    const first = await render(10, 20);
    expect(first).toBeInstanceOf(Uint8Array);
    expect(Buffer.isBuffer(first)).toBe(false);
    expect(first.byteOffset).toBe(0);
    expect(first.byteLength).toBe(image.width * image.height * 4);
    const copy = Uint8Array.from(first);
    // Garbage in the memory a later frame may reuse, and frames of other poses in between.
    first.fill(0xa5);
    await render(-10, -20);
    const held = await render(0, 0);
    const again = await render(10, 20);
    expect(again).not.toBe(first);
    expect(Buffer.from(again).equals(Buffer.from(copy))).toBe(true);
    // The reference pose is the photo itself, alpha 0 throughout: none of the garbage shows through.
    let opaque = 0;
    for (let i = 3; i < held.length; i += 4) if (held[i] !== 0) opaque++;
    expect(opaque).toBe(0);
    for (let i = 0; i < image.width * image.height; i++) {
      if (held[i * 4] !== image.data[i * 3] || held[i * 4 + 2] !== image.data[i * 3 + 2])
        throw new Error(`pixel ${i} is not the photo's`);
    }
    await engine.dispose();
  }, 60_000);

  it('draw into a frame handed back (release), never into one still held, with the same bytes', async () => {
    const engine = createMeshwarpEngine();
    await engine.prepare(image, face);
    await engine.setReference({ index: 0, time: 0, face: still, controls: controls() });
    const render = (deg: number, dx: number) =>
      engine.render({ index: 1, time: 0, face: moveHead(still, deg, dx, 0), controls: controls() });
    const fresh = Uint8Array.from((await render(-8, 15)).image.data);
    const a = await render(10, 20);
    const keep = Uint8Array.from(a.image.data);
    const b = await render(-10, -20);
    expect(b.image.data).not.toBe(a.image.data);
    expect(Buffer.from(a.image.data).equals(Buffer.from(keep))).toBe(true);
    a.image.data.fill(0x5a); // whatever the pipeline's last look left there
    a.release?.();
    a.release?.(); // a second call is ignored: the buffer is not handed out twice
    const c = await render(-8, 15);
    const d = await render(-8, 15);
    expect(c.image.data).toBe(a.image.data);
    expect(d.image.data).not.toBe(a.image.data);
    expect(Buffer.from(c.image.data).equals(Buffer.from(fresh))).toBe(true);
    expect(Buffer.from(d.image.data).equals(Buffer.from(fresh))).toBe(true);
    await engine.dispose();
  }, 60_000);
});
