/**
 * `reenact farm export`: writes render-manager job files for a job spec (or every entry of a batch file): an OpenJD
 * job template, or Deadline 10 JobInfo/PluginInfo pairs, running `reenact render … --chunk a-b` per chunk and
 * `reenact merge` at the end. Paths are written as given: they must be valid on the farm's workers (so must the job
 * file folder when the job has control curves: they are written there as curves.json).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type Command, Option } from 'commander';
import { ReenactError } from '../../errors.js';
import { loadJobsFile } from '../../jobs/batch.js';
import { planJob } from '../../jobs/chunks.js';
import { deadlineFiles, openJdTemplate } from '../../jobs/farm.js';
import { printJson, printLine } from '../output.js';

interface FarmFlags {
  format: 'openjd' | 'deadline';
  chunkSize: number;
  out: string;
  executable?: string;
  json?: boolean;
}

export function register(program: Command): void {
  const farm = program.command('farm').description('Job files for render farms (OpenJD, Deadline 10).');
  farm
    .command('export')
    .description('Write farm job files that render the job in chunks, then merge.')
    .argument('<spec>', 'job spec or batch file (.json, .yaml)')
    .addOption(new Option('--format <format>', 'job file format').choices(['openjd', 'deadline']).makeOptionMandatory())
    .option(
      '--chunk-size <n>',
      'frames per task',
      (t) => {
        const n = Number(t);
        if (!Number.isInteger(n) || n < 1)
          throw new ReenactError('USAGE', `Expected --chunk-size ≥ 1 but received "${t}".`);
        return n;
      },
      50,
    )
    .requiredOption('-o, --out <dir>', 'folder for the job files (one subfolder per batch entry)')
    .option('--executable <path>', 'the reenact command on the workers', 'reenact')
    .option('--json', 'print the written files as JSON')
    .action(async (file: string, o: FarmFlags) => {
      const jobs = await loadJobsFile(file);
      const written: string[] = [];
      for (const job of jobs) {
        const { total } = await planJob(job.spec);
        const dir = jobs.length > 1 ? path.join(path.resolve(o.out), job.name) : path.resolve(o.out);
        await mkdir(dir, { recursive: true });
        // Curves (AE keyframes sampled per frame) go in a file beside the job files, read by every render task.
        const curvesFile = job.spec.curves ? path.join(dir, 'curves.json') : undefined;
        const farmJob = {
          name: job.name,
          spec: job.spec,
          total,
          chunkSize: o.chunkSize,
          executable: o.executable,
          curvesFile,
        };
        const files: Record<string, string> =
          o.format === 'openjd' ? { 'template.yaml': openJdTemplate(farmJob) } : { ...deadlineFiles(farmJob) };
        if (curvesFile) files['curves.json'] = `${JSON.stringify(job.spec.curves)}\n`;
        for (const [name, text] of Object.entries(files)) {
          await writeFile(path.join(dir, name), text);
          written.push(path.join(dir, name));
        }
      }
      if (o.json) printJson({ type: 'farm', format: o.format, files: written });
      else for (const f of written) printLine(`→ ${f}`);
    });
}
