// Streaming statistics of the requests seen at one place (a client, or one reporter of an edge).
// Per distinct (response code, response flags) pair there is one small series object, created the
// first time the pair is seen, holding its count, latency sum and Istio duration-bucket counts: that
// is what istio_requests_total and istio_request_duration_milliseconds are labelled by. Totals by
// code and by flags are derived from the series. Nothing per request is kept or allocated.
import { float64s } from "./float64-arena.js";
import { LatencyHistogram } from "./histogram.js";
import { countIn, ISTIO_DURATION_BUCKETS_MS } from "./istio-buckets.js";
import type { WindowSeries } from "./window-series.js";

/**
 * An error is a request with no HTTP response (code 0) or a 5xx, as Istio's dashboards count them
 * (their success rate is non-5xx over all); 4xx (404 NR, 403 RBAC, 429) are answers, not errors.
 */
export function isError(code: number): boolean {
  return code === 0 || code >= 500;
}

/** One (response code, response flags) series, as Prometheus labels them. */
export class CodeSeries {
  /** istio_request_duration_milliseconds_sum as Envoy computes it (not the exact sum of latencies). */
  sumMs: number;
  /** Non-cumulative counts per Istio duration bucket; the last entry is +Inf. */
  readonly buckets = float64s(ISTIO_DURATION_BUCKETS_MS.length + 1);
  /** Body sizes (istio_request_bytes / istio_response_bytes) of the requests with a body either way. */
  requestBytes: SizeBuckets | null = null;
  responseBytes: SizeBuckets | null = null;
  /** `isError(code)`, once: a record reads it instead of testing its code. */
  readonly error: boolean;
  constructor(readonly code: number, readonly flags: string) {
    this.error = isError(code);
    // A double from its first store: a field first set to 0 gets V8's small-integer representation,
    // and the first fraction then replaces the map of every series and deoptimizes the recorders
    // optimized against it (docs/performance.md, Goal 4, session 17).
    this.sumMs = 0.5;
    this.sumMs = 0;
  }

  /**
   * Requests of the series: each is counted in exactly one duration bucket, so their sum, read when
   * a report asks, rather than a second count kept per request (docs/performance.md, Goal 3,
   * session 20). Whole numbers, so the sum is exact in any order.
   */
  get count(): number {
    const b = this.buckets;
    let n = 0;
    for (let i = 0; i < b.length; i++) n += b[i]!;
    return n;
  }

  /** Requests with both bodies empty: those the size buckets did not take. */
  get zeroBytes(): number {
    const sized = this.requestBytes;
    if (sized === null) return this.count;
    let n = 0;
    for (let i = 0; i < sized.buckets.length; i++) n += sized.buckets[i]!;
    return this.count - n;
  }

  /**
   * Non-cumulative counts per Istio size bucket of the request (or response) sizes, their sum (exact:
   * ztunnel's byte counters) and the histogram's `_sum` as Envoy computes it (bin midpoints).
   */
  sizes(which: "request" | "response"): { buckets: Float64Array; sum: number; histogramSum: number } {
    const own = which === "request" ? this.requestBytes : this.responseBytes;
    const buckets = new Float64Array(ISTIO_DURATION_BUCKETS_MS.length + 1);
    if (own !== null) buckets.set(own.buckets);
    buckets[0]! += this.zeroBytes;
    return { buckets, sum: own?.sum ?? 0, histogramSum: own?.histogramSum ?? 0 };
  }

  /** A request with a body either way (`zeroBytes` counts the others). */
  recordBytes(request: number, response: number): void {
    (this.requestBytes ??= new SizeBuckets()).record(request);
    (this.responseBytes ??= new SizeBuckets()).record(response);
  }
}

/** Istio's size histograms use the same bucket bounds as durations (in bytes). */
export class SizeBuckets {
  sum = 0;
  /** The `_sum` Envoy's histogram reports (telemetry/istio-buckets.ts). */
  histogramSum = 0;
  readonly buckets = float64s(ISTIO_DURATION_BUCKETS_MS.length + 1);
  record(bytes: number): void {
    this.sum += bytes;
    this.histogramSum += countIn(this.buckets, bytes);
  }
  add(o: SizeBuckets): void {
    this.sum += o.sum;
    this.histogramSum += o.histogramSum;
    for (let i = 0; i < this.buckets.length; i++) this.buckets[i]! += o.buckets[i]!;
  }
}

export class RequestStats {
  readonly latency = new LatencyHistogram();
  /** Series in order of first sight (few: one per distinct code and flags pair). */
  readonly series: CodeSeries[] = [];
  private last: CodeSeries | null = null;
  /**
   * The end and latency (ms) of the request `countedStored` counts, stored by `record` just before (a
   * client's by the load generator, for ClientStats.recordStored: docs/performance.md, Goal 2, session
   * 29 `cli16`): a double handed to a call TurboFan did not inline is a fresh 16-byte HeapNumber each
   * time, where a store into a double field rewrites the field's box in place, and the edges' callers
   * (the sidecar's legs and router) inline `record` but call what it calls (docs/performance.md, Goal 3,
   * session 28 `bi13`).
   */
  endMs: number;
  latencyMs: number;

