import { describe, expect, it } from "vitest";
import type { HTTPRoute, VirtualService } from "../../../src/proxy/api/networking.js";
import { compileRoutes, type CompiledRoute } from "../../../src/proxy/route/compile-routes.js";
import { defaultServiceRoutes, unknownHostRoutes } from "../../../src/proxy/route/default-routes.js";
import { compileFault, decideFault, NO_FAULT } from "../../../src/proxy/route/fault-injection.js";
import { forwardedRequest, responseHeadersFor } from "../../../src/proxy/route/forwarded-request.js";
import { applyHeaderOps, compileHeaderOps } from "../../../src/proxy/route/header-operations.js";
import { mirrorAuthority, mirrorSelected } from "../../../src/proxy/route/mirror.js";
import { redirectLocation } from "../../../src/proxy/route/redirect.js";
import { RouteCompileError } from "../../../src/proxy/route/re2.js";
import { effectiveDestinations, pickDestination } from "../../../src/proxy/route/weighted-destination.js";
import { ResponseFlagBit } from "../../../src/proxy/response-flags.js";
import { makeRequest } from "../../properties/arbitraries/routing.js";

const source = { namespace: "default", labels: {} };
function one(rule: HTTPRoute, port = 80): CompiledRoute {
  const vs: VirtualService = {
    kind: "VirtualService", apiVersion: "v1",
    metadata: { name: "v", namespace: "default", labels: {}, annotations: {}, creationIndex: 0 },
    spec: { hosts: ["reviews"], http: [rule] },
  };
  return compileRoutes(vs, source, port)[0] as CompiledRoute;
}
const d = (subset: string, weight?: number) => ({ destination: { host: "reviews", subset }, ...(weight === undefined ? {} : { weight }) });

describe("weighted destinations", () => {
  it("a lone destination gets 100 % whatever its weight", () => {
    expect(effectiveDestinations([d("v1", 0)]).map((x) => x.weight)).toEqual([100]);
    const r = one({ route: [d("v1", 5)] });
    expect(pickDestination(r, 0.99)?.subset).toBe("v1");
  });
  it("drops weight-0 and weightless entries when there are others; sum need not be 100", () => {
    const r = one({ route: [d("v1", 0), d("v2", 1), d("v3", 3), d("v4")] });
    expect(r.destinations.map((x) => x.subset)).toEqual(["v2", "v3"]);
    expect(pickDestination(r, 0)?.subset).toBe("v2");
    expect(pickDestination(r, 0.2499)?.subset).toBe("v2");
    expect(pickDestination(r, 0.25)?.subset).toBe("v3");
    expect(pickDestination(r, 0.9999)?.subset).toBe("v3");
  });
  it("no usable destination ⇒ undefined", () => {
    expect(pickDestination(one({ route: [d("v1", 0), d("v2", 0)] }), 0.5)).toBeUndefined();
  });
});

