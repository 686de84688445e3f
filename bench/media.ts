/**
 * Media throughput: decode and encode fps through reenact's streams, as a ratio to the plain ffmpeg command doing the
 * same work in the same run (target ≥ 0.9×). Clip: 1080p, generated here with ffmpeg's own sources.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { decodeFrames } from '../bridge/src/media/decode.js';
import { openMovie } from '../bridge/src/media/encode.js';
import { decodeArgs, prores4444Args } from '../bridge/src/media/ffmpeg-args.js';
import { ffmpegPaths } from '../bridge/src/media/locator.js';
import { numberedFiles, openPngSequence } from '../bridge/src/media/png-sequence.js';
import { probe } from '../bridge/src/media/probe.js';
import { runProcess } from '../bridge/src/media/run.js';
import type { Image } from '../bridge/src/media/types.js';
import { benchDir, duel, ffmpegPngArgs, type Row, runQuiet } from './lib.js';

const W = 1920;
const H = 1080;

export async function benchMedia(frames = 90): Promise<Row[]> {
  const { ffmpeg } = ffmpegPaths();
  const clip = path.join(benchDir, 'bench1080.mp4');
  await runProcess(ffmpeg, [
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=${W}x${H}:rate=30`,
    '-vf',
    'noise=alls=6:allf=t',
    '-frames:v',
    String(frames),
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-b:v',
    '10M',
    '-pix_fmt',
    'yuv420p',
    clip,
  ]);
  const info = await probe(clip);
  const rows: Row[] = [];

  // Decode to RGB: our framed async iterable vs the same ffmpeg command whose output Node drains unframed.
  const [ours, plain] = await duel(
    3,
    async () => {
      let n = 0;
      for await (const _ of decodeFrames(clip, { info })) n++;
      if (n !== frames) throw new Error(`decoded ${n}`);
    },
    () => runQuiet(ffmpeg, decodeArgs(clip, { channels: 3 }), { pipe: true }),
  );
  rows.push({
    stage: 'decode 1080p H.264 → RGB',
    'reenact fps': frames / ours,
    'ffmpeg fps': frames / plain,
    ratio: plain / ours,
  });

  // Encode RGBA: 30 distinct decoded frames cycled, fed through our writers vs ffmpeg reading the same raw file.
  const distinct: Image[] = [];
  for await (const f of decodeFrames(clip, { info, channels: 4, range: { start: 0, end: 29 } })) distinct.push(f);
  const encodeFrames = 60;
  const raw = path.join(benchDir, 'frames.rgba');
  writeFileSync(raw, Buffer.concat(Array.from({ length: encodeFrames }, (_, i) => Buffer.from(distinct[i % 30].data))));
  const fmt = { width: W, height: H, channels: 4 as const, fps: { num: 30, den: 1 } };
  const fromFile = (args: string[]) => args.map((a) => (a === '-' ? raw : a));

  mkdirSync(path.join(benchDir, 'png-plain'), { recursive: true });
  const [pngOurs, pngPlain] = await duel(
    2,
    async () => {
      const w = await openPngSequence({
        ...fmt,
        framePath: numberedFiles(path.join(benchDir, 'png-ours'), 'f_'),
        startNumber: 0,
      });
      for (let i = 0; i < encodeFrames; i++) await w.write(distinct[i % 30]);
      await w.close();
    },
    () =>
      runQuiet(
        ffmpeg,
        fromFile(ffmpegPngArgs({ ...fmt, pattern: path.join(benchDir, 'png-plain', 'f_%05d.png'), startNumber: 0 })),
      ),
  );
  rows.push({
    stage: 'encode RGBA → PNG sequence',
    'reenact fps': encodeFrames / pngOurs,
    'ffmpeg fps': encodeFrames / pngPlain,
    ratio: pngPlain / pngOurs,
  });

  const [proOurs, proPlain] = await duel(
    2,
    async () => {
      const w = await openMovie({ ...fmt, file: path.join(benchDir, 'ours.mov'), codec: 'prores', force: true });
      for (let i = 0; i < encodeFrames; i++) await w.write(distinct[i % 30]);
      await w.close();
    },
    () => runQuiet(ffmpeg, fromFile(prores4444Args({ ...fmt, file: path.join(benchDir, 'plain.mov') }))),
  );
  rows.push({
    stage: 'encode RGBA → ProRes 4444',
    'reenact fps': encodeFrames / proOurs,
    'ffmpeg fps': encodeFrames / proPlain,
    ratio: proPlain / proOurs,
  });
  return rows;
}
