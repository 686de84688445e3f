/**
 * Chunked renders (docs/ARCHITECTURE.md, scale-out): a job's output frames split into ranges that render anywhere (a queue worker, a farm
 * task, another process) into `<dir>/chunks/<start>-<end>/`, then merged into one sequence and one `reenact.json`.
 * Each chunk tracks and smooths the whole job (the track cache makes that cheap), so chunk borders are invisible and a
 * merged render is byte-identical to an unchunked one.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { ReenactError, throwIfAborted } from '../errors.js';
import { isCompletePngFile } from '../media/png-sequence.js';
import { probe } from '../media/probe.js';
import type { ProbeResult } from '../media/types.js';
import { asPlanned, type FramePlan, planFrames } from '../pipeline/frame-plan.js';
import { outputLayout, readManifest } from '../pipeline/output.js';
import { openOutputSink, removeChunkTrash } from '../pipeline/output-sink.js';
import { ownManifest } from '../pipeline/ownership.js';
import { parseJobSpec } from '../pipeline/parse.js';
import type { Chunk, JobSpec, JobSpecInput, Manifest, ManifestFrame } from '../pipeline/spec.js';
import { spanFromText } from '../pipeline/spec-text.js';
import { describeRuns } from '../pipeline/warnings.js';
import { parseRational } from '../util/rational.js';

/**
 * Splits output frames 0…total-1 into chunks of `size` frames. With `overlap` > 0 each chunk after the first also
 * starts `overlap` frames earlier (a warm-up some engines may want; reenact's own chunks need none because tracking
 * and smoothing always cover the whole job). Overlapping frames must come out identical; mergeChunks checks that.
 * @example splitIntoChunks(10, 4) → [{0,3},{4,7},{8,9}]
 */
export function splitIntoChunks(total: number, size: number, overlap = 0): Chunk[] {
  if (!Number.isInteger(total) || total < 0)
    throw new ReenactError('USAGE', `Expected a frame count ≥ 0 but received ${total}.`);
  if (!Number.isInteger(size) || size < 1)
    throw new ReenactError('USAGE', `Expected a chunk size of at least 1 frame but received ${size}.`);
  if (!Number.isInteger(overlap) || overlap < 0)
    throw new ReenactError('USAGE', `Expected a chunk overlap ≥ 0 frames but received ${overlap}.`);
  const chunks: Chunk[] = [];
  for (let start = 0; start < total; start += size) {
    chunks.push({ start: Math.max(0, start - overlap), end: Math.min(total, start + size) - 1 });
  }
  return chunks;
}

/** "a-b" → chunk (inclusive output frames). */
export function parseChunk(text: string): Chunk {
  const span = spanFromText(text);
  if (!span || span.end < span.start)
    throw new ReenactError('USAGE', `Expected --chunk as START-END output frames (e.g. 0-49) but received "${text}".`);
  return span;
}

export interface JobPlan {
  /** The spec as it renders (a range past the clip's end cut to the clip: what every chunk and the merge record). */
  spec: JobSpec;
  /** Output frames of the whole job. */
  total: number;
  /** What the plan changed, said once to whoever submits the job (a range cut to the clip). */
  warnings: string[];
}

/** Plans a job's output frames (probe + the render's own frame plan, no decoding). */
export async function planJob(
  input: JobSpecInput,
  options: { baseDir?: string; signal?: AbortSignal } = {},
): Promise<JobPlan & { frames: FramePlan; driving: ProbeResult }> {
  const given = parseJobSpec(input, options);
  const driving = await probe(given.driving, { signal: options.signal });
  const frames = planFrames(given, driving);
  const { spec, warnings } = asPlanned(given, frames, driving);
  return { spec, total: frames.total, warnings, frames, driving };
}

/** One spec per chunk: PNG frames, no preview (the merge writes the movie and the preview). */
export function chunkSpecs(spec: JobSpec, chunks: Chunk[]): JobSpec[] {
  return chunks.map((chunk) => ({ ...spec, chunk, output: { ...spec.output, format: 'png', preview: false } }));
}

export interface MergeOptions {
  /** Output of the merged job (default: the chunks' own format). */
  format?: 'png' | 'prores';
  /** Write preview.mp4 (default: false). */
  preview?: boolean;
  /** Keep `<dir>/chunks/` after a successful merge (default: removed). */
  keepChunks?: boolean;
  /** Chunk folders elsewhere (each with a chunk's reenact.json); default: every folder in `<dir>/chunks/`. */
  chunkDirs?: string[];
  /** Replace a different render already in `dir`. */
  force?: boolean;
  /** Merge only the chunks rendered with this job's settings (others are chunks of an earlier version of it). */
  ofJob?: JobSpec;
  signal?: AbortSignal;
}

