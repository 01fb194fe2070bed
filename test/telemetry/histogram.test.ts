import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { Int32Histogram } from "hdr-histogram-js";
import { LatencyHistogram } from "../../src/telemetry/histogram.js";
import { SizeHistogram } from "../../src/telemetry/size-histogram.js";
import { HdrCounts } from "../../src/telemetry/hdr-counts.js";

/** A small deterministic generator (tests must not depend on Math.random). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** HDR's definition of the value at percentile p: the value of rank ceil(p% × n) (at least 1). */
function exactPercentile(sorted: number[], p: number): number {
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

describe("LatencyHistogram", () => {
  it("reports percentiles of known data within 0.1%", () => {
    const rnd = lcg(7);
    const values: number[] = [];
    for (let i = 0; i < 100_000; i++) values.push((Math.round(-Math.log(1 - rnd()) * 25_000) + 200) / 1000); // ms on the µs grid
    const h = new LatencyHistogram();
    for (const v of values) h.record(v);
    const sorted = [...values].sort((a, b) => a - b);
    for (const p of [1, 10, 25, 50, 75, 90, 95, 99, 99.9, 99.99, 100]) {
      const exact = exactPercentile(sorted, p);
      const got = h.percentile(p);
      expect(got).toBeGreaterThanOrEqual(exact);
      expect((got - exact) / exact).toBeLessThanOrEqual(0.001);
    }
    expect(h.count).toBe(values.length);
    expect(h.max).toBe(sorted[sorted.length - 1]);
    expect(h.min).toBe(sorted[0]);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    expect(h.mean).toBeCloseTo(mean, 9);
  });

  it("keeps sub-millisecond latencies to the microsecond", () => {
    const h = new LatencyHistogram();
    h.record(0.123);
    h.record(0.456);
    h.record(0.0004); // rounds to 0 µs
    expect(h.percentile(50)).toBe(0.123);
    expect(h.percentile(100)).toBe(0.456);
    expect(h.min).toBe(0);
  });

  it("records values of hours (range grows on demand) with the exact max", () => {
    const h = new LatencyHistogram();
    h.record(5);
    h.record(2 * 3_600_000 + 0.5); // two hours: beyond the initial range and the 2^31 µs fast path
    h.record(61_000);
    expect(h.count).toBe(3);
    expect(h.max).toBe(7_200_000.5);
    expect(Math.abs(h.percentile(100) - 7_200_000.5) / 7_200_000.5).toBeLessThanOrEqual(0.001);
    expect(Math.abs(h.percentile(60) - 61_000) / 61_000).toBeLessThanOrEqual(0.001);
  });

  it("the fast record path puts every value where the library's recordValue would", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 2 ** 31 + 1000 }), { minLength: 1, maxLength: 200 }), (us) => {
        const ours = new LatencyHistogram();
        const lib = new Int32Histogram(1, 60_000_000, 3);
        lib.autoResize = true;
        for (const v of us) {
          ours.record(v / 1000);
          lib.recordValue(v);
        }
        for (const p of [0, 5, 33, 50, 90, 99, 99.9]) {
          const want = Math.min(lib.getValueAtPercentile(p), Math.max(...us)) / 1000;
          expect(ours.percentile(p)).toBe(want);
        }
      }),
      { numRuns: 200 },
    );
  });

  it("returns 0 for every figure when empty, and after reset", () => {
    const h = new LatencyHistogram();
    expect([h.count, h.mean, h.max, h.min, h.percentile(99)]).toEqual([0, 0, 0, 0, 0]);
    h.record(12);
    h.record(3_000_000);
    h.reset();
    expect([h.count, h.mean, h.max, h.min, h.percentile(99)]).toEqual([0, 0, 0, 0, 0]);
    h.record(7);
    expect([h.count, h.mean, h.max, h.percentile(50)]).toEqual([1, 7, 7, 7]);
  });

  it("rejects negative and NaN latencies", () => {
    const h = new LatencyHistogram();
    expect(() => h.record(-1)).toThrow(RangeError);
    expect(() => h.record(Number.NaN)).toThrow(RangeError);
  });

  it("merging histograms is the same as recording every value into one", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 10_000, noNaN: true }), { maxLength: 100 }),
        fc.array(fc.double({ min: 0, max: 4_000_000, noNaN: true }), { maxLength: 100 }),
        (a, b) => {
          const ha = new LatencyHistogram();
          const hb = new LatencyHistogram();
          const all = new LatencyHistogram();
          for (const v of a) { ha.record(v); all.record(v); }
          for (const v of b) { hb.record(v); all.record(v); }
          ha.merge(hb);
          expect(ha.count).toBe(all.count);
          expect(ha.mean).toBeCloseTo(all.mean, 9);
          expect(ha.max).toBe(all.max);
          expect(ha.min).toBe(all.min);
          for (const p of [1, 50, 90, 99, 99.9, 100]) expect(ha.percentile(p)).toBe(all.percentile(p));
        },
      ),
      { numRuns: 100 },
    );
  });

  /** The same values in hdr-histogram-js's Int32Histogram, the layout this histogram reproduces. */
  function library(us: readonly number[]): Int32Histogram {
    const lib = new Int32Histogram(1, 60_000_000, 3);
    lib.autoResize = true;
    for (const v of us) lib.recordValue(v);
    return lib;
  }
  function libraryBuckets(lib: Int32Histogram): [number, number][] {
    const out: [number, number][] = [];
    for (let i = 0; i < lib.countsArrayLength; i++) {
      const c = lib.getCountAtIndex(i);
      if (c > 0) out.push([lib.medianEquivalentValue(lib.valueFromIndex(i)) / 1000, c]);
    }
    return out;
  }

  it("gives the library's percentiles, standard deviation and buckets for the same values, merged or not", () => {
    const us = fc.oneof(fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 0, max: 5_000_000 }), fc.integer({ min: 2 ** 31 - 5, max: 2 ** 33 }));
    fc.assert(
      fc.property(fc.array(us, { minLength: 1, maxLength: 150 }), fc.array(us, { maxLength: 150 }), (a, b) => {
        const ours = new LatencyHistogram();
        for (const v of a) ours.record(v / 1000);
        const other = new LatencyHistogram();
        for (const v of b) other.record(v / 1000);
        ours.merge(other);
        const all = [...a, ...b];
        const lib = library(all);
        const max = Math.max(...all);
        for (const p of [0, 1, 25, 50, 75, 90, 99, 99.9, 100]) expect(ours.percentile(p)).toBe(Math.min(lib.getValueAtPercentile(p), max) / 1000);
        expect(ours.stdDev).toBe(lib.stdDeviation / 1000);
        const buckets: [number, number][] = [];
        ours.forEachBucket((v, c) => buckets.push([v, c]));
        expect(buckets).toEqual(libraryBuckets(lib));
      }),
      { numRuns: 200 },
    );
  });

  it("counts past 255 and 65,535 at one value exactly (the counts widen from one byte)", () => {
    const h = new LatencyHistogram();
    for (let i = 0; i < 70_000; i++) h.record(1.5);
    h.record(2);
    const buckets: [number, number][] = [];
    h.forEachBucket((v, c) => buckets.push([v, c]));
    expect(buckets).toEqual([[1.5, 70_000], [2, 1]]);
    expect(h.percentile(99.99)).toBe(1.5);
    expect(h.percentile(100)).toBe(2);
    const big = new LatencyHistogram();
    big.merge(h);
    big.merge(h);
    expect(big.count).toBe(140_002);
    expect(big.percentile(50)).toBe(1.5);
  });

  it("counts through the counts' low bytes after they widen to 2 and 4 bytes, grow and are copied", () => {
    // HdrCounts.incrementAt adds to a count's low byte through a Uint8Array view of the counts
    // (docs/performance.md, Goal 2, session 29): every carry, widening, growth of a wide array and
    // copy (a window's mark) must keep the view on the counts' own bytes, at the count's low byte.
    const rnd = lcg(29);
    const h = new HdrCounts();
    const mark = new HdrCounts();
    // The reference: counts by the value HDR reports for each value's bucket (its median equivalent).
    const medians = new Map<number, number>();
    const medianOf = (v: number): number => {
      let m = medians.get(v);
      if (m === undefined) {
        const one = new HdrCounts();
        one.increment(v);
        one.forEachBucket((value) => (m = value));
        medians.set(v, m!);
      }
      return m!;
    };
    const counts = new Map<number, number>();
    const add = (c: HdrCounts, v: number): void => {
      c.increment(v);
      counts.set(medianOf(v), (counts.get(medianOf(v)) ?? 0) + 1);
    };
    let atMark = new Map<number, number>();
    mark.increment(5); // an array of its own (over the same indices as the counts it copies later),
    mark.increment(3000); // which its first copy replaces
    for (let i = 0; i < 140_000; i++) {
      // One value past 255, then 65,535 (the counts widen to 2, then 4 bytes), a few neighbours, and
      // three values far away: the 2-byte array grows down, then up, then the 4-byte one up.
      const v = i % 7 === 0 ? 1000 + Math.floor(rnd() * 40) : 1500;
      add(h, i === 400 ? 5 : i === 70_000 ? 3000 : i === 100_000 ? 900_000 : v);
      if (i === 60_000 || i === 120_000) {
        mark.copyOf(h);
        atMark = new Map(counts);
      }
      // A late value hidden from a window (LatencyHistogram.excludeLast): the mark counts it too.
      if (i > 120_000 && i % 1000 === 0) {
        mark.increment(1500);
        atMark.set(1500, atMark.get(1500)! + 1);
      }
    }
    const buckets = (c: HdrCounts): Map<number, number> => {
      const got = new Map<number, number>();
      c.forEachBucket((v, n) => got.set(v, n));
      return got;
    };
    const sorted = (m: Map<number, number>): Map<number, number> => new Map([...m].sort((a, b) => a[0] - b[0]));
    expect(buckets(h)).toEqual(sorted(counts));
    expect(counts.get(1500)).toBeGreaterThan(65_535);
    expect(h.bytes).toBeGreaterThan(4 * 2 ** 13); // 4 bytes a count, up to 900,000 µs
    expect(buckets(mark)).toEqual(sorted(atMark));
    expect(mark.total).toBe(120_001 + 19);
  });

  it("holds counts only over the range of the recorded values, one byte each while counts are small", () => {
    // 10,000 latencies between 1 and 3 ms: HDR indices ~1000..2524 (and growth slack), where Int32Histogram(1, 60 s) holds 68 KB.
    const rnd = lcg(3);
    const h = new LatencyHistogram();
    for (let i = 0; i < 10_000; i++) h.record(1 + 2 * rnd());
    expect(h.countsBytes).toBeLessThan(4 * 1024);
    expect(new Int32Histogram(1, 60_000_000, 3).countsArrayLength * 4).toBeGreaterThan(60 * 1024);
    // Latencies around 1.5 s (a long chain's first edge): a narrow band of one bucket.
    const slow = new LatencyHistogram();
    for (let i = 0; i < 1000; i++) slow.record(1500 + 50 * rnd());
    expect(slow.countsBytes).toBeLessThan(512);
  });
});

