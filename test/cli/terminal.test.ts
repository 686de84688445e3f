/**
 * What the terminal says is what happened (issue #20 item 8): the header names the engine and the device that really
 * run; a re-run that keeps every frame says so ("24 kept", no thousands-of-fps bar); Ctrl-C says how many frames are
 * complete and kept, and how to resume.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, runCli } from '../helpers/cli.js';
import { DRIVING, PORTRAIT, tempDir } from '../helpers/media.js';

const dir = tempDir();

describe('terminal truth', () => {
  it('Ctrl-C says how many frames are kept and how to resume; the same command then resumes', async () => {
    const out = path.join(dir, 'interrupted');
    const args = ['render', '-s', PORTRAIT, '-d', DRIVING, '-o', out, '--range', '0-79', '--json'];
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (d) => {
        stdout += d;
        const done = [...stdout.matchAll(/"stage":"render","done":(\d+)/g)].map((m) => Number(m[1])).at(-1) ?? 0;
        if (done >= 5) resolve();
      });
    });
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    const error = JSON.parse(stdout.trim().split('\n').at(-1)!);
    expect(error.error.code).toBe('CANCELLED');
    const m =
      /^Cancelled: (\d+) of 80 frame\(s\) are complete and kept in (.*)\. Run the same command again to resume from there\.$/.exec(
        error.error.message,
      );
    expect(m?.[2]).toBe(out);
    const kept = Number(m?.[1]);
    expect(kept).toBeGreaterThanOrEqual(5);
    const resumed = await runCli(args.filter((a) => a !== '--json'));
    expect(resumed.code).toBe(0);
    expect(resumed.stdout.split('\n')[0]).toBe('reenact · engine meshwarp · device cpu');
    expect(resumed.stdout).toContain(`80 frames: ${80 - kept} rendered, ${kept} kept`);
  }, 120_000);
});
