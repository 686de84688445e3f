/**
 * A toy engine, the whole of it: what a new engine's folder holds (an options schema and a `create` for the
 * registry), kept to a few lines. It needs no faces: each frame is the portrait with an opaque centred box whose side
 * is `size` of the portrait's, tinted by how much brighter the driving frame is than the reference.
 */
import { z } from 'zod';
import type { Engine, EngineModule } from '../../../bridge/src/engines/types.js';
import type { Image } from '../../../bridge/src/media/types.js';

export const ToyOptionsSchema = z.strictObject({
  /** Side of the animated box relative to the portrait. */
  size: z.number().min(0.1).max(1).default(0.5),
});
export type ToyOptions = z.output<typeof ToyOptionsSchema>;

const luma = (image: Image) => {
  let sum = 0;
  for (let i = 0; i < image.data.length; i += image.channels) sum += image.data[i + 1];
  return sum / (image.data.length / image.channels);
};

export function createToyEngine(options: ToyOptions): Engine {
  let source: Image | undefined;
  let reference = 0;
  return {
    info: { name: 'toy', version: '1', device: 'cpu', models: [], needsDrivingPixels: true, needsFaces: false },
    async prepare(image) {
      source = image;
    },
    async setReference(frame) {
      reference = frame.image ? luma(frame.image) : 0;
    },
    async render(frame) {
      if (!source) throw new Error('toy engine: prepare() was not called');
      const { width, height, channels } = source;
      const out = new Uint8Array(width * height * 4);
      const tint = frame.image ? Math.round(luma(frame.image) - reference) : 0;
      const half = (Math.min(width, height) * options.size) / 2;
      for (let y = 0; y < height; y++)
        for (let x = 0; x < width; x++) {
          const o = (y * width + x) * 4;
          const s = (y * width + x) * channels;
          const inside = Math.abs(x - width / 2) < half && Math.abs(y - height / 2) < half;
          out[o] = Math.max(0, Math.min(255, source.data[s] + (inside ? tint : 0)));
          out[o + 1] = source.data[s + 1];
          out[o + 2] = source.data[s + 2];
          out[o + 3] = inside ? 255 : 0;
        }
      return { image: { data: out, width, height, channels: 4 } };
    },
    async dispose() {
      source = undefined;
    },
  };
}

export const create: EngineModule<ToyOptions>['create'] = async ({ options }) => createToyEngine(options);
