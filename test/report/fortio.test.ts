// fortio-<client>.json in-process: Fortio's histogram of the client's latencies, and its Sizes from
// the answers' body sizes when the scenario gives a responseSize.
import { describe, expect, it } from "vitest";
import { runScenario } from "../../src/runner/run-scenario.js";
import { fortioJsonText, fortioResult, goDuration, goG9, goTime } from "../../src/report/fortio.js";
import { fortioPercentile } from "../../src/report/fortio-histogram.js";
import { ClientStats } from "../../src/telemetry/client-stats.js";
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
    // time.Time's JSON: RFC 3339 with the fraction to the ns, trailing zeros dropped.
    expect(f["StartTime"]).toMatch(/^2024-01-01T00:00:02\.\d{1,9}Z$/);
    expect(Date.parse(f["StartTime"])).toBe(Math.floor(Date.UTC(2024, 0, 1) + c.firstSentMs));
    expect([goTime(0), goTime(1500), goTime(2.0049)]).toEqual(["2024-01-01T00:00:00Z", "2024-01-01T00:00:01.5Z", "2024-01-01T00:00:00.0020049Z"]);
    // Go's time.Duration.String.
    expect([goDuration(250), goDuration(90_000), goDuration(3_723_500), goDuration(3_600_000), goDuration(0.0015), goDuration(1e-6)])
      .toEqual(["250ms", "1m30s", "1h2m3.5s", "1h0m0s", "1.5\u00b5s", "1ns"]);
    expect([goG9(100), goG9(0.5), goG9(1 / 3), goG9(1e9)]).toEqual(["100", "0.5", "0.333333333", "1e+09"]);
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
    // CalcPercentile on the exported buckets, not meshsim's HDR percentile.
    expect(h.Percentiles.find((p: { Percentile: number }) => p.Percentile === 99).Value).toBe(fortioPercentile(h, 99));
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
    // Fortio's Sizes histogram has divider 100: bucket ends at 100 × fortio's values (…, 1000, 1100, 1200, 1400, …).
    expect(s.Data.slice(1, -1).every((d: { End: number }) => d.End % 100 === 0)).toBe(true);
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

