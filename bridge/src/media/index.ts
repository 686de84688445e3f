/** Media I/O on ffmpeg: locate, probe, decode, encode. */
export { conformMap, type DecodeOptions, decodeFrames, readImage, resolveRange } from './decode.js';
export { cleanPartialFrames, encodePng, type FrameWriter, openMovie, openPngSequence, writePng } from './encode.js';
export { type FfmpegPaths, ffmpegPaths, locateFfmpeg } from './locator.js';
export { probe } from './probe.js';
export type { Frame, Image, ProbeResult } from './types.js';
