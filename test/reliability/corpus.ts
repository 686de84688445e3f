/**
 * The bad-input corpus, generated on the spot with the real ffmpeg and pngjs (nothing downloaded): broken files,
 * odd image formats, phone/VFR/NTSC clips, clips with no face, two faces, a face that leaves, scene cuts. Each maker
 * writes one file into `dir` and returns its path; makers are cheap (tiny frames, or short ranges of the real
 * driving clip where a face is needed).
 */
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';
import { brightnessClip, DRIVING, ffmpeg, PORTRAIT } from '../helpers/media.js';

/** A tiny lossless-ish test clip (64×48 by default) with changing brightness, so the fixture engine's frames differ. */
export async function tinyClip(
  file: string,
  o: { fps?: string; frames?: number; size?: string; extra?: string[] } = {},
): Promise<string> {
  const fps = o.fps ?? '25';
  await ffmpeg(
    '-f',
    'lavfi',
    '-i',
    `color=gray:size=${o.size ?? '64x48'}:rate=${fps}`,
    '-vf',
    "geq=lum='128+100*sin(N/3)':cb=128:cr=128",
    '-frames:v',
    String(o.frames ?? 12),
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-pix_fmt',
    'yuv420p',
    ...(o.extra ?? []),
    file,
  );
  return file;
}

/** A PNG of `width`×`height` (RGBA gradient) written with pngjs. */
export function pngOf(file: string, width: number, height: number): string {
  const png = new PNG({ width, height });
  for (let i = 0; i < width * height; i++) {
    png.data[i * 4] = (i * 7) % 256;
    png.data[i * 4 + 1] = (i * 13) % 256;
    png.data[i * 4 + 2] = 128;
    png.data[i * 4 + 3] = 255;
  }
  writeFileSync(file, PNG.sync.write(png));
  return file;
}

/** The portrait converted to another pixel format by ffmpeg (gray, rgb48be = 16-bit, rgba with a round alpha…). */
export async function portraitAs(file: string, pixFmt: string, filter?: string): Promise<string> {
  await ffmpeg('-i', PORTRAIT, ...(filter ? ['-vf', filter] : []), '-pix_fmt', pixFmt, '-frames:v', '1', file);
  return file;
}

/** Frames [start, start+count) of the real driving clip (it has a face), re-encoded small and fast. */
export async function drivingPart(file: string, start: number, count: number, extraVf?: string): Promise<string> {
  const vf = [`trim=start_frame=${start}:end_frame=${start + count}`, 'setpts=PTS-STARTPTS', extraVf]
    .filter(Boolean)
    .join(',');
  await ffmpeg('-i', DRIVING, '-vf', vf, '-an', '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '18', file);
  return file;
}

/** The first `keep` bytes of `from` (a truncated download). */
export function truncated(file: string, from: string, keep: number | ((size: number) => number)): string {
  const data = readFileSync(from);
  const n = typeof keep === 'number' ? keep : keep(data.length);
  writeFileSync(file, data.subarray(0, n));
  return file;
}

/** `from` with a run of bytes in the middle overwritten by a fixed pattern (bit rot). */
export function corrupted(file: string, from: string, at = 0.3, length = 0.4): string {
  const data = Buffer.from(readFileSync(from));
  const start = Math.floor(data.length * at);
  const end = Math.min(data.length, start + Math.floor(data.length * length));
  for (let i = start; i < end; i++) data[i] = (i * 131 + 7) & 0xff;
  writeFileSync(file, data);
  return file;
}

export function copied(file: string, from: string): string {
  copyFileSync(from, file);
  return file;
}

/**
 * A baseline CMYK JPEG (Adobe APP14, 4 components) of flat 8×8 blocks, hand-encoded because ffmpeg has no CMYK JPEG
 * encoder. With a quantiser of 1 and flat blocks only the DC coefficient is non-zero, so each block is DC + EOB.
 * `cmyk(bx, by)` gives the block's four 0..255 values. Width and height are multiples of 8.
 */
export function cmykJpeg(
  file: string,
  width: number,
  height: number,
  cmyk: (bx: number, by: number) => [number, number, number, number],
): string {
  const bytes: number[] = [];
  const seg = (marker: number, body: number[]) =>
    bytes.push(0xff, marker, (body.length + 2) >> 8, (body.length + 2) & 0xff, ...body);
  bytes.push(0xff, 0xd8);
  seg(0xee, [...Buffer.from('Adobe'), 0, 100, 0, 0, 0, 0, 0]); // transform 0: plain CMYK
  seg(0xdb, [0, ...new Array(64).fill(1)]);
  seg(0xc0, [
    8,
    height >> 8,
    height & 0xff,
    width >> 8,
    width & 0xff,
    4,
    1,
    0x11,
    0,
    2,
    0x11,
    0,
    3,
    0x11,
    0,
    4,
    0x11,
    0,
  ]);
  // Standard luminance DC table; an AC table holding only EOB (code "0").
  const dcBits = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0];
  const dcVals = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
  seg(0xc4, [0x00, ...dcBits, ...dcVals, 0x10, 1, ...new Array(15).fill(0), 0x00]);
  seg(0xda, [4, 1, 0x00, 2, 0x00, 3, 0x00, 4, 0x00, 0, 63, 0]);
  // Canonical Huffman codes for the DC table.
  const dcCode: { code: number; len: number }[] = [];
  let code = 0;
  let k = 0;
  for (let len = 1; len <= 16; len++) {
    for (let i = 0; i < dcBits[len - 1]; i++) dcCode[dcVals[k++]] = { code: code++, len };
    code <<= 1;
  }
  let acc = 0;
  let nbits = 0;
  const put = (value: number, len: number) => {
    for (let b = len - 1; b >= 0; b--) {
      acc = (acc << 1) | ((value >> b) & 1);
      if (++nbits === 8) {
        bytes.push(acc);
        if (acc === 0xff) bytes.push(0);
        acc = 0;
        nbits = 0;
      }
    }
  };
  const prev = [0, 0, 0, 0];
  for (let by = 0; by < height / 8; by++) {
    for (let bx = 0; bx < width / 8; bx++) {
      const values = cmyk(bx, by);
      for (let c = 0; c < 4; c++) {
        const dc = 8 * (values[c] - 128);
        const diff = dc - prev[c];
        prev[c] = dc;
        const cat = diff === 0 ? 0 : Math.floor(Math.log2(Math.abs(diff))) + 1;
        put(dcCode[cat].code, dcCode[cat].len);
        if (cat) put(diff > 0 ? diff : diff + (1 << cat) - 1, cat);
        put(0, 1); // EOB
      }
    }
  }
  if (nbits) put(0x7f, 8 - nbits); // pad with ones
  bytes.push(0xff, 0xd9);
  writeFileSync(file, Buffer.from(bytes));
  return file;
}

