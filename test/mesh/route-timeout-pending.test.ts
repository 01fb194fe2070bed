// A route timeout while a try still waits in the connection pool is no outlier-detection event: the
// try has no upstream host yet. Envoy's router reports to upstream_request.upstreamHost() only
// (Filter::updateOutlierDetection), and the host is set when the pool hands over a connection or
// fails the try (UpstreamRequest::onPoolReady / onPoolFailure → onUpstreamHostSelected); it still
// counts the try in upstream_rq_timeout (Filter::onResponseTimeout, every upstream request).
// envoyproxy/envoy source/common/router/router.cc, source/common/router/upstream_request.cc
import { describe, expect, it } from "vitest";
import { createWorld } from "../../src/runner/run-scenario.js";
import type { Router } from "../../src/mesh/sidecar/router.js";
import { scenarioFrom } from "../support/scenario-text.js";
import { clientAndBackendYaml, clientSender } from "../support/client-and-backend.js";

const SCENARIO = clientAndBackendYaml({
  name: "route-timeout-pending", spec: "duration: 5s", backend: "serviceTime: {dist: constant, value: 1s}",
  istio: `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: backend}
spec:
  hosts: [backend]
  http: [{route: [{destination: {host: backend}}], timeout: 100ms}]
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: backend}
spec:
  host: backend
  trafficPolicy:
    connectionPool: {tcp: {maxConnections: 1}}
    outlierDetection: {consecutiveGatewayErrors: 2, consecutive5xxErrors: 0, interval: 10s, baseEjectionTime: 30s, maxEjectionPercent: 100}`,
});

describe("route timeout of a try pending in the pool", () => {
  it("counts in upstream_rq_timeout but is not a gateway error of the host", () => {
    const world = createWorld(scenarioFrom(SCENARIO)).world;
    const send = clientSender(world);
    const answers: [number, string][] = [];
    const routers: Router[] = [];
    // Two requests on one downstream connection (one worker, one pool) to the one pod: the first
    // opens the connection maxConnections 1 allows, the second waits in the pool for it.
    for (let i = 0; i < 2; i++) routers.push(send((status, flags) => { answers.push([status, flags]); }, 0));
    world.advance(500);
    expect(answers).toEqual([[504, "UT"], [504, "UT"]]);
    const c = routers[0]!.cluster!;
    expect(c.counters.upstream_rq_timeout).toBe(2);
    // The second never had a connection: attached once (the first), pending twice.
    expect(c.counters.upstream_rq_total).toBe(1);
    expect(c.counters.upstream_rq_pending_total).toBe(2);
    // The pod saw one timeout awaiting headers (one gateway error), not two: no ejection.
    expect(c.outlier!.stats.ejections_enforced_total).toBe(0);
  });
});
