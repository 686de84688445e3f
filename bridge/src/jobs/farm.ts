/**
 * Farm job files (docs/ARCHITECTURE.md, scale-out): the same chunked render written for render managers instead of our Redis queue. The job
 * spec itself travels with the job (`job.yaml` in the bundle) and every task runs `reenact render --spec …`, so every
 * control (gaze, hold pose, curves, engine options) reaches the workers without a flag for each.
 * - OpenJD (Open Job Description, jobtemplate-2023-09, as used by AWS Deadline Cloud): a job bundle — template.yaml,
 *   parameter_values.yaml, job.yaml. The spec is a PATH parameter whose default is relative to the bundle, which the
 *   Deadline Cloud CLI resolves against the bundle folder (and it refuses absolute defaults), so the bundle can move.
 *   A `Render` step with a CHUNK[INT] task parameter (TASK_CHUNKING extension), then a dependent `Merge` step.
 * - Deadline 10 (CommandLine plugin): JobInfo/PluginInfo pairs for the chunks (<STARTFRAME>/<ENDFRAME>) and the merge;
 *   job.yaml is submitted as each job's auxiliary file and named by the <AUXFILE0> token, so it too is found relative
 *   to wherever the bundle is submitted from.
 * The merge reads the spec too (`reenact merge --spec`), so chunks of an earlier version of a resubmitted job are left
 * out; render tasks replace such chunks (pipeline/output.ts).
 * Frame numbers are OUTPUT frame indices (0-based), as everywhere in reenact. Pure builders: data in, text out.
 */
import { stringify } from 'yaml';
import { ReenactError } from '../errors.js';
import type { JobSpec } from '../pipeline/spec.js';

/** The file name of the job spec inside a bundle. */
export const SPEC_FILE = 'job.yaml';

/**
 * Deadline Cloud's limit on CHUNK[INT] chunks.defaultTaskCount ("The maximum value is 150": Deadline Cloud developer
 * guide, CHUNK[INT] task parameter reference). The OpenJD specification itself sets no maximum.
 */
export const OPENJD_MAX_CHUNK = 150;

/** How the workers start reenact: a program, and (for `node main.js`) the script as its first argument. */
export interface FarmCommand {
  executable: string;
  script?: string;
}

/** Which machines take the job. Pools, groups are Deadline 10's; host requirements are OpenJD's. */
export interface Placement {
  /** 0-100 on both (Deadline 10 Priority, Deadline Cloud deadline:priority). */
  priority?: number;
  pool?: string;
  secondaryPool?: string;
  group?: string;
  /** OpenJD host requirements. */
  minCpus?: number;
  /** GiB. */
  minMemoryGiB?: number;
  gpus?: number;
  os?: 'linux' | 'windows' | 'macos';
}

export interface FarmJob {
  /** Job name shown by the farm (truncated to fit). */
  name: string;
  /** The job, paths absolute (as the workers see them on shared storage). */
  spec: JobSpec;
  /** Output frames of the whole job. */
  total: number;
  /** Frames per task, already within the format's limit (see chunkSizeFor). */
  chunkSize: number;
  command: FarmCommand;
  placement?: Placement;
}

/**
 * The default command on the workers. Windows: the full path of node.exe and of reenact's script, because the
 * CommandLine plugin starts a program without a shell and npm's `reenact.cmd` shim may not start that way; elsewhere
 * `reenact` from PATH.
 */
export function defaultCommand(platform: NodeJS.Platform, nodePath: string, script: string): FarmCommand {
  return platform === 'win32' ? { executable: nodePath, script } : { executable: 'reenact' };
}

/** The chunk size a format can take, and a sentence when the request had to be lowered. */
export function chunkSizeFor(format: 'openjd' | 'deadline', requested: number): { size: number; note?: string } {
  if (!Number.isInteger(requested) || requested < 1)
    throw new ReenactError('USAGE', `Expected --chunk-size ≥ 1 but received ${requested}.`);
  if (format === 'openjd' && requested > OPENJD_MAX_CHUNK)
    return {
      size: OPENJD_MAX_CHUNK,
      note: `--chunk-size ${requested} is above Deadline Cloud's limit of ${OPENJD_MAX_CHUNK} frames per chunk: the template uses chunks of ${OPENJD_MAX_CHUNK}.`,
    };
  return { size: requested };
}

/**
 * The spec shipped in the bundle: the whole job (no chunk: each task names its own), never `force` (a retried task
 * must resume its chunk, not start it over; the merge carries the job's force instead).
 */
