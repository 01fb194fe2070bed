// The max_requests circuit breaker (DestinationRule http.http2MaxRequests) as Envoy checks it: only when
// a request is attached to a connection. A request that finds no free connection waits (the pending
// breaker alone can refuse it); when a connection comes up and max_requests is full, the pool pops it
// and fails it with Overflow: the router answers 503 UO, counted in upstream_rq_pending_overflow.
// envoyproxy/envoy source/common/conn_pool/conn_pool_base.cc (ConnPoolImplBase::newStreamImpl,
// onUpstreamReady, attachStreamToClient); source/common/router/upstream_request.cc (onPoolFailure)
import { describe, expect, it } from "vitest";
import { createWorld } from "../../src/runner/run-scenario.js";
import type { Router } from "../../src/mesh/sidecar/router.js";
import { scenarioFrom } from "../support/scenario-text.js";
import { clientAndBackendYaml, clientSender } from "../support/client-and-backend.js";

const SCENARIO = clientAndBackendYaml({
  name: "max-requests", spec: "duration: 1s", backend: "serviceTime: {dist: constant, value: 100ms}",
  istio: `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: backend}
spec:
  host: backend
  trafficPolicy: {connectionPool: {http: {http2MaxRequests: 1}}}`,
});

describe("max_requests is checked when a request is attached to a connection", () => {
  it("two requests at once, no connection yet: both wait, the first connection up runs one, the other is refused 503 UO", () => {
    const world = createWorld(scenarioFrom(SCENARIO)).world;
    const send = clientSender(world);
    const answers: [number, string][] = [];
    const routers: Router[] = [];
    for (let i = 0; i < 2; i++) routers.push(send((status, flags) => { answers.push([status, flags]); }));
    world.advance(50);
    // Both went pending (no free connection) and each opened a connection; when the second came up
    // the first request was active: refused at once, long before the first's 100 ms answer.
    expect(answers).toEqual([[503, "UO"]]);
    const k = routers[0]!.cluster!.counters;
    expect(k.upstream_cx_total).toBe(2);
    expect(k.upstream_rq_pending_total).toBe(2);
    expect(k.upstream_rq_pending_overflow).toBe(1);
    expect(k.upstream_rq_pending_active).toBe(0);
    world.advance(1_000);
    expect(answers).toEqual([[503, "UO"], [200, "-"]]);
    expect(k.upstream_rq_active).toBe(0);
  });

  // Refused by max_requests the request has an upstream host: attachStreamToClient fails it with
  // the connection's client.real_host_description_, and UpstreamRequest::onPoolFailure hands it to
  // onUpstreamHostSelected; Istio's stats filter then names the destination from that host's
  // endpoint metadata (istio/proxy istio_stats.cc populatePeerInfo, extractEndpointMetadata) and the
  // access log's %UPSTREAM_HOST% is set. Refused by max_pending_requests it has none (newStreamImpl:
  // onPoolFailure(nullptr, ...)). lastHost is what the metrics, access log and span read.
  // envoyproxy/envoy source/common/conn_pool/conn_pool_base.cc, source/common/router/upstream_request.cc
  const sender = (world: ReturnType<typeof createWorld>["world"], answers: [string, number, string][]) => {
    const send = clientSender(world);
    return (tag: string): Router => send((status, flags) => { answers.push([tag, status, flags]); });
  };

  it("a request refused after waiting, when a connection comes free, keeps the host it was to be attached to", () => {
    const world = createWorld(scenarioFrom(SCENARIO)).world;
    const answers: [string, number, string][] = [];
    const send = sender(world, answers);
    const routers = { a: send("a"), b: send("b") };
    world.advance(50);
    expect(answers.length).toBe(1);
    const [tag, status, flags] = answers[0]!;
    expect([status, flags]).toEqual([503, "UO"]);
    expect(routers[tag as "a" | "b"].lastHost?.workload).toBe("backend");
  });

  it("refused on arrival: by max_requests with a free connection at hand it has the host", () => {
    const world = createWorld(scenarioFrom(SCENARIO.replace("duration: 1s", "duration: 10s"))).world;
    const answers: [string, number, string][] = [];
    const send = sender(world, answers);
    // Two at once open two connections (one request refused when the second comes up); once the
    // other is answered both connections are free.
    send("a");
    send("b");
    world.advance(500);
    expect(answers.map((x) => x[1]).sort()).toEqual([200, 503]);
    // Two more: the first into the pool takes a free connection and max_requests (1) is full; the
    // other finds the second connection free and is refused at attach.
    const more = { c: send("c"), d: send("d") };
    world.advance(510); // advance() runs to a time (ms), not for a while
    expect(answers.length).toBe(3);
    const [tag, status, flags] = answers[2]!;
    expect([status, flags]).toEqual([503, "UO"]);
    expect(more[tag as "c" | "d"].lastHost?.workload).toBe("backend");
    expect(more.c.cluster!.counters.upstream_cx_total).toBe(2);
  });

  it("refused on arrival by max_pending_requests it has no host", () => {
    const world = createWorld(scenarioFrom(SCENARIO.replace("{http2MaxRequests: 1}", "{http2MaxRequests: 1, http1MaxPendingRequests: 1}"))).world;
    const answers: [string, number, string][] = [];
    const send = sender(world, answers);
    // Two at once: the first into the pool waits for its connection, the other finds the pending
    // limit full.
    const routers = { a: send("a"), b: send("b") };
    world.advance(10);
    expect(answers.length).toBe(1);
    const [tag, status, flags] = answers[0]!;
    expect([status, flags]).toEqual([503, "UO"]);
    expect(routers[tag as "a" | "b"].lastHost).toBeNull();
  });
});
