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
    // ActualDuration and ActualQPS are the load's own (periodic.go Run: elapsed around the threads):
    // from the first counted request to the last answer, a little under the 18 s window.
    const span = c.lastAnsweredMs - c.firstSentMs;
    expect(span).toBeGreaterThan(17_900);
    expect(span).toBeLessThan(18_000);
    expect(f["ActualDuration"]).toBe(Math.round(span * 1e6));
    expect(f["ActualQPS"]).toBeCloseTo(c.requests / (span / 1000), 6);
    expect(f["StartTime"]).toBe(new Date(Date.UTC(2024, 0, 1) + c.firstSentMs).toISOString());
    expect(f["StartTime"]).toMatch(/^2024-01-01T00:00:02\./);
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

// A closed loop as `fortio load -c 2 -qps 0 -n 20` against a server that always answers 503: each
// answer closes the socket (fhttp/http_client.go readResponse keeps it only after a 2xx), so each of
// the 20 calls dials: SocketCount 20. The run lasts 60 s but the load only ~20 × 2 ms / 2 connections:
// ActualDuration and ActualQPS are the load's own (periodic.go Run), not the simulation's.
describe("fortio result of a closed loop", () => {
  const scenario = scenarioFrom(`apiVersion: meshsim.dev/v1alpha1
kind: Simulation
metadata: {name: fortio-503}
spec: {duration: 60s}
---
apiVersion: v1
kind: Service
metadata: {name: server}
spec: {selector: {app: server}, ports: [{port: 8080}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: server}
spec: {template: {metadata: {labels: {app: server}}, spec: {containers: [{name: s, image: s}]}}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: fortio}
spec: {template: {metadata: {labels: {app: fortio}}, spec: {containers: [{name: f, image: fortio}]}}}
---
apiVersion: meshsim.dev/v1alpha1
kind: Workload
metadata: {name: server}
spec: {selector: {app: server}, serviceTime: 2ms, errorRate: 1}
---
apiVersion: meshsim.dev/v1alpha1
kind: LoadGenerator
metadata: {name: fortio}
spec: {from: fortio, target: http://server:8080/, connections: 2, requests: 20, qps: 0}
`);
  const out = runScenario(scenario);
  const c = out.recorder.clients.get("fortio")!;
  const f = fortioResult(scenario, scenario.loadGenerators[0]!, c, 60_000) as Record<string, any>;
  it("counts 20 calls on 2 threads, each on a new socket", () => {
    expect(f["DurationHistogram"].Count).toBe(20);
    expect(f["NumThreads"]).toBe(2);
    expect(f["SocketCount"]).toBe(20);
    expect(f["RequestedDuration"]).toBe("exactly 20 calls");
  });
  it("ActualDuration and ActualQPS are the load's own: well under a second, not 60 s", () => {
    expect(f["ActualDuration"]).toBeGreaterThan(20e6); // ≥ 10 calls × 2 ms per connection
    expect(f["ActualDuration"]).toBeLessThan(200e6);
    expect(f["ActualQPS"]).toBeCloseTo(20 / (f["ActualDuration"] / 1e9), 3);
    expect(f["ActualQPS"]).toBeGreaterThan(100);
  });
});
