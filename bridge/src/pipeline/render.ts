/**
 * renderJob: the one render pipeline behind the CLI, the bridge and the workers.
 *   probe → (track driving clip, cached) → engine.prepare(portrait) → per output frame: decode? → render → encode
 *   → reenact.json (+ side-by-side preview).
 * Re-running the same spec on the same folder resumes: frames already on disk whose key (inputs, face data, controls)
 * is unchanged are kept, so only missing or changed frames are rendered. Memory holds a few frames at any time.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { DrivingFrame, Engine, RenderedFrame } from '../engines/types.js';
import { asReenactError, ReenactError, throwIfAborted } from '../errors.js';
import type { FaceObservation } from '../face/types.js';
import { conformMap, decodeFrames, readImage, resolveRange } from '../media/decode.js';
import { encodePng, type FrameWriter, openMovie } from '../media/encode.js';
import { openPngSequence } from '../media/png-sequence.js';
import { probe } from '../media/probe.js';
import type { Image, ProbeResult } from '../media/types.js';
import { sha256File, writeFileAtomic } from '../util/fs.js';
import { formatRational, frameTime, parseRational } from '../util/rational.js';
import { VERSION } from '../version.js';
import { controlsFor } from './controls-curve.js';
import { createEngine } from './engines.js';
import type { JobEvent } from './events.js';
import { isCompletePng, type OutputLayout, outputLayout, prepareOutput } from './output.js';
import { parseJobSpec } from './parse.js';
import { downscale, writeSideBySide } from './preview.js';
import { ProgressMeter } from './progress.js';
import type { FrameStatus, JobSpec, JobSpecInput, Manifest, ManifestFrame } from './spec.js';
import { type DrivingTrack, trackForJob } from './tracking.js';

export interface RenderOptions {
  jobId?: string;
  signal?: AbortSignal;
  onEvent?: (event: JobEvent) => void;
  /** Emit a preview image every N rendered frames (0 = never). */
  previewEvery?: number;
  /** Relative paths in the spec resolve from here. */
  baseDir?: string;
  /** Fault injection for the reliability tests only: the engine throws on these output frames. */
  faults?: { engineThrowsOn?: number[] };
}

/** One output frame's recipe hash: same key ⇒ same bytes, so a resumed/updated render can keep the file. */
function frameKey(base: string, face: FaceObservation | null, controls: unknown, held?: string): string {
  const h = createHash('sha1').update(base).update(JSON.stringify(controls));
  if (face)
    h.update(Buffer.from(face.landmarks.buffer, face.landmarks.byteOffset, face.landmarks.byteLength)).update(
      JSON.stringify(face.pose),
    );
  else h.update('no-face');
  if (held) h.update(`held:${held}`);
  return h.digest('hex').slice(0, 16);
}

function neutralFrame(source: Image): Image {
  const out = new Uint8Array(source.width * source.height * 4);
  for (let i = 0, j = 0; j < out.length; i += source.channels, j += 4) {
    out[j] = source.data[i];
    out[j + 1] = source.data[i + 1];
    out[j + 2] = source.data[i + 2];
    out[j + 3] = 0;
  }
  return { data: out, width: source.width, height: source.height, channels: 4 };
}

function checkInputs(source: ProbeResult, driving: ProbeResult): void {
  if (driving.kind !== 'video') {
    throw new ReenactError(
      'BAD_INPUT',
      `Expected a video clip for the driving performance but received a still image (${driving.file}). Pick the performance footage.`,
    );
  }
  if (source.width < 32 || source.height < 32) {
    throw new ReenactError(
      'BAD_INPUT',
      `Expected a portrait of at least 32×32 pixels but received ${source.width}×${source.height} (${source.file}). Use a larger image.`,
    );
  }
  if (source.width * source.height > 100_000_000) {
    throw new ReenactError(
      'BAD_INPUT',
      `Expected a portrait under 100 megapixels but received ${source.width}×${source.height} (${source.file}). Scale it down first.`,
    );
  }
}

interface FrameSlot {
  index: number;
  sourceIndex: number;
  image?: Image;
}

/** The output frames this run renders: the chunk's, or the whole job's (one chunk covering every frame). */
function runFrames(spec: JobSpec, total: number): { start: number; end: number } {
  return spec.chunk ?? { start: 0, end: total - 1 };
}

