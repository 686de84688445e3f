/**
 * The one error class of reenact. Every failure a user can meet carries a `code` (what kind of failure,
 * which also decides the CLI exit code) and a message that names the file or value and the fix.
 *
 * Message form (tests assert exact text): "Expected <what> for <name> but received <value>. <fix>"
 * or "<what happened> (<file>). <what to do>".
 */

export type ErrorCode =
  | 'USAGE' // bad flags or arguments
  | 'BAD_INPUT' // an input file or value is unusable (missing, corrupt, unsupported, no face…)
  | 'OUTPUT_EXISTS' // refusing to overwrite without --force
  | 'OUTPUT_UNWRITABLE' // read-only or full output folder
  | 'MISSING_DEPENDENCY' // ffmpeg, a Node version, a provider…
  | 'MISSING_MODEL' // model weights not installed
  | 'FFMPEG_FAILED'
  | 'ENGINE_FAILED'
  | 'CANCELLED'
  | 'NOT_FOUND' // no job (or queued job) with that id
  | 'CONFLICT' // a verb that does not fit the job's state (cancel a finished job, remove a running one)
  | 'SHUTTING_DOWN' // the bridge takes no new work while it stops
  | 'INTERNAL';

/** CLI exit codes (documented in `reenact --help`): 0 done, 1 failed, 2 bad usage or input, 3 missing models or dependencies, 130 cancelled. */
export const EXIT_CODES: Record<ErrorCode, number> = {
  USAGE: 2,
  BAD_INPUT: 2,
  OUTPUT_EXISTS: 2,
  OUTPUT_UNWRITABLE: 1,
  MISSING_DEPENDENCY: 3,
  MISSING_MODEL: 3,
  FFMPEG_FAILED: 1,
  ENGINE_FAILED: 1,
  CANCELLED: 130,
  NOT_FOUND: 2,
  CONFLICT: 2,
  SHUTTING_DOWN: 1,
  INTERNAL: 1,
};

export class ReenactError extends Error {
  override readonly name = 'ReenactError';
  readonly code: ErrorCode;
  /** Extra machine-readable facts (file, frame, command…) for --json output and logs. */
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details ?? {};
  }

  get exitCode(): number {
    return EXIT_CODES[this.code];
  }

  toJSON(): ErrorData {
    return { code: this.code, message: this.message, details: this.details };
  }

  /** The error again from its toJSON() (sent between threads or processes). */
  static fromJSON(data: ErrorData): ReenactError {
    return new ReenactError(data.code, data.message, { details: data.details });
  }
}

export interface ErrorData {
  code: ErrorCode;
  message: string;
  details: Record<string, unknown>;
}

/** The message of anything thrown (an Error's message, else the value as text). */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Wraps anything thrown into a ReenactError, keeping ours as they are. */
export function asReenactError(err: unknown, fallback: ErrorCode = 'INTERNAL'): ReenactError {
  if (err instanceof ReenactError) return err;
  if (isAbortError(err)) return new ReenactError('CANCELLED', 'Cancelled.', { cause: err });
  return new ReenactError(fallback, messageOf(err), { cause: err });
}

export function isAbortError(err: unknown): boolean {
  return err instanceof Error && (err.name === 'AbortError' || (err as { code?: string }).code === 'ABORT_ERR');
}

/** Throws CANCELLED if the signal is aborted; call between frames. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new ReenactError('CANCELLED', 'Cancelled.', { cause: signal.reason });
}
