/**
 * A stand-in ffmpeg for fault tests (REENACT_FFMPEG points at it): it runs the real ffmpeg and kills it — and itself —
 * with SIGKILL after a set number of bytes of raw video, as if ffmpeg crashed or was killed mid-stream.
 *   FAULT_FFMPEG          the real binary
 *   FAULT_DECODE_BYTES    kill a decode (raw frames on stdout) after this many bytes went out
 *   FAULT_ENCODE_BYTES    kill an encode (raw frames on stdin) after this many bytes came in
 *   FAULT_ENCODE_SHORT    pass only this many bytes of an encode's input to ffmpeg, which then finishes normally
 *                         (exit 0) with fewer frames than it was given
 */
import { chmodSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const SCRIPT = `#!/usr/bin/env node
const { spawn } = require('node:child_process');
if (require('node:path').resolve(process.env.FAULT_FFMPEG || '') === __filename) {
  console.error('FAULT_FFMPEG points at this wrapper itself: set it to the real ffmpeg.');
  process.exit(2);
}
const args = process.argv.slice(2);
const decode = args.at(-1) === '-';
const encode = args.includes('-i') && args[args.indexOf('-i') + 1] === '-';
const limit = Number((decode ? process.env.FAULT_DECODE_BYTES : encode ? process.env.FAULT_ENCODE_BYTES : '') || Infinity);
const short = Number((encode && process.env.FAULT_ENCODE_SHORT) || Infinity);
const child = spawn(process.env.FAULT_FFMPEG, args, { stdio: ['pipe', 'pipe', 'inherit'] });
let bytes = 0;
let dying = false; // once the limit is hit, nothing (stdin ending, ffmpeg exiting) may end this process cleanly
const die = () => { child.kill('SIGKILL'); process.kill(process.pid, 'SIGKILL'); };
child.stdout.on('data', (d) => {
  if (dying) return;
  if (decode && bytes + d.length >= limit) { dying = true; process.stdout.write(d.subarray(0, limit - bytes), die); return; }
  bytes += decode ? d.length : 0;
  process.stdout.write(d);
});
process.stdin.on('data', (d) => {
  if (dying) return;
  if (bytes >= short) return; // swallowed: ffmpeg never sees these frames
  if (bytes + d.length >= short) { child.stdin.write(d.subarray(0, short - bytes)); bytes = short; child.stdin.end(); return; }
  if (encode && bytes + d.length >= limit) { dying = true; child.stdin.write(d.subarray(0, limit - bytes), () => setTimeout(die, 200)); return; }
  bytes += encode ? d.length : 0;
  child.stdin.write(d);
});
process.stdin.on('end', () => dying || bytes >= short || child.stdin.end());
child.stdin.on('error', () => {});
// Exit only once everything written to stdout has been flushed (process.exit would drop pending pipe writes).
child.on('close', (code) => dying || process.stdout.end(() => process.exit(code ?? 1)));
`;

/** Writes the wrapper (CommonJS, executable) into `dir` and returns its path. */
export function writeFaultyFfmpeg(dir: string): string {
  const file = path.join(dir, 'faulty-ffmpeg.cjs');
  writeFileSync(file, SCRIPT);
  chmodSync(file, 0o755);
  return file;
}
