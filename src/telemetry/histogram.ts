// Latencies in an HDR histogram's layout (3 significant digits over integer microseconds, so that
// sub-millisecond proxy latencies keep their precision) with counts stored only where the data is.
// hdr-histogram-js's Int32Histogram allocates its counts from 0 up to its highest trackable value
// (60 s: 17,408 counts of 4 bytes, 68 KB) for every histogram — one per edge, reporter and client, so a
// 1,000-service mesh held 130 MB of mostly zero counts. Here the counts array covers only the indices
// between the smallest and largest recorded value, one byte per count to start with, widened to 2, 4
// and 8 bytes when a count would overflow. The index of a value, the percentile walk, the standard
// deviation and the bucket values are HDR's own formulas, so every figure is the one hdr-histogram-js
// gives for the same values (test/telemetry/histogram.test.ts checks it against the library), and
// histograms merge losslessly (shards, replications, edge variants).
// https://github.com/HdrHistogram/HdrHistogramJS/blob/master/src/JsHistogram.ts
// (getBucketIndex, getValueAtPercentile, valueFromIndex, medianEquivalentValue, stdDeviation)

/** With 3 digits and a lowest value of 1 µs, HDR uses 2048 sub-buckets (half count 2^10) of unit 1. */
const SUB_BUCKET_HALF_COUNT_MAGNITUDE = 10;
const SUB_BUCKET_HALF_COUNT = 1 << SUB_BUCKET_HALF_COUNT_MAGNITUDE;
const SUB_BUCKET_COUNT = 2 * SUB_BUCKET_HALF_COUNT;
const SUB_BUCKET_MASK = SUB_BUCKET_COUNT - 1;
const LEADING_ZERO_COUNT_BASE_32 = 32 - SUB_BUCKET_HALF_COUNT_MAGNITUDE - 1;
const INT32_LIMIT = 2 ** 31;
/** The counts array grows in steps of this many indices (and by half its length at least). */
const GROWTH = 64;

type Counts = Uint8Array | Uint16Array | Uint32Array | Float64Array;

/** HDR's counts index of a value in µs (JsHistogram.countsArrayIndex). */
function indexOf(us: number): number {
  if (us < INT32_LIMIT) {
    const bucket = LEADING_ZERO_COUNT_BASE_32 - Math.clz32(us | SUB_BUCKET_MASK);
    return ((bucket + 1) << SUB_BUCKET_HALF_COUNT_MAGNITUDE) + ((us >>> bucket) - SUB_BUCKET_HALF_COUNT);
  }
  // Beyond 31 bits, the library's own formula (floor of log2), exact for integers below 2^46.
  const bucket = Math.max(Math.floor(Math.log2(us)) - SUB_BUCKET_HALF_COUNT_MAGNITUDE, 0);
  return (bucket + 1) * SUB_BUCKET_HALF_COUNT + (Math.floor(us / 2 ** bucket) - SUB_BUCKET_HALF_COUNT);
}

/** The lowest value (µs) of an index's range and the range's size (JsHistogram.valueFromIndex, sizeOfEquivalentValueRange). */
function lowestOf(index: number): number {
  let bucket = Math.floor(index / SUB_BUCKET_HALF_COUNT) - 1;
  let sub = (index % SUB_BUCKET_HALF_COUNT) + SUB_BUCKET_HALF_COUNT;
  if (bucket < 0) {
    sub -= SUB_BUCKET_HALF_COUNT;
    bucket = 0;
  }
  return sub * 2 ** bucket;
}
function rangeOf(index: number): number {
  const bucket = Math.max(Math.floor(index / SUB_BUCKET_HALF_COUNT) - 1, 0);
  return 2 ** bucket;
}
/** HDR's medianEquivalentValue of the values counted at an index. */
function medianOf(index: number): number {
  return lowestOf(index) + Math.floor(rangeOf(index) / 2);
}
/** HDR's highestEquivalentValue. */
function highestOf(index: number): number {
  return lowestOf(index) + rangeOf(index) - 1;
}
/** The ulp HdrHistogramJS uses to round a percentile's count (src/ulp.ts). */
function ulp(x: number): number {
  return 2 ** (Math.floor(Math.log2(x)) - 52);
}

export class LatencyHistogram {
  /** counts[k] is the count at HDR index base + k. */
  private counts: Counts = new Uint8Array(0);
  private base = 0;
  /** The largest count the current element type holds. */
  private cap = 0xff;
  private total = 0;
  private sumUs = 0;
  private maxUs = 0;
  private minUs = Number.POSITIVE_INFINITY;

  /** Record one latency in ms (rounded to the µs). */
  record(ms: number): void {
    const us = Math.round(ms * 1000);
    if (!(us >= 0)) throw new RangeError(`latency must be a non-negative number of ms, got ${ms}`);
    this.sumUs += us;
    if (us > this.maxUs) this.maxUs = us;
    if (us < this.minUs) this.minUs = us;
    this.total++;
    const k = indexOf(us) - this.base;
    const c = this.counts;
    if (k >= 0 && k < c.length) {
      const v = c[k]! + 1;
      if (v <= this.cap) {
        c[k] = v;
        return;
      }
    }
    this.addAt(k + this.base, 1);
  }

