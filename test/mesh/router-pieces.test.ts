// Envoy's router as meshsim splits it (mesh/sidecar/): the upstream request (one try) reports each way
// a try can end; the retry state exists only once a first retry is decided (Envoy's router creates
// its RetryStateImpl lazily); the stream info records what the access log and metrics read.
// envoyproxy/envoy source/common/router/router.cc, upstream_request.cc, retry_state_impl.cc
import { describe, expect, it, vi } from "vitest";
import { TRY_DEAD, UpstreamRequest, type UpstreamRequestOwner } from "../../src/mesh/sidecar/upstream-request.js";
import { RetryState } from "../../src/mesh/sidecar/retry-state.js";
import { recordStream, type StreamInfo, type StreamSinks } from "../../src/mesh/sidecar/stream-info.js";
import { Router } from "../../src/mesh/sidecar/router.js";
import { OVERFLOWED, REFUSED } from "../../src/mesh/sidecar/inbound-router.js";
import { InboundLeg } from "../../src/mesh/sidecar/inbound-leg.js";
import { Pod } from "../../src/mesh/kube/pod.js";
import { originOf } from "../../src/mesh/kube/pod-origin.js";
import type { OutgoingRequest } from "../../src/mesh/transport.js";
import type { AttemptOutcome } from "../../src/proxy/route/retry-policy.js";
import { createWorld } from "../../src/runner/run-scenario.js";
import { scenarioFrom } from "../support/scenario-text.js";
import { clientAndBackendYaml, clientSender } from "../support/client-and-backend.js";

const pod = (name: string) => new Pod(name, "default", name, { app: name }, {}, "default", true, "10.0.0.9");

class Owner implements UpstreamRequestOwner {
  done: [AttemptOutcome["kind"], number, string][] = [];
  trips = 0;
  readonly pod = pod("client");
  /** The host of the try (the router's last host). */
  lastHost: Pod | null = null;
  /** The way back: one network trip from the host to this pod, then back() runs (the event's time is SidecarPath's). */
  readonly legs: [object | null, object | null][] = [];
  readonly p = {
    returnTrip: (a: UpstreamRequest, host: Pod, to: Pod): void => {
      this.legs.push([host, to]);
      this.trips++;
      a.back();
    },
  };
  /** Whether each answer carried x-envoy-overloaded (the outcome Router.decide never retries). */
  readonly overloaded: boolean[] = [];
  attemptDone(_a: UpstreamRequest, outcome: AttemptOutcome, status: number, flags: string): void {
    this.done.push([outcome.kind, status, flags]);
    this.overloaded.push(outcome.kind === "response" && outcome.envoyOverloaded === true);
  }
  send(): void {}
  perTryTimeout(): void {}
  poolOverflow(): void {}
}

describe("UpstreamRequest: one try", () => {
  it.each([
    [200, "-", ["response", 200, "-"]],
    [503, "-", ["response", 503, "-"]],
    [0, REFUSED, ["connect-failure", 503, "UF"]],
    [0, "-", ["reset", 503, "UC"]],
  ] as const)("status %s flags %s ends as %j after the trip back", (status, flags, expected) => {
    const o = new Owner();
    const h = pod("h");
    o.lastHost = h;
    const a = new UpstreamRequest(o);
    a.onResponse(status, flags);
    expect(o.trips).toBe(1);
    expect(o.legs).toEqual([[h, o.pod]]); // from the host back to the client's pod
    expect(o.done).toEqual([expected]);
    expect(o.overloaded).toEqual([false]);
  });
  // The server sidecar's own 503 UO (its inbound cluster's circuit breaker) carries x-envoy-overloaded,
  // which the client's router does not retry: envoyproxy/envoy source/common/router/retry_state_impl.cc
  // (RetryStateImpl::wouldRetryFromHeaders returns NoRetry for x-envoy-overloaded); a plain 503 does not.
  it("the server sidecar's 503 UO comes back as an overloaded answer", () => {
    const o = new Owner();
    const a = new UpstreamRequest(o);
    a.onResponse(503, OVERFLOWED, 81);
    expect(o.done).toEqual([["response", 503, "-"]]);
    expect(o.overloaded).toEqual([true]);
  });
  it("a dead try (released: timed out, abandoned) ignores a late answer", () => {
    const o = new Owner();
    const a = new UpstreamRequest(o);
    a.state = TRY_DEAD;
    a.onResponse(200, "-");
    expect(o.trips).toBe(0);
    expect(o.done).toEqual([]);
  });
});

describe("RetryState", () => {
  it("starts from the first try's host (previous_hosts avoids it)", () => {
    const h = pod("a");
    expect(new RetryState(h).tried).toEqual([h]);
    expect(new RetryState(null).tried).toEqual([]);
    expect(new RetryState(h).retries).toBe(0);
  });
});

