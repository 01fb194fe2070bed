// kube-proxy falls back to serving terminating endpoints when a Service has no ready one (KEP-1669,
// GA in Kubernetes 1.28): kubernetes pkg/proxy/topology.go CategorizeEndpoints ("if there are 0
// cluster-wide endpoints, we can try to fallback to any terminating endpoints that are ready").
// Istio never does: its sidecars get no terminating endpoint (endpoint_builder.go).
import { describe, expect, it } from "vitest";
import { runScenario } from "../../src/runner/run-scenario.js";
import { scenarioFrom } from "../support/scenario-text.js";

const YAML = (replicas: number) => `apiVersion: meshsim.dev/v1alpha1
kind: Simulation
metadata: {name: kp}
spec:
  duration: 20s
  seed: 1
  mesh: {mode: none}
  report: {window: 1s}
  timeline:
  - at: 5s
    scale: {deployment: backend, replicas: ${replicas}}
---
apiVersion: v1
kind: Service
metadata: {name: backend}
spec: {ports: [{name: http, port: 8080}], selector: {app: backend}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: backend}
spec:
  replicas: 2
  selector: {matchLabels: {app: backend}}
  template:
    metadata: {labels: {app: backend}}
    spec:
      terminationGracePeriodSeconds: 10
      containers: [{name: backend, image: example/backend, ports: [{containerPort: 8080}]}]
---
apiVersion: meshsim.dev/v1alpha1
kind: Workload
metadata: {name: backend}
spec: {selector: {app: backend}, serviceTime: {dist: constant, value: 1ms}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: client}
spec:
  selector: {matchLabels: {app: client}}
  template:
    metadata: {labels: {app: client}}
    spec: {containers: [{name: client, image: example/client}]}
---
apiVersion: meshsim.dev/v1alpha1
kind: LoadGenerator
metadata: {name: users}
spec: {from: client, target: http://backend:8080/, rate: 20, arrival: constant}
`;

describe("kube-proxy and terminating endpoints", () => {
  it("with no ready endpoint left, sends to the terminating pods while they serve (their grace period)", () => {
    const s = runScenario(scenarioFrom(YAML(0))).summary;
    const series = s.timeSeries.clients["users"]!;
    // Scaled to 0 at 5 s: both pods terminate with a 10 s grace period, and keep answering until 15 s.
    for (const p of series) {
      if (p.t < 15) expect(p.errors).toBe(0);
      else if (p.t >= 16) expect(p.errors).toBe(p.requests);
    }
    expect(s.pods["backend-0"]!.requests + s.pods["backend-1"]!.requests).toBeGreaterThan(290);
  });

  it("while a ready endpoint is left, never to a terminating pod", () => {
    const s = runScenario(scenarioFrom(YAML(1))).summary;
    expect(s.clients["users"]!.errorRate).toBe(0);
    // backend-1 (the newest) terminates at 5 s: of the 100 requests sent before, it took its share;
    // of the 300 after, none.
    expect(s.pods["backend-1"]!.requests).toBeLessThanOrEqual(100);
    expect(s.pods["backend-0"]!.requests).toBeGreaterThanOrEqual(300);
    expect(s.pods["backend-0"]!.requests + s.pods["backend-1"]!.requests).toBe(s.clients["users"]!.requests);
  });
});
