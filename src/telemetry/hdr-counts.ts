// Counts in an HDR histogram's layout — lowest discernible value 1, 3 significant digits: 2,048
// sub-buckets per power of two — stored only where the data is. hdr-histogram-js's Int32Histogram
// allocates its counts from 0 up to its highest trackable value (for 60 s in µs: 17,408 counts of 4
// bytes, 68 KB) for every histogram, one per edge, reporter and client, so a 1,000-service mesh held
// 130 MB of mostly zero counts. Here the counts array covers only the indices between the smallest and
// largest recorded value, one byte per count to start with, widened to 2, 4 and 8 bytes when a count
// would overflow. The index of a value, the percentile walk, the standard deviation and the bucket
// values are HDR's own formulas, so every figure is the one hdr-histogram-js gives for the same values
// (test/telemetry/histogram.test.ts checks it against the library), and counts merge losslessly.
// https://github.com/HdrHistogram/HdrHistogramJS/blob/master/src/JsHistogram.ts
// (getBucketIndex, getValueAtPercentile, valueFromIndex, medianEquivalentValue, stdDeviation)

// A const enum, not module constants: esbuild writes each use as a literal, where a bundled module's
// top-level `const` becomes a `var` that every call loads from the module's context and checks
// (4 instructions a constant in `indexOf`, on every request's path; docs/performance.md, Goal 3,
// session 19). The bundle shows both: `var SUB_BUCKET_MASK = ...` before, `2047 /* SubBucketMask */` now.
const enum Hdr {
  SubBucketHalfCountMagnitude = 10,
  SubBucketHalfCount = 1 << SubBucketHalfCountMagnitude,
  SubBucketCount = 2 * SubBucketHalfCount,
  SubBucketMask = SubBucketCount - 1,
  LeadingZeroCountBase32 = 32 - SubBucketHalfCountMagnitude - 1,
  Int32Limit = 2147483648, // 2 ** 31
  /** The counts array grows in steps of this many indices (and by half its length at least). */
  Growth = 64,
}

type Counts = Uint8Array | Uint16Array | Uint32Array | Float64Array;

/** No byte view (`HdrCounts.low`): counts of 8-byte doubles, or a big-endian machine's wide counts. */
const NO_BYTES = new Uint8Array(0);
/** Whether a count's low byte is its first one (x86 and Arm: `HdrCounts.low`). */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** HDR's counts index of a non-negative value (JsHistogram.countsArrayIndex). */
function indexOf(v: number): number {
  if (v < Hdr.Int32Limit) {
    const bucket = Hdr.LeadingZeroCountBase32 - Math.clz32(v | Hdr.SubBucketMask);
    return ((bucket + 1) << Hdr.SubBucketHalfCountMagnitude) + ((v >>> bucket) - Hdr.SubBucketHalfCount);
  }
  return indexOfWide(v);
}

/**
 * Beyond 31 bits, the library's own formula (floor of log2), exact for integers below 2^46; a function
 * of its own so that `indexOf`, on every request's path, stays small enough for V8 to inline.
 */
function indexOfWide(v: number): number {
  const bucket = Math.max(Math.floor(Math.log2(v)) - Hdr.SubBucketHalfCountMagnitude, 0);
  return (bucket + 1) * Hdr.SubBucketHalfCount + (Math.floor(v / 2 ** bucket) - Hdr.SubBucketHalfCount);
}

/** The lowest value of an index's range (JsHistogram.valueFromIndex). */
function lowestOf(index: number): number {
  let bucket = Math.floor(index / Hdr.SubBucketHalfCount) - 1;
  let sub = (index % Hdr.SubBucketHalfCount) + Hdr.SubBucketHalfCount;
  if (bucket < 0) {
    sub -= Hdr.SubBucketHalfCount;
    bucket = 0;
  }
  return sub * 2 ** bucket;
}
/** The size of an index's range (JsHistogram.sizeOfEquivalentValueRange). */
function rangeOf(index: number): number {
  return 2 ** Math.max(Math.floor(index / Hdr.SubBucketHalfCount) - 1, 0);
}
/** HDR's medianEquivalentValue of the values counted at an index. */
function medianOf(index: number): number {
  return lowestOf(index) + Math.floor(rangeOf(index) / 2);
}
/** HDR's highestEquivalentValue. */
function highestOf(index: number): number {
  return lowestOf(index) + rangeOf(index) - 1;
}
/** HDR's rank of percentile p (0..100) among n values: ceil(p % of n), at least 1. */
function rankAt(p: number, n: number): number {
  const fp = (Math.min(p, 100) / 100) * n;
  return Math.max(Math.ceil(fp - ulp(fp)), 1);
}
/** The ulp HdrHistogramJS uses to round a percentile's count (src/ulp.ts). */
function ulp(x: number): number {
  return 2 ** (Math.floor(Math.log2(x)) - 52);
}

