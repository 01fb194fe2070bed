// metadata.generation and the observedGeneration istiod writes in every condition of a Gateway, its
// listeners and a route's parents (conformance httproute-observed-generation-bump and
// gateway-observed-generation-bump in kubernetes-sigs/gateway-api conformance/tests: after a spec
// change, the conditions carry the new generation; istio/istio gatewaycommon/conversion.go
// SetListenerConditions, conditions.go). The API server sets generation 1 on create and bumps it at a
// spec change only (not at a label or annotation change).
import { describe, expect, it } from "vitest";
import { loadScenario } from "../../src/scenario/index.js";
import { runScenario } from "../../src/runner/run-scenario.js";
import { writeScenario } from "../support/scenario-text.js";

const gateway = (port: number, labels = "{}") => `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, generation: 7, labels: ${labels}}
spec:
  gatewayClassName: istio
  listeners: [{name: http, port: ${port}, protocol: HTTP}]`;

const route = (path: string, labels = "{}") => `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web, labels: ${labels}}
spec:
  parentRefs: [{name: gw}]
  rules: [{matches: [{path: {type: PathPrefix, value: ${path}}}], backendRefs: [{name: web, port: 8080}]}]`;

function summary(timeline: string) {
  const file = writeScenario({ "sim.yaml": `apiVersion: meshsim.dev/v1alpha1
kind: Simulation
metadata: {name: gen}
spec:
  duration: 3s
  timeline:
${timeline}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {selector: {app: web}, ports: [{name: http, port: 8080}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: s, image: s, ports: [{containerPort: 8080}]}]}
---
${gateway(80)}
---
${route("/")}
---
apiVersion: meshsim.dev/v1alpha1
kind: LoadGenerator
metadata: {name: c}
spec: {from: gw, target: "http://web.example/", rate: 10}
` });
  return runScenario(loadScenario(file)).summary;
}

const indent = (doc: string) => doc.split("\n").map((l, i) => (i === 0 ? l : `        ${l}`)).join("\n");
const generations = (s: ReturnType<typeof summary>) => ({
  route: [...new Set(s.routes!.flatMap((r) => r.parents.flatMap((p) => p.conditions.map((c) => c.observedGeneration))))],
  gateway: [...new Set([...s.gateways![0]!.conditions, ...s.gateways![0]!.listeners.flatMap((l) => l.conditions)].map((c) => c.observedGeneration))],
});

describe("observedGeneration", () => {
  it("is 1 for resources as created (a generation in the YAML is the API server's to set)", () => {
    expect(generations(summary("  - {at: 1s, apply: {apiVersion: v1, kind: Namespace, metadata: {name: other}}}"))).toEqual({ route: [1], gateway: [1] });
  });

  it("follows each spec change an apply makes (httproute- and gateway-observed-generation-bump)", () => {
    const s = summary(`  - at: 1s
    apply:
      - ${indent(route("/v2"))}
      - ${indent(gateway(8080))}
  - at: 2s
    apply:
      - ${indent(route("/v3"))}`);
    expect(generations(s)).toEqual({ route: [3], gateway: [2] });
  });

  it("does not move when an apply changes only labels, or nothing", () => {
    const s = summary(`  - at: 1s
    apply:
      - ${indent(route("/", "{team: a}"))}
      - ${indent(gateway(80, "{team: a}"))}`);
    expect(generations(s)).toEqual({ route: [1], gateway: [1] });
  });
});
