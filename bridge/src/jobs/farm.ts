/**
 * Farm job files (docs/ARCHITECTURE.md, scale-out): the same chunked render written for render managers instead of our Redis queue.
 * - OpenJD (Open Job Description, jobtemplate-2023-09, as used by AWS Deadline Cloud): one template, a `Render` step
 *   whose CHUNK[INT] task parameter (TASK_CHUNKING extension) runs `reenact render … --chunk a-b`, then a `Merge` step
 *   that depends on it and runs `reenact merge`.
 * - Deadline 10 (CommandLine plugin): a JobInfo/PluginInfo pair for the chunks (Frames, ChunkSize, <STARTFRAME>/
 *   <ENDFRAME> tokens) and a second pair for the merge, submitted together as dependent jobs.
 * Frame numbers are OUTPUT frame indices (0-based), as everywhere in reenact. Pure builders: text in, text out.
 */
import { isDeepStrictEqual } from 'node:util';
import { stringify } from 'yaml';
import { FrameControlsSchema } from '../engines/controls.js';
import { ReenactError } from '../errors.js';
import type { FaceChoice } from '../face/types.js';
import type { JobSpec } from '../pipeline/spec.js';

export interface FarmJob {
  /** Job name shown by the farm (truncated to fit). */
  name: string;
  spec: JobSpec;
  /** Output frames of the whole job. */
  total: number;
  chunkSize: number;
  /** The reenact executable on the farm's workers (default "reenact"). */
  executable?: string;
  /** The job's control curves written to a file the workers can read (needed when the spec has curves). */
  curvesFile?: string;
}

function faceArg(choice: FaceChoice): string {
  switch (choice.by) {
    case 'largest':
      return 'largest';
    case 'index':
      return `index:${choice.index}`;
    case 'id':
      return `id:${choice.id}`;
    case 'point':
      return `point:${choice.x},${choice.y}`;
  }
}

/** Controls that have a render flag (`--intensity`, `--head`, …); gaze and hold-pose have none. */
const FLAG_CONTROLS = ['intensity', 'head', 'brows', 'eyes', 'mouth', 'blink'] as const;

/**
 * `reenact render` flags for everything in the spec except the inputs, the output folder and the chunk; curves as
 * `--curves <curvesFile>`.
 * @throws BAD_INPUT for spec fields that have no flag (curves without a file, gaze or hold-pose controls).
 */
export function renderFlags(spec: JobSpec, curvesFile?: string): string[] {
  const unsupported = (what: string) =>
    new ReenactError(
      'BAD_INPUT',
      `Expected a job spec that reenact render flags can express for a farm export but it sets ${what}. Remove it, or use reenact queue.`,
    );
  if (spec.curves && !curvesFile) throw unsupported('curves');
  const flagged = Object.fromEntries(FLAG_CONTROLS.map((k) => [k, spec.controls[k]]));
  if (!isDeepStrictEqual(spec.controls, FrameControlsSchema.parse(flagged)))
    throw unsupported('gaze or hold-pose controls');
  return [
    '--engine',
    spec.engine.name,
    '--device',
    spec.engine.device,
    ...Object.entries(spec.engine.options).flatMap(([k, v]) => ['--engine-option', `${k}=${optionText(v)}`]),
    '--face',
    faceArg(spec.face.source),
    '--driving-face',
    faceArg(spec.face.driving),
    ...(spec.referenceFrame === 'auto' ? [] : ['--ref-frame', String(spec.referenceFrame)]),
    '--intensity',
    String(spec.controls.intensity),
    // Region gains only when changed, so the usual command line stays short.
    ...FLAG_CONTROLS.slice(1).flatMap((k) => (spec.controls[k] === 1 ? [] : [`--${k}`, String(spec.controls[k])])),
    '--smooth',
    String(spec.smoothing),
    ...(spec.range ? ['--range', `${spec.range.start}-${spec.range.end}`] : []),
    ...(spec.fps ? ['--fps', spec.fps] : []),
    ...(spec.curves && curvesFile ? ['--curves', curvesFile] : []),
    '--on-frame-failure',
    spec.onFrameFailure,
    '--format',
    'png',
  ];
}

/** An option value as `--engine-option` reads it back: plain text when that is unambiguous, else JSON. */
function optionText(value: unknown): string {
  if (typeof value === 'string') {
    try {
      JSON.parse(value);
    } catch {
      return value; // "source", "auto": not JSON, so read back as the same text
    }
  }
  return JSON.stringify(value);
}

function mergeFlags(spec: JobSpec): string[] {
  return ['--format', spec.output.format, ...(spec.output.preview ? ['--preview'] : [])];
}

function checkExport(job: FarmJob): void {
  if (!Number.isInteger(job.chunkSize) || job.chunkSize < 1)
    throw new ReenactError('USAGE', `Expected --chunk-size ≥ 1 but received ${job.chunkSize}.`);
  if (job.total < 1)
    throw new ReenactError('BAD_INPUT', `Expected a job with at least one frame (${job.spec.driving}).`);
}

/** OpenJD names: 1-64 characters for steps, 1-128 for jobs; no control characters. */
function clip(text: string, max: number): string {
  const clean = text.replace(/[\p{Cc}]/gu, ' ').trim();
  return clean.length > max ? clean.slice(0, max) : clean || 'reenact';
}

