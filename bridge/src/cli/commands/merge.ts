/**
 * `reenact merge <dir>`: joins the chunks rendered into <dir>/chunks/ (reenact render … --chunk A-B, a queue worker or
 * a farm task) into one sequence (or ProRes movie) and one reenact.json, as an unchunked render would have written.
 */
import path from 'node:path';
import { type Command, Option } from 'commander';
import { mergeChunks } from '../../jobs/chunks.js';
import { printJson, printLine } from '../output.js';

interface MergeFlags {
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
    .option('--keep-chunks', 'keep <dir>/chunks/ after merging')
    .option('--force', 'replace a different render already in <dir>')
    .option('--json', 'print the result as JSON')
    .action(async (dir: string, o: MergeFlags) => {
      const manifest = await mergeChunks(dir, {
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
