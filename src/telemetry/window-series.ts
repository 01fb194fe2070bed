// Counts per report window, for the time-series charts: windows of `windowMs` from the end of the
// warm-up to the end of the run, preallocated as typed arrays (memory is the number of windows, never
// the number of requests). Requests that complete after the end (drained once load stopped) count in
// the last window. Optionally p50/p99 per window from one reusable histogram: the world records
// requests in completion order, so a window is closed (its percentiles computed, the histogram reset)
// as soon as a request of a later window arrives. A late request for an already closed window still
// counts in its requests and errors, but no longer in its percentiles.
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
  readonly length: number;
  readonly requests: Float64Array;
  readonly errors: Float64Array;
  readonly p50: Float64Array | null;
  readonly p99: Float64Array | null;
  private readonly hist: LatencyHistogram | null;
  private open = -1;

  constructor(readonly startMs: number, readonly windowMs: number, endMs: number, percentiles: boolean) {
    if (!(windowMs > 0)) throw new RangeError(`report window must be longer than 0 ms, got ${windowMs}`);
    this.length = Math.max(1, Math.ceil((endMs - startMs) / windowMs));
    this.requests = new Float64Array(this.length);
    this.errors = new Float64Array(this.length);
    this.p50 = percentiles ? new Float64Array(this.length).fill(Number.NaN) : null;
    this.p99 = percentiles ? new Float64Array(this.length).fill(Number.NaN) : null;
    this.hist = percentiles ? new LatencyHistogram() : null;
  }

  /** Window index of a completion time (clamped to the first and last window). */
  indexOf(endMs: number): number {
    const i = Math.floor((endMs - this.startMs) / this.windowMs);
    return i < 0 ? 0 : i >= this.length ? this.length - 1 : i;
  }

  record(endMs: number, latencyMs: number, error: boolean): void {
    const i = this.indexOf(endMs);
    this.requests[i]!++;
    if (error) this.errors[i]!++;
    const h = this.hist;
    if (h === null) return;
    if (i > this.open) {
      this.close();
      this.open = i;
    }
    if (i === this.open) h.record(latencyMs);
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
      const p: WindowPoint = { t, requests: this.requests[i]!, errors: this.errors[i]! };
      if (this.p50 !== null && this.p99 !== null) {
        const a = this.p50[i]!, b = this.p99[i]!;
        p.p50 = Number.isNaN(a) ? null : a;
        p.p99 = Number.isNaN(b) ? null : b;
      }
      out.push(p);
    }
    return out;
  }
}