const countOf = (frames: { start: number; end: number }) => frames.end - frames.start + 1;

/**
 * A run's output frames in order, with driving pixels only when the engine needs them (otherwise nothing is decoded):
 * decodes only the driving frames the run uses (at the clip's own rate) and repeats or skips them with the WHOLE job's
 * conform map, so a chunk's frames get the same driving pixels as in an unchunked render.
 */
async function* outputFrames(
  chunk: { start: number; end: number },
  info: ProbeResult,
  range: { start: number; end: number },
  map: number[],
  pixels: boolean,
  signal?: AbortSignal,
): AsyncGenerator<FrameSlot> {
  if (!pixels) {
    for (let index = chunk.start; index <= chunk.end; index++) yield { index, sourceIndex: range.start + map[index] };
    return;
  }
  const sub = { start: range.start + map[chunk.start], end: range.start + map[chunk.end] };
  let index = chunk.start;
  for await (const f of decodeFrames(info.file, { info, range: sub, signal, channels: 3 })) {
    while (index <= chunk.end && range.start + map[index] === f.sourceIndex) {
      const again = index < chunk.end && map[index + 1] === map[index];
      // A repeated driving frame gets its own copy, as decodeFrames does when it conforms.
      const image = again ? { ...f, data: Uint8Array.prototype.slice.call(f.data) } : f;
      yield { index, sourceIndex: f.sourceIndex, image };
      index++;
    }
    if (index > chunk.end) return;
  }
}

/** @throws BAD_INPUT when a chunk lies outside the job's output frames, or asks for a movie. */
function checkChunk(spec: JobSpec, total: number): void {
  const { chunk } = spec;
  if (!chunk) return;
  if (chunk.end >= total) {
    throw new ReenactError(
      'BAD_INPUT',
      `Expected a chunk within output frames 0-${total - 1} but received ${chunk.start}-${chunk.end} (${spec.driving}). Split the job with its own frame count.`,
    );
  }
  if (spec.output.format !== 'png') {
    throw new ReenactError(
      'BAD_INPUT',
      `Expected format png for a chunked render but received ${spec.output.format}. Chunks render PNG frames; mergeChunks encodes the movie.`,
    );
  }
}

async function decodeOne(info: ProbeResult, sourceIndex: number, signal?: AbortSignal): Promise<Image> {
  for await (const f of decodeFrames(info.file, { info, range: { start: sourceIndex, end: sourceIndex }, signal }))
    return f;
  throw new ReenactError('BAD_INPUT', `Could not decode frame ${sourceIndex} of ${info.file}.`);
}

/**
 * Renders a job to its output folder and returns the manifest.
 * @throws ReenactError (BAD_INPUT, OUTPUT_EXISTS, CANCELLED, …); a failed job emits `failed` before throwing.
 */
export async function renderJob(input: JobSpecInput, options: RenderOptions = {}): Promise<Manifest> {
  const jobId = options.jobId ?? randomUUID().slice(0, 8);
  const emit = options.onEvent ?? (() => {});
  const { signal } = options;
  try {
    const manifest = await runRender(input, jobId, emit, options);
    emit({ type: 'done', jobId, manifestPath: outputLayout(manifest.spec).manifest, manifest });
    return manifest;
  } catch (err) {
    const e = asReenactError(err);
    if (e.code === 'CANCELLED' || signal?.aborted) {
      emit({ type: 'cancelled', jobId });
      throw new ReenactError('CANCELLED', 'Cancelled.', { cause: err });
    }
    emit({ type: 'failed', jobId, error: { code: e.code, message: e.message } });
    throw e;
  }
}

