import { describe, expect, it } from "vitest";
import { batchBounds, batchMeansCi, correlated, lag1, ratioInterval, type BatchWindow } from "../../src/report/batch-means.js";
import { tQuantile95 } from "../../src/report/sweep-summary.js";
import { WindowSeries } from "../../src/telemetry/window-series.js";

/** n windows of `requests` requests each, the mean latency of window i being mean(i) ms. */
function windows(n: number, mean: (i: number) => number, requests = 100, errors: (i: number) => number = () => 0): BatchWindow[] {
  return Array.from({ length: n }, (_, i) => ({ requests, errors: errors(i), latencySumMs: mean(i) * requests, p99: 10 * mean(i) }));
}

/** A fixed hash of i in [−0.5, 0.5) (murmur3's finaliser): uncorrelated noise that needs no random stream. */
function noise(i: number): number {
  let h = Math.imul(i ^ 0x9e3779b9, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 2 ** 32 - 0.5;
}

describe("batch bounds", () => {
  it("cut L windows into k consecutive batches that differ by at most one window and cover them all", () => {
    for (const [L, k] of [[58, 29], [45, 15], [30, 30], [31, 15], [100, 25]] as const) {
      const b = batchBounds(L, k);
      expect(b).toHaveLength(k);
      expect(b[0]![0]).toBe(0);
      expect(b[k - 1]![1]).toBe(L);
      for (let j = 1; j < k; j++) expect(b[j]![0]).toBe(b[j - 1]![1]);
      const sizes = b.map(([a, z]) => z - a);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    }
  });
});

describe("ratio estimator", () => {
  it("is the classic batch-means interval when every batch has as many requests", () => {
    const means = [10, 12, 9, 11, 13, 8, 10, 12, 11, 9];
    const r = ratioInterval(means.map((m) => 50 * m), means.map(() => 50))!;
    const avg = means.reduce((a, b) => a + b) / 10;
    const sd = Math.sqrt(means.reduce((a, m) => a + (m - avg) ** 2, 0) / 9);
    expect(r.estimate).toBeCloseTo(avg, 12);
    expect(r.halfWidth).toBeCloseTo(tQuantile95(9) * sd / Math.sqrt(10), 12);
  });

  it("is centred on the pooled mean (ΣS/ΣN), not the mean of the batch means, when batches differ in size", () => {
    const r = ratioInterval([100, 400], [10, 20])!;
    expect(r.estimate).toBeCloseTo(500 / 30, 12);
    expect(r.residuals.reduce((a, b) => a + b)).toBeCloseTo(0, 9);
  });
});

describe("the autocorrelation rule", () => {
  it("measures lag-1 autocorrelation: +1-ish for a slow wave, −1-ish for alternation", () => {
    expect(lag1(Array.from({ length: 30 }, (_, j) => Math.sin((2 * Math.PI * j) / 30)))).toBeGreaterThan(0.8);
    expect(lag1(Array.from({ length: 30 }, (_, j) => (j % 2 === 0 ? 1 : -1)))).toBeLessThan(-0.9);
    expect(lag1([0, 0, 0])).toBe(0);
  });

  it("calls a lag-1 estimate significant above 1.645/√k (one-sided 5 % under independence)", () => {
    expect(correlated(0.31, 30)).toBe(true);
    expect(correlated(0.29, 30)).toBe(false);
    expect(correlated(0.5, 10)).toBe(false);
    expect(correlated(0.53, 10)).toBe(true);
  });

  it("keeps up to 30 batches of whole windows when they look independent", () => {
    const ci = batchMeansCi(windows(60, (i) => 10 + noise(i)), 100);
    expect(ci.batches).toBe(30);
    expect(ci.windowsPerBatch).toBe(2);
    expect(ci.mean).not.toBeNull();
    expect(ci.lag1!).toBeLessThan(1.645 / Math.sqrt(30));
  });

  it("halves the batch count while the batch means are correlated, and widens the interval", () => {
    // A slow wave (period 40 windows) on top of the noise: neighbouring 2-window batches are alike.
    const wave = (i: number) => 10 + noise(i) + 3 * Math.sin((2 * Math.PI * i) / 40);
    const ci = batchMeansCi(windows(240, wave), 100);
    expect(ci.batches).toBeLessThan(30);
    expect(ci.batches).toBeGreaterThanOrEqual(10);
    // Thirty 8-window batches would be correlated: the rule had to go further.
    const at30 = batchBounds(240, 30).map(([a, z]) => windows(240, wave).slice(a, z).reduce((s, w) => s + w.latencySumMs, 0) / ((z - a) * 100));
    const avg = at30.reduce((a, b) => a + b) / 30;
    expect(correlated(lag1(at30.map((x) => x - avg)), 30)).toBe(true);
  });

  it("gives no mean interval when the batches are still correlated at 10 (a trend: the run is too short)", () => {
    const ci = batchMeansCi(windows(30, (i) => 10 + i), 100);
    expect(ci.batches).toBe(15); // 30 one-window batches, then 15 of two; 7 would be too few
    expect(ci.mean).toBeNull();
    expect(ci.why).toMatch(/mean: batches still correlated/);
  });
});

describe("batchMeansCi", () => {
  it("says nothing from fewer than 10 windows", () => {
    const ci = batchMeansCi(windows(9, () => 10), 100);
    expect(ci).toMatchObject({ mean: null, errorRate: null, p99: null, batches: 0 });
    expect(ci.why).toMatch(/9 report windows/);
  });

  it("gives no interval when a batch has no requests", () => {
    const ws = windows(12, (i) => 10 + noise(i)).map((w, i) => (i === 5 ? { ...w, requests: 0, latencySumMs: 0, p99: null } : w));
    const ci = batchMeansCi(ws, 100);
    expect(ci.mean).toBeNull();
    expect(ci.why).toMatch(/no requests/);
  });

  it("gives an error-rate interval only when there were errors, and then the ratio estimator's", () => {
    expect(batchMeansCi(windows(20, (i) => 10 + noise(i)), 100).errorRate).toBeNull();
    const errs = (i: number) => [3, 5, 4, 6, 2][i % 5]!;
    const ci = batchMeansCi(windows(20, (i) => 10 + noise(i), 100, errs), 100);
    const rates = Array.from({ length: 20 }, (_, i) => errs(i) / 100);
    const avg = rates.reduce((a, b) => a + b) / 20;
    const sd = Math.sqrt(rates.reduce((a, r) => a + (r - avg) ** 2, 0) / 19);
    expect(ci.errorRate).toBeCloseTo(tQuantile95(19) * sd / Math.sqrt(20), 6);
  });

  it("gives the p99 by sectioning when a batch is one window, about the run's own p99", () => {
    const ws = windows(20, (i) => 10 + noise(i));
    const ci = batchMeansCi(ws, 101);
    const ss = ws.reduce((a, w) => a + (w.p99! - 101) ** 2, 0);
    expect(ci.p99).toBeCloseTo(tQuantile95(19) * Math.sqrt(ss / 19 / 20), 3);
    const long = batchMeansCi(windows(40, (i) => 10 + noise(i)), 101);
    expect(long.p99).toBeNull();
    expect(long.why).toMatch(/p99: a batch is [0-9.]+ windows/);
  });

  it("shrinks as 1/√(measured time) for independent windows", () => {
    const short = batchMeansCi(windows(30, (i) => 10 + noise(i)), 100).mean!;
    const long = batchMeansCi(windows(120, (i) => 10 + noise(i)), 100).mean!;
    expect(short / long).toBeGreaterThan(1.5);
    expect(short / long).toBeLessThan(2.6);
  });
});

describe("window latency sums", () => {
  it("add each request's latency (µs-rounded) to its window, late ones included", () => {
    const w = new WindowSeries(0, 1000, 5000, true);
    w.record(100, 2.0004, false);
    w.record(900, 3, false);
    w.record(1500, 7, true);
    w.record(800, 5, false); // late: window 0 is closed, but its sum still counts it
    expect(w.latencySumMsAt(0)).toBeCloseTo(10, 9);
    expect(w.latencySumMsAt(1)).toBe(7);
    expect(w.latencySumMsAt(4)).toBe(0);
    expect(w.requestsAt(0)).toBe(3);
    expect(new WindowSeries(0, 1000, 5000, false).latencySumMsAt(0)).toBeNull();
  });

  // The open window's sum is not stored per request but taken from the whole histogram's when the
  // window closes (docs/performance.md, Goal 3, session 20): the same before and after, late
  // requests (whose own window takes them) left out of it.
  it("give the open window the same sum and count before and after it closes, late requests apart", () => {
    const w = new WindowSeries(0, 1000, 5000, true);
    w.record(100, 2, false);
    w.record(1100, 3.0004, false);
    w.record(1200, 4, false);
    w.record(300, 10, false); // late, window 0
    w.record(1900, 0.5, false);
    expect(w.latencySumMsAt(1)).toBe(7.5);
    // Its request count likewise (the whole histogram's count since it opened, the late one not in it).
    expect([w.requestsAt(0), w.requestsAt(1)]).toEqual([2, 3]);
    w.record(2500, 1, false); // closes window 1
    expect([w.requestsAt(0), w.requestsAt(1), w.requestsAt(2)]).toEqual([2, 3, 1]);
    expect(w.latencySumMsAt(1)).toBe(7.5);
    expect(w.latencySumMsAt(0)).toBe(12);
    w.record(700, 6, false); // late again: window 0, not the open window 2
    w.close();
    expect([0, 1, 2].map((i) => w.latencySumMsAt(i))).toEqual([18, 7.5, 1]);
    expect(w.points().slice(0, 3).map((p) => p.requests)).toEqual([3, 3, 1]);
  });
});