describe("fault injection", () => {
  it("percentage absent ⇒ 0 %", () => {
    expect(decideFault({ abort: { httpStatus: 503 } }, 0, 0)).toBe(NO_FAULT);
    expect(decideFault({ delay: { fixedDelayMs: 100 } }, 0, 0)).toBe(NO_FAULT);
  });
  it("deprecated percent counts only without percentage", () => {
    expect(decideFault({ delay: { fixedDelayMs: 100, percent: 50 } }, 0.49, 0).delayed).toBe(true);
    expect(decideFault({ delay: { fixedDelayMs: 100, percent: 50 } }, 0.5, 0).delayed).toBe(false);
    expect(decideFault({ delay: { fixedDelayMs: 100, percent: 100, percentage: { value: 0 } } }, 0, 0).delayed).toBe(false);
  });
  it("independent draws; delay then abort; DI/FI flags", () => {
    const f = compileFault({ delay: { fixedDelayMs: 7000, percentage: { value: 100 } }, abort: { httpStatus: 500, percentage: { value: 10 } } });
    const both = decideFault(f, 0.5, 0.05);
    expect(both).toMatchObject({ delayed: true, delayMs: 7000, aborted: true, httpStatus: 500 });
    expect(both.flags).toBe(ResponseFlagBit.DI | ResponseFlagBit.FI);
    expect(decideFault(f, 0.5, 0.1)).toMatchObject({ delayed: true, aborted: false, flags: ResponseFlagBit.DI });
    expect(decideFault({ abort: { httpStatus: 418, percentage: { value: 100 } } }, 0.9, 0.9).flags).toBe(ResponseFlagBit.FI);
  });
  it("percentage has millionth precision", () => {
    const f = compileFault({ abort: { httpStatus: 503, percentage: { value: 0.0001 } } });
    expect(decideFault(f, 0, 0.0000009).aborted).toBe(true);
    expect(decideFault(f, 0, 0.000001).aborted).toBe(false);
  });
  it("gRPC abort is HTTP 200 with grpc-status", () => {
    expect(decideFault({ abort: { grpcStatus: "UNAVAILABLE", percentage: { value: 100 } } }, 0, 0)).toMatchObject({ aborted: true, httpStatus: 200, grpcStatus: 14 });
  });
  it("is compiled onto the route", () => {
    expect(one({ route: [d("v1")], fault: { abort: { httpStatus: 503, percentage: { value: 100 } } } }).fault?.abortHttpStatus).toBe(503);
  });
});

// The router's short cut (mesh/sidecar/router.ts Router.route) takes a route's first try at once only
// when the route has no fault filter, route timeout or mirror; each of them needs the long way.
describe("plainForward", () => {
  it("holds for a forwarding route with no fault, timeout or mirror, and for no other", () => {
    expect(one({ route: [d("v1")] }).plainForward).toBe(true);
    expect(one({ route: [d("v1")], retries: { attempts: 3, perTryTimeoutMs: 100 } }).plainForward).toBe(true);
    expect(one({ route: [d("v1")], fault: { abort: { httpStatus: 503, percentage: { value: 0 } } } }).plainForward).toBe(false);
    expect(one({ route: [d("v1")], fault: { delay: { fixedDelayMs: 5, percentage: { value: 0 } } } }).plainForward).toBe(false);
    expect(one({ route: [d("v1")], timeoutMs: 250 }).plainForward).toBe(false);
    expect(one({ route: [d("v1")], mirror: { host: "reviews", subset: "v2" } }).plainForward).toBe(false);
    expect(one({ redirect: { uri: "/x" } }).plainForward).toBe(false);
  });
});

describe("mirroring", () => {
  it("mirror without percentage mirrors 100 %; explicit 0 disables; mirrors[] have their own", () => {
    expect(one({ route: [d("v1")], mirror: { host: "reviews", subset: "v2" } }).mirrors.map((m) => mirrorSelected(m, 0.9999))).toEqual([true]);
    expect(one({ route: [d("v1")], mirror: { host: "reviews" }, mirrorPercentage: { value: 0 } }).mirrors).toHaveLength(0);
    const r = one({ route: [d("v1")], mirrors: [{ destination: { host: "a" }, percentage: { value: 10 } }, { destination: { host: "b" } }] });
    expect(r.mirrors.map((m) => m.destination.host)).toEqual(["a.default.svc.cluster.local", "b.default.svc.cluster.local"]);
    expect(mirrorSelected(r.mirrors[0]!, 0.05)).toBe(true);
    expect(mirrorSelected(r.mirrors[0]!, 0.2)).toBe(false);
  });
  it("adds -shadow only in the ≤1.27 compat mode, before the port", () => {
    expect(mirrorAuthority("reviews:9080")).toBe("reviews:9080");
    expect(mirrorAuthority("reviews:9080", true)).toBe("reviews-shadow:9080");
    expect(mirrorAuthority("reviews", true)).toBe("reviews-shadow");
  });
});