/** A clip whose frame timestamps are uneven (variable frame rate), 64×48. */
export function vfrClip(file: string): Promise<string> {
  // Timestamps 0,1,2,4,5,7,8,10… at 1/25 s: every third gap is doubled.
  return brightnessClip(file, 12, 'sin(N/3)', '(N+floor(N/2))/(25*TB)');
}

/** Two performers: the driving clip side by side with itself (`count` frames from `start`). */
export async function twoFaces(file: string, start: number, count: number): Promise<string> {
  await ffmpeg(
    '-i',
    DRIVING,
    '-filter_complex',
    `[0:v]trim=start_frame=${start}:end_frame=${start + count},setpts=PTS-STARTPTS,split[a][b];[a][b]hstack`,
    '-an',
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-crf',
    '18',
    file,
  );
  return file;
}

/**
 * The face leaves and comes back: frames 0–5 of the driving clip, 5 frames of plain grey (no face), frames 6–11.
 * Or, with `cut`, a scene cut: frames 0–7 then frames 200–207 (a different head pose and expression).
 */
export async function spliced(file: string, kind: 'leave' | 'cut'): Promise<string> {
  const graph =
    kind === 'leave'
      ? '[0:v]trim=start_frame=0:end_frame=6,setpts=PTS-STARTPTS[a];' +
        'color=gray:size=320x400:rate=20,trim=end_frame=5,format=yuv420p[g];' +
        '[0:v]trim=start_frame=6:end_frame=12,setpts=PTS-STARTPTS[b];[a][g][b]concat=n=3:v=1:a=0,format=yuv420p'
      : '[0:v]trim=start_frame=0:end_frame=8,setpts=PTS-STARTPTS[a];' +
        '[0:v]trim=start_frame=200:end_frame=208,setpts=PTS-STARTPTS[b];[a][b]concat=n=2:v=1:a=0,format=yuv420p';
  await ffmpeg('-i', DRIVING, '-filter_complex', graph, '-an', '-c:v', 'libx264', '-preset', 'ultrafast', file);
  return file;
}

/** A phone clip: pixels stored sideways (transposed) with display rotation metadata that turns them upright. */
export async function phoneClip(file: string, count: number): Promise<string> {
  const sideways = `${file}.sideways.mp4`;
  await drivingPart(sideways, 0, count, 'transpose=1'); // stored rotated 90° clockwise; the tag turns it back
  await ffmpeg('-i', sideways, '-c', 'copy', '-metadata:s:v:0', 'rotate=90', file);
  return file;
}

/** An audio-only file (AAC in .m4a): a sine wave. */
export async function audioOnly(file: string): Promise<string> {
  await ffmpeg('-f', 'lavfi', '-i', 'sine=frequency=440:duration=0.5', '-c:a', 'aac', file);
  return file;
}

/** A clip with no face in it at all (a test pattern). */
export async function noFaceClip(file: string): Promise<string> {
  await ffmpeg(
    '-f',
    'lavfi',
    '-i',
    'testsrc=size=160x120:rate=20',
    '-frames:v',
    '6',
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-pix_fmt',
    'yuv420p',
    file,
  );
  return file;
}

/** `name` under `dir` with unicode, spaces and, with `long`, enough nested folders to pass 200 characters. */
export function awkwardPath(dir: string, name: string, long = false): string {
  const parts = ['ünïcødé 漢字 😀 folder'];
  if (long) while (path.join(dir, ...parts, name).length < 230) parts.push('a very long folder name with spaces');
  return path.join(dir, ...parts, name);
}
