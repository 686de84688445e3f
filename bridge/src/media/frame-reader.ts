/**
 * Cuts a raw video byte stream into whole frames, reading ahead by a few frames. A plain `for await` over the pipe
 * holds only ~80 KB, so ffmpeg stalls every time the consumer works on a frame; a small queue of whole frames keeps
 * the decoder busy while memory stays bounded (at most `ahead` frames + one in assembly).
 */
import type { Readable } from 'node:stream';

export async function* readFrames(stream: Readable, frameSize: number, ahead = 3): AsyncGenerator<Uint8Array> {
  const ready: Uint8Array[] = [];
  // allocUnsafe: every byte is overwritten by frame data; skipping the zero-fill matters at 6 MB a frame.
  let buf: Uint8Array = Buffer.allocUnsafe(frameSize);
  let filled = 0;
  let ended = false;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const notify = () => {
    wake?.();
    wake = undefined;
  };
  const onData = (chunk: Buffer) => {
    let offset = 0;
    while (offset < chunk.length) {
      const n = Math.min(frameSize - filled, chunk.length - offset);
      buf.set(chunk.subarray(offset, offset + n), filled);
      filled += n;
      offset += n;
      if (filled === frameSize) {
        ready.push(buf);
        buf = Buffer.allocUnsafe(frameSize);
        filled = 0;
      }
    }
    if (ready.length >= ahead) stream.pause();
    notify();
  };
  const onEnd = () => {
    ended = true;
    notify();
  };
  const onError = (err: Error) => {
    failure = err;
    notify();
  };
  stream.on('data', onData);
  stream.once('end', onEnd);
  stream.once('close', onEnd);
  stream.once('error', onError);
  try {
    for (;;) {
      const frame = ready.shift();
      if (frame) {
        if (ready.length < ahead && stream.isPaused()) stream.resume();
        yield frame;
        continue;
      }
      if (failure) throw failure;
      if (ended) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  } finally {
    stream.off('data', onData);
    stream.off('end', onEnd);
    stream.off('close', onEnd);
    stream.off('error', onError);
  }
}
