/** Chunked renders: splitting, chunk renders (fixture and meshwarp engines), merge == unchunked render, merge errors. */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { chunkSpecs, mergeChunks, planJob, splitIntoChunks } from '../../bridge/src/jobs/chunks.js';
import { renderJob } from '../../bridge/src/pipeline/render.js';
import type { JobSpecInput, Manifest } from '../../bridge/src/pipeline/spec.js';
import { frameHashes } from '../helpers/frames.js';
import { brightnessClip, DRIVING, ffmpeg, PORTRAIT, tempDir } from '../helpers/media.js';
import { fixtureSpec } from '../helpers/spec.js';

const dir = tempDir();
let driving = '';

/** The parts of a manifest's frames a merge must reproduce. */
function frameRecords(m: Manifest) {
  return m.frames.map((f) => ({ ...f }));
}

beforeAll(async () => {
  driving = path.join(dir, 'drive.mp4');
  await brightnessClip(driving, 20, 'sin(N/3)');
});

describe('splitIntoChunks', () => {
  it('covers every frame once, last chunk short', () => {
    expect(splitIntoChunks(10, 4)).toEqual([
      { start: 0, end: 3 },
      { start: 4, end: 7 },
      { start: 8, end: 9 },
    ]);
    expect(splitIntoChunks(8, 4)).toEqual([
      { start: 0, end: 3 },
      { start: 4, end: 7 },
    ]);
    expect(splitIntoChunks(3, 100)).toEqual([{ start: 0, end: 2 }]);
    expect(splitIntoChunks(0, 5)).toEqual([]);
  });

  it('starts later chunks earlier by the overlap', () => {
    expect(splitIntoChunks(10, 4, 2)).toEqual([
      { start: 0, end: 3 },
      { start: 2, end: 7 },
      { start: 6, end: 9 },
    ]);
  });

  it('explains bad arguments', () => {
    expect(() => splitIntoChunks(10, 0)).toThrow('Expected a chunk size of at least 1 frame but received 0.');
    expect(() => splitIntoChunks(10, 2, -1)).toThrow('Expected a chunk overlap ≥ 0 frames but received -1.');
    expect(() => splitIntoChunks(-1, 2)).toThrow('Expected a frame count ≥ 0 but received -1.');
  });
});

describe('chunked render (fixture engine)', () => {
  // 20 clip frames conformed 25 → 50 fps: 40 output frames, each driving frame used twice, so chunk borders of odd
  // size fall between two uses of one driving frame.
  const spec = (out: string): JobSpecInput => fixtureSpec(driving, out, { fps: '50' });
  let whole: Manifest;
  let wholeHashes: Record<string, string>;

  beforeAll(async () => {
    whole = await renderJob(spec(path.join(dir, 'whole')));
    wholeHashes = frameHashes(path.join(dir, 'whole'));
  });

  it('renders chunks at once into one folder and merges them byte-identical to an unchunked render', async () => {
    const out = path.join(dir, 'chunked');
    const plan = await planJob(spec(out));
    expect(plan.total).toBe(40);
    const specs = chunkSpecs(plan.spec, splitIntoChunks(plan.total, 7));
    const manifests = await Promise.all(specs.map((s) => renderJob(s)));
    expect(manifests[1]).toMatchObject({ firstFrame: 7, frameCount: 7, complete: true });
    expect(manifests[1].frames.map((f) => f.index)).toEqual([7, 8, 9, 10, 11, 12, 13]);
    expect(manifests[1].frames.map((f) => f.sourceIndex)).toEqual([3, 4, 4, 5, 5, 6, 6]);
    expect(readdirSync(path.join(out, 'chunks'))).toEqual([
      '00000-00006',
      '00007-00013',
      '00014-00020',
      '00021-00027',
      '00028-00034',
      '00035-00039',
    ]);
    const merged = await mergeChunks(out);
    expect(frameHashes(out)).toEqual(wholeHashes);
    expect(frameRecords(merged)).toEqual(frameRecords(whole));
    expect(merged).toMatchObject({ complete: true, firstFrame: 0, frameCount: 40, fps: '50', output: whole.output });
    expect(merged.spec).toEqual({ ...whole.spec, output: { ...whole.spec.output, dir: out } });
    expect(existsSync(path.join(out, 'chunks'))).toBe(false);
    // The merged folder is an ordinary render: rendering the whole job there resumes with nothing to do.
    const again = await renderJob(spec(out));
    expect(frameRecords(again)).toEqual(frameRecords(whole));
    expect(frameHashes(out)).toEqual(wholeHashes);
  });

  it('merges overlapping chunks and resumes a chunk that lost frames', async () => {
    const out = path.join(dir, 'overlap');
    const plan = await planJob(spec(out));
    const specs = chunkSpecs(plan.spec, splitIntoChunks(plan.total, 16, 3));
    for (const s of specs) await renderJob(s);
    const second = path.join(out, 'chunks', '00013-00031', 'frames');
    rmSync(path.join(second, 'frame_00020.png'));
    await expect(mergeChunks(out, { keepChunks: true })).rejects.toThrow(
      `Frame 20 is missing or incomplete in ${path.dirname(second)}. Render that chunk again, then merge.`,
    );
    await renderJob(specs[1]);
    const merged = await mergeChunks(out, { keepChunks: true });
    expect(frameHashes(out)).toEqual(wholeHashes);
    expect(frameRecords(merged)).toEqual(frameRecords(whole));
    expect(existsSync(path.join(out, 'chunks'))).toBe(true);
  });

  it('says which frames are missing, and refuses chunks beyond the job', async () => {
    const out = path.join(dir, 'missing');
    const plan = await planJob(spec(out));
    const specs = chunkSpecs(plan.spec, splitIntoChunks(plan.total, 10));
    await renderJob(specs[0]);
    await renderJob(specs[2]);
    await expect(mergeChunks(out)).rejects.toThrow(
      `Expected chunks covering output frames 0-39 but frames 10–19, 30–39 are missing (${out}). Render the missing chunks, then merge.`,
    );
    await expect(renderJob({ ...spec(out), chunk: { start: 35, end: 40 } })).rejects.toThrow(
      `Expected a chunk within output frames 0-39 but received 35-40 (${driving}). Split the job with its own frame count.`,
    );
    await expect(
      renderJob({ ...spec(out), output: { dir: out, format: 'prores' }, chunk: { start: 0, end: 9 } }),
    ).rejects.toThrow(
      'Expected format png for a chunked render but received prores. Chunks render PNG frames; mergeChunks encodes the movie.',
    );
    await expect(mergeChunks(path.join(dir, 'nothing'))).rejects.toThrow(
      `No chunks to merge in ${path.join(dir, 'nothing', 'chunks')}. Render the chunks first (reenact render … --chunk A-B).`,
    );
  });

  it('a changed job re-rendered over chunks of its earlier version replaces them; merge --spec leaves the rest out', async () => {
    // Issue #20 item 10: a farm job resubmitted with another rate failed every task ("already holds a different render").
    const out = path.join(dir, 'resubmitted');
    const v1 = await planJob(spec(out)); // 50 fps: 40 frames
    for (const s of chunkSpecs(v1.spec, splitIntoChunks(v1.total, 15))) await renderJob(s); // 0-14, 15-29, 30-39
    const v2 = await planJob({ ...spec(out), fps: '25' }); // 25 fps: 20 frames
    for (const s of chunkSpecs(v2.spec, splitIntoChunks(v2.total, 15))) await renderJob(s); // 0-14 replaced, 15-19
    expect(readdirSync(path.join(out, 'chunks'))).toEqual(['00000-00014', '00015-00019', '00015-00029', '00030-00039']);
    await expect(mergeChunks(out, { keepChunks: true })).rejects.toThrow('belongs to a different job');
    await mergeChunks(out, { ofJob: v2.spec });
    await renderJob({ ...spec(path.join(dir, 'resubmitted-whole')), fps: '25' });
    expect(frameHashes(out)).toEqual(frameHashes(path.join(dir, 'resubmitted-whole')));
    expect(existsSync(path.join(out, 'chunks'))).toBe(false);
  });

  it('merges PNG chunks into one ProRes movie', async () => {
    const out = path.join(dir, 'movie');
    const plan = await planJob({ ...spec(out), range: { start: 0, end: 4 } });
    for (const s of chunkSpecs(plan.spec, splitIntoChunks(plan.total, 4))) await renderJob(s);
    const merged = await mergeChunks(out, { format: 'prores' });
    expect(merged).toMatchObject({ format: 'prores', output: 'drive.reenact.mov', frameCount: 10 });
    expect(existsSync(path.join(out, 'drive.reenact.mov'))).toBe(true);
  });
});

