/**
 * `reenact merge <dir>`: joins the chunks rendered into <dir>/chunks/ (reenact render … --chunk A-B, a queue worker or
 * a farm task) into one sequence (or ProRes movie) and one reenact.json, as an unchunked render would have written. With
 * --spec, chunks rendered with other settings (an earlier version of the job) are left out.
 */
import path from 'node:path';
import { type Command, Option } from 'commander';
import { readSpecFile } from '../../jobs/batch.js';
import { mergeChunks, planJob } from '../../jobs/chunks.js';
import { parseJobSpec } from '../../pipeline/parse.js';
import { printJson, printLine } from '../output.js';

interface MergeFlags {
  spec?: string;
  format?: 'png' | 'prores';
  preview?: boolean;
  keepChunks?: boolean;
  force?: boolean;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('merge')
    .description('Merge the rendered chunks in <dir>/chunks/ into one sequence and reenact.json.')
    .argument('<dir>', 'the job output folder (the --out of the chunk renders)')
    .addOption(new Option('--format <format>', 'merged output (default: as the chunks)').choices(['png', 'prores']))
    .option('--preview', 'also write preview.mp4 (driving | result side by side)')
    .option(
      '--spec <file>',
      "the job's spec: merge only chunks rendered with its settings (chunks of an earlier version are left out)",
    )
    .option('--keep-chunks', 'keep <dir>/chunks/ after merging')
    .option('--force', 'replace a different render already in <dir>')
    .option('--json', 'print the result as JSON')
    .action(async (dir: string, o: MergeFlags) => {
      const specFile = o.spec && path.resolve(o.spec);
      // As planned: the chunks recorded a range past the clip's end as the frames the clip has.
      const ofJob = specFile
        ? (
            await planJob(
              parseJobSpec(await readSpecFile(specFile), { baseDir: path.dirname(specFile), where: specFile }),
            )
          ).spec
        : undefined;
      const manifest = await mergeChunks(dir, {
        ofJob,
        format: o.format,
        preview: o.preview,
        keepChunks: o.keepChunks,
        force: o.force,
      });
      const file = path.join(path.resolve(dir), 'reenact.json');
      if (o.json) printJson({ type: 'result', manifest: file, frames: manifest.frameCount });
      else
        printLine(`→ ${path.join(path.resolve(dir), manifest.output)} (${manifest.frameCount} frames) + reenact.json`);
    });
}
