/**
 * Per-stage timing for `npm run bench`: crop, each session.run, paste-back…, and the share of render time spent
 * outside session.run (the engine's own overhead; target ≤ 10%).
 */

export interface StageTiming {
  calls: number;
  ms: number;
  /** True for ONNX session.run stages. */
  session: boolean;
}

export interface StageTimings {
  stages: Record<string, StageTiming>;
  /** Frames rendered (render() calls that ran the networks). */
  frames: number;
  /** Wall time inside render(). */
  renderMs: number;
  /** Time inside session.run during render(). */
  sessionMs: number;
  /** (renderMs − sessionMs) / renderMs, or 0 before any frame. */
  outsideShare: number;
}

export class StageTimer {
  private stages = new Map<string, StageTiming>();
  private frames = 0;
  private renderMs = 0;
  private sessionInRenderMs = 0;
  private inRender = false;

  async time<T>(stage: string, fn: () => Promise<T> | T, session = false): Promise<T> {
    const start = performance.now();
    try {
      return await fn();
    } finally {
      this.add(stage, performance.now() - start, session);
    }
  }

  add(stage: string, ms: number, session = false): void {
    const s = this.stages.get(stage) ?? { calls: 0, ms: 0, session };
    s.calls += 1;
    s.ms += ms;
    this.stages.set(stage, s);
    if (session && this.inRender) this.sessionInRenderMs += ms;
  }

  /** Times one whole frame; session stages inside count toward sessionMs. */
  async frame<T>(fn: () => Promise<T>): Promise<T> {
    const start = performance.now();
    this.inRender = true;
    try {
      return await fn();
    } finally {
      this.inRender = false;
      this.frames += 1;
      this.renderMs += performance.now() - start;
    }
  }

  snapshot(): StageTimings {
    const stages = Object.fromEntries([...this.stages].map(([k, v]) => [k, { ...v }]));
    const outside = this.renderMs > 0 ? (this.renderMs - this.sessionInRenderMs) / this.renderMs : 0;
    return {
      stages,
      frames: this.frames,
      renderMs: this.renderMs,
      sessionMs: this.sessionInRenderMs,
      outsideShare: outside,
    };
  }

  reset(): void {
    this.stages.clear();
    this.frames = 0;
    this.renderMs = 0;
    this.sessionInRenderMs = 0;
  }
}
