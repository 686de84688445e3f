/**
 * Engine warnings reach the job: a turn to full profile is more than a 2-D warp can show, and the render says so once
 * per kind of warning with the frames it concerns (not once per frame).
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { JobEvent } from '../../bridge/src/pipeline/events.js';
import { renderJob } from '../../bridge/src/pipeline/render.js';
import { describeFrames, WarningGroups } from '../../bridge/src/pipeline/warnings.js';
import { DRIVING, PORTRAIT, tempDir } from '../helpers/media.js';

const dir = tempDir();

describe('engine warnings', () => {
  it('groups per-frame warnings by kind over frame runs, each told by its largest value', () => {
    const g = new WarningGroups();
    g.add('Head yaw of 31° is beyond what a 2-D warp can show (limit 20°); clamped.', 4);
    g.add('Head yaw of 35° is beyond what a 2-D warp can show (limit 20°); clamped.', 5);
    g.add('Head yaw of 22° is beyond what a 2-D warp can show (limit 20°); clamped.', 6);
    g.add('Head shift of 14 px is beyond what the warp ring allows (limit 12 px); clamped.', 9);
    expect(g.groups()).toEqual([
      { example: 'Head yaw of 35° is beyond what a 2-D warp can show (limit 20°); clamped.', frames: [4, 5, 6] },
      { example: 'Head shift of 14 px is beyond what the warp ring allows (limit 12 px); clamped.', frames: [9] },
    ]);
  });

  it('says which frames are output frames and which clip frames they show', () => {
    expect(describeFrames([2, 3, 4, 9], (i) => 180 + Math.floor(i / 2))).toBe(
      'output frames 2–4, 9 (clip frames 181–182, 184)',
    );
    expect(describeFrames([7], (i) => i)).toBe('output frame 7 (clip frame 7)');
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
      /^Output frames [\d–, ]+ \(clip frames [\d–, ]+\): Head yaw of [\d.]+° is beyond what the 3-D head can show \(limit 45°\)/.test(
        w,
      ),
    );
    expect(yaw).toHaveLength(1);
    expect(warnings.length).toBe(m.warnings.length);
    expect(m.warnings.length).toBeLessThan(5);
    expect(m.warnings).toContain(
      'No face in 3 output frames 2–4 (clip frames 182–184): they hold the last good frame.',
    );
    // Issue #20 item 2: a re-run that keeps every frame reports the same warnings (it wrote "warnings": [] before).
    const again = await renderJob({
      source: PORTRAIT,
      driving: DRIVING,
      output: { dir: path.join(dir, 'profile') },
      range: { start: 180, end: 200 },
      referenceFrame: 220,
    });
    expect(again.stats).toEqual({ rendered: 0, kept: 21 });
    expect(again.warnings).toEqual(m.warnings);
    expect(again.frames.filter((f) => f.warnings?.length).length).toBeGreaterThan(0);
  }, 120_000);
});
