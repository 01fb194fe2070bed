// Body sizes in bytes in HDR counts (3 significant digits, sized to the data: telemetry/hdr-counts.ts),
// for a load generator's view of its answers (Fortio's `Sizes`). Exact count, sum, min and max beside it.
import { HdrCounts } from "./hdr-counts.js";

export class SizeHistogram {
  private readonly h = new HdrCounts();
  private sum = 0;
  /** Sum of the squared sizes (fortio's Counter keeps it for its exact StdDev). */
  sumOfSquares = 0;
  private lo = Number.POSITIVE_INFINITY;
  private hi = 0;

  record(bytes: number, count = 1): void {
    this.h.add(bytes, count);
    this.sum += bytes * count;
    this.sumOfSquares += bytes * bytes * count;
    if (bytes < this.lo) this.lo = bytes;
    if (bytes > this.hi) this.hi = bytes;
  }

  get count(): number {
    return this.h.total;
  }
  get total(): number {
    return this.sum;
  }
  get min(): number {
    return this.count === 0 ? 0 : this.lo;
  }
  get max(): number {
    return this.hi;
  }
  get mean(): number {
    return this.count === 0 ? 0 : this.sum / this.count;
  }
  get stdDev(): number {
    return this.h.stdDev;
  }
  percentile(p: number): number {
    return this.count === 0 ? 0 : Math.min(this.h.valueAtPercentile(p), this.hi);
  }

  /** Each non-empty bucket in ascending order: its median equivalent value and count. */
  forEachBucket(fn: (value: number, count: number) => void): void {
    this.h.forEachBucket(fn);
  }
}
