/**
 * A stand-in render pipeline for the bridge tests until `pipeline/render.ts` lands on main: it behaves like the
 * real one where the bridge can tell — real PNG files written atomically (temp + rename) into
 * `<out>/frames/frame_%05d.png`, resume that keeps valid frames, a manifest with a key per frame, progress and
 * preview events, and an abort check between frames.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { PNG } from 'pngjs';
import { ReenactError, throwIfAborted } from '../../bridge/src/errors.js';
import type { JobRunner } from '../../bridge/src/jobs/runner.js';
import { JobSpecSchema, type Manifest, type ManifestFrame } from '../../bridge/src/pipeline/spec.js';

export interface FixtureRunnerOptions {
  frames?: number;
  /** Time per frame (ms), so tests can act mid-job. */
  delayMs?: number;
  width?: number;
  height?: number;
}

/** Deterministic RGBA frame: a gradient shifted by the frame index. */
export function fixtureFrame(index: number, width: number, height: number): Buffer {
  const png = new PNG({ width, height });
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 4;
      png.data[o] = (x * 8 + index * 5) & 255;
      png.data[o + 1] = (y * 8 + index * 3) & 255;
      png.data[o + 2] = (index * 17) & 255;
      png.data[o + 3] = 255;
    }
  }
  return PNG.sync.write(png);
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

async function validFrame(file: string, width: number, height: number): Promise<Buffer | undefined> {
  try {
    const data = await fs.readFile(file);
    const png = PNG.sync.read(data);
    return png.width === width && png.height === height ? data : undefined;
  } catch {
    return undefined;
  }
}

export function createFixtureRunner(options: FixtureRunnerOptions = {}): JobRunner {
  const { frames = 12, delayMs = 0, width = 32, height = 24 } = options;
  return async (input, { jobId = 'job', signal, onEvent, previewEvery = 10 }) => {
    const spec = JobSpecSchema.parse(input);
    await fs.access(spec.source).catch((err) => {
      throw new ReenactError('BAD_INPUT', `Expected an existing file for source but received ${spec.source}.`, {
        cause: err,
      });
    });
    const framesDir = path.join(spec.output.dir, 'frames');
    if (spec.output.force) await fs.rm(framesDir, { recursive: true, force: true });
    await fs.mkdir(framesDir, { recursive: true });
    onEvent?.({ type: 'started', jobId, totalFrames: frames, engine: 'fixture', device: 'cpu' });
    const started = Date.now();
    const list: ManifestFrame[] = [];
    for (let i = 0; i < frames; i++) {
      throwIfAborted(signal);
      const file = path.join(framesDir, `frame_${String(i).padStart(5, '0')}.png`);
      let data = await validFrame(file, width, height);
      if (!data) {
        if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
        throwIfAborted(signal);
        data = fixtureFrame(i, width, height);
        const tmp = `${file}.tmp`;
        await fs.writeFile(tmp, data);
        await fs.rename(tmp, file);
      }
      list.push({ index: i, sourceIndex: i, status: 'rendered', key: sha256(data).slice(0, 16) });
      const elapsed = (Date.now() - started) / 1000;
      const fps = elapsed > 0 ? (i + 1) / elapsed : 0;
      onEvent?.({
        type: 'progress',
        jobId,
        stage: 'render',
        done: i + 1,
        total: frames,
        fps,
        eta: fps > 0 ? (frames - i - 1) / fps : null,
      });
      if ((i + 1) % previewEvery === 0) {
        onEvent?.({
          type: 'preview',
          jobId,
          index: i,
          mime: 'image/png',
          width,
          height,
          data: data.toString('base64'),
        });
      }
    }
    const manifest: Manifest = {
      tool: { name: 'reenact', version: 'fixture' },
      spec,
      inputs: {
        source: { path: spec.source, sha256: '', width, height },
        driving: { path: spec.driving, sha256: '', fps: '25/1', frameCount: frames },
      },
      engine: { name: 'fixture', version: '1', device: 'cpu', models: [] },
      fps: '25/1',
      width,
      height,
      format: 'png',
      output: 'frames/frame_%05d.png',
      firstFrame: 0,
      frameCount: frames,
      frames: list,
      referenceFrame: 0,
      warnings: [],
      timings: { totalSeconds: (Date.now() - started) / 1000, trackSeconds: 0, renderSeconds: 0, encodeSeconds: 0 },
      complete: true,
      createdAt: new Date().toISOString(),
    };
    const manifestPath = path.join(spec.output.dir, 'reenact.json');
    await fs.writeFile(`${manifestPath}.tmp`, JSON.stringify(manifest, null, 2));
    await fs.rename(`${manifestPath}.tmp`, manifestPath);
    onEvent?.({ type: 'done', jobId, manifestPath, manifest });
    return manifest;
  };
}