describe("StreamInfo", () => {
  it("records the edge under the destination service, the external host only for Passthrough/BlackHole", () => {
    const got: unknown[][] = [];
    const sinks = { get: (...args: unknown[]) => ({ record: (...r: unknown[]) => got.push([...args, ...r]) }) } as unknown as StreamSinks["sinks"];
    const client = pod("client");
    const req: OutgoingRequest = { method: "GET", scheme: "http", authority: "api.example.com", path: "/", headers: {}, target: { scheme: "http", host: "api.example.com", port: 80, path: "/", resolved: { kind: "external", host: "api.example.com" } } };
    const s: StreamInfo = {
      origin: originOf(client), pod: client, req, startMs: 100, service: "unknown", mtls: false, extraFlags: "", details: "", connectTimedOut: false, serviceNamespace: "", lastHost: null, lastHostId: -1,
      routeSinks: null, upstreamMs: -1, cluster: null, routeEntry: null, external: false, upReq: req, span: null,
    };
    s.service = "PassthroughCluster";
    recordStream(s, { sinks, log: null, sim: { now: 130 } }, 200, "-");
    expect(got[0]!.slice(0, 6)).toEqual(["source", false, originOf(client), null, "PassthroughCluster", "api.example.com"]);
    expect(got[0]![6]).toBe(""); // no ServiceEntry namespace
    expect(got[0]![7]).toBe(130);
    expect(got[0]![8]).toBe(30);
    s.service = "api.example.com";
    recordStream(s, { sinks, log: null, sim: { now: 140 } }, 504, "UT");
    expect(got[1]![5]).toBe("");
  });
});

const SCENARIO = (errorRate: number): string => clientAndBackendYaml({
  name: "router", spec: "duration: 1s", replicas: 3,
  backend: `serviceTime: {dist: constant, value: 1ms}, errorRate: ${errorRate}`,
  istio: `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: backend}
spec:
  hosts: [backend]
  http: [{route: [{destination: {host: backend}}], retries: {attempts: 2, retryOn: 5xx}}]`,
});

/** Send one request from client through its sidecar's router; the router and its answer. */
function oneRequest(errorRate: number, retries = "{attempts: 2, retryOn: 5xx}", untilMs = 5_000): { router: Router; answer: [number, string] | null } {
  const world = createWorld(scenarioFrom(SCENARIO(errorRate).replace("retries: {attempts: 2, retryOn: 5xx}", `retries: ${retries}`))).world;
  let answer: [number, string] | null = null;
  const router = clientSender(world)((status, flags) => { answer = [status, flags]; });
  world.advance(untilMs);
  return { router, answer };
}