describe('chunked render (meshwarp engine)', () => {
  it('equals the unchunked render, held frames across a chunk border included', async () => {
    // 12 frames of the talking clip; frames 6-9 blacked out so they have no face and hold frame 5.
    const clip = path.join(dir, 'talk-gap.mp4');
    await ffmpeg(
      '-i',
      DRIVING,
      '-vf',
      "drawbox=x=0:y=0:w=iw:h=ih:color=black:t=fill:enable='between(n,6,9)'",
      '-frames:v',
      '12',
      '-c:v',
      'libx264',
      '-qp',
      '0',
      clip,
    );
    const spec = (out: string): JobSpecInput => ({ source: PORTRAIT, driving: clip, output: { dir: out } });
    const whole = await renderJob(spec(path.join(dir, 'mw-whole')));
    expect(whole.frames.map((f) => f.status)).toEqual([
      ...Array(6).fill('rendered'),
      ...Array(4).fill('held'),
      'rendered',
      'rendered',
    ]);
    const out = path.join(dir, 'mw-chunked');
    const plan = await planJob(spec(out));
    // The third chunk starts on a held frame whose source (frame 5) lies in the second chunk.
    for (const s of chunkSpecs(plan.spec, splitIntoChunks(plan.total, 4))) await renderJob(s);
    const merged = await mergeChunks(out);
    expect(frameHashes(out)).toEqual(frameHashes(path.join(dir, 'mw-whole')));
    expect(frameRecords(merged)).toEqual(frameRecords(whole));
  });

  it('conformed by motion (20 fps → 30000/1001), equals the unchunked render: chunks interpolate across their borders', async () => {
    // A farm or queue renders a conformed job in chunks; an output frame at a chunk's end falls between two clip
    // frames, the second of which belongs to the next chunk (issue #20 item 4 with item 10).
    const spec = (out: string): JobSpecInput => ({
      source: PORTRAIT,
      driving: DRIVING,
      output: { dir: out },
      range: { start: 60, end: 71 },
      fps: '30000/1001',
    });
    const whole = await renderJob(spec(path.join(dir, 'mw-conform-whole')));
    expect(whole.frameCount).toBe(18);
    const out = path.join(dir, 'mw-conform-chunked');
    const plan = await planJob(spec(out));
    for (const s of chunkSpecs(plan.spec, splitIntoChunks(plan.total, 5))) await renderJob(s);
    const merged = await mergeChunks(out);
    const hashes = frameHashes(out);
    expect(hashes).toEqual(frameHashes(path.join(dir, 'mw-conform-whole')));
    const inOrder = Object.values(hashes);
    expect(inOrder.filter((h, i) => i > 0 && h === inOrder[i - 1])).toEqual([]);
    expect(frameRecords(merged)).toEqual(frameRecords(whole));
  });
});
