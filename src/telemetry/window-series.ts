// Counts per report window, for the time-series charts: windows of `windowMs` from the end of the
// warm-up to the end of the run, as typed arrays (memory is the number of windows reached, never
// the number of requests), grown as the run reaches them (a huge window count costs nothing up front). Requests that complete after the end (drained once load stopped) count in
// the last window. Optionally p50/p99 per window from one reusable histogram: the world records
// requests in completion order, so a window is closed (its percentiles computed, the histogram reset)
// as soon as a request of a later window arrives. A late request for an already closed window still
// counts in its requests and errors, but no longer in its percentiles.
import { float64s } from "./float64-arena.js";
import { LatencyHistogram } from "./histogram.js";

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
  private readonly hist: LatencyHistogram | null;
  private open = -1;

  constructor(readonly startMs: number, readonly windowMs: number, endMs: number, percentiles: boolean) {
    if (!(windowMs > 0)) throw new RangeError(`report window must be longer than 0 ms, got ${windowMs}`);
    this.length = Math.max(1, Math.ceil((endMs - startMs) / windowMs));
    const first = Math.min(this.length, 64);
    // Views of shared chunks: thousands of series are made at their first request (float64-arena.ts).
    this.requests = float64s(first);
    this.errors = float64s(first);
    this.p50 = percentiles ? float64s(first).fill(Number.NaN) : null;
    this.p99 = percentiles ? float64s(first).fill(Number.NaN) : null;
    this.hist = percentiles ? new LatencyHistogram() : null;
  }

  /** Window index of a completion time (clamped to the first and last window). */
  indexOf(endMs: number): number {
    const i = Math.floor((endMs - this.startMs) / this.windowMs);
    return i < 0 ? 0 : i >= this.length ? this.length - 1 : i;
  }

  /** The run stopped early at `endMs`: windows after it are dropped. */
  endAt(endMs: number): void {
    this.length = Math.min(this.length, Math.max(1, Math.ceil((endMs - this.startMs) / this.windowMs)));
  }

  /** Requests and errors counted in window `i` (0 for a window the run has not reached). */
  requestsAt(i: number): number { return i < this.requests.length ? this.requests[i]! : 0; }
  errorsAt(i: number): number { return i < this.errors.length ? this.errors[i]! : 0; }

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
  }

  record(endMs: number, latencyMs: number, error: boolean): void {
    const h = this.count(endMs, error);
    if (h !== null) h.record(latencyMs);
  }

  /** `record` with the latency `whole` (the whole run's histogram) recorded last. */
  recordLastOf(endMs: number, whole: LatencyHistogram, error: boolean): void {
    const h = this.count(endMs, error);
    if (h !== null) h.recordLastOf(whole);
  }

  /** Count a request in its window; the histogram its latency goes to, or null (none, or closed). */
  private count(endMs: number, error: boolean): LatencyHistogram | null {
    const i = this.indexOf(endMs);
    if (i >= this.requests.length) this.grow(i);
    this.requests[i]!++;
    if (error) this.errors[i]!++;
    const h = this.hist;
    if (h === null) return null;
    if (i > this.open) {
      this.close();
      this.open = i;
    }
    return i === this.open ? h : null;
  }

  /** Compute the open window's percentiles (at the end of the run). Idempotent. */
  close(): void {
    const h = this.hist;
    if (h === null || this.open < 0) return;
    if (h.count > 0) {
      this.p50![this.open] = h.percentile(50);
      this.p99![this.open] = h.percentile(99);
    }
    h.reset();
    this.open = -1;
  }

  /** The windows as points (t in seconds, rounded to the ms). */
  points(): WindowPoint[] {
    const out: WindowPoint[] = [];
    for (let i = 0; i < this.length; i++) {
      const t = Math.round(this.startMs + i * this.windowMs) / 1000;
      const reached = i < this.requests.length;
      const p: WindowPoint = { t, requests: reached ? this.requests[i]! : 0, errors: reached ? this.errors[i]! : 0 };
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