async function chunkFolders(dir: string): Promise<string[]> {
  try {
    const names = await readdir(path.join(dir, 'chunks'));
    return names
      .filter((n) => /^\d{5,}-\d{5,}$/.test(n))
      .sort()
      .map((n) => path.join(dir, 'chunks', n));
  } catch {
    return [];
  }
}

/**
 * The finished merge in `root` when it is reenact's own, complete and what `options` ask for (format, preview, the
 * job's settings): what a merge run again after its chunks were removed returns. Leftovers of the removal go.
 */
async function mergedHere(root: string, options: MergeOptions): Promise<Manifest | undefined> {
  const found = await readManifest(path.join(root, 'reenact.json'));
  if (!found?.complete || found.spec.chunk) return undefined;
  const own = await ownManifest(outputLayout({ ...found.spec, output: { ...found.spec.output, dir: root } }));
  if (!own?.complete) return undefined;
  if (options.format && own.spec.output.format !== options.format) return undefined;
  if (options.preview && !own.preview) return undefined;
  if (options.ofJob && !chunkOfJob(own.spec, options.ofJob)) return undefined;
  await removeChunkTrash(root);
  return own;
}

/** The spec fields every chunk of one job shares (everything but the chunk and the chunk-forced output fields). */
function jobIdentity(m: Manifest): string {
  const { chunk: _chunk, output, ...rest } = m.spec;
  return JSON.stringify([rest, output.dir, m.inputs.source.sha256, m.inputs.driving.sha256]);
}

/**
 * True when a chunk was rendered for `job`: the same settings, whatever paths the chunk's render was given (a farm maps
 * the inputs and output onto each worker; the inputs' content hashes are compared between chunks instead).
 */
function chunkOfJob(chunkSpec: JobSpec, job: JobSpec): boolean {
  const settings = (s: JobSpec) => {
    const { chunk: _c, output: _o, source: _s, driving: _d, ...rest } = s;
    return rest;
  };
  return isDeepStrictEqual(settings(chunkSpec), settings(job));
}

async function loadChunks(
  dir: string,
  dirs: string[],
  ofJob?: JobSpec,
): Promise<{ dir: string; manifest: Manifest; chunk: Chunk }[]> {
  if (!dirs.length) {
    throw new ReenactError(
      'BAD_INPUT',
      `No chunks to merge in ${path.join(dir, 'chunks')}. Render the chunks first (reenact render … --chunk A-B).`,
    );
  }
  const chunks = [];
  for (const d of dirs) {
    const manifest = await readManifest(path.join(d, 'reenact.json'));
    if (!manifest?.spec?.chunk) {
      throw new ReenactError('BAD_INPUT', `Expected a chunk's reenact.json in ${d} but found none. Render that chunk.`);
    }
    // A chunk of an earlier version of the job (resubmitted with other settings) is left out, and goes with chunks/.
    if (ofJob && !chunkOfJob(manifest.spec, ofJob)) continue;
    if (!manifest.complete) {
      const c = manifest.spec.chunk;
      throw new ReenactError(
        'BAD_INPUT',
        `Chunk ${c.start}-${c.end} is not complete (${d}). Render it again (reenact render … --chunk ${c.start}-${c.end}) to resume it, then merge.`,
      );
    }
    chunks.push({ dir: d, manifest, chunk: manifest.spec.chunk });
  }
  if (!chunks.length)
    throw new ReenactError(
      'BAD_INPUT',
      `No chunks of this job in ${path.join(dir, 'chunks')}, only chunks rendered with other settings. Render the job's chunks first.`,
    );
  const identity = jobIdentity(chunks[0].manifest);
  for (const c of chunks.slice(1)) {
    if (jobIdentity(c.manifest) !== identity) {
      throw new ReenactError(
        'BAD_INPUT',
        `Chunk ${c.chunk.start}-${c.chunk.end} (${c.dir}) belongs to a different job than chunk ${chunks[0].chunk.start}-${chunks[0].chunk.end}. Remove stale chunk folders and render again.`,
      );
    }
  }
  return chunks.sort((a, b) => a.chunk.start - b.chunk.start);
}

/**
 * Joins the chunks of a job rendered into `<dir>/chunks/*` (or `chunkDirs`) into `<dir>/frames` (or one movie) and
 * `<dir>/reenact.json`, as an unchunked render would have written them.
 * @throws BAD_INPUT when a chunk is missing, incomplete, from another job, or overlapping chunks disagree.
 */
