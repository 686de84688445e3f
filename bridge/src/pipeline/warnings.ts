/** Job warnings about runs of frames: per-frame messages grouped by kind, and frame numbers written as runs. */

/** The first number in a message ("Head yaw of 41.5° …" → 41.5), or 0. */
function firstValue(message: string): number {
  const m = /-?\d+(?:\.\d+)?/.exec(message);
  return m ? Math.abs(Number(m[0])) : 0;
}

/**
 * Per-frame engine warnings grouped by kind (the text with its numbers masked), so a clip reports
 * "Output frames 98–140 (clip frames …): head shift … clamped" once instead of once per frame. A group's example is
 * its worst frame's message (the largest first number): the run's peak, not whichever frame came first.
 */
export class WarningGroups {
  private readonly byKind = new Map<string, { example: string; frames: number[] }>();

  add(message: string, frame: number): void {
    const kind = message.replace(/-?\d+(\.\d+)?/g, '#');
    const group = this.byKind.get(kind) ?? { example: message, frames: [] };
    if (firstValue(message) > firstValue(group.example)) group.example = message;
    group.frames.push(frame);
    this.byKind.set(kind, group);
  }

  groups(): { example: string; frames: number[] }[] {
    return [...this.byKind.values()];
  }
}

/** "40–52, 60" from sorted frame numbers (the first `limit` runs). */
export function describeRuns(indices: number[], limit = Number.POSITIVE_INFINITY): string {
  const runs: string[] = [];
  for (let i = 0; i < indices.length && runs.length < limit; ) {
    let j = i;
    while (j + 1 < indices.length && indices[j + 1] === indices[j] + 1) j++;
    runs.push(i === j ? `${indices[i]}` : `${indices[i]}–${indices[j]}`);
    i = j + 1;
  }
  return runs.join(', ');
}

/**
 * "output frames 40–52 (clip frames 20–26)": output frame numbers, and the driving clip frames they show, so neither
 * is mistaken for the other. `clipFrame` maps an output frame to its clip frame.
 */
export function describeFrames(outputFrames: number[], clipFrame: (index: number) => number): string {
  const clip = [...new Set(outputFrames.map(clipFrame))].sort((a, b) => a - b);
  const one = outputFrames.length === 1;
  return `output frame${one ? '' : 's'} ${describeRuns(outputFrames)} (clip frame${clip.length === 1 ? '' : 's'} ${describeRuns(clip)})`;
}
