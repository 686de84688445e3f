/** Frame folder helpers for render tests: sha256 of every frame file, to compare renders byte for byte. */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** { "frame_00000.png": sha256, … } for `<out>/frames`. */
export function frameHashes(out: string): Record<string, string> {
  const frames = path.join(out, 'frames');
  return Object.fromEntries(
    readdirSync(frames)
      .sort()
      .map((n) => [
        n,
        createHash('sha256')
          .update(readFileSync(path.join(frames, n)))
          .digest('hex'),
      ]),
  );
}
