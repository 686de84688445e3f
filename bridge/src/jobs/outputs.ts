/**
 * Deleting a job's outputs, confined to its output folder: each path is resolved (symlinks included) and must sit
 * strictly inside the folder, or nothing at all is deleted. With no paths, only what the manifest says the job
 * wrote is removed (frames matching its pattern, the ProRes file, the preview, the manifest), never the folder's
 * other contents.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { ReenactError } from '../errors.js';
import type { JobSpec, Manifest } from '../pipeline/spec.js';
import { readJson } from './atomic.js';

export const MANIFEST_NAME = 'reenact.json';

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

/** Files the manifest says the job wrote, in `outDir`. */
async function manifestFiles(outDir: string, manifest: Manifest): Promise<string[]> {
  const files: string[] = [];
  if (manifest.format === 'png' || manifest.output.includes('%')) {
    const dir = path.resolve(outDir, path.dirname(manifest.output));
    const pattern = printfToRegExp(path.basename(manifest.output));
    let names: string[] = [];
    try {
      names = await fs.readdir(dir);
    } catch {}
    for (const name of names) if (pattern.test(name)) files.push(path.join(dir, name));
  } else {
    files.push(path.resolve(outDir, manifest.output));
  }
  if (manifest.preview) files.push(path.resolve(outDir, manifest.preview));
  files.push(path.join(outDir, MANIFEST_NAME));
  return files;
}

/** "frame_%05d.png" → /^frame_\d{5,}\.png$/ (also the pipeline's temp names are left alone). */
export function printfToRegExp(pattern: string): RegExp {
  const parts = pattern.split(/%0?(\d*)d/);
  let source = '';
  for (let i = 0; i < parts.length; i++) {
    if (i % 2 === 0) source += parts[i].replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    else source += parts[i] ? `\\d{${Number(parts[i])},}` : '\\d+';
  }
  return new RegExp(`^${source}$`);
}

/**
 * Deletes the job's outputs (or `requested` paths inside its folder); returns what was removed.
 * @throws ReenactError BAD_INPUT for a path outside the folder, or when nothing is known to be the job's.
 */
export async function deleteOutputs(spec: JobSpec, requested?: string[]): Promise<string[]> {
  const root = path.resolve(spec.output.dir);
  let targets: string[];
  if (requested?.length) {
    targets = await confinePaths(root, requested);
  } else {
    let manifest: Manifest | undefined;
    try {
      manifest = (await readJson(path.join(root, MANIFEST_NAME))) as Manifest | undefined;
    } catch {}
    if (!manifest) {
      throw new ReenactError(
        'BAD_INPUT',
        `No ${MANIFEST_NAME} in ${root}: nothing there is known to be this job's. Pass the paths to delete.`,
        { details: { outputDir: root } },
      );
    }
    targets = await confinePaths(root, await manifestFiles(root, manifest));
  }
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
  // Remove folders the job made that are now empty (e.g. frames/), never the output folder itself.
  for (const dir of new Set(deleted.map((f) => path.dirname(f)))) {
    if (dir !== root && isInside(root, dir)) await fs.rmdir(dir).catch(() => {});
  }
  return deleted;
}