describe("Router: one downstream request across its tries", () => {
  // A try released by its per-try timeout is dead, and its host's answer still comes back later (the
  // server does not know that the client reset the stream): that late answer must not reach the retry
  // running for the same request. It would if a released try's record were reused for the retry, or
  // if the router took its first try's place (docs/performance.md, Goal 3, session 20).
  // envoyproxy/envoy source/common/router/router.cc (Filter::onPerTryTimeout resets the upstream
  // request, whose later callbacks never reach the filter), upstream_request.cc.
  it("the first try's late answer after its per-try timeout does not end the retry", () => {
    const yaml = clientAndBackendYaml({
      name: "late-answer", spec: "duration: 1s", replicas: 2,
      backend: "serviceTime: {dist: constant, value: 100ms}",
      istio: `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: backend}
spec:
  hosts: [backend]
  http: [{route: [{destination: {host: backend}}], retries: {attempts: 1, perTryTimeout: 60ms, retryOn: 5xx}}]`,
    });
    const world = createWorld(scenarioFrom(yaml)).world;
    const answers: [number, string, number][] = [];
    // Every answer the server side sends back (the first try's included).
    const served = vi.spyOn(InboundLeg.prototype, "onResponse");
    try {
      clientSender(world)((status, flags) => { answers.push([status, flags, world.sim.now]); });
      world.advance(110);
      // Past the first try's answer (100 ms of service): it left the server, and the client ignored it.
      expect(served).toHaveBeenCalledTimes(1);
      expect(served.mock.calls[0]![0]).toBe(200);
      world.advance(1_000);
    } finally {
      served.mockRestore();
    }
    // The retry's own per-try timeout ends the request (60 ms after a back-off below 25 ms).
    expect(answers).toHaveLength(1);
    expect(answers[0]![0]).toBe(504);
    expect(answers[0]![1]).toContain("UT");
    expect(answers[0]![2]).toBeGreaterThanOrEqual(120);
    expect(answers[0]![2]).toBeLessThan(150);
  });
  it("a request answered on its first try never makes a retry state", () => {
    const { router, answer } = oneRequest(0);
    expect(answer).toEqual([200, "-"]);
    expect((router as unknown as { retry: RetryState | null }).retry).toBeNull();
  });
  // The router remembers on the route whether retry_on takes the last outcome it judged
  // (ClusterRoute.judged, docs/performance.md Goal 3, session 21): 200s and 500s from the same route,
  // in any order, must each get their own verdict. envoyproxy/envoy
  // source/common/router/retry_state_impl.cc (RetryStateImpl::shouldRetry per response).
  it("a route's 200s are never retried and its 500s always are, whatever the route answered before", () => {
    const world = createWorld(scenarioFrom(SCENARIO(0.5))).world;
    const send = clientSender(world);
    const seen: string[] = [];
    for (let i = 0; i < 40; i++) {
      let answer = "";
      const router = send((status, flags) => { answer = `${status} ${flags}`; });
      world.advance(world.sim.now + 200);
      const rs = (router as unknown as { retry: RetryState | null }).retry;
      // A 500 ends only when both retries were spent (URX); a 200 ends the request at once.
      if (answer === "500 URX") expect(rs!.retries).toBe(2);
      else {
        expect(answer).toBe("200 -");
        expect(rs?.retries ?? 0).toBe((rs?.tried.length ?? 1) - 1);
      }
      seen.push(answer);
    }
    // Both kinds came, interleaved (the route judged each after the other).
    expect(seen).toContain("500 URX");
    expect(seen.filter((a) => a === "200 -").length).toBeGreaterThan(20);
  });
  // A route with no fault, timeout or mirror takes its first try straight from Router.route
  // (CompiledRoute.plainForward); a fault filter that never fires (0 %) takes the long way through
  // afterFault and decoded. Envoy's fault filter with no fault to inject continues the filter chain
  // (envoyproxy/envoy source/extensions/filters/http/fault/fault_filter.cc, decodeHeaders), so both
  // must answer alike: the same statuses and flags at the same times, retries included.
  it("the short cut of a plain route answers as the long way through a fault filter that never fires", () => {
    const run = (fault: string): { answers: string[]; plain: boolean[] } => {
      const yaml = SCENARIO(0.6).replace("retries: {attempts: 2, retryOn: 5xx}", `retries: {attempts: 2, retryOn: 5xx}${fault}`);
      const world = createWorld(scenarioFrom(yaml)).world;
      const send = clientSender(world);
      const answers: string[] = [];
      const plain: boolean[] = [];
      for (let i = 0; i < 30; i++) {
        const router = send((status, flags) => { answers.push(`${status} ${flags} ${world.sim.now}`); });
        plain.push(router.routeEntry!.plainForward);
        world.advance(world.sim.now + 3);
      }
      world.advance(world.sim.now + 1_000);
      return { answers, plain };
    };
    const short = run("");
    const long = run(", fault: {abort: {httpStatus: 418, percentage: {value: 0}}}");
    expect(short.plain.every((p) => p)).toBe(true);
    expect(long.plain.some((p) => p)).toBe(false);
    expect(short.answers).toHaveLength(30);
    // Retried requests among them (a 500 retried twice ends URX), so the retry path is compared too.
    expect(short.answers.some((a) => a.startsWith("500 URX"))).toBe(true);
    expect(long.answers).toEqual(short.answers);
  });
  it("a request retried twice (retryOn 5xx, attempts 2) holds a retry state with three hosts tried", () => {
    const { router, answer } = oneRequest(1);
    expect(answer).toEqual([500, "URX"]);
    const rs = (router as unknown as { retry: RetryState | null }).retry!;
    expect(rs.retries).toBe(2);
    expect(rs.tried).toHaveLength(3);
    // previous_hosts: each retry goes to a host not tried before (three replicas).
    expect(new Set(rs.tried).size).toBe(3);
  });
  // envoyproxy/envoy source/common/router/router.cc (Filter::onUpstreamAbort → cleanup →
  // retry_state_.reset()) and retry_state_impl.cc (~RetryStateImpl → resetRetry: retries().dec()):
  // a route timeout during a back-off destroys the retry state, so the max_retries token is free at
  // once, not when the destroyed back-off timer would have fired.
  it("a route timeout during the back-off answers 504 UT and gives the retry token back at once", () => {
    // A 10 s back-off base: the first retry waits a whole number of ms in [0, 10 s), far past the
    // 50 ms route timeout for this seed (the retry never starts: one host tried).
    const { router, answer } = oneRequest(1, "{attempts: 2, retryOn: 5xx, backoff: 10s}, timeout: 50ms", 200);
    expect(answer).toEqual([504, "UT"]);
    const rs = (router as unknown as { retry: RetryState | null }).retry!;
    expect(rs.retries).toBe(1);
    expect(rs.tried).toHaveLength(1);
    const tokens = router.cluster!.retryTokens as unknown as { active: number };
    expect(tokens.active).toBe(0);
    // No try was waiting when the timeout fired: upstream_rq_timeout counts none (router.cc onResponseTimeout).
    expect(router.cluster!.counters.upstream_rq_timeout).toBe(0);
    expect(router.cluster!.counters.upstream_rq_retry).toBe(1);
  });
});
