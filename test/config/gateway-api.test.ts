import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { translateGatewayApi } from "../../src/config/gateway-api/gateway-api-config.js";
import { precedes, sortByPrecedence } from "../../src/config/gateway-api/route-precedence.js";
import type { GatewayApiResource, HTTPRoute, HTTPRouteRule } from "../../src/proxy/api/gateway-api.js";
import type { HTTPRoute as IstioHTTPRoute } from "../../src/proxy/api/networking.js";
import { compileMatch, matchHolds } from "../../src/proxy/route/route-match.js";

const meta = (name: string, i: number, namespace = "default") => ({ name, namespace, labels: {}, annotations: {}, creationIndex: i });
const SERVICES = new Set(["default/reviews", "default/reviews-v1", "default/reviews-v2", "other/ratings"]);

function httpRoute(name: string, i: number, rules: HTTPRouteRule[], parent = { group: "", kind: "Service", name: "reviews", port: 9080 }): HTTPRoute {
  return { kind: "HTTPRoute", apiVersion: "gateway.networking.k8s.io/v1", metadata: meta(name, i), spec: { parentRefs: [parent], rules } };
}

function translate(resources: GatewayApiResource[]) {
  return translateGatewayApi({ resources, services: SERVICES, namespaceLabels: new Map(), domainSuffix: "cluster.local" });
}

const ALL = { path: { type: "PathPrefix" as const, value: "/" } };

