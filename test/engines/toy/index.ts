/**
 * A toy engine, the whole of it: what a new engine's folder holds (an options schema and a `create` for the
 * registry), kept to a few lines. It needs no faces: each frame is an opaque grey square of side `size` (relative to
 * the portrait) at its centre, as bright as the driving frame's first pixel, over a transparent rest.
 */
import { z } from 'zod';
import type { Engine, EngineModule } from '../../../bridge/src/engines/types.js';
import type { Image } from '../../../bridge/src/media/types.js';

export const ToyOptionsSchema = z.strictObject({
  /** Side of the square relative to the portrait's shorter side. */
  size: z.number().min(0.1).max(1).default(0.5),
});
export type ToyOptions = z.output<typeof ToyOptionsSchema>;

export function createToyEngine(options: ToyOptions): Engine {
  let size: Pick<Image, 'width' | 'height'> | undefined;
  return {
    info: { name: 'toy', version: '1', device: 'cpu', models: [], needsDrivingPixels: true, needsFaces: false },
    async prepare(image) {
      size = { width: image.width, height: image.height };
    },
    async setReference() {},
    async render(frame) {
      if (!size) throw new Error('toy engine: prepare() was not called');
      const { width, height } = size;
      const grey = frame.image?.data[0] ?? 0;
      const side = Math.max(1, Math.round(Math.min(width, height) * options.size));
      const left = Math.floor((width - side) / 2);
      const top = Math.floor((height - side) / 2);
      const row = new Uint8Array(side * 4).fill(grey);
      for (let i = 3; i < row.length; i += 4) row[i] = 255;
      const data = new Uint8Array(width * height * 4);
      for (let y = top; y < top + side; y++) data.set(row, (y * width + left) * 4);
      return { image: { data, width, height, channels: 4 } };
    },
    async dispose() {
      size = undefined;
    },
  };
}

export const create: EngineModule<ToyOptions>['create'] = async ({ options }) => createToyEngine(options);
