/**
 * Running ffmpeg and ffprobe: `runProcess` for calls whose output is read whole (probe, a still's decode) owns spawn,
 * abort, timeout and kill; the streaming decoder and the movie encoder spawn their own long-lived process but share
 * the pieces here, so every error carries the command and the last stderr lines. Argument lists come from the pure
 * builders in ffmpeg-args.ts.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { ReenactError } from '../errors.js';
import { debug } from '../log.js';

export interface RunOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Bytes to write to stdin (then closed). */
  input?: Uint8Array;
}

export interface RunResult {
  stdout: Buffer;
  stderr: string;
}

const STDERR_TAIL = 4000;

/** Quotes an argv for error messages (copy-pastable in a POSIX shell). */
export function formatCommand(bin: string, args: readonly string[]): string {
  return [bin, ...args].map((a) => (/^[\w./:=,+-]+$/.test(a) ? a : `'${a.replaceAll("'", "'\\''")}'`)).join(' ');
}

export function lastLines(text: string, n = 8): string {
  return text.trim().split(/\r?\n/).slice(-n).join('\n');
}

/** Error for a finished process that failed. */
export function processError(
  bin: string,
  args: readonly string[],
  code: number | null,
  signal: string | null,
  stderr: string,
) {
  const tail = lastLines(stderr);
  const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
  return new ReenactError('FFMPEG_FAILED', `${bin.split(/[\\/]/).pop()} ${how}${tail ? `: ${tail}` : ''}`, {
    details: { command: formatCommand(bin, args), stderr: tail },
  });
}

/** Kills a child and its pipes; safe to call twice. */
export function killProcess(child: ChildProcess): void {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

/** Runs to completion, collecting stdout; rejects with FFMPEG_FAILED (or CANCELLED) on failure. */
export function runProcess(bin: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) return reject(new ReenactError('CANCELLED', 'Cancelled.'));
    debug('run %s', formatCommand(bin, args));
    const child = spawn(bin, args, { stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
    const out: Buffer[] = [];
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-STDERR_TAIL);
    });
    const onAbort = () => killProcess(child);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const timer = options.timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          killProcess(child);
        }, options.timeoutMs)
      : undefined;
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new ReenactError('MISSING_DEPENDENCY', `Could not start ${bin}: ${err.message}`, { cause: err }));
    });
    child.stdin.on('error', () => {}); // EPIPE when the process exits early: the exit code tells the story
    child.on('close', (code, sig) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      if (options.signal?.aborted) return reject(new ReenactError('CANCELLED', 'Cancelled.'));
      if (timedOut) {
        return reject(
          new ReenactError('FFMPEG_FAILED', `${bin} timed out after ${options.timeoutMs} ms`, {
            details: { command: formatCommand(bin, args) },
          }),
        );
      }
      if (code !== 0) return reject(processError(bin, args, code, sig, stderr));
      resolve({ stdout: Buffer.concat(out), stderr });
    });
    child.stdin.end(options.input ?? undefined);
  });
}
