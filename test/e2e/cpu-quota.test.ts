// The istio-proxy container's CFS quota at run time: its workers and main thread share the limit's
// cores, so a saturated default sidecar (2 workers, 2000m) uses at most 2 cores and is throttled;
// the same load under a 4-core limit with 4 workers is not.
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadScenario } from "../../src/scenario/index.js";
import { runScenario } from "../../src/runner/run-scenario.js";

const DIR = path.resolve(import.meta.dirname, "../../scenarios/cpu");

describe("istio-proxy's CFS quota", () => {
  it("caps a saturated default sidecar at its 2-core limit and counts throttled periods", () => {
    const sc = loadScenario(path.join(DIR, "sidecar-saturation.yaml"));
    const s = runScenario(sc, { durationMs: 6000 }).summary;
    const c = s.pods["hello-0"]!.containers!["istio-proxy"]!;
    expect(c.cpuLimitCores).toBe(2);
    expect(c.cpuCores.max).toBeLessThanOrEqual(2.002);
    expect(c.cpuCores.mean).toBeGreaterThan(1.99);
    // Every measured period (4 s after the warm-up, 10 per second) and those before it.
    expect(c.throttledPeriods).toBeGreaterThan(40);
  });
  it("a 4-core limit with 4 workers carries 16,000 rps without throttling", () => {
    const s = runScenario(loadScenario(path.join(DIR, "concurrency-4.yaml")), { durationMs: 6000 }).summary;
    const c = s.pods["hello-0"]!.containers!["istio-proxy"]!;
    expect(c.throttledPeriods).toBe(0);
    expect(c.cpuCores.mean).toBeGreaterThan(2.9);
    expect(s.clients["users"]!.latencyMs.p99).toBeLessThan(2);
  });
  it("4 workers under the injected 2-core quota saturate like 2 (concurrency above the limit buys nothing)", () => {
    const sc = loadScenario(path.join(DIR, "concurrency-4.yaml"));
    const d = sc.deployments.find((x) => x.metadata.name === "hello")!;
    delete d.proxy!.cpuLimitMillis;
    const s = runScenario(sc, { durationMs: 6000 }).summary;
    const c = s.pods["hello-0"]!.containers!["istio-proxy"]!;
    expect(c.concurrency).toBe(4);
    expect(c.cpuCores.max).toBeLessThanOrEqual(2.002);
    expect(c.throttledPeriods).toBeGreaterThan(40);
    expect(s.clients["users"]!.latencyMs.p99).toBeGreaterThan(100);
  });
});