describe("rewrite", () => {
  it("uri replaces the matched prefix, keeping the rest and the query", () => {
    const r = one({ match: [{ uri: { prefix: "/ratings" } }], rewrite: { uri: "/v1/bookRatings" }, route: [d("v1")] });
    expect(forwardedRequest(r, r.destinations[0], makeRequest("/ratings/2?x=1")).path).toBe("/v1/bookRatings/2?x=1");
  });
  it("uri replaces the whole path for an exact match; no-uri match rewrites just the leading /", () => {
    const e = one({ match: [{ uri: { exact: "/old" } }], rewrite: { uri: "/new" }, route: [d("v1")] });
    expect(forwardedRequest(e, undefined, makeRequest("/old?q")).path).toBe("/new?q");
    const c = one({ rewrite: { uri: "/v2" }, route: [d("v1")] });
    expect(forwardedRequest(c, undefined, makeRequest("/foo")).path).toBe("/v2foo");
  });
  it("uriRegexRewrite substitutes every RE2 match with \\N groups, query untouched", () => {
    const r = one({ rewrite: { uriRegexRewrite: { match: "^/service/([^/]+)(/.*)$", rewrite: "\\2/instance/\\1" } }, route: [d("v1")] });
    expect(forwardedRequest(r, undefined, makeRequest("/service/foo/v1/api?x=/service/a/b")).path).toBe("/v1/api/instance/foo?x=/service/a/b");
    const g = one({ rewrite: { uriRegexRewrite: { match: "a", rewrite: "b" } }, route: [d("v1")] });
    expect(forwardedRequest(g, undefined, makeRequest("/aaa")).path).toBe("/bbb");
  });
  it("authority rewrite beats a header-set authority; returns the same request when nothing changes", () => {
    const r = one({ rewrite: { authority: "new-host" }, headers: { request: { set: { ":authority": "other" } } }, route: [d("v1")] });
    expect(forwardedRequest(r, undefined, makeRequest("/")).authority).toBe("new-host");
    const h = one({ headers: { request: { set: { host: "via-header" } } }, route: [d("v1")] });
    expect(forwardedRequest(h, undefined, makeRequest("/")).authority).toBe("via-header");
    const plain = one({ route: [d("v1")] });
    const req = makeRequest("/x");
    expect(forwardedRequest(plain, plain.destinations[0], req)).toBe(req);
  });
});

describe("redirect", () => {
  it("defaults to 301, replaces the path and keeps the query", () => {
    const r = one({ redirect: { uri: "/v1/bookRatings" } });
    expect(r.redirect?.code).toBe(301);
    expect(redirectLocation(r.redirect!, makeRequest("/ratings?x=1", { authority: "reviews:9080" }))).toBe("http://reviews:9080/v1/bookRatings?x=1");
  });
  it("authority, scheme and port", () => {
    const r = one({ redirect: { authority: "newratings.default", scheme: "https", port: 8443, redirectCode: 308 } });
    expect(r.redirect?.code).toBe(308);
    expect(redirectLocation(r.redirect!, makeRequest("/a", { authority: "reviews:80" }))).toBe("https://newratings.default:8443/a");
    const s = one({ redirect: { scheme: "https" } });
    expect(redirectLocation(s.redirect!, makeRequest("/a", { authority: "reviews:80" }))).toBe("https://reviews/a");
    const p = one({ redirect: { derivePort: "FROM_REQUEST_PORT" } }, 9080);
    expect(redirectLocation(p.redirect!, makeRequest("/a", { authority: "reviews:1234" }))).toBe("http://reviews:9080/a");
    const dflt = one({ redirect: { port: 80 } });
    expect(redirectLocation(dflt.redirect!, makeRequest("/a", { authority: "reviews" }))).toBe("http://reviews/a");
  });
  it("rejects unsupported codes", () => {
    expect(() => one({ redirect: { redirectCode: 305 } })).toThrow(RouteCompileError);
  });
});