/** The OpenJD job template (YAML). */
export function openJdTemplate(job: FarmJob): string {
  checkExport(job);
  // OpenJD caps CHUNK[INT] defaultTaskCount at 150 values.
  const chunkSize = Math.min(job.chunkSize, 150);
  const reenact = '{{Param.ReenactExecutable}}';
  const template = {
    specificationVersion: 'jobtemplate-2023-09',
    extensions: ['TASK_CHUNKING'],
    name: clip(`reenact ${job.name}`, 128),
    description: `reenact: animate ${job.spec.source} from ${job.spec.driving} into ${job.spec.output.dir} (${job.total} frames, chunks of ${chunkSize}, merged at the end).`,
    parameterDefinitions: [
      { name: 'Portrait', type: 'PATH', objectType: 'FILE', dataFlow: 'IN', default: job.spec.source },
      { name: 'Driving', type: 'PATH', objectType: 'FILE', dataFlow: 'IN', default: job.spec.driving },
      { name: 'OutputDir', type: 'PATH', objectType: 'DIRECTORY', dataFlow: 'OUT', default: job.spec.output.dir },
      {
        name: 'Frames',
        type: 'STRING',
        description: 'Output frames to render (0-based).',
        default: `0-${job.total - 1}`,
      },
      ...(job.curvesFile
        ? [{ name: 'Curves', type: 'PATH', objectType: 'FILE', dataFlow: 'IN', default: job.curvesFile }]
        : []),
      { name: 'ChunkSize', type: 'INT', default: chunkSize, minValue: 1, maxValue: 150 },
      {
        name: 'ReenactExecutable',
        type: 'STRING',
        description: 'The reenact command on the workers.',
        default: job.executable ?? 'reenact',
      },
    ],
    steps: [
      {
        name: 'Render',
        parameterSpace: {
          taskParameterDefinitions: [
            {
              name: 'Frame',
              type: 'CHUNK[INT]',
              range: '{{Param.Frames}}',
              chunks: { defaultTaskCount: '{{Param.ChunkSize}}', rangeConstraint: 'CONTIGUOUS' },
            },
          ],
        },
        script: {
          actions: {
            onRun: {
              command: reenact,
              args: [
                'render',
                '--source',
                '{{Param.Portrait}}',
                '--driving',
                '{{Param.Driving}}',
                '--out',
                '{{Param.OutputDir}}',
                ...renderFlags(job.spec, job.curvesFile ? '{{Param.Curves}}' : undefined),
                '--chunk',
                '{{Task.Param.Frame}}',
                '--json',
              ],
            },
          },
        },
      },
      {
        name: 'Merge',
        dependencies: [{ dependsOn: 'Render' }],
        script: {
          actions: {
            onRun: { command: reenact, args: ['merge', '{{Param.OutputDir}}', ...mergeFlags(job.spec), '--json'] },
          },
        },
      },
    ],
  };
  return `# OpenJD job template written by reenact farm export. Submit: deadline bundle submit <this folder>\n${stringify(template, { lineWidth: 0 })}`;
}

/** One Deadline argument: quoted when it holds spaces. @throws BAD_INPUT for a double quote (Deadline cannot pass it). */
function deadlineArg(arg: string): string {
  if (arg.includes('"'))
    throw new ReenactError('BAD_INPUT', `Expected no double quote in a path for Deadline but received ${arg}.`);
  return /[\s]/.test(arg) || arg === '' ? `"${arg}"` : arg;
}

function keyValues(entries: [string, string | number][]): string {
  return `${entries.map(([k, v]) => `${k}=${String(v).replace(/[\r\n]+/g, ' ')}`).join('\n')}\n`;
}

export interface DeadlineFiles {
  'render_job_info.job': string;
  'render_plugin_info.job': string;
  'merge_job_info.job': string;
  'merge_plugin_info.job': string;
  'submit.txt': string;
}

/** Deadline 10 CommandLine-plugin job files: chunks, then a merge job submitted as dependent on them. */
export function deadlineFiles(job: FarmJob): DeadlineFiles {
  checkExport(job);
  const { spec } = job;
  const executable = job.executable ?? 'reenact';
  const name = clip(`reenact ${job.name}`, 128);
  const render = [
    'render',
    '--source',
    spec.source,
    '--driving',
    spec.driving,
    '--out',
    spec.output.dir,
    ...renderFlags(spec, job.curvesFile),
    '--chunk',
    '<STARTFRAME>-<ENDFRAME>',
    '--json',
  ];
  const merge = ['merge', spec.output.dir, ...mergeFlags(spec), '--json'];
  const plugin = (args: string[]) =>
    keyValues([
      ['Executable', executable],
      ['Arguments', args.map(deadlineArg).join(' ')],
      ['StartupDirectory', ''],
      ['Shell', 'default'],
      ['ShellExecute', 'False'],
      ['SingleFramesOnly', 'False'],
    ]);
  return {
    'render_job_info.job': keyValues([
      ['Plugin', 'CommandLine'],
      ['Name', `${name} (render)`],
      ['BatchName', name],
      ['Comment', `${job.total} output frames of ${spec.driving}`],
      ['Frames', `0-${job.total - 1}`],
      ['ChunkSize', job.chunkSize],
      ['OutputDirectory0', spec.output.dir],
    ]),
    'render_plugin_info.job': plugin(render),
    'merge_job_info.job': keyValues([
      ['Plugin', 'CommandLine'],
      ['Name', `${name} (merge)`],
      ['BatchName', name],
      ['Comment', 'Joins the rendered chunks into one sequence and reenact.json'],
      ['Frames', '0'],
      ['ChunkSize', 1],
      ['OutputDirectory0', spec.output.dir],
    ]),
    'merge_plugin_info.job': plugin(merge),
    'submit.txt':
      'Submit both jobs, the merge dependent on the render (Deadline 10):\n' +
      '  deadlinecommand -SubmitMultipleJobs -dependent -job render_job_info.job render_plugin_info.job -job merge_job_info.job merge_plugin_info.job\n' +
      'Paths must be valid on the workers (shared storage); frames are output frame numbers, 0-based.\n',
  };
}
