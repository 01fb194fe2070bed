// The CPU model end to end: concurrency from Istio's annotations, the benchmark's figures, measured
// proxy CPU, CFS throttling, and bad input.
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadScenario } from "../../src/scenario/index.js";
import { runScenario } from "../../src/runner/run-scenario.js";
import { scenarioFrom } from "../support/scenario-text.js";
import { meshsim } from "../support/cli.js";
import { writeScenario } from "../support/scenario-text.js";
import { PROXY_PROFILES } from "../../src/proxy/resources/calibration-profile.js";
import { parseOverrides } from "../../src/scenario/overrides.js";

const DIR = path.resolve(import.meta.dirname, "../../scenarios/cpu");

function pair(annotations: string, extra = ""): string {
  return `
apiVersion: meshsim.dev/v1alpha1
kind: Simulation
metadata: {name: cpu-test}
spec:
  seed: 3
  duration: 20s
  warmup: 2s
${extra}
---
apiVersion: v1
kind: Service
metadata: {name: hello}
spec:
  selector: {app: hello}
  ports: [{name: http, port: 8080}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: hello}
spec:
  replicas: 1
  selector: {matchLabels: {app: hello}}
  template:
    metadata:
      labels: {app: hello}
      annotations: {${annotations}}
    spec:
      containers: [{name: hello, image: h, ports: [{containerPort: 8080}]}]
---
apiVersion: meshsim.dev/v1alpha1
kind: Workload
metadata: {name: hello}
spec: {selector: {app: hello}}
---
apiVersion: meshsim.dev/v1alpha1
kind: LoadGenerator
metadata: {name: users}
spec: {from: outside, target: "http://hello:8080/", rate: 500}
`;
}

const proxyOf = (yaml: string) => runScenario(scenarioFrom(yaml)).summary.pods["hello-0"]!.containers!["istio-proxy"]!;

describe("Envoy's concurrency, as Istio sets it", () => {
  it("is 2 by default (the injected 2000m limit)", () => {
    expect(proxyOf(pair("")).concurrency).toBe(2);
  });
  it("follows sidecar.istio.io/proxyCPULimit rounded up, and ProxyConfig.concurrency over it", () => {
    expect(proxyOf(pair(`sidecar.istio.io/proxyCPULimit: 3500m`)).concurrency).toBe(4);
    expect(proxyOf(pair(`sidecar.istio.io/proxyCPULimit: 3500m, proxy.istio.io/config: '{"concurrency": 3}'`)).concurrency).toBe(3);
    expect(proxyOf(pair("", "  mesh: {proxy: {concurrency: 6}}")).concurrency).toBe(6);
  });
  // pilot-agent sizes Envoy from ISTIO_CPU_LIMIT only (istio/istio pilot/cmd/pilot-agent/config/config.go,
  // ConstructProxyConfig), which the injection template takes from the downward API's limits.cpu:
  // with only a request annotated there is no limit, and the downward API then gives the node's
  // allocatable CPU (https://kubernetes.io/docs/concepts/workloads/pods/downward-api/#fallback-information).
  it("with only sidecar.istio.io/proxyCPU (a request, no limit): a worker per allocatable core of the node", () => {
    const node = `---
apiVersion: v1
kind: Node
metadata: {name: big}
status:
  allocatable: {cpu: "7500m", memory: 32Gi, pods: "110"}`;
    expect(proxyOf(pair(`sidecar.istio.io/proxyCPU: 500m`) + node).concurrency).toBe(8);
    // meshsim's implicit node (no Node documents) has no core count: the documented default of 2.
    expect(proxyOf(pair(`sidecar.istio.io/proxyCPU: 500m`)).concurrency).toBe(2);
  });
});

describe("measured proxy CPU", () => {
  // istio-1.24: 0.20 ms per request, of which the on-path half costs 10 % less in plain text (the
  // users come from outside the mesh): 0.19 ms ⇒ 0.095 cores at 500 rps.
  it("one server sidecar at 500 rps of plain text uses 0.095 cores and mesh.proxyCpuSeconds counts it", () => {
    const s = runScenario(scenarioFrom(pair(""))).summary;
    const c = s.pods["hello-0"]!.containers!["istio-proxy"]!;
    expect(c.cpuCores.mean).toBeGreaterThan(0.09);
    expect(c.cpuCores.mean).toBeLessThan(0.1);
    // 20 s × 500 rps × 0.19 ms = 1.9 CPU seconds (± Poisson noise).
    expect(s.mesh.proxyCpuSeconds).toBeGreaterThan(1.8);
    expect(s.mesh.proxyCpuSeconds).toBeLessThan(2.0);
    expect(s.mesh.cost!.proxies).toBe(1);
    // proxyCores is rounded to 3 decimals in the summary, the cost is not.
    expect(Math.abs(s.mesh.cost!.perMonth.cpu - s.mesh.cost!.proxyCores * 0.04048 * 730)).toBeLessThan(0.0005 * 0.04048 * 730 + 0.001);
  });
  it("the istio-1.20 profile costs 2.5 times as much CPU", () => {
    const s = runScenario(scenarioFrom(pair("", "  mesh: {proxy: {profile: istio-1.20}}"))).summary;
    // 0.5 ms, of which 8 % on the path at 0.9 in plain text: 0.496 ms ⇒ 4.96 s.
    expect(s.mesh.proxyCpuSeconds).toBeGreaterThan(4.7);
    expect(s.mesh.proxyCpuSeconds).toBeLessThan(5.2);
    expect(s.mesh.cost!.profile).toBe("istio-1.20");
  });
});