describe("header operations", () => {
  it("remove first, then set (overwrite) then add (append); pseudo-headers untouched", () => {
    const ops = compileHeaderOps({ set: { "x-a": "1", ":path": "/evil" }, add: { "x-b": "2", "x-a": "3" }, remove: ["x-c", "host"] });
    expect(applyHeaderOps(ops, { "x-a": "0", "x-b": "1", "x-c": "gone" })).toEqual({ "x-a": "1,3", "x-b": "1,2" });
  });
  it("returns the same object when there is nothing to do", () => {
    const h = { a: "1" };
    expect(applyHeaderOps(compileHeaderOps({}), h)).toBe(h);
    expect(applyHeaderOps(undefined, h)).toBe(h);
  });
  it("single destination: route ops then destination ops; weighted: destination ops then route ops", () => {
    const single = one({ headers: { response: { set: { x: "route" } } }, route: [{ ...d("v1"), headers: { response: { set: { x: "dest" } } } }] });
    expect(responseHeadersFor(single, single.destinations[0], {})).toEqual({ x: "dest" });
    const weighted = one({
      headers: { response: { set: { x: "route" } } },
      route: [{ ...d("v1", 50), headers: { response: { set: { x: "dest" } } } }, d("v2", 50)],
    });
    expect(responseHeadersFor(weighted, weighted.destinations[0], {})).toEqual({ x: "route" });
    expect(forwardedRequest(weighted, weighted.destinations[1], makeRequest("/")).headers).toEqual({});
  });
});

describe("default routes", () => {
  it("a service without VS: catch-all to its cluster, default retries, no timeout", () => {
    const [r] = defaultServiceRoutes("reviews.default.svc.cluster.local", 9080);
    expect(r?.destinations[0]?.cluster).toBe("outbound|9080||reviews.default.svc.cluster.local");
    expect(r?.retryPolicy?.numRetries).toBe(2);
    expect(r?.timeoutMs).toBeUndefined();
    expect(r?.catchAll).toBe(true);
  });
  // istio/istio pilot/pkg/networking/core/route/route.go: buildSidecarVirtualHostForService builds the
  // default route with BuildDefaultHTTPOutboundRoute → retry.ConvertPolicy(mesh default, false) and
  // then adds the DR's hash policy; only a VirtualService route (applyHTTPRouteDestination) passes
  // consistentHash to ConvertPolicy, which then drops the previous_hosts predicate.
  it("a service without VS whose DR hashes keeps the previous_hosts predicate (a VS route to it drops it)", () => {
    const hashing = { consistentHash: () => true };
    const [r] = defaultServiceRoutes("reviews.default.svc.cluster.local", 9080, hashing);
    expect(r?.retryPolicy?.previousHostsPredicate).toBe(true);
    expect(r?.retryPolicy?.hostSelectionRetryMaxAttempts).toBe(5);
    const vs: VirtualService = {
      kind: "VirtualService", apiVersion: "v1",
      metadata: { name: "reviews", namespace: "default", labels: {}, annotations: {}, creationIndex: 0 },
      spec: { hosts: ["reviews"], http: [{ route: [{ destination: { host: "reviews" } }] }] },
    };
    const [v] = compileRoutes(vs, source, 9080, hashing);
    expect(v?.retryPolicy?.previousHostsPredicate).toBe(false);
  });
  it("unknown host: ALLOW_ANY passes through without retries, REGISTRY_ONLY answers 502", () => {
    const [a] = unknownHostRoutes("ALLOW_ANY", 80);
    expect(a?.destinations[0]?.cluster).toBe("PassthroughCluster");
    expect(a?.retryPolicy).toBeUndefined();
    const [b] = unknownHostRoutes("REGISTRY_ONLY", 80);
    expect(b?.directResponse?.status).toBe(502);
  });
});
