// The engine registry is the one list of engines and their options: each folder's code fits the seam the registry
// loads, options are strict (unknown keys and wrong types refused, naming the key) wherever a spec enters, bounded
// (a deeply nested value is a clear refusal, never a stack overflow), kept as given in the spec, and defaulted from
// the engine's own schema.
import { describe, expect, it } from 'vitest';
import * as fixture from '../../bridge/src/engines/fixture/index.js';
import * as liveportraitAvailability from '../../bridge/src/engines/liveportrait/availability.js';
import type { LivePortraitOptions } from '../../bridge/src/engines/liveportrait/config.js';
import * as liveportrait from '../../bridge/src/engines/liveportrait/index.js';
import { DEFAULT_MESHWARP_CONFIG, type MeshwarpConfig } from '../../bridge/src/engines/meshwarp/config.js';
import * as meshwarp from '../../bridge/src/engines/meshwarp/index.js';
import { createEngine, engineDefinition, engineNames, engineProblems } from '../../bridge/src/engines/registry.js';
import type { EngineModule, EngineState, Env } from '../../bridge/src/engines/types.js';
import { ReenactError } from '../../bridge/src/errors.js';
import { parseJobSpec } from '../../bridge/src/pipeline/parse.js';

const spec = (engine: unknown) => ({ source: '/a.png', driving: '/b.mp4', output: { dir: '/out' }, engine });

/** `{options: {ringScale: {a: {a: …}}}}` nested `depth` levels. */
function nested(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

function thrown(fn: () => unknown): ReenactError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ReenactError);
    return err as ReenactError;
  }
  throw new Error('expected a ReenactError');
}

describe('engine registry', () => {
  it('lists the engines, default first, and each folder exports what the registry loads', async () => {
    expect(engineNames()).toEqual(['meshwarp', 'liveportrait', 'fixture']);
    // Type-checked: each folder's exports fit EngineModule with the options its registry entry validates.
    const modules: [EngineModule<MeshwarpConfig>, EngineModule<LivePortraitOptions>, EngineModule<object>] = [
      meshwarp,
      liveportrait,
      fixture,
    ];
    for (const [i, name] of engineNames().entries()) expect(await engineDefinition(name).load()).toBe(modules[i]);
    const check: { availability(env: Env): Promise<EngineState> } = liveportraitAvailability;
    expect(check.availability).toBeTypeOf('function');
    expect(engineDefinition('meshwarp').options.parse({})).toEqual(DEFAULT_MESHWARP_CONFIG);
    expect(parseJobSpec(spec(undefined)).engine).toEqual({ name: 'meshwarp', device: 'auto', options: {} });
  });

  it('refuses unknown keys and wrong types in engine.options, naming the key, at every spec boundary', () => {
    expect(thrown(() => parseJobSpec(spec({ name: 'meshwarp', options: { ringscale: 2 } }))).message).toMatch(
      /^Invalid job spec: engine\.options\.ringscale: Expected a known option \(.*\bringScale, innerRingScale\b.*\) for meshwarp\.ringscale but received 2\.$/,
    );
    expect(thrown(() => parseJobSpec(spec({ name: 'liveportrait', options: { intensity: '9' } }))).message).toBe(
      'Invalid job spec: engine.options.intensity: Expected a number for liveportrait.intensity but received "9".',
    );
    // The device is the spec's engine.device, not an option.
    expect(thrown(() => parseJobSpec(spec({ name: 'liveportrait', options: { device: 'cuda' } }))).message).toMatch(
      /engine\.options\.device: Expected a known option \(intensity, .*\) for liveportrait\.device but received "cuda"/,
    );
    expect(thrown(() => parseJobSpec(spec({ name: 'fixture', options: { x: 1 } }))).message).toBe(
      'Invalid job spec: engine.options.x: Expected a known option () for fixture.x but received 1.',
    );
    expect(
      thrown(() => parseJobSpec(spec({ name: 'meshwarp', options: { ringScale: 1.5, innerRingScale: 1.6 } }))).message,
    ).toBe(
      'Invalid job spec: engine.options.innerRingScale: Expected meshwarp.innerRingScale below meshwarp.ringScale (1.5) but received 1.6.',
    );
    expect(thrown(() => parseJobSpec(spec({ name: 'warp9' }))).code).toBe('BAD_INPUT');
    expect(engineProblems({ name: 'meshwarp', options: { maxYawDeg: 90 } })).toEqual([
      { path: ['options', 'maxYawDeg'], message: 'Expected a value ≤ 60 for meshwarp.maxYawDeg but received 90.' },
    ]);
  });

  it('refuses deeply nested options with a short message instead of overflowing the stack', () => {
    const deep = nested(200_000);
    const known = thrown(() => parseJobSpec(spec({ name: 'meshwarp', options: { ringScale: deep } })));
    expect(known.message).toBe(
      'Invalid job spec: engine.options.ringScale: Expected a number for meshwarp.ringScale but received an object with 1 key.',
    );
    const unknown = thrown(() => parseJobSpec(spec({ name: 'liveportrait', options: { deep } })));
    expect(unknown.message).toMatch(/for liveportrait\.deep but received an object with 1 key\.$/);
    const list = thrown(() => parseJobSpec(spec({ name: 'liveportrait', options: { regions: [deep] } })));
    expect(list.message.length).toBeLessThan(400);
  });

  it('keeps the options as given in the spec (defaults are the engine schema’s, filled when it is built)', async () => {
    const parsed = parseJobSpec(spec({ name: 'liveportrait', options: { regions: 'lips' } }));
    expect(parsed.engine.options).toEqual({ regions: 'lips' });
    const engine = await createEngine({ name: 'meshwarp', device: 'auto', options: { maxYawDeg: 10 } });
    expect(engine.info.name).toBe('meshwarp');
    await engine.dispose();
    await expect(createEngine({ name: 'meshwarp', device: 'auto', options: { maxYawDeg: 90 } })).rejects.toThrow(
      new ReenactError('USAGE', 'Expected a value ≤ 60 for meshwarp.maxYawDeg but received 90.'),
    );
    await expect(createEngine({ name: 'nope', device: 'auto', options: {} })).rejects.toThrow(
      'Expected one of meshwarp, liveportrait, fixture for engine.name but received "nope".',
    );
  });
});
