/**
 * Image production for a render: each output frame's driving pixels (decoded only when the engine needs them), the
 * engine's frame, the last good frame for held frames, and the neutral portrait. Writes nothing: the output sink
 * (output-sink.ts) owns the output folder.
 */
import type { DrivingFrame, Engine, RenderedFrame } from '../engines/types.js';
import { ReenactError } from '../errors.js';
import type { FaceObservation } from '../face/types.js';
import { decodeFrames } from '../media/decode.js';
import type { Image, PixelRect, ProbeResult } from '../media/types.js';
import { frameTime } from '../util/rational.js';
import { controlsFor } from './controls-curve.js';
import { decideFailure, type FrameDecision, frameKey } from './frame-decision.js';
import type { FramePlan } from './frame-plan.js';
import type { FrameStatus, JobSpec } from './spec.js';
import type { DrivingTrack } from './tracking.js';

/** One output frame of a run, with its driving frame's pixels when the engine wants them. */
export interface FrameSlot {
  index: number;
  sourceIndex: number;
  image?: Image;
}

/**
 * A run's output frames in order, with driving pixels only when `pixels` (otherwise nothing is decoded): decodes only
 * the driving frames the run uses (at the clip's own rate) and repeats or skips them by the WHOLE job's plan, so a
 * chunk's frames get the same driving pixels as in an unchunked render.
 */
export async function* drivingFrames(
  plan: FramePlan,
  info: ProbeResult,
  pixels: boolean,
  signal?: AbortSignal,
): AsyncGenerator<FrameSlot> {
  const { run } = plan;
  if (!pixels) {
    for (let index = run.start; index <= run.end; index++) yield { index, sourceIndex: plan.drivingFrame(index) };
    return;
  }
  const sub = { start: plan.drivingFrame(run.start), end: plan.drivingFrame(run.end) };
  let index = run.start;
  for await (const f of decodeFrames(info.file, { info, range: sub, signal, channels: 3 })) {
    while (index <= run.end && plan.drivingFrame(index) === f.sourceIndex) {
      const again = index < run.end && plan.drivingFrame(index + 1) === plan.drivingFrame(index);
      // A repeated driving frame gets its own copy, as decodeFrames does when it conforms.
      const image = again ? { ...f, data: Uint8Array.prototype.slice.call(f.data) } : f;
      yield { index, sourceIndex: f.sourceIndex, image };
      index++;
    }
    if (index > run.end) return;
  }
}

/** One driving clip frame's pixels. */
export async function decodeOne(info: ProbeResult, sourceIndex: number, signal?: AbortSignal): Promise<Image> {
  for await (const f of decodeFrames(info.file, { info, range: { start: sourceIndex, end: sourceIndex }, signal }))
    return f;
  throw new ReenactError('BAD_INPUT', `Could not decode frame ${sourceIndex} of ${info.file}.`);
}

/** The portrait untouched, RGBA with alpha 0 (nothing moved): what no-face and failed frames show. */
export function neutralFrame(source: Image): Image {
  const out = new Uint8Array(source.width * source.height * 4);
  for (let i = 0, j = 0; j < out.length; i += source.channels, j += 4) {
    out[j] = source.data[i];
    out[j + 1] = source.data[i + 1];
    out[j + 2] = source.data[i + 2];
    out[j + 3] = 0;
  }
  return { data: out, width: source.width, height: source.height, channels: 4 };
}

/** The frame a held frame repeats. */
interface LastGood {
  key: string;
  index: number;
  /** Absent until needed when the frame was kept on disk by a resume, or lies before the chunk. */
  image?: Image;
  /** The engine's changed box for `image` (RenderedFrame.changed). */
  changed?: PixelRect | null;
  /** Hands the pixels back to the engine (RenderedFrame.release). */
  release?: () => void;
  /** Makes the pixels: read back from the output folder, or rendered (a frame before the chunk). */
  load?: () => Promise<Image>;
}

/** A frame's pixels and what they are. */
export interface ProducedFrame {
  image: Image;
  status: FrameStatus;
  key: string;
  /** The engine's warnings for this frame (e.g. a clamped head turn). */
  warnings: string[];
  /** Where `image` may differ from the neutral portrait, when known (RenderedFrame.changed). */
  changed?: PixelRect | null;
}

export interface FrameImagesOptions {
  spec: JobSpec;
  engine: Engine;
  source: Image;
  keyBase: string;
  /** Reads back a frame the output folder kept from an earlier run. */
  readKept: (index: number) => Promise<Image>;
  /** Reports a job warning now (an engine failure on one frame). */
  warn: (message: string, frames?: [number, number]) => void;
}