async function runRender(
  input: JobSpecInput,
  jobId: string,
  emit: (e: JobEvent) => void,
  options: RenderOptions,
): Promise<Manifest> {
  const t0 = performance.now();
  const { signal } = options;
  const spec = parseJobSpec(input, { baseDir: options.baseDir });
  const [sourceInfo, drivingInfo] = await Promise.all([
    probe(spec.source, { signal }),
    probe(spec.driving, { signal }),
  ]);
  checkInputs(sourceInfo, drivingInfo);
  const outFps = spec.fps ? parseRational(spec.fps, 'output frame rate (fps)') : drivingInfo.fps;
  const range = resolveRange(drivingInfo, spec.range);
  const map = conformMap(range.end - range.start + 1, drivingInfo.fps, outFps);
  checkChunk(spec, map.length);
  const frameTotal = countOf(runFrames(spec, map.length));
  const layout = outputLayout(spec);
  const previous = await prepareOutput(spec, layout);
  const [sourceHash, drivingHash] = await Promise.all([sha256File(spec.source), sha256File(spec.driving)]);
  const engine = await createEngine(spec.engine);
  const warnings: string[] = [];
  const warn = (message: string, frames?: [number, number]) => {
    warnings.push(message);
    emit({ type: 'warning', jobId, message, ...(frames ? { frames } : {}) });
  };
  let track: DrivingTrack | null = null;
  try {
    throwIfAborted(signal);
    const source = await readImage(spec.source, { channels: 3, signal });
    const tTrack = performance.now();
    track = await trackForJob(spec, engine, {
      source,
      driving: drivingInfo,
      drivingHash,
      range,
      jobId,
      emit,
      warn,
      signal,
    });
    const trackSeconds = (performance.now() - tTrack) / 1000;
    emit({ type: 'started', jobId, totalFrames: frameTotal, engine: engine.info.name, device: engine.info.device });
    await engine.prepare(source, track?.sourceFace as FaceObservation);
    const referenceIndex = track
      ? track.referenceIndex
      : typeof spec.referenceFrame === 'number'
        ? spec.referenceFrame
        : range.start;
    await engine.setReference({
      index: referenceIndex,
      time: frameTime(referenceIndex, drivingInfo.fps),
      image: engine.info.needsDrivingPixels ? await decodeOne(drivingInfo, referenceIndex, signal) : undefined,
      face: track?.faceAt(referenceIndex) ?? null,
      controls: spec.controls,
    });
    const result = await renderFrames({
      spec,
      engine,
      source,
      track,
      drivingInfo,
      range,
      map,
      outFps,
      layout,
      previous,
      jobId,
      emit,
      warn,
      options,
      keyBase: `${VERSION}|${sourceHash}|${drivingHash}|${JSON.stringify(spec.engine)}|${spec.onFrameFailure}|${spec.smoothing}`,
    });
    const tPreview = performance.now();
    let preview: string | undefined;
    if (spec.output.preview && !spec.chunk) {
      emit({ type: 'progress', jobId, stage: 'preview', done: 0, total: 1, fps: 0, eta: null });
      await writeSideBySide({
        portrait: spec.source,
        driving: spec.driving,
        range,
        result: spec.output.format === 'png' ? layout.pattern : layout.movie,
        resultIsSequence: spec.output.format === 'png',
        fps: outFps,
        height: Math.min(720, Math.max(sourceInfo.height, drivingInfo.height)),
        file: layout.preview,
        signal,
      });
      preview = 'preview.mp4';
    }
    const manifest = buildManifest({
      spec,
      sourceInfo,
      drivingInfo,
      sourceHash,
      drivingHash,
      engine,
      outFps,
      range,
      map,
      layout,
      warnings,
      preview,
      referenceIndex,
      frames: result.frames,
      complete: true,
      stats: result.stats,
      timings: {
        totalSeconds: (performance.now() - t0) / 1000,
        trackSeconds,
        renderSeconds: result.renderSeconds,
        encodeSeconds: result.encodeSeconds + (performance.now() - tPreview) / 1000,
      },
    });
    await writeFileAtomic(layout.manifest, `${JSON.stringify(manifest, null, 2)}\n`);
    return manifest;
  } finally {
    track?.close();
    await engine.dispose();
  }
}

interface ManifestInputs {
  spec: JobSpec;
  sourceInfo: ProbeResult;
  drivingInfo: ProbeResult;
  sourceHash: string;
  drivingHash: string;
  engine: Engine;
  outFps: { num: number; den: number };
  range: { start: number; end: number };
  map: number[];
  layout: OutputLayout;
  warnings: string[];
  preview?: string;
  referenceIndex: number;
  frames: ManifestFrameWithKey[];
  complete: boolean;
  stats: NonNullable<Manifest['stats']>;
  timings: Manifest['timings'];
}

type ManifestFrameWithKey = ManifestFrame & { key: string };

