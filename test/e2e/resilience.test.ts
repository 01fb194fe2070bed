// The resilience and control-plane labs against Istio's and Envoy's documented outcomes.
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadScenario } from "../../src/scenario/index.js";
import { runScenario } from "../../src/runner/run-scenario.js";
import type { Summary } from "../../src/report/summary-types.js";

const DIR = path.resolve(import.meta.dirname, "../../scenarios");
function run(file: string): Summary {
  const s = runScenario(loadScenario(path.join(DIR, file))).summary;
  expect(s.expectations.filter((e) => !e.ok)).toEqual([]);
  return s;
}
function cluster(s: Summary, workload: string): Record<string, number> {
  const c = s.clusters[workload]!;
  return Object.values(c)[0]!;
}

describe("Istio's circuit-breaking task", () => {
  const c2 = run("resilience/circuit-breaking-c2.yaml");
  const c3 = run("resilience/circuit-breaking-c3.yaml");

  it("trips the breaker a little with 2 connections and much more with 3", () => {
    const share = (s: Summary) => (s.clients["fortio"]!.codes["503"] ?? 0) / s.clients["fortio"]!.requests;
    expect(share(c2)).toBeGreaterThan(0);
    expect(share(c2)).toBeLessThan(0.5);
    expect(share(c3)).toBeGreaterThan(share(c2) + 0.2);
  });

  it("counts every 503 as upstream_rq_pending_overflow and every success as a pending request", () => {
    for (const s of [c2, c3]) {
      const fortio = s.clients["fortio"]!;
      const counters = cluster(s, "fortio-deploy");
      expect(counters["upstream_rq_pending_overflow"]).toBe(fortio.codes["503"]);
      expect(counters["upstream_rq_pending_total"]).toBe(fortio.codes["200"]);
      expect(fortio.flags["UO"]).toBe(fortio.codes["503"]);
    }
  });

  it("never ejects httpbin for overflow, even with consecutive5xxErrors: 1", () => {
    for (const s of [c2, c3]) {
      expect(s.pods["httpbin-0"]!.ejections).toBe(0);
      expect(s.events.filter((e) => e.kind === "ejection")).toEqual([]);
    }
  });
});

describe("outlier detection", () => {
  it("ejects the failing replica, returns it at a sweep after 30 s, and ejects it next for 60 s", () => {
    const s = run("resilience/outlier-ejection.yaml");
    const ej = s.events.filter((e) => e.kind === "ejection");
    const back = s.events.filter((e) => e.kind === "unejection");
    expect(ej.map((e) => e.detail["durationMs"])).toEqual([30000, 60000, 90000]);
    expect(ej.every((e) => e.detail["pod"] === "backend-bad-0")).toBe(true);
    // Un-ejection only at an interval sweep (every 10 s), never before the ejection time is over.
    expect(back[0]!.t - ej[0]!.t).toBeGreaterThanOrEqual(30);
    expect(back[0]!.t - ej[0]!.t).toBeLessThan(40);
    expect(back[1]!.t - ej[1]!.t).toBeGreaterThanOrEqual(60);
    expect(s.pods["backend-bad-0"]!.ejections).toBe(3);
  });

  it("with Istio's default maxEjectionPercent (10%) ejects nobody of five endpoints", () => {
    const s = run("resilience/outlier-default-cap.yaml");
    expect(s.events.filter((e) => e.kind === "ejection")).toEqual([]);
    expect(cluster(s, "client")["ejections_overflow"]).toBeGreaterThan(0);
  });
});

describe("pod lifecycle", () => {
  it("a killed pod causes errors only without retries, and only before the endpoint update", () => {
    const withRetries = run("resilience/pod-kill.yaml");
    const without = run("resilience/pod-kill-no-retries.yaml");
    expect(withRetries.clients["users"]!.flags["UF"]).toBeUndefined();
    expect(without.clients["users"]!.flags["UF"]).toBeGreaterThan(0);
    // The errors fall in the window of the kill (30 s), not later.
    const series = without.timeSeries.clients["users"]!;
    for (const p of series) if (p.t < 30 || p.t >= 40) expect(p.errors).toBe(0);
  });

  it("a scale-down drains without errors", () => {
    const s = run("resilience/scale-down.yaml");
    expect(s.clients["users"]!.errorRate).toBe(0);
  });
});

describe("config propagation", () => {
  it("a VirtualService ahead of its DestinationRule gives 503 NC only until the DestinationRule arrives", () => {
    const s = run("control-plane/canary-wrong-order.yaml");
    const nc = s.edges.find((e) => e.source === "productpage-v1" && e.destination === "unknown")!;
    expect(nc.flags["NC"]).toBe(nc.requests);
    expect(s.mesh.xdsPushes).toBeGreaterThan(0);
    expect(s.mesh.convergenceMs.max).toBeGreaterThanOrEqual(100); // istiod's debounce
    const right = run("control-plane/canary-right-order.yaml");
    expect(right.edges.some((e) => e.destination === "unknown")).toBe(false);
  });
});
