/**
 * A test engine for fault injection: the fixture engine, except that render() throws on the output frames in
 * `throwsOn` (a set the test changes between runs, so a re-run with the same spec — same keys — can retry exactly the
 * frames that failed). Registered by the reliability tests only (registerFaultyEngine); never part of the product.
 */
import { z } from 'zod';
import { createFixtureEngine } from '../../bridge/src/engines/fixture/index.js';
import { registerEngine } from '../../bridge/src/engines/registry.js';
import type { Engine } from '../../bridge/src/engines/types.js';

/** Output frames on which render() throws "injected fault on frame N". */
export const throwsOn = new Set<number>();

function createFaultyEngine(): Engine {
  const inner = createFixtureEngine();
  return {
    info: { ...inner.info, name: 'faulty' },
    prepare: (source, face) => inner.prepare(source, face),
    setReference: (reference) => inner.setReference(reference),
    async render(frame) {
      if (throwsOn.has(frame.index)) throw new Error(`injected fault on frame ${frame.index}`);
      return inner.render(frame);
    },
    dispose: () => inner.dispose(),
  };
}

/** Adds the engine to the registry as "faulty"; returns the function that removes it. */
export function registerFaultyEngine(): () => void {
  return registerEngine({
    name: 'faulty',
    label: 'Faulty (tests)',
    summary: 'the fixture engine, failing on chosen frames (tests only)',
    options: z.strictObject({}),
    testOnly: true,
    load: async () => ({ create: async () => createFaultyEngine() }),
  });
}
