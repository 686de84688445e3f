/**
 * Farm job files: `reenact farm export` for OpenJD and Deadline 10 against golden files (paths normalised), parsed back
 * and checked against the OpenJD rules we rely on, then the commands they contain are run here (frame tokens
 * substituted, as the farm would) and the merged output is compared with an unchunked render.
 */
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { openJdTemplate, renderFlags } from '../../bridge/src/jobs/farm.js';
import { parseJobSpec } from '../../bridge/src/pipeline/parse.js';
import { renderJob } from '../../bridge/src/pipeline/render.js';
import { CLI, runCli } from '../helpers/cli.js';
import { frameHashes } from '../helpers/frames.js';
import { brightnessClip, FIXTURES, PORTRAIT, tempDir } from '../helpers/media.js';
import { expandChunks, openJdProblems } from './openjd-rules.js';

const dir = tempDir();
const GOLDEN = path.join(FIXTURES, 'farm');
let reenact = '';
let reference: Record<string, string>;
const jobSpec = (out = 'render out') => ({
  source: 'portrait.png',
  driving: 'drive.mp4',
  output: { dir: out }, // a space: the job files must quote it
  engine: { name: 'fixture' },
  fps: '50',
});

/** Temp paths → stable placeholders, so golden files do not depend on the machine. */
function normalise(text: string): string {
  return text.replaceAll(reenact, '<REENACT>').replaceAll(dir, '<DIR>');
}

/** Compares with the golden file (UPDATE_GOLDEN=1 rewrites it). */
function golden(name: string, text: string): void {
  const file = path.join(GOLDEN, name);
  if (process.env.UPDATE_GOLDEN) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
  expect(text).toBe(readFileSync(file, 'utf8'));
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')}: ${code} ${stderr}`)),
    );
  });
}

/** Splits a Deadline Arguments string the way the CommandLine plugin passes it (double quotes group). */
function splitArguments(text: string): string[] {
  return [...text.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]);
}

function keyValues(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .trim()
      .split('\n')
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}

/** `reenact farm export` of a job file in the test folder, chunks of 20, with this checkout as the workers' reenact. */
function exportJob(format: 'openjd' | 'deadline', job: string, out: string) {
  return runCli([
    'farm',
    'export',
    '--format',
    format,
    path.join(dir, job),
    '--chunk-size',
    '20',
    '--out',
    out,
    '--executable',
    reenact,
  ]);
}

/** Runs an OpenJD template as a worker would: parameters at their defaults, a Render task per chunk, then Merge. */
async function runTemplate(doc: {
  parameterDefinitions: { name: string; default: string | number }[];
  steps: unknown[];
}): Promise<string[]> {
  const params = Object.fromEntries(doc.parameterDefinitions.map((p) => [p.name, String(p.default)]));
  const [render, merge] = doc.steps as {
    parameterSpace?: { taskParameterDefinitions: { range: string; chunks: { defaultTaskCount: string } }[] };
    script: { actions: { onRun: { command: string; args: string[] } } };
  }[];
  const fill = (s: string, task: Record<string, string> = {}) =>
    s.replace(/\{\{(Param|Task\.Param)\.(\w+)\}\}/g, (_, scope, name) =>
      scope === 'Param' ? params[name] : task[name],
    );
  const chunkParam = render.parameterSpace!.taskParameterDefinitions[0];
  const chunks = expandChunks(fill(chunkParam.range), Number(fill(chunkParam.chunks.defaultTaskCount)));
  const { command, args } = render.script.actions.onRun;
  await Promise.all(
    chunks.map((c) =>
      run(
        fill(command),
        args.map((a) => fill(a, { Frame: c })),
      ),
    ),
  );
  await run(
    fill(merge.script.actions.onRun.command),
    merge.script.actions.onRun.args.map((a) => fill(a)),
  );
  return chunks;
}

beforeAll(async () => {
  writeFileSync(path.join(dir, 'portrait.png'), readFileSync(PORTRAIT));
  await brightnessClip(path.join(dir, 'drive.mp4'), 24, 'sin(N/4)');
  writeFileSync(path.join(dir, 'job.json'), JSON.stringify(jobSpec()));
  writeFileSync(path.join(dir, 'job-deadline.json'), JSON.stringify(jobSpec('deadline out')));
  // The farm's "reenact" executable: this checkout's built CLI.
  reenact = path.join(dir, 'reenact.sh');
  writeFileSync(reenact, `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`);
  chmodSync(reenact, 0o755);
  await renderJob(parseJobSpec({ ...jobSpec(), output: { dir: 'reference' } }, { baseDir: dir }));
  reference = frameHashes(path.join(dir, 'reference'));
});

