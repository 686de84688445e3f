import { describe, expect, it } from 'vitest';
import {
  benchMeshwarp,
  createMeshwarpEngine,
  DEFAULT_MESHWARP_CONFIG,
  parseMeshwarpConfig,
} from '../../../bridge/src/engines/meshwarp/index.js';
import { ReenactError } from '../../../bridge/src/errors.js';
import { astronaut, cloneFace, controls, moveHead } from './fixtures.js';

async function message(p: Promise<unknown> | (() => unknown)): Promise<[string, string]> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    expect(e).toBeInstanceOf(ReenactError);
    return [(e as ReenactError).code, (e as Error).message];
  }
  throw new Error('expected a ReenactError');
}

describe('meshwarp config', () => {
  it('has commented defaults and validates with exact messages', async () => {
    expect(DEFAULT_MESHWARP_CONFIG.ringScale).toBe(2);
    expect(parseMeshwarpConfig(undefined)).toEqual(DEFAULT_MESHWARP_CONFIG);
    expect(parseMeshwarpConfig({ maxYawDeg: 10 }).maxYawDeg).toBe(10);
    expect(await message(() => parseMeshwarpConfig({ ringScale: 'big' }))).toEqual([
      'USAGE',
      'Expected a number for meshwarp.ringScale but received "big".',
    ]);
    expect(await message(() => parseMeshwarpConfig({ ringScale: 9 }))).toEqual([
      'USAGE',
      'Expected a value ≤ 4 for meshwarp.ringScale but received 9.',
    ]);
    expect(await message(() => parseMeshwarpConfig({ ringScale: 1.5, innerRingScale: 1.6 }))).toEqual([
      'USAGE',
      'Expected meshwarp.innerRingScale below meshwarp.ringScale (1.5) but received 1.6.',
    ]);
    expect(await message(() => parseMeshwarpConfig({ teeth: 'gold' }))).toEqual([
      'USAGE',
      'Expected one of "auto", "synthetic", "source" for meshwarp.teeth but received "gold".',
    ]);
    const [, unknown] = await message(() => parseMeshwarpConfig({ ringscale: 1.5 }));
    expect(unknown).toMatch(
      /^Expected a known option \(head, cameraDistance, .*ringScale, innerRingScale, .*\) for meshwarp\.ringscale but received 1\.5\.$/,
    );
    expect(await message(() => createMeshwarpEngine({ matteFeather: 0 }))).toEqual([
      'USAGE',
      'Expected a value ≥ 0.01 for meshwarp.matteFeather but received 0.',
    ]);
  });
});

describe('meshwarp engine', () => {
  it('declares itself: cpu, no models, no driving pixels', () => {
    const { info } = createMeshwarpEngine();
    expect(info).toMatchObject({ name: 'meshwarp', device: 'cpu', models: [], needsDrivingPixels: false });
  });

  it('refuses to render before prepare, and bad landmarks, with messages that say what to do', async () => {
    const engine = createMeshwarpEngine();
    const { image, face } = astronaut();
    expect(await message(engine.render({ index: 0, time: 0, face, controls: controls() }))).toEqual([
      'INTERNAL',
      'The meshwarp engine was used before prepare(). Call prepare(source, face) first.',
    ]);
    const short = { ...cloneFace(face), landmarks: new Float32Array(10) };
    expect(await message(engine.prepare(image, short))).toEqual([
      'BAD_INPUT',
      'Expected 468 × 3 landmarks for the portrait face but received 10 values.',
    ]);
    expect(await message(engine.prepare({ ...image, data: image.data.subarray(0, 10) }, face))).toEqual([
      'BAD_INPUT',
      'Expected 512×512×3 bytes for the portrait but received 10.',
    ]);
    await engine.prepare(image, face);
    expect(await message(engine.setReference({ index: 7, time: 0, face: null, controls: controls() }))).toEqual([
      'BAD_INPUT',
      'Expected a face in the reference frame but received none in frame 7. Choose another --ref-frame.',
    ]);
    const nan = cloneFace(face);
    nan.landmarks[5] = Number.NaN;
    expect(await message(engine.render({ index: 3, time: 0, face: nan, controls: controls() }))).toEqual([
      'BAD_INPUT',
      'Expected finite landmark values for driving frame 3 but received NaN at index 5.',
    ]);
  });

  it('a frame without a face returns the neutral portrait (alpha 0, source RGB)', async () => {
    const engine = createMeshwarpEngine();
    const { image, face } = astronaut();
    await engine.prepare(image, face);
    const out = await engine.render({ index: 0, time: 0, face: null, controls: controls() });
    expect(out.warnings).toBeUndefined();
    for (let i = 0; i < 512 * 512; i += 97) {
      expect(out.image.data[i * 4 + 3]).toBe(0);
      expect(out.image.data[i * 4]).toBe(image.data[i * 3]);
    }
  });

  it('uses the first face as reference when none was set, and passes motion warnings through', async () => {
    const engine = createMeshwarpEngine({ head: '2d', maxRollDeg: 5 });
    const { image, face } = astronaut();
    await engine.prepare(image, face);
    const first = await engine.render({ index: 0, time: 0, face, controls: controls() });
    expect(engine.lastMotion?.identity).toBe(true);
    expect(first.warnings).toBeUndefined();
    const rolled = await engine.render({ index: 1, time: 0, face: moveHead(face, 12), controls: controls() });
    expect(rolled.warnings).toEqual(['Head roll of 12° is beyond what a 2-D warp can show (limit 5°); clamped.']);
    await engine.dispose();
    expect(engine.lastMotion).toBeNull();
  });

  it('works without iris points (gaze uses an estimated iris disc)', async () => {
    const engine = createMeshwarpEngine();
    const { image, face } = astronaut();
    const bare = { ...cloneFace(face), iris: undefined };
    await engine.prepare(image, bare);
    await engine.setReference({ index: 0, time: 0, face: bare, controls: controls() });
    const out = await engine.render({ index: 1, time: 0, face: bare, controls: controls({ gazeLeft: [0.2, 0] }) });
    expect(engine.lastMotion?.iris).toBeNull();
    expect(engine.lastMotion?.gaze[0][0]).toBeGreaterThan(3);
    let changed = 0;
    for (let i = 0; i < 512 * 512; i++) if (out.image.data[i * 4] !== image.data[i * 3]) changed++;
    expect(changed).toBeGreaterThan(20);
  });

  it('benchMeshwarp times renders of a prepared engine', async () => {
    const engine = createMeshwarpEngine();
    const { image, face } = astronaut();
    await engine.prepare(image, face);
    const frames = [0, 4, 8].map((d) => ({ index: d, time: 0, face: moveHead(face, d), controls: controls() }));
    const r = await benchMeshwarp(engine, frames, 2);
    expect(r.frames).toBe(6);
    expect(r.fps).toBeGreaterThan(0);
  });
});
