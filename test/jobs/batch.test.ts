/** Batch files: validation messages, a local run with bounded concurrency, the report and table, resume. */
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadBatchFile, parseBatch } from '../../bridge/src/jobs/batch.js';
import { type BatchReport, formatBatchTable, runBatch } from '../../bridge/src/jobs/batch-run.js';
import { runCli } from '../helpers/cli.js';
import { frameHashes } from '../helpers/frames.js';
import { brightnessClip, PORTRAIT, tempDir } from '../helpers/media.js';

const dir = tempDir();

beforeAll(async () => {
  writeFileSync(path.join(dir, 'portrait.png'), readFileSync(PORTRAIT));
  for (const [name, lum] of [
    ['a', 'sin(N/3)'],
    ['b', 'cos(N/4)'],
  ]) {
    await brightnessClip(path.join(dir, `${name}.mp4`), 12, lum);
  }
});

describe('batch validation', () => {
  const where = { baseDir: '/b', file: '/b/batch.yaml' };

  it('names each bad entry and field', () => {
    expect(() =>
      parseBatch(
        {
          entries: [
            { portrait: 'p.png', driving: 'a.mp4', output: 'o' },
            { portrait: 'p.png', output: 'p', options: { smoothing: 3 } },
            { portrait: 'p.png', driving: 'a.mp4', output: 'q', extra: 1 },
          ],
        },
        where,
      ),
    ).toThrow(
      'Invalid batch (/b/batch.yaml): entries[1].driving: Expected a string but received undefined; entries[1].options.smoothing: Expected a value ≤ 1 but received 3; entries[2].extra: Expected a known key but received 1.',
    );
    expect(() =>
      parseBatch({ entries: [{ portrait: 'p.png', driving: 'a.mp4', output: { dir: 'o', format: 'gif' } }] }, where),
    ).toThrow(
      'Invalid batch (/b/batch.yaml): entries[0].output.format: Expected one of "png", "prores" but received "gif".',
    );
    expect(() => parseBatch({ entries: [] }, where)).toThrow(
      'Invalid batch (/b/batch.yaml): entries: a batch needs at least one entry.',
    );
    expect(() =>
      parseBatch(
        {
          entries: [
            { portrait: 'p.png', driving: 'a.mp4', output: 'same' },
            { portrait: 'p.png', driving: 'b.mp4', output: './same/' },
          ],
        },
        where,
      ),
    ).toThrow('Invalid batch (/b/batch.yaml): entries[1].output: the same folder as entries[0] (/b/same).');
  });

  it('merges defaults under entry options and resolves paths from the file’s folder', () => {
    const batch = parseBatch(
      {
        defaults: { engine: { name: 'fixture' }, smoothing: 0.2 },
        entries: [{ portrait: 'p.png', driving: '../a.mp4', output: 'out/x', options: { smoothing: 0.9 } }],
      },
      where,
    );
    expect(batch.jobs[0]).toMatchObject({
      index: 0,
      name: 'x',
      spec: {
        source: '/b/p.png',
        driving: '/a.mp4',
        output: { dir: '/b/out/x' },
        engine: { name: 'fixture' },
        smoothing: 0.9,
      },
    });
  });

  it('names missing input files and unreadable files', async () => {
    const file = path.join(dir, 'missing.yaml');
    writeFileSync(file, stringify({ entries: [{ portrait: 'portrait.png', driving: 'nope.mp4', output: 'x' }] }));
    await expect(loadBatchFile(file)).rejects.toThrow(
      `Invalid batch (${file}): entries[0].driving: no such file ${path.join(dir, 'nope.mp4')}.`,
    );
    const bad = path.join(dir, 'bad.json');
    writeFileSync(bad, '{ "entries": [');
    await expect(loadBatchFile(bad)).rejects.toThrow(`Cannot parse ${bad}:`);
    await expect(loadBatchFile(path.join(dir, 'batch.txt'))).rejects.toThrow(/^Cannot read .*batch\.txt \(ENOENT\)/);
  });
});

