// summary.json's mesh.changes through a real run: one entry per push istiod started (changes merged
// by the debounce are one), dated by the change, named after the timeline's resources or the pods
// whose readiness changed, with the convergence the control plane measured; bounded; deterministic.
import { describe, expect, it } from "vitest";
import { changeNote } from "../../src/runner/change-log.js";
import { runScenario } from "../../src/runner/run-scenario.js";
import { buildSummary, summaryJson } from "../../src/report/summary.js";
import { MAX_CHANGES, Recorder } from "../../src/telemetry/recorder.js";
import { scenarioFrom } from "../support/scenario-text.js";

function yaml(timeline: string, seed = 1): string {
  return `
apiVersion: meshsim.dev/v1alpha1
kind: Simulation
metadata: {name: changes-test}
spec:
  seed: ${seed}
  duration: 30s
  warmup: 5s
  timeline:
${timeline}
---
apiVersion: v1
kind: Service
metadata: {name: backend}
spec: {selector: {app: backend}, ports: [{name: http, port: 8080}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: backend}
spec:
  replicas: 2
  selector: {matchLabels: {app: backend}}
  template:
    metadata: {labels: {app: backend, version: v1}}
    spec: {containers: [{name: backend, image: example/backend, ports: [{containerPort: 8080}]}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: client}
spec:
  replicas: 2
  selector: {matchLabels: {app: client}}
  template:
    metadata: {labels: {app: client}}
    spec: {containers: [{name: client, image: example/client}]}
---
apiVersion: meshsim.dev/v1alpha1
kind: LoadGenerator
metadata: {name: users}
spec: {from: client, target: "http://backend:8080/", rate: 20}
`;
}

const VS = `
    apply:
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: backend}
      spec: {hosts: [backend], http: [{route: [{destination: {host: backend}}], timeout: 2s}]}`;
const DR = `
    apply:
      apiVersion: networking.istio.io/v1
      kind: DestinationRule
      metadata: {name: backend}
      spec: {host: backend, subsets: [{name: v1, labels: {version: v1}}]}`;

const FAR = `  - at: 10s${VS}\n  - at: 20s${DR}\n  - at: 24s\n    scale: {deployment: backend, replicas: 3}`;

describe("mesh.changes", () => {
  const out = runScenario(scenarioFrom(yaml(FAR)));
  const changes = out.summary.mesh.changes;

  it("lists two applies far apart as two config pushes, and a scale-up's ready pod as an endpoints push", () => {
    expect(changes.map((c) => [c.t, c.kind, c.what])).toEqual([
      [10, "config", "VirtualService/backend"],
      [20, "config", "DestinationRule/backend"],
      [expect.any(Number), "endpoints", expect.stringMatching(/^backend-\d+ ready$/)],
    ]);
    expect(changes[2]!.t).toBeGreaterThan(24);
    // Every one of the 4 sidecars has backend in scope (no Sidecar resource); the new backend pod's
    // sidecar, still being bootstrapped, gets the endpoints push too.
    expect(changes.map((c) => [c.proxiesPushed, c.rejected])).toEqual([[4, 0], [4, 0], [5, 0]]);
  });

  it("gives each push the convergence the control plane measured (the histogram's samples)", () => {
    const measured = changes.map((c) => c.convergenceMs!);
    const h = out.recorder.mesh.convergence;
    expect(h.count).toBe(changes.length);
    expect(Math.max(...measured)).toBe(h.max);
    expect(Math.min(...measured)).toBe(h.min);
    // Each is at least istiod's debounce (100 ms) and well under a second on a 4-proxy mesh.
    for (const m of measured) {
      expect(m).toBeGreaterThanOrEqual(100);
      expect(m).toBeLessThan(1000);
    }
  });

  it("merges two applies within PILOT_DEBOUNCE_AFTER into one push, dated by the first", () => {
    const s = runScenario(scenarioFrom(yaml(`  - at: 10s${VS}\n  - at: 10.05s${DR}`))).summary;
    expect(s.mesh.changes).toHaveLength(1);
    expect(s.mesh.changes[0]).toMatchObject({ t: 10, kind: "config", what: "VirtualService/backend, DestinationRule/backend", rejected: 0 });
    // Debounced from the last change (10.05 s) and measured from the first (10 s).
    expect(s.mesh.changes[0]!.convergenceMs).toBeGreaterThanOrEqual(150);
    expect(s.mesh.changesDropped).toBeUndefined();
  });

  it("writes a byte-identical summary.json for the same seed", () => {
    const again = runScenario(scenarioFrom(yaml(FAR))).summary;
    expect(summaryJson(again)).toBe(summaryJson(out.summary));
    const other = runScenario(scenarioFrom(yaml(FAR, 2))).summary;
    expect(summaryJson(other)).not.toBe(summaryJson(out.summary));
  });
});

describe("the per-change list's bounds and notes", () => {
  it("keeps the first MAX_CHANGES pushes and counts the rest in changesDropped", () => {
    const rec = new Recorder({ warmupMs: 0, windowMs: 1000, endMs: 10_000 });
    for (let i = 0; i < MAX_CHANGES + 7; i++) {
      rec.change(i, { t: i, kind: "endpoints", what: "x", convergenceMs: null, counts: { proxies: 1, rejected: 0 } });
      rec.changeConverged(i, 5);
    }
    const s = buildSummary(rec, { name: "bounds", seed: 1, simulatedSeconds: 10, expectations: [] });
    expect(s.mesh.changes).toHaveLength(MAX_CHANGES);
    expect(s.mesh.changesDropped).toBe(7);
    expect(s.mesh.changes.every((c) => c.convergenceMs === 5)).toBe(true);
  });

  it("names the config or pods an event changes, and nothing for events that change neither", () => {
    expect(changeNote("apply", { resources: "VirtualService/a,DestinationRule/a" })).toBe("VirtualService/a,DestinationRule/a");
    expect(changeNote("kill", { pod: "backend-0" })).toBe("killed backend-0");
    expect(changeNote("notReady", { pod: "backend-1" })).toBe("backend-1 not ready");
    expect(changeNote("xds-rejected", { type: "rds" })).toBeNull();
    expect(changeNote("ejection", { pod: "backend-1" })).toBeNull();
  });
});
