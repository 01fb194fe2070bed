// fortio-<client>.json in-process: Fortio's histogram of the client's latencies, and its Sizes from
// the answers' body sizes when the scenario gives a responseSize.
import { describe, expect, it } from "vitest";
import { runScenario } from "../../src/runner/run-scenario.js";
import { fortioResult, goDuration } from "../../src/report/fortio.js";
import { scenarioFrom } from "../support/scenario-text.js";
import { SIZED } from "../support/sized-scenario.js";

describe("fortio result", () => {
  const scenario = scenarioFrom(SIZED);
  const out = runScenario(scenario);
  const c = out.recorder.clients.get("users")!;
  const f = fortioResult(scenario, scenario.loadGenerators[0]!, c, 18_000) as Record<string, any>;

  it("has the open loop's requested rate and duration as Fortio writes them", () => {
    expect(f["RequestedQPS"]).toBe("100");
    expect(f["RequestedDuration"]).toBe("18s");
    expect(f["ActualDuration"]).toBe(18e9);
    expect(f["ActualQPS"]).toBeCloseTo(c.requests / 18, 6);
    expect(f["StartTime"]).toBe("2024-01-01T00:00:02.000Z");
    expect([goDuration(250), goDuration(90_000), goDuration(3_723_500)]).toEqual(["250ms", "1m30s", "1h2m3.5s"]);
  });

  it("bins the client's latencies at Fortio's bounds, in seconds, cumulative to 100%", () => {
    const h = f["DurationHistogram"];
    expect(h.Count).toBe(c.requests);
    expect(h.Data.reduce((a: number, d: { Count: number }) => a + d.Count, 0)).toBe(c.requests);
    let prev = 0;
    for (const d of h.Data) {
      expect(d.Percent).toBeGreaterThan(prev);
      prev = d.Percent;
      expect(d.End).toBeGreaterThanOrEqual(d.Start);
    }
    expect(prev).toBe(100);
    expect(h.Min).toBeCloseTo(c.latency.min / 1000, 6);
    expect(h.Percentiles.find((p: { Percentile: number }) => p.Percentile === 99).Value).toBeCloseTo(c.latency.percentile(99) / 1000, 6);
  });

  it("takes Sizes from the response bodies: their count, sum and range", () => {
    const s = f["Sizes"];
    expect(s.Count).toBe(c.requests);
    expect(s.Sum).toBe(c.responseSizes!.total);
    expect(s.Avg).toBeCloseTo(s.Sum / s.Count, 3);
    expect(s.Min).toBeLessThan(800);
    expect(s.Max).toBeGreaterThan(800);
    expect(s.Data.at(-1).Percent).toBe(100);
    expect(s.Data.reduce((a: number, d: { Count: number }) => a + d.Count, 0)).toBe(c.requests);
    // Fortio's byte buckets: one ends at 1000 and the next at 2000 (bytes, no divider).
    expect(s.Data.some((d: { End: number }) => d.End === 1000)).toBe(true);
    expect(f["HeaderSizes"].Sum).toBe(0);
  });
});
