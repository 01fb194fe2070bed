// Body sizes in bytes in an HDR histogram (3 significant digits, range grows on demand), for a load
// generator's view of its answers (Fortio's `Sizes`). Exact count, sum, min and max beside it.
import { Int32Histogram } from "hdr-histogram-js";

export class SizeHistogram {
  private readonly h = new Int32Histogram(1, 1 << 20, 3);
  private sum = 0;
  private lo = Number.POSITIVE_INFINITY;
  private hi = 0;

  constructor() {
    this.h.autoResize = true;
  }

  record(bytes: number, count = 1): void {
    this.h.recordValueWithCount(bytes, count);
    this.sum += bytes * count;
    if (bytes < this.lo) this.lo = bytes;
    if (bytes > this.hi) this.hi = bytes;
  }

  get count(): number {
    return this.h.totalCount;
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
    return this.count === 0 ? 0 : this.h.stdDeviation;
  }
  percentile(p: number): number {
    return this.count === 0 ? 0 : Math.min(this.h.getValueAtPercentile(p), this.hi);
  }

  /** Each non-empty bucket in ascending order: its median equivalent value and count. */
  forEachBucket(fn: (value: number, count: number) => void): void {
    const h = this.h;
    for (let i = 0; i < h.countsArrayLength; i++) {
      const c = h.getCountAtIndex(i);
      if (c > 0) fn(h.medianEquivalentValue(h.valueFromIndex(i)), c);
    }
  }
}
