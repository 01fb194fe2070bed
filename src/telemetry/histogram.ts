// Latencies in ms, recorded as integer microseconds (so that sub-millisecond proxy latencies keep
// their precision) in HDR counts with 3 significant digits (telemetry/hdr-counts.ts: sized to the
// data, HDR's own percentiles), beside the exact count, sum, min and max. Histograms merge
// losslessly (shards, replications, edge variants).
import { HdrCounts } from "./hdr-counts.js";

// Out of the hot path: a throw with a template string would make `record` too large for V8 to
// inline it into the recorders that call it once per request.
function badLatency(ms: number): never {
  throw new RangeError(`latency must be a non-negative number of ms, got ${ms}`);
}

export class LatencyHistogram {
  private readonly counts = new HdrCounts();
  /** A double from its first store (constructor): a small integer overflows past ≈ 2,147 s of summed
   *  latency, which deoptimized `record` in every thread (docs/performance.md, Goal 5, session 18). */
  private sumUs: number;
  private maxUs = 0;
  private minUs = Number.POSITIVE_INFINITY;

  /** The last value recorded, in µs (a client's window takes its maximum from it). */
  lastUs = 0;

  constructor() {
    this.sumUs = 0.5;
    this.sumUs = 0;
  }

  /** Record one latency in ms (rounded to the µs). */
  record(ms: number): void {
    const us = Math.round(ms * 1000);
    if (!(us >= 0)) badLatency(ms);
    this.sumUs += us;
    if (us > this.maxUs) this.maxUs = us;
    if (us < this.minUs) this.minUs = us;
    this.lastUs = us;
    this.counts.increment(us);
  }

  /**
   * `mark` becomes a copy of the counts as they are now: `percentileSince(mark, ...)` then sees only
   * the values recorded after it (a client's report window, from the run's own counts).
   */
  markInto(mark: HdrCounts): void {
    mark.copyOf(this.counts);
  }

  /** Hide the value recorded last from `percentileSince(mark, ...)` (a late request of a closed window). */
  excludeLast(mark: HdrCounts): void {
    mark.increment(this.lastUs);
  }

  /** How many values were recorded since `mark` and not excluded. */
  countSince(mark: HdrCounts): number {
    return this.counts.total - mark.total;
  }

  /**
   * `percentile(p)` of the values recorded since `mark` (not excluded), whose exact largest value is
   * `maxUs` µs: what a histogram of those values alone answers.
   */
  percentileSince(mark: HdrCounts, p: number, maxUs: number): number {
    const us = this.counts.valueAtPercentileSince(mark, p);
    return (us < maxUs ? us : maxUs) / 1000;
  }

  /**
   * `percentileSince(mark, low, maxUs)` and `(mark, high, maxUs)` (low ≤ high) into out[0] and
   * out[1], in ms, from one walk of the counts.
   */
  percentilesSince(mark: HdrCounts, low: number, high: number, maxUs: number, out: Float64Array): void {
    this.counts.valuesAtPercentilesSince(mark, low, high, out);
    for (let i = 0; i < 2; i++) out[i] = (out[i]! < maxUs ? out[i]! : maxUs) / 1000;
  }

  get count(): number {
    return this.counts.total;
  }

  /** Sum of the recorded values in µs (whole numbers: exact below 2^53, in any order). */
  get totalUs(): number {
    return this.sumUs;
  }

  /** Exact mean of the recorded (microsecond-rounded) values, in ms; 0 when empty. */
  get mean(): number {
    const n = this.counts.total;
    return n === 0 ? 0 : this.sumUs / n / 1000;
  }

  /** Exact largest recorded value, in ms; 0 when empty. */
  get max(): number {
    return this.counts.total === 0 ? 0 : this.maxUs / 1000;
  }

  /** Exact smallest recorded value, in ms; 0 when empty. */
  get min(): number {
    return this.counts.total === 0 ? 0 : this.minUs / 1000;
  }

  /**
   * The value at percentile `p` (0..100) in ms, HDR's definition: the highest value equivalent (within
   * 3 digits) to the recorded value at rank ceil(p% × count), capped at the exact max; 0 when empty.
   */
  percentile(p: number): number {
    if (this.counts.total === 0) return 0;
    const us = this.counts.valueAtPercentile(p);
    return (us < this.maxUs ? us : this.maxUs) / 1000;
  }

  /** Standard deviation in ms (HDR's, over bucket midpoints); 0 when empty. */
  get stdDev(): number {
    return this.counts.stdDev / 1000;
  }

  /** Add another histogram's values to this one, losslessly (shards, replications, edge variants). */
  merge(other: LatencyHistogram): void {
    if (other.counts.total === 0) return;
    this.counts.merge(other.counts);
    this.sumUs += other.sumUs;
    if (other.maxUs > this.maxUs) this.maxUs = other.maxUs;
    if (other.minUs < this.minUs) this.minUs = other.minUs;
  }

  /**
   * Each non-empty HDR bucket as (its median equivalent value in ms, count), in increasing order: the
   * distribution itself, for report charts (read-only; a bucket is at most 0.1 % of its value wide).
   */
  forEachBucket(fn: (valueMs: number, count: number) => void): void {
    this.counts.forEachBucket((us, c) => fn(us / 1000, c));
  }

  /** Bytes held by the counts (for the memory bench and its test). */
  get countsBytes(): number {
    return this.counts.bytes;
  }

  /** Forget every value; the counts array is kept (a window's histogram is reset every window). */
  reset(): void {
    this.counts.reset();
    this.sumUs = 0;
    this.maxUs = 0;
    this.minUs = Number.POSITIVE_INFINITY;
  }
}
