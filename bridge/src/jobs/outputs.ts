/**
 * Deleting a job's outputs (`DELETE /jobs/:id/outputs`): exactly the files the job's own reenact.json lists — its
 * frames, its movie, its preview, the manifest itself — and reenact's own temp files beside them. Each must be a
 * regular file whose folder really is the job's output folder (real paths: a symlink anywhere is never followed).
 * Nothing else in the folder is touched, and a folder with no manifest of this job loses nothing.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { type OutputLayout, outputLayout, readManifest } from '../pipeline/output.js';
import type { JobSpec, Manifest } from '../pipeline/spec.js';

/** True when `child` is strictly inside `parent` (both absolute, resolved). */
export function isInside(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

/**
 * The real path of `p`: symlinks resolved for the part that exists (the deepest existing ancestor), the rest
 * appended as given. So a folder that does not exist yet is judged by where it would really be created.
 */
export async function realpathLoose(p: string): Promise<string> {
  const tail: string[] = [];
  let at = path.resolve(p);
  for (;;) {
    try {
      return path.join(await fs.realpath(at), ...tail.reverse());
    } catch {
      const parent = path.dirname(at);
      if (parent === at) return path.resolve(p);
      tail.push(path.basename(at));
      at = parent;
    }
  }
}

/** A temp file reenact writes beside `name` (util/fs.ts tempSibling): ".<name>.<8 hex>.partial". */
export function isOwnTemp(dirEntry: string, names: ReadonlySet<string>): boolean {
  const match = /^\.(.+)\.[0-9a-f]{8}\.partial$/.exec(dirEntry);
  return match !== null && names.has(match[1]);
}

/** The manifest's render is this job's: same inputs, folder, engine, format, range, fps and chunk. */
function sameRender(a: JobSpec, b: JobSpec): boolean {
  const identity = (s: JobSpec) =>
    JSON.stringify([
      s.source,
      s.driving,
      s.output.dir,
      s.output.format,
      s.engine.name,
      s.range ?? null,
      s.fps ?? null,
      s.chunk ?? null,
    ]);
  return identity(a) === identity(b);
}

/** The files `manifest` says this render wrote, by folder: frames in frames/, the rest beside the manifest. */
function listedFiles(layout: OutputLayout, spec: JobSpec, manifest: Manifest): Map<string, Set<string>> {
  const byDir = new Map<string, Set<string>>([
    [layout.dir, new Set([path.basename(layout.manifest)])],
    [layout.framesDir, new Set()],
  ]);
  const top = byDir.get(layout.dir)!;
  if (spec.output.format === 'png') {
    const frames = byDir.get(layout.framesDir)!;
    for (const f of manifest.frames)
      if (Number.isInteger(f.index) && f.index >= 0) frames.add(path.basename(layout.framePath(f.index)));
  }
  if (spec.output.format === 'prores' && manifest.output === path.basename(layout.movie)) top.add(manifest.output);
  if (manifest.preview === path.basename(layout.preview)) top.add(manifest.preview);
  return byDir;
}

/**
 * Deletes the job's outputs as its manifest lists them; returns what was removed (real paths).
 * The folder is taken at its real path now; below it nothing may be a symlink (frames/ as a link is left alone).
 */
export async function deleteOutputs(spec: JobSpec): Promise<string[]> {
  const root = await fs.realpath(spec.output.dir).catch(() => undefined);
  if (root === undefined) return []; // nothing there
  const layout = outputLayout({ ...spec, output: { ...spec.output, dir: root } });
  const manifest = await readManifest(layout.manifest);
  if (!manifest || !sameRender(manifest.spec, spec)) return [];
  const deleted: string[] = [];
  for (const [dir, names] of listedFiles(layout, spec, manifest)) {
    if ((await fs.realpath(dir).catch(() => undefined)) !== dir) continue; // missing, or reached through a symlink
    let entries: string[];
    try {
      entries = await fs.readdir(dir);
    } catch {
      continue;
    }
    for (const entry of entries) {
      if (!names.has(entry) && !isOwnTemp(entry, names)) continue;
      const file = path.join(dir, entry);
      const st = await fs.lstat(file).catch(() => undefined);
      if (!st?.isFile()) continue; // a symlink or folder under a listed name is not ours
      await fs.unlink(file);
      deleted.push(file);
    }
  }
  // The frames folder the job made goes once empty; never the output folder itself.
  await fs.rmdir(layout.framesDir).catch(() => {});
  if (spec.chunk) await fs.rmdir(layout.dir).catch(() => {});
  return deleted.sort();
}
