import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { Int32Histogram } from "hdr-histogram-js";
import { LatencyHistogram } from "../../src/telemetry/histogram.js";

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
});
