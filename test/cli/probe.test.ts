import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { DRIVING, PORTRAIT } from '../helpers/media.js';

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
    expect(r.stderr).toBe(
      `reenact: File not found (${missing}). Check the path, or re-link the footage in After Effects.\n`,
    );
    const j = await runCli(['probe', missing, '--json']);
    expect(JSON.parse(j.stdout)).toMatchObject({ type: 'error', error: { code: 'BAD_INPUT' } });
  });
  it('documents exit codes in --help and prints the version', async () => {
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('130  cancelled');
    expect(help.stdout).toContain('probe');
    const v = await runCli(['--version']);
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const bad = await runCli(['frobnicate']);
    expect(bad.code).toBe(2);
  });
});
