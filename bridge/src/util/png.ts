/**
 * Whether a PNG is complete, for files another program may still be writing or a killed render cut off: it starts
 * with the PNG signature and ends with the IEND chunk (zero length, type and CRC: the same 12 bytes in every PNG).
 * Browser-safe: the panel checks AE's stills with it (api/png-ready.ts), the bridge its own frames
 * (media/png-sequence.ts reads a file's two ends for it).
 */

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** The IEND chunk: length 0, "IEND", its CRC-32. */
const IEND = [0, 0, 0, 0, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82];
/** Signature + IHDR + an IDAT + IEND: nothing shorter is a complete PNG. */
export const PNG_MIN_BYTES = 57;

/**
 * Whether `head` (the file's first 8+ bytes) and `tail` (its last 12+ bytes) frame a complete PNG of `size` bytes;
 * pass the whole file as `head` alone.
 */
export function isCompletePng(head: Uint8Array, tail: Uint8Array = head, size = head.length): boolean {
  if (size < PNG_MIN_BYTES || head.length < SIGNATURE.length || tail.length < IEND.length) return false;
  const end = tail.length - IEND.length;
  return SIGNATURE.every((b, i) => head[i] === b) && IEND.every((b, i) => tail[end + i] === b);
}
