// How many connections a client sidecar opens to an HTTP/2 upstream, in a run: one per host while the
// streams fit (maxConcurrentStreams unset: Envoy's 2^31 - 1), another each time the waiting requests
// outnumber the places of the connections being set up, none beyond max_connections (the request
// waits for a stream to end); and MeshConfig's h2UpgradePolicy turning an HTTP/1.1 port's pool into
// an HTTP/2 one.
// envoyproxy/envoy source/common/conn_pool/conn_pool_base.cc (newStreamImpl, attachStreamToClient,
// tryCreateNewConnection, onStreamClosed); source/common/http/http2/conn_pool.cc (calculateInitialStreamsLimit);
// istio/istio pilot/pkg/networking/core/cluster_traffic_policy.go (applyConnectionPool, shouldH2Upgrade).
// Before this revision maxConcurrentStreams only warned and the mesh-wide policy was an unknown key.
import { describe, expect, it } from "vitest";
import { createWorld, runScenario } from "../../src/runner/run-scenario.js";
import type { Router } from "../../src/mesh/sidecar/router.js";
import { scenarioFrom } from "../support/scenario-text.js";
import { clientAndBackendYaml, clientSender } from "../support/client-and-backend.js";
import { poolActs } from "../../src/mesh/sidecar/inbound-cluster.js";
import { poolLimits } from "../../src/proxy/pool-limits.js";

function scenario(mesh: string, port: string, http: string, tcp = ""): string {
  return clientAndBackendYaml({
    name: "h2-connections", spec: `  duration: 2s\n  mesh: {proxy: {concurrency: 1}${mesh}}`, portName: port,
    backend: "serviceTime: {dist: constant, value: 100ms}",
    istio: `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: backend}
spec:
  host: backend
  trafficPolicy: {connectionPool: {http: {${http}}${tcp}}}`,
  });
}

/** Five requests at once from the client's one worker; the answers' times (ms) and the cluster's counters. */
function fiveAtOnce(yaml: string) {
  const world = createWorld(scenarioFrom(yaml)).world;
  const send = clientSender(world);
  const done: [number, number][] = [];
  const routers: Router[] = [];
  for (let i = 0; i < 5; i++) routers.push(send((status) => { done.push([status, world.sim.now]); }));
  world.advance(1_500);
  return { done, k: routers[0]!.cluster!.counters };
}

describe("HTTP/2 upstream connections", () => {
  it("no maxConcurrentStreams: the five requests share one connection", () => {
    const { done, k } = fiveAtOnce(scenario("", "grpc", "http2MaxRequests: 100"));
    expect(done.map((d) => d[0])).toEqual([200, 200, 200, 200, 200]);
    expect(k.upstream_cx_total).toBe(1);
  });

  it("maxConcurrentStreams 2: three connections (2 + 2 + 1 streams), all answered in one round", () => {
    const { done, k } = fiveAtOnce(scenario("", "grpc", "maxConcurrentStreams: 2"));
    expect(done.map((d) => d[0])).toEqual([200, 200, 200, 200, 200]);
    expect(k.upstream_cx_total).toBe(3);
    expect(Math.max(...done.map((d) => d[1])) - Math.min(...done.map((d) => d[1]))).toBeLessThan(50);
  });

  it("maxConcurrentStreams 2 with maxConnections 1: one connection, the rest wait for streams to end (three rounds)", () => {
    const { done, k } = fiveAtOnce(scenario("", "grpc", "maxConcurrentStreams: 2", ", tcp: {maxConnections: 1}"));
    expect(done.map((d) => d[0])).toEqual([200, 200, 200, 200, 200]);
    expect(k.upstream_cx_total).toBe(1);
    expect(k.upstream_cx_overflow).toBeGreaterThan(0);
    const t = done.map((d) => d[1]);
    // Two by two, 100 ms of service each round.
    expect(t[4]! - t[0]!).toBeGreaterThanOrEqual(200);
  });

  it("an HTTP/1.1 port: one connection per request at once; MeshConfig h2UpgradePolicy UPGRADE makes it one", () => {
    expect(fiveAtOnce(scenario("", "http", "http2MaxRequests: 100")).k.upstream_cx_total).toBe(5);
    expect(fiveAtOnce(scenario(", h2UpgradePolicy: UPGRADE", "http", "http2MaxRequests: 100")).k.upstream_cx_total).toBe(1);
  });

  // istiod applies the pool to the inbound cluster, HTTP/2 on an HTTP/2 port (cluster_builder.go
  // buildInboundCluster): its max_concurrent_streams makes the server's sidecar open more connections
  // to the app, so that inbound pool is modelled.
  it("the server side models an inbound pool whose only setting is an HTTP/2 port's maxConcurrentStreams", () => {
    expect(poolActs(poolLimits({ http: { maxConcurrentStreams: 2 } }, true))).toBe(true);
    expect(poolActs(poolLimits({ http: { maxConcurrentStreams: 2 } }, false))).toBe(false);
    expect(poolActs(poolLimits(undefined, true))).toBe(false);
  });

  it("in a run, both sides: four streams at once with maxConcurrentStreams 2 take two connections from the client and two from the server's sidecar to the app", () => {
    const yaml = scenario("", "grpc", "maxConcurrentStreams: 2").replace("value: 100ms", "value: 10ms") + `
---
apiVersion: meshsim.dev/v1alpha1
kind: LoadGenerator
metadata: {name: fortio}
spec: {from: client, target: "http://backend:8080/", connections: 4, requests: 400, qps: 0}
`;
    const out = runScenario(scenarioFrom(yaml), { seed: 1 });
    expect(out.summary.clients["fortio"]!.codes["200"]).toBe(400);
    const cs = out.summary.clusters;
    expect(cs["client"]!["outbound|8080||backend.default.svc.cluster.local"]!.upstream_cx_total).toBe(2);
    expect(cs["backend"]!["inbound|8080||"]!.upstream_cx_total).toBe(2);
  });
});