describe("SizeHistogram", () => {
  it("gives hdr-histogram-js's percentiles, standard deviation and buckets for the same sizes and counts", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 5_000_000 }), fc.integer({ min: 1, max: 400 })), { minLength: 1, maxLength: 80 }), (sizes) => {
        const ours = new SizeHistogram();
        const lib = new Int32Histogram(1, 1 << 20, 3);
        lib.autoResize = true;
        for (const [bytes, n] of sizes) {
          ours.record(bytes, n);
          lib.recordValueWithCount(bytes, n);
        }
        const hi = Math.max(...sizes.map(([b]) => b));
        expect(ours.count).toBe(lib.totalCount);
        for (const p of [0, 10, 50, 75, 90, 99, 99.9, 100]) expect(ours.percentile(p)).toBe(Math.min(lib.getValueAtPercentile(p), hi));
        expect(ours.stdDev).toBe(lib.stdDeviation);
        const got: [number, number][] = [];
        ours.forEachBucket((v, c) => got.push([v, c]));
        const want: [number, number][] = [];
        for (let i = 0; i < lib.countsArrayLength; i++) if (lib.getCountAtIndex(i) > 0) want.push([lib.medianEquivalentValue(lib.valueFromIndex(i)), lib.getCountAtIndex(i)]);
        expect(got).toEqual(want);
      }),
      { numRuns: 150 },
    );
  });
});