/** Produces the pixels of the frames a run does not keep, and remembers the last good frame for held frames. */
export class FrameImages {
  readonly neutral: Image;
  /** Seconds spent in the engine's render(). */
  renderSeconds = 0;
  private lastGood?: LastGood;

  constructor(
    private readonly o: FrameImagesOptions,
    /** The frame an unchunked render would hold at the start of this run (see lastGoodBefore). */
    before?: LastGood,
  ) {
    this.neutral = neutralFrame(o.source);
    this.lastGood = before;
  }

  /** The key a held frame repeats, when there is a good frame to hold. */
  get lastGoodKey(): string | undefined {
    return this.lastGood?.key;
  }

  /** A rendered frame kept on disk by a resume is the new last good frame; its pixels are read back only if held. */
  kept(key: string, index: number): void {
    this.replaceLastGood({ key, index, load: () => this.o.readKept(index) });
  }

  /**
   * A new last good frame. The one it replaces goes back to the engine: it was written before this frame was asked
   * for (the render loop writes each frame before producing the next) and no held frame can repeat it any more.
   */
  private replaceLastGood(next: LastGood): void {
    const old = this.lastGood;
    this.lastGood = next;
    old?.release?.();
  }

  /**
   * Pixels for a frame the decision made: the engine's render (on failure: by the policy, the held frame or the
   * neutral portrait, with a warning now), the held frame, or the neutral portrait.
   * @throws ENGINE_FAILED when the engine fails and the policy is fail.
   */
  async produce(frame: DrivingFrame, decision: FrameDecision): Promise<ProducedFrame> {
    const { status, key } = decision;
    if (status === 'held') return { ...(await this.held()), status, key, warnings: [] };
    if (status === 'no-face') return { image: this.neutral, status, key, warnings: [], changed: null };
    const { engine, spec } = this.o;
    const t = performance.now();
    let out: RenderedFrame | undefined;
    let failure: ReturnType<typeof decideFailure> | undefined;
    try {
      out = await engine.render(frame);
    } catch (err) {
      failure = decideFailure(
        {
          keyBase: this.o.keyBase,
          policy: spec.onFrameFailure,
          lastGoodKey: this.lastGood?.key,
          index: frame.index,
          key,
          engine: engine.info.name,
        },
        err,
      );
      this.o.warn(failure.warning, [frame.index, frame.index]);
    }
    this.renderSeconds += (performance.now() - t) / 1000;
    if (out) {
      this.replaceLastGood({ image: out.image, changed: out.changed, release: out.release, key, index: frame.index });
      return { image: out.image, status, key, warnings: out.warnings ?? [], changed: out.changed };
    }
    const failed = failure!;
    const shown = failed.status === 'held' ? await this.held() : { image: this.neutral, changed: null };
    return { ...shown, status: failed.status, key: failed.key, warnings: [] };
  }

  /** The last good frame's pixels, with its changed box when the engine reported one. */
  private async held(): Promise<{ image: Image; changed?: PixelRect | null }> {
    const lastGood = this.lastGood!;
    lastGood.image ??= await lastGood.load!();
    return { image: lastGood.image, changed: lastGood.changed };
  }
}

/**
 * The frame an unchunked render would hold at the start of a chunk: the last output frame before it with a face.
 * Its pixels are rendered only if a held frame needs them. (An engine failure on that frame is not foreseen.)
 */
export function lastGoodBefore(o: {
  spec: JobSpec;
  plan: FramePlan;
  track: DrivingTrack | null;
  engine: Engine;
  drivingInfo: ProbeResult;
  keyBase: string;
  /** The face output frame `index` shows (performance.ts). */
  faceAt: (index: number) => FaceObservation | null;
  signal?: AbortSignal;
}): LastGood | undefined {
  const { spec, track, engine, plan } = o;
  if (!spec.chunk || !track || engine.info.needsFaces === false || spec.onFrameFailure !== 'hold') return undefined;
  for (let index = plan.run.start - 1; index >= 0; index--) {
    const sourceIndex = plan.drivingFrame(index);
    const face = o.faceAt(index);
    if (!face) continue;
    const controls = controlsFor(spec, index);
    return {
      key: frameKey(o.keyBase, face, controls),
      index,
      load: async () => {
        const image = engine.info.needsDrivingPixels
          ? await decodeOne(o.drivingInfo, sourceIndex, o.signal)
          : undefined;
        const out = await engine.render({ index, time: frameTime(index, plan.fps), image, face, controls });
        return out.image;
      },
    };
  }
  return undefined;
}
