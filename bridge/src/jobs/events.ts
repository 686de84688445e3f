/**
 * One event stream per job on rxjs. A late subscriber (a panel that reconnects, a second client) first gets the
 * job's history, then live events, and the stream completes after done/failed/cancelled.
 *
 * Why not a bare ReplaySubject: a long job emits thousands of progress events and a preview image every N frames;
 * replaying all of them would grow memory with clip length. The history keeps every event except that only the
 * latest progress and the latest preview are kept — a late subscriber sees the same story, compacted.
 */
import { concat, defer, from, type Observable, Subject } from 'rxjs';
import { TERMINAL_EVENTS } from '../api/schema.js';
import type { JobEvent } from '../pipeline/events.js';

export class JobEventLog {
  private live = new Subject<JobEvent>();
  private history: JobEvent[] = [];
  private ended = false;

  /** Appends an event; ignored once a terminal event was pushed. Returns whether it was taken. */
  push(event: JobEvent): boolean {
    if (this.ended) return false;
    if (event.type === 'progress' || event.type === 'preview') {
      const at = this.history.findIndex((e) => e.type === event.type);
      if (at >= 0) this.history.splice(at, 1);
    }
    this.history.push(event);
    this.live.next(event);
    if (TERMINAL_EVENTS.includes(event.type)) {
      // A finished job's story needs no preview image: drop it, so finished jobs cost only their summary.
      this.history = this.history.filter((e) => e.type !== 'preview');
      this.ended = true;
      this.live.complete();
    }
    return true;
  }

  /** Starts a new run's story (resume): history cleared; subscribers still attached keep listening. */
  reset(): void {
    this.history = [];
    if (this.ended) {
      this.live = new Subject<JobEvent>();
      this.ended = false;
    }
  }

  get finished(): boolean {
    return this.ended;
  }

  /** History then live events; completes after a terminal event. Subscribing is synchronous, so nothing is missed. */
  events(): Observable<JobEvent> {
    return defer(() => (this.ended ? from(this.history.slice()) : concat(from(this.history.slice()), this.live)));
  }
}