  /** Requests that complete before `fromMs` (the warm-up) are not counted. */
  constructor(readonly fromMs: number, readonly windows: WindowSeries | null = null) {
    if (windows !== null) windows.follow(this.latency);
    // Doubles from their first store (as CodeSeries.sumMs).
    this.endMs = this.latencyMs = 0.5;
    this.endMs = this.latencyMs = 0;
  }

  record(endMs: number, latencyMs: number, code: number, flags: string, requestBytes = 0, responseBytes = 0): void {
    if (endMs < this.fromMs) return;
    this.endMs = endMs;
    this.latencyMs = latencyMs;
    this.countedStored(code, flags, requestBytes, responseBytes);
  }

  /**
   * `counted` of the request `record` stored. Too large for TurboFan's "small function" inlining, so
   * the caller that inlines `record` calls this, which inlines `counted` with the two doubles as they
   * are (docs/performance.md, Goal 3, session 28 `bi13`). ClientStats.recordStored calls `counted`
   * itself, with the fields read once.
   */
  private countedStored(code: number, flags: string, requestBytes: number, responseBytes: number): void {
    this.counted(this.endMs, this.latencyMs, code, flags, requestBytes, responseBytes);
  }

  /**
   * `record` of a request past the warm-up, every argument given: apart so that a subclass that
   * tests the warm-up itself (ClientStats) does not inline the test and the defaults twice, which
   * kept its record over TurboFan's inlining budget where the load generator calls it
   * (docs/performance.md, Goal 3, session 26 `tel4`).
   */
  protected counted(endMs: number, latencyMs: number, code: number, flags: string, requestBytes: number, responseBytes: number): void {
    // No count of requests or errors here: the code series' buckets hold both (`requests`, `errors`).
    // The code series first, then the window and the histogram: they share nothing, so the figures
    // are the same, and this order costs V8's code ≈ 13 fewer instructions a record
    // (docs/performance.md, Goal 3, session 19).
    const latency = this.latency;
    let s = this.last;
    if (s === null || s.code !== code || s.flags !== flags) s = this.seriesFor(code, flags);
    // Envoy's histogram of whole ms: its bucket and its _sum (telemetry/istio-buckets.ts).
    s.sumMs += countIn(s.buckets, latencyMs);
    if (requestBytes !== 0 || responseBytes !== 0) s.recordBytes(requestBytes, responseBytes);
    // The window is counted before the histogram: a window this request closes takes its
    // percentiles from the run's histogram without it.
    const w = this.windows;
    if (w === null) latency.record(latencyMs);
    else {
      const inOpen = w.count(endMs, s.error);
      latency.record(latencyMs);
      // `=== true`: one compare, not V8's generic truth test of a field it does not know to be a
      // boolean (docs/performance.md, Goal 3, left19).
      if (w.percentiles === true) w.took(inOpen);
    }
  }

  private seriesFor(code: number, flags: string): CodeSeries {
    const list = this.series;
    for (let i = 0; i < list.length; i++) {
      const s = list[i]!;
      if (s.code === code && s.flags === flags) return (this.last = s);
    }
    const s = new CodeSeries(code, flags);
    list.push(s);
    return (this.last = s);
  }

  /** Requests by status code (0 = no HTTP response). */
  codes(): Map<number, number> {
    const m = new Map<number, number>();
    for (const s of this.series) m.set(s.code, (m.get(s.code) ?? 0) + s.count);
    return m;
  }

  /** Requests by response-flags string ("-", "UO", "UF,URX"). */
  flags(): Map<string, number> {
    const m = new Map<string, number>();
    for (const s of this.series) m.set(s.flags, (m.get(s.flags) ?? 0) + s.count);
    return m;
  }

  /** Non-cumulative counts per Istio duration bucket over all series (last entry +Inf). */
  durationBuckets(): Float64Array {
    const out = new Float64Array(ISTIO_DURATION_BUCKETS_MS.length + 1);
    for (const s of this.series) for (let i = 0; i < out.length; i++) out[i]! += s.buckets[i]!;
    return out;
  }

  /** Requests counted (after the warm-up): the sum of the code series' counts. */
  get requests(): number {
    let n = 0;
    for (const s of this.series) n += s.count;
    return n;
  }

  /** Requests counted with no HTTP response or a 5xx (`isError`). */
  get errors(): number {
    let n = 0;
    for (const s of this.series) if (isError(s.code)) n += s.count;
    return n;
  }

  /** errors / requests; 0 when there were no requests. */
  get errorRate(): number {
    const n = this.requests;
    return n === 0 ? 0 : this.errors / n;
  }

  /** Add another subject's figures (lossless; time series are not merged). */
  merge(other: RequestStats): void {
    this.latency.merge(other.latency);
    for (const o of other.series) {
      const s = this.seriesFor(o.code, o.flags);
      s.sumMs += o.sumMs;
      for (let i = 0; i < s.buckets.length; i++) s.buckets[i]! += o.buckets[i]!;
      if (o.requestBytes !== null) (s.requestBytes ??= new SizeBuckets()).add(o.requestBytes);
      if (o.responseBytes !== null) (s.responseBytes ??= new SizeBuckets()).add(o.responseBytes);
    }
  }
}