export function shippedSpec(job: FarmJob): string {
  const { chunk: _chunk, ...spec } = job.spec;
  const shipped = { ...spec, output: { ...spec.output, force: false } };
  return `# The reenact job spec of the farm job "${job.name}" (reenact farm export); every render task reads it.\n${stringify(shipped, { lineWidth: 0 })}`;
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

function mergeFlags(spec: JobSpec): string[] {
  return [
    '--format',
    spec.output.format,
    ...(spec.output.preview ? ['--preview'] : []),
    ...(spec.output.force ? ['--force'] : []),
  ];
}

/** OpenJD host requirements (amount.worker.* in MiB for memory; attr.worker.os.family), or undefined when none. */
function hostRequirements(p: Placement = {}) {
  const amounts = [
    ...(p.minCpus ? [{ name: 'amount.worker.vcpu', min: p.minCpus }] : []),
    ...(p.minMemoryGiB ? [{ name: 'amount.worker.memory', min: Math.round(p.minMemoryGiB * 1024) }] : []),
    ...(p.gpus ? [{ name: 'amount.worker.gpu', min: p.gpus }] : []),
  ];
  const attributes = p.os ? [{ name: 'attr.worker.os.family', anyOf: [p.os] }] : [];
  if (!amounts.length && !attributes.length) return undefined;
  return { ...(amounts.length ? { amounts } : {}), ...(attributes.length ? { attributes } : {}) };
}

/**
 * An OpenJD job bundle: template.yaml, parameter_values.yaml (where the inputs and output are, the priority) and
 * job.yaml. Submit with `deadline bundle submit <bundle folder>`.
 */
export function openJdBundle(job: FarmJob): Record<string, string> {
  checkExport(job);
  const { spec } = job;
  const reenact = '{{Param.ReenactExecutable}}';
  const script = job.command.script ? ['{{Param.ReenactScript}}'] : [];
  const hosts = hostRequirements(job.placement);
  /** A step's host requirements and its one action: reenact with `args`, reporting JSON lines. */
  const runs = (args: string[]) => ({
    ...(hosts ? { hostRequirements: hosts } : {}),
    script: { actions: { onRun: { command: reenact, args: [...script, ...args, '--json'] } } },
  });
  const template = {
    specificationVersion: 'jobtemplate-2023-09',
    extensions: ['TASK_CHUNKING'],
    name: clip(`reenact ${job.name}`, 128),
    description: `reenact: animate ${spec.source} from ${spec.driving} into ${spec.output.dir} (${job.total} frames, chunks of ${job.chunkSize}, merged at the end).`,
    parameterDefinitions: [
      {
        name: 'JobSpec',
        type: 'PATH',
        objectType: 'FILE',
        dataFlow: 'IN',
        description: 'The reenact job spec (relative to the bundle).',
        default: SPEC_FILE,
      },
      // No defaults: the Deadline Cloud CLI refuses absolute PATH defaults; parameter_values.yaml gives the values.
      { name: 'Portrait', type: 'PATH', objectType: 'FILE', dataFlow: 'IN' },
      { name: 'Driving', type: 'PATH', objectType: 'FILE', dataFlow: 'IN' },
      { name: 'OutputDir', type: 'PATH', objectType: 'DIRECTORY', dataFlow: 'OUT' },
      {
        name: 'Frames',
        type: 'STRING',
        description: 'Output frames to render (0-based).',
        default: `0-${job.total - 1}`,
      },
      { name: 'ChunkSize', type: 'INT', default: job.chunkSize, minValue: 1, maxValue: OPENJD_MAX_CHUNK },
      {
        name: 'ReenactExecutable',
        type: 'STRING',
        description: 'The program that runs reenact on the workers.',
        default: job.command.executable,
      },
      ...(job.command.script
        ? [
            {
              name: 'ReenactScript',
              type: 'STRING',
              description: "reenact's script, the program's first argument.",
              default: job.command.script,
            },
          ]
        : []),
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
        ...runs([
          'render',
          '--spec',
          '{{Param.JobSpec}}',
          // The paths as the farm maps them onto each worker (job attachments, path mapping) win over the spec's.
          '--source',
          '{{Param.Portrait}}',
          '--driving',
          '{{Param.Driving}}',
          '--out',
          '{{Param.OutputDir}}',
          '--format',
          'png',
          '--chunk',
          '{{Task.Param.Frame}}',
        ]),
      },
      {
        name: 'Merge',
        dependencies: [{ dependsOn: 'Render' }],
        ...runs(['merge', '{{Param.OutputDir}}', '--spec', '{{Param.JobSpec}}', ...mergeFlags(spec)]),
      },
    ],
  };
  const values = {
    parameterValues: [
      { name: 'Portrait', value: spec.source },
      { name: 'Driving', value: spec.driving },
      { name: 'OutputDir', value: spec.output.dir },
      ...(job.placement?.priority !== undefined ? [{ name: 'deadline:priority', value: job.placement.priority }] : []),
    ],
  };
  return {
    'template.yaml': `# OpenJD job template written by reenact farm export. Submit the folder: deadline bundle submit <this folder>\n${stringify(template, { lineWidth: 0 })}`,
    'parameter_values.yaml': `# Where the job's files are (paths as the workers see them) and how it is scheduled.\n${stringify(values, { lineWidth: 0 })}`,
    [SPEC_FILE]: shippedSpec(job),
  };
}

