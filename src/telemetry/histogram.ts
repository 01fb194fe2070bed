// Latencies in an HDR histogram (hdr-histogram-js, pure JavaScript: no WebAssembly memory to free,
// histograms of shards merge losslessly). 3 significant digits, values recorded as integer
// microseconds so that sub-millisecond proxy latencies keep their precision; the range grows on
// demand (auto-resize), so memory depends on the largest value, never on how many are recorded.
// https://github.com/HdrHistogram/HdrHistogramJS
import { Int32Histogram } from "hdr-histogram-js";

const SIGNIFICANT_DIGITS = 3;
/** Initial range: 60 s in µs; larger values resize the counts array once. */
const INITIAL_HIGHEST_US = 60_000_000;
/** With 3 digits and a lowest value of 1 µs, HDR uses 2048 sub-buckets (half count 2^10) of unit 1. */
const SUB_BUCKET_HALF_COUNT_MAGNITUDE = 10;
const SUB_BUCKET_MASK = (1 << (SUB_BUCKET_HALF_COUNT_MAGNITUDE + 1)) - 1;
const LEADING_ZERO_COUNT_BASE_32 = 32 - SUB_BUCKET_HALF_COUNT_MAGNITUDE - 1;
const FAST_PATH_LIMIT_US = 2 ** 31;

export class LatencyHistogram {
  private readonly h: Int32Histogram;
  private sumUs = 0;
  private maxUs = 0;
  private minUs = Number.POSITIVE_INFINITY;

  constructor() {
    this.h = new Int32Histogram(1, INITIAL_HIGHEST_US, SIGNIFICANT_DIGITS);
    this.h.autoResize = true;
    // The fast path below computes HDR's counts index itself; it relies on this layout.
    if (this.h.subBucketHalfCountMagnitude !== SUB_BUCKET_HALF_COUNT_MAGNITUDE || this.h.unitMagnitude !== 0) {
      throw new Error("hdr-histogram-js: unexpected bucket layout");
    }
  }

  /**
   * Record one latency in ms. The library's own recordValue costs ~150 ns (log2/pow per call); the
   * counts index is the same integer formula HDR uses (clz of the value), ~10 ns, and values outside
   * the current range (or ≥ 2^31 µs) take the library's path, which resizes.
   */
  record(ms: number): void {
    const us = Math.round(ms * 1000);
    if (!(us >= 0)) throw new RangeError(`latency must be a non-negative number of ms, got ${ms}`);
    this.sumUs += us;
    if (us > this.maxUs) this.maxUs = us;
    if (us < this.minUs) this.minUs = us;
    const h = this.h;
    if (us < FAST_PATH_LIMIT_US) {
      const bucket = LEADING_ZERO_COUNT_BASE_32 - Math.clz32(us | SUB_BUCKET_MASK);
      const index = ((bucket + 1) << SUB_BUCKET_HALF_COUNT_MAGNITUDE) + ((us >>> bucket) - (1 << SUB_BUCKET_HALF_COUNT_MAGNITUDE));
      if (index < h.countsArrayLength) {
        h.incrementCountAtIndex(index);
        h.incrementTotalCount();
        h.updateMinAndMax(us);
        return;
      }
    }
    h.recordValue(us);
  }

  get count(): number {
    return this.h.totalCount;
  }

  /** Exact mean of the recorded (microsecond-rounded) values, in ms; 0 when empty. */
  get mean(): number {
    const n = this.h.totalCount;
    return n === 0 ? 0 : this.sumUs / n / 1000;
  }

  /** Exact largest recorded value, in ms; 0 when empty. */
  get max(): number {
    return this.h.totalCount === 0 ? 0 : this.maxUs / 1000;
  }

  /** Exact smallest recorded value, in ms; 0 when empty. */
  get min(): number {
    return this.h.totalCount === 0 ? 0 : this.minUs / 1000;
  }

  /**
   * The value at percentile `p` (0..100) in ms, HDR's definition: the highest value equivalent (within
   * 3 digits) to the recorded value at rank ceil(p% × count), capped at the exact max; 0 when empty.
   */
  percentile(p: number): number {
    if (this.h.totalCount === 0) return 0;
    const us = this.h.getValueAtPercentile(p);
    return (us < this.maxUs ? us : this.maxUs) / 1000;
  }

  /** Standard deviation in ms (HDR's, over bucket midpoints); 0 when empty. */
  get stdDev(): number {
    return this.h.totalCount === 0 ? 0 : this.h.stdDeviation / 1000;
  }

  /** Add another histogram's values to this one, losslessly (shards, replications, edge variants). */
  merge(other: LatencyHistogram): void {
    if (other.h.totalCount === 0) return;
    this.h.add(other.h);
    this.sumUs += other.sumUs;
    if (other.maxUs > this.maxUs) this.maxUs = other.maxUs;
    if (other.minUs < this.minUs) this.minUs = other.minUs;
  }

  /**
   * Each non-empty HDR bucket as (its median equivalent value in ms, count), in increasing order: the
   * distribution itself, for report charts (read-only; a bucket is at most 0.1 % of its value wide).
   */
  forEachBucket(fn: (valueMs: number, count: number) => void): void {
    const h = this.h;
    if (h.totalCount === 0) return;
    for (let i = 0; i < h.countsArrayLength; i++) {
      const c = h.getCountAtIndex(i);
      if (c > 0) fn(h.medianEquivalentValue(h.valueFromIndex(i)) / 1000, c);
    }
  }

  reset(): void {
    this.h.reset();
    this.sumUs = 0;
    this.maxUs = 0;
    this.minUs = Number.POSITIVE_INFINITY;
  }
}