describe('farm export: OpenJD', () => {
  it('writes the golden template, which follows the OpenJD rules, and its commands render the job', async () => {
    const out = path.join(dir, 'openjd');
    const r = await exportJob('openjd', 'job.json', out);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`→ ${path.join(out, 'template.yaml')}\n`);
    const text = readFileSync(path.join(out, 'template.yaml'), 'utf8');
    golden('openjd/template.yaml', normalise(text));
    const doc = parseYaml(text);
    expect(openJdProblems(doc)).toEqual([]);

    expect(await runTemplate(doc)).toEqual(['0-19', '20-39', '40-47']);
    expect(frameHashes(path.join(dir, 'render out'))).toEqual(reference);
  });

  it('a job with control curves: the curves go beside the template, and the chunks render what one render does', async () => {
    const curves = { start: 0, frames: Array.from({ length: 48 }, (_, i) => ({ intensity: (i % 12) / 11 })) };
    const spec = { ...jobSpec('curves out'), curves };
    writeFileSync(path.join(dir, 'job-curves.json'), JSON.stringify(spec));
    const out = path.join(dir, 'openjd-curves');
    const r = await exportJob('openjd', 'job-curves.json', out);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`→ ${path.join(out, 'template.yaml')}\n→ ${path.join(out, 'curves.json')}\n`);
    const doc = parseYaml(readFileSync(path.join(out, 'template.yaml'), 'utf8'));
    expect(openJdProblems(doc)).toEqual([]);
    expect(doc.steps[0].script.actions.onRun.args).toContain('{{Param.Curves}}');
    await runTemplate(doc);
    await renderJob(parseJobSpec({ ...spec, output: { dir: 'curves whole' } }, { baseDir: dir }));
    const chunked = frameHashes(path.join(dir, 'curves out'));
    expect(chunked).toEqual(frameHashes(path.join(dir, 'curves whole')));
    expect(chunked).not.toEqual(reference); // the curves changed the frames
  });

  it('catches broken templates (the rules can fail)', () => {
    const spec = parseJobSpec(jobSpec(), { baseDir: '/p' });
    const doc = parseYaml(openJdTemplate({ name: 'x'.repeat(200), spec, total: 10, chunkSize: 500 }));
    expect(doc.name).toHaveLength(128);
    expect(doc.parameterDefinitions.find((p: { name: string }) => p.name === 'ChunkSize').default).toBe(150);
    doc.steps[1].script.actions.onRun.args.push('{{Task.Param.Frame}}');
    doc.steps[1].dependencies[0].dependsOn = 'Nope';
    doc.steps[0].name = 's'.repeat(65);
    doc.extensions = [];
    expect(openJdProblems(doc)).toEqual([
      `step ${'s'.repeat(65)}: name 1-64 characters`,
      'CHUNK[INT] needs the TASK_CHUNKING extension',
      'step Merge: depends on another defined step',
      'step Merge: format string reference {{Task.Param.Frame}} names nothing defined here',
    ]);
  });

  it('passes region gains and engine options as render flags', () => {
    const spec = parseJobSpec({ ...jobSpec(), controls: { mouth: 0.5, blink: 0 } }, { baseDir: '/p' });
    const flags = renderFlags(spec);
    expect(flags.slice(flags.indexOf('--intensity'), flags.indexOf('--smooth'))).toEqual([
      '--intensity',
      '1',
      '--mouth',
      '0.5',
      '--blink',
      '0',
    ]);
    const options = parseJobSpec(
      {
        ...jobSpec(),
        engine: { name: 'liveportrait', options: { stitching: false, regions: ['lips'], warpGraph: 'auto' } },
      },
      { baseDir: '/p' },
    );
    expect(renderFlags(options).filter((_, i, a) => a[i - 1] === '--engine-option')).toEqual([
      'stitching=false',
      'regions=["lips"]',
      'warpGraph=auto',
    ]);
    const gaze = parseJobSpec({ ...jobSpec(), controls: { holdPose: true } }, { baseDir: '/p' });
    expect(() => renderFlags(gaze)).toThrow('but it sets gaze or hold-pose controls.');
  });

  it('refuses specs the render flags cannot express', () => {
    const spec = parseJobSpec({ ...jobSpec(), curves: { frames: [{ intensity: 0.5 }] } }, { baseDir: '/p' });
    expect(() => renderFlags(spec)).toThrow(
      'Expected a job spec that reenact render flags can express for a farm export but it sets curves. Remove it, or use reenact queue.',
    );
  });
});

describe('farm export: Deadline 10', () => {
  it('writes the golden JobInfo/PluginInfo pairs, and their command lines render the job', async () => {
    const out = path.join(dir, 'deadline');
    const r = await exportJob('deadline', 'job-deadline.json', out);
    expect(r.stderr).toBe('');
    const names = [
      'render_job_info.job',
      'render_plugin_info.job',
      'merge_job_info.job',
      'merge_plugin_info.job',
      'submit.txt',
    ];
    for (const n of names) golden(`deadline/${n}`, normalise(readFileSync(path.join(out, n), 'utf8')));
    const jobInfo = keyValues(readFileSync(path.join(out, 'render_job_info.job'), 'utf8'));
    const pluginInfo = keyValues(readFileSync(path.join(out, 'render_plugin_info.job'), 'utf8'));
    expect(jobInfo).toMatchObject({ Plugin: 'CommandLine', Frames: '0-47', ChunkSize: '20' });
    expect(pluginInfo.Arguments).toContain('--chunk <STARTFRAME>-<ENDFRAME>');
    // Deadline hands each task a frame range; the plugin substitutes the tokens and runs Executable with Arguments.
    const tasks = expandChunks(jobInfo.Frames, Number(jobInfo.ChunkSize)).map((c) => c.split('-'));
    await Promise.all(
      tasks.map(([start, end]) =>
        run(
          pluginInfo.Executable,
          splitArguments(pluginInfo.Arguments.replaceAll('<STARTFRAME>', start).replaceAll('<ENDFRAME>', end)),
        ),
      ),
    );
    const mergeInfo = keyValues(readFileSync(path.join(out, 'merge_plugin_info.job'), 'utf8'));
    await run(mergeInfo.Executable, splitArguments(mergeInfo.Arguments));
    expect(frameHashes(path.join(dir, 'deadline out'))).toEqual(reference);
  });
});
