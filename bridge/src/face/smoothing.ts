/**
 * One-Euro smoothing per channel (landmark coordinates, pose values…): strong smoothing while a channel is still,
 * little lag when it moves fast (Casiez et al. 2012). A user strength 0..1 maps to the filter's parameters
 * (0 = off). Pure and deterministic: the state is plain numbers that can be saved and restored, so a chunked
 * render can resume exactly where the previous chunk stopped, or warm up over frames before its range.
 */

export interface OneEuroParams {
  /** Cutoff (Hz) when still; lower = smoother. */
  minCutoff: number;
  /** How fast the cutoff grows with speed (per channel-scale per second). */
  beta: number;
  /** Cutoff (Hz) of the speed estimate. */
  dCutoff: number;
}

/** Filter parameters for a user strength 0..1; undefined for 0 (off). Strength 1 ≈ 0.3 Hz when still. */
export function oneEuroParams(strength: number): OneEuroParams | undefined {
  const s = Math.max(0, Math.min(1, strength));
  if (s === 0) return undefined;
  return { minCutoff: 0.3 * 30 ** (1 - s), beta: 1.5 * (1 - s) + 0.2, dCutoff: 1 };
}

/** Saved filter state: values and speeds per channel, and whether the filter has seen a value yet. */
export interface SmootherState {
  started: boolean;
  /** Frames since the last value (gaps from frames without a face). */
  gap: number;
  x: number[];
  dx: number[];
}

export interface SmootherOptions {
  /** User strength 0..1 (0 = values pass through unchanged). */
  strength: number;
  /** Frames per second of the sequence (the filter works in seconds). */
  fps: number;
  /** Channel scale for the speed term, e.g. the face size in px (default 1); speeds are divided by it. */
  scale?: number;
}

const alpha = (cutoff: number, dt: number) => {
  const tau = 1 / (2 * Math.PI * cutoff);
  return 1 / (1 + tau / dt);
};

/** A per-channel One-Euro filter over `channels` values per frame. */
export function createSmoother(channels: number, options: SmootherOptions) {
  const params = oneEuroParams(options.strength);
  const dt1 = 1 / options.fps;
  const scale = options.scale ?? 1;
  let state: SmootherState = {
    started: false,
    gap: 1,
    x: new Array(channels).fill(0),
    dx: new Array(channels).fill(0),
  };

  return {
    /**
     * Filters one frame's values (length `channels`); pass undefined for a frame without a value (the state holds,
     * the next value sees the longer time step). Returns a new Float32Array, or undefined for undefined input.
     */
    step(values: ArrayLike<number> | undefined): Float32Array | undefined {
      if (values === undefined) {
        if (state.started) state.gap++;
        return undefined;
      }
      if (values.length !== channels) {
        throw new RangeError(`Expected ${channels} values per frame for the smoother but received ${values.length}.`);
      }
      const out = Float32Array.from(values);
      if (!params) return out;
      if (!state.started) {
        for (let c = 0; c < channels; c++) {
          state.x[c] = values[c];
          state.dx[c] = 0;
        }
        state.started = true;
        state.gap = 1;
        return out;
      }
      const dt = dt1 * state.gap;
      const ad = alpha(params.dCutoff, dt);
      for (let c = 0; c < channels; c++) {
        const v = values[c];
        const dx = ad * ((v - state.x[c]) / dt) + (1 - ad) * state.dx[c];
        const cutoff = params.minCutoff + (params.beta * Math.abs(dx)) / scale;
        const a = alpha(cutoff, dt);
        const x = a * v + (1 - a) * state.x[c];
        state.x[c] = x;
        state.dx[c] = dx;
        out[c] = x;
      }
      state.gap = 1;
      return out;
    },
    /** A copy of the state (plain JSON-safe numbers). */
    save(): SmootherState {
      return { started: state.started, gap: state.gap, x: [...state.x], dx: [...state.dx] };
    },
    restore(saved: SmootherState): void {
      state = { started: saved.started, gap: saved.gap, x: [...saved.x], dx: [...saved.dx] };
    },
    reset(): void {
      state = { started: false, gap: 1, x: new Array(channels).fill(0), dx: new Array(channels).fill(0) };
    },
  };
}

/**
 * Smooths `frames[from..to)` of a sequence (undefined = no value in that frame), starting the filter `warmup` frames
 * before `from` (clamped to 0). With `warmup ≥ from` the result equals a run over the whole sequence exactly; with a
 * shorter warm-up it converges to it (a chunked render's first frames differ by well under a pixel after ~1 s).
 */
export function smoothRange(
  frames: readonly (ArrayLike<number> | undefined)[],
  channels: number,
  options: SmootherOptions,
  from = 0,
  to = frames.length,
  warmup = Number.POSITIVE_INFINITY,
): (Float32Array | undefined)[] {
  const smoother = createSmoother(channels, options);
  const start = Math.max(0, from - warmup);
  const out: (Float32Array | undefined)[] = [];
  for (let i = start; i < to; i++) {
    const v = smoother.step(frames[i]);
    if (i >= from) out.push(v);
  }
  return out;
}
