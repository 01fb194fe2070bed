// A route timeout while a try still waits in the connection pool is no outlier-detection event: the
// try has no upstream host yet. Envoy's router reports to upstream_request.upstreamHost() only
// (Filter::updateOutlierDetection), and the host is set when the pool hands over a connection or
// fails the try (UpstreamRequest::onPoolReady / onPoolFailure → onUpstreamHostSelected); it still
// counts the try in upstream_rq_timeout (Filter::onResponseTimeout, every upstream request).
// envoyproxy/envoy source/common/router/router.cc, source/common/router/upstream_request.cc
import { describe, expect, it } from "vitest";
import { createWorld } from "../../src/runner/run-scenario.js";
import { originOf } from "../../src/mesh/kube/pod-origin.js";
import { parseCallUrl } from "../../src/scenario/index.js";
import { targetOf } from "../../src/cli/inspect-commands.js";
import type { Router } from "../../src/mesh/sidecar/router.js";
import { scenarioFrom } from "../support/scenario-text.js";

const SCENARIO = `apiVersion: meshsim.dev/v1alpha1
kind: Simulation
metadata: {name: route-timeout-pending}
spec: {duration: 5s}
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
  replicas: 1
  selector: {matchLabels: {app: backend}}
  template:
    metadata: {labels: {app: backend}}
    spec: {containers: [{name: backend, image: example/backend, ports: [{containerPort: 8080}]}]}
---
apiVersion: meshsim.dev/v1alpha1
kind: Workload
metadata: {name: backend}
spec: {selector: {app: backend}, serviceTime: {dist: constant, value: 1s}}
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
apiVersion: networking.istio.io/v1
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
    outlierDetection: {consecutiveGatewayErrors: 2, consecutive5xxErrors: 0, interval: 10s, baseEjectionTime: 30s, maxEjectionPercent: 100}
`;

describe("route timeout of a try pending in the pool", () => {
  it("counts in upstream_rq_timeout but is not a gateway error of the host", () => {
    const world = createWorld(scenarioFrom(SCENARIO)).world;
    const client = [...world.pods.values()].find((p) => p.workload === "client")!;
    const target = targetOf(world, client, parseCallUrl("http://backend:8080/"));
    const answers: [number, string][] = [];
    const routers: Router[] = [];
    // Two requests on one downstream connection (one worker, one pool) to the one pod: the first
    // opens the connection maxConnections 1 allows, the second waits in the pool for it.
    for (let i = 0; i < 2; i++) {
      routers.push(world.sidecars.send(originOf(client), { method: "GET", scheme: "http", authority: "backend:8080", path: "/", headers: {}, target },
        { onResponse: (status, flags) => { answers.push([status, flags]); } }, 0) as Router);
    }
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
