import { describe, it, expect } from "vitest";
import { WindowSeries } from "../../src/telemetry/window-series.js";
import { LatencyHistogram } from "../../src/telemetry/histogram.js";
import { RequestStats } from "../../src/telemetry/request-stats.js";

describe("WindowSeries", () => {
  it("has one window per windowMs from the warm-up to the end (the last one may be short)", () => {
    expect(new WindowSeries(10_000, 10_000, 60_000, false).length).toBe(5);
    expect(new WindowSeries(0, 10_000, 65_000, false).length).toBe(7);
    expect(new WindowSeries(5_000, 10_000, 5_000, false).length).toBe(1);
    expect(() => new WindowSeries(0, 0, 10, false)).toThrow(RangeError);
  });

  it("indexes a completion before the first window as the first and after the last as the last (src/telemetry/window-series.ts indexOf)", () => {
    const w = new WindowSeries(10_000, 10_000, 40_000, false);
    expect([0, 9_999, 10_000, 19_999.9, 20_000, 39_999, 40_000, 1e9].map((t) => w.indexOf(t))).toEqual([0, 0, 0, 0, 1, 2, 2, 2]);
    const one = new WindowSeries(5_000, 10_000, 5_000, false);
    expect([0, 5_000, 1e9].map((t) => one.indexOf(t))).toEqual([0, 0, 0]);
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

/** A seeded uniform generator (mulberry32) for the property tests. */
function uniforms(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The structure the percentiles came from until session 15: a histogram of the open window's own
 * values, reset at each switch; a late value (for a closed window) in no window's percentiles.
 */
class OneHistogramPerWindow {
  private readonly hist = new LatencyHistogram();
  private open = -1;
  readonly p50 = new Map<number, number>();
  readonly p99 = new Map<number, number>();
  constructor(private readonly w: WindowSeries) {}
  record(endMs: number, ms: number): void {
    const i = this.w.indexOf(endMs);
    if (i > this.open) {
      this.close();
      this.open = i;
    }
    if (i === this.open) this.hist.record(ms);
  }
  close(): void {
    if (this.open >= 0 && this.hist.count > 0) {
      this.p50.set(this.open, this.hist.percentile(50));
      this.p99.set(this.open, this.hist.percentile(99));
    }
    this.hist.reset();
    this.open = -1;
  }
}

describe("window percentiles from the run's own histogram (session 15)", () => {
  it("equal, window by window, those of one histogram per window, over random runs", () => {
    for (let seed = 1; seed <= 40; seed++) {
      const u = uniforms(seed);
      const windowMs = [1, 10, 250, 1000][seed % 4]!;
      const windows = 5 + Math.floor(u() * 60);
      const stats = new RequestStats(0, new WindowSeries(0, windowMs, windows * windowMs, true));
      const alone = new WindowSeries(0, windowMs, windows * windowMs, true);
      const ref = new OneHistogramPerWindow(alone);
      const whole = new LatencyHistogram();
      let t = 0;
      const n = 200 + Math.floor(u() * 3000);
      const step = (windows * windowMs) / n;
      for (let k = 0; k < n; k++) {
        // Mostly in completion order with few values per window (so one value more or less moves a
        // percentile), windows skipped, late values for closed windows, values past the run's end.
        const r = u();
        t += r < 0.02 ? step * 40 * u() : u() * 2 * step;
        const end = r > 0.97 ? Math.max(0, t - windowMs * 2 * u()) : r > 0.995 ? t + windows * windowMs : t;
        // Latencies across HDR's buckets: zero, sub-µs, µs, ms, seconds; some repeated exactly.
        const kind = u();
        const ms = kind < 0.05 ? 0 : kind < 0.1 ? 1.5 : kind < 0.4 ? u() * 0.01 : kind < 0.9 ? -Math.log(u()) * 5 : u() * 20_000;
        const err = u() < 0.1;
        stats.record(end, ms, err ? 503 : 200, "-");
        alone.record(end, ms, err);
        ref.record(end, ms);
        whole.record(ms);
      }
      stats.windows!.close();
      alone.close();
      ref.close();
      const want = alone.points().map((p, i) => ({ ...p, p50: ref.p50.get(i) ?? null, p99: ref.p99.get(i) ?? null }));
      expect(alone.points()).toEqual(want);
      expect(stats.windows!.points()).toEqual(want);
      expect(want.filter((p) => p.p50 !== null).length).toBeGreaterThan(windows / 2);
      // The run's own figures are untouched by the windows reading them.
      for (const p of [0, 50, 90, 99, 99.9, 100]) expect(stats.latency.percentile(p)).toBe(whole.percentile(p));
      expect([stats.latency.count, stats.latency.mean, stats.latency.min, stats.latency.max, stats.latency.stdDev]).toEqual([whole.count, whole.mean, whole.min, whole.max, whole.stdDev]);
    }
  });

  it("a window's percentile is capped at its own largest value, not the run's", () => {
    const w = new WindowSeries(0, 1000, 2000, true);
    w.record(100, 5000, false); // window 0: one large value
    w.record(1100, 2.0005, false); // window 1: one value inside an HDR bucket wider than 1 µs
    w.close();
    expect(w.points().map((p) => [p.p50, p.p99])).toEqual([[5000, 5000], [2.001, 2.001]]);
  });
});

describe("the open window's range, counted without indexOf (session 24)", () => {
  /** The next double above x (x > 0). */
  const nextUp = (x: number): number => {
    const f = new Float64Array([x]);
    const b = new BigInt64Array(f.buffer);
    b[0]! += 1n;
    return f[0]!;
  };
  const nextDown = (x: number): number => {
    const f = new Float64Array([x]);
    const b = new BigInt64Array(f.buffer);
    b[0]! -= 1n;
    return f[0]!;
  };

  it("puts every completion time in the window indexOf gives, at and around each window's computed end", () => {
    // Widths and starts that are not binary fractions, so start + k × width rounds: a range that
    // ended at the computed end itself, unchecked, would count some of those times in the wrong window
    // (src/telemetry/window-series.ts `count` and `lastOf`).
    for (const [startMs, windowMs] of [[0.1, 0.3], [1e5 + 0.7, 0.1], [3, 1 / 3], [0, 1000]] as const) {
      const windows = 40;
      const w = new WindowSeries(startMs, windowMs, startMs + windows * windowMs, true);
      const times: number[] = [];
      for (let k = 0; k <= windows + 1; k++) {
        const end = startMs + k * windowMs;
        times.push(nextDown(nextDown(end)), nextDown(end), end, nextUp(end), end + windowMs / 2);
      }
      const want = new Map<number, number>();
      for (const t of times) {
        const i = Math.max(0, Math.min(Math.floor((t - startMs) / windowMs), windows - 1));
        want.set(i, (want.get(i) ?? 0) + 1);
        w.record(t, 1, true);
      }
      w.close();
      for (let i = 0; i < windows; i++) {
        expect([i, w.requestsAt(i)]).toEqual([i, want.get(i) ?? 0]);
        expect([i, w.errorsAt(i)]).toEqual([i, want.get(i) ?? 0]);
      }
    }
  });
});

describe("a series' first requests, counted before the open window's range is set (session 28)", () => {
  it("counts each request in its window when the range is first set in the middle of a window", () => {
    // The first 64 requests of a series take `countElsewhere` and the range is set at the 64th, in
    // the window it falls in (src/telemetry/window-series.ts `rangeAfter`): here the 44th request of
    // window 1, with requests at and just past every window's end before and after it.
    const w = new WindowSeries(0, 10, 50, true);
    const want = [0, 0, 0, 0, 0];
    const at = (t: number) => {
      want[Math.max(0, Math.min(Math.floor(t / 10), 4))]!++;
      w.record(t, 1, false);
    };
    for (let k = 0; k < 20; k++) at(k / 2); // window 0
    for (let k = 0; k < 80; k++) at(10 + k / 8); // window 1, the range set at its 44th request
    for (const t of [19.999999, 20, 20.5, 29.999, 30, 35, 40, 49.99, 55]) at(t);
    w.close();
    expect([0, 1, 2, 3, 4].map((i) => w.requestsAt(i))).toEqual(want);
    expect(want).toEqual([20, 81, 3, 2, 3]);
  });
});

describe("an edge's windows counted from its histogram (session 25)", () => {
  it("give every window the requests and errors a series counting each request gives, late ones, the run's end and an early stop included", () => {
    // An edge's series (no percentiles) follows its stats' histogram: a request in the open window is
    // counted by the histogram alone, and the window's count is read from it (src/telemetry/
    // window-series.ts `count`, `openCount`, `close`). The reference is a series used alone, which
    // counts each request in `requests` (its `count` before this change, for every edge).
    for (let seed = 1; seed <= 40; seed++) {
      const u = uniforms(seed);
      const windowMs = [1, 10, 250, 1000, 0.3][seed % 5]!;
      const windows = 3 + Math.floor(u() * 40);
      const startMs = seed % 3 === 0 ? 0.7 : 0;
      const endMs = startMs + windows * windowMs;
      const edge = new RequestStats(startMs, new WindowSeries(startMs, windowMs, endMs, false));
      const alone = new WindowSeries(startMs, windowMs, endMs, false);
      const stopAt = seed % 4 === 0 ? startMs + windows * windowMs * (0.3 + 0.5 * u()) : Infinity;
      let t = startMs;
      const n = 100 + Math.floor(u() * 2000);
      const step = (windows * windowMs) / n;
      let reads = 0;
      for (let k = 0; k < n; k++) {
        const r = u();
        t += r < 0.02 ? step * 40 * u() : u() * 2 * step;
        if (t > stopAt) break;
        // Late completions (for windows already passed) and some past the run's end.
        const end = r > 0.97 ? Math.max(startMs, t - windowMs * 2 * u()) : r > 0.995 ? t + windows * windowMs : t;
        const err = u() < 0.2;
        edge.record(end, u() * 10, err ? 503 : 200, "-");
        alone.record(end, 1, err);
        // Read in the middle of the run too: the open window's count is computed, not stored.
        if (u() < 0.01) {
          reads++;
          const i = edge.windows!.indexOf(end);
          expect([i, edge.windows!.requestsAt(i)]).toEqual([i, alone.requestsAt(i)]);
        }
      }
      if (stopAt !== Infinity) {
        edge.windows!.endAt(stopAt);
        alone.endAt(stopAt);
      }
      expect(edge.windows!.points()).toEqual(alone.points());
      for (let i = 0; i < windows; i++) expect([i, edge.windows!.errorsAt(i)]).toEqual([i, alone.errorsAt(i)]);
      // Closing (as a window change does) writes the same count, and reading again changes nothing.
      edge.windows!.close();
      expect(edge.windows!.points()).toEqual(alone.points());
      expect(edge.windows!.points().reduce((a, p) => a + p.requests, 0)).toBe(edge.requests);
      if (seed === 1) expect(reads).toBeGreaterThan(0);
    }
  });
});
