/**
 * Engine warnings reach the job: a turn to full profile is more than a 2-D warp can show, and the render says so once
 * per kind of warning with the frames it concerns (not once per frame).
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { JobEvent } from '../../bridge/src/pipeline/events.js';
import { renderJob } from '../../bridge/src/pipeline/render.js';
import { WarningGroups } from '../../bridge/src/pipeline/warnings.js';
import { DRIVING, PORTRAIT, tempDir } from '../helpers/media.js';

const dir = tempDir();

describe('engine warnings', () => {
  it('groups per-frame warnings by kind over frame runs', () => {
    const g = new WarningGroups();
    g.add('Head yaw of 31° is beyond what a 2-D warp can show (limit 20°); clamped.', 4);
    g.add('Head yaw of 35° is beyond what a 2-D warp can show (limit 20°); clamped.', 5);
    g.add('Head shift of 14 px is beyond what the warp ring allows (limit 12 px); clamped.', 9);
    expect(g.groups()).toEqual([
      { example: 'Head yaw of 31° is beyond what a 2-D warp can show (limit 20°); clamped.', frames: [4, 5] },
      { example: 'Head shift of 14 px is beyond what the warp ring allows (limit 12 px); clamped.', frames: [9] },
    ]);
  });

  it('reports the turn to profile in the bundled clip as a yaw warning with its frames', async () => {
    const warnings: JobEvent[] = [];
    const m = await renderJob(
      {
        source: PORTRAIT,
        driving: DRIVING,
        output: { dir: path.join(dir, 'profile') },
        range: { start: 180, end: 200 },
        referenceFrame: 220,
      },
      { onEvent: (e) => e.type === 'warning' && warnings.push(e) },
    );
    const yaw = m.warnings.filter((w) =>
      /^Frames [\d–, ]+: Head yaw of [\d.]+° is beyond what the 3-D head can show \(limit 45°\)/.test(w),
    );
    expect(yaw).toHaveLength(1);
    expect(warnings.length).toBe(m.warnings.length);
    expect(m.warnings.length).toBeLessThan(5);
    expect(m.warnings).toContain('No face in 3 frame(s) (2–4): they hold the last good frame.');
  }, 120_000);
});
