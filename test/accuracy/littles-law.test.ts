// Little's law, L = lambda × W, must hold for the clients of a Bookinfo run with sidecars: the
// time-average number of requests in flight (integrated over simulated time) against throughput
// times mean latency (from the latency histogram) — two independent pieces of bookkeeping.
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadScenario } from "../../src/scenario/index.js";
import { runScenario } from "../../src/runner/run-scenario.js";

describe("Little's law", () => {
  it("holds for Bookinfo's users within 2%", () => {
    const s = loadScenario(path.resolve(import.meta.dirname, "../../scenarios/bookinfo/simulation.yaml"));
    const { summary } = runScenario(s, { durationMs: 300_000 });
    const users = summary.clients["users"]!;
    const lambdaPerMs = users.requests / (summary.measuredSeconds * 1000);
    const L = users.meanInflight;
    expect(L).toBeGreaterThan(0.5);
    expect(Math.abs(L / (lambdaPerMs * users.latencyMs.mean) - 1)).toBeLessThan(0.02);
  });

  it("holds for each app: mean requests in service = throughput × mean time in the app", () => {
    const s = loadScenario(path.resolve(import.meta.dirname, "../../scenarios/mmc.yaml"));
    const { summary } = runScenario(s, { durationMs: 600_000 });
    const pod = summary.pods["server-0"]!;
    // With 5 slots and a mean service of 50 ms, busy slots = lambda × 50 ms (the utilisation law).
    const lambdaPerMs = pod.requests / (summary.measuredSeconds * 1000);
    expect(Math.abs(pod.meanBusy / (lambdaPerMs * 50) - 1)).toBeLessThan(0.03);
  });
});
