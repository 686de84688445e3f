/**
 * Waiting for a PNG that After Effects is still writing: `saveFrameToPng` (behind the host call exportStill) returns
 * before the file is on disk in recent AE and writes it in the background, so "the file exists" or "its size stopped
 * changing" are not completion; util/png.ts says what is. Browser-safe: the panel waits for AE's stills with it.
 */
import { ReenactError } from '../errors.js';
import { isCompletePng } from '../util/png.js';

/**
 * Polls until `file` is a complete PNG. `read` gives the file's bytes, or undefined while it is missing (the panel
 * reads through CEP's Node, tests through fs).
 * @throws ReenactError BAD_INPUT naming the file when it is not complete after `timeoutMs`; CANCELLED on abort.
 */
export async function waitForCompletePng(
  file: string,
  read: (file: string) => Promise<Uint8Array | undefined>,
  options: { timeoutMs?: number; intervalMs?: number; signal?: AbortSignal } = {},
): Promise<void> {
  const { timeoutMs = 30_000, intervalMs = 50, signal } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (signal?.aborted) throw new ReenactError('CANCELLED', 'Cancelled.', { cause: signal.reason });
    const bytes = await read(file);
    if (bytes && isCompletePng(bytes)) return;
    if (Date.now() >= deadline) {
      throw new ReenactError(
        'BAD_INPUT',
        `After Effects did not finish writing ${file} within ${timeoutMs / 1000} s. Check the AE render settings and disk space, then try again.`,
      );
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