// A window's p50 and p99 from one walk of the counts (docs/performance.md, Goal 3, session 20): the
// same two figures as two walks, HDR's getValueAtPercentile for each (HdrHistogramJS JsHistogram.ts).
describe("two percentiles since a mark, in one walk", () => {
  it("equal percentileSince for each, with values excluded from the mark", () => {
    fc.assert(fc.property(
      fc.array(fc.double({ min: 0, max: 4000, noNaN: true }), { maxLength: 40 }),
      fc.array(fc.double({ min: 0, max: 4000, noNaN: true }), { maxLength: 200 }),
      fc.array(fc.boolean(), { maxLength: 200 }),
      fc.constantFrom(0, 1, 50), fc.constantFrom(50, 90, 99, 99.9, 100),
      (before, after, late, low, high) => {
        const h = new LatencyHistogram();
        for (const v of before) h.record(v);
        const mark = new HdrCounts();
        h.markInto(mark);
        let max = 0;
        after.forEach((v, i) => {
          h.record(v);
          if (late[i] === true) h.excludeLast(mark);
          else max = Math.max(max, h.lastUs);
        });
        const out = new Float64Array(2);
        h.percentilesSince(mark, low, high, max, out);
        const one = h.countSince(mark) > 0;
        expect([...out]).toEqual(one ? [h.percentileSince(mark, low, max), h.percentileSince(mark, high, max)] : [0, 0]);
      },
    ));
  });
});
