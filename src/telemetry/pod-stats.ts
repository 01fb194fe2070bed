// Per pod: requests its app answered, outlier ejections, and the time integral of busy slots over the
// measured period [warm-up end, run end], for utilisation (busy slot·ms over concurrency × measured
// ms) — or, with unbounded concurrency, the mean number of requests in the app (Little's L).
export class PodStats {
  requests = 0;
  ejections = 0;
  private busy = 0;
  private lastMs: number;
  private busyIntegral: number;

  constructor(
    readonly name: string,
    /** App slots; Infinity when unbounded. */
    readonly concurrency: number,
    private readonly fromMs: number,
    private toMs: number,
  ) {
    // Doubles from their first store: a field first set to 0 gets V8's small-integer representation,
    // and the first fraction then replaces the map of every PodStats and deoptimizes the code optimized
    // against it (docs/performance.md, Goal 4, session 17).
    this.lastMs = this.busyIntegral = 0.5;
    this.busyIntegral = 0;
    this.lastMs = fromMs;
  }

  /** The number of busy slots changed at `now`. */
  busyChanged(now: number, busy: number): void {
    this.busyNow({ now }, busy);
  }

  /**
   * The number of busy slots changed at the clock's time. The app server's calls hand the clock (an
   * object), not its time: where TurboFan does not inline this (the app server's `serveWaiting`,
   * inlined into `complete` with its budget spent), a double argument is a fresh 16-byte HeapNumber
   * per call (docs/performance.md, Goal 2, session 28 `box15`).
   */
  busyNow(clock: { readonly now: number }, busy: number): void {
    const now = clock.now;
    // Math.min, not `now < this.toMs ? now : this.toMs`: the second arm runs only once the run is
    // past toMs (its drain), after V8 has optimised the hot paths that inline this; a property read
    // it has never run is compiled as a deoptimisation, so the first run's end threw away the
    // optimised code of the app server and its callers, and each thread of a sweep compiled them
    // again (docs/performance.md, "Goal 5", session 17). https://github.com/v8/v8/blob/main/src/compiler/js-type-hint-lowering.cc
    // (JSTypeHintLowering::ReduceLoadNamedOperation)
    const t = Math.min(now, this.toMs);
    if (t > this.lastMs) {
      this.busyIntegral += this.busy * (t - this.lastMs);
      this.lastMs = t;
    }
    this.busy = busy;
  }

  /** The run stopped early (interrupted) at `ms`: the measured period ends there. */
  endAt(ms: number): void {
    if (ms >= this.toMs) return;
    this.busyChanged(ms, this.busy);
    this.toMs = Math.max(ms, this.fromMs);
  }

  /** The app answered a request at `now` (counted after the warm-up). */
  served(now: number): void {
    if (now >= this.fromMs) this.requests++;
  }

  ejected(): void {
    this.ejections++;
  }

  /** Busy slot·ms over the measured period. */
  get busySlotMs(): number {
    return this.busyIntegral + (this.toMs > this.lastMs ? this.busy * (this.toMs - this.lastMs) : 0);
  }

  /** Mean busy slots over the measured period. */
  meanBusy(): number {
    const span = this.toMs - this.fromMs;
    return span > 0 ? this.busySlotMs / span : 0;
  }

  /** Busy share of the slots (0..1), or null when concurrency is unbounded. */
  utilization(): number | null {
    return Number.isFinite(this.concurrency) && this.concurrency > 0 ? this.meanBusy() / this.concurrency : null;
  }
}
