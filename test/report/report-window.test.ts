import { describe, expect, it } from "vitest";
import { autoWindowMs, MAX_AUTO_WINDOWS } from "../../src/report/report-window.js";
import { buildSummary } from "../../src/report/summary.js";
import { Recorder } from "../../src/telemetry/recorder.js";

describe("the time series' window, picked from the run's length", () => {
  it("round windows, at most 60 of them, and not fewer than 24 for runs of a few ms to hours", () => {
    expect(autoWindowMs(4_000)).toBe(100);
    expect(autoWindowMs(60_000)).toBe(1_000);
    expect(autoWindowMs(110_000)).toBe(2_000);
    expect(autoWindowMs(300_000)).toBe(5_000);
    expect(autoWindowMs(6_000_000)).toBe(120_000);
    for (let ms = 50; ms < 1e8; ms *= 1.37) {
      const w = autoWindowMs(ms);
      expect(ms / w).toBeLessThanOrEqual(MAX_AUTO_WINDOWS);
      expect(Math.ceil(ms / w)).toBeGreaterThanOrEqual(20);
    }
  });
});

describe("partial windows in summary.json", () => {
  it("the last window cut by the run's end carries its length, and its rate is honest", () => {
    // 4 s measured in 1.5 s windows: [0,1.5) [1.5,3) [3,4) — the last covers 1 s.
    const r = new Recorder({ warmupMs: 0, windowMs: 1_500, endMs: 4_000 });
    const c = r.client("c");
    for (let t = 5; t < 4_000; t += 10) c.record(t, 1, 200, "-"); // 100 requests/s throughout
    const s = buildSummary(r, { name: "x", seed: 1, simulatedSeconds: 4, expectations: [] });
    const pts = s.timeSeries.clients["c"]!;
    expect(pts.map((p) => p.t)).toEqual([0, 1.5, 3]);
    expect(pts[0]!.seconds).toBeUndefined();
    expect(pts[1]!.seconds).toBeUndefined();
    expect(pts[2]!.seconds).toBe(1);
    const rate = (p: (typeof pts)[number]) => p.requests / (p.seconds ?? s.timeSeries.windowSeconds);
    expect(rate(pts[2]!)).toBeCloseTo(100, 5);
    expect(rate(pts[0]!)).toBeCloseTo(100, 5);
  });
});
