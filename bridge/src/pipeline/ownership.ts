/**
 * What in an output folder reenact wrote, so that nothing else is ever overwritten or deleted there. A file is
 * reenact's only when reenact's own manifest for this folder names it: the frames it lists (or the frame numbers its
 * run claimed, which covers frames written after the last manifest flush before a crash), its movie, its preview, the
 * manifest itself — plus reenact's own temp names. A reenact.json written for another folder (copied, hand-made) is
 * not ours; a symlink under any of these names is not ours; files with other names are never looked at.
 */
import { lstat, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { realpathLoose } from '../util/fs.js';
import { type OutputLayout, outputLayout } from './layout.js';
import { JobSpecSchema, type Manifest } from './spec.js';

/** Names in frames/ that look like output frames (any digit count): writing beside one would mix two sequences. */
export const FRAME_LOOKALIKE = /^frame_\d+\.png$/i;
/** Exactly the name reenact gives output frame N. */
const FRAME_NAME = /^frame_(\d{5})\.png$/;

/**
 * reenact's temp names (util/fs.ts tempSibling: ".<name>.<8 hex>.partial", movies with their extension again), and the
 * ".tmp" that ffmpeg's atomic writing left beside frames in older versions. `names` are the final names it may be for.
 */
export function isOwnTemp(entry: string, names: (name: string) => boolean): boolean {
  const current = /^\.(.+)\.[0-9a-f]{8}\.partial(?:\.(?:mov|mp4))?$/.exec(entry);
  if (current) return names(current[1]);
  const legacy = /^(frame_\d{5}\.png)\.tmp$/.exec(entry);
  return legacy !== null && names(legacy[1]);
}

/**
 * Reads an earlier reenact.json. Anything that is not one of ours — not JSON, not an object, a spec that does not
 * validate, frames that are not a list of numbered entries (hand-edited or foreign) — gives undefined, so a resume
 * never trusts it.
 */
export async function readManifest(file: string): Promise<Manifest | undefined> {
  let data: unknown;
  try {
    data = JSON.parse(await readFile(file, 'utf8'));
  } catch {
    return undefined;
  }
  return isManifest(data) ? data : undefined;
}

function isManifest(x: unknown): x is Manifest {
  if (typeof x !== 'object' || x === null) return false;
  const m = x as { spec?: unknown; frames?: unknown };
  if (!JobSpecSchema.safeParse(m.spec).success || !Array.isArray(m.frames)) return false;
  return m.frames.every((f: unknown) => {
    const frame = f as { index?: unknown; key?: unknown } | null;
    return (
      typeof frame === 'object' &&
      frame !== null &&
      Number.isInteger(frame.index) &&
      (frame.key === undefined || typeof frame.key === 'string')
    );
  });
}

/** True when `file` exists as a regular file (not a symlink, not a folder). */
export async function isRegularFile(file: string): Promise<boolean> {
  return (await lstat(file).catch(() => undefined))?.isFile() === true;
}

/** True when something (a file, folder or symlink, even a dangling one) is at `file`. */
export async function occupied(file: string): Promise<boolean> {
  return (await lstat(file).catch(() => undefined)) !== undefined;
}

/**
 * The manifest reenact wrote for this folder: a regular reenact.json that parses as ours and whose spec puts its
 * output here (same real folder, same chunk). undefined for none, a foreign one, or one copied from elsewhere.
 */
export async function ownManifest(layout: OutputLayout): Promise<Manifest | undefined> {
  if (!(await isRegularFile(layout.manifest))) return undefined;
  const manifest = await readManifest(layout.manifest);
  if (!manifest) return undefined;
  const [here, there] = await Promise.all([realpathLoose(layout.dir), realpathLoose(outputLayout(manifest.spec).dir)]);
  return here === there ? manifest : undefined;
}

/** The frame numbers `manifest`'s run claimed ([firstFrame, firstFrame + frameCount)), when it says. */
function claimed(manifest: Manifest): ((index: number) => boolean) | undefined {
  const { firstFrame, frameCount } = manifest as Partial<Pick<Manifest, 'firstFrame' | 'frameCount'>>;
  if (!Number.isInteger(firstFrame) || !Number.isInteger(frameCount)) return undefined;
  return (i) => i >= firstFrame! && i < firstFrame! + frameCount!;
}

/** The names in frames/ and beside the manifest that `manifest` makes reenact's. */
export function ownedNames(
  layout: OutputLayout,
  manifest: Manifest | undefined,
): {
  frame: (name: string) => boolean;
  top: (name: string) => boolean;
} {
  if (!manifest) return { frame: () => false, top: () => false };
  const listed = new Set(manifest.frames.map((f) => path.basename(layout.framePath(f.index))));
  const inRun = claimed(manifest);
  const top = new Set([path.basename(layout.manifest)]);
  if (manifest.output === path.basename(layout.movie)) top.add(manifest.output);
  if (manifest.preview === path.basename(layout.preview)) top.add(manifest.preview);
  return {
    frame: (name) => {
      if (listed.has(name)) return true;
      const m = FRAME_NAME.exec(name);
      return m !== null && inRun?.(Number(m[1])) === true;
    },
    top: (name) => top.has(name),
  };
}

/** Every entry of frames/: none when it does not exist, or is not a real folder (a symlink is never read through). */
export async function frameEntries(layout: OutputLayout): Promise<string[]> {
  if (!(await lstat(layout.framesDir).catch(() => undefined))?.isDirectory()) return [];
  return readdir(layout.framesDir).catch(() => []);
}
