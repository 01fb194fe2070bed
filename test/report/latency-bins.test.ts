import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { LatencyHistogram } from "../../src/telemetry/histogram.js";
import { BINS_PER_DECADE, buildHistograms, latencyBins } from "../../src/report/latency-bins.js";
import { fixtureRecorder } from "./fixture.js";

describe("latency bins (histograms.json)", () => {
  it("every recorded latency lands in one bin whose bounds hold it, and the counts add up to the requests", () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 120_000, noNaN: true }), { minLength: 1, maxLength: 200 }), (values) => {
        const h = new LatencyHistogram();
        for (const v of values) h.record(v);
        const { count, bins } = latencyBins(h);
        expect(count).toBe(values.length);
        expect(bins.reduce((a, b) => a + b[2], 0)).toBe(values.length);
        for (let i = 1; i < bins.length; i++) expect(bins[i]![0]).toBeGreaterThanOrEqual(bins[i - 1]![1]);
        // Each value's bin: HDR keeps 3 significant digits, so allow 0.1 % (and 1 µs) of slack.
        for (const v of values) {
          const inside = bins.some(([lo, hi, c]) => c > 0 && v >= lo * 0.999 - 0.001 && v <= hi * 1.001 + 0.001);
          expect(inside).toBe(true);
        }
      }),
      { numRuns: 60 },
    );
  });

  it("bins are 50 per decade, only non-empty ones kept", () => {
    const h = new LatencyHistogram();
    for (let i = 0; i < 10; i++) h.record(10);
    h.record(1000);
    const { bins } = latencyBins(h);
    expect(bins).toEqual([[10, 10.47, 10], [1000, 1047, 1]]);
    expect(BINS_PER_DECADE).toBe(50);
  });

  it("a 0 ms latency falls in a first bin starting at 0", () => {
    const h = new LatencyHistogram();
    h.record(0);
    h.record(0.0004);
    expect(latencyBins(h).bins).toEqual([[0, 0.001047, 2]]);
  });

  it("has one entry per client, counting each client's measured requests", () => {
    const rec = fixtureRecorder();
    const f = buildHistograms(rec, { meshsim: "0.1.0", scenario: "fixture", seed: 1 });
    expect(Object.keys(f.clients)).toEqual(["jason", "users"]);
    expect(f.clients["users"]!.count).toBe(100);
    expect(f.clients["jason"]!.bins.reduce((a, b) => a + b[2], 0)).toBe(3);
  });
});
