// Counts per report window, for the time-series charts: windows of `windowMs` from the end of the
// warm-up to the end of the run, as typed arrays (memory is the number of windows reached, never
// the number of requests), grown as the run reaches them (a huge window count costs nothing up front). Requests that complete after the end (drained once load stopped) count in
// the last window. Optionally p50/p99 per window, from the histogram of the whole run (a client's):
// the world records requests in completion order, so a window is closed (its percentiles computed)
// as soon as a request of a later window arrives, over the run's counts minus a copy of them taken
// when the window opened — no second histogram to update per request. A late request for an already
// closed window still counts in its requests and errors, but no longer in its percentiles (it is
// added to the copy, so that the open window does not see it either).
import { float64s } from "./float64-arena.js";
import { HdrCounts } from "./hdr-counts.js";
import { LatencyHistogram } from "./histogram.js";

/** Where a closing window's p50 and p99 are computed (one window closes at a time). */
const PERCENTILES = new Float64Array(2);

export interface WindowPoint {
  /** Start of the window, in simulated seconds. */
  t: number;
  requests: number;
  errors: number;
  /** Latency percentiles (ms) of the window's requests; null when it had none. Clients only. */
  p50?: number | null;
  p99?: number | null;
}

export class WindowSeries {
  length: number;
  private requests: Float64Array;
  private errors: Float64Array;
  private p50: Float64Array | null;
  private p99: Float64Array | null;
  /** Sum of the window's latencies (µs, as the histogram rounds them): the batch means of a run's
   *  mean latency (report/batch-means.ts). Series with percentiles only (clients). The open window's
   *  is the whole histogram's sum less what it was when the window opened and less the late
   *  requests' since (`openSumUs`, `lateUs`), written when the window closes: no store per request
   *  (docs/performance.md, Goal 3, session 20). Whole µs, so every sum is exact in any order. */
  private sumUs: Float64Array | null;
  private openSumUs: number;
  private lateUs: number;
  /** Window of the request counted last (`took` adds its latency there). */
  private last = 0;
  /** The histogram the percentiles are read from: the owner's whole-run one (`follow`), or one of its own. */
  private whole: LatencyHistogram | null;
  /**
   * Without percentiles (an edge's series): the owner's histogram (`follow`), whose count of values
   * gives the open window's requests, as `whole` does a client's; null for a series used alone. The
   * histogram's count when the window opened and the late requests since (`openN`, `lateN`): an edge
   * record in the open window stores no count of its own (docs/performance.md, Goal 3, session 25).
   */
  private counted: LatencyHistogram | null = null;
  private openN = 0;
  private lateN = 0;
  /** The whole histogram's counts when the open window opened (plus late values since). */
  private readonly mark: HdrCounts | null;
  /** Exact largest latency (µs) of the open window. */
  private openMaxUs = 0;
  private open = -1;
  /** Completion times from `openLoMs` to `openHiMs` are in the open window (`lastOf`); none when no
   *  window is open. The common request is counted without `indexOf`'s division and clamps
   *  (docs/performance.md, Goal 2, session 24). */
  private openLoMs = Infinity;
  private openHiMs = -Infinity;
  /**
   * Requests this series still counts in `countElsewhere` before the open window's range is set: the
   * `this.countElsewhere` load in `count` then runs again after V8 has given `count` its feedback
   * vector (V8 gives a function one after its first calls, all series together: 16 of them per series
   * were too few on Node 20, 64 are enough on Node 20, 22 and 24).
   * Before, the first window opened at the run's first request, when `count` had no vector, the next
   * one after the recorder's caller was optimized with `count` inlined, and a load with no feedback
   * is compiled as a deoptimization: a cold run threw away the load generator's `onCallDone` there
   * and compiled it again without the client's record inlined (two boxed doubles a request;
   * docs/performance.md, Goal 2, session 28 `box15`). The same counts, from the same windows.
   */
  private rangeAfter = 64;

  constructor(readonly startMs: number, readonly windowMs: number, endMs: number, readonly percentiles: boolean) {
    if (!(windowMs > 0)) throw new RangeError(`report window must be longer than 0 ms, got ${windowMs}`);
    this.length = Math.max(1, Math.ceil((endMs - startMs) / windowMs));
    const first = Math.min(this.length, 64);
    // Views of shared chunks: thousands of series are made at their first request (float64-arena.ts).
    this.requests = float64s(first);
    this.errors = float64s(first);
    this.p50 = percentiles ? float64s(first).fill(Number.NaN) : null;
    this.p99 = percentiles ? float64s(first).fill(Number.NaN) : null;
    this.sumUs = percentiles ? float64s(first) : null;
    this.whole = percentiles ? new LatencyHistogram() : null;
    this.mark = percentiles ? new HdrCounts() : null;
    // Doubles from their first store (as CodeSeries.sumMs): a run's sum passes the small-integer range.
    this.openSumUs = this.lateUs = 0.5;
    this.openSumUs = this.lateUs = 0;
  }

