// A request from a client with no sidecar to a pod with no proxy travels as one record
// (mesh/kube/direct-exchange.ts DirectLeg). What happens to the requests inside a pod when it dies
// must stay what the inbound leg did on that path (mesh/sidecar/inbound.ts): a kill or an app crash
// resets their connections (the caller gets no HTTP answer, code 0) and ends them; none is lost.
import { describe, expect, it } from "vitest";
import { runScenario } from "../../src/runner/run-scenario.js";
import { scenarioFrom } from "../support/scenario-text.js";

const YAML = (event: string) => `apiVersion: meshsim.dev/v1alpha1
kind: Simulation
metadata: {name: direct-leg}
spec:
  duration: 6s
  seed: 3
  mesh: {mode: none}
  network: {latency: {dist: constant, value: 0.2ms}}
  timeline:
  - at: 2s
    ${event}
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
      terminationGracePeriodSeconds: 0
      containers: [{name: backend, image: example/backend, ports: [{containerPort: 8080}]}]
---
apiVersion: meshsim.dev/v1alpha1
kind: Workload
metadata: {name: backend}
spec: {selector: {app: backend}, concurrency: 100, serviceTime: {dist: constant, value: 200ms}}
---
apiVersion: meshsim.dev/v1alpha1
kind: LoadGenerator
metadata: {name: users}
spec: {from: outside, target: "http://backend:8080/", rate: 200, arrival: constant}
`;

function users(event: string) {
  const c = runScenario(scenarioFrom(YAML(event))).summary.clients["users"]!;
  return { requests: c.requests, codes: c.codes };
}

// The figures are those of the path before the one record (an InboundLeg and a DirectExchange per
// request; the same runs through the bundle of 8bd… 0d87633 give byte-identical summaries). 200 rps
// evenly spaced, 200 ms each, two pods: each holds 20 requests at any time.
describe("the direct path's one record per request, when the pod dies", () => {
  it("a kill resets the requests inside the pod: code 0, and every request ends", () => {
    expect(users("kill: {deployment: backend, count: 1}")).toEqual({ requests: 1200, codes: { "0": 22, "200": 1178 } });
  });

  it("an app crash resets the requests the app held (twice, 1 s apart)", () => {
    expect(users("crash: {deployment: backend, count: 1, crashAfter: 1s, times: 2}")).toEqual({ requests: 1200, codes: { "0": 45, "200": 1155 } });
  });

  it("a blackholed pod answers nothing: its requests never end (no timeout at the client)", () => {
    // Until the node controller marks it (40 s, past the run's end) kube-proxy keeps sending it half.
    expect(users("kill: {deployment: backend, count: 1, network: blackhole}")).toEqual({ requests: 778, codes: { "200": 778 } });
  });
});
