// A load generator's client-side figures: its requests, answers and time in flight, and what fortio's
// JSON reports of them (sizes, sockets, dials, the failed calls' latencies, exact standard deviations).
import { LatencyHistogram } from "./histogram.js";
import { RequestStats } from "./request-stats.js";
import { SizeHistogram } from "./size-histogram.js";
import { WindowSeries } from "./window-series.js";

/** A load generator's view: what it sent and what came back, plus requests in flight over time. */
export class ClientStats extends RequestStats {
  declare readonly windows: WindowSeries;
  private inflight = 0;
  private lastMs: number;
  private inflightIntegral: number;
  private toMs: number;
  /** Response body sizes of the counted requests, made at the first non-empty one (Fortio's Sizes). */
  responseSizes: SizeHistogram | null = null;
  /** Connections a closed-loop client dialled after the warm-up (fortio's SocketCount). */
  sockets = 0;
  /** The same by thread (fortio's Sockets), and each dial's time in ms (its ConnectionStats). */
  readonly socketsByThread: number[] = [];
  readonly dialMs = new LatencyHistogram();
  /**
   * Latencies of the counted calls the load generator counted as failed (fortio's
   * ErrorsDurationHistogram: calls whose answer is not 2xx or 418, or that got none).
   */
  readonly errorLatency = new LatencyHistogram();
  /**
   * Sums of squares of the latencies (all, failed, dials) in µs² as the histograms round them: fortio's
   * Counter.StdDev is exact (stats/stats.go), HDR's works from its buckets. Doubles from their first
   * store (constructor): they pass the small-integer range within a few hundred requests.
   */
  latencySumSqUs: number;
  errorSumSqUs: number;
  dialSumSqUs: number;
  /** When the first counted request was sent and the last counted answer came (the load's own span). */
  firstSentMs = Infinity;
  lastAnsweredMs = -Infinity;

  constructor(readonly name: string, opts: { readonly warmupMs: number; readonly windowMs: number; readonly endMs: number }) {
    super(opts.warmupMs, new WindowSeries(opts.warmupMs, opts.windowMs, opts.endMs, true));
    // Doubles from their first store (as CodeSeries.sumMs).
    this.lastMs = this.inflightIntegral = this.latencySumSqUs = this.errorSumSqUs = this.dialSumSqUs = 0.5;
    this.inflightIntegral = this.latencySumSqUs = this.errorSumSqUs = this.dialSumSqUs = 0;
    this.lastMs = opts.warmupMs;
    this.toMs = opts.endMs;
  }

  /** A request was sent at `now` (for the in-flight integral). */
  issued(now: number): void {
    this.advance(now);
    this.inflight++;
  }

  /** A closed-loop connection of thread `thread` was dialled at `now`, taking `ms`. */
  dialed(now: number, thread = 0, ms = 0): void {
    if (now < this.fromMs) return;
    this.sockets++;
    while (this.socketsByThread.length <= thread) this.socketsByThread.push(0);
    this.socketsByThread[thread]!++;
    this.dialMs.record(ms);
    const us = Math.round(ms * 1000);
    this.dialSumSqUs += us * us;
  }

  /** The request that ended at `endMs` (just recorded) counts as a failure for the load generator. */
  failed(endMs: number, latencyMs: number): void {
    if (endMs < this.fromMs) return;
    this.errorLatency.record(latencyMs);
    const us = Math.round(latencyMs * 1000);
    this.errorSumSqUs += us * us;
  }

  /** From the first counted request's start to the last counted answer, ms (0 with no request). */
  activeSpanMs(): number {
    return this.lastAnsweredMs >= this.firstSentMs ? this.lastAnsweredMs - this.firstSentMs : 0;
  }

  override record(endMs: number, latencyMs: number, code: number, flags: string, requestBytes?: number, responseBytes?: number): void {
    this.endMs = endMs;
    this.latencyMs = latencyMs;
    this.recordStored(code, flags, requestBytes, responseBytes);
  }

  /**
   * `record` of the end and latency the caller stored in `endMs` and `latencyMs` just before: the
   * load generator's answer hands no double to a call TurboFan may not inline (each would be a fresh
   * HeapNumber). Optional sizes rather than default parameters: with a default V8 copies every
   * argument to a register first, 32 bytes of bytecode that counted against the inlining budget where
   * the load generator calls this (docs/performance.md, Goal 3, session 26 `tel4`).
   */
  recordStored(code: number, flags: string, requestBytes?: number, responseBytes?: number): void {
    const endMs = this.endMs;
    this.advance(endMs);
    this.inflight--;
    if (endMs < this.fromMs) return;
    if (responseBytes === undefined) responseBytes = 0;
    const latencyMs = this.latencyMs;
    this.counted(endMs, latencyMs, code, flags, requestBytes ?? 0, responseBytes);
    // The histogram has just rounded this latency to the µs (LatencyHistogram.record).
    const us = this.latency.lastUs;
    this.latencySumSqUs += us * us;
    const sentMs = endMs - latencyMs;
    if (sentMs < this.firstSentMs) this.firstSentMs = sentMs;
    if (endMs > this.lastAnsweredMs) this.lastAnsweredMs = endMs;
    if (responseBytes !== 0 || this.responseSizes !== null) this.responseSize(responseBytes);
  }

  /** A counted answer's body size, once an answer has had one (apart: small `record`, as above). */
  private responseSize(bytes: number): void {
    if (this.responseSizes !== null) this.responseSizes.record(bytes);
    else this.firstResponseSize(bytes);
  }

  /**
   * The first counted answer with a body: the counted ones before it had none (else the histogram
   * would exist), so their number is the requests counted so far but this one, not a count kept
   * per request.
   */
  private firstResponseSize(bytes: number): void {
    const sizes = (this.responseSizes = new SizeHistogram());
    const empty = this.requests - 1;
    if (empty > 0) sizes.record(0, empty);
    sizes.record(bytes);
  }

  private advance(now: number): void {
    // Math.min for the same reason as PodStats.busyNow: no property read that only the run's
    // drain reaches, in code that V8 optimises before the drain.
    const t = Math.min(now, this.toMs);
    if (t > this.lastMs) {
      this.inflightIntegral += this.inflight * (t - this.lastMs);
      this.lastMs = t;
    }
  }

  /** The run stopped early (interrupted) at `ms`: the measured period ends there. */
  endAt(ms: number): void {
    if (ms >= this.toMs) return;
    this.advance(ms);
    this.toMs = Math.max(ms, this.fromMs);
    this.windows.endAt(ms);
  }

  /** Time-average number of requests in flight over the measured period (Little's L). */
  meanInflight(): number {
    this.advance(this.toMs);
    const span = this.toMs - this.fromMs;
    return span > 0 ? this.inflightIntegral / span : 0;
  }
}
