// The waypoint-1.24 calibration reproduces Istio's published figures in Istio's own benchmark
// set-up (fortio → fortio, 1 KB, 1,000 rps evenly spaced as fortio's `-uniform -nocatchup` sends
// them: istio/tools perf/benchmark/configs/istio/*/latency.yaml; no network latency and an instant
// server, so the client's latency is what the mesh adds): two ztunnel passes and a waypoint add
// 0.40 ms at p90 and 0.50 ms at p99 ("Sidecar or ambient?",
// https://istio.io/latest/docs/overview/dataplane-modes/), and the waypoint costs 0.25 vCPU and
// 60 MB per 1,000 rps (https://istio.io/latest/docs/ops/deployment/performance-and-scalability/, 1.24).
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadScenario } from "../../src/scenario/index.js";
import { runScenario } from "../../src/runner/run-scenario.js";
import { WAYPOINT_PROFILE, ZTUNNEL_PROFILE } from "../../src/proxy/resources/calibration-profile.js";

describe("waypoint-1.24 calibration", () => {
  const sc = loadScenario(path.resolve(import.meta.dirname, "../../scenarios/ambient/istio-benchmark-waypoint.yaml"));
  // Another seed than the shipped scenario's (the one the latency was fitted on).
  const s = runScenario({ ...sc, simulation: { ...sc.simulation, seed: 7 } }).summary;

  it("ztunnels plus the waypoint add the published p90 and p99 (±8 %)", () => {
    const l = s.clients["fortio"]!.latencyMs;
    expect(Math.abs(l.p90 / WAYPOINT_PROFILE.published.addedP90Ms - 1)).toBeLessThan(0.08);
    expect(Math.abs(l.p99 / WAYPOINT_PROFILE.published.addedP99Ms - 1)).toBeLessThan(0.08);
  });

  it("the waypoint uses 0.25 vCPU and ≈ 60 MB per 1,000 rps; the ztunnel its two passes' 0.12", () => {
    const wp = Object.entries(s.pods).find(([name]) => name.startsWith("waypoint"))![1];
    const c = wp.containers!["istio-proxy"]!;
    expect(c.cpuCores.mean / WAYPOINT_PROFILE.published.vcpuPer1000Rps).toBeGreaterThan(0.97);
    expect(c.cpuCores.mean / WAYPOINT_PROFILE.published.vcpuPer1000Rps).toBeLessThan(1.03);
    expect(c.memoryMB! / WAYPOINT_PROFILE.published.memoryMB).toBeLessThan(1.05);
    expect(s.mesh.cost!.coresPer1000Rps).toBeCloseTo(WAYPOINT_PROFILE.published.vcpuPer1000Rps + 2 * ZTUNNEL_PROFILE.published.vcpuPer1000Rps, 1);
  });
});