  /** Add `n` at an index, growing the range or widening the counts as needed (the slow path). */
  private addAt(index: number, n: number): void {
    const len = this.counts.length;
    if (len === 0) {
      const lo = index - (index % GROWTH);
      this.base = lo;
      this.counts = new Uint8Array(GROWTH);
    } else if (index < this.base || index >= this.base + len) {
      const slack = Math.max(GROWTH, len >> 1);
      let lo = this.base, hi = this.base + len;
      if (index < lo) lo = Math.max(0, Math.min(index, lo - slack));
      else hi = Math.max(index + 1, hi + slack);
      lo -= lo % GROWTH;
      hi += (GROWTH - (hi % GROWTH)) % GROWTH;
      const grown = new (this.counts.constructor as new (n: number) => Counts)(hi - lo);
      grown.set(this.counts, this.base - lo);
      this.counts = grown;
      this.base = lo;
    }
    const k = index - this.base;
    const v = this.counts[k]! + n;
    if (v > this.cap) this.widen(v);
    this.counts[k] = v;
  }

  private widen(v: number): void {
    const [Type, cap] = v <= 0xffff ? [Uint16Array, 0xffff] as const : v <= 0xffffffff ? [Uint32Array, 0xffffffff] as const : [Float64Array, Number.MAX_SAFE_INTEGER] as const;
    const wide = new Type(this.counts.length);
    wide.set(this.counts);
    this.counts = wide;
    this.cap = cap;
  }

  get count(): number {
    return this.total;
  }

  /** Exact mean of the recorded (microsecond-rounded) values, in ms; 0 when empty. */
  get mean(): number {
    return this.total === 0 ? 0 : this.sumUs / this.total / 1000;
  }

  /** Exact largest recorded value, in ms; 0 when empty. */
  get max(): number {
    return this.total === 0 ? 0 : this.maxUs / 1000;
  }

  /** Exact smallest recorded value, in ms; 0 when empty. */
  get min(): number {
    return this.total === 0 ? 0 : this.minUs / 1000;
  }

  /**
   * The value at percentile `p` (0..100) in ms, HDR's definition: the highest value equivalent (within
   * 3 digits) to the recorded value at rank ceil(p% × count), capped at the exact max; 0 when empty.
   */
  percentile(p: number): number {
    if (this.total === 0) return 0;
    const fp = (Math.min(p, 100) / 100) * this.total;
    const rank = Math.max(Math.ceil(fp - ulp(fp)), 1);
    const c = this.counts;
    let seen = 0;
    for (let k = 0; k < c.length; k++) {
      seen += c[k]!;
      if (seen >= rank) {
        const index = this.base + k;
        const us = p === 0 ? lowestOf(index) : highestOf(index);
        return (us < this.maxUs ? us : this.maxUs) / 1000;
      }
    }
    return 0;
  }

  /** Standard deviation in ms (HDR's, over bucket midpoints); 0 when empty. */
  get stdDev(): number {
    if (this.total === 0) return 0;
    const c = this.counts;
    // HDR's mean over bucket midpoints, then the squared deviations, both in index order.
    let sum = 0;
    for (let k = 0; k < c.length; k++) if (c[k]! > 0) sum += medianOf(this.base + k) * c[k]!;
    const mean = sum / this.total;
    let squares = 0;
    for (let k = 0; k < c.length; k++) {
      if (c[k]! === 0) continue;
      const d = medianOf(this.base + k) - mean;
      squares += d * d * c[k]!;
    }
    return Math.sqrt(squares / this.total) / 1000;
  }

  /** Add another histogram's values to this one, losslessly (shards, replications, edge variants). */
  merge(other: LatencyHistogram): void {
    if (other.total === 0) return;
    const c = other.counts;
    // Grow once to the union of both ranges before adding (the lowest and highest non-empty index).
    let first = -1, last = -1;
    for (let k = 0; k < c.length; k++) if (c[k]! > 0) { if (first < 0) first = k; last = k; }
    this.addAt(other.base + first, 0);
    this.addAt(other.base + last, 0);
    for (let k = first; k <= last; k++) if (c[k]! > 0) this.addAt(other.base + k, c[k]!);
    this.total += other.total;
    this.sumUs += other.sumUs;
    if (other.maxUs > this.maxUs) this.maxUs = other.maxUs;
    if (other.minUs < this.minUs) this.minUs = other.minUs;
  }

  /**
   * Each non-empty HDR bucket as (its median equivalent value in ms, count), in increasing order: the
   * distribution itself, for report charts (read-only; a bucket is at most 0.1 % of its value wide).
   */
  forEachBucket(fn: (valueMs: number, count: number) => void): void {
    const c = this.counts;
    for (let k = 0; k < c.length; k++) if (c[k]! > 0) fn(medianOf(this.base + k) / 1000, c[k]!);
  }

  /** Bytes held by the counts (for the memory bench and its test). */
  get countsBytes(): number {
    return this.counts.byteLength;
  }

  /** Forget every value; the counts array is kept (a window's histogram is reset every window). */
  reset(): void {
    this.counts.fill(0);
    this.total = 0;
    this.sumUs = 0;
    this.maxUs = 0;
    this.minUs = Number.POSITIVE_INFINITY;
  }
}