function buildManifest(m: ManifestInputs): Manifest {
  return {
    tool: { name: 'reenact', version: VERSION },
    spec: m.spec,
    inputs: {
      source: { path: m.spec.source, sha256: m.sourceHash, width: m.sourceInfo.width, height: m.sourceInfo.height },
      driving: {
        path: m.spec.driving,
        sha256: m.drivingHash,
        fps: formatRational(m.drivingInfo.fps),
        frameCount: m.drivingInfo.frameCount,
      },
    },
    engine: {
      name: m.engine.info.name,
      version: m.engine.info.version,
      device: m.engine.info.device,
      models: m.engine.info.models.map((x) => ({ id: x.id, sha256: x.sha256, licence: x.licence })),
    },
    fps: formatRational(m.outFps),
    width: m.sourceInfo.width,
    height: m.sourceInfo.height,
    format: m.spec.output.format,
    output: m.spec.output.format === 'png' ? 'frames/frame_%05d.png' : m.layout.movie.split(/[\\/]/).pop()!,
    ...(m.preview ? { preview: m.preview } : {}),
    // A chunk's manifest lists only its frames.
    firstFrame: m.spec.chunk?.start ?? 0,
    frameCount: countOf(runFrames(m.spec, m.map.length)),
    frames: m.frames,
    referenceFrame: m.referenceIndex,
    warnings: m.warnings,
    timings: m.timings,
    complete: m.complete,
    stats: m.stats,
    createdAt: new Date().toISOString(),
  };
}

interface FramesContext {
  spec: JobSpec;
  engine: Engine;
  source: Image;
  track: DrivingTrack | null;
  drivingInfo: ProbeResult;
  range: { start: number; end: number };
  map: number[];
  outFps: { num: number; den: number };
  layout: OutputLayout;
  previous?: Manifest;
  jobId: string;
  emit: (e: JobEvent) => void;
  warn: (message: string, frames?: [number, number]) => void;
  options: RenderOptions;
  keyBase: string;
}