describe("istiod's conversion of HTTPRoutes", () => {
  it("weights: default 1 per backend, weight 0 dropped; route name <ns>.<route>.<rule>; retry and timeouts as istiod maps them", () => {
    const out = translate([httpRoute("reviews", 1, [{
      matches: [ALL],
      backendRefs: [{ group: "", kind: "Service", name: "reviews-v1", port: 9080, weight: 1 }, { group: "", kind: "Service", name: "reviews-v2", port: 9080, weight: 0 }, { group: "", kind: "Service", name: "reviews", port: 9080, weight: 3 }],
      timeouts: { requestMs: 10_000, backendRequestMs: 2_000 },
      retry: { codes: [503], attempts: 3, backoffMs: 100 },
    }])]);
    const vs = out.virtualServices[0]!;
    expect(vs.metadata.name).toBe("default~9080~reviews.default.svc.cluster.local");
    expect(vs.spec.gateways).toEqual(["mesh"]);
    const r = vs.spec.http![0]!;
    expect(r.name).toBe("default.reviews.0");
    expect(r.route!.map((d) => [d.destination.host, d.weight])).toEqual([["reviews-v1.default.svc.cluster.local", 1], ["reviews.default.svc.cluster.local", 3]]);
    expect(r.timeoutMs).toBe(10_000);
    expect(r.retries).toEqual({ attempts: 3, retryOn: "connect-failure,refused-stream,unavailable,cancelled,503", backoffMs: 100, perTryTimeoutMs: 2_000 });
    expect(r.match![0]!.port).toBe(9080);
  });

  it("a total weight of 0 answers 500 (direct response); a rule with no backends too", () => {
    const out = translate([httpRoute("z", 1, [{ matches: [ALL], backendRefs: [{ group: "", kind: "Service", name: "reviews-v1", port: 9080, weight: 0 }] }])]);
    expect(out.virtualServices[0]!.spec.http![0]!.directResponse).toEqual({ status: 500 });
  });

  it("a cross-namespace backend of a Gateway's route needs a ReferenceGrant (no host, 500 for that share, RefNotPermitted); a mesh route's does not, as istiod has it", () => {
    const gw: GatewayApiResource = { kind: "KubernetesGateway", apiVersion: "gateway.networking.k8s.io/v1", metadata: meta("gw", 0),
      spec: { gatewayClassName: "istio", listeners: [{ name: "http", port: 80, protocol: "HTTP", allowedRoutes: { namespaces: { from: "Same" } } }] } };
    const rules: HTTPRouteRule[] = [{ matches: [ALL], backendRefs: [
      { group: "", kind: "Service", name: "reviews-v1", port: 9080, weight: 1 },
      { group: "", kind: "Service", name: "ratings", namespace: "other", port: 9080, weight: 1 },
    ] }];
    const viaGateway = httpRoute("x", 1, rules, { group: "gateway.networking.k8s.io", kind: "Gateway", name: "gw" } as never);
    let out = translate([gw, viaGateway]);
    expect(out.virtualServices[0]!.spec.http![0]!.route![1]!.destination.host).toBe("");
    expect(out.routes[0]!.parents[0]!.conditions[1]).toMatchObject({ type: "ResolvedRefs", status: "False", reason: "RefNotPermitted" });
    const grant: GatewayApiResource = { kind: "ReferenceGrant", apiVersion: "gateway.networking.k8s.io/v1", metadata: meta("g", 2, "other"),
      spec: { from: [{ group: "gateway.networking.k8s.io", kind: "HTTPRoute", namespace: "default" }], to: [{ group: "", kind: "Service" }] } };
    out = translate([gw, viaGateway, grant]);
    expect(out.virtualServices[0]!.spec.http![0]!.route![1]!.destination.host).toBe("ratings.other.svc.cluster.local");
    expect(out.routes[0]!.parents[0]!.conditions[1]).toMatchObject({ status: "True", reason: "ResolvedRefs" });
    out = translate([httpRoute("mesh", 1, rules)]);
    expect(out.virtualServices[0]!.spec.http![0]!.route![1]!.destination.host).toBe("ratings.other.svc.cluster.local");
    out = translate([httpRoute("y", 1, [{ matches: [ALL], backendRefs: [{ group: "", kind: "Service", name: "nope", port: 9080, weight: 1 }] }])]);
    expect(out.routes[0]!.parents[0]!.conditions[1]).toMatchObject({ status: "False", reason: "BackendNotFound" });
  });

  it("parents: a missing Gateway is NoMatchingParent; a listener for the Same namespace refuses another's route (NotAllowedByListeners)", () => {
    const gw: GatewayApiResource = { kind: "KubernetesGateway", apiVersion: "gateway.networking.k8s.io/v1", metadata: meta("gw", 0, "ingress"),
      spec: { gatewayClassName: "istio", listeners: [{ name: "http", port: 80, protocol: "HTTP", allowedRoutes: { namespaces: { from: "Same" } } }] } };
    const backend = [{ group: "", kind: "Service", name: "reviews", port: 9080, weight: 1 }];
    const out = translate([gw,
      httpRoute("a", 1, [{ matches: [ALL], backendRefs: backend }], { group: "gateway.networking.k8s.io", kind: "Gateway", name: "missing" } as never),
      httpRoute("b", 2, [{ matches: [ALL], backendRefs: backend }], { group: "gateway.networking.k8s.io", kind: "Gateway", name: "gw", namespace: "ingress" } as never),
    ]);
    expect(out.routes.map((r) => r.parents[0]!.conditions[0]!.reason)).toEqual(["NoMatchingParent", "NotAllowedByListeners"]);
    expect(out.gateways.map((g) => g.metadata.name)).toEqual(["gw-istio-autogenerated-k8s-gateway"]);
    expect(out.virtualServices).toHaveLength(0);
  });

  it("routes of two HTTPRoutes on one host merge, ordered by precedence, ties to the older route", () => {
    const exact = { path: { type: "Exact" as const, value: "/a" } };
    const out = translate([
      httpRoute("new", 2, [{ matches: [ALL], backendRefs: [{ group: "", kind: "Service", name: "reviews-v2", port: 9080, weight: 1 }] }]),
      httpRoute("old", 1, [{ matches: [ALL, exact], backendRefs: [{ group: "", kind: "Service", name: "reviews-v1", port: 9080, weight: 1 }] }]),
    ]);
    expect(out.virtualServices).toHaveLength(1);
    expect(out.virtualServices[0]!.spec.http!.map((r) => r.name)).toEqual(["default.old.0", "default.old.0", "default.new.0"]);
    expect(out.virtualServices[0]!.spec.http![0]!.match![0]!.uri).toEqual({ exact: "/a" });
  });
});

describe("PathPrefix under gateway semantics matches whole path segments (Envoy path_separated_prefix)", () => {
  const m = compileMatch({ uri: { prefix: "/static" } }, true);
  const req = (path: string) => ({ method: "GET", path, authority: "h", scheme: "http", headers: {} }) as never;
  it.each([["/static", true], ["/static/", true], ["/static/a.css", true], ["/static?x=1", true], ["/staticx", false], ["/stati", false]])("%s → %s", (p, want) => {
    expect(matchHolds(m, req(p))).toBe(want);
  });
  it("without gateway semantics a prefix is a plain string prefix", () => {
    expect(matchHolds(compileMatch({ uri: { prefix: "/static" } }), req("/staticx"))).toBe(true);
  });
});

