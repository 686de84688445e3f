/**
 * Farm job bundles: `reenact farm export` for OpenJD and Deadline 10 against golden files (paths normalised), parsed
 * back and checked against the OpenJD rules we rely on; then each bundle is MOVED and submitted as the farm software
 * would read it (Deadline Cloud CLI parameter resolution, Deadline 10 auxiliary files and frame tokens), its commands are
 * run here, and the merged output is compared with an unchunked render of the same spec.
 */
import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { deadlineBundle, defaultCommand, openJdBundle } from '../../bridge/src/jobs/farm.js';
import { parseJobSpec } from '../../bridge/src/pipeline/parse.js';
import { renderJob } from '../../bridge/src/pipeline/render.js';
import { CLI, runCli } from '../helpers/cli.js';
import { frameHashes } from '../helpers/frames.js';
import { brightnessClip, FIXTURES, PORTRAIT, tempDir } from '../helpers/media.js';
import { bundleParameters, deadlineAuxFiles } from './farm-sim.js';
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
function exportJob(format: 'openjd' | 'deadline', job: string, out: string, ...extra: string[]) {
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
    ...extra,
  ]);
}

const fill = (s: string, values: Record<string, string>, task: Record<string, string> = {}) =>
  s.replace(/\{\{(Param|Task\.Param)\.(\w+)\}\}/g, (_, scope, name) => {
    const v = scope === 'Param' ? values[name] : task[name];
    if (v === undefined) throw new Error(`{{${scope}.${name}}} has no value`);
    return v;
  });

/**
 * Runs an OpenJD bundle as Deadline Cloud would: parameters resolved as `deadline bundle submit <bundle>` resolves
 * them, a Render task per chunk, then Merge. Returns the chunks.
 */
async function runOpenJd(bundle: string, only: 'render' | 'all' = 'all'): Promise<string[]> {
  const doc = parseYaml(readFileSync(path.join(bundle, 'template.yaml'), 'utf8'));
  const values = bundleParameters(bundle);
  const [render, merge] = doc.steps as {
    parameterSpace?: { taskParameterDefinitions: { range: string; chunks: { defaultTaskCount: string } }[] };
    script: { actions: { onRun: { command: string; args: string[] } } };
  }[];
  const chunkParam = render.parameterSpace!.taskParameterDefinitions[0];
  const chunks = expandChunks(fill(chunkParam.range, values), Number(fill(chunkParam.chunks.defaultTaskCount, values)));
  const { command, args } = render.script.actions.onRun;
  await Promise.all(
    chunks.map((c) =>
      run(
        fill(command, values),
        args.map((a) => fill(a, values, { Frame: c })),
      ),
    ),
  );
  if (only === 'all')
    await run(
      fill(merge.script.actions.onRun.command, values),
      merge.script.actions.onRun.args.map((a) => fill(a, values)),
    );
  return chunks;
}

/**
 * Runs a Deadline 10 bundle as the farm would: submitted from `bundle` with the command in submit.txt (auxiliary files
 * synced to a worker folder, <AUXFILE0> naming the first), a render task per chunk, then the merge.
 */
async function runDeadline(bundle: string, only: 'render' | 'all' = 'all'): Promise<void> {
  const jobInfo = keyValues(readFileSync(path.join(bundle, 'render_job_info.job'), 'utf8'));
  const pluginInfo = keyValues(readFileSync(path.join(bundle, 'render_plugin_info.job'), 'utf8'));
  const worker = path.join(dir, `worker-${path.basename(bundle)}-${Date.now()}`);
  mkdirSync(worker, { recursive: true });
  const aux = deadlineAuxFiles(readFileSync(path.join(bundle, 'submit.txt'), 'utf8'), 'render_plugin_info.job').map(
    (f, i) => {
      const synced = path.join(worker, `${i}-${path.basename(f)}`);
      copyFileSync(path.join(bundle, f), synced);
      return synced;
    },
  );
  const tokens = (text: string, start = '', end = '') =>
    text
      .replaceAll('<STARTFRAME>', start)
      .replaceAll('<ENDFRAME>', end)
      .replace(/<AUXFILE(\d+)>/g, (_, i) => aux[Number(i)]);
  const tasks = expandChunks(jobInfo.Frames, Number(jobInfo.ChunkSize)).map((c) => c.split('-'));
  await Promise.all(
    tasks.map(([start, end]) => run(pluginInfo.Executable, splitArguments(tokens(pluginInfo.Arguments, start, end)))),
  );
  if (only === 'render') return;
  const mergeInfo = keyValues(readFileSync(path.join(bundle, 'merge_plugin_info.job'), 'utf8'));
  await run(mergeInfo.Executable, splitArguments(tokens(mergeInfo.Arguments)));
}

