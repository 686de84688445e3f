/**
 * Control curves change only the controls they name (issue #20 item 1): `--brows 3 --curves c.json`, where c.json keys
 * only `mouth`, keeps the brows at 3 — curve frames were parsed with every default filled in, which put brows back
 * to 1 and silently cancelled the flag.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { controlsFor } from '../../bridge/src/pipeline/controls-curve.js';
import { parseJobSpec } from '../../bridge/src/pipeline/parse.js';
import { runCli } from '../helpers/cli.js';
import { frameHashes } from '../helpers/frames.js';
import { DRIVING, PORTRAIT, tempDir } from '../helpers/media.js';

const dir = tempDir();

describe('curves on top of flags and spec controls', () => {
  it('a curve frame holds only the keys it names', () => {
    const spec = parseJobSpec({
      source: PORTRAIT,
      driving: DRIVING,
      output: { dir },
      controls: { brows: 3, holdPose: true },
      curves: { frames: [{ mouth: 0.5 }, {}, { brows: 0 }] },
    });
    expect(spec.curves?.frames).toEqual([{ mouth: 0.5 }, {}, { brows: 0 }]);
    expect(controlsFor(spec, 0)).toMatchObject({ brows: 3, mouth: 0.5, holdPose: true, intensity: 1 });
    expect(controlsFor(spec, 1)).toMatchObject({ brows: 3, mouth: 1 });
    expect(controlsFor(spec, 2)).toMatchObject({ brows: 0, mouth: 1 });
  });

  it('render --brows 3 --curves (mouth only) renders the brows at 3', async () => {
    const curves = path.join(dir, 'mouth.json');
    writeFileSync(curves, JSON.stringify({ start: 0, frames: [{ mouth: 0.5 }, { mouth: 0.5 }, { mouth: 0.5 }] }));
    const render = async (name: string, ...args: string[]) => {
      const out = path.join(dir, name);
      const r = await runCli([
        'render',
        '-s',
        PORTRAIT,
        '-d',
        DRIVING,
        '-o',
        out,
        '--range',
        '30-32',
        '--json',
        ...args,
      ]);
      expect(r.code).toBe(0);
      return frameHashes(out);
    };
    const both = await render('brows-and-curves', '--brows', '3', '--curves', curves);
    const curvesOnly = await render('curves-only', '--curves', curves);
    const flagsOnly = await render('flags-only', '--brows', '3', '--mouth', '0.5');
    expect(both).not.toEqual(curvesOnly);
    expect(both).toEqual(flagsOnly);
  });

  it('names the curves file and the frame of a bad value', async () => {
    const curves = path.join(dir, 'bad.json');
    writeFileSync(curves, JSON.stringify({ frames: [{ mouth: 0.5 }, { mouth: 9 }, { smile: 1 }] }));
    const r = await runCli(['render', '-s', PORTRAIT, '-d', DRIVING, '-o', path.join(dir, 'x'), '--curves', curves]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      new RegExp(
        `^reenact: Invalid control curves file \\(${curves.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\): frames\\[1\\]\\.mouth: .*; frames\\[2\\]: .*smile`,
      ),
    );
  });
});
