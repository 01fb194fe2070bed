import { PROXY_PROFILES } from "../../src/proxy/resources/calibration-profile.js";
import { describe, expect, it } from "vitest";
import { DEFAULTS } from "../../src/scenario/index.js";
import { SIM, load } from "./scenario-files.js";

const doc = (text: string) => `${SIM}---\n${text}`;

describe("defaults of each kind", () => {
  it("Simulation: every default from defaults.ts", () => {
    const s = load({ "main.yaml": SIM }).simulation;
    expect(s).toMatchObject({ seed: 1, durationMs: 60_000, warmupMs: 0, timeline: [], expect: [] });
    expect(s.mesh).toEqual({
      mode: "sidecar", outboundTrafficPolicy: "ALLOW_ANY",
      // The proxy's cost comes from the istio-1.24 calibration profile (proxy/resources/calibration-profile.ts).
      proxy: {
        latency: PROXY_PROFILES["istio-1.24"]!.latency, cpuPerRequestMs: 0.2, memoryBytes: 60e6, startupTime: { dist: "constant", value: 1000 },
        calibration: PROXY_PROFILES["istio-1.24"],
      },
      // AWS Fargate, Linux/x86, us-east-1 (telemetry/resource-cost.ts).
      cost: { perVcpuHour: 0.04048, perGbHour: 0.004445, currency: "USD" },
      controlPlane: { debounceAfterMs: 100, debounceMaxMs: 10_000, pushThrottle: 100, maxRequestsPerSecond: 25, pushTime: { dist: "exponential", mean: 5 }, pushTimePerResourceMs: 0.02 },
      certificates: { workloadTTLMs: 86_400_000 },
      // enableNamespacesByDefault unset: meshsim decides from the Namespace documents (docs/injection.md).
      injection: {},
    });
    expect(s.network).toEqual({ latency: { dist: "lognormal", median: 0.085, p99: 0.3 }, external: { latency: { dist: "exponential", mean: 20 } } });
    expect(s.report).toEqual({ windowMs: null, accessLog: false, traces: { enabled: false, sample: 0.01 } });
    expect(s.metadata).toEqual({ name: "t", namespace: "default", labels: {}, annotations: {}, creationIndex: 0 });
  });

  it("Simulation: MeshConfig's outboundTrafficPolicy {mode} form is accepted", () => {
    const s = load({ "main.yaml": `${SIM}spec:\n  mesh: {outboundTrafficPolicy: {mode: REGISTRY_ONLY}}\n` });
    expect(s.simulation.mesh.outboundTrafficPolicy).toBe("REGISTRY_ONLY");
  });

  it("Service: targetPort = port, protocol TCP, selector {}", () => {
    const s = load({ "main.yaml": doc("apiVersion: v1\nkind: Service\nmetadata: {name: a, namespace: x}\nspec:\n  ports: [{port: 80, appProtocol: http}]\n") });
    expect(s.services[0]).toMatchObject({ metadata: { name: "a", namespace: "x" }, selector: {}, ports: [{ port: 80, targetPort: 80, protocol: "TCP", appProtocol: "http" }] });
  });

  it("Deployment: 1 replica, default service account, 30 s grace, no labels", () => {
    const s = load({ "main.yaml": doc("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  template:\n    spec:\n      containers: [{name: c, image: x}]\n") });
    expect(s.deployments[0]).toMatchObject({
      replicas: 1, serviceAccountName: "default", terminationGracePeriodMs: 30_000, podLabels: {}, podAnnotations: {}, containerPorts: [],
      terminationDrainMs: 5000, nativeSidecar: false,
    });
  });

  it("Namespace is cluster-scoped; ServiceAccount defaults to namespace default", () => {
    const s = load({ "main.yaml": doc("apiVersion: v1\nkind: Namespace\nmetadata: {name: shop, labels: {istio-injection: enabled}}\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: sa}\n") });
    expect(s.namespaces[0]!.metadata).toMatchObject({ name: "shop", namespace: "", labels: { "istio-injection": "enabled" } });
    expect(s.serviceAccounts[0]!.metadata.namespace).toBe("default");
  });

  it("Workload: unbounded concurrency and queue, blocking, no errors, empty script", () => {
    const s = load({
      "main.yaml": doc("apiVersion: meshsim.dev/v1alpha1\nkind: Workload\nmetadata: {name: w}\nspec:\n  selector: {app: a}\n"),
    });
    expect(s.workloads[0]!.behaviour).toEqual({ concurrency: Infinity, queueLimit: Infinity, threading: "blocking", errorRate: 0, script: [] });
    expect(s.workloads[0]!.versions).toEqual({});
  });

  it("Workload: serviceTime is a one-step compute script; a call gets GET, no retries, fail, no forwarded headers", () => {
    const s = load({
      "main.yaml": doc(`apiVersion: meshsim.dev/v1alpha1
kind: Workload
metadata: {name: w}
spec:
  selector: {app: a}
  versions:
    v1: {serviceTime: 5ms}
    v2: {script: [{call: httpbin.org}]}
`),
    });
    const w = s.workloads[0]!;
    expect(w.versions["v1"]).toEqual({ script: [{ kind: "compute", time: { dist: "constant", value: 5 } }] });
    expect(w.versions["v2"]!.script).toEqual([{
      kind: "call",
      call: {
        to: { scheme: "http", host: "httpbin.org", port: 80, path: "/", resolved: { kind: "external", host: "httpbin.org" } },
        method: "GET", retries: 0, onError: "fail", forwardHeaders: [],
      },
    }]);
  });

  it("LoadGenerator: from outside, the generator's namespace, GET, poisson, start 0, no headers", () => {
    const s = load({
      "main.yaml": doc("apiVersion: meshsim.dev/v1alpha1\nkind: LoadGenerator\nmetadata: {name: g, namespace: shop}\nspec:\n  target: https://api.example.com/v1\n  rate: 10\n"),
    });
    expect(s.loadGenerators[0]).toMatchObject({
      from: { kind: "outside" }, namespace: "shop", method: "GET", open: { rate: 10, arrival: "poisson" }, startMs: 0, headers: [],
      target: { scheme: "https", host: "api.example.com", port: 443, path: "/v1", resolved: { kind: "external" } },
    });
    expect(s.loadGenerators[0]!.stopMs).toBeUndefined();
  });

  it("LoadGenerator: closed loop qps 0, timeout 3 s (fortio's -qps 0 here, its -timeout default)", () => {
    const s = load({
      "main.yaml": doc("apiVersion: meshsim.dev/v1alpha1\nkind: LoadGenerator\nmetadata: {name: g}\nspec:\n  target: example.com\n  connections: 2\n  requests: 20\n"),
    });
    expect(s.loadGenerators[0]!.closed).toEqual({ connections: 2, requests: 20, qps: 0, timeoutMs: 3000 });
    expect(s.loadGenerators[0]!.open).toBeUndefined();
  });

  it("Istio: retries.attempts absent is 0; AuthorizationPolicy action ALLOW; PeerAuthentication mode UNSET", () => {
    const s = load({
      "main.yaml": doc(`apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: v}
spec:
  hosts: [example.com]
  http: [{route: [{destination: {host: example.com}}], retries: {perTryTimeout: 1s}}]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: p}
spec: {}
---
apiVersion: security.istio.io/v1beta1
kind: PeerAuthentication
metadata: {name: pa}
spec: {mtls: {}}
`),
    });
    expect(s.virtualServices[0]!.spec.http![0]!.retries).toEqual({ attempts: 0, perTryTimeoutMs: 1000 });
    expect(s.authorizationPolicies[0]!.spec).toEqual({ action: "ALLOW" });
    expect(s.peerAuthentications[0]!.spec).toEqual({ mtls: { mode: "UNSET" } });
  });

  it("the defaults table holds the documented values", () => {
    expect(DEFAULTS.call.externalPort).toEqual({ http: 80, https: 443 });
    expect(DEFAULTS.timeline.killCount).toBe(1);
  });
});
