/**
 * `reenact farm export`: writes a render-manager job bundle for a job spec (or one per entry of a batch file): an
 * OpenJD job bundle (Deadline Cloud), or Deadline 10 JobInfo/PluginInfo pairs. Each bundle carries the job spec
 * (job.yaml) that every task renders with `reenact render --spec`, so it holds every control and can be moved; the
 * portrait, clip and output folder must be paths the workers can reach. Each job is checked first, as queue submit does.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Command, Option } from 'commander';
import { z } from 'zod';
import { ReenactError } from '../../errors.js';
import { loadJobsFile } from '../../jobs/batch.js';
import { checkJob } from '../../jobs/check.js';
import {
  chunkSizeFor,
  deadlineBundle,
  defaultCommand,
  type FarmCommand,
  OPENJD_MAX_CHUNK,
  openJdBundle,
  type Placement,
} from '../../jobs/farm.js';
import { intFlag, numberFlag } from '../flags.js';
import { printJson, printLine } from '../output.js';

interface FarmFlags extends Omit<Placement, 'os'> {
  format: 'openjd' | 'deadline';
  chunkSize: number;
  out: string;
  executable?: string;
  script?: string;
  os?: Placement['os'];
  force?: boolean;
  json?: boolean;
}

/** This install's CLI script (bridge/dist/cli/main.js), for the Windows default command. */
const MAIN_SCRIPT = fileURLToPath(new URL('../main.js', import.meta.url));

/** Placement flags belong to one format; given for the other they would be silently ignored, so they are refused. */
function checkPlacement(o: FarmFlags): void {
  const wrong =
    o.format === 'openjd'
      ? (['pool', 'secondaryPool', 'group'] as const).filter((k) => o[k] !== undefined)
      : (['minCpus', 'minMemoryGiB', 'gpus', 'os'] as const).filter((k) => o[k] !== undefined);
  if (!wrong.length) return;
  const flag = (k: string) =>
    `--${k === 'minMemoryGiB' ? 'min-memory' : k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
  throw new ReenactError(
    'USAGE',
    o.format === 'openjd'
      ? `Expected Deadline Cloud placement (--priority, --min-cpus, --min-memory, --gpus, --os) for --format openjd but received ${wrong.map(flag).join(', ')}, which are Deadline 10 settings.`
      : `Expected Deadline 10 placement (--priority, --pool, --secondary-pool, --group) for --format deadline but received ${wrong.map(flag).join(', ')}, which are OpenJD host requirements.`,
  );
}

function commandOf(o: FarmFlags): { command: FarmCommand; note?: string } {
  const command = o.executable
    ? { executable: o.executable, ...(o.script ? { script: o.script } : {}) }
    : defaultCommand(process.platform, process.execPath, MAIN_SCRIPT);
  const note = /\.(cmd|bat|ps1)$/i.test(command.executable)
    ? `--executable ${command.executable} is a script shim, which a farm may not start without a shell: name node.exe as --executable and reenact's bridge/dist/cli/main.js as --script.`
    : undefined;
  return { command, note };
}

export function register(program: Command): void {
  const farm = program
    .command('farm')
    .description('Job files for render farms (OpenJD / Deadline Cloud, Deadline 10).');
  farm
    .command('export')
    .description(
      'Write a farm job bundle per job: chunked renders with the job spec shipped beside them, then a merge.',
    )
    .argument('<spec>', 'job spec or batch file (.json, .yaml)')
    .addOption(
      new Option('--format <format>', 'job file format (required)')
        .choices(['openjd', 'deadline'])
        .makeOptionMandatory(),
    )
    .requiredOption('-o, --out <dir>', 'folder for the bundle (one subfolder per batch entry) (required)')
    .option(
      '--chunk-size <n>',
      `frames per task (OpenJD: at most ${OPENJD_MAX_CHUNK}, Deadline Cloud's limit)`,
      intFlag('--chunk-size', 1, 100_000),
      50,
    )
    .option('--priority <n>', 'job priority 0-100', intFlag('--priority', 0, 100))
    .option('--pool <name>', 'Deadline 10 pool')
    .option('--secondary-pool <name>', 'Deadline 10 secondary pool')
    .option('--group <name>', 'Deadline 10 group')
    .option('--min-cpus <n>', 'OpenJD host requirement: at least this many vCPUs', intFlag('--min-cpus', 1, 10_000))
    .option(
      '--min-memory <GiB>',
      'OpenJD host requirement: at least this much memory (GiB)',
      numberFlag('--min-memory', z.number().positive()),
    )
    .option('--gpus <n>', 'OpenJD host requirement: at least this many GPUs', intFlag('--gpus', 1, 64))
    .addOption(
      new Option('--os <family>', 'OpenJD host requirement: operating system').choices(['linux', 'windows', 'macos']),
    )
    .option(
      '--executable <path>',
      'the program that runs reenact on the workers (default: reenact; on Windows the full path of this node.exe, with --script)',
    )
    .option('--script <path>', "reenact's bridge/dist/cli/main.js, when --executable is node")
    .option('--force', 'replace an earlier, different render in the output folder (else the export refuses)')
    .option('--json', 'print the written files as JSON')
    .action(async (file: string, flags: FarmFlags & { minMemory?: number }) => {
      const o: FarmFlags = { ...flags, minMemoryGiB: flags.minMemory };
      checkPlacement(o);
      const notes: string[] = [];
      const { size, note } = chunkSizeFor(o.format, o.chunkSize);
      if (note) notes.push(note);
      const cmd = commandOf(o);
      if (cmd.note) notes.push(cmd.note);
      const jobs = await loadJobsFile(file);
      const placement: Placement = {
        priority: o.priority,
        pool: o.pool,
        secondaryPool: o.secondaryPool,
        group: o.group,
        minCpus: o.minCpus,
        minMemoryGiB: o.minMemoryGiB,
        gpus: o.gpus,
        os: o.os,
      };
      const bundles = [];
      for (const job of jobs) {
        // The planned spec ships: every task and the merge then agree on a range cut to the clip.
        const plan = await checkJob(job.spec, { force: o.force });
        const { total } = plan;
        notes.push(...plan.warnings.map((w) => (jobs.length > 1 ? `${job.name}: ${w}` : w)));
        const spec = o.force ? { ...plan.spec, output: { ...plan.spec.output, force: true } } : plan.spec;
        const farmJob = { name: job.name, spec, total, chunkSize: size, command: cmd.command, placement };
        bundles.push({
          dir: jobs.length > 1 ? path.join(path.resolve(o.out), job.name) : path.resolve(o.out),
          files: o.format === 'openjd' ? openJdBundle(farmJob) : deadlineBundle(farmJob),
        });
      }
      const written: string[] = [];
      for (const b of bundles) {
        await mkdir(b.dir, { recursive: true });
        for (const [name, text] of Object.entries(b.files)) {
          await writeFile(path.join(b.dir, name), text);
          written.push(path.join(b.dir, name));
        }
      }
      if (o.json) printJson({ type: 'farm', format: o.format, files: written, warnings: notes });
      else {
        for (const n of notes) process.stderr.write(`warning: ${n}\n`);
        for (const f of written) printLine(`→ ${f}`);
      }
    });
}
