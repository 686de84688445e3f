/**
 * Whether the neural engine can run here: every required model file of its catalog is installed (presence only;
 * `reenact models verify` hashes them). Its own light file: `GET /engines` asks without loading onnxruntime.
 */
import { catalogPath, loadCatalog } from '../../models/catalog.js';
import { checkModels } from '../../models/store.js';
import type { EngineState, Env } from '../types.js';

export async function availability(env: Env): Promise<EngineState> {
  const entries = await checkModels(loadCatalog(catalogPath(env)), false, env);
  const required = entries.filter((e) => e.required);
  const missing = required.filter((e) => e.status !== 'ok' && e.status !== 'unverified');
  if (!missing.length) return { available: true };
  return {
    available: false,
    needsModels: true,
    reason: `Models are not installed (${missing.length} of ${required.length} missing): run \`reenact models install\`.`,
  };
}