describe("shipped CPU labs", () => {
  it("Istio's benchmark: two sidecars add the published p90/p99 and use 0.2 cores per 1,000 rps each", () => {
    const s = runScenario(loadScenario(path.join(DIR, "istio-benchmark.yaml"))).summary;
    expect(s.expectations.filter((e) => !e.ok)).toEqual([]);
    for (const pod of ["fortioclient-0", "fortioserver-0"]) {
      const c = s.pods[pod]!.containers!["istio-proxy"]!;
      expect(Math.abs(c.cpuCores.mean - 0.2)).toBeLessThan(0.01);
      expect(c.memoryMB).toBeGreaterThan(60);
      expect(c.memoryMB).toBeLessThan(62);
    }
  });
  // The published figures of every profile, in Istio's own set-up (evenly spaced arrivals, as
  // istio/tools runs fortio with -uniform -nocatchup): docs/cpu-and-memory.md "Checked against the
  // source" lists what each gives.
  for (const name of Object.keys(PROXY_PROFILES)) {
    it(`Istio's benchmark with ${name}: the published p90/p99 (±10 %), vCPU (±3 %) and memory (±2 %)`, () => {
      const cal = PROXY_PROFILES[name]!;
      const sc = loadScenario(path.join(DIR, "istio-benchmark.yaml"), { overrides: parseOverrides([`spec.mesh.proxy.profile=${name}`]) });
      const s = runScenario(sc).summary;
      expect(s.mesh.cost!.profile).toBe(name);
      const l = s.clients["fortio"]!.latencyMs;
      expect(Math.abs(l.p90 / cal.published.addedP90Ms - 1)).toBeLessThan(0.1);
      expect(Math.abs(l.p99 / cal.published.addedP99Ms - 1)).toBeLessThan(0.1);
      for (const pod of ["fortioclient-0", "fortioserver-0"]) {
        const c = s.pods[pod]!.containers!["istio-proxy"]!;
        expect(Math.abs(c.cpuCores.mean / cal.published.vcpuPer1000Rps - 1)).toBeLessThan(0.03);
        expect(Math.abs(c.memoryMB! / cal.published.memoryMB - 1)).toBeLessThan(0.02);
      }
    });
  }
  it("CFS throttling: a 1-core limit at 40 % mean use throttles periods and lifts p99; without the limit nothing is throttled", () => {
    const limited = runScenario(loadScenario(path.join(DIR, "cfs-throttling.yaml"))).summary;
    const app = limited.pods["checkout-0"]!.containers!["checkout"]!;
    expect(app.throttledPeriods).toBeGreaterThan(100);
    expect(app.cpuCores.mean).toBeGreaterThan(0.35);
    expect(app.cpuCores.mean).toBeLessThan(0.45);
    expect(app.cpuCores.max).toBeLessThanOrEqual(1.0001);
    const sc = loadScenario(path.join(DIR, "cfs-throttling.yaml"));
    for (const d of sc.deployments) for (const c of d.containers ?? []) c.limits = {};
    const free = runScenario(sc).summary;
    expect(free.pods["checkout-0"]!.containers!["checkout"]!.throttledPeriods).toBe(0);
    expect(free.clients["users"]!.latencyMs.p99).toBeLessThan(55);
    expect(limited.clients["users"]!.latencyMs.p99).toBeGreaterThan(2 * free.clients["users"]!.latencyMs.p99);
  });
});

describe("bad input", () => {
  it("an unknown profile is an error with its place and the known ones", () => {
    const file = writeScenario({ "simulation.yaml": pair("", "  mesh: {proxy: {profile: istio-0.1}}") });
    const r = meshsim("run", file, "--quiet");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/simulation\.yaml:\d+:\d+: error: .*profile.*unknown proxy profile "istio-0\.1" \(known: istio-1\.24, istio-1\.22, istio-1\.20, istio-1\.8\)/);
  });
  it("a malformed proxyCPULimit annotation is an error", () => {
    const file = writeScenario({ "simulation.yaml": pair("sidecar.istio.io/proxyCPULimit: lots") });
    const r = meshsim("run", file, "--quiet");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/error: .*invalid CPU quantity "lots"/);
  });
});
