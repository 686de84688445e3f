/**
 * renderJob: the one render pipeline behind the CLI, the bridge and the workers.
 *   probe → plan the frames → (track driving clip, cached) → engine.prepare(portrait) → per output frame: decide
 *   (frame-decision.ts) → keep, or make its pixels (frame-images.ts) → write (output-sink.ts) → reenact.json
 *   (+ side-by-side preview).
 * Re-running the same spec on the same folder resumes: frames already on disk whose key (inputs, face data, controls)
 * is unchanged are kept, so only missing or changed frames are rendered. Memory holds a few frames at any time.
 */
import { randomUUID } from 'node:crypto';
import { createEngine, resolvedEngineOptions } from '../engines/registry.js';
import type { Engine } from '../engines/types.js';
import { asReenactError, ReenactError, throwIfAborted } from '../errors.js';
import type { FaceObservation } from '../face/types.js';
import { readImage } from '../media/decode.js';
import { encodePng } from '../media/encode.js';
import { probe } from '../media/probe.js';
import type { Image, ProbeResult } from '../media/types.js';
import { sha256File } from '../util/fs.js';
import { formatRational, frameTime } from '../util/rational.js';
import { VERSION } from '../version.js';
import { controlsFor } from './controls-curve.js';
import type { JobEvent } from './events.js';
import { decideFrame, jobKeyBase } from './frame-decision.js';
import { decodeOne, drivingFrames, FrameImages, lastGoodBefore } from './frame-images.js';
import { asPlanned, checkDrivingClip, countOf, type FramePlan, planFrames } from './frame-plan.js';
import { outputLayout } from './output.js';
import { type OutputSink, openOutputSink } from './output-sink.js';
import { parseJobSpec } from './parse.js';
import { conformMode, faceAtOutput } from './performance.js';
import { downscale } from './preview.js';
import { ProgressMeter } from './progress.js';
import type { JobSpec, JobSpecInput, Manifest, ManifestFrame } from './spec.js';
import { type DrivingTrack, trackForJob } from './tracking.js';
import { describeFrames, WarningGroups } from './warnings.js';

export interface RenderOptions {
  jobId?: string;
  signal?: AbortSignal;
  onEvent?: (event: JobEvent) => void;
  /** Emit a preview image every N rendered frames (0 = never). */
  previewEvery?: number;
  /** Relative paths in the spec resolve from here. */
  baseDir?: string;
}