// Hand-made latencies and sizes through fortio's JSON, against fortio's source (commit 45e18710):
// stats/stats.go (bucket ends, (previous end, end] buckets, Export, CalcPercentile, Counter.StdDev),
// fhttp/httprunner.go RunHTTPTest (Sizes: NewHistogram(0, 100), HeaderSizes: NewHistogram(0, 5), no
// percentiles; Sockets; ConnectionStats), periodic/periodic.go Run (ErrorsDurationHistogram: calls
// whose Run returned false, httprunner.go's codeIsOK), fhttp/http_client.go HTTPOptions.Init
// (NumConnections 1), periodic.go GenID (ID up to 96 bytes).
describe("fortio result from known latencies", () => {
  const scenario = scenarioFrom(`apiVersion: meshsim.dev/v1alpha1
kind: Simulation
metadata: {name: a-simulation-with-a-rather-long-name-to-see-where-fortio-cuts-the-id}
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
apiVersion: meshsim.dev/v1alpha1
kind: LoadGenerator
metadata: {name: fortio}
spec: {target: http://server:8080/, connections: 2, requests: 4, qps: 0}
`);
  const c = new ClientStats("fortio", { warmupMs: 0, windowMs: 1000, endMs: 60_000 });
  c.dialed(0, 0, 0.042);
  c.dialed(0, 1, 0.042);
  c.dialed(2, 1, 0.042);
  const calls: [number, number, number][] = [[1, 200, 0], [130, 200, 150], [130, 200, 1300], [7000, 503, 2600]];
  for (const [ms, code, bytes] of calls) {
    c.issued(0);
    c.record(10_000 + ms, ms, code, "", 0, bytes);
    if (code !== 200) c.failed(10_000 + ms, ms);
  }
  const f = fortioResult(scenario, scenario.loadGenerators[0]!, c, 60_000) as Record<string, any>;

  it("bins durations at fortio's ends, a value on an end in the bucket it closes", () => {
    const d = f["DurationHistogram"];
    expect(d.Data).toEqual([
      { Start: 0.001, End: 0.001, Percent: 25, Count: 1 },
      { Start: 0.001 * 120, End: 0.001 * 140, Percent: 75, Count: 2 },
      { Start: 0.001 * 5000, End: 7, Percent: 100, Count: 1 },
    ]);
  });

  it("interpolates percentiles in those buckets and keeps the exact moments", () => {
    const d = f["DurationHistogram"];
    const at = (p: number) => d.Percentiles.find((x: { Percentile: number }) => x.Percentile === p).Value;
    expect(d.Percentiles.map((x: { Percentile: number }) => x.Percentile)).toEqual([50, 75, 90, 99, 99.9]);
    expect(at(50)).toBeCloseTo(0.13, 12);
    expect(at(75)).toBeCloseTo(0.14, 12);
    expect(at(90)).toBeCloseTo(6.2, 12);
    expect(at(99)).toBeCloseTo(6.92, 12);
    const v = [0.001, 0.13, 0.13, 7];
    const sum = v.reduce((a, x) => a + x, 0);
    const sq = v.reduce((a, x) => a + x * x, 0);
    expect(d.Sum).toBeCloseTo(sum, 12);
    expect(d.Avg).toBeCloseTo(sum / 4, 12);
    expect(d.StdDev).toBeCloseTo(Math.sqrt((sq - (sum * sum) / 4) / 4), 12);
  });

  it("has the failed calls' durations in ErrorsDurationHistogram", () => {
    const e = f["ErrorsDurationHistogram"];
    expect(e.Count).toBe(1);
    expect(e.Data).toEqual([{ Start: 7, End: 7, Percent: 100, Count: 1 }]);
    expect(e.Percentiles.every((x: { Value: number }) => x.Value === 7)).toBe(true);
  });

  it("bins Sizes by 100 bytes and HeaderSizes by 5, neither with percentiles", () => {
    const s = f["Sizes"];
    expect(s.Data).toEqual([
      { Start: 0, End: 0, Percent: 25, Count: 1 },
      { Start: 100, End: 200, Percent: 50, Count: 1 },
      { Start: 1200, End: 1400, Percent: 75, Count: 1 },
      { Start: 2500, End: 2600, Percent: 100, Count: 1 },
    ]);
    expect("Percentiles" in s).toBe(false);
    expect("Percentiles" in f["HeaderSizes"]).toBe(false);
    expect(f["HeaderSizes"].Data).toEqual([{ Start: 0, End: 0, Percent: 100, Count: 4 }]);
  });

  it("writes the sockets by thread, the dials' times, NumConnections 1 and a 96-byte ID", () => {
    expect(f["Sockets"]).toEqual([1, 2]);
    expect(f["SocketCount"]).toBe(3);
    expect(f["ConnectionStats"].Count).toBe(3);
    expect(f["ConnectionStats"].Min).toBeCloseTo(0.000042, 12);
    expect(f["NumConnections"]).toBe(1);
    expect(f["HTTPReqTimeOut"]).toBe(3e9);
    expect(f["ID"]).toHaveLength(96);
    expect(f["ID"]).toMatch(/^2024-01-01-000010_a_simulation_with_a_rather_long_name/);
    // encoding/json's field order: ErrorsDurationHistogram after DurationHistogram, ConnectionStats before AbortOn.
    const keys = Object.keys(f);
    expect(keys.indexOf("ErrorsDurationHistogram")).toBe(keys.indexOf("DurationHistogram") + 1);
    expect(keys.slice(-6)).toEqual(["Sizes", "HeaderSizes", "Sockets", "SocketCount", "ConnectionStats", "AbortOn"]);
  });

  it("writes a whole-µs latency as the exact seconds (5.792 ms is 0.005792, not 0.005791999999999999)", () => {
    const one = new ClientStats("fortio", { warmupMs: 0, windowMs: 1000, endMs: 60_000 });
    one.issued(0);
    one.record(5.792, 5.792, 200, "", 0, 0);
    const h = (fortioResult(scenario, scenario.loadGenerators[0]!, one, 60_000) as Record<string, any>)["DurationHistogram"];
    expect([h.Min, h.Max, h.Sum]).toEqual([0.005792, 0.005792, 0.005792]);
  });

  it("escapes <, > and & as encoding/json does", () => {
    expect(fortioJsonText({ URL: "http://a/?x=1&y=<2>" })).toBe('{\n  "URL": "http://a/?x=1\\u0026y=\\u003c2\\u003e"\n}\n');
  });
});