  /**
   * Take the percentiles from `whole`, which records every latency this series counts, each right
   * after `count` and before `took` (RequestStats.record). Before the first request only.
   */
  follow(whole: LatencyHistogram): void {
    if (this.whole !== null) this.whole = whole;
    else this.counted = whole;
  }

  /** Window index of a completion time (clamped to the first and last window). */
  indexOf(endMs: number): number {
    const i = Math.floor((endMs - this.startMs) / this.windowMs);
    // Clamped without a branch that reads `this.length` only past the last window (the run's drain):
    // see PodStats.busyNow. The same index, as length ≥ 1.
    return Math.max(0, Math.min(i, this.length - 1));
  }

  /** The run stopped early at `endMs`: windows after it are dropped. */
  endAt(endMs: number): void {
    // The last window's range may have changed (`lastOf`): `indexOf` decides from here.
    this.openHiMs = -Infinity;
    this.length = Math.min(this.length, Math.max(1, Math.ceil((endMs - this.startMs) / this.windowMs)));
  }

  /** Requests and errors counted in window `i` (0 for a window the run has not reached). */
  requestsAt(i: number): number {
    if (i === this.open) return this.openCount();
    return i < this.requests.length ? this.requests[i]! : 0;
  }

  /**
   * Requests of the open window: those the whole histogram recorded since it opened, late ones
   * excluded (the mark takes those). With percentiles, the open window's count is not stored per
   * request but written when it closes (docs/performance.md, Goal 3, session 20).
   */
  private openCount(): number {
    const h = this.whole;
    return h !== null ? h.countSince(this.mark!) : this.counted!.count - this.openN - this.lateN;
  }
  errorsAt(i: number): number { return i < this.errors.length ? this.errors[i]! : 0; }
  /** Sum of the latencies (ms) counted in window `i`; null for a series without percentiles. */
  latencySumMsAt(i: number): number | null {
    const s = this.sumUs;
    if (s === null) return null;
    if (i === this.open) return this.openWindowUs() / 1000;
    return i < s.length ? s[i]! / 1000 : 0;
  }

  /** The open window's latency sum, in µs. */
  private openWindowUs(): number {
    return this.whole!.totalUs - this.openSumUs - this.lateUs;
  }

  /** The p99 (ms) of window `i`'s requests; null when it had none or the series keeps no percentiles. */
  p99At(i: number): number | null {
    const p = this.p99;
    if (p === null || i >= p.length) return null;
    const v = p[i]!;
    return Number.isNaN(v) ? null : v;
  }

  /**
   * Room for window `i` (doubling, at most `length`). The caller tests whether it is needed, so that
   * the per-request path stays small enough for V8 to inline whole into the recorder.
   */
  private grow(i: number): void {
    const n = Math.min(this.length, Math.max(i + 1, this.requests.length * 2));
    const copy = (from: Float64Array, fill: number) => { const to = float64s(n).fill(fill); to.set(from); return to; };
    this.requests = copy(this.requests, 0);
    this.errors = copy(this.errors, 0);
    if (this.p50 !== null) this.p50 = copy(this.p50, Number.NaN);
    if (this.p99 !== null) this.p99 = copy(this.p99, Number.NaN);
    if (this.sumUs !== null) this.sumUs = copy(this.sumUs, 0);
  }

  /** Count one request (standalone: a series with percentiles records the latency in its own histogram). */
  record(endMs: number, latencyMs: number, error: boolean): void {
    const inOpen = this.count(endMs, error);
    const h = this.whole;
    if (h !== null) {
      h.record(latencyMs);
      this.took(inOpen);
    }
  }

  /**
   * Count a request in its window, before its latency is recorded in the whole histogram (a window
   * that closes now must not see it). True when its latency belongs to the open window's percentiles.
   */
  count(endMs: number, error: boolean): boolean {
    // A completion time within the open window's known range: no division, no clamps, no growth.
    if (endMs >= this.openLoMs && endMs <= this.openHiMs) {
      // No store of `last`: only a late request's `took` reads it, and `countElsewhere` sets it.
      if (error) this.errors[this.open]!++;
      return true;
    }
    return this.countElsewhere(endMs, error);
  }

