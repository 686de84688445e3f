/**
 * A range past the clip (issue #20 item 6): `0-3000` on a 24-frame clip renders frames 0-23, says so, and records
 * 0-23 (it recorded end 3000 and said nothing); the same command again resumes that render; `500-600` has no frame in
 * the clip and is refused with the clip's length.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { frameHashes } from '../helpers/frames.js';
import { brightnessClip, PORTRAIT, tempDir } from '../helpers/media.js';

const dir = tempDir();
const clip = path.join(dir, 'clip.mp4');

beforeAll(async () => {
  await brightnessClip(clip, 24);
});

describe('--range past the clip', () => {
  const render = (range: string, out: string) =>
    runCli(['render', '-s', PORTRAIT, '-d', clip, '-o', out, '--engine', 'fixture', '--range', range]);

  it('renders what the clip has, warns, records it, and resumes on the same command', async () => {
    const out = path.join(dir, 'long');
    const r = await render('0-3000', out);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(
      `warning: Range 0-3000 goes past the last frame of ${clip} (23): clip frames 0-23 are rendered, and recorded as the range.`,
    );
    const m = JSON.parse(readFileSync(path.join(out, 'reenact.json'), 'utf8'));
    expect(m.spec.range).toEqual({ start: 0, end: 23 });
    expect(m.frameCount).toBe(24);
    expect(m.warnings).toContain(
      `Range 0-3000 goes past the last frame of ${clip} (23): clip frames 0-23 are rendered, and recorded as the range.`,
    );
    const again = await render('0-3000', out);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('24 frames: 0 rendered, 24 kept');
  });

  it('rendered in chunks from a spec file and merged with --spec, equals the unchunked render', async () => {
    // Each chunk records the range the clip has (0-23); the merge compared them with the file's 0-3000 and found
    // "only chunks rendered with other settings".
    const out = path.join(dir, 'chunked');
    const spec = path.join(dir, 'long.json');
    writeFileSync(
      spec,
      JSON.stringify({ source: PORTRAIT, driving: clip, output: out, engine: { name: 'fixture' }, range: '0-3000' }),
    );
    for (const chunk of ['0-11', '12-23']) {
      const r = await runCli(['render', '--spec', spec, '--chunk', chunk]);
      expect(r.code, r.stderr).toBe(0);
    }
    const merged = await runCli(['merge', out, '--spec', spec]);
    expect({ code: merged.code, stderr: merged.stderr }).toEqual({ code: 0, stderr: '' });
    const m = JSON.parse(readFileSync(path.join(out, 'reenact.json'), 'utf8'));
    expect(m.spec.range).toEqual({ start: 0, end: 23 });
    const whole = await runCli(['render', '--spec', spec, '-o', path.join(dir, 'chunked-whole')]);
    expect(whole.code, whole.stderr).toBe(0);
    expect(frameHashes(out)).toEqual(frameHashes(path.join(dir, 'chunked-whole')));
  });

  it('refuses a range with no frame in the clip', async () => {
    const r = await render('500-600', path.join(dir, 'none'));
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `reenact: Expected a frame range within 0-23 for ${clip} but received 500-600: the clip has 24 frames.\n`,
    );
  });
});
