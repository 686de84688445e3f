/** Runs the built `reenact` CLI (bridge/dist) as a real child process. `npm test` builds first (pretest). */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { vi } from 'vitest';

export const CLI = path.resolve(import.meta.dirname, '..', '..', 'bridge', 'dist', 'cli', 'main.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {},
): Promise<CliResult> {
  if (!existsSync(CLI)) throw new Error(`Build first: ${CLI} is missing (npm run build).`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...process.env, ...options.env },
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * Runs the CLI in this process (where a test's registered engines exist, and without a process start per call);
 * resolves with its exit code and stderr.
 */
export async function cliHere(...args: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    // Imported here: the whole CLI is a heavy import for the tests that only spawn it.
    const { runCli: run } = await import('../../bridge/src/cli/program.js');
    return { code: await run(['node', 'reenact', ...args]), stderr };
  } finally {
    err.mockRestore();
    out.mockRestore();
  }
}
