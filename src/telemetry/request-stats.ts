// Streaming statistics of the requests seen at one place (a client, or one reporter of an edge):
// counts by status code and by response flags, a latency histogram, and per (code, flags) pair the
// counts in Istio's duration buckets for metrics.prom. Nothing per request is kept.
import { LatencyHistogram } from "./histogram.js";
import { bucketIndex, ISTIO_DURATION_BUCKETS_MS } from "./istio-buckets.js";

/** An error is a response with no HTTP status (0) or a 5xx, as Istio's dashboards count them. */
export function isError(code: number): boolean {
  return code === 0 || code >= 500;
}

/** One (response code, response flags) series of an edge, as Prometheus labels them. */
export class CodeSeries {
  count = 0;
  sumMs = 0;
  readonly buckets = new Float64Array(ISTIO_DURATION_BUCKETS_MS.length + 1);
  constructor(readonly code: number, readonly flags: string) {}
}

export class RequestStats {
  requests = 0;
  errors = 0;
  readonly codes = new Map<number, number>();
  readonly flags = new Map<string, number>();
  readonly latency = new LatencyHistogram();
  /** code → flags → series */
  readonly series = new Map<number, Map<string, CodeSeries>>();
  private windowed: WindowedCounts | null = null;

  constructor(private readonly fromMs: number) {}

  /** Also keep per-window counts (and optionally latency percentiles) for time series. */
  withWindows(w: WindowedCounts): this {
    this.windowed = w;
    return this;
  }

  record(endMs: number, latencyMs: number, code: number, flags: string): void {
    if (endMs < this.fromMs) return;
    this.requests++;
    const err = isError(code);
    if (err) this.errors++;
    this.codes.set(code, (this.codes.get(code) ?? 0) + 1);
    this.flags.set(flags, (this.flags.get(flags) ?? 0) + 1);
    this.latency.record(latencyMs);
    let byFlags = this.series.get(code);
    if (byFlags === undefined) {
      byFlags = new Map();
      this.series.set(code, byFlags);
    }
    let s = byFlags.get(flags);
    if (s === undefined) {
      s = new CodeSeries(code, flags);
      byFlags.set(flags, s);
    }
    s.count++;
    s.sumMs += latencyMs;
    s.buckets[bucketIndex(latencyMs)]!++;
    if (this.windowed !== null) this.windowed.record(endMs, latencyMs, err);
  }
}

export interface WindowPoint {
  t: number;
  requests: number;
  errors: number;
  p50?: number;
  p99?: number;
}

/**
 * Counts per report window from the end of the warm-up. Requests complete in time order, so a window
 * is closed (its percentiles computed, its histogram reused) as soon as a later one starts.
 */
export class WindowedCounts {
  readonly points: WindowPoint[] = [];
  private current: WindowPoint | null = null;
  private readonly hist: LatencyHistogram | null;

  private readonly lastIndex: number;

  /** Requests that complete after `toMs` (drained after the load stopped) count in the last window. */
  constructor(private readonly fromMs: number, private readonly windowMs: number, toMs: number, percentiles: boolean) {
    this.hist = percentiles ? new LatencyHistogram() : null;
    this.lastIndex = Math.max(0, Math.ceil((toMs - fromMs) / windowMs) - 1);
  }

  record(endMs: number, latencyMs: number, error: boolean): void {
    const index = Math.min(this.lastIndex, Math.floor((endMs - this.fromMs) / this.windowMs));
    const t = round3((this.fromMs + index * this.windowMs) / 1000);
    if (this.current === null || this.current.t !== t) {
      this.close();
      // Windows with no request in between are recorded as zeros, so charts show the gap.
      const last = this.points.length > 0 ? this.points[this.points.length - 1]!.t : null;
      if (last !== null) {
        for (let k = last + this.windowMs / 1000; k < t - 1e-9; k += this.windowMs / 1000) {
          this.points.push(this.hist ? { t: round3(k), requests: 0, errors: 0, p50: 0, p99: 0 } : { t: round3(k), requests: 0, errors: 0 });
        }
      }
      this.current = { t, requests: 0, errors: 0 };
      this.points.push(this.current);
    }
    this.current.requests++;
    if (error) this.current.errors++;
    this.hist?.record(latencyMs);
  }

  /** Close the open window (at the end of the run). */
  close(): void {
    if (this.current !== null && this.hist !== null) {
      this.current.p50 = this.hist.percentile(50);
      this.current.p99 = this.hist.percentile(99);
      this.hist.reset();
    }
    this.current = null;
  }
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