function checkInputs(source: ProbeResult, driving: ProbeResult): void {
  checkDrivingClip(driving);
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
  const given = parseJobSpec(input, { baseDir: options.baseDir });
  const [sourceInfo, drivingInfo] = await Promise.all([
    probe(given.source, { signal }),
    probe(given.driving, { signal }),
  ]);
  checkInputs(sourceInfo, drivingInfo);
  const plan = planFrames(given, drivingInfo);
  // A range past the clip's end renders what the clip has, and the manifest records that (with a warning).
  const planned = asPlanned(given, plan, drivingInfo);
  const spec: JobSpec = planned.spec;
  const sink = await openOutputSink(spec);
  const [sourceHash, drivingHash] = await Promise.all([sha256File(spec.source), sha256File(spec.driving)]);
  const engine = await createEngine(spec.engine);
  const warnings: string[] = [];
  const warn = (message: string, frames?: [number, number]) => {
    warnings.push(message);
    emit({ type: 'warning', jobId, message, ...(frames ? { frames } : {}) });
  };
  for (const w of planned.warnings) warn(w);
  let track: DrivingTrack | null = null;
  try {
    throwIfAborted(signal);
    const source = await readImage(spec.source, { channels: 3, signal });
    const tTrack = performance.now();
    track = await trackForJob(spec, engine, {
      source,
      driving: drivingInfo,
      drivingHash,
      range: plan.range,
      jobId,
      emit,
      warn,
      signal,
    });
    const trackSeconds = (performance.now() - tTrack) / 1000;
    const startedDevice = engine.info.device;
    emit({
      type: 'started',
      jobId,
      totalFrames: countOf(plan.run),
      engine: engine.info.name,
      device: startedDevice,
    });
    await engine.prepare(source, track?.sourceFace as FaceObservation);
    const referenceIndex = track
      ? track.referenceIndex
      : typeof spec.referenceFrame === 'number'
        ? spec.referenceFrame
        : plan.range.start;
    await engine.setReference({
      index: referenceIndex,
      time: frameTime(referenceIndex, drivingInfo.fps),
      image: engine.info.needsDrivingPixels ? await decodeOne(drivingInfo, referenceIndex, signal) : undefined,
      face: track?.faceAt(referenceIndex) ?? null,
      controls: spec.controls,
    });
    const conform = conformMode(spec, engine.info.needsDrivingPixels);
    // (An engine that renders without faces has no performance to resample: nothing to say.)
    if (conform !== spec.conform && engine.info.needsFaces !== false && plan.total !== countOf(plan.range))
      warn(
        `The ${engine.info.name} engine reads the driving pixels, so the clip is conformed to ${formatRational(plan.fps)} fps by nearest frame (frames repeat or are skipped), not by motion.`,
      );
    const result = await renderFrames({
      spec,
      conform,
      engine,
      source,
      track,
      drivingInfo,
      plan,
      sink,
      jobId,
      emit,
      warn,
      options,
      startedDevice,
      keyBase: jobKeyBase({
        tool: VERSION,
        sourceHash,
        drivingHash,
        engine: engine.info,
        device: spec.engine.device,
        options: resolvedEngineOptions(spec.engine),
        onFrameFailure: spec.onFrameFailure,
        smoothing: spec.smoothing,
      }),
    });
    const tPreview = performance.now();
    let preview: string | undefined;
    if (spec.output.preview && !spec.chunk) {
      emit({ type: 'progress', jobId, stage: 'preview', done: 0, total: 1, fps: 0, eta: null });
      preview = await sink.writePreview({
        portrait: spec.source,
        driving: spec.driving,
        range: plan.range,
        fps: plan.fps,
        height: Math.min(720, Math.max(sourceInfo.height, drivingInfo.height)),
        signal,
      });
    }
    const manifest = buildManifest({
      spec,
      sourceInfo,
      drivingInfo,
      sourceHash,
      drivingHash,
      engine,
      plan,
      movie: sink.layout.movie,
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
    await sink.finish(manifest);
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
  plan: FramePlan;
  /** The movie's path (format prores). */
  movie: string;
  warnings: string[];
  preview?: string;
  referenceIndex: number;
  frames: ManifestFrame[];
  complete: boolean;
  stats: NonNullable<Manifest['stats']>;
  timings: Manifest['timings'];
}

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
      ...(m.engine.info.deviceChanges?.length ? { deviceChanges: m.engine.info.deviceChanges } : {}),
      models: m.engine.info.models.map((x) => ({ id: x.id, sha256: x.sha256, licence: x.licence })),
    },
    fps: formatRational(m.plan.fps),
    width: m.sourceInfo.width,
    height: m.sourceInfo.height,
    format: m.spec.output.format,
    output: m.spec.output.format === 'png' ? 'frames/frame_%05d.png' : m.movie.split(/[\\/]/).pop()!,
    ...(m.preview ? { preview: m.preview } : {}),
    // A chunk's manifest lists only its frames.
    firstFrame: m.plan.run.start,
    frameCount: countOf(m.plan.run),
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
  /** How this run conforms (performance.ts). */
  conform: JobSpec['conform'];
  engine: Engine;
  source: Image;
  track: DrivingTrack | null;
  drivingInfo: ProbeResult;
  plan: FramePlan;
  sink: OutputSink;
  jobId: string;
  emit: (e: JobEvent) => void;
  warn: (message: string, frames?: [number, number]) => void;
  options: RenderOptions;
  /** The device the 'started' event announced: a frame that finds another one running reports why at once. */
  startedDevice: string;
  keyBase: string;
}

/** The per-frame loop: decide each frame, keep it or make its pixels, hand them to the sink; then the warnings. */
async function renderFrames(c: FramesContext): Promise<{
  frames: ManifestFrame[];
  renderSeconds: number;
  encodeSeconds: number;
  stats: NonNullable<Manifest['stats']>;
}> {
  const { spec, engine, plan, sink, jobId, emit, options } = c;
  const signal = options.signal;
  const meter = new ProgressMeter(jobId, 'render', countOf(plan.run), emit);
  const images = new FrameImages(
    {
      spec,
      engine,
      source: c.source,
      keyBase: c.keyBase,
      readKept: (index) => sink.read(index),
      warn: c.warn,
    },
    lastGoodBefore({
      ...c,
      signal,
      faceAt: (index) => (c.track ? faceAtOutput(c.track, plan, index, c.conform) : null),
    }),
  );
  let rendered = 0;
  let device = c.startedDevice;
  const noFace: number[] = [];
  const frameWarnings = new WarningGroups();
  try {
    await sink.begin(
      { width: c.source.width, height: c.source.height, fps: plan.fps, background: images.neutral.data },
      plan.run,
    );
    await sink.checkpoint(); // the folder is this render's from now on: a crash before the first frame still resumes
    for await (const slot of drivingFrames(plan, c.drivingInfo, engine.info.needsDrivingPixels, signal)) {
      throwIfAborted(signal);
      const { index, sourceIndex } = slot;
      const face = c.track ? faceAtOutput(c.track, plan, index, c.conform) : null;
      const controls = controlsFor(spec, index);
      const decision = decideFrame({
        keyBase: c.keyBase,
        sourceIndex,
        face,
        controls,
        needsFaces: engine.info.needsFaces !== false,
        policy: spec.onFrameFailure,
        lastGoodKey: images.lastGoodKey,
        driving: spec.driving,
      });
      if (decision.noFace) noFace.push(index);
      // Resume / update in place: keep a frame whose recipe is unchanged and whose file is complete.
      if (await sink.has(index, decision.key)) {
        for (const w of sink.keep({ index, sourceIndex, status: decision.status, key: decision.key }))
          frameWarnings.add(w, index);
        if (decision.status === 'rendered') images.kept(decision.key, index);
        meter.keep();
        continue;
      }
      const time = frameTime(index, plan.fps);
      const frame = await images.produce({ index, time, image: slot.image, face, controls }, decision);
      // A move to another device (a GPU that failed) slows the rest of the job: say so now, not in the summary.
      if (engine.info.device !== device) for (const w of frame.warnings) c.warn(w, [index, index]);
      else for (const w of frame.warnings) frameWarnings.add(w, index);
      device = engine.info.device;
      await sink.write(
        {
          index,
          sourceIndex,
          status: frame.status,
          key: frame.key,
          ...(frame.warnings.length ? { warnings: frame.warnings } : {}),
        },
        frame.image,
        frame.changed,
      );
      rendered++;
      if (options.previewEvery && rendered % options.previewEvery === 0) emit(previewEvent(jobId, index, frame.image));
      meter.tick();
      await sink.checkpointIfDue();
    }
    await sink.close();
    if (sink.frames.length < countOf(plan.run)) throw missingFrames(c, sink.frames);
  } catch (err) {
    // Frames already handed over finish, and the partial manifest lists them for the resume.
    await sink.abort();
    await sink.checkpoint().catch(() => {});
    throw err;
  }
  const frameText = (at: number[]) => describeFrames(at, plan.drivingFrame);
  for (const { example, frames: at } of frameWarnings.groups()) {
    const text = frameText(at);
    c.warn(`${text[0].toUpperCase()}${text.slice(1)}: ${example}`, [at[0], at[at.length - 1]]);
  }
  if (noFace.length)
    c.warn(
      `No face in ${noFace.length} ${frameText(noFace)}: they ${spec.onFrameFailure === 'hold' ? 'hold the last good frame' : 'show the neutral portrait'}.`,
    );
  const frames = sink.frames;
  return {
    frames,
    renderSeconds: images.renderSeconds,
    encodeSeconds: sink.encodeSeconds,
    stats: { rendered, kept: frames.length - rendered },
  };
}

/** A small PNG of the latest frame for the panel. */
function previewEvent(jobId: string, index: number, image: Image): JobEvent {
  const small = downscale(image, 256);
  return {
    type: 'preview',
    jobId,
    index,
    mime: 'image/png',
    width: small.width,
    height: small.height,
    data: encodePng(small).toString('base64'),
  };
}

/** The decoder gave fewer frames than the clip promised (corrupt or cut short): never report such a render complete. */
function missingFrames(c: FramesContext, frames: ManifestFrame[]): ReenactError {
  const expected = countOf(c.plan.run);
  const last = frames.at(-1)?.sourceIndex;
  return new ReenactError(
    'BAD_INPUT',
    `Expected ${expected} frames from ${c.spec.driving} but only ${frames.length} could be decoded: the clip may be corrupt or cut short. Re-export it${last === undefined ? '' : `, or render only clip frames ${c.plan.range.start}-${last} (--range)`}.`,
    { details: { file: c.spec.driving, expected, decoded: frames.length } },
  );
}
