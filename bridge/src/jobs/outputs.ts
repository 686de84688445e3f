/**
 * Deleting a job's outputs (`DELETE /jobs/:id/outputs`): exactly what reenact's own manifest in the job's folder
 * lists (pipeline/ownership.ts) — frames, movie, preview, the manifest — and reenact's temp files, taken at the
 * folder's real path with no symlink followed below it. A folder without this job's manifest loses nothing.
 */
import { realpath, rmdir } from 'node:fs/promises';
import path from 'node:path';
import { outputLayout, removeOutputs } from '../pipeline/output.js';
import { ownManifest } from '../pipeline/ownership.js';
import type { JobSpec } from '../pipeline/spec.js';

/** True when `child` is strictly inside `parent` (both absolute, resolved). */
export function isInside(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

/** The manifest's render is this job's: same inputs, folder, engine, format, range, fps and chunk. */
function sameRender(a: JobSpec, b: JobSpec): boolean {
  const identity = (s: JobSpec) =>
    JSON.stringify([
      s.source,
      s.driving,
      s.output.format,
      s.engine.name,
      s.range ?? null,
      s.fps ?? null,
      s.chunk ?? null,
    ]);
  return identity(a) === identity(b);
}

/** Deletes the job's outputs as its manifest lists them; returns what was removed (real paths, sorted). */
export async function deleteOutputs(spec: JobSpec): Promise<string[]> {
  const root = await realpath(spec.output.dir).catch(() => undefined);
  if (root === undefined) return []; // nothing there
  const layout = outputLayout({ ...spec, output: { ...spec.output, dir: root } });
  if ((await realpath(layout.dir).catch(() => undefined)) !== layout.dir) return []; // a chunk folder that is a link
  const own = await ownManifest(layout);
  if (!own || !sameRender(own.spec, spec)) return [];
  const removed = await removeOutputs(layout, own);
  // The frames folder the job made goes once empty; never the output folder itself.
  await rmdir(layout.framesDir).catch(() => {});
  if (spec.chunk) await rmdir(layout.dir).catch(() => {});
  return removed.sort();
}