/** The per-frame loop: render missing/changed frames, keep valid ones, encode in contiguous runs. */
async function renderFrames(c: FramesContext): Promise<{
  frames: ManifestFrameWithKey[];
  renderSeconds: number;
  encodeSeconds: number;
  stats: NonNullable<Manifest['stats']>;
}> {
  const { spec, engine, layout, jobId, emit, options } = c;
  const signal = options.signal;
  const png = spec.output.format === 'png';
  const oldKeys = new Map<number, string>();
  for (const f of (c.previous?.frames ?? []) as ManifestFrameWithKey[]) if (f.key) oldKeys.set(f.index, f.key);
  const frames: ManifestFrameWithKey[] = [];
  const meter = new ProgressMeter(jobId, 'render', expectedFrames(c), emit);
  const neutral = neutralFrame(c.source);
  let writer: FrameWriter | undefined;
  let nextIndex = -1;
  let lastGood: LastGood | undefined = spec.chunk ? lastGoodBefore(c, spec.chunk.start) : undefined;
  let renderSeconds = 0;
  let encodeSeconds = 0;
  let rendered = 0;
  let lastFlush = performance.now();
  const noFace: number[] = [];
  const frameWarnings = new WarningGroups();
  const openWriter = async (startNumber: number) => {
    const format = { width: c.source.width, height: c.source.height, channels: 4 as const };
    // Every frame is the neutral portrait outside the face: the PNG writer encodes only what differs from it.
    return png
      ? openPngSequence({ ...format, pattern: layout.pattern, startNumber, background: neutral.data })
      : openMovie({ ...format, fps: c.outFps, file: layout.movie, codec: 'prores', force: true });
  };
  const flushManifest = async () => {
    // A partial manifest lets the bridge show progress after a crash and lets a resume trust frame keys.
    const partial = {
      tool: { name: 'reenact', version: VERSION },
      spec,
      frames,
      complete: false,
      createdAt: new Date().toISOString(),
    };
    await writeFileAtomic(layout.manifest, JSON.stringify(partial));
  };
  try {
    if (!png) writer = await openWriter(0);
    else await flushManifest(); // marks the folder as this render's, so a crash before the first flush still resumes
    for await (const slot of outputFrames(
      runFrames(spec, c.map.length),
      c.drivingInfo,
      c.range,
      c.map,
      engine.info.needsDrivingPixels,
      signal,
    )) {
      throwIfAborted(signal);
      const face = c.track ? c.track.faceAt(slot.sourceIndex) : null;
      const controls = controlsFor(spec, slot.index);
      let status: FrameStatus = 'rendered';
      let key = frameKey(c.keyBase, face, controls);
      const wantsFace = engine.info.needsFaces !== false;
      if (wantsFace && !face) {
        noFace.push(slot.index);
        if (spec.onFrameFailure === 'fail') {
          throw new ReenactError(
            'BAD_INPUT',
            `No face in driving frame ${slot.sourceIndex} (${spec.driving}). Use --on-frame-failure hold to hold the last good frame instead.`,
          );
        }
        status = spec.onFrameFailure === 'hold' && lastGood ? 'held' : 'no-face';
        if (status === 'held' && lastGood) key = frameKey(c.keyBase, null, null, lastGood.key);
      }
      // Resume / update in place: keep a frame whose recipe is unchanged and whose file is complete.
      if (png && oldKeys.get(slot.index) === key && (await isCompletePng(layout.framePath(slot.index)))) {
        frames.push({ index: slot.index, sourceIndex: slot.sourceIndex, status, key });
        if (status === 'rendered') lastGood = { key, index: slot.index };
        meter.tick();
        continue;
      }
      let image: Image;
      if (status === 'held' && lastGood) image = await materialise(lastGood, layout);
      else if (status === 'no-face') image = neutral;
      else {
        const t = performance.now();
        const frame: DrivingFrame = {
          index: slot.index,
          time: frameTime(slot.index, c.outFps),
          image: slot.image,
          face,
          controls,
        };
        let out: RenderedFrame | undefined;
        try {
          if (options.faults?.engineThrowsOn?.includes(slot.index))
            throw new Error(`injected fault on frame ${slot.index}`);
          out = await engine.render(frame);
        } catch (err) {
          if (spec.onFrameFailure === 'fail')
            throw new ReenactError(
              'ENGINE_FAILED',
              `The ${engine.info.name} engine failed on frame ${slot.index}: ${(err as Error).message}`,
              { cause: err },
            );
          c.warn(
            `The engine failed on frame ${slot.index} (${(err as Error).message}); it ${spec.onFrameFailure === 'hold' && lastGood ? 'holds the previous frame' : 'shows the neutral portrait'}.`,
            [slot.index, slot.index],
          );
        }
        renderSeconds += (performance.now() - t) / 1000;
        if (out) {
          image = out.image;
          for (const w of out.warnings ?? []) frameWarnings.add(w, slot.index);
          lastGood = { image, key, index: slot.index };
        } else if (spec.onFrameFailure === 'hold' && lastGood) {
          image = await materialise(lastGood, layout);
          status = 'held';
          key = frameKey(c.keyBase, null, null, `${lastGood.key}:failed`);
        } else {
          image = neutral;
          status = 'failed';
          key = `${key}:failed`; // never matches a later run's key, so a resume retries the frame
        }
      }
      const te = performance.now();
      if (png && (!writer || nextIndex !== slot.index)) {
        await writer?.close();
        writer = await openWriter(slot.index);
      }
      await writer!.write(image);
      nextIndex = slot.index + 1;
      encodeSeconds += (performance.now() - te) / 1000;
      frames.push({ index: slot.index, sourceIndex: slot.sourceIndex, status, key });
      rendered++;
      if (options.previewEvery && rendered % options.previewEvery === 0) {
        const small = downscale(image, 256);
        emit({
          type: 'preview',
          jobId,
          index: slot.index,
          mime: 'image/png',
          width: small.width,
          height: small.height,
          data: encodePng(small).toString('base64'),
        });
      }
      meter.tick();
      if (png && performance.now() - lastFlush > 2000) {
        lastFlush = performance.now();
        await flushManifest();
      }
    }
    const te = performance.now();
    await writer?.close();
    writer = undefined;
    encodeSeconds += (performance.now() - te) / 1000;
    if (frames.length < expectedFrames(c)) throw missingFrames(c, frames);
  } catch (err) {
    // Frames already handed to ffmpeg finish (each PNG is atomic); a movie is dropped, never left half-written.
    if (writer) await (png ? writer.close().catch(() => writer?.abort()) : writer.abort());
    if (png) await flushManifest().catch(() => {});
    throw err;
  }
  for (const { example, frames: at } of frameWarnings.groups()) {
    c.warn(`Frames ${describeRuns(at)}: ${example}`, [at[0], at[at.length - 1]]);
  }
  if (noFace.length)
    c.warn(
      `No face in ${noFace.length} frame(s) (${describeRuns(noFace)}): they ${spec.onFrameFailure === 'hold' ? 'hold the last good frame' : 'show the neutral portrait'}.`,
    );
  return { frames, renderSeconds, encodeSeconds, stats: { rendered, kept: frames.length - rendered } };
}

