/** Job warnings about runs of frames: per-frame messages grouped by kind, and frame numbers written as runs. */

/**
 * Per-frame engine warnings grouped by kind (the text with its numbers masked), so a clip reports
 * "Frames 98–140: head shift … clamped" once instead of once per frame.
 */
export class WarningGroups {
  private readonly byKind = new Map<string, { example: string; frames: number[] }>();

  add(message: string, frame: number): void {
    const kind = message.replace(/-?\d+(\.\d+)?/g, '#');
    const group = this.byKind.get(kind) ?? { example: message, frames: [] };
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
