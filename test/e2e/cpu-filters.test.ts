// Filters' CPU charged at run time: jwt_authn and RBAC on a listener's path when a
// RequestAuthentication / AuthorizationPolicy selects the workload (decided per config the proxy
// holds, not per request), the access log and tracing after each response; and an app container's
// memory as its Workload states it.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runScenario } from "../../src/runner/run-scenario.js";
import { scenarioFrom, writeScenario } from "../support/scenario-text.js";
import { meshsim } from "../support/cli.js";

function hello(opts: { report?: string; policies?: string } = {}): string {
  return `
apiVersion: meshsim.dev/v1alpha1
kind: Simulation
metadata: {name: cpu-filters}
spec:
  seed: 5
  duration: 20s
${opts.report ?? ""}
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
    metadata: {labels: {app: hello}}
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
${opts.policies ?? ""}
`;
}

const ALLOW_ALL = (app: string) => `---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: allow-${app}}
spec:
  selector: {matchLabels: {app: ${app}}}
  action: ALLOW
  rules: [{}]
`;

// Istio's sample jwks.json (scenarios/security/istio-jwt-samples): requests without a token pass.
const JWKS = fs.readFileSync(path.resolve(import.meta.dirname, "../../scenarios/security/istio-jwt-samples/jwks.json"), "utf8").replace(/\s+/g, " ");
const JWT = `---
apiVersion: security.istio.io/v1
kind: RequestAuthentication
metadata: {name: jwt}
spec:
  selector: {matchLabels: {app: hello}}
  jwtRules: [{issuer: "testing@secure.istio.io", jwks: '${JWKS}'}]
`;

function run(opts: Parameters<typeof hello>[0]) {
  const s = runScenario(scenarioFrom(hello(opts))).summary;
  return { cpuMs: s.mesh.proxyCpuSeconds * 1000, requests: s.clients["users"]!.requests, s };
}

describe("filters' CPU at run time (istio-1.24: RBAC 0.005 ms, JWT 0.05 ms, access log 0.02 ms, tracing 0.02 ms per span)", () => {
  const base = run({});

  it("RBAC costs nothing unless an AuthorizationPolicy selects the workload", () => {
    const other = run({ policies: ALLOW_ALL("somebody-else") });
    expect(other.cpuMs).toBe(base.cpuMs);
    const own = run({ policies: ALLOW_ALL("hello") });
    // Same seed, same arrivals: the difference is the filter's CPU on every request's inbound pass.
    expect(own.requests).toBe(base.requests);
    expect(own.s.clients["users"]!.errorRate).toBe(0);
    const perRequest = (own.cpuMs - base.cpuMs) / base.requests;
    expect(perRequest).toBeGreaterThan(0.005 * 0.98);
    expect(perRequest).toBeLessThan(0.005 * 1.02);
  });

  it("jwt_authn and RBAC add up on the inbound path, and raise the worker's queueing", () => {
    const both = run({ policies: ALLOW_ALL("hello") + JWT });
    expect(both.s.clients["users"]!.errorRate).toBe(0);
    const perRequest = (both.cpuMs - base.cpuMs) / base.requests;
    expect(perRequest).toBeGreaterThan(0.055 * 0.98);
    expect(perRequest).toBeLessThan(0.055 * 1.02);
    // At 500 rps the mean wait rounds to 0.000–0.001 ms (summary.json keeps 3 decimals; which one
    // depends on the network's draws), so the longest wait shows the longer passes: same seed, same
    // arrivals, and without the filters' CPU on the worker both runs would wait exactly alike.
    const q = (x: typeof base) => x.s.pods["hello-0"]!.containers!["istio-proxy"]!.workerQueueMs!;
    expect(q(both).max).toBeGreaterThan(q(base).max);
    expect(q(both).mean).toBeGreaterThanOrEqual(q(base).mean);
  });

  it("the access log and sampled traces cost CPU after every response", () => {
    const logged = run({ report: "  report: {accessLog: true}" });
    expect((logged.cpuMs - base.cpuMs) / base.requests).toBeCloseTo(0.02, 3);
    // Tracing's CPU is per span: at 50 % sampling, half of 0.02 ms per request.
    const traced = run({ report: "  report: {traces: {sample: 0.5}}" });
    expect((traced.cpuMs - base.cpuMs) / base.requests).toBeCloseTo(0.01, 3);
  });
});

describe("an app container's memory (Workload `memory`)", () => {
  const withMemory = (memory: string, limit: string) => hello().replace(
    "containers: [{name: hello, image: h, ports: [{containerPort: 8080}]}]",
    `containers: [{name: hello, image: h, ports: [{containerPort: 8080}], resources: {limits: {memory: ${limit}}}}]`,
  ).replace("spec: {selector: {app: hello}}", `spec: {selector: {app: hello}, memory: {workingSet: ${memory}}}`);

  it("is reported in MB and marked over its limit when it exceeds it", () => {
    const over = runScenario(scenarioFrom(withMemory("300Mi", "256Mi"))).summary.pods["hello-0"]!.containers!["hello"]!;
    expect(over.memoryMB).toBe(Math.round((300 * 2 ** 20) / 1e3) / 1e3);
    expect(over.overMemoryLimit).toBe(true);
    const under = runScenario(scenarioFrom(withMemory("200Mi", "256Mi"))).summary.pods["hello-0"]!.containers!["hello"]!;
    expect(under.memoryMB).toBe(Math.round((200 * 2 ** 20) / 1e3) / 1e3);
    expect(under.overMemoryLimit).toBeUndefined();
  });

  it("meshsim run warns about a container over its memory limit", () => {
    const file = writeScenario({ "simulation.yaml": withMemory("300Mi", "256Mi").replace("duration: 20s", "duration: 2s") });
    const r = meshsim("run", file, "--out", path.join(path.dirname(file), "out"));
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning: pod hello-0, container hello: working set 314\.573 MB is over its memory limit/);
  });
});
