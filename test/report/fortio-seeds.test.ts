// fortio-<client>.json of Istio's circuit-breaking task (`fortio load -c 2 -qps 0 -n 20` and `-c 3
// -n 30`) over seeds 1–10: the figures hold together as they do in fortio's source (fortio/fortio at
// commit 45e18710):
// - periodic.go Run/runOne: every call is timed into DurationHistogram, exactly -n of them; a call whose
//   Run returned false also into ErrorsDurationHistogram; httprunner.go Run returns codeIsOK(code)
//   (2xx or 418) and counts RetCodes.
// - httprunner.go RunHTTPTest: SocketCount is the sum of Sockets (one entry per thread);
//   ConnectionStats has one entry per dial (http_client.go connect).
// - http_client.go readResponse: a socket survives only an OK answer, so a thread dials once, then once
//   after each failed call that is not its last: sockets − threads ≤ failures ≤ sockets.
// - stats.go Export/CalcPercentile: buckets on fortio's ends, cumulative to 100 %, percentiles
//   non-decreasing inside [Min, Max].
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadScenario } from "../../src/scenario/index.js";
import { runScenario } from "../../src/runner/run-scenario.js";
import { fortioResult } from "../../src/report/fortio.js";
import { FORTIO_BUCKET_VALUES, type FortioHistogramData } from "../../src/report/fortio-histogram.js";

const DIR = path.resolve(import.meta.dirname, "../../scenarios/resilience");

function checkHistogram(h: FortioHistogramData): void {
  const data = h.Data!;
  expect(data.reduce((a, d) => a + d.Count, 0)).toBe(h.Count);
  expect(data[0]!.Start).toBe(h.Min);
  expect(data.at(-1)!.End).toBe(h.Max);
  expect(data.at(-1)!.Percent).toBe(100);
  // Inner ends are fortio's bucket ends at 1 ms.
  for (const d of data.slice(0, -1)) expect(FORTIO_BUCKET_VALUES.map((v) => 0.001 * v)).toContain(d.End);
  const ps = h.Percentiles!.map((p) => p.Value);
  for (let i = 1; i < ps.length; i++) expect(ps[i]!).toBeGreaterThanOrEqual(ps[i - 1]!);
  expect(ps[0]!).toBeGreaterThanOrEqual(h.Min);
  expect(ps.at(-1)!).toBeLessThanOrEqual(h.Max);
}

describe.each([["circuit-breaking-c2.yaml", 2, 20], ["circuit-breaking-c3.yaml", 3, 30]] as const)("%s, seeds 1–10", (file, threads, n) => {
  it("counts, error durations, sockets and histograms hold together as in fortio's source", () => {
    for (let seed = 1; seed <= 10; seed++) {
      const scenario = loadScenario(path.join(DIR, file));
      const out = runScenario(scenario, { seed });
      const lg = scenario.loadGenerators.find((g) => g.metadata.name === "fortio")!;
      const f = fortioResult(scenario, lg, out.recorder.clients.get("fortio")!, 0) as Record<string, any>;
      const codes = f["RetCodes"] as Record<string, number>;
      const total = Object.values(codes).reduce((a, b) => a + b, 0);
      const failed = Object.entries(codes).filter(([k]) => !(Number(k) >= 200 && Number(k) <= 299) && k !== "418").reduce((a, [, v]) => a + v, 0);
      expect(f["NumThreads"]).toBe(threads);
      expect(total).toBe(n);
      expect(f["DurationHistogram"].Count).toBe(n);
      expect(f["ErrorsDurationHistogram"].Count).toBe(failed);
      expect(f["Sockets"]).toHaveLength(threads);
      expect(f["Sockets"].reduce((a: number, b: number) => a + b, 0)).toBe(f["SocketCount"]);
      expect(f["ConnectionStats"].Count).toBe(f["SocketCount"]);
      expect(f["SocketCount"] - threads).toBeLessThanOrEqual(failed);
      expect(f["SocketCount"]).toBeGreaterThanOrEqual(failed);
      checkHistogram(f["DurationHistogram"]);
      if (failed > 0) checkHistogram(f["ErrorsDurationHistogram"]);
      expect(f["Sizes"].Count).toBe(n);
    }
  }, 120_000);
});
