import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { LatencyHistogram } from "../../src/telemetry/histogram.js";
import { BINS_PER_DECADE, MAX_BINS, buildHistograms, latencyBins } from "../../src/report/latency-bins.js";
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

  it("keeps only non-empty bins, 1000 per decade while there are few", () => {
    const h = new LatencyHistogram();
    for (let i = 0; i < 10; i++) h.record(10);
    h.record(1000);
    const b = latencyBins(h);
    expect(b.binsPerDecade).toBe(1000);
    expect(b.bins).toEqual([[10, 10.0231, 10], [1000, 1002.31, 1]]);
  });

  it("coarsens a wide distribution until it has at most MAX_BINS bins", () => {
    const h = new LatencyHistogram();
    for (let i = 0; i < 20_000; i++) h.record(0.01 * 1.0005 ** i);
    const b = latencyBins(h);
    expect(b.bins.length).toBeLessThanOrEqual(MAX_BINS);
    expect(b.binsPerDecade).toBeLessThan(1000);
    expect(BINS_PER_DECADE).toContain(b.binsPerDecade);
    expect(b.bins.reduce((a, x) => a + x[2], 0)).toBe(20_000);
  });

  it("a 0 ms latency falls in a first bin starting at 0", () => {
    const h = new LatencyHistogram();
    h.record(0);
    h.record(0.0004);
    expect(latencyBins(h).bins).toEqual([[0, 0.00100231, 2]]);
  });

  it("has one entry per client, counting each client's measured requests", () => {
    const rec = fixtureRecorder();
    const f = buildHistograms(rec, { meshsim: "0.1.0", scenario: "fixture", seed: 1 });
    expect(Object.keys(f.clients)).toEqual(["jason", "users"]);
    expect(f.clients["users"]!.count).toBe(100);
    expect(f.clients["jason"]!.bins.reduce((a, b) => a + b[2], 0)).toBe(3);
  });
});
