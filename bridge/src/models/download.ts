/**
 * One resumable HTTP(S) download into `<name>.part`, hashed while it streams. A cut connection keeps the part so
 * the next attempt (or the next `reenact models install`) continues with an HTTP Range request; a server that
 * ignores Range restarts the file. Redirects are followed (Hugging Face answers with a CDN redirect).
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { stat, truncate } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import { ReenactError } from '../errors.js';
import { sha256File } from '../util/fs.js';

export interface DownloadProgress {
  /** Bytes in the part file so far. */
  done: number;
  /** Full size when the server said, else null. */
  total: number | null;
}

export interface DownloadResult {
  sha256: string;
  bytes: number;
  /** Bytes that were already in the part file when this attempt started. */
  resumedFrom: number;
}

/** A failure worth retrying from the part file (connection cut, timeout, 5xx). */
export class RetriableDownloadError extends Error {
  override readonly name = 'RetriableDownloadError';
}

/** No connection at all (DNS, refused, unreachable): the machine is probably offline. */
export class OfflineError extends Error {
  override readonly name = 'OfflineError';
}

const OFFLINE_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'ENETUNREACH', 'EHOSTUNREACH', 'ENETDOWN']);

async function sizeOf(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch {
    return 0;
  }
}

/** Feeds the first bytes of an existing part into `hash` so a resumed download hashes the whole file. */
async function hashExisting(file: string, hash: Hash): Promise<void> {
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
}

function request(url: string, headers: Record<string, string>, timeoutMs: number, signal?: AbortSignal) {
  return new Promise<http.IncomingMessage>((resolve, reject) => {
    const lib = url.startsWith('https:') ? https : http;
    const req = lib.get(url, { headers: { 'user-agent': 'reenact-models', ...headers }, signal }, resolve);
    // Silence before any answer looks like a firewall or no route: report it as offline instead of retrying for
    // minutes. Once the body streams, the same idle timeout surfaces as a cut connection (retried with Range).
    req.setTimeout(timeoutMs, () => req.destroy(new OfflineError(`no answer in ${timeoutMs} ms`)));
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code && OFFLINE_CODES.has(err.code)) reject(new OfflineError(`${err.code} ${err.message}`));
      else if (err instanceof OfflineError || err instanceof RetriableDownloadError || err.name === 'AbortError')
        reject(err);
      else reject(new RetriableDownloadError(err.message));
    });
  });
}

/**
 * Downloads `url` into `partFile`, resuming from its current size. Resolves with the sha256 of the whole part file.
 * @throws RetriableDownloadError (keep the part, try again), OfflineError, or ReenactError for HTTP 4xx.
 */
export async function downloadToPart(
  url: string,
  partFile: string,
  options: { onProgress?: (p: DownloadProgress) => void; timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<DownloadResult> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  let current = url;
  for (let redirects = 0; redirects < 8; redirects++) {
    const startAt = await sizeOf(partFile);
    const res = await request(current, startAt > 0 ? { range: `bytes=${startAt}-` } : {}, timeoutMs, options.signal);
    const status = res.statusCode ?? 0;
    if (status >= 300 && status < 400 && res.headers.location) {
      res.resume();
      current = new URL(res.headers.location, current).toString();
      continue;
    }
    if (status === 416 && startAt > 0) {
      // The part already holds the whole file (an earlier attempt ended right after the last byte).
      res.resume();
      return { sha256: await sha256File(partFile), bytes: startAt, resumedFrom: startAt };
    }
    if (status >= 500) {
      res.resume();
      throw new RetriableDownloadError(`HTTP ${status} from ${current}`);
    }
    if (status !== 200 && status !== 206) {
      res.resume();
      throw new ReenactError('MISSING_MODEL', `Could not download ${url}: HTTP ${status}.`, {
        details: { url: current, status },
      });
    }
    let offset = 0;
    let total: number | null = null;
    const length = Number(res.headers['content-length']);
    if (status === 206) {
      const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(String(res.headers['content-range'] ?? ''));
      if (!m || Number(m[1]) !== startAt) {
        res.resume();
        await truncate(partFile, 0);
        throw new RetriableDownloadError(`unexpected Content-Range "${res.headers['content-range']}" for ${current}`);
      }
      offset = startAt;
      total = m[3] === '*' ? null : Number(m[3]);
    } else {
      total = Number.isFinite(length) ? length : null;
      if (startAt > 0) await truncate(partFile, 0); // server ignored Range: start over
    }
    const hash = createHash('sha256');
    if (offset > 0) await hashExisting(partFile, hash);
    const expectedEnd = Number.isFinite(length) ? offset + length : null;
    let done = offset;
    const out = createWriteStream(partFile, { flags: offset > 0 ? 'a' : 'w' });
    try {
      await new Promise<void>((resolve, reject) => {
        res.on('data', (chunk: Buffer) => {
          hash.update(chunk);
          done += chunk.length;
          // No pause on back-pressure: a cut connection discards what a paused response still buffers, and every
          // byte that reached us should land in the part file (disks outpace downloads; the queue stays small).
          out.write(chunk);
          options.onProgress?.({ done, total });
        });
        res.on('error', (err) =>
          reject(new RetriableDownloadError(`connection cut after ${done} bytes (${err.message})`)),
        );
        res.on('aborted', () => reject(new RetriableDownloadError(`connection cut after ${done} bytes`)));
        res.on('end', () => {
          if (expectedEnd !== null && done < expectedEnd)
            reject(new RetriableDownloadError(`connection cut after ${done} of ${expectedEnd} bytes`));
          else resolve();
        });
      });
    } finally {
      await new Promise<void>((resolve) => out.end(resolve));
    }
    return { sha256: hash.digest('hex'), bytes: done, resumedFrom: offset };
  }
  throw new ReenactError('MISSING_MODEL', `Could not download ${url}: too many redirects.`);
}
