/**
 * docs/jobs.md is run, not just read (issue #20, acceptance): every example block in it is written to a file, the
 * stills and clips it names are the bundled sample (portrait and talking clip copied to those paths), and each
 * example is parsed and rendered by the CLI the way the doc says to run it.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { FrameControlsSchema } from '../../bridge/src/engines/controls.js';
import { DEVICES } from '../../bridge/src/onnx/devices.js';
import { parseJobSpec } from '../../bridge/src/pipeline/parse.js';
import { JobSpecSchema, OutputFormatSchema, OutputSchema } from '../../bridge/src/pipeline/spec.js';
import { runCli } from '../helpers/cli.js';
import { frameHashes } from '../helpers/frames.js';
import { DRIVING, PORTRAIT, tempDir } from '../helpers/media.js';

const DOC = path.resolve(import.meta.dirname, '..', '..', 'docs', 'jobs.md');

interface Example {
  lang: string;
  name: string;
  text: string;
}

/** The fenced blocks of the doc whose first line is "# example: <file>" (YAML), and the curves JSON block. */
function examples(): Example[] {
  const doc = readFileSync(DOC, 'utf8');
  return [...doc.matchAll(/```(\w+)\n([\s\S]*?)```/g)].flatMap(([, lang, text]) => {
    const named = /^# example: (\S+)/.exec(text);
    if (named) return [{ lang, name: named[1], text }];
    if (lang === 'json' && text.includes('"frames"')) return [{ lang, name: 'curves.json', text }];
    return [];
  });
}

/** Puts the bundled sample wherever a job names a still (source/portrait) or a clip (driving). */
function provideMedia(dir: string, jobs: Record<string, unknown>[]): void {
  for (const job of jobs) {
    for (const [key, sample] of [
      ['source', PORTRAIT],
      ['portrait', PORTRAIT],
      ['driving', DRIVING],
    ] as const) {
      const file = job[key];
      if (typeof file !== 'string') continue;
      mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      copyFileSync(sample, path.join(dir, file));
    }
  }
}

/** The doc's key tables, in order (the job's keys, then the controls): first cell's keys → the row's cells. */
function keyTables(): Map<string, string[]>[] {
  const tables: Map<string, string[]>[] = [];
  let current: Map<string, string[]> | undefined;
  for (const line of readFileSync(DOC, 'utf8').split('\n')) {
    if (!line.startsWith('| `')) {
      current = undefined;
      continue;
    }
    if (!current) {
      current = new Map();
      tables.push(current);
    }
    const cells = line.split(/(?<!\\)\|/).slice(1, -1);
    for (const [, key] of cells[0].matchAll(/`([^`]+)`/g)) current.set(key, cells);
  }
  return tables;
}

/** The `a` \| `b` values of a cell. */
const choices = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]);

describe('docs/jobs.md tables', () => {
  // Issue #20 item 5: every key, with its type and default, as the code has it (the device list went stale once).
  const [job, controls] = keyTables();

  it('list every job key and nothing else, sub-keys included', () => {
    const parsed = parseJobSpec({ source: 'a.png', driving: 'b.mp4', output: 'out' });
    const keys = [...job.keys()];
    const under = (parent: string) =>
      keys.filter((k) => k.startsWith(`${parent}.`)).map((k) => k.slice(parent.length + 1));
    expect(new Set(keys.map((k) => k.split('.')[0]))).toEqual(new Set(Object.keys(JobSpecSchema.shape)));
    expect(under('output')).toEqual(Object.keys(OutputSchema.shape));
    expect(under('engine')).toEqual(Object.keys(parsed.engine));
    expect(under('face')).toEqual(Object.keys(parsed.face));
    expect([...controls.keys()]).toEqual(Object.keys(FrameControlsSchema.shape));
  });

  it('give the choices the code takes', () => {
    const type = (key: string) => choices(job.get(key)![1]);
    expect(type('engine.device')).toEqual([...DEVICES]);
    expect(type('output.format')).toEqual(OutputFormatSchema.options);
    expect(type('conform')).toEqual(['motion', 'nearest']);
    expect(type('onFrameFailure')).toEqual(['hold', 'neutral', 'fail']);
  });
});

describe('docs/jobs.md examples', () => {
  const all = examples();
  const dir = tempDir();
  const write = (e: Example) => {
    writeFileSync(path.join(dir, e.name), e.text);
    return path.join(dir, e.name);
  };

  it('has the examples this test runs', () => {
    expect(all.map((e) => e.name)).toEqual(['job.yaml', 'batch.yaml', 'curves.json']);
  });

  it('the single job parses and renders (and takes the curves)', async () => {
    const job = all.find((e) => e.name === 'job.yaml')!;
    const data = parseYaml(job.text);
    provideMedia(dir, [data]);
    const file = write(job);
    const r = await runCli(['render', '--spec', file, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const manifest = JSON.parse(readFileSync(path.join(dir, data.output, 'reenact.json'), 'utf8'));
    expect(manifest).toMatchObject({ fps: '30000/1001', complete: true });
    expect(manifest.spec.range).toEqual({ start: 0, end: 23 });
    const curves = write(all.find((e) => e.name === 'curves.json')!);
    const before = frameHashes(path.join(dir, data.output));
    const updated = await runCli(['render', '--spec', file, '--curves', curves, '--only-changed', '--json']);
    expect(updated.code).toBe(0);
    const after = frameHashes(path.join(dir, data.output));
    expect(Object.keys(after)).toEqual(Object.keys(before));
    expect(after).not.toEqual(before); // the curves changed the first frames
  });

  it('the batch parses and renders every entry', async () => {
    const batch = all.find((e) => e.name === 'batch.yaml')!;
    const data = parseYaml(batch.text);
    provideMedia(dir, data.entries);
    const file = write(batch);
    const r = await runCli(['batch', file, '--json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(readFileSync(path.join(dir, 'batch-report.json'), 'utf8'));
    expect(report.jobs.map((j: { name: string; status: string }) => [j.name, j.status])).toEqual([
      ['alice', 'done'],
      ['bob', 'done'],
    ]);
    const bob = JSON.parse(readFileSync(path.join(dir, 'renders', 'bob', 'reenact.json'), 'utf8'));
    expect(bob).toMatchObject({ format: 'prores', fps: '24', spec: { controls: { intensity: 0.8, mouth: 1.3 } } });
  });
});
