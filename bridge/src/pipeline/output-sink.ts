/**
 * The output sink: the one part of a render (or of a chunk merge) that writes into its output folder. It prepares
 * the folder (resume, or --force), says which frames an earlier run left that can be kept, owns the frame writers (a
 * PNG sequence reopened at each gap, or one ProRes movie), places frames finished elsewhere (a chunk's), records each
 * frame's manifest entry, rewrites the partial manifest, and writes the preview and the final manifest. Everything
 * else only reads.
 */
import { copyFile, link, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { readImage } from '../media/decode.js';
import { type FrameWriter, openMovie } from '../media/encode.js';
import { isCompletePngFile, openPngSequence } from '../media/png-sequence.js';
import type { Image } from '../media/types.js';
import { tempSibling, writeFileAtomic } from '../util/fs.js';
import type { Rational } from '../util/rational.js';
import { VERSION } from '../version.js';
import { assertPreviewFree, type OutputLayout, outputLayout, prepareOutput } from './output.js';
import { type SideBySideOptions, writeSideBySide } from './preview.js';
import type { JobSpec, Manifest, ManifestFrame } from './spec.js';

/** How often a PNG render rewrites its partial manifest, ms. */
const FLUSH_MS = 2000;

export interface SinkFormat {
  width: number;
  height: number;
  fps: Rational;
  /** Pixels most frames share (the neutral portrait, alpha 0): the PNG writer encodes only what differs. */
  background?: Uint8Array;
}

/**
 * Prepares `spec`'s output folder and returns its sink.
 * @throws OUTPUT_EXISTS when the folder holds a different render and force is off; BAD_INPUT when it would overwrite
 *   an input.
 */
export async function openOutputSink(spec: JobSpec): Promise<OutputSink> {
  const layout = outputLayout(spec);
  const previous = await prepareOutput(spec, layout);
  return new OutputSink(spec, layout, previous);
}

export class OutputSink {
  /** This run's frames, in order, as the manifest lists them. */
  readonly frames: ManifestFrame[] = [];
  /** Seconds spent opening, feeding and closing the writers. */
  encodeSeconds = 0;
  private readonly png: boolean;
  /** The frames the earlier run in this folder recorded (key, warnings), by output frame. */
  private readonly old = new Map<number, ManifestFrame>();
  private format?: SinkFormat;
  private writer?: FrameWriter;
  /** The frame number the open PNG writer writes next. */
  private nextIndex = -1;
  private lastFlush = 0;

  /** The frames this run may write ([start, end]): the partial manifest claims them (ownership.ts). */
  private run?: { start: number; end: number };

  constructor(
    private readonly spec: JobSpec,
    readonly layout: OutputLayout,
    private readonly previous: Manifest | undefined,
  ) {
    this.png = spec.output.format === 'png';
    for (const f of previous?.frames ?? []) if (f.key) this.old.set(f.index, f);
  }

  /**
   * Starts writing output frames `run.start`…`run.end` in this format (opens the movie); a checkpoint claims those
   * frame numbers for this render.
   */
  async begin(format: SinkFormat, run: { start: number; end: number }): Promise<void> {
    this.format = format;
    this.run = run;
    this.lastFlush = performance.now();
    if (!this.png) this.writer = await this.open(0);
  }

  /** True when the earlier run left output frame `index` with this recipe key, complete: it is kept as it is. */
  async has(index: number, key: string): Promise<boolean> {
    return this.png && this.old.get(index)?.key === key && (await isCompletePngFile(this.layout.framePath(index)));
  }

  /** Records a frame kept from the earlier run, with the warnings that run recorded for it; returns those. */
  keep(frame: ManifestFrame): string[] {
    const warnings = this.old.get(frame.index)?.warnings ?? [];
    this.frames.push(warnings.length ? { ...frame, warnings } : frame);
    return warnings;
  }

  /** Pixels of a frame on disk (a kept frame that a later frame holds). */
  read(index: number): Promise<Image> {
    return readImage(this.layout.framePath(index), { channels: 4 });
  }

  /** Writes a frame's pixels and records it. */
  async write(frame: ManifestFrame, image: Image): Promise<void> {
    const t = performance.now();
    if (this.png && (!this.writer || this.nextIndex !== frame.index)) {
      await this.writer?.close();
      this.writer = await this.open(frame.index);
    }
    await this.writer!.write(image);
    this.nextIndex = frame.index + 1;
    this.encodeSeconds += (performance.now() - t) / 1000;
    this.frames.push(frame);
  }

  /** Places a complete PNG finished elsewhere (a chunk's) as this frame: hard-linked or copied, or encoded into the movie. */
  async place(frame: ManifestFrame, file: string): Promise<void> {
    if (this.png) await placeFile(file, this.layout.framePath(frame.index));
    else await this.writer!.write(await readImage(file, { channels: 4 }));
    this.frames.push(frame);
  }

  /**
   * PNG: rewrites the partial manifest now. It marks the folder as this render's, claiming the run's frame numbers
   * (so a crash before any frame, or between checkpoints, resumes over its own frames), lets the bridge show progress
   * after a crash, and lets a resume trust frame keys.
   */
  async checkpoint(): Promise<void> {
    if (!this.png) return;
    this.lastFlush = performance.now();
    const partial = {
      tool: { name: 'reenact', version: VERSION },
      spec: this.spec,
      ...(this.run ? { firstFrame: this.run.start, frameCount: this.run.end - this.run.start + 1 } : {}),
      frames: this.frames,
      complete: false,
      createdAt: new Date().toISOString(),
    };
    await writeFileAtomic(this.layout.manifest, JSON.stringify(partial));
  }

  /** A checkpoint when the last one is older than FLUSH_MS. */
  async checkpointIfDue(): Promise<void> {
    if (performance.now() - this.lastFlush > FLUSH_MS) await this.checkpoint();
  }

  /** Finishes the frames: every frame handed over is on disk under its final name. */
  async close(): Promise<void> {
    const t = performance.now();
    await this.writer?.close();
    this.writer = undefined;
    this.encodeSeconds += (performance.now() - t) / 1000;
  }

  /** After a failure: frames already handed over finish (each PNG is atomic); a movie is dropped, never left half-written. */
  async abort(): Promise<void> {
    const writer = this.writer;
    this.writer = undefined;
    if (writer) await (this.png ? writer.close().catch(() => writer.abort()) : writer.abort());
  }

  /** Writes preview.mp4 (driving | result) from the finished frames; returns its name in the folder. */
  async writePreview(o: Omit<SideBySideOptions, 'result' | 'resultIsSequence' | 'file'>): Promise<string> {
    await assertPreviewFree(this.layout, this.previous);
    await writeSideBySide({
      ...o,
      result: this.png ? this.layout.pattern : this.layout.movie,
      resultIsSequence: this.png,
      file: this.layout.preview,
    });
    return 'preview.mp4';
  }

  /** Writes the final manifest. */
  async finish(manifest: Manifest): Promise<void> {
    await writeFileAtomic(this.layout.manifest, `${JSON.stringify(manifest, null, 2)}\n`);
  }

  /** Removes `<dir>/chunks/` once its chunks are merged here. */
  async removeChunks(): Promise<void> {
    await rm(path.join(this.layout.dir, 'chunks'), { recursive: true, force: true });
  }

  private open(startNumber: number): Promise<FrameWriter> {
    const f = this.format!;
    const format = { width: f.width, height: f.height, channels: 4 as const };
    return this.png
      ? openPngSequence({ ...format, framePath: this.layout.framePath, startNumber, background: f.background })
      : openMovie({ ...format, fps: f.fps, file: this.layout.movie, codec: 'prores', force: true });
  }
}

/** Hard-links (or copies, across file systems) `from` to `to`, replacing `to` atomically. */
async function placeFile(from: string, to: string): Promise<void> {
  const tmp = tempSibling(to);
  try {
    await link(from, tmp);
  } catch {
    await copyFile(from, tmp);
  }
  try {
    await rename(tmp, to);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}
