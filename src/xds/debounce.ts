// istiod's debounce of config events, as pilot/pkg/xds/discovery.go `debounce` runs it: the first
// event of a burst starts a timer of `afterMs` (PILOT_DEBOUNCE_AFTER, 100 ms); when it fires, istiod
// pushes if no event came for `afterMs` or the burst is `maxMs` (PILOT_DEBOUNCE_MAX, 10 s) old, and
// otherwise sets the timer again for `afterMs` after the last event. So a push waits for `afterMs`
// of quiet, and a burst that never quiets is pushed at the first check at or after `maxMs` — up to
// `afterMs` later than `maxMs` (the documentation says "up to a max of PILOT_DEBOUNCE_MAX").
// Pure: time enters as arguments.
// https://github.com/istio/istio/blob/master/pilot/pkg/xds/discovery.go (debounce, pushWorker),
// https://istio.io/latest/docs/reference/commands/pilot-discovery/ (PILOT_DEBOUNCE_AFTER, PILOT_DEBOUNCE_MAX)

export class Debounce {
  /** Time of the first event not yet pushed (NaN: none). */
  firstAt = NaN;
  private lastAt = NaN;
  /** When istiod's debounce timer fires next (NaN: not running). */
  private checkAt = NaN;

  constructor(readonly afterMs: number, readonly maxMs: number) {}

  get waiting(): boolean {
    return !Number.isNaN(this.firstAt);
  }

  event(now: number): void {
    if (!this.waiting) {
      this.firstAt = now;
      this.checkAt = now + this.afterMs;
    }
    this.lastAt = now;
  }

  /** When istiod next looks whether to push (its timer). */
  dueAt(): number {
    return this.checkAt;
  }

  /**
   * The timer fired at `now`: true if istiod pushes now (quiet for `afterMs`, or the burst is `maxMs`
   * old); else the timer is set again for `afterMs` after the last event (`dueAt`).
   */
  check(now: number): boolean {
    if (now >= this.lastAt + this.afterMs || now >= this.firstAt + this.maxMs) return true;
    this.checkAt = this.lastAt + this.afterMs;
    return false;
  }

  /** The push starts: the burst is over. */
  flush(): void {
    this.firstAt = NaN;
    this.lastAt = NaN;
    this.checkAt = NaN;
  }
}