describe('reenact batch', () => {
  const file = () => path.join(dir, 'batch.yaml');

  beforeAll(() => {
    writeFileSync(
      file(),
      stringify({
        defaults: { engine: { name: 'fixture' } },
        entries: [
          { name: 'alpha', portrait: 'portrait.png', driving: 'a.mp4', output: 'out/alpha' },
          { portrait: 'portrait.png', driving: 'b.mp4', output: 'out/beta', options: { fps: '50' } },
          {
            name: 'gamma',
            portrait: 'portrait.png',
            driving: 'a.mp4',
            output: { dir: 'out/gamma' },
            options: { range: { start: 2, end: 5 } },
          },
        ],
      }),
    );
  });

  it('runs every entry two at a time, writes the report and prints a table', async () => {
    const r = await runCli(['batch', file(), '--concurrency', '2'], { cwd: dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(readFileSync(path.join(dir, 'batch-report.json'), 'utf8')) as BatchReport;
    expect(report).toMatchObject({ concurrency: 2, counts: { done: 3, skipped: 0, failed: 0, cancelled: 0 } });
    expect(report.jobs.map((j) => [j.name, j.status, j.frames, j.statuses])).toEqual([
      ['alpha', 'done', 12, { rendered: 12 }],
      ['beta', 'done', 24, { rendered: 24 }],
      ['gamma', 'done', 4, { rendered: 4 }],
    ]);
    expect(Object.keys(frameHashes(path.join(dir, 'out', 'beta')))).toHaveLength(24);
    expect(r.stdout).toContain('#  name   status  frames  time');
    expect(r.stdout).toMatch(/\n1 {2}beta {3}done {4}24 {6}\d+\.\d s {2}0 {9}out\/beta\n/);
    expect(r.stdout).toContain('3 job(s): 3 done, 0 skipped (already complete), 0 failed, 0 cancelled');
  });

  it('skips complete jobs and resumes partial ones on a re-run', async () => {
    const alpha = path.join(dir, 'out', 'alpha');
    const before = frameHashes(alpha);
    rmSync(path.join(alpha, 'frames', 'frame_00004.png'));
    rmSync(path.join(alpha, 'frames', 'frame_00009.png'));
    const batch = await loadBatchFile(file());
    const kept = statSync(path.join(alpha, 'frames', 'frame_00005.png')).mtimeMs;
    const report = await runBatch(batch, { concurrency: 2 });
    expect(report.jobs.map((j) => j.status)).toEqual(['done', 'skipped', 'skipped']);
    expect(report.counts).toEqual({ done: 1, skipped: 2, failed: 0, cancelled: 0 });
    expect(frameHashes(alpha)).toEqual(before);
    expect(statSync(path.join(alpha, 'frames', 'frame_00005.png')).mtimeMs).toBe(kept); // kept, not re-rendered
    expect(formatBatchTable(report, dir)).toContain('2  gamma  skipped  4');
  });

  it('reports a failed entry and exits with its code, the others still done', async () => {
    const failing = path.join(dir, 'failing.json');
    writeFileSync(
      failing,
      JSON.stringify({
        entries: [
          {
            name: 'ok',
            portrait: 'portrait.png',
            driving: 'a.mp4',
            output: 'out/alpha',
            options: { engine: { name: 'fixture' } },
          },
          {
            name: 'still',
            portrait: 'portrait.png',
            driving: 'portrait.png',
            output: 'out/still',
            options: { engine: { name: 'fixture' } },
          },
        ],
      }),
    );
    const report = path.join(dir, 'reports', 'r.json');
    const r = await runCli(['batch', failing, '--report', report], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `reenact: 1 of 2 batch job(s) did not finish (entries[1] still: Expected a video clip for the driving performance but received a still image (${path.join(dir, 'portrait.png')}). Pick the performance footage.). See ${report}; fix what each error names: the next run of the batch skips the jobs that finished.\n`,
    );
    const json = JSON.parse(readFileSync(report, 'utf8')) as BatchReport;
    expect(json.jobs.map((j) => j.status)).toEqual(['skipped', 'failed']);
    expect(json.jobs[1].error?.code).toBe('BAD_INPUT');
  });
});