export class HdrCounts {
  /** counts[k] is the count at HDR index base + k. */
  private counts: Counts = NO_BYTES;
  /**
   * The counts' bytes, a `Uint8Array` whatever the counts' width (the counts themselves while they
   * are one byte each): count k's low byte is low[k << shift]. `incrementAt` adds one there while it
   * stays below 256, so the request path's code sees one element type for the whole run. When the
   * counts' type changed from `Uint8Array` to `Uint16Array` under it (the first count past 255 of any
   * histogram), V8 threw away the code that had inlined it (`ClientStats.record` in the load
   * generator's `onCallDone`) and re-optimized the caller without it: a call and two boxed doubles a
   * request for the rest of the run (docs/performance.md, Goal 2, session 29).
   */
  private low: Uint8Array = NO_BYTES;
  /** log2 of the counts' bytes per element, for `low`'s index. */
  private shift = 0;
  private base = 0;
  /** The largest count the current element type holds. */
  private cap = 0xff;
  private n = 0;

  /** How many values were recorded. */
  get total(): number {
    return this.n;
  }

  /** Count one value (a non-negative number; HDR counts its integer part) and return its index. */
  increment(v: number): number {
    const index = indexOf(v);
    this.incrementAt(index);
    return index;
  }

  /** Count one value at its HDR index (from `increment` of the same value). The hot path. */
  incrementAt(index: number): void {
    this.n++;
    const k = index - this.base;
    const b = this.low;
    const i = k << this.shift;
    if (k >= 0 && i < b.length) {
      // A carry out of the low byte (1 in 256 increments of a bucket at most) is addAt's.
      const x = b[i]! + 1;
      if (x <= 0xff) {
        b[i] = x;
        return;
      }
    }
    this.addAt(index, 1);
  }

  /** Count a value `n` times. */
  add(v: number, n: number): void {
    this.n += n;
    this.addAt(indexOf(v), n);
  }

  /** Add `n` at an index, growing the range or widening the counts as needed. */
  private addAt(index: number, n: number): void {
    const len = this.counts.length;
    if (len === 0) {
      this.base = index - (index % Hdr.Growth);
      this.use(new Uint8Array(Hdr.Growth));
    } else if (index < this.base || index >= this.base + len) {
      const slack = Math.max(Hdr.Growth, len >> 1);
      let lo = this.base, hi = this.base + len;
      if (index < lo) lo = Math.max(0, Math.min(index, lo - slack));
      else hi = Math.max(index + 1, hi + slack);
      lo -= lo % Hdr.Growth;
      hi += (Hdr.Growth - (hi % Hdr.Growth)) % Hdr.Growth;
      const grown = new (this.counts.constructor as new (n: number) => Counts)(hi - lo);
      grown.set(this.counts, this.base - lo);
      this.use(grown);
      this.base = lo;
    }
    const k = index - this.base;
    const x = this.counts[k]! + n;
    if (x > this.cap) this.widen(x);
    this.counts[k] = x;
  }

  private widen(x: number): void {
    const [Type, cap] = x <= 0xffff ? [Uint16Array, 0xffff] as const : x <= 0xffffffff ? [Uint32Array, 0xffffffff] as const : [Float64Array, Number.MAX_SAFE_INTEGER] as const;
    const wide = new Type(this.counts.length);
    wide.set(this.counts);
    this.use(wide);
    this.cap = cap;
  }

  /** Hold `counts` (a new array), and its bytes as `low` where `incrementAt` may add to a low byte. */
  private use(counts: Counts): void {
    this.counts = counts;
    const size = counts.BYTES_PER_ELEMENT;
    if (counts instanceof Uint8Array) {
      this.low = counts;
      this.shift = 0;
    } else if (size <= 4 && LITTLE_ENDIAN) {
      // Whole numbers: adding 1 to a low byte below 255 adds 1 to the count (not so in a double's bits).
      this.low = new Uint8Array(counts.buffer, counts.byteOffset, counts.byteLength);
      this.shift = size === 2 ? 1 : 2;
    } else {
      this.low = NO_BYTES;
      this.shift = 0;
    }
  }

  /**
   * HDR's value at percentile `p` (0..100): the highest value equivalent to the recorded value at rank
   * ceil(p% × total) (the lowest at p = 0); 0 when empty.
   */
  valueAtPercentile(p: number): number {
    if (this.n === 0) return 0;
    const rank = rankAt(p, this.n);
    const c = this.counts;
    let seen = 0;
    for (let k = 0; k < c.length; k++) {
      seen += c[k]!;
      if (seen >= rank) return this.reported(k, p);
    }
    return 0;
  }

