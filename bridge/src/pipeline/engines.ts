/** Engine factory: the one place that maps a spec's engine name to an engine folder. */

import { createFixtureEngine } from '../engines/fixture/index.js';
import { createLivePortraitEngineFromSpec } from '../engines/liveportrait/index.js';
import { createMeshwarpEngine } from '../engines/meshwarp/index.js';
import type { Engine } from '../engines/types.js';
import { ReenactError } from '../errors.js';
import type { JobSpec } from './spec.js';

export async function createEngine(engine: JobSpec['engine']): Promise<Engine> {
  switch (engine.name) {
    case 'fixture':
      return createFixtureEngine();
    case 'meshwarp':
      return createMeshwarpEngine(engine.options);
    case 'liveportrait': {
      // Sessions open now: a missing model fails before tracking, and info.device is known for the 'started' event.
      const lp = createLivePortraitEngineFromSpec(engine);
      await lp.load();
      return lp;
    }
    default:
      throw new ReenactError(
        'USAGE',
        `Expected engine to be one of meshwarp, liveportrait, fixture but received "${engine.name}".`,
      );
  }
}
