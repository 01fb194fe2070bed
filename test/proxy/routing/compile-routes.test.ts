import { describe, expect, it } from "vitest";
import type { HTTPRoute, VirtualService } from "../../../src/proxy/api/networking.js";
import type { SourceContext } from "../../../src/proxy/http-request.js";
import { compileRoutes, matchHttpRoutes, matchRoute } from "../../../src/proxy/route/compile-routes.js";
import { makeRequest } from "../../properties/arbitraries/routing.js";

const sidecar: SourceContext = { namespace: "default", labels: { app: "productpage", version: "v1" } };

function vs(http: HTTPRoute[], namespace = "default"): VirtualService {
  return {
    kind: "VirtualService", apiVersion: "networking.istio.io/v1",
    metadata: { name: "reviews", namespace, labels: {}, annotations: {}, creationIndex: 0 },
    spec: { hosts: ["reviews"], http },
  };
}

const to = (subset: string): HTTPRoute["route"] => [{ destination: { host: "reviews", subset } }];

describe("compileRoutes", () => {
  it("emits one route per match entry, in order (entries are OR'ed)", () => {
    const routes = compileRoutes(vs([
      { name: "a", match: [{ name: "x", uri: { prefix: "/x" } }, { uri: { prefix: "/y" } }], route: to("v2") },
      { name: "b", route: to("v1") },
    ]), sidecar, 9080);
    expect(routes.map((r) => [r.ruleIndex, r.matchIndex, r.name])).toEqual([[0, 0, "a.x"], [0, 1, "a"], [1, -1, "b"]]);
    expect(routes.map((r) => r.index)).toEqual([0, 1, 2]);
    expect(matchRoute(routes, makeRequest("/y/1"))?.index).toBe(1);
    expect(matchRoute(routes, makeRequest("/z"))?.index).toBe(2);
  });

  it("takes the first matching rule, not the most specific", () => {
    const routes = compileRoutes(vs([
      { match: [{ uri: { prefix: "/" }, headers: { "x-env": {} } }], route: to("v1") },
      { match: [{ uri: { exact: "/exact" } }], route: to("v2") },
    ]), sidecar, 9080);
    expect(matchRoute(routes, makeRequest("/exact", { headers: { "x-env": "1" } }))?.ruleIndex).toBe(0);
  });

  it("stops after a rule without match, and after a catch-all match entry", () => {
    const a = compileRoutes(vs([{ route: to("v1") }, { match: [{ uri: { prefix: "/x" } }], route: to("v2") }]), sidecar, 80);
    expect(a).toHaveLength(1);
    const b = compileRoutes(vs([
      { match: [{ uri: { prefix: "/a" } }, { uri: { prefix: "/" } }, { uri: { prefix: "/b" } }], route: to("v1") },
      { match: [{ uri: { prefix: "/x" } }], route: to("v2") },
    ]), sidecar, 80);
    expect(b.map((r) => r.matchIndex)).toEqual([0, 1]);
    const c = compileRoutes(vs([{ match: [{ uri: { regex: ".*" } }], route: to("v1") }, { route: to("v2") }]), sidecar, 80);
    expect(c).toHaveLength(1);
  });

  it("no matching route ⇒ undefined (404 NR), no fallback", () => {
    const routes = compileRoutes(vs([{ match: [{ uri: { prefix: "/api" } }], route: to("v1") }]), sidecar, 80);
    expect(matchRoute(routes, makeRequest("/other"))).toBeUndefined();
  });

  it("drops match entries for another port at config time", () => {
    const v = vs([{ match: [{ port: 9080, uri: { prefix: "/" } }], route: to("v1") }, { route: to("v2") }]);
    expect(compileRoutes(v, sidecar, 9080).map((r) => r.ruleIndex)).toEqual([0]);
    expect(compileRoutes(v, sidecar, 80).map((r) => r.ruleIndex)).toEqual([1]);
  });

  it("filters by sourceLabels (subset of the proxy's labels) and sourceNamespace", () => {
    const v = vs([
      { match: [{ sourceLabels: { app: "productpage" }, uri: { prefix: "/a" } }], route: to("v1") },
      { match: [{ sourceLabels: { app: "other" }, uri: { prefix: "/b" } }], route: to("v2") },
      { match: [{ sourceNamespace: "default", uri: { prefix: "/c" } }], route: to("v3") },
      { match: [{ sourceNamespace: "prod", uri: { prefix: "/d" } }], route: to("v3") },
    ]);
    expect(compileRoutes(v, sidecar, 80).map((r) => r.ruleIndex)).toEqual([0, 2]);
  });

  it("per-match gateways: mesh for sidecars, ns/name for gateways; they override sourceLabels (istiod quirk)", () => {
    const v = vs([
      { match: [{ gateways: ["mesh"], sourceLabels: { app: "nobody" }, uri: { prefix: "/m" } }], route: to("v1") },
      { match: [{ gateways: ["my-gw"], uri: { prefix: "/g" } }], route: to("v2") },
      { match: [{ gateways: ["istio-system/ingress"], uri: { prefix: "/i" } }], route: to("v3") },
    ]);
    expect(compileRoutes(v, sidecar, 80).map((r) => r.ruleIndex)).toEqual([0]);
    expect(compileRoutes(v, { namespace: "default", labels: {}, gateway: "default/my-gw" }, 80).map((r) => r.ruleIndex)).toEqual([1]);
    expect(compileRoutes(v, { namespace: "istio-system", labels: {}, gateway: "istio-system/ingress" }, 80).map((r) => r.ruleIndex)).toEqual([2]);
  });

  it("a catch-all dropped by a config-time filter does not truncate", () => {
    const v = vs([{ match: [{ port: 1, uri: { prefix: "/" } }], route: to("v1") }, { route: to("v2") }]);
    expect(compileRoutes(v, sidecar, 80).map((r) => r.ruleIndex)).toEqual([1]);
  });

  it("skips delegate rules (delegation not modelled)", () => {
    const v = vs([{ match: [{ uri: { prefix: "/d" } }], delegate: { name: "other" } }, { route: to("v2") }]);
    expect(compileRoutes(v, sidecar, 80).map((r) => r.ruleIndex)).toEqual([1]);
  });

  it("resolves destination short names in the VS namespace and names the cluster", () => {
    const [r] = compileRoutes(vs([{ route: [{ destination: { host: "reviews", subset: "v2" } }] }], "foo"), sidecar, 9080);
    expect(r?.destinations[0]?.host).toBe("reviews.foo.svc.cluster.local");
    expect(r?.destinations[0]?.cluster).toBe("outbound|9080|v2|reviews.foo.svc.cluster.local");
    const [p] = compileRoutes(vs([{ route: [{ destination: { host: "ratings.bar", port: { number: 8080 } } }] }]), sidecar, 9080);
    expect(p?.destinations[0]?.cluster).toBe("outbound|8080||ratings.bar");
  });

  it("timeout unset or 0 means none", () => {
    const rs = compileRoutes(vs([
      { match: [{ uri: { prefix: "/a" } }], route: to("v1") },
      { match: [{ uri: { prefix: "/b" } }], route: to("v1"), timeoutMs: 0 },
      { route: to("v1"), timeoutMs: 500 },
    ]), sidecar, 80);
    expect(rs.map((r) => r.timeoutMs)).toEqual([undefined, undefined, 500]);
  });

  it("redirect wins over directResponse which wins over route", () => {
    const [r] = compileRoutes(vs([{ redirect: { uri: "/new" }, directResponse: { status: 200 } }]), sidecar, 80);
    expect(r?.action).toBe("redirect");
    expect(r?.retryPolicy).toBeUndefined();
    const [d] = compileRoutes(vs([{ directResponse: { status: 418, body: { string: "teapot" } } }]), sidecar, 80);
    expect(d?.action).toBe("direct-response");
    expect(d?.directResponse).toEqual({ status: 418, body: "teapot" });
  });

  it("matchHttpRoutes works directly on HTTPRoute[]", () => {
    const http: HTTPRoute[] = [{ match: [{ headers: { "end-user": { exact: "jason" } } }], route: to("v2") }, { route: to("v1") }];
    expect(matchHttpRoutes(http, makeRequest("/", { headers: { "end-user": "jason" } }))?.ruleIndex).toBe(0);
    expect(matchHttpRoutes(http, makeRequest("/"))?.ruleIndex).toBe(1);
  });
});
