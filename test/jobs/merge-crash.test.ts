/**
 * A chunk merge killed at any step resumes. `reenact merge` runs in a child process that kills itself (SIGKILL, so no
 * cleanup runs) just before its N-th change to the file system — each link, copy, rename, removal, write or folder
 * made — for N = 1, 2, … until a merge gets through; after each kill the same merge is run again. It must complete with
 * every frame equal to an unchunked render, no chunk or temp left, and the user's files in the folder untouched.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { chunkSpecs, mergeChunks, planJob, splitIntoChunks } from '../../bridge/src/jobs/chunks.js';
import { renderJob } from '../../bridge/src/pipeline/render.js';
import type { JobSpecInput } from '../../bridge/src/pipeline/spec.js';
import { CLI } from '../helpers/cli.js';
import { frameHashes } from '../helpers/frames.js';
import { brightnessClip, tempDir } from '../helpers/media.js';
import { fixtureSpec } from '../helpers/spec.js';
import { outputProblems } from '../reliability/harness.js';

const dir = tempDir();
let driving = '';
let whole: Record<string, string>;

/**
 * Loaded into the child with --import: counts the calls that change the file system (node:fs/promises, whose named
 * imports follow the patched object after syncBuiltinESMExports) and kills the process before call number KILL_AT,
 * after printing which call that was.
 */
const KILLER = `
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
const at = Number(process.env.KILL_AT);
let n = 0;
for (const name of ['link', 'copyFile', 'rename', 'rm', 'rmdir', 'unlink', 'writeFile', 'mkdir', 'cp']) {
  const original = fs.promises[name];
  fs.promises[name] = function (...args) {
    if (++n === at) {
      fs.writeSync(2, 'killed before ' + name + ' ' + String(args[0]) + '\\n');
      process.kill(process.pid, 'SIGKILL');
    }
    return original.apply(this, args);
  };
}
syncBuiltinESMExports();
`;

const spec = (out: string): JobSpecInput => fixtureSpec(driving, out, { fps: '50' });

/** The merge CLI in a child that dies before its `killAt`-th file-system change. */
function mergeKilledAt(
  out: string,
  killAt: number,
  extra: string[],
): Promise<{ signal: string | null; stderr: string }> {
  const killer = path.join(dir, 'killer.mjs');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', killer, CLI, 'merge', out, ...extra], {
      env: { ...process.env, KILL_AT: String(killAt) },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ signal: signal ?? (code === 0 ? null : `exit ${code}`), stderr }));
  });
}

/** Every file under `folder` (relative name → contents), for the user's files. */
function contents(folder: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(folder, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => {
        const file = path.join(e.parentPath, e.name);
        return [path.relative(folder, file), readFileSync(file, 'utf8')];
      }),
  );
}

beforeAll(async () => {
  driving = path.join(dir, 'drive.mp4');
  await brightnessClip(driving, 3, 'sin(N/2)'); // 3 clip frames at 25 fps → 6 output frames at 50
  writeFileSync(path.join(dir, 'killer.mjs'), KILLER);
  await renderJob(spec(path.join(dir, 'whole')));
  whole = frameHashes(path.join(dir, 'whole'));
});

describe('a chunk merge killed at any step', () => {
  // With a preview: its steps come after every step of a PNG-only merge.
  it('resumes with no frame lost and no user file touched (PNG frames and a preview)', async () => {
    const steps: string[] = [];
    for (let killAt = 1; killAt < 200; killAt++) {
      const out = path.join(dir, `merge-${killAt}`);
      const plan = await planJob(spec(out));
      for (const s of chunkSpecs(plan.spec, splitIntoChunks(plan.total, 2))) await renderJob(s);
      // The user's: a note beside the render, and one in frames/ (not a frame's name).
      writeFileSync(path.join(out, 'notes.txt'), 'shot notes');
      mkdirSync(path.join(out, 'frames'), { recursive: true });
      writeFileSync(path.join(out, 'frames', 'readme.txt'), 'grade these');
      const users = { 'notes.txt': 'shot notes', 'frames/readme.txt': 'grade these' };

      const killed = await mergeKilledAt(out, killAt, ['--preview']);
      if (killed.signal === null) break; // fewer changes than killAt: this merge went through
      expect(killed.signal, killed.stderr).toBe('SIGKILL');
      steps.push(/killed before (\w+ \S+)/.exec(killed.stderr)?.[1]?.replace(out, '<out>') ?? killed.stderr);

      // The same merge again completes it.
      await mergeChunks(out, { preview: true }).catch((err: Error) => {
        throw new Error(`After a kill before ${steps.at(-1)}, the merge again failed: ${err.message}`);
      });
      expect(frameHashes(out), `killed before ${steps.at(-1)}`).toEqual({
        ...whole,
        'readme.txt': expect.any(String),
      });
      const left = readdirSync(out).sort();
      expect(left, `killed before ${steps.at(-1)}`).toEqual(['frames', 'notes.txt', 'preview.mp4', 'reenact.json']);
      expect(await outputProblems(out)).toEqual(['stray file frames/readme.txt']);
      const after = contents(out);
      expect({ 'notes.txt': after['notes.txt'], 'frames/readme.txt': after['frames/readme.txt'] }).toEqual(users);
    }

    // Every kind of step was hit: frames placed (link, rename), manifests written, the chunks removed.
    expect(steps.length).toBeGreaterThan(12);
    expect([...new Set(steps.map((s) => s.split(' ')[0]))].sort()).toEqual(
      expect.arrayContaining(['link', 'rename', 'rm', 'writeFile']),
    );
  }, 600_000);
});
