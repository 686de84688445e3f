/**
 * Deleting a job's outputs, confined to its output folder: each path is resolved (symlinks included) and must sit
 * strictly inside the folder, or nothing at all is deleted. With no paths, only what reenact writes there is
 * removed (frames, the ProRes file, the preview, the manifest, partial frames), never the folder's other contents.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { ReenactError } from '../errors.js';
import { cleanPartialFrames } from '../media/png-sequence.js';
import { FRAME_PREFIX, outputLayout } from '../pipeline/output.js';
import type { JobSpec } from '../pipeline/spec.js';

/** True when `child` is strictly inside `parent` (both absolute, resolved). */
export function isInside(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

/** Resolves symlinks of the deepest existing ancestor, so a link inside the folder cannot point outside it. */
async function realpathLoose(p: string): Promise<string> {
  const tail: string[] = [];
  let at = p;
  for (;;) {
    try {
      return path.join(await fs.realpath(at), ...tail.reverse());
    } catch {
      const parent = path.dirname(at);
      if (parent === at) return p;
      tail.push(path.basename(at));
      at = parent;
    }
  }
}

/** The absolute paths `requested` names, each checked to be inside `outDir`. @throws ReenactError BAD_INPUT */
export async function confinePaths(outDir: string, requested: string[]): Promise<string[]> {
  const root = path.resolve(outDir);
  const realRoot = await realpathLoose(root);
  const out: string[] = [];
  for (const p of requested) {
    const abs = path.isAbsolute(p) ? path.resolve(p) : path.resolve(root, p);
    // The entry itself may be a symlink (deleting the link is fine); its parent must really be inside.
    const realParent = await realpathLoose(path.dirname(abs));
    const real = path.join(realParent, path.basename(abs));
    if (p.split(/[\\/]+/).includes('..') || !isInside(root, abs) || !isInside(realRoot, real)) {
      throw new ReenactError(
        'BAD_INPUT',
        `Expected a path inside the job's output folder ${root} but received ${JSON.stringify(p)}.`,
        { details: { path: p, outputDir: root } },
      );
    }
    out.push(abs);
  }
  return out;
}

/** What reenact writes in an output folder (the pipeline's layout): frames, the ProRes file, preview, manifest. */
async function writtenFiles(spec: JobSpec): Promise<string[]> {
  const layout = outputLayout(spec);
  let names: string[] = [];
  try {
    names = await fs.readdir(layout.framesDir);
  } catch {}
  const frames = names
    .filter((n) => n.startsWith(FRAME_PREFIX) && n.endsWith('.png'))
    .sort()
    .map((n) => path.join(layout.framesDir, n));
  return [...frames, layout.movie, layout.preview, layout.manifest];
}

/**
 * Deletes the job's outputs (or `requested` paths inside its folder); returns what was removed.
 * @throws ReenactError BAD_INPUT for a path outside the folder (then nothing is deleted).
 */
export async function deleteOutputs(spec: JobSpec, requested?: string[]): Promise<string[]> {
  const root = path.resolve(spec.output.dir);
  const targets = await confinePaths(root, requested?.length ? requested : await writtenFiles(spec));
  const deleted: string[] = [];
  for (const target of targets) {
    try {
      await fs.lstat(target);
    } catch {
      continue;
    }
    await fs.rm(target, { recursive: true, force: true });
    deleted.push(target);
  }
  if (!requested?.length) await cleanPartialFrames(outputLayout(spec).framesDir).catch(() => 0);
  // Remove folders the job made that are now empty (e.g. frames/), never the output folder itself.
  for (const dir of new Set(deleted.map((f) => path.dirname(f)))) {
    if (dir !== root && isInside(root, dir)) await fs.rmdir(dir).catch(() => {});
  }
  return deleted;
}
