/**
 * The bridge's log: JSON lines (pino, through fastify) in `<data>/logs/bridge.log`, rotated by size
 * (bridge.log → bridge.log.1 → … → bridge.log.N, oldest dropped). Secrets never reach the file: request URLs lose
 * their `token` query, Authorization headers are never serialised, and as a last guard every line is scrubbed of
 * the bridge token and of anything that looks like `Bearer …` or `token=…`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ensurePrivateDirSync, PRIVATE_FILE_MODE } from '../util/fs.js';

export interface RotatingFileOptions {
  /** Rotate when the file would exceed this many bytes (default 5 MiB). */
  maxBytes?: number;
  /** Rotated files kept (default 3). */
  keep?: number;
  /** Strings that must never be written (the token). */
  secrets?: string[];
}

/** Replaces secrets in a log line. */
export function scrub(line: string, secrets: readonly string[] = []): string {
  let out = line;
  for (const s of secrets) if (s.length >= 8) out = out.split(s).join('[redacted]');
  return out.replace(/(bearer\s+)[^\s"',]+/gi, '$1[redacted]').replace(/([?&]token=)[^&\s"']*/gi, '$1[redacted]');
}

/** Removes the `token` query parameter from a URL path (logs show the route, never the credential). */
export function redactUrl(url: string): string {
  return url.replace(/([?&])token=[^&]*/gi, '$1token=[redacted]');
}

/** A pino destination: synchronous appends (a crash loses no line) with size-based rotation. */
export class RotatingFile {
  private fd: number;
  private size: number;
  private readonly maxBytes: number;
  private readonly keep: number;
  private readonly secrets: string[];

  constructor(
    readonly file: string,
    options: RotatingFileOptions = {},
  ) {
    this.maxBytes = options.maxBytes ?? 5 * 1024 * 1024;
    this.keep = Math.max(1, options.keep ?? 3);
    this.secrets = options.secrets ?? [];
    ensurePrivateDirSync(path.dirname(file));
    this.fd = this.open();
    this.size = fs.fstatSync(this.fd).size;
  }

  write(chunk: string): boolean {
    const line = Buffer.from(scrub(chunk, this.secrets), 'utf8');
    if (this.size > 0 && this.size + line.length > this.maxBytes) this.rotate();
    fs.writeSync(this.fd, line);
    this.size += line.length;
    return true;
  }

  private rotate(): void {
    fs.closeSync(this.fd);
    for (let i = this.keep - 1; i >= 1; i--) {
      try {
        fs.renameSync(`${this.file}.${i}`, `${this.file}.${i + 1}`);
      } catch {}
    }
    fs.renameSync(this.file, `${this.file}.1`);
    try {
      fs.rmSync(`${this.file}.${this.keep + 1}`, { force: true });
    } catch {}
    this.fd = this.open();
    this.size = 0;
  }

  /** Opens for appending, 0600 — also a log an older version left 0644. */
  private open(): number {
    const fd = fs.openSync(this.file, 'a', PRIVATE_FILE_MODE);
    if (process.platform !== 'win32') fs.fchmodSync(fd, PRIVATE_FILE_MODE);
    return fd;
  }

  close(): void {
    try {
      fs.closeSync(this.fd);
    } catch {}
  }
}

/** Fastify/pino logger options writing to `stream` with secret-free request serialisation. */
export function loggerOptions(stream: { write(msg: string): void }, level = 'info') {
  return {
    level,
    stream,
    redact: { paths: ['req.headers.authorization', 'headers.authorization', 'token'], censor: '[redacted]' },
    serializers: {
      req(req: { method?: string; url?: string; ip?: string }) {
        return { method: req.method, url: redactUrl(req.url ?? ''), ip: req.ip };
      },
      res(res: { statusCode?: number }) {
        return { statusCode: res.statusCode };
      },
    },
  };
}
