/** `reenact probe <file> [--json]`: what a still or clip is, as reenact sees it. */
import type { Command } from 'commander';
import { probe } from '../../media/probe.js';
import { formatRational, toNumber } from '../../util/rational.js';
import { formatSeconds, printJson, printLine } from '../output.js';

export function register(program: Command): void {
  program
    .command('probe')
    .description('Show size, frame rate (exact rational), frame count, rotation, alpha and VFR of an image or clip.')
    .argument('<file>', 'image or video file')
    .option('--json', 'print one JSON object')
    .action(async (file: string, opts: { json?: boolean }) => {
      const info = await probe(file);
      if (opts.json) {
        printJson({ ...info, fps: formatRational(info.fps), pixelAspect: formatRational(info.pixelAspect) });
        return;
      }
      printLine(info.file);
      printLine(
        `  ${info.kind}  ${info.width}×${info.height}  ${info.codec} ${info.pixelFormat}${info.hasAlpha ? ' (alpha)' : ''}`,
      );
      if (info.kind === 'video') {
        printLine(
          `  ${formatRational(info.fps)} fps (${toNumber(info.fps).toFixed(3)})  ${info.frameCount} frames  ${formatSeconds(info.duration)}` +
            `${info.vfr ? '  variable frame rate' : ''}${info.rotation ? `  rotated ${info.rotation}°` : ''}`,
        );
      }
      if (formatRational(info.pixelAspect) !== '1') printLine(`  pixel aspect ${formatRational(info.pixelAspect)}`);
    });
}