const ruleArb: fc.Arbitrary<IstioHTTPRoute> = fc.record({
  uri: fc.oneof(fc.constant(undefined), fc.record({ exact: fc.stringMatching(/^\/[a-z]{0,4}$/) }), fc.record({ prefix: fc.stringMatching(/^\/[a-z]{0,4}$/) }), fc.record({ regex: fc.stringMatching(/^\/[a-z]{0,4}$/) })),
  method: fc.option(fc.constant({ exact: "GET" }), { nil: undefined }),
  headers: fc.uniqueArray(fc.constantFrom("a", "b", "c"), { maxLength: 3 }),
  query: fc.uniqueArray(fc.constantFrom("p", "q"), { maxLength: 2 }),
  noMatch: fc.boolean(),
}).map(({ uri, method, headers, query, noMatch }) => {
  if (noMatch) return { name: "catch-all" };
  const m: NonNullable<IstioHTTPRoute["match"]>[number] = {};
  if (uri) m.uri = uri;
  if (method) m.method = method;
  if (headers.length) m.headers = Object.fromEntries(headers.map((h) => [h, { exact: "1" }]));
  if (query.length) m.queryParams = Object.fromEntries(query.map((q) => [q, { exact: "1" }]));
  return { match: [m] };
});

describe("rule precedence (properties)", () => {
  it("no rule is ever placed after a rule it takes precedence over", () => {
    fc.assert(fc.property(fc.array(ruleArb, { maxLength: 12 }), (rules) => {
      const sorted = sortByPrecedence(rules);
      for (let i = 0; i < sorted.length; i++) for (let j = i + 1; j < sorted.length; j++) expect(precedes(sorted[j]!, sorted[i]!)).toBe(false);
    }));
  });
  it("rules of equal precedence keep their given order (oldest route first)", () => {
    fc.assert(fc.property(fc.array(ruleArb, { maxLength: 12 }), (rules) => {
      const tagged = rules.map((r, i) => ({ ...r, name: String(i) }));
      const sorted = sortByPrecedence(tagged);
      for (let i = 0; i + 1 < sorted.length; i++) {
        const a = sorted[i]!, b = sorted[i + 1]!;
        if (!precedes(a, b) && !precedes(b, a)) expect(Number(a.name)).toBeLessThan(Number(b.name));
      }
    }));
  });
  it("an exact path beats any prefix; a longer prefix beats a shorter one; a rule without matches goes last", () => {
    expect(precedes({ match: [{ uri: { exact: "/" } }] }, { match: [{ uri: { prefix: "/abcdef" } }] })).toBe(true);
    expect(precedes({ match: [{ uri: { prefix: "/ab" } }] }, { match: [{ uri: { prefix: "/a" }, method: { exact: "GET" } }] })).toBe(true);
    expect(precedes({ match: [{ uri: { prefix: "/a" }, method: { exact: "GET" } }] }, { match: [{ uri: { prefix: "/a" }, headers: { x: { exact: "1" } } }] })).toBe(true);
    expect(precedes({}, { match: [{ uri: { regex: ".*" } }] })).toBe(false);
  });
});

describe("GRPCRoute matches as istiod converts them (createGRPCURIMatch)", () => {
  it("service and method → exact /svc/Method; service only → prefix /svc/; method only → regex /[^/]+/Method; headers kept", () => {
    const grpc: GatewayApiResource = { kind: "GRPCRoute", apiVersion: "gateway.networking.k8s.io/v1", metadata: meta("g", 1),
      spec: { parentRefs: [{ group: "", kind: "Service", name: "reviews" }], rules: [{
        matches: [
          { method: { type: "Exact", service: "helloworld.Greeter", method: "SayHello" }, headers: [{ type: "Exact", name: "x-env", value: "canary" }] },
          { method: { type: "Exact", service: "helloworld.Greeter" } },
          { method: { type: "Exact", method: "SayHello" } },
        ],
        backendRefs: [{ group: "", kind: "Service", name: "reviews-v2", port: 9080, weight: 1 }],
      }] } };
    const http = translate([grpc]).virtualServices[0]!.spec.http!;
    expect(http.map((r) => r.match![0]!.uri)).toEqual([{ exact: "/helloworld.Greeter/SayHello" }, { prefix: "/helloworld.Greeter/" }, { regex: "/[^/]+/SayHello" }]);
    expect(http[0]!.match![0]!.headers).toEqual({ "x-env": { exact: "canary" } });
    expect(http.every((r) => r.name === "default.g.0")).toBe(true);
  });
});

