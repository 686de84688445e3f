/**
 * The output sink: the one part of a render (or of a chunk merge) that writes into its output folder. It prepares
 * the folder (resume, or --force), says which frames an earlier run left that can be kept, owns the frame writer (a
 * PNG sequence reopened at each gap), places frames finished elsewhere (a chunk's), records each frame's manifest
 * entry, rewrites the partial manifest, and writes the movie, the preview and the final manifest. Everything else only
 * reads.
 * Every render writes its frames as PNG into frames/: a ProRes render encodes its movie from them once they are all
 * there, so it resumes after Ctrl-C or a crash, updates only changed frames, and re-encodes only when a frame changed
 * (or the movie is missing).
 */
import { copyFile, link, lstat, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { readImage } from '../media/decode.js';
import { type FrameWriter, openMovie } from '../media/encode.js';
import { isCompletePngFile, openPngSequence } from '../media/png-sequence.js';
import type { Image, PixelRect } from '../media/types.js';
import { tempSibling, writeFileAtomic } from '../util/fs.js';
import type { Rational } from '../util/rational.js';
import { VERSION } from '../version.js';
import { assertPreviewFree, type OutputLayout, outputLayout, prepareOutput } from './output.js';
import { isOwnTemp } from './ownership.js';
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
  /** A ProRes render: the movie is encoded from the frames when they are all there. */
  private readonly movie: boolean;
  /** Frames written or placed by this run (not kept). */
  private written = 0;
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
    this.movie = spec.output.format === 'prores';
    for (const f of previous?.frames ?? []) if (f.key) this.old.set(f.index, f);
  }

  /** Starts writing output frames `run.start`…`run.end` in this format; a checkpoint claims those frame numbers. */
  async begin(format: SinkFormat, run: { start: number; end: number }): Promise<void> {
    this.format = format;
    this.run = run;
    this.lastFlush = performance.now();
  }

  /** True when the earlier run left output frame `index` with this recipe key, complete: it is kept as it is. */
  async has(index: number, key: string): Promise<boolean> {
    return this.old.get(index)?.key === key && (await isCompletePngFile(this.layout.framePath(index)));
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

  /** Writes a frame's pixels and records it; `changed` as RenderedFrame.changed (relative to the format's background). */
  async write(frame: ManifestFrame, image: Image, changed?: PixelRect | null): Promise<void> {
    const t = performance.now();
    if (!this.writer || this.nextIndex !== frame.index) {
      await this.writer?.close();
      this.writer = await this.open(frame.index);
    }
    await this.writer.write(image, changed);
    this.nextIndex = frame.index + 1;
    this.encodeSeconds += (performance.now() - t) / 1000;
    this.frames.push(frame);
    this.written++;
  }

  /** Places a complete PNG finished elsewhere (a chunk's) as this frame: hard-linked or copied. */
  async place(frame: ManifestFrame, file: string): Promise<void> {
    await placeFile(file, this.layout.framePath(frame.index));
    this.frames.push(frame);
    this.written++;
  }

  /**
   * Rewrites the partial manifest now. It marks the folder as this render's, claiming the run's frame numbers (so a
   * crash before any frame, or between checkpoints, resumes over its own frames), lets the bridge show progress after
   * a crash, and lets a resume trust frame keys.
   */
  async checkpoint(): Promise<void> {
    this.lastFlush = performance.now();
    const partial = {
      tool: { name: 'reenact', version: VERSION },
      spec: this.spec,
      ...(this.run ? { firstFrame: this.run.start, frameCount: this.run.end - this.run.start + 1 } : {}),
      frames: this.frames,
      // A movie an earlier run of this folder wrote stays reenact's while this run updates the frames (ownership.ts).
      ...(this.movie && this.previous?.output === path.basename(this.layout.movie)
        ? { output: this.previous.output }
        : {}),
      // So does the preview this run writes (before its final manifest: a crash in between must not leave it looking
      // like the user's, which would refuse the resume) or an earlier run wrote (prepareOutput refused anyone else's).
      ...(this.claimsPreview() ? { preview: path.basename(this.layout.preview) } : {}),
      complete: false,
      createdAt: new Date().toISOString(),
    };
    await writeFileAtomic(this.layout.manifest, JSON.stringify(partial));
  }

  /** A checkpoint when the last one is older than FLUSH_MS. */
  async checkpointIfDue(): Promise<void> {
    if (performance.now() - this.lastFlush > FLUSH_MS) await this.checkpoint();
  }

  /**
   * Finishes the frames (every frame handed over is on disk under its final name), then, for ProRes, the movie: encoded
   * from the frames, unless every frame was kept from a finished earlier run whose movie is still there.
   */
  async close(): Promise<void> {
    const t = performance.now();
    await this.writer?.close();
    this.writer = undefined;
    if (this.movie && (this.written > 0 || !this.previous?.complete || !(await exists(this.layout.movie))))
      await this.encodeMovie();
    this.encodeSeconds += (performance.now() - t) / 1000;
  }

  /** After a failure: frames already handed over finish (each PNG is atomic); no movie is written. */
  async abort(): Promise<void> {
    const writer = this.writer;
    this.writer = undefined;
    if (writer) await writer.close().catch(() => writer.abort());
  }

  /** Writes preview.mp4 (driving | result) from the finished frames; returns its name in the folder. */
  async writePreview(o: Omit<SideBySideOptions, 'result' | 'resultIsSequence' | 'file'>): Promise<string> {
    await assertPreviewFree(this.layout, this.previous);
    await writeSideBySide({ ...o, result: this.layout.pattern, resultIsSequence: true, file: this.layout.preview });
    return 'preview.mp4';
  }

  /** Writes the final manifest. */
  async finish(manifest: Manifest): Promise<void> {
    await writeFileAtomic(this.layout.manifest, `${JSON.stringify(manifest, null, 2)}\n`);
  }

  /**
   * Removes `<dir>/chunks/` once its chunks are merged here. The folder is renamed away first, so a crash while it is
   * being deleted leaves all the chunks or none under chunks/ (a merge run again then finds the job merged), never
   * some; what a crash left of an earlier removal goes too.
   */
  async removeChunks(): Promise<void> {
    const chunks = path.join(this.layout.dir, 'chunks');
    await rename(chunks, tempSibling(chunks)).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
    await removeChunkTrash(this.layout.dir);
  }

  private claimsPreview(): boolean {
    const name = path.basename(this.layout.preview);
    return (this.spec.output.preview && !this.spec.chunk) || this.previous?.preview === name;
  }

  private open(startNumber: number): Promise<FrameWriter> {
    const f = this.format!;
    return openPngSequence({
      width: f.width,
      height: f.height,
      channels: 4,
      framePath: this.layout.framePath,
      startNumber,
      background: f.background,
    });
  }

  /** The ProRes 4444 movie of every frame of this run, in order (written to a temporary name, then renamed). */
  private async encodeMovie(): Promise<void> {
    const f = this.format!;
    const movie = await openMovie({
      width: f.width,
      height: f.height,
      channels: 4,
      fps: f.fps,
      file: this.layout.movie,
      codec: 'prores',
      force: true,
    });
    try {
      for (const frame of this.frames) await movie.write(await this.read(frame.index));
      await movie.close();
    } catch (err) {
      await movie.abort();
      throw err;
    }
  }
}

/** Deletes chunks/ folders a merge renamed away (reenact's temp names: ".chunks.<8 hex>.partial") in `dir`. */
export async function removeChunkTrash(dir: string): Promise<void> {
  const names = await readdir(dir).catch(() => []);
  for (const name of names)
    if (isOwnTemp(name, (n) => n === 'chunks')) await rm(path.join(dir, name), { recursive: true, force: true });
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

/** Hard-links (or copies, across file systems) `from` to `to`, replacing `to` atomically. */
async function placeFile(from: string, to: string): Promise<void> {
  // Already this file (a merge run again over frames it had linked): rename() of one hard link onto another of the
  // same file does nothing and would leave the temp link behind.
  const [source, target] = await Promise.all([stat(from), lstat(to).catch(() => undefined)]);
  if (target?.isFile() && target.ino === source.ino && target.dev === source.dev) return;
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
