/**
 * `reenact probe <file> [--faces] [--json]`: what a still or clip is, as reenact sees it; with --faces, the faces a
 * render would choose from (`--face index:N` for a portrait, `--driving-face index:N|id:N` for a clip).
 */
import type { Command } from 'commander';
import { describeListing, type FaceListing, listFaceChoices } from '../../face/describe.js';
import { createFaceTracker, sortLargestFirst } from '../../face/index.js';
import { decodeFrames, readImage, resolveRange } from '../../media/decode.js';
import { probe } from '../../media/probe.js';
import type { ProbeResult } from '../../media/types.js';
import { formatRational, toNumber } from '../../util/rational.js';
import { formatSeconds, printJson, printLine } from '../output.js';
import { parseRange } from './render.js';

/** The faces a render chooses among: all faces of a still, or those of the first clip frame with any. */
interface FacesFound {
  /** Clip frame the faces are from (clips only); absent when no frame of the range has a face. */
  frame?: number;
  /** Clip frames looked at. */
  scanned?: { start: number; end: number };
  faces: FaceListing[];
}

/**
 * A still: every face (as `--face index:N` counts them). A clip: tracked from the range's first frame until a frame
 * shows faces, which is where `--driving-face` is resolved; ids then follow each person through the clip.
 */
async function findFaces(info: ProbeResult, range?: { start: number; end: number }): Promise<FacesFound> {
  const tracker = await createFaceTracker();
  try {
    if (info.kind !== 'video') {
      const image = await readImage(info.file, { channels: 3 });
      return { faces: listFaceChoices(sortLargestFirst(await tracker.detect(image))) };
    }
    const span = resolveRange(info, range);
    let last = span.start - 1;
    for await (const frame of decodeFrames(info.file, { info, range: span, channels: 3 })) {
      last = frame.sourceIndex;
      const found = await tracker.track(frame, frame.sourceIndex);
      if (found.faces.length)
        return {
          frame: frame.sourceIndex,
          scanned: { start: span.start, end: last },
          faces: listFaceChoices(sortLargestFirst(found.faces)),
        };
    }
    return { scanned: { start: span.start, end: last }, faces: [] };
  } finally {
    await tracker.dispose();
  }
}

function printFaces(info: ProbeResult, found: FacesFound): void {
  const clip = info.kind === 'video';
  if (!found.faces.length) {
    printLine(
      clip
        ? `  no face in clip frames ${found.scanned?.start}-${found.scanned?.end}`
        : '  no face found (faces need to be clearly visible, frontal and about 80 pixels wide or more)',
    );
    return;
  }
  printLine(
    clip
      ? `  faces in clip frame ${found.frame} (the first with faces), largest first; --driving-face index:N or id:N picks one:`
      : '  faces, largest first; --face index:N picks one:',
  );
  for (const f of found.faces) printLine(`    ${describeListing(f, clip)}`);
  printLine(`  indices start at 0${clip ? '; ids follow each person through the clip' : ''}`);
}

export function register(program: Command): void {
  program
    .command('probe')
    .description('Show size, frame rate (exact rational), frame count, rotation, alpha and VFR of an image or clip.')
    .argument('<file>', 'image or video file')
    .option('--faces', 'also list the faces (index, box, score) that --face / --driving-face choose from')
    .option('--range <a-b>', 'with --faces on a clip: clip frames to look in (as render --range)', parseRange)
    .option('--json', 'print one JSON object')
    .action(async (file: string, opts: { json?: boolean; faces?: boolean; range?: { start: number; end: number } }) => {
      const info = await probe(file);
      const found = opts.faces ? await findFaces(info, opts.range) : undefined;
      if (opts.json) {
        printJson({
          ...info,
          fps: formatRational(info.fps),
          pixelAspect: formatRational(info.pixelAspect),
          ...(found ? { faces: found } : {}),
        });
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
      if (found) printFaces(info, found);
    });
}
