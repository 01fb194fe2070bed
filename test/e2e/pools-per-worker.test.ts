// Envoy keeps one connection pool per worker thread per cluster (connection pooling, "Number of
// connection pools"): an HTTP/2 cluster, which needs one connection per pool, opens one upstream
// connection per worker that carries requests — 1, 2 or 4 with concurrency 1, 2 or 4.
import { describe, expect, it } from "vitest";
import { runScenario } from "../../src/runner/run-scenario.js";
import { scenarioFrom } from "../support/scenario-text.js";

function grpcPair(concurrency: number, dr = ""): string {
  return `
apiVersion: meshsim.dev/v1alpha1
kind: Simulation
metadata: {name: pools-per-worker}
spec: {seed: 2, duration: 5s}
---
apiVersion: v1
kind: Service
metadata: {name: hello}
spec:
  selector: {app: hello}
  ports: [{name: grpc, port: 8080}]
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
apiVersion: apps/v1
kind: Deployment
metadata: {name: client}
spec:
  replicas: 1
  selector: {matchLabels: {app: client}}
  template:
    metadata:
      labels: {app: client}
      annotations: {proxy.istio.io/config: '{"concurrency": ${concurrency}}'}
    spec:
      containers: [{name: client, image: c}]
---
apiVersion: meshsim.dev/v1alpha1
kind: Workload
metadata: {name: hello}
spec: {selector: {app: hello}, script: [{compute: 1ms}]}
---
apiVersion: meshsim.dev/v1alpha1
kind: LoadGenerator
metadata: {name: users}
spec: {from: client, target: "http://hello:8080/", connections: 16, qps: 400}
${dr}`;
}

const CLUSTER = "outbound|8080||hello.default.svc.cluster.local";

function counters(concurrency: number, dr = "") {
  const s = runScenario(scenarioFrom(grpcPair(concurrency, dr))).summary;
  expect(s.pods["client-0"]!.containers!["istio-proxy"]!.concurrency).toBe(concurrency);
  return { c: s.clusters["client"]![CLUSTER]!, s };
}

describe("connection pools: one per Envoy worker", () => {
  it("an HTTP/2 cluster opens one connection per worker in use", () => {
    expect(counters(1).c["upstream_cx_total"]).toBe(1);
    expect(counters(2).c["upstream_cx_total"]).toBe(2);
    expect(counters(4).c["upstream_cx_total"]).toBe(4);
  });
  it("maxConnections is cluster-wide: each worker's pool opens its first connection anyway and counts the overflow", () => {
    // Envoy's ConnPoolImplBase creates a connection for a pool that has none even when the
    // cluster's connection circuit breaker is full, counting the overflow
    // (source/common/conn_pool/conn_pool_base.cc): 4 workers' pools hold 4 connections under
    // maxConnections: 1, and the 3 beyond the cluster-wide limit count as upstream_cx_overflow.
    const dr = `---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: hello}
spec:
  host: hello
  trafficPolicy: {connectionPool: {tcp: {maxConnections: 1}}}
`;
    const { c, s } = counters(4, dr);
    expect(c["upstream_cx_total"]).toBe(4);
    expect(c["upstream_cx_overflow"]).toBe(3);
    expect(s.clients["users"]!.errorRate).toBe(0);
  });
});
