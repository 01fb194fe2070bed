// PodResources works out the istio-proxy container's Envoy concurrency and limits once per pair of
// (the Deployment's proxy annotations, the node's cores) and shares them among the pods
// (docs/performance.md, Goal 4, session 20). Each pod must still get its own Deployment's: Istio's
// injector writes sidecar.istio.io/proxyCPULimit as the container's limit, else 2000m
// (manifests/charts/istio-control/istio-discovery/values.yaml global.proxy.resources), and pilot-agent
// takes the concurrency from proxy.istio.io/config, else from that limit rounded up (istio/istio
// pilot/cmd/pilot-agent/config/config.go ConstructProxyConfig, ISTIO_CPU_LIMIT; test/e2e/cpu.test.ts
// checks one pod). Annotated and plain Deployments side by side, in both orders, with replicas.
import { describe, expect, it } from "vitest";
import { runScenario } from "../../src/runner/run-scenario.js";
import { scenarioFrom } from "../support/scenario-text.js";

function deployment(name: string, replicas: number, annotations: string): string {
  return `
---
apiVersion: v1
kind: Service
metadata: {name: ${name}}
spec: {selector: {app: ${name}}, ports: [{name: http, port: 8080}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata:
      labels: {app: ${name}}
      annotations: {${annotations}}
    spec:
      containers: [{name: app, image: h, ports: [{containerPort: 8080}]}]
---
apiVersion: meshsim.dev/v1alpha1
kind: Workload
metadata: {name: ${name}}
spec: {selector: {app: ${name}}}`;
}

const scenario = `
apiVersion: meshsim.dev/v1alpha1
kind: Simulation
metadata: {name: proxy-spec-shared}
spec: {seed: 1, duration: 2s, warmup: 0s}
${deployment("plain-a", 2, "")}
${deployment("four", 2, `sidecar.istio.io/proxyCPULimit: "4"`)}
${deployment("plain-b", 1, "")}
${deployment("three", 1, `sidecar.istio.io/proxyCPULimit: 2500m, proxy.istio.io/config: '{"concurrency": 3}'`)}
---
apiVersion: meshsim.dev/v1alpha1
kind: LoadGenerator
metadata: {name: users}
spec: {from: outside, target: "http://plain-a:8080/", rate: 10}
`;

describe("the istio-proxy container's concurrency and limits, shared among pods", () => {
  it("each pod gets its own Deployment's, whatever the pods made before it", () => {
    const pods = runScenario(scenarioFrom(scenario)).summary.pods;
    const proxy = (pod: string) => pods[pod]!.containers!["istio-proxy"]!;
    for (const p of ["plain-a-0", "plain-a-1", "plain-b-0"]) {
      expect(proxy(p).cpuLimitCores).toBe(2);
      expect(proxy(p).concurrency).toBe(2);
    }
    for (const p of ["four-0", "four-1"]) {
      expect(proxy(p).cpuLimitCores).toBe(4);
      expect(proxy(p).concurrency).toBe(4);
    }
    expect(proxy("three-0").cpuLimitCores).toBe(2.5);
    expect(proxy("three-0").concurrency).toBe(3);
  });
});
