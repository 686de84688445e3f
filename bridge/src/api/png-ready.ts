/**
 * Waiting for a PNG that After Effects is still writing. `saveFrameToPng` (behind the host call exportStill)
 * returns before the file is on disk in recent AE and writes it in the background, so "the file exists" or "its
 * size stopped changing" are not completion: a PNG is complete when it starts with the PNG signature and ends with
 * the IEND chunk (its type and CRC are the same 8 bytes in every PNG).
 */
import { open, stat } from 'node:fs/promises';
import { ReenactError } from '../errors.js';

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** "IEND" + its CRC-32, the last 8 bytes of every complete PNG. */
const IEND_TAIL = [0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82];

/** Whether `head` (the file's first 8+ bytes) and `tail` (its last 8 bytes) frame a complete PNG. */
export function isCompletePng(head: Uint8Array, tail: Uint8Array): boolean {
  if (head.length < 8 || tail.length < 8) return false;
  for (let i = 0; i < 8; i++) {
    if (head[i] !== SIGNATURE[i] || tail[tail.length - 8 + i] !== IEND_TAIL[i]) return false;
  }
  return true;
}

/** Reads the first and last 8 bytes of `file`; false while it is missing, short or unfinished. */
export async function pngIsComplete(file: string): Promise<boolean> {
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch {
    return false;
  }
  if (size < 57) return false; // signature + IHDR + an IDAT + IEND
  const fh = await open(file, 'r');
  try {
    const head = new Uint8Array(8);
    const tail = new Uint8Array(8);
    await fh.read(head, 0, 8, 0);
    await fh.read(tail, 0, 8, size - 8);
    return isCompletePng(head, tail);
  } finally {
    await fh.close();
  }
}

/**
 * Polls until `file` is a complete PNG.
 * @throws ReenactError BAD_INPUT naming the file when it is not complete after `timeoutMs`; CANCELLED on abort.
 */
export async function waitForCompletePng(
  file: string,
  options: { timeoutMs?: number; intervalMs?: number; signal?: AbortSignal } = {},
): Promise<void> {
  const { timeoutMs = 30_000, intervalMs = 50, signal } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (signal?.aborted) throw new ReenactError('CANCELLED', 'Cancelled.', { cause: signal.reason });
    if (await pngIsComplete(file)) return;
    if (Date.now() >= deadline) {
      throw new ReenactError(
        'BAD_INPUT',
        `After Effects did not finish writing ${file} within ${timeoutMs / 1000} s. Check the AE render settings and disk space, then try again.`,
      );
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
