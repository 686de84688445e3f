import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { DRIVING, ffmpeg, PORTRAIT, tempDir } from '../helpers/media.js';
import { twoFaces } from '../reliability/corpus.js';

describe('reenact probe', () => {
  it('prints JSON with the rational fps', async () => {
    const r = await runCli(['probe', DRIVING, '--json']);
    expect(r.code).toBe(0);
    const info = JSON.parse(r.stdout);
    expect(info).toMatchObject({ kind: 'video', fps: '20', frameCount: 345, width: 320, height: 400, vfr: false });
  });
  it('prints a readable summary', async () => {
    const r = await runCli(['probe', PORTRAIT]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('still  512×512  png rgb24');
  });
  it('exits 2 with a clear message for a missing file', async () => {
    const missing = path.join(path.dirname(DRIVING), 'missing.mov');
    const r = await runCli(['probe', missing]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`reenact: File not found (${missing}). Check the path.\n`);
    const j = await runCli(['probe', missing, '--json']);
    expect(JSON.parse(j.stdout)).toMatchObject({ type: 'error', error: { code: 'BAD_INPUT' } });
  });
  it('documents exit codes in --help and prints the version', async () => {
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('130  cancelled');
    expect(help.stdout).toContain('probe');
    const v = await runCli(['--version'], { env: { PATH: '' } });
    const [version, ffmpeg, warning, ffprobe] = v.stdout.trim().split('\n');
    expect(v.code).toBe(0);
    expect(version).toMatch(/^\d+\.\d+\.\d+$/);
    // Which ffmpeg decodes the footage, and from where (issue #19 item 11): here the bundled 2018 snapshot.
    expect(ffmpeg).toMatch(
      /^ffmpeg 4\.1\+ \(git snapshot N-47683-g0e8eb07980-static, libavcodec 58\.42\.100, 2018\) from @ffmpeg-installer\/ffmpeg \(\/.+\/ffmpeg\)$/,
    );
    expect(warning).toMatch(/^warning: ffmpeg 4\.1\+ .* is older than FFmpeg 5\.1: /);
    expect(ffprobe).toMatch(/^ffprobe .* from @ffprobe-installer\/ffprobe \(\/.+\/ffprobe\)$/);
    const bad = await runCli(['frobnicate']);
    expect(bad.code).toBe(2);
  });
});

/**
 * Faces from the command line (issue #20 item 7): `probe --faces` lists what `--face index:N` / `--driving-face`
 * choose from, and a choice that matches nothing names every candidate and says indices start at 0.
 */
describe('reenact probe --faces and the "no such face" errors', () => {
  const dir = tempDir();
  const still = path.join(dir, 'two.png');
  const clip = path.join(dir, 'two.mp4');

  beforeAll(async () => {
    // Two faces in one still: the portrait beside a smaller copy of itself.
    await ffmpeg(
      '-i',
      PORTRAIT,
      '-i',
      PORTRAIT,
      '-filter_complex',
      '[1:v]scale=384:384,pad=384:512[b];[0:v][b]hstack',
      still,
    );
    await twoFaces(clip, 0, 6);
  });

  it('lists every face of a still, largest first', async () => {
    const r = await runCli(['probe', still, '--faces']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /faces, largest first; --face index:N picks one:\n {4}index 0: box 179,70 93×10\d, score 1\.00\n {4}index 1: box 64\d,5\d 7\d×8\d, score 1\.00\n {2}indices start at 0\n$/,
    );
    const j = JSON.parse((await runCli(['probe', still, '--faces', '--json'])).stdout);
    expect(j.faces.faces.map((f: { index: number; id: number }) => [f.index, f.id])).toEqual([
      [0, 0],
      [1, 1],
    ]);
    expect(j.faces.faces[0].box.width).toBeGreaterThan(j.faces.faces[1].box.width);
  });

  it('lists the faces of the first clip frame with faces, with their track ids', async () => {
    const r = await runCli(['probe', clip, '--faces', '--json']);
    expect(r.code).toBe(0);
    const { faces } = JSON.parse(r.stdout);
    expect(faces.frame).toBe(0);
    expect(faces.faces).toHaveLength(2);
    expect(faces.faces.map((f: { index: number }) => f.index)).toEqual([0, 1]);
    const text = await runCli(['probe', clip, '--faces']);
    expect(text.stdout).toContain('faces in clip frame 0 (the first with faces), largest first');
    expect(text.stdout).toMatch(/index 1 \(id \d\): box \d+,\d+ \d+×\d+, score \d\.\d\d/);
  });

  it('names the candidates when the portrait has no face N', async () => {
    const r = await runCli(['render', '-s', still, '-d', clip, '-o', path.join(dir, 'out'), '--face', '3']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      new RegExp(
        `^reenact: Expected face index 3 in the portrait \\(${still.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\) but it has 2 faces, largest first: index 0: box 179,70 93×10\\d, score 1\\.00; index 1: box .*\\. Indices start at 0: pick one with --face index:N \\(reenact probe --faces lists them\\)\\.\\n$`,
      ),
    );
  });

  it('names the candidates when the driving clip has no face N', async () => {
    const r = await runCli(['render', '-s', PORTRAIT, '-d', clip, '-o', path.join(dir, 'out2'), '--driving-face', '2']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `reenact: Expected face index 2 in the driving clip (${clip}) but clip frame 0, the first with faces, has 2 faces, largest first: index 0 (id `,
    );
    expect(r.stderr).toContain('Indices start at 0: pick one with --driving-face index:N or id:N');
  });
});
