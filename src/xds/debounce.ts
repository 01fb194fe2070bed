// istiod's debounce of config events: a push starts once no new event has come for `afterMs`
// (PILOT_DEBOUNCE_AFTER, 100 ms), or `maxMs` (PILOT_DEBOUNCE_MAX, 10 s) after the first event of a
// burst, whichever is first. Pure: time enters as arguments.
// https://istio.io/latest/docs/reference/commands/pilot-discovery/ (PILOT_DEBOUNCE_AFTER, PILOT_DEBOUNCE_MAX)

export class Debounce {
  /** Time of the first event not yet pushed (NaN: none). */
  firstAt = NaN;
  private lastAt = NaN;

  constructor(readonly afterMs: number, readonly maxMs: number) {}

  get waiting(): boolean {
    return !Number.isNaN(this.firstAt);
  }

  event(now: number): void {
    if (!this.waiting) this.firstAt = now;
    this.lastAt = now;
  }

  /** When the push should start, given the events so far. */
  dueAt(): number {
    return Math.min(this.lastAt + this.afterMs, this.firstAt + this.maxMs);
  }

  /** The push starts: the burst is over. */
  flush(): void {
    this.firstAt = NaN;
    this.lastAt = NaN;
  }
}
