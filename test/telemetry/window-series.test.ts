import { describe, it, expect } from "vitest";
import { WindowSeries } from "../../src/telemetry/window-series.js";
import { LatencyHistogram } from "../../src/telemetry/histogram.js";

describe("WindowSeries", () => {
  it("has one window per windowMs from the warm-up to the end (the last one may be short)", () => {
    expect(new WindowSeries(10_000, 10_000, 60_000, false).length).toBe(5);
    expect(new WindowSeries(0, 10_000, 65_000, false).length).toBe(7);
    expect(new WindowSeries(5_000, 10_000, 5_000, false).length).toBe(1);
    expect(() => new WindowSeries(0, 0, 10, false)).toThrow(RangeError);
  });

  it("counts requests and errors in the window they complete in; drained requests go to the last", () => {
    const w = new WindowSeries(10_000, 10_000, 40_000, false);
    w.record(10_000, 1, false);
    w.record(19_999.9, 1, true);
    w.record(20_000, 1, false);
    w.record(39_999, 1, true);
    w.record(45_000, 1, true); // after the end of the run
    expect([0, 1, 2].map((i) => w.requestsAt(i))).toEqual([2, 1, 2]);
    expect([0, 1, 2].map((i) => w.errorsAt(i))).toEqual([1, 0, 2]);
    expect(w.requestsAt(7)).toBe(0);
    expect(w.points()).toEqual([
      { t: 10, requests: 2, errors: 1 },
      { t: 20, requests: 1, errors: 0 },
      { t: 30, requests: 2, errors: 2 },
    ]);
  });

  it("computes p50/p99 per window with one reusable histogram; a window without requests has null", () => {
    const w = new WindowSeries(0, 1000, 4000, true);
    for (let i = 1; i <= 100; i++) w.record(500, i, false); // window 0: 1..100 ms
    for (let i = 1; i <= 100; i++) w.record(2500, 10 * i, false); // window 2: 10..1000 ms
    w.close();
    w.close(); // idempotent
    const p = w.points();
    expect(p.map((x) => [x.t, x.requests])).toEqual([[0, 100], [1, 0], [2, 100], [3, 0]]);
    const near = (got: number | null | undefined, want: number): void => {
      expect(got).not.toBeNull();
      expect(Math.abs((got as number) - want) / want).toBeLessThanOrEqual(0.001);
    };
    near(p[0]!.p50, 50);
    near(p[0]!.p99, 99);
    near(p[2]!.p50, 500);
    near(p[2]!.p99, 990);
    expect([p[1]!.p50, p[1]!.p99, p[3]!.p50, p[3]!.p99]).toEqual([null, null, null, null]);
  });

  it("a late request of a closed window counts in its requests but not its percentiles", () => {
    const w = new WindowSeries(0, 1000, 3000, true);
    w.record(100, 5, false);
    w.record(1500, 7, false); // closes window 0
    w.record(900, 1000, true); // late
    w.close();
    const p = w.points();
    expect(p[0]).toEqual({ t: 0, requests: 2, errors: 1, p50: 5, p99: 5 });
    expect(p[1]).toEqual({ t: 1, requests: 1, errors: 0, p50: 7, p99: 7 });
  });
});

describe("window series are allocated as the run goes", () => {
  it("a series of 10^12 windows costs nothing until the run reaches them", () => {
    const w = new WindowSeries(0, 1e-3, 1e9, true);
    expect(w.length).toBe(1e12);
    w.record(0.5e-3, 1, false);
    w.record(250.0005, 2, true);
    expect(w.requestsAt(0)).toBe(1);
    expect(w.requestsAt(250_000)).toBe(1);
    expect(w.errorsAt(250_000)).toBe(1);
    expect(w.requestsAt(250_001)).toBe(0);
  });
});

describe("WindowSeries.recordLastOf (a client's windows take the whole run's rounded value)", () => {
  it("gives the same windows, percentiles and whole-run figures as recording each latency twice", () => {
    // Latencies with sub-µs parts that round both ways, values past 2,048 µs (other HDR buckets),
    // a zero, and windows that switch, so a wrong µs or HDR index would move a percentile.
    const lat = [0, 0.0004, 0.0005, 0.0015, 1.2344, 1.2345, 2.0475, 2.049, 9.9999, 123.4567, 0.75, 3.3335];
    const byRecord = new WindowSeries(0, 1000, 5000, true), byLast = new WindowSeries(0, 1000, 5000, true);
    const wholeA = new LatencyHistogram(), wholeB = new LatencyHistogram();
    for (let k = 0; k < 300; k++) {
      const ms = lat[k % lat.length]! * (1 + (k % 7));
      const end = k * 16.5;
      wholeA.record(ms);
      byRecord.record(end, ms, k % 5 === 0);
      wholeB.record(ms);
      byLast.recordLastOf(end, wholeB, k % 5 === 0);
    }
    byRecord.close();
    byLast.close();
    expect(byLast.points()).toEqual(byRecord.points());
    expect(byLast.points().filter((p) => p.p99 !== null)).toHaveLength(5);
    for (const p of [0, 50, 90, 99, 100]) expect(wholeB.percentile(p)).toBe(wholeA.percentile(p));
    expect([wholeB.mean, wholeB.min, wholeB.max, wholeB.stdDev]).toEqual([wholeA.mean, wholeA.min, wholeA.max, wholeA.stdDev]);
  });
});
