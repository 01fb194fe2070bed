// The discrete-event kernel: a clock and a future event list. Events are (time, kind, payload)
// records dispatched through a handler table — no closure or promise per event, as in SimPy's
// `step()` but without a coroutine per process.
import { EventQueue } from "./event-queue.js";

export type EventHandler = (payload: any) => void;

export class Simulator {
  /** Simulated time in milliseconds. */
  now: number;
  private readonly queue = new EventQueue();
  private readonly handlers: EventHandler[] = [];
  private stopped = false;

  constructor() {
    // A double from its first store (as EventQueue.time: the first fractional time would otherwise
    // replace the simulator's map and deoptimize what was optimized against it).
    this.now = 0.5;
    this.now = 0;
  }

  /** Register a kind of event; returns its id for `at`/`after`. */
  on(handler: EventHandler): number {
    this.handlers.push(handler);
    return this.handlers.length - 1;
  }

  /** Schedule at an absolute time (not in the past); returns a handle for `cancel`. */
  at(time: number, kind: number, payload?: unknown): number {
    if (!(time >= this.now)) this.refuse(time);
    return this.queue.push(time, kind, payload);
  }

  /** The refusal's message apart from `at`: its template is bytecode every caller that inlines `at`
   *  counts against TurboFan's inlining budget (docs/performance.md, Goal 2, session 25). */
  private refuse(time: number): never {
    throw new Error(`cannot schedule at ${time} ms: the clock is at ${this.now} ms`);
  }

  /** Schedule after a delay (>= 0). */
  after(delay: number, kind: number, payload?: unknown): number {
    // `at` written out: one level less for TurboFan to inline at the callers (as `refuse`).
    const time = this.now + delay;
    if (!(time >= this.now)) this.refuse(time);
    return this.queue.push(time, kind, payload);
  }

  cancel(handle: number): boolean {
    return this.queue.cancel(handle);
  }

  /** Events the loop has dispatched: the queue's count of events taken, not a count per event here. */
  get eventsProcessed(): number {
    return this.queue.taken;
  }

  /** Live scheduled events. */
  get pending(): number {
    return this.queue.size;
  }

  /** Process events in time order while their time is <= until; the clock then stands at `until`. */
  run(until = Infinity): void {
    const q = this.queue;
    const handlers = this.handlers;
    // A number V8 keeps unboxed across the loop: the parameter (a tagged value, Infinity by default)
    // was tested for a small integer and a heap number and unboxed again at every event.
    const limit = +until;
    this.stopped = false;
    while (!this.stopped) {
      const payload = q.take(limit);
      const kind = q.kind;
      if (kind < 0) break;
      this.now = q.time;
      handlers[kind]!(payload);
    }
    if (!this.stopped && until !== Infinity && until > this.now) this.now = until;
  }

  /** End `run` after the current event. */
  stop(): void {
    this.stopped = true;
  }
}
