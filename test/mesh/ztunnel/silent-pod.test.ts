// A pod whose node vanishes, in ambient mode (scenarios/resilience/connect-timeout.yaml run with
// `mesh.mode: ambient`). ztunnel does not retry: a new connection to the silent pod fails when
// ztunnel's TCP connect times out (10 s, CONNECTION_TIMEOUT in
// https://github.com/istio/ztunnel/blob/62d82653/src/proxy.rs#L645-L697), and streams on a tunnel
// already open to it are reset when the tunnel's keepalive PING goes 20 s unanswered
// (https://github.com/istio/ztunnel/blob/62d82653/src/proxy/h2.rs#L31-L75). Either way every request
// gets an answer; none waits forever.
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadScenario } from "../../../src/scenario/index.js";
import { runScenario } from "../../../src/runner/run-scenario.js";

describe("a silent pod behind ztunnel", () => {
  const s = loadScenario(path.resolve(import.meta.dirname, "../../../scenarios/resilience/connect-timeout.yaml"));
  const summary = runScenario({ ...s, simulation: { ...s.simulation, mesh: { ...s.simulation.mesh, mode: "ambient" } } }).summary;
  const users = summary.clients["users"]!;

  it("fails connections to it (connect timeout: UF) instead of leaving them unanswered", () => {
    expect(users.codes["0"] ?? 0).toBeGreaterThan(0);
    expect(users.flags?.["UF"] ?? 0).toBeGreaterThan(0);
    // Open-loop 200 rps for 120 s: every request sent ends (the last ones within the run).
    expect(users.requests).toBeGreaterThan(200 * 118);
  });

  it("answers within the keepalive's bound: at most 30 s (a PING every 10 s, 20 s to answer)", () => {
    expect(users.latencyMs.max).toBeLessThanOrEqual(30_000 + 100);
    // The connect timeout shows in the tail.
    expect(users.latencyMs.p999).toBeGreaterThanOrEqual(9_000);
  });
});