/**
 * One Deadline argument: quoted when it holds spaces, or when it is a token the worker replaces with a path (which may).
 * @throws BAD_INPUT for a double quote (Deadline cannot pass it).
 */
function deadlineArg(arg: string): string {
  if (arg.includes('"'))
    throw new ReenactError('BAD_INPUT', `Expected no double quote in a path for Deadline but received ${arg}.`);
  return /[\s]/.test(arg) || arg === '' || /^<AUXFILE\d+>$/.test(arg) ? `"${arg}"` : arg;
}

function keyValues(entries: [string, string | number | undefined][]): string {
  return `${entries
    .filter((e): e is [string, string | number] => e[1] !== undefined)
    .map(([k, v]) => `${k}=${String(v).replace(/[\r\n]+/g, ' ')}`)
    .join('\n')}\n`;
}

/**
 * Deadline 10 CommandLine-plugin job files: chunks, then a merge job submitted as dependent on them, and job.yaml as
 * each job's auxiliary file. Submit from the bundle folder with the command in submit.txt.
 */
export function deadlineBundle(job: FarmJob): Record<string, string> {
  checkExport(job);
  const { spec } = job;
  const name = clip(`reenact ${job.name}`, 128);
  const p = job.placement ?? {};
  const script = job.command.script ? [job.command.script] : [];
  // <AUXFILE0>: the first auxiliary file submitted with the job, where the worker synced it (Deadline 10 manual,
  // "Manual Job Submission", arguments keywords of CommandLine jobs).
  const render = [
    ...script,
    'render',
    '--spec',
    '<AUXFILE0>',
    '--source',
    spec.source,
    '--driving',
    spec.driving,
    '--out',
    spec.output.dir,
    '--format',
    'png',
    '--chunk',
    '<STARTFRAME>-<ENDFRAME>',
    '--json',
  ];
  const merge = [...script, 'merge', spec.output.dir, '--spec', '<AUXFILE0>', ...mergeFlags(spec), '--json'];
  const plugin = (args: string[]) =>
    keyValues([
      ['Executable', job.command.executable],
      ['Arguments', args.map(deadlineArg).join(' ')],
      ['StartupDirectory', ''],
      ['Shell', 'default'],
      ['ShellExecute', 'False'],
      ['SingleFramesOnly', 'False'],
    ]);
  const placement: [string, string | number | undefined][] = [
    ['Pool', p.pool],
    ['SecondaryPool', p.secondaryPool],
    ['Group', p.group],
    ['Priority', p.priority],
  ];
  return {
    'render_job_info.job': keyValues([
      ['Plugin', 'CommandLine'],
      ['Name', `${name} (render)`],
      ['BatchName', name],
      ['Comment', `${job.total} output frames of ${spec.driving}`],
      ['Frames', `0-${job.total - 1}`],
      ['ChunkSize', job.chunkSize],
      ['OutputDirectory0', spec.output.dir],
      ...placement,
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
      ...placement,
    ]),
    'merge_plugin_info.job': plugin(merge),
    [SPEC_FILE]: shippedSpec(job),
    'submit.txt':
      'Submit both jobs from this folder, the merge dependent on the render, job.yaml going with each (Deadline 10):\n' +
      `  deadlinecommand -SubmitMultipleJobs -dependent -job render_job_info.job render_plugin_info.job ${SPEC_FILE} -job merge_job_info.job merge_plugin_info.job ${SPEC_FILE}\n` +
      'The portrait, clip and output folder must be valid paths on the workers (shared storage); frames are output frame numbers, 0-based.\n',
  };
}
