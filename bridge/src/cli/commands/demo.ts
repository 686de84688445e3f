/**
 * `reenact demo` (npm run demo): renders the bundled public-domain portrait performing the bundled driving clip with
 * the default engine into ./demo-out, with a side-by-side preview. Nothing is downloaded.
 */
import path from 'node:path';
import type { Command } from 'commander';
import { renderJob } from '../../pipeline/render.js';
import { packageRoot } from '../../util/paths.js';
import { formatSeconds, printJson, printLine } from '../output.js';
import { createEventView } from '../progress-view.js';

export function register(program: Command): void {
  program
    .command('demo')
    .description('Render the bundled sample (portrait + driving clip) into ./demo-out with a side-by-side preview.')
    .option('-o, --out <dir>', 'output folder', 'demo-out')
    .option('--json', 'print one JSON event per line')
    .action(async (o: { out: string; json?: boolean }) => {
      const media = path.join(packageRoot(), 'test', 'fixtures', 'media');
      const out = path.resolve(o.out);
      const view = createEventView({ json: o.json });
      const controller = new AbortController();
      const stop = () => controller.abort();
      process.once('SIGINT', stop);
      try {
        if (!o.json) printLine('reenact demo · engine meshwarp (offline) · device cpu');
        const manifest = await renderJob(
          {
            source: path.join(media, 'portrait-astronaut.png'),
            driving: path.join(media, 'driving-talk.mp4'),
            output: { dir: out, format: 'png', preview: true },
            engine: { name: 'meshwarp' },
            // The sample opens mid-laugh: measure motion from its most neutral frame, not from frame 0.
            referenceFrame: 'neutral',
          },
          { onEvent: view.onEvent, signal: controller.signal },
        );
        view.stop();
        if (o.json)
          printJson({
            type: 'result',
            manifest: path.join(out, 'reenact.json'),
            preview: path.join(out, 'preview.mp4'),
          });
        else {
          printLine(
            `→ frames   ${path.join(out, 'frames')} (${manifest.frameCount} PNG frames with matte, ${manifest.fps} fps)`,
          );
          printLine(`→ manifest ${path.join(out, 'reenact.json')}`);
          printLine(`→ preview  ${path.join(out, 'preview.mp4')} (driving | result)`);
          printLine(`done in ${formatSeconds(manifest.timings.totalSeconds)}`);
        }
      } finally {
        view.stop();
        process.off('SIGINT', stop);
      }
    });
}
