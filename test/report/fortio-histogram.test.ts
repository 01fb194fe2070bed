// Fortio's histogram, checked against fortio's own unit tests of it: fortio/fortio stats/stats_test.go
// (TestHistogram, TestPercentiles1, TestHistogramData, TestBucketLookUp) at commit 45e18710, and
// stats/stats.go (histogramBucketValues, Histogram.record, Export, HistogramData.CalcPercentile).
import { describe, expect, it } from "vitest";
import { FORTIO_BUCKET_VALUES, FortioHistogram, fortioBucketIndex, fortioPercentile, type FortioCounter } from "../../src/report/fortio-histogram.js";

/** stats.NewHistogram(offset, divider) with `values` recorded one by one (Counter.Record and record). */
function histogram(offset: number, divider: number, values: number[]): FortioHistogram {
  const c: FortioCounter = { count: 0, min: 0, max: 0, sum: 0, sumOfSquares: 0 };
  for (const v of values) {
    if (c.count === 0) c.min = c.max = v;
    else if (v < c.min) c.min = v;
    else if (v > c.max) c.max = v;
    c.count++;
    c.sum += v;
    c.sumOfSquares += v * v;
  }
  const h = new FortioHistogram(offset, divider, c);
  for (const v of values) h.bin(v, 1);
  return h;
}

describe("fortio's histogram (stats/stats.go)", () => {
  it("has fortio 1.75's bucket ends (by 20 from 100 to 200, 7500 and 75000)", () => {
    expect(FORTIO_BUCKET_VALUES.slice(26, 34)).toEqual([90, 100, 120, 140, 160, 180, 200, 250]);
    expect(FORTIO_BUCKET_VALUES.slice(-13)).toEqual([1000, 2000, 3000, 4000, 5000, 7500, 10000, 20000, 30000, 40000, 50000, 75000, 100000]);
    expect(FORTIO_BUCKET_VALUES).toHaveLength(56);
  });

  it("puts a value on a bucket end in the bucket it closes: (previous end, end]", () => {
    // TestBucketLookUp: with divider 1, 1 → index 1, 1.1 → 2, 100000 → last value's, above → extra.
    const idx = (v: number) => fortioBucketIndex(v, 0, 1);
    expect([idx(-1), idx(0), idx(0.5), idx(1), idx(1.1), idx(12), idx(13), idx(14)]).toEqual([0, 0, 1, 1, 2, 12, 13, 13]);
    expect(FORTIO_BUCKET_VALUES[idx(130)]).toBe(140);
    expect(FORTIO_BUCKET_VALUES[idx(7000)]).toBe(7500);
    expect(idx(100000)).toBe(55);
    expect(idx(100000.5)).toBe(56);
    // In seconds at the default 1 ms resolution: 3 ms is 0.003 / 0.001 = 2.9999999999999996.
    expect(FORTIO_BUCKET_VALUES[fortioBucketIndex(0.003, 0, 0.001)]).toBe(3);
    expect(FORTIO_BUCKET_VALUES[fortioBucketIndex(0.005, 0, 0.001)]).toBe(5);
  });

  it("interpolates percentiles inside the exported buckets (TestHistogram)", () => {
    const e = histogram(0, 10, [1, 251, 501, 751, 1001]).export();
    expect(e.Avg).toBe(501);
    const p = (x: number) => fortioPercentile(e, x);
    expect([p(-1), p(0), p(1), p(20)]).toEqual([1, 1, 1, 1]);
    expect(p(20.01)).toBeCloseTo(250.025, 9);
    expect(p(39.99)).toBeCloseTo(299.975, 9);
    expect([p(40), p(50), p(75), p(100), p(101)]).toEqual([300, 550, 775, 1001, 1001]);
    expect(p(90)).toBeCloseTo(1000.5, 9);
    expect(p(99)).toBeCloseTo(1000.95, 9);
    expect(p(99.9)).toBeCloseTo(1000.995, 9);
  });

  it("TestPercentiles1: 10, 20, 30 at divider 10", () => {
    const e = histogram(0, 10, [10, 20, 30]).export();
    const p = (x: number) => Math.round(fortioPercentile(e, x) * 1e5) / 1e5;
    expect([p(33.33), p(100 / 3), p(33.34), p(50), p(66.66), p(75), p(99), p(99.9), p(100)])
      .toEqual([10, 10, 10.002, 15, 19.998, 22.5, 29.7, 29.97, 30]);
  });

  it("TestHistogramData: first bucket from the minimum, cumulative percents, p25 between −1 and 0", () => {
    const e = histogram(0, 1, [-1, 0, 0, 0, 1, 2, 3, 4, 5, 5]).export([0, 1, 10, 25, 40, 50, 60, 70, 80, 90, 99, 100]);
    expect(e.Count).toBe(10);
    expect(e.Avg).toBeCloseTo(1.9, 12);
    expect(e.Percentiles!.map((q) => q.Value)).toEqual([-1, -1, -1, -0.5, 0, 1, 2, 3, 4, 4.5, 4.95, 5]);
    expect(e.Data![0]).toEqual({ Start: -1, End: 0, Percent: 40, Count: 4 });
    expect(e.Data!.at(-1)).toEqual({ Start: 4, End: 5, Percent: 100, Count: 2 });
  });

  it("exports an empty histogram with Data null and no Percentiles key (omitempty)", () => {
    const e = histogram(0, 0.001, []).export([50, 99]);
    expect(e.Data).toBeNull();
    expect("Percentiles" in e).toBe(false);
    expect(e.StdDev).toBe(0);
  });
});
