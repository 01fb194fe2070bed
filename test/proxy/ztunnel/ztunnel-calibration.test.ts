// The ztunnel-1.24 calibration reproduces Istio's published figures in Istio's own benchmark set-up
// (fortio → fortio, 1 KB, 1,000 rps; scenarios/ambient/istio-benchmark-ambient.yaml, no network
// latency and an instant server, so the client's latency is what the mesh adds): two ztunnel passes
// add ≈ 0.16 ms at p90 and ≈ 0.20 ms at p99 ("Sidecar or ambient?"), and each pass costs 0.06 vCPU
// per 1,000 rps (1.24 performance page).
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadScenario } from "../../../src/scenario/index.js";
import { runScenario } from "../../../src/runner/run-scenario.js";
import { ZTUNNEL_PROFILE } from "../../../src/proxy/resources/calibration-profile.js";

describe("ztunnel-1.24 calibration", () => {
  const sc = loadScenario(path.resolve(import.meta.dirname, "../../../scenarios/ambient/istio-benchmark-ambient.yaml"));
  const s = runScenario(sc).summary;
  const none = runScenario({ ...sc, simulation: { ...sc.simulation, mesh: { ...sc.simulation.mesh, mode: "none" } } }).summary;

  it("adds the published p90 and p99 over the same run without a mesh (within 0.03 ms)", () => {
    const amb = s.clients["fortio"]!.latencyMs;
    const base = none.clients["fortio"]!.latencyMs;
    expect(Math.abs(amb.p90 - base.p90 - ZTUNNEL_PROFILE.published.addedP90Ms)).toBeLessThan(0.03);
    expect(Math.abs(amb.p99 - base.p99 - ZTUNNEL_PROFILE.published.addedP99Ms)).toBeLessThan(0.03);
  });

  it("costs 0.06 vCPU per 1,000 rps per pass (both passes on the one node's ztunnel here)", () => {
    expect(s.mesh.cost!.coresPer1000Rps).toBeCloseTo(2 * ZTUNNEL_PROFILE.published.vcpuPer1000Rps, 2);
    expect(s.mesh.cost!.proxyMemoryMB).toBe(ZTUNNEL_PROFILE.published.memoryMB);
  });
});
