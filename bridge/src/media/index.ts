/** Media I/O: locate ffmpeg, probe, decode, encode (movies on ffmpeg, PNG sequences in-process). */
export { conformMap, type DecodeOptions, decodeFrames, readImage, resolveRange } from './decode.js';
export { encodePng, type FrameWriter, openMovie, writePng } from './encode.js';
export { type FfmpegPaths, ffmpegPaths, locateFfmpeg } from './locator.js';
export { isCompletePng, openPngSequence } from './png-sequence.js';
export { probe } from './probe.js';
export type { Frame, Image, ProbeResult } from './types.js';