  /**
   * `valueAtPercentile` of the values counted here and not in `mark` (a copy of these counts taken
   * earlier, plus any value excluded since): a report window's percentile from the run's own counts,
   * the same figure a histogram of the window's values alone gives (the same ranks over the same
   * per-index counts, in index order).
   */
  valueAtPercentileSince(mark: HdrCounts, p: number): number {
    const n = this.n - mark.n;
    if (n <= 0) return 0;
    const rank = rankAt(p, n);
    const c = this.counts, m = mark.counts;
    // The mark's range lies within these counts' (a range only grows; an excluded value was counted here first).
    const off = this.base - mark.base;
    let seen = 0;
    for (let k = 0; k < c.length; k++) {
      const j = k + off;
      seen += c[k]! - (j >= 0 && j < m.length ? m[j]! : 0);
      if (seen >= rank) return this.reported(k, p);
    }
    return 0;
  }

  /**
   * `valueAtPercentileSince(mark, low)` and `(mark, high)` (low ≤ high) into out[0] and out[1], from
   * one walk of the counts: a window's two percentiles, whose ranks are found in index order, so
   * the walk to the higher rank passes the lower one (docs/performance.md, Goal 3, session 20).
   */
  valuesAtPercentilesSince(mark: HdrCounts, low: number, high: number, out: Float64Array): void {
    out[0] = out[1] = 0;
    const n = this.n - mark.n;
    if (n <= 0) return;
    const c = this.counts, m = mark.counts;
    const off = this.base - mark.base;
    let seen = 0, at = 0, p = low, rank = rankAt(low, n);
    for (let k = 0; k < c.length; k++) {
      const j = k + off;
      seen += c[k]! - (j >= 0 && j < m.length ? m[j]! : 0);
      // Both ranks may fall in the same bucket.
      while (seen >= rank) {
        out[at] = this.reported(k, p);
        if (++at === 2) return;
        p = high;
        rank = rankAt(high, n);
      }
    }
  }

  /** The value HDR reports for a rank found in bucket k: its lowest equivalent at p = 0, else its highest. */
  private reported(k: number, p: number): number {
    return p === 0 ? lowestOf(this.base + k) : highestOf(this.base + k);
  }

  /** Become a copy of `other` (reusing this array when it fits): a mark for `valueAtPercentileSince`. */
  copyOf(other: HdrCounts): void {
    const o = other.counts;
    if (this.counts.length === o.length && this.counts.constructor === o.constructor) this.counts.set(o);
    else this.use(o.slice());
    this.base = other.base;
    this.cap = other.cap;
    this.n = other.n;
  }

  /** HDR's standard deviation, over bucket midpoints; 0 when empty. */
  get stdDev(): number {
    if (this.n === 0) return 0;
    const c = this.counts;
    // HDR's mean over bucket midpoints, then the squared deviations, both in index order.
    let sum = 0;
    for (let k = 0; k < c.length; k++) if (c[k]! > 0) sum += medianOf(this.base + k) * c[k]!;
    const mean = sum / this.n;
    let squares = 0;
    for (let k = 0; k < c.length; k++) {
      if (c[k]! === 0) continue;
      const d = medianOf(this.base + k) - mean;
      squares += d * d * c[k]!;
    }
    return Math.sqrt(squares / this.n);
  }

  /** Add another's counts to these, losslessly. */
  merge(other: HdrCounts): void {
    if (other.n === 0) return;
    const c = other.counts;
    let first = -1, last = -1;
    for (let k = 0; k < c.length; k++) if (c[k]! > 0) { if (first < 0) first = k; last = k; }
    // Grow once to the union of both ranges before adding.
    this.addAt(other.base + first, 0);
    this.addAt(other.base + last, 0);
    for (let k = first; k <= last; k++) if (c[k]! > 0) this.addAt(other.base + k, c[k]!);
    this.n += other.n;
  }

  /** Each non-empty bucket as (its median equivalent value, count), in increasing order. */
  forEachBucket(fn: (value: number, count: number) => void): void {
    const c = this.counts;
    for (let k = 0; k < c.length; k++) if (c[k]! > 0) fn(medianOf(this.base + k), c[k]!);
  }

  /** Bytes held by the counts. */
  get bytes(): number {
    return this.counts.byteLength;
  }

  /** Forget every value; the counts array is kept (a window's histogram is reset every window). */
  reset(): void {
    this.counts.fill(0);
    this.n = 0;
  }
}