  /**
   * `count` of a request outside the open window's known range: a window to open (or grow into), a
   * late request, or the first. A method of its own so that `count`, on every record's path, is small
   * enough in bytecode for TurboFan to inline the whole record where it is called (docs/performance.md,
   * Goal 3, session 26 `tel4`).
   */
  private countElsewhere(endMs: number, error: boolean): boolean {
    const i = this.indexOf(endMs);
    if (i >= this.requests.length) this.grow(i);
    if (error) this.errors[i]!++;
    const h = this.whole;
    if (h === null && this.counted === null) {
      this.requests[i]!++;
      return false;
    }
    this.last = i;
    if (i > this.open) {
      this.close();
      this.open = i;
      if (h !== null) {
        h.markInto(this.mark!);
        this.openMaxUs = 0;
        this.openSumUs = h.totalUs;
        this.lateUs = 0;
      } else {
        this.openN = this.counted!.count;
        this.lateN = 0;
      }
      if (this.rangeAfter === 0) this.setRange(i, endMs);
    } else if (i === this.open && this.rangeAfter > 0 && --this.rangeAfter === 0) this.setRange(i, endMs);
    if (i === this.open) return true;
    this.requests[i]!++;
    // A late request of an edge: its histogram counts it, the open window must not (a client's
    // `took` hides it from the mark).
    if (h === null) this.lateN++;
    return false;
  }

  /** Completion times from `endMs`, counted in the open window `i`, to `lastOf(i)` take `count`'s short path. */
  private setRange(i: number, endMs: number): void {
    this.openLoMs = endMs;
    this.openHiMs = this.lastOf(i);
  }

  /**
   * A completion time that `indexOf` puts in window `i`, as late as can be cheaply checked: every time
   * from the one that opened the window to this one is in window `i` too, as `indexOf` never decreases
   * with the time (a subtraction, a division by a positive width, a floor and clamps, each correctly
   * rounded and monotone). Just below the window's computed end, checked; the last window has no end
   * (the clamp). -Infinity when the check fails: the window's requests then take `indexOf`.
   */
  private lastOf(i: number): number {
    if (i === this.length - 1) return Infinity;
    const end = this.startMs + (i + 1) * this.windowMs;
    const t = end - Math.max(Math.abs(end), 1) * 1e-9;
    return t >= this.openLoMs && this.indexOf(t) === i ? t : -Infinity;
  }

  /** The whole histogram has recorded the latency of the request just counted (`count` said `inOpen`). */
  took(inOpen: boolean): void {
    const h = this.whole!;
    if (inOpen) {
      if (h.lastUs > this.openMaxUs) this.openMaxUs = h.lastUs;
    } else this.late(h);
  }

  /**
   * A late request's latency (its window is closed): in its window's sum (which must match its
   * `requests`: their ratio is the window's mean), out of the open window's, and hidden from the
   * open window's percentiles.
   */
  private late(h: LatencyHistogram): void {
    this.sumUs![this.last]! += h.lastUs;
    this.lateUs += h.lastUs;
    h.excludeLast(this.mark!);
  }

  /** Compute the open window's percentiles (at the end of the run). Idempotent. */
  close(): void {
    const h = this.whole;
    if (this.open < 0) return;
    this.openLoMs = Infinity;
    this.openHiMs = -Infinity;
    if (h === null) {
      this.requests[this.open] = this.openCount();
      this.open = -1;
      return;
    }
    this.sumUs![this.open] = this.openWindowUs();
    const mark = this.mark!;
    const n = h.countSince(mark);
    this.requests[this.open] = n;
    if (n > 0) {
      const out = PERCENTILES;
      h.percentilesSince(mark, 50, 99, this.openMaxUs, out);
      this.p50![this.open] = out[0]!;
      this.p99![this.open] = out[1]!;
    }
    this.open = -1;
  }

  /** The windows as points (t in seconds, rounded to the ms). */
  points(): WindowPoint[] {
    const out: WindowPoint[] = [];
    for (let i = 0; i < this.length; i++) {
      const t = Math.round(this.startMs + i * this.windowMs) / 1000;
      const reached = i < this.requests.length;
      const p: WindowPoint = { t, requests: reached ? this.requestsAt(i) : 0, errors: reached ? this.errors[i]! : 0 };
      if (this.p50 !== null && this.p99 !== null) {
        const a = reached ? this.p50[i]! : Number.NaN, b = reached ? this.p99[i]! : Number.NaN;
        p.p50 = Number.isNaN(a) ? null : a;
        p.p99 = Number.isNaN(b) ? null : b;
      }
      out.push(p);
    }
    return out;
  }
}
