// A container's CPU use over time, as cAdvisor's container_cpu_usage_seconds_total read every
// second would show it: core-ms per 1 s window, from which the mean, the p99 over windows and the
// busiest window. One number per simulated second: memory flat per second of run, not per request.

export class CpuUsage {
  /** Doubles from the start (a literal of a double, emptied): an empty `[]` holds small integers and
   *  changes its map at the first fractional sum, which deoptimized `spread` in a sweep thread's
   *  second run (docs/performance.md, Goal 5, session 18). */
  private readonly windows: number[] = [0.5];
  /** CFS periods throttled, by the window they began in (sparse: most containers never are). */
  private readonly throttled = new Map<number, number>();
  totalMs: number;

  constructor(readonly windowMs = 1000) {
    // A double from its first store (V8 field representation: docs/performance.md, Goal 4, session 17).
    this.totalMs = 0.5;
    this.totalMs = 0;
    this.windows.length = 0;
  }

  /** `cores` cores were used from `from` to `to` (ms). */
  add(from: number, to: number, cores: number): void {
    if (!(to > from) || cores <= 0) return;
    this.totalMs += (to - from) * cores;
    // Most stretches (a pass, a compute step) fall inside the window of the previous one.
    if (from >= this.curStart && to <= this.curEnd) {
      this.windows[this.cur]! += (to - from) * cores;
      return;
    }
    this.spread(from, to, cores);
  }

  /**
   * Two stretches on one core each, booked as `add(from1, to1, 1)` then `add(from2, to2, 1)` (a proxy
   * pass's worker CPU and its main thread's share): when both fall in the last window, one check of
   * the window and one read of the sums. Each sum still takes the first stretch, then the second, so
   * every total is the same double as with two adds (floating-point addition is not associative:
   * `total + (d1 + d2)` would not be).
   */
  addTwo(from1: number, to1: number, from2: number, to2: number): void {
    if (to1 > from1 && to2 > from2 && from1 >= this.curStart && to1 <= this.curEnd && from2 >= this.curStart && to2 <= this.curEnd) {
      const d1 = to1 - from1;
      const d2 = to2 - from2;
      this.totalMs += d1;
      this.totalMs += d2;
      const w = this.windows;
      const k = this.cur;
      w[k]! += d1;
      w[k]! += d2;
      return;
    }
    this.add(from1, to1, 1);
    this.add(from2, to2, 1);
  }

  /**
   * A stretch outside the last window: spread over the windows it covers. Apart from `add` so that
   * `add`, called per proxy pass, stays small enough for V8 to inline at its callers.
   */
  private spread(from: number, to: number, cores: number): void {
    const w = this.windowMs;
    let k = Math.floor(from / w);
    let t = from;
    while (t < to) {
      const end = Math.min(to, (k + 1) * w);
      while (this.windows.length <= k) this.windows.push(0);
      this.windows[k]! += (end - t) * cores;
      t = end;
      k++;
    }
    // A usage's first stretches all come here, the last window's range left empty: `add`'s call of
    // `spread` otherwise runs at a window's change only, and where its caller was optimized before
    // that load had feedback (the first call precedes `add`'s feedback vector), a cold run
    // deoptimized there ("Insufficient type feedback for generic named access", `add` inlined in
    // `ContainerCpu`'s `begin` and `startCompute`). The same sums in the same order either way (a
    // stretch inside one window is one addition here too). docs/performance.md, Goal 2, session 29.
    if (this.early > 0) {
      this.early--;
      return;
    }
    this.cur = k - 1;
    this.curStart = (k - 1) * w;
    this.curEnd = k * w;
  }

  private cur = 0;
  private curStart = 0;
  private curEnd = -1;
  /** Calls of `spread` left before the last window's range is kept (above). */
  private early = 64;

  /** A CFS period beginning at `atMs` was throttled. */
  throttledAt(atMs: number): void {
    const k = Math.floor(atMs / this.windowMs);
    this.throttled.set(k, (this.throttled.get(k) ?? 0) + 1);
  }

  /**
   * Mean cores and throttled periods per window of `stepMs` (a multiple of windowMs) from `fromMs`
   * to `toMs`, as cAdvisor's counters read at each step would give them. `t` in seconds.
   */
  series(fromMs: number, toMs: number, stepMs: number): { t: number; cores: number; throttledPeriods: number }[] {
    const w = this.windowMs;
    const per = Math.max(1, Math.round(stepMs / w));
    const out: { t: number; cores: number; throttledPeriods: number }[] = [];
    const first = Math.ceil(fromMs / w - 1e-9);
    const last = Math.floor(toMs / w + 1e-9); // exclusive
    for (let k = first; k < last; k += per) {
      const end = Math.min(last, k + per);
      let used = 0;
      let thr = 0;
      for (let j = k; j < end; j++) {
        used += this.windows[j] ?? 0;
        thr += this.throttled.get(j) ?? 0;
      }
      out.push({ t: Math.round(k * w) / 1000, cores: Math.round((used / ((end - k) * w)) * 1000) / 1000, throttledPeriods: thr });
    }
    return out;
  }

  /** Core-ms used in the 1 s windows that [fromMs, toMs) touches (cAdvisor's counter read at two times). */
  coreMsBetween(fromMs: number, toMs: number): number {
    const w = this.windowMs;
    const first = Math.max(0, Math.floor(fromMs / w + 1e-9));
    const last = Math.min(this.windows.length, Math.ceil(toMs / w - 1e-9)); // exclusive
    let sum = 0;
    for (let k = first; k < last; k++) sum += this.windows[k]!;
    return sum;
  }

  /** Mean, p99 and max of cores over the whole windows in [fromMs, toMs). */
  summary(fromMs: number, toMs: number): { mean: number; p99: number; max: number } {
    const w = this.windowMs;
    const first = Math.ceil(fromMs / w - 1e-9);
    const last = Math.floor(toMs / w + 1e-9); // exclusive
    const vals: number[] = [];
    for (let k = first; k < last; k++) vals.push((this.windows[k] ?? 0) / w);
    if (vals.length === 0) return { mean: 0, p99: 0, max: 0 };
    const mean = vals.reduce((a, b) => a + b, 0) / vals.length;
    vals.sort((a, b) => a - b);
    // Nearest rank, as the report's other percentiles.
    const p99 = vals[Math.max(0, Math.ceil(0.99 * vals.length) - 1)]!;
    return { mean, p99, max: vals[vals.length - 1]! };
  }
}