/** Exports to `<name>`, then moves the bundle to `<name> moved` (a farm job folder may be copied anywhere). */
async function exportAndMove(format: 'openjd' | 'deadline', job: string, name: string, ...extra: string[]) {
  const out = path.join(dir, name);
  const r = await exportJob(format, job, out, ...extra);
  const moved = path.join(dir, `${name} moved`);
  renameSync(out, moved);
  return { r, out, moved };
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

/** A job with every control a flag cannot express: gaze, hold pose, curves; and a region gain. */
const controlled = (out: string) => ({
  ...jobSpec(out),
  controls: { mouth: 0.5, gazeLeft: [0.2, 0], gazeRight: [0.2, 0], holdPose: true },
  curves: { start: 0, frames: Array.from({ length: 48 }, (_, i) => ({ intensity: (i % 12) / 11 })) },
});

describe('farm export: OpenJD job bundle', () => {
  it('writes the golden bundle, which follows the OpenJD rules; moved elsewhere, it renders the job', async () => {
    const { r, out, moved } = await exportAndMove('openjd', 'job.json', 'openjd');
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(
      ['template.yaml', 'parameter_values.yaml', 'job.yaml'].map((f) => `→ ${path.join(out, f)}\n`).join(''),
    );
    for (const f of ['template.yaml', 'parameter_values.yaml', 'job.yaml'])
      golden(`openjd/${f}`, normalise(readFileSync(path.join(moved, f), 'utf8')));
    const doc = parseYaml(readFileSync(path.join(moved, 'template.yaml'), 'utf8'));
    expect(openJdProblems(doc)).toEqual([]);
    expect(await runOpenJd(moved)).toEqual(['0-19', '20-39', '40-47']);
    expect(frameHashes(path.join(dir, 'render out'))).toEqual(reference);
  });

  it('carries every control (gaze, hold pose, curves, gains) through the shipped spec', async () => {
    const spec = controlled('controlled out');
    writeFileSync(path.join(dir, 'job-controlled.json'), JSON.stringify(spec));
    const { r, moved } = await exportAndMove('openjd', 'job-controlled.json', 'openjd-controlled');
    expect(r.stderr).toBe('');
    expect(parseYaml(readFileSync(path.join(moved, 'job.yaml'), 'utf8'))).toMatchObject({
      controls: { mouth: 0.5, gazeLeft: [0.2, 0], holdPose: true },
      curves: { frames: spec.curves.frames },
    });
    await runOpenJd(moved);
    await renderJob(parseJobSpec({ ...spec, output: { dir: 'controlled whole' } }, { baseDir: dir }));
    const chunked = frameHashes(path.join(dir, 'controlled out'));
    expect(chunked).toEqual(frameHashes(path.join(dir, 'controlled whole')));
    expect(chunked).not.toEqual(reference); // the controls changed the frames
  });

  it('says when the chunk size is capped, and marks the required flags in --help', async () => {
    const r = await exportJob('openjd', 'job.json', path.join(dir, 'openjd-500'), '--chunk-size', '500');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(
      "warning: --chunk-size 500 is above Deadline Cloud's limit of 150 frames per chunk: the template uses chunks of 150.\n",
    );
    const doc = parseYaml(readFileSync(path.join(dir, 'openjd-500', 'template.yaml'), 'utf8'));
    expect(doc.parameterDefinitions.find((p: { name: string }) => p.name === 'ChunkSize').default).toBe(150);
    const help = await runCli(['farm', 'export', '--help']);
    expect(help.stdout).toMatch(/--format <format> +job file format \(required\)/);
    expect(help.stdout).toMatch(
      /-o, --out <dir> +folder for the bundle \(one subfolder per batch entry\)\s+\(required\)/,
    );
  });

  it('sets priority and host requirements; refuses Deadline 10 placement', async () => {
    const out = path.join(dir, 'openjd-placed');
    const r = await exportJob(
      'openjd',
      'job.json',
      out,
      '--priority',
      '80',
      '--gpus',
      '1',
      '--min-memory',
      '8',
      '--min-cpus',
      '4',
      '--os',
      'linux',
    );
    expect(r.stderr).toBe('');
    const doc = parseYaml(readFileSync(path.join(out, 'template.yaml'), 'utf8'));
    const hosts = {
      amounts: [
        { name: 'amount.worker.vcpu', min: 4 },
        { name: 'amount.worker.memory', min: 8192 },
        { name: 'amount.worker.gpu', min: 1 },
      ],
      attributes: [{ name: 'attr.worker.os.family', anyOf: ['linux'] }],
    };
    expect(doc.steps.map((s: { hostRequirements: unknown }) => s.hostRequirements)).toEqual([hosts, hosts]);
    const values = parseYaml(readFileSync(path.join(out, 'parameter_values.yaml'), 'utf8')).parameterValues;
    expect(values).toContainEqual({ name: 'deadline:priority', value: 80 });
    const bad = await exportJob('openjd', 'job.json', out, '--pool', 'gpu');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(
      'reenact: Expected Deadline Cloud placement (--priority, --min-cpus, --min-memory, --gpus, --os) for --format openjd but received --pool, which are Deadline 10 settings.\n',
    );
  });

  it('a changed job resubmitted over the chunks of the earlier one renders (they are replaced, not refused)', async () => {
    writeFileSync(path.join(dir, 'job-v1.json'), JSON.stringify(jobSpec('resubmitted out')));
    const first = await exportAndMove('openjd', 'job-v1.json', 'openjd-v1');
    expect(first.r.code).toBe(0);
    await runOpenJd(first.moved, 'render'); // the first version's chunks, never merged (the job was stopped)
    const v2 = { ...jobSpec('resubmitted out'), fps: '25' }; // another rate: another render in the same folder
    writeFileSync(path.join(dir, 'job-v2.json'), JSON.stringify(v2));
    const second = await exportAndMove('openjd', 'job-v2.json', 'openjd-v2');
    expect(second.r.code).toBe(0);
    await runOpenJd(second.moved);
    await renderJob(parseJobSpec({ ...v2, output: { dir: 'v2 whole' } }, { baseDir: dir }));
    expect(frameHashes(path.join(dir, 'resubmitted out'))).toEqual(frameHashes(path.join(dir, 'v2 whole')));
    // The merged v2 render is not scratch: a third version is refused at export, before any task runs, unless --force.
    const v3 = { ...jobSpec('resubmitted out'), fps: '50' };
    writeFileSync(path.join(dir, 'job-v3.json'), JSON.stringify(v3));
    const refused = await exportJob('openjd', 'job-v3.json', path.join(dir, 'openjd-v3'));
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(
      `reenact: The output folder already holds a different render (${path.join(dir, 'resubmitted out')}). Set output.force (--force) to replace it, or choose another output folder.\n`,
    );
    const forced = await exportJob('openjd', 'job-v3.json', path.join(dir, 'openjd-v3'), '--force');
    expect(forced.code).toBe(0);
    await runOpenJd(path.join(dir, 'openjd-v3'));
    expect(frameHashes(path.join(dir, 'resubmitted out'))).toEqual(reference);
  });

  it('a range past the clip: says so once, ships the range the clip has, merges, and exports again unrefused', async () => {
    // Issue #20 items 6 and 10: the export shipped "end: 3000", every task recorded 0-23 instead, and the merge then
    // found "only chunks rendered with other settings"; a finished job exported again was "a different render".
    const long = { ...jobSpec('long out'), range: '0-3000' };
    writeFileSync(path.join(dir, 'job-long.json'), JSON.stringify(long));
    const said = `warning: Range 0-3000 goes past the last frame of ${path.join(dir, 'drive.mp4')} (23): clip frames 0-23 are rendered, and recorded as the range.\n`;
    const { r, moved } = await exportAndMove('openjd', 'job-long.json', 'openjd-long');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(said);
    expect(parseYaml(readFileSync(path.join(moved, 'job.yaml'), 'utf8')).range).toEqual({ start: 0, end: 23 });
    expect(await runOpenJd(moved)).toEqual(['0-19', '20-39', '40-47']);
    expect(frameHashes(path.join(dir, 'long out'))).toEqual(reference);
    const again = await exportJob('openjd', 'job-long.json', path.join(dir, 'openjd-long-again'));
    expect({ code: again.code, stderr: again.stderr }).toEqual({ code: 0, stderr: said });
  });

  it('names full paths of node.exe and the script on Windows (no npm .cmd shim)', () => {
    const command = defaultCommand(
      'win32',
      'C:\\Program Files\\nodejs\\node.exe',
      'C:\\tools\\reenact\\bridge\\dist\\cli\\main.js',
    );
    expect(defaultCommand('linux', '/usr/bin/node', '/x/main.js')).toEqual({ executable: 'reenact' });
    const spec = parseJobSpec(jobSpec(), { baseDir: 'C:\\jobs' });
    const job = { name: 'w', spec, total: 48, chunkSize: 20, command };
    const plugin = keyValues(deadlineBundle(job)['render_plugin_info.job']);
    expect(plugin.Executable).toBe('C:\\Program Files\\nodejs\\node.exe');
    expect(plugin.Arguments).toMatch(/^C:\\tools\\reenact\\bridge\\dist\\cli\\main\.js render --spec "<AUXFILE0>" /);
    const doc = parseYaml(openJdBundle(job)['template.yaml']);
    expect(doc.steps[0].script.actions.onRun.command).toBe('{{Param.ReenactExecutable}}');
    expect(doc.steps[0].script.actions.onRun.args.slice(0, 4)).toEqual([
      '{{Param.ReenactScript}}',
      'render',
      '--spec',
      '{{Param.JobSpec}}',
    ]);
    expect(doc.parameterDefinitions.find((p: { name: string }) => p.name === 'ReenactScript').default).toBe(
      'C:\\tools\\reenact\\bridge\\dist\\cli\\main.js',
    );
    expect(openJdProblems(doc)).toEqual([]);
  });

  it('catches broken templates (the rules can fail)', () => {
    const spec = parseJobSpec(jobSpec(), { baseDir: '/p' });
    const doc = parseYaml(
      openJdBundle({ name: 'x'.repeat(200), spec, total: 10, chunkSize: 150, command: { executable: 'reenact' } })[
        'template.yaml'
      ],
    );
    expect(doc.name).toHaveLength(128);
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
});

describe('farm export: Deadline 10', () => {
  it('writes the golden JobInfo/PluginInfo pairs; moved elsewhere and submitted, they render the job', async () => {
    const { r, moved } = await exportAndMove('deadline', 'job-deadline.json', 'deadline');
    expect(r.stderr).toBe('');
    const names = [
      'render_job_info.job',
      'render_plugin_info.job',
      'merge_job_info.job',
      'merge_plugin_info.job',
      'job.yaml',
      'submit.txt',
    ];
    for (const n of names) golden(`deadline/${n}`, normalise(readFileSync(path.join(moved, n), 'utf8')));
    const jobInfo = keyValues(readFileSync(path.join(moved, 'render_job_info.job'), 'utf8'));
    const pluginInfo = keyValues(readFileSync(path.join(moved, 'render_plugin_info.job'), 'utf8'));
    expect(jobInfo).toMatchObject({ Plugin: 'CommandLine', Frames: '0-47', ChunkSize: '20' });
    expect(pluginInfo.Arguments).toContain('--spec "<AUXFILE0>"');
    expect(pluginInfo.Arguments).toContain('--chunk <STARTFRAME>-<ENDFRAME>');
    await runDeadline(moved);
    expect(frameHashes(path.join(dir, 'deadline out'))).toEqual(reference);
  });

  it('carries every control, and sets pool, group and priority', async () => {
    const spec = controlled('deadline controlled out');
    writeFileSync(path.join(dir, 'job-deadline-controlled.json'), JSON.stringify(spec));
    const { r, moved } = await exportAndMove(
      'deadline',
      'job-deadline-controlled.json',
      'deadline-controlled',
      '--pool',
      'gpu',
      '--secondary-pool',
      'any',
      '--group',
      'reenact',
      '--priority',
      '70',
    );
    expect(r.stderr).toBe('');
    for (const f of ['render_job_info.job', 'merge_job_info.job'])
      expect(keyValues(readFileSync(path.join(moved, f), 'utf8'))).toMatchObject({
        Pool: 'gpu',
        SecondaryPool: 'any',
        Group: 'reenact',
        Priority: '70',
      });
    await runDeadline(moved);
    await renderJob(parseJobSpec({ ...spec, output: { dir: 'deadline controlled whole' } }, { baseDir: dir }));
    expect(frameHashes(path.join(dir, 'deadline controlled out'))).toEqual(
      frameHashes(path.join(dir, 'deadline controlled whole')),
    );
    const bad = await exportJob('deadline', 'job-deadline.json', path.join(dir, 'x'), '--gpus', '1', '--os', 'linux');
    expect(bad.stderr).toBe(
      'reenact: Expected Deadline 10 placement (--priority, --pool, --secondary-pool, --group) for --format deadline but received --gpus, --os, which are OpenJD host requirements.\n',
    );
    expect(existsSync(path.join(dir, 'x'))).toBe(false);
  });
});
