/**
 * Fast iteration from the CLI: a render, then --only-changed with control curves that change a few frames →
 * only those frames are re-rendered (counted), the rest kept byte for byte; a --spec file drives the same job, and
 * region gains given as flags override it.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { ffmpeg, PORTRAIT, tempDir } from '../helpers/media.js';

const dir = tempDir();
const driving = path.join(dir, 'drive.mp4');
const out = path.join(dir, 'out');

function hashes(): string[] {
  const frames = path.join(out, 'frames');
  return readdirSync(frames)
    .sort()
    .map((n) =>
      createHash('sha1')
        .update(readFileSync(path.join(frames, n)))
        .digest('hex'),
    );
}

beforeAll(async () => {
  await ffmpeg(
    '-f',
    'lavfi',
    '-i',
    'color=gray:size=48x48:rate=25',
    '-vf',
    "geq=lum='128+90*sin(N/3)':cb=128:cr=128",
    '-frames:v',
    '20',
    '-c:v',
    'libx264',
    '-pix_fmt',
    'yuv420p',
    driving,
  );
});

describe('reenact render --spec / --curves / --only-changed', () => {
  it('refuses --only-changed when there is nothing to update', async () => {
    const r = await runCli([
      'render',
      '-s',
      PORTRAIT,
      '-d',
      driving,
      '-o',
      out,
      '--engine',
      'fixture',
      '--only-changed',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `reenact: Nothing to update in ${out}: it holds no earlier render. Run without --only-changed first.\n`,
    );
  });

  it('re-renders only the frames whose controls changed', async () => {
    const spec = path.join(dir, 'job.yaml');
    writeFileSync(spec, `source: ${PORTRAIT}\ndriving: drive.mp4\noutput:\n  dir: out\nengine:\n  name: fixture\n`);
    const first = await runCli(['render', '--spec', spec, '--json']);
    expect(first.code).toBe(0);
    const before = hashes();
    expect(before).toHaveLength(20);
    const curves = path.join(dir, 'curves.json');
    writeFileSync(
      curves,
      JSON.stringify({
        start: 0,
        frames: Array.from({ length: 20 }, (_, i) => (i >= 5 && i <= 7 ? { intensity: 0 } : {})),
      }),
    );
    const update = await runCli(['render', '--spec', spec, '--curves', curves, '--only-changed', '--json']);
    expect(update.code).toBe(0);
    const result = JSON.parse(update.stdout.trim().split('\n').pop()!);
    expect(result.stats).toEqual({ rendered: 3, kept: 17 });
    const after = hashes();
    expect(after.filter((h, i) => h !== before[i]).length).toBeLessThanOrEqual(3);
    expect(after.slice(0, 5)).toEqual(before.slice(0, 5));
    expect(after.slice(8)).toEqual(before.slice(8));
  });

  it('region gains from flags reach the job spec, over a --spec file, and are checked', async () => {
    const spec = path.join(dir, 'gains.yaml');
    writeFileSync(
      spec,
      `source: ${PORTRAIT}\ndriving: drive.mp4\noutput:\n  dir: gains\nengine:\n  name: fixture\ncontrols:\n  eyes: 0.5\n  mouth: 2\n`,
    );
    const r = await runCli(['render', '--spec', spec, '--mouth', '0', '--blink', '0', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const manifest = JSON.parse(readFileSync(path.join(dir, 'gains', 'reenact.json'), 'utf8'));
    expect(manifest.spec.controls).toMatchObject({ intensity: 1, head: 1, brows: 1, eyes: 0.5, mouth: 0, blink: 0 });
    const bad = await runCli(['render', '--spec', spec, '--head', '9']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--head');
  });

  it('engine options from --engine-option reach the engine, which refuses a bad one by name', async () => {
    const out2 = path.join(dir, 'options');
    const args = ['render', '-s', PORTRAIT, '-d', driving, '-o', out2, '--range', '0-1', '--json'];
    const bad = await runCli([...args, '--engine-option', 'maxYawDeg=90', '--engine-option', 'teeth=source']);
    expect(bad.code).toBe(2);
    expect(bad.stdout).toContain('Expected a value ≤ 60 for meshwarp.maxYawDeg but received 90.');
    const malformed = await runCli([...args, '--engine-option', 'teeth']);
    expect(malformed.code).toBe(2);
    expect(malformed.stdout + malformed.stderr).toContain(
      'Expected --engine-option name=value (e.g. teeth=source) but received \\"teeth\\".',
    );
  });

  it('asks for the inputs when neither flags nor a spec name them', async () => {
    const r = await runCli(['render', '-s', PORTRAIT]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Expected --source, --driving and --out (or a --spec file that names them).');
  });
});