export async function mergeChunks(dir: string, options: MergeOptions = {}): Promise<Manifest> {
  const root = path.resolve(dir);
  const dirs = options.chunkDirs?.map((d) => path.resolve(d)) ?? (await chunkFolders(root));
  if (!dirs.length) {
    // Run again after a merge that had finished but died removing its chunks (a worker retries it): it is done.
    const merged = await mergedHere(root, options);
    if (merged) return merged;
  }
  const chunks = await loadChunks(root, dirs, options.ofJob);
  const base = chunks[0].manifest;
  const { chunk: _chunk, ...rest } = base.spec;
  const format = options.format ?? base.spec.output.format;
  const spec: JobSpec = {
    ...rest,
    output: {
      ...base.spec.output,
      dir: root,
      format,
      preview: Boolean(options.preview),
      force: Boolean(options.force),
    },
  };
  const { total, frames: plan, driving } = await planJob(spec, { signal: options.signal });
  // Each output frame from the first chunk holding it; overlapping chunks must agree on the frame's recipe.
  const byIndex = new Map<number, { frame: ManifestFrame; dir: string }>();
  for (const c of chunks) {
    for (const frame of c.manifest.frames) {
      const have = byIndex.get(frame.index);
      if (have && have.frame.key !== frame.key) {
        throw new ReenactError(
          'BAD_INPUT',
          `Chunks disagree on output frame ${frame.index} (${have.dir} and ${c.dir}). Render both chunks again with the same settings.`,
        );
      }
      if (!have) byIndex.set(frame.index, { frame, dir: c.dir });
    }
  }
  const missing: number[] = [];
  for (let i = 0; i < total; i++) if (!byIndex.has(i)) missing.push(i);
  if (missing.length || byIndex.size !== total) {
    throw new ReenactError(
      'BAD_INPUT',
      `Expected chunks covering output frames 0-${total - 1} but frames ${describeRuns(missing, 20)} are missing (${root}). Render the missing chunks, then merge.`,
      { details: { missing } },
    );
  }
  const sink = await openOutputSink(spec);
  const t0 = performance.now();
  const framesOf = (i: number) => {
    const entry = byIndex.get(i)!;
    return path.join(entry.dir, 'frames', path.basename(sink.layout.framePath(i)));
  };
  for (let i = 0; i < total; i++) {
    if (!(await isCompletePngFile(framesOf(i)))) {
      throw new ReenactError(
        'BAD_INPUT',
        `Frame ${i} is missing or incomplete in ${byIndex.get(i)!.dir}. Render that chunk again, then merge.`,
      );
    }
  }
  const frames = [...byIndex.values()].map((e) => e.frame).sort((a, b) => a.index - b.index);
  await sink.begin(
    { width: base.width, height: base.height, fps: parseRational(base.fps) },
    { start: 0, end: total - 1 },
  );
  try {
    // The partial manifest claims every frame number before the first is placed: a merge that dies mid-way leaves
    // frames that are reenact's, so the same merge run again resumes instead of refusing them as the user's.
    await sink.checkpoint();
    for (const frame of frames) {
      throwIfAborted(options.signal);
      await sink.place(frame, framesOf(frame.index));
      await sink.checkpointIfDue();
    }
    await sink.close();
  } catch (err) {
    await sink.abort();
    throw err;
  }
  const preview = spec.output.preview
    ? await sink.writePreview({
        portrait: spec.source,
        driving: spec.driving,
        range: plan.range,
        fps: parseRational(base.fps),
        height: Math.min(720, Math.max(base.height, driving.height)),
        signal: options.signal,
      })
    : undefined;
  const sum = (k: keyof Manifest['timings']) => chunks.reduce((s, c) => s + (c.manifest.timings?.[k] ?? 0), 0);
  const { preview: _preview, ...baseRest } = base;
  const manifest: Manifest = {
    ...baseRest,
    spec,
    format,
    output: format === 'png' ? 'frames/frame_%05d.png' : path.basename(sink.layout.movie),
    ...(preview ? { preview } : {}),
    firstFrame: 0,
    frameCount: total,
    frames,
    warnings: [...new Set(chunks.flatMap((c) => c.manifest.warnings ?? []))],
    timings: {
      totalSeconds: sum('totalSeconds') + (performance.now() - t0) / 1000,
      trackSeconds: sum('trackSeconds'),
      renderSeconds: sum('renderSeconds'),
      encodeSeconds: sum('encodeSeconds') + (performance.now() - t0) / 1000,
    },
    complete: true,
    createdAt: new Date().toISOString(),
  };
  await sink.finish(manifest);
  const ownChunks = chunks.every((c) => path.dirname(c.dir) === path.join(root, 'chunks'));
  if (!options.keepChunks && ownChunks) await sink.removeChunks();
  return manifest;
}
