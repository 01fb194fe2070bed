// A terminating pod's istio-proxy drains and then exits before the app does, as pilot-agent runs it:
// on SIGTERM it calls Envoy's drain_listeners?inboundonly&graceful (Envoy started with
// --drain-strategy immediate: every inbound response from then on carries `Connection: close`), and
// it stops Envoy terminationDrainDuration (default 5 s) later, after which nothing listens on the
// pod's redirect ports. istio/istio pkg/envoy/agent.go (Agent.terminate), pkg/envoy/admin.go
// (DrainListeners), pkg/envoy/proxy.go (args), pkg/config/mesh/mesh.go (TerminationDrainDuration 5 s).
// A native sidecar (sidecar.istio.io/nativeSidecar) is drained by its preStop hook but gets SIGTERM
// only once the app containers have exited (manifests/.../injection-template.yaml, preStop
// `pilot-agent request POST drain`; agent.go Run, exit path 4).
import { describe, expect, it } from "vitest";
import { runScenario } from "../../src/runner/run-scenario.js";
import type { Summary } from "../../src/report/summary-types.js";
import { scenarioFrom } from "../support/scenario-text.js";

/** backend (2 replicas, `annotations` on its pods) answers in `serviceTime`; scaled to 1 at 10 s. */
function yaml(o: { serviceTime: string; rate: number; duration: string; annotations?: string; outageAt?: string }): string {
  return `apiVersion: meshsim.dev/v1alpha1
kind: Simulation
metadata: {name: drain}
spec:
  duration: ${o.duration}
  seed: 1
  timeline:
${o.outageAt !== undefined ? `  - at: ${o.outageAt}\n    controlPlane: down\n` : ""}  - at: 10s
    scale: {deployment: backend, replicas: 1}
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
    metadata:
      labels: {app: backend}${o.annotations !== undefined ? `\n      annotations: ${o.annotations}` : ""}
    spec: {containers: [{name: backend, image: example/backend, ports: [{containerPort: 8080}]}]}
---
apiVersion: meshsim.dev/v1alpha1
kind: Workload
metadata: {name: backend}
spec:
  selector: {app: backend}
  serviceTime: ${o.serviceTime}
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
spec: {from: client, target: http://backend:8080/, rate: ${o.rate}, arrival: constant}
`;
}

const run = (o: Parameters<typeof yaml>[0]): Summary => runScenario(scenarioFrom(yaml(o))).summary;
const counters = (s: Summary): Record<string, number> => Object.values(s.clusters["client"]!)[0]!;
const exits = (s: Summary) => s.events.filter((e) => e.kind === "proxyExited").map((e) => [e.detail["pod"], e.t]);

describe("a terminating pod's sidecar", () => {
  it("exits terminationDrainDuration (5 s) after SIGTERM: requests still inside the pod are reset (503 UC)", () => {
    // 8 s requests, 4 a second: those the leaving pod took between 7 s and 10 s are still running at 15 s.
    const s = run({ serviceTime: "{dist: constant, value: 8s}", rate: 4, duration: "30s" });
    expect(exits(s)).toEqual([["backend-1", 15]]);
    const users = s.clients["users"]!;
    // About half of the 12 requests sent between 7 and 10 s went to backend-1.
    expect(users.flags["UC"]).toBeGreaterThanOrEqual(3);
    expect(users.flags["UC"]).toBeLessThanOrEqual(9);
    expect(users.codes["503"]).toBe(users.flags["UC"]);
    // Only those: the ones it took before 7 s were answered by 15 s.
    for (const p of s.timeSeries.clients["users"]!) if (p.t < 14 || p.t >= 16) expect(p.errors).toBe(0);
  });

  it("keeps answering until the grace period ends when terminationDrainDuration is longer, or as a native sidecar", () => {
    for (const annotations of [
      `{proxy.istio.io/config: "terminationDrainDuration: 40s"}`,
      `{sidecar.istio.io/nativeSidecar: "true"}`,
    ]) {
      const s = run({ serviceTime: "{dist: constant, value: 8s}", rate: 4, duration: "30s", annotations });
      expect(exits(s)).toEqual([]);
      expect(s.clients["users"]!.errorRate).toBe(0);
    }
  });

  it("answers with Connection: close while it drains: callers that still pick it open a connection per request", () => {
    // istiod is down from 5 s, so the client's sidecar keeps sending half its requests to backend-1.
    const s = run({ serviceTime: "{dist: constant, value: 1ms}", rate: 100, duration: "14s", outageAt: "5s" });
    // 10–14 s: ~200 requests reach backend-1, each on a new connection, closed after its response.
    // Without the drain the client's four keep-alive connections carried the whole run.
    const c = counters(s);
    expect(s.clients["users"]!.errorRate).toBe(0);
    expect(c["upstream_cx_total"]).toBeGreaterThan(150);
    expect(c["upstream_cx_destroy"]).toBeGreaterThan(150);
    expect(c["upstream_cx_connect_fail"]).toBe(0);
  });

  it("refuses connections once Envoy has exited: the caller's sidecar retries them elsewhere (connect-failure)", () => {
    const s = run({ serviceTime: "{dist: constant, value: 1ms}", rate: 100, duration: "20s", outageAt: "5s" });
    const c = counters(s);
    // From 15 s every request that picks backend-1 fails to connect and is retried on backend-0.
    expect(c["upstream_cx_connect_fail"]).toBeGreaterThan(100);
    // (a failure in the run's last moment has no time left for its retry)
    expect(c["upstream_rq_retry"]).toBeGreaterThanOrEqual(c["upstream_cx_connect_fail"]! - 2);
    // Nearly none reaches the users: the retry avoids the host it tried (previous_hosts, up to 5
    // re-picks), so both tries fail (UF,URX) only when every pick lands on backend-1 again; and a
    // request inside the pod at 15 s is reset (UC).
    const users = s.clients["users"]!;
    expect(users.codes["503"] ?? 0).toBeLessThanOrEqual(3);
    expect(c["upstream_cx_connect_fail"]! - (users.codes["503"] ?? 0)).toBeGreaterThan(100);
  });
});
