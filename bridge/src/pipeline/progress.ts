/** Turns "one more frame done" into throttled progress events with a rate (fps) and ETA. */
import type { JobEvent, JobStage } from './events.js';

export class ProgressMeter {
  private readonly started = performance.now();
  private lastEmit = 0;
  private done = 0;

  constructor(
    private readonly jobId: string,
    private readonly stage: JobStage,
    private readonly total: number,
    private readonly emit: (e: JobEvent) => void,
    /** Minimum ms between events (the last frame always emits). */
    private readonly intervalMs = 100,
    /** Frames already done before this run (resume): counted in done, not in the rate. */
    private skipped = 0,
  ) {
    this.done = skipped;
  }

  /**
   * Counts a frame kept from an earlier run: done, but not in the rate, so a re-run that keeps everything shows
   * 0 fps of rendering instead of thousands.
   */
  keep(): void {
    this.skipped++;
    this.tick();
  }

  tick(n = 1): void {
    this.done += n;
    const now = performance.now();
    if (this.done < this.total && now - this.lastEmit < this.intervalMs) return;
    this.lastEmit = now;
    const seconds = (now - this.started) / 1000;
    const fps = seconds > 0 ? (this.done - this.skipped) / seconds : 0;
    const eta = fps > 0 ? (this.total - this.done) / fps : null;
    this.emit({ type: 'progress', jobId: this.jobId, stage: this.stage, done: this.done, total: this.total, fps, eta });
  }
}