/** Output frames this run must produce: the chunk's, or the whole job's. */
function expectedFrames(c: FramesContext): number {
  return countOf(runFrames(c.spec, c.map.length));
}

/** The decoder gave fewer frames than the clip promised (corrupt or cut short): never report such a render complete. */
function missingFrames(c: FramesContext, frames: ManifestFrameWithKey[]): ReenactError {
  const last = frames.at(-1)?.sourceIndex;
  return new ReenactError(
    'BAD_INPUT',
    `Expected ${expectedFrames(c)} frames from ${c.spec.driving} but only ${frames.length} could be decoded: the clip may be corrupt or cut short. Re-export it${last === undefined ? '' : `, or render only clip frames ${c.range.start}-${last} (--range)`}.`,
    { details: { file: c.spec.driving, expected: expectedFrames(c), decoded: frames.length } },
  );
}

interface LastGood {
  /** Absent when the frame was kept on disk by a resume (read back on demand). */
  image?: Image;
  key: string;
  index: number;
  /** A frame before the chunk (not in this folder): rendered on demand. */
  load?: () => Promise<Image>;
}

/** A held frame's pixels: in memory, rendered on demand, or read back from disk when it was kept by a resume. */
async function materialise(lastGood: LastGood, layout: OutputLayout): Promise<Image> {
  if (!lastGood.image)
    lastGood.image = lastGood.load
      ? await lastGood.load()
      : await readImage(layout.framePath(lastGood.index), { channels: 4 });
  return lastGood.image;
}

/**
 * The frame an unchunked render would hold at the start of a chunk: the last output frame before it with a face.
 * Its pixels are rendered only if a held frame needs them. (An engine failure on that frame is not foreseen.)
 */
function lastGoodBefore(c: FramesContext, start: number): LastGood | undefined {
  const { spec, track, engine } = c;
  if (!track || engine.info.needsFaces === false || spec.onFrameFailure !== 'hold') return undefined;
  for (let index = start - 1; index >= 0; index--) {
    const sourceIndex = c.range.start + c.map[index];
    const face = track.faceAt(sourceIndex);
    if (!face) continue;
    const controls = controlsFor(spec, index);
    return {
      key: frameKey(c.keyBase, face, controls),
      index,
      load: async () => {
        const image = engine.info.needsDrivingPixels
          ? await decodeOne(c.drivingInfo, sourceIndex, c.options.signal)
          : undefined;
        const out = await engine.render({ index, time: frameTime(index, c.outFps), image, face, controls });
        return out.image;
      },
    };
  }
  return undefined;
}

/**
 * Per-frame engine warnings grouped by kind (the text with its numbers masked), so a clip reports
 * "Frames 98–140: head shift … clamped" once instead of once per frame.
 */
export class WarningGroups {
  private readonly byKind = new Map<string, { example: string; frames: number[] }>();

  add(message: string, frame: number): void {
    const kind = message.replace(/-?\d+(\.\d+)?/g, '#');
    const group = this.byKind.get(kind) ?? { example: message, frames: [] };
    group.frames.push(frame);
    this.byKind.set(kind, group);
  }

  groups(): { example: string; frames: number[] }[] {
    return [...this.byKind.values()];
  }
}

/** "40–52, 60" from sorted frame numbers. */
export function describeRuns(indices: number[]): string {
  const runs: string[] = [];
  for (let i = 0; i < indices.length; ) {
    let j = i;
    while (j + 1 < indices.length && indices[j + 1] === indices[j] + 1) j++;
    runs.push(i === j ? `${indices[i]}` : `${indices[i]}–${indices[j]}`);
    i = j + 1;
  }
  return runs.join(', ');
}
