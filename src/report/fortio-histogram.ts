// Fortio's histogram (fortio.org/fortio/stats, stats.go: Counter, Histogram, Export, CalcPercentile),
// as fortio-<client>.json writes it: fixed bucket ends in the histogram's unit after its divider,
// each bucket (previous end, end], percentiles interpolated inside the exported buckets.
// https://github.com/fortio/fortio/blob/45e18710810d864a615618087228996a0a824b2f/stats/stats.go

/** stats.go `histogramBucketValues` (fortio 1.75): bucket ends, in units of the histogram's divider. */
export const FORTIO_BUCKET_VALUES: readonly number[] = [
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14, 16, 18, 20, 25, 30, 35, 40, 45, 50, 60, 70, 80, 90, 100,
  120, 140, 160, 180, 200, 250, 300, 350, 400, 450, 500, 600, 700, 800, 900, 1000,
  2000, 3000, 4000, 5000, 7500, 10000, 20000, 30000, 40000, 50000, 75000, 100000,
];
const NUM_VALUES = FORTIO_BUCKET_VALUES.length;
const LAST_VALUE = FORTIO_BUCKET_VALUES[NUM_VALUES - 1]!;

export interface FortioBucket { Start: number; End: number; Percent: number; Count: number }

/** stats.HistogramData as encoding/json writes it (`Percentiles` is omitempty; `Data` null when empty). */
export interface FortioHistogramData {
  Count: number; Min: number; Max: number; Sum: number; Avg: number; StdDev: number;
  Data: FortioBucket[] | null;
  Percentiles?: { Percentile: number; Value: number }[];
}

/** What stats.Counter holds: exact count, min, max, sum and sum of squares of the recorded values. */
export interface FortioCounter { count: number; min: number; max: number; sum: number; sumOfSquares: number }

/**
 * The bucket index stats.go `Histogram.record` gives a value: (v − offset)/divider at or below the
 * first end → 0, beyond the last → the extra last bucket, else the first end above the value, an
 * exact end counting in the bucket it closes (the `delta < 1e-12` adjustment).
 */
export function fortioBucketIndex(v: number, offset: number, divider: number): number {
  const scaled = (v - offset) / divider;
  if (scaled <= FORTIO_BUCKET_VALUES[0]!) return 0;
  if (scaled > LAST_VALUE) return NUM_VALUES;
  let svInt = Math.trunc(scaled);
  if (scaled - svInt < 1e-12) svInt--;
  let i = 0;
  while (FORTIO_BUCKET_VALUES[i]! <= svInt) i++;
  return i;
}

/** stats.Histogram: the counts per bucket beside its Counter. */
export class FortioHistogram {
  private readonly hdata = new Array<number>(NUM_VALUES + 1).fill(0);

  constructor(readonly offset: number, readonly divider: number, private readonly counter: FortioCounter) {}

  /** `n` values of `v` into their bucket (the Counter is given whole, from the exact values). */
  bin(v: number, n: number): void {
    this.hdata[fortioBucketIndex(v, this.offset, this.divider)]! += n;
  }

  /** stats.go `Histogram.Export`, then `CalcPercentiles(percentiles)` (none: Sizes, HeaderSizes). */
  export(percentiles: readonly number[] = []): FortioHistogramData {
    const c = this.counter;
    const avg = c.count === 0 ? 0 : c.sum / c.count;
    // Counter.StdDev: the population standard deviation from the sums (0 if rounding makes it negative).
    const sigma = c.count === 0 ? 0 : (c.sumOfSquares - (c.sum * c.sum) / c.count) / c.count;
    const res: FortioHistogramData = {
      Count: c.count, Min: c.min, Max: c.max, Sum: c.sum, Avg: avg, StdDev: sigma < 0 ? 0 : Math.sqrt(sigma), Data: null,
    };
    let lastIdx = -1;
    for (let i = NUM_VALUES; i >= 0; i--) if (this.hdata[i]! > 0) { lastIdx = i; break; }
    if (lastIdx >= 0) {
      const data: FortioBucket[] = [];
      let prev = FORTIO_BUCKET_VALUES[0]!;
      let total = 0;
      for (let i = 0; i <= lastIdx; i++) {
        const n = this.hdata[i]!;
        if (n === 0) {
          if (i < NUM_VALUES) prev = FORTIO_BUCKET_VALUES[i]!;
          continue;
        }
        total += n;
        // The first bucket starts at the minimum, the last ends at the maximum.
        const start = data.length === 0 ? c.min : this.divider * prev + this.offset;
        let end = c.max;
        if (i < NUM_VALUES) {
          prev = FORTIO_BUCKET_VALUES[i]!;
          end = this.divider * prev + this.offset;
        }
        data.push({ Start: start, End: end, Percent: (100 * total) / c.count, Count: n });
      }
      data[data.length - 1]!.End = c.max;
      res.Data = data;
    }
    if (c.count > 0 && percentiles.length > 0) {
      res.Percentiles = percentiles.map((p) => ({ Percentile: p, Value: fortioPercentile(res, p) }));
    }
    return res;
  }
}

/**
 * stats.go `HistogramData.CalcPercentile`: the minimum up to 100/Count %, the maximum at 100 %, else
 * linear inside the bucket that reaches the percentile, from its Start (at the previous bucket's
 * cumulative %) to its End (at its own).
 */
export function fortioPercentile(h: FortioHistogramData, percentile: number): number {
  const data = h.Data;
  if (data === null || data.length === 0) return 0;
  if (percentile >= 100) return h.Max;
  let pp = 100 / h.Count;
  if (percentile <= pp) return h.Min;
  for (const cur of data) {
    if (percentile <= cur.Percent) return cur.Start + ((percentile - pp) / (cur.Percent - pp)) * (cur.End - cur.Start);
    pp = cur.Percent;
  }
  return h.Max;
}