describe("PathPrefix segments and weights (properties)", () => {
  const seg = fc.stringMatching(/^[a-z]{1,3}$/);
  it("a PathPrefix matches exactly the paths equal to it or continuing with / after it (query ignored)", () => {
    fc.assert(fc.property(fc.array(seg, { minLength: 1, maxLength: 3 }), fc.array(fc.stringMatching(/^[a-z/]{0,4}$/), { maxLength: 3 }), fc.boolean(), fc.boolean(), (pre, rest, slash, query) => {
      const prefix = `/${pre.join("/")}`;
      const path = `${prefix}${rest.join("")}`;
      const m = compileMatch(convertOne({ path: { type: "PathPrefix", value: slash ? `${prefix}/` : prefix } }), true);
      const want = path === prefix || path.startsWith(`${prefix}/`);
      expect(matchHolds(m, { method: "GET", path: query ? `${path}?a=1` : path, authority: "h", scheme: "http", headers: {} } as never)).toBe(want);
    }));
  });
  it("backendRefs of weight 0 never become destinations, and a total of 0 answers 500", () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 5 }), (weights) => {
      const refs = weights.map((w, i) => ({ group: "", kind: "Service", name: i % 2 === 0 ? "reviews-v1" : "reviews-v2", port: 9080, weight: w }));
      const r = translate([httpRoute("w", 1, [{ matches: [ALL], backendRefs: refs }])]).virtualServices[0]!.spec.http![0]!;
      const total = weights.reduce((a, b) => a + b, 0);
      if (total === 0) expect(r.directResponse).toEqual({ status: 500 });
      else expect(r.route!.length).toBe(weights.filter((w) => w > 0).length);
    }));
  });
});

function convertOne(match: { path: { type: "PathPrefix" | "Exact" | "RegularExpression"; value: string } }) {
  const out = translate([httpRoute("p", 1, [{ matches: [match], backendRefs: [{ group: "", kind: "Service", name: "reviews", port: 9080, weight: 1 }] }])]);
  return out.virtualServices[0]!.spec.http![0]!.match![0]!;
}

describe("GAMMA consumer override", () => {
  it("a proxy prefers the HTTPRoute of its own namespace for a Service; others take the oldest", async () => {
    const { selectVirtualService } = await import("../../src/proxy/route/virtual-service-selection.js");
    const producer = httpRoute("producer", 1, [{ matches: [ALL], backendRefs: [{ group: "", kind: "Service", name: "reviews-v1", port: 9080, weight: 1 }] }]);
    const consumer: HTTPRoute = { ...httpRoute("consumer", 2, [{ matches: [ALL], backendRefs: [{ group: "", kind: "Service", name: "reviews", namespace: "default", port: 9080, weight: 1 }] }], { group: "", kind: "Service", name: "reviews", namespace: "default", port: 9080 } as never), metadata: meta("consumer", 2, "shop") };
    const vss = translate([producer, consumer]).virtualServices;
    const host = "reviews.default.svc.cluster.local";
    const pick = (ns: string) => selectVirtualService(vss, host, { namespace: ns, labels: {} })?.metadata.namespace;
    expect(pick("shop")).toBe("shop");
    expect(pick("default")).toBe("default");
    expect(pick("elsewhere")).toBe("default");
  });
});

// The server istiod generates for each listener: hosts ns/hostname per namespace allowedRoutes admits
// (istio/istio pilot/pkg/config/kube/gateway/conversion.go buildHostnameMatch, namespacesFromSelector).
describe("generated Istio Gateway server hosts (buildHostnameMatch)", () => {
  const listener = (name: string, port: number, namespaces: { from: "Same" | "All" | "Selector"; selector?: { matchLabels: Record<string, string> } }, hostname?: string) =>
    ({ name, port, protocol: "HTTP", allowedRoutes: { namespaces }, ...(hostname !== undefined ? { hostname } : {}) });
  const gw: GatewayApiResource = { kind: "KubernetesGateway", apiVersion: "gateway.networking.k8s.io/v1", metadata: meta("gw", 0, "ingress"),
    spec: { gatewayClassName: "istio", listeners: [
      listener("same", 80, { from: "Same" }, "a.example.com"),
      listener("all", 81, { from: "All" }),
      listener("team", 82, { from: "Selector", selector: { matchLabels: { team: "x" } } }, "b.example.com"),
      listener("nobody", 83, { from: "Selector", selector: { matchLabels: { team: "none" } } }),
    ] } } as GatewayApiResource;
  const route: GatewayApiResource = { ...httpRoute("r", 1, []), metadata: meta("r", 1, "routes") };
  const out = translateGatewayApi({
    resources: [gw, route], services: SERVICES, domainSuffix: "cluster.local",
    namespaceLabels: new Map<string, Record<string, string>>([["shop", { team: "x" }], ["other", {}]]),
  });
  it("Same: the Gateway's namespace; All: */; Selector: each selected namespace, sorted; none selected: ~/", () => {
    expect(out.gateways[0]!.spec.servers.map((s) => s.hosts)).toEqual([
      ["ingress/a.example.com"], ["*/*"], ["shop/b.example.com"], ["~/*"],
    ]);
  });
});
