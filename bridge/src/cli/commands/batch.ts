/**
 * `reenact batch <spec.(json|yaml)>`: renders every entry of a batch file locally, a few at once, then writes
 * batch-report.json (beside the file, or --report) and prints a table. Re-running skips complete jobs and resumes
 * partial ones. Exit code: 0 when every job is done or skipped, otherwise that of the first failure.
 */
import path from 'node:path';
import type { Command } from 'commander';
import { ReenactError } from '../../errors.js';
import { loadBatchFile } from '../../jobs/batch.js';
import { formatBatchTable, runBatch } from '../../jobs/batch-run.js';
import { ensureDir, writeFileAtomic } from '../../util/fs.js';
import { intFlag } from '../flags.js';
import { printJson, printLine } from '../output.js';

interface BatchFlags {
  concurrency?: number;
  report?: string;
  json?: boolean;
}

/** Failures that the same input repeats: fixing the input, not running again, is what helps. */
const PERMANENT = new Set(['USAGE', 'BAD_INPUT', 'OUTPUT_EXISTS', 'MISSING_MODEL', 'MISSING_DEPENDENCY']);

export function register(program: Command): void {
  program
    .command('batch')
    .description('Render every entry of a batch file (JSON or YAML); re-running resumes.')
    .argument(
      '<spec>',
      'batch file: { defaults?, concurrency?, entries: [{ name?, portrait, driving, output, options? }] }',
    )
    .option('-c, --concurrency <n>', 'jobs at once (default: the file’s, else 1)', intFlag('--concurrency', 1, 64))
    .option('--report <file>', 'where to write the JSON report (default: batch-report.json beside the spec)')
    .option('--json', 'print one JSON event per line, then the report')
    .action(async (file: string, o: BatchFlags) => {
      const batch = await loadBatchFile(file);
      const controller = new AbortController();
      const onSignal = () => controller.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      try {
        const report = await runBatch(batch, {
          concurrency: o.concurrency,
          signal: controller.signal,
          onEvent: (job, e) => {
            if (o.json && e.type !== 'preview') printJson({ ...e, batchIndex: job.index });
            else if (!o.json && e.type === 'started') printLine(`[${job.index}] ${job.name}: ${e.totalFrames} frames…`);
          },
          onJobEnd: (r) => {
            if (!o.json) printLine(`[${r.index}] ${r.name}: ${r.status}${r.error ? ` (${r.error.message})` : ''}`);
          },
        });
        const reportFile = path.resolve(o.report ?? path.join(path.dirname(path.resolve(file)), 'batch-report.json'));
        await ensureDir(path.dirname(reportFile));
        await writeFileAtomic(reportFile, `${JSON.stringify(report, null, 2)}\n`);
        if (o.json) printJson({ type: 'report', file: reportFile, report });
        else {
          printLine();
          printLine(formatBatchTable(report));
          printLine(`→ ${reportFile}`);
        }
        const failed = report.jobs.filter((j) => j.status === 'failed' || j.status === 'cancelled');
        if (failed.length) {
          const first = failed[0];
          // Running again helps a cancelled job or a passing fault; a bad input fails the same way until it is fixed.
          const resumable = failed.some((j) => j.status === 'cancelled' || !PERMANENT.has(j.error?.code ?? ''));
          throw new ReenactError(
            first.status === 'cancelled' ? 'CANCELLED' : ((first.error?.code as 'INTERNAL') ?? 'INTERNAL'),
            `${failed.length} of ${report.jobs.length} batch job(s) did not finish (entries[${first.index}] ${first.name}: ${first.error?.message}). See ${reportFile}; ${
              resumable
                ? 'run the same command again to resume.'
                : 'fix what each error names: the next run of the batch skips the jobs that finished.'
            }`,
          );
        }
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });
}
