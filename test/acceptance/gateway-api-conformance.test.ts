// Gateway API conformance tests (kubernetes-sigs/gateway-api conformance/tests/*.go with their
// *.yaml), rewritten for meshsim: each case sends the conformance test's request through the Gateway's
// Envoy and expects what the test expects. The manifests are shortened to what each case reads.
// https://github.com/kubernetes-sigs/gateway-api/tree/main/conformance/tests
import { describe, expect, it } from "vitest";
import { conformance, NS } from "./gateway-api-conformance.js";
import { loadScenario } from "../../src/scenario/index.js";
import { runScenario } from "../../src/runner/run-scenario.js";
import { writeScenario } from "../support/scenario-text.js";

const route = (name: string, spec: string) => `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: ${name}, namespace: ${NS}}
spec:
${spec}`;

const gateway = (name: string, listeners: string, o: { className?: string; annotations?: string } = {}) => `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: ${name}, namespace: ${NS}${o.annotations !== undefined ? `, annotations: ${o.annotations}` : ""}}
spec:
  gatewayClassName: ${o.className ?? "istio"}
  listeners:
${listeners}`;

const listener = (name: string, port: number, hostname?: string) =>
  `  - {name: ${name}, port: ${port}, protocol: HTTP, allowedRoutes: {namespaces: {from: Same}}${hostname !== undefined ? `, hostname: "${hostname}"` : ""}}\n`;

describe("HTTPRouteListenerHostnameMatching (httproute-listener-hostname-matching)", () => {
  const gw = "httproute-listener-hostname-matching";
  const docs = [
    gateway(gw, listener("listener-1", 80, "bar.com") + listener("listener-2", 80, "foo.bar.com")
      + listener("listener-3", 80, "*.bar.com") + listener("listener-4", 80, "*.foo.com")),
    route("backend-v1", `  parentRefs: [{name: ${gw}, sectionName: listener-1}]
  rules: [{backendRefs: [{name: infra-backend-v1, port: 8080}]}]
`),
    route("backend-v2", `  parentRefs: [{name: ${gw}, sectionName: listener-2}]
  rules: [{backendRefs: [{name: infra-backend-v2, port: 8080}]}]
`),
    route("backend-v3", `  parentRefs: [{name: ${gw}, sectionName: listener-3}, {name: ${gw}, sectionName: listener-4}]
  rules: [{backendRefs: [{name: infra-backend-v3, port: 8080}]}]
`),
  ].join("---\n");
  const c = conformance(docs, [gw]);

  it.each([
    ["bar.com", "infra-backend-v1"],
    ["foo.bar.com", "infra-backend-v2"],
    ["baz.bar.com", "infra-backend-v3"],
    ["boo.bar.com", "infra-backend-v3"],
    ["multiple.prefixes.bar.com", "infra-backend-v3"],
    ["multiple.prefixes.foo.com", "infra-backend-v3"],
  ])("a request for %s reaches %s (only the routes of the listener that owns the host)", (host, want) => {
    expect(c.send(gw, `http://${host}/`).backend).toBe(want);
  });

  it.each(["foo.com", "no.matching.host"])("a request for %s is 404", (host) => {
    expect(c.send(gw, `http://${host}/`).status).toBe(404);
  });
});

describe("HTTPRouteHostnameIntersection (httproute-hostname-intersection)", () => {
  const gw = "httproute-hostname-intersection";
  const rule = (prefix: string, b: string) => `  rules: [{matches: [{path: {type: PathPrefix, value: ${prefix}}}], backendRefs: [{name: ${b}, port: 8080}]}]\n`;
  const docs = [
    gateway(gw, listener("listener-1", 80, "very.specific.com") + listener("listener-2", 80, "*.wildcard.io")
      + listener("listener-3", 80, "*.anotherwildcard.io")),
    route("specific-host-matches-listener-specific-host", `  parentRefs: [{name: ${gw}}]
  hostnames: [non.matching.com, "*.nonmatchingwildcard.io", very.specific.com]
${rule("/s1", "infra-backend-v1")}`),
    route("specific-host-matches-listener-wildcard-host", `  parentRefs: [{name: ${gw}}]
  hostnames: [non.matching.com, wildcard.io, foo.wildcard.io, bar.wildcard.io, foo.bar.wildcard.io]
${rule("/s2", "infra-backend-v2")}`),
    route("wildcard-host-matches-listener-specific-host", `  parentRefs: [{name: ${gw}}]
  hostnames: [non.matching.com, "*.specific.com"]
${rule("/s3", "infra-backend-v3")}`),
    route("wildcard-host-matches-listener-wildcard-host", `  parentRefs: [{name: ${gw}}]
  hostnames: ["*.anotherwildcard.io"]
${rule("/s4", "infra-backend-v1")}`),
    route("no-intersecting-hosts", `  parentRefs: [{name: ${gw}}]
  hostnames: [specific.but.wrong.com, wildcard.io]
${rule("/s5", "infra-backend-v2")}`),
  ].join("---\n");
  const c = conformance(docs, [gw]);

  it.each([
    ["very.specific.com/s1", "infra-backend-v1"],
    ["foo.wildcard.io/s2", "infra-backend-v2"],
    ["bar.wildcard.io/s2", "infra-backend-v2"],
    ["foo.bar.wildcard.io/s2", "infra-backend-v2"],
    ["very.specific.com/s3", "infra-backend-v3"],
    ["foo.anotherwildcard.io/s4", "infra-backend-v1"],
    ["foo.bar.anotherwildcard.io/s4", "infra-backend-v1"],
  ])("%s reaches %s", (hostPath, want) => {
    expect(c.send(gw, `http://${hostPath}`).backend).toBe(want);
  });

  it.each([
    "non.matching.com/s1", "foo.nonmatchingwildcard.io/s1", "foo.wildcard.io/s1", "very.specific.com/non-matching-prefix",
    "wildcard.io/s2", "very.specific.com/s2", "foo.specific.com/s3", "foo.wildcard.io/s3",
    "anotherwildcard.io/s4", "foo.wildcard.io/s4", "very.specific.com/s4", "specific.but.wrong.com/s5", "wildcard.io/s5",
  ])("%s is 404", (hostPath) => {
    expect(c.send(gw, `http://${hostPath}`).status).toBe(404);
  });

  it("a route none of whose hostnames intersects a listener's is not Accepted: NoMatchingListenerHostname", () => {
    expect(c.route("no-intersecting-hosts").parents[0]!.conditions[0]).toMatchObject({ type: "Accepted", status: "False", reason: "NoMatchingListenerHostname" });
    expect(c.route("wildcard-host-matches-listener-wildcard-host").parents[0]!.conditions[0]).toMatchObject({ status: "True" });
  });
});

describe("HTTPRouteRedirectPath (httproute-redirect-path)", () => {
  const redirect = (prefix: string, r: string) =>
    `  - matches: [{path: {type: PathPrefix, value: ${prefix}}}]\n    filters: [{type: RequestRedirect, requestRedirect: ${r}}]\n`;
  const c = conformance(route("redirect-path", `  parentRefs: [{name: same-namespace}]
  rules:
${redirect("/original-prefix", "{path: {type: ReplacePrefixMatch, replacePrefixMatch: /replacement-prefix}}")}\
${redirect("/full", "{path: {type: ReplaceFullPath, replaceFullPath: /full-path-replacement}}")}\
${redirect("/path-and-host", "{hostname: example.org, path: {type: ReplacePrefixMatch, replacePrefixMatch: /replacement-prefix}}")}\
${redirect("/path-and-status", "{path: {type: ReplacePrefixMatch, replacePrefixMatch: /replacement-prefix}, statusCode: 301}")}\
${redirect("/full-path-and-host", "{hostname: example.org, path: {type: ReplaceFullPath, replaceFullPath: /replacement-full}}")}\
${redirect("/full-path-and-status", "{path: {type: ReplaceFullPath, replaceFullPath: /replacement-full}, statusCode: 301}")}`));

  it.each([
    ["/original-prefix/lemon", 302, "http://x.example/replacement-prefix/lemon"],
    ["/full/path/original", 302, "http://x.example/full-path-replacement"],
    ["/path-and-host", 302, "http://example.org/replacement-prefix"],
    ["/path-and-status", 301, "http://x.example/replacement-prefix"],
    ["/full-path-and-host", 302, "http://example.org/replacement-full"],
    ["/full-path-and-status", 301, "http://x.example/replacement-full"],
  ])("%s → %d, Location %s", (path, status, location) => {
    const o = c.send("same-namespace", `http://x.example${path}`);
    expect([o.status, o.location]).toEqual([status, location]);
  });
});

describe("HTTPRouteRedirectPortAndScheme (httproute-redirect-port-and-scheme), HTTP listeners", () => {
  const redirect = (prefix: string, r: string) =>
    `  - matches: [{path: {type: PathPrefix, value: ${prefix}}}]\n    filters: [{type: RequestRedirect, requestRedirect: {hostname: example.org${r}}}]\n`;
  const rules = (...xs: [string, string][]) => `  rules:\n${xs.map(([p, r]) => redirect(p, r)).join("")}`;
  const c = conformance([
    gateway("same-namespace-with-http-listener-on-8080", listener("http", 8080)),
    route("http-route-for-listener-on-port-80", `  parentRefs: [{name: same-namespace}]
${rules(["/scheme-nil-and-port-nil", ""], ["/scheme-nil-and-port-80", ", port: 80"], ["/scheme-nil-and-port-8080", ", port: 8080"],
  ["/scheme-https-and-port-nil", ", scheme: https"], ["/scheme-https-and-port-443", ", scheme: https, port: 443"],
  ["/scheme-https-and-port-8443", ", scheme: https, port: 8443"])}`),
    route("http-route-for-listener-on-port-8080", `  parentRefs: [{name: same-namespace-with-http-listener-on-8080}]
${rules(["/scheme-nil-and-port-nil", ""], ["/scheme-nil-and-port-80", ", port: 80"], ["/scheme-https-and-port-nil", ", scheme: https"])}`),
  ].join("---\n"), ["same-namespace", "same-namespace-with-http-listener-on-8080"]);

  it.each([
    ["same-namespace", "http://x.example/scheme-nil-and-port-nil", "http://example.org/scheme-nil-and-port-nil"],
    ["same-namespace", "http://x.example/scheme-nil-and-port-80", "http://example.org/scheme-nil-and-port-80"],
    ["same-namespace", "http://x.example/scheme-nil-and-port-8080", "http://example.org:8080/scheme-nil-and-port-8080"],
    ["same-namespace", "http://x.example/scheme-https-and-port-nil", "https://example.org/scheme-https-and-port-nil"],
    ["same-namespace", "http://x.example/scheme-https-and-port-443", "https://example.org/scheme-https-and-port-443"],
    ["same-namespace", "http://x.example/scheme-https-and-port-8443", "https://example.org:8443/scheme-https-and-port-8443"],
    ["same-namespace-with-http-listener-on-8080", "http://x.example:8080/scheme-nil-and-port-nil", "http://example.org:8080/scheme-nil-and-port-nil"],
    ["same-namespace-with-http-listener-on-8080", "http://x.example:8080/scheme-nil-and-port-80", "http://example.org/scheme-nil-and-port-80"],
    ["same-namespace-with-http-listener-on-8080", "http://x.example:8080/scheme-https-and-port-nil", "https://example.org/scheme-https-and-port-nil"],
  ])("%s: %s → 302 %s", (gw, url, location) => {
    const o = c.send(gw, url);
    expect([o.status, o.location]).toEqual([302, location]);
  });
});

const rules = (...xs: string[]) => `  parentRefs: [{name: same-namespace}]\n  rules:\n${xs.join("")}`;
const prefixRule = (prefix: string, filters: string, backends = "[{name: infra-backend-v1, port: 8080}]") =>
  `  - matches: [{path: {type: PathPrefix, value: ${prefix}}}]\n    filters: ${filters}\n    backendRefs: ${backends}\n`;

describe("HTTPRouteRequestHeaderModifier (httproute-request-header-modifier)", () => {
  const mod = (ops: string) => `[{type: RequestHeaderModifier, requestHeaderModifier: ${ops}}]`;
  const c = conformance(route("request-header-modifier", rules(
    prefixRule("/set", mod("{set: [{name: X-Header-Set, value: set-overwrites-values}]}")),
    prefixRule("/add", mod("{add: [{name: X-Header-Add, value: add-appends-values}]}")),
    prefixRule("/remove", mod("{remove: [X-Header-Remove]}")),
    prefixRule("/case-insensitivity", mod("{set: [{name: X-Header-Set, value: header-set}], add: [{name: X-Header-Add, value: header-add}], remove: [X-Header-Remove]}")),
  )));
  const send = (path: string, headers: Record<string, string>) => c.send("same-namespace", `http://x.example${path}`, headers).headers;

  it("set overwrites, add appends comma-joined, remove removes", () => {
    expect(send("/set", { "Some-Other-Header": "val", "X-Header-Set": "some-other-value" })).toMatchObject({ "x-header-set": "set-overwrites-values", "some-other-header": "val" });
    expect(send("/add", { "Some-Other-Header": "val" })).toMatchObject({ "x-header-add": "add-appends-values" });
    expect(send("/add", { "X-Header-Add": "some-other-value" })).toMatchObject({ "x-header-add": "some-other-value,add-appends-values" });
    expect(send("/remove", { "X-Header-Remove": "val" })).not.toHaveProperty("x-header-remove");
  });

  it("header names are case-insensitive: the filter's canonical names act on the request's lowercase ones", () => {
    const h = send("/case-insensitivity", { "x-header-set": "original-val-set", "x-header-add": "original-val-add", "x-header-remove": "original-val-remove", "Another-Header": "another-header-val" });
    expect(h).toMatchObject({ "x-header-set": "header-set", "x-header-add": "original-val-add,header-add", "another-header": "another-header-val" });
    expect(h).not.toHaveProperty("x-header-remove");
  });
});

describe("HTTPRouteRewritePath (httproute-rewrite-path)", () => {
  const rw = (path: string) => `[{type: URLRewrite, urlRewrite: {path: ${path}}}]`;
  const c = conformance(route("rewrite-path", rules(
    prefixRule("/prefix/one", rw("{type: ReplacePrefixMatch, replacePrefixMatch: /one}")),
    prefixRule("/strip-prefix", rw("{type: ReplacePrefixMatch, replacePrefixMatch: /}")),
    prefixRule("/full/one", rw("{type: ReplaceFullPath, replaceFullPath: /one}")),
    prefixRule("/full/rewrite-path-and-modify-headers", `[{type: URLRewrite, urlRewrite: {path: {type: ReplaceFullPath, replaceFullPath: /test}}}, {type: RequestHeaderModifier, requestHeaderModifier: {set: [{name: X-Header-Set, value: set-overwrites-values}], add: [{name: X-Header-Add, value: header-val-1}], remove: [X-Header-Remove]}}]`),
    prefixRule("/prefix/rewrite-path-and-modify-headers", `[{type: URLRewrite, urlRewrite: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /prefix}}}, {type: RequestHeaderModifier, requestHeaderModifier: {set: [{name: X-Header-Set, value: set-overwrites-values}]}}]`),
  )));

  it.each([
    ["/prefix/one/two", "/one/two"],
    ["/strip-prefix/three", "/three"],
    ["/strip-prefix", "/"],
    ["/full/one/two", "/one"],
    ["/full/rewrite-path-and-modify-headers/test", "/test"],
    ["/prefix/rewrite-path-and-modify-headers/one", "/prefix/one"],
  ])("%s reaches the backend as %s", (path, want) => {
    const o = c.send("same-namespace", `http://x.example${path}`, { "X-Header-Remove": "x" });
    expect([o.backend, o.path]).toEqual(["infra-backend-v1", want]);
  });
});

const service = (name: string, namespace: string) => `apiVersion: v1
kind: Namespace
metadata: {name: ${namespace}}
---
apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: ${namespace}}
spec: {selector: {app: ${name}}, ports: [{name: http, port: 8080}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: ${namespace}}
spec:
  template:
    metadata: {labels: {app: ${name}}}
    spec: {containers: [{name: s, image: s, ports: [{containerPort: 8080}]}]}
`;

const accepted = (c: ReturnType<typeof conformance>, name: string, namespace = NS) => c.route(name, namespace).parents[0]!.conditions.find((x) => x.type === "Accepted")!;
const resolved = (c: ReturnType<typeof conformance>, name: string, namespace = NS) => c.route(name, namespace).parents[0]!.conditions.find((x) => x.type === "ResolvedRefs")!;

describe("attachment: parentRefs, listeners and allowedRoutes", () => {
  const c = conformance([
    gateway("tlsroutes-only", "  - {name: tls, port: 443, protocol: TLS, tls: {mode: Passthrough}, allowedRoutes: {namespaces: {from: Same}, kinds: [{kind: TLSRoute}]}}\n"),
    gateway("two-listeners", listener("a", 80, "a.example.com") + listener("b", 80, "b.example.com")),
    gateway("by-selector", "  - {name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: Selector, selector: {matchLabels: {kubernetes.io/metadata.name: gateway-conformance-web-backend}}}}}\n"),
    service("web-backend", "gateway-conformance-web-backend"),
    route("disallowed-kind", "  parentRefs: [{name: tlsroutes-only}]\n  rules: [{backendRefs: [{name: infra-backend-v1, port: 8080}]}]\n"),
    route("wrong-section", "  parentRefs: [{name: same-namespace, sectionName: nope}]\n  rules: [{backendRefs: [{name: infra-backend-v1, port: 8080}]}]\n"),
    route("wrong-port", "  parentRefs: [{name: same-namespace, port: 81}]\n  rules: [{backendRefs: [{name: infra-backend-v1, port: 8080}]}]\n"),
    route("both-listeners", "  parentRefs: [{name: two-listeners}]\n  rules: [{backendRefs: [{name: infra-backend-v1, port: 8080}]}]\n"),
    `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: invalid-cross-namespace-parent-ref, namespace: gateway-conformance-web-backend}
spec:
  parentRefs: [{name: same-namespace, namespace: ${NS}}]
  rules: [{backendRefs: [{name: web-backend, port: 8080}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: selected, namespace: gateway-conformance-web-backend}
spec:
  parentRefs: [{name: by-selector, namespace: ${NS}}]
  rules: [{backendRefs: [{name: web-backend, port: 8080}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: wrong-namespace-and-hostname, namespace: gateway-conformance-web-backend}
spec:
  parentRefs: [{name: two-listeners, namespace: ${NS}}]
  hostnames: [c.example.com]
  rules: [{backendRefs: [{name: web-backend, port: 8080}]}]
`,
  ].join("---\n"));

  it("an HTTPRoute on a listener that admits only TLSRoutes: NotAllowedByListeners (httproute-disallowed-kind)", () => {
    expect(accepted(c, "disallowed-kind")).toMatchObject({ status: "False", reason: "NotAllowedByListeners" });
  });

  it("a parentRef whose sectionName or port names no listener: NoMatchingParent (httproute-invalid-parentref-not-matching-*)", () => {
    expect(accepted(c, "wrong-section")).toMatchObject({ status: "False", reason: "NoMatchingParent", message: 'sectionName "nope" not found' });
    expect(accepted(c, "wrong-port")).toMatchObject({ status: "False", reason: "NoMatchingParent", message: "port 81 not found" });
  });

  it("a route from another namespace on a listener of from: Same: NotAllowedByListeners (httproute-invalid-cross-namespace-parent-ref)", () => {
    expect(accepted(c, "invalid-cross-namespace-parent-ref", "gateway-conformance-web-backend")).toMatchObject({ status: "False", reason: "NotAllowedByListeners" });
  });

  it("from: Selector sees the kubernetes.io/metadata.name label Kubernetes puts on every namespace", () => {
    expect(accepted(c, "selected", "gateway-conformance-web-backend")).toMatchObject({ status: "True" });
  });

  it("no listener's hostname matches: NoMatchingListenerHostname wins over the namespace (istiod checks hostnames first)", () => {
    expect(accepted(c, "wrong-namespace-and-hostname", "gateway-conformance-web-backend")).toMatchObject({ status: "False", reason: "NoMatchingListenerHostname" });
  });

  it("a parentRef without sectionName binds to every listener that takes it, and says how many", () => {
    expect(accepted(c, "both-listeners")).toMatchObject({ status: "True", message: "Route was valid, bound to 2 parents" });
  });
});

describe("backendRefs that do not resolve, and weights", () => {
  const c = conformance([
    service("app-backend-v1", "gateway-conformance-app-backend").replace(/^apiVersion: v1\nkind: Namespace\nmetadata: \{name: gateway-conformance-app-backend\}\n---\n/, ""),
    service("app-backend-v2", "gateway-conformance-app-backend"),
    `apiVersion: gateway.networking.k8s.io/v1beta1
kind: ReferenceGrant
metadata: {name: invalid-reference-grant, namespace: gateway-conformance-app-backend}
spec:
  from: [{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: ${NS}}]
  to: [{group: "", kind: Service, name: app-backend-v1}]
`,
    route("invalid-reference-grant", `  parentRefs: [{name: same-namespace}]
  hostnames: [grant.example]
  rules:
  - matches: [{path: {type: PathPrefix, value: /v2}}]
    backendRefs: [{name: app-backend-v2, namespace: gateway-conformance-app-backend, port: 8080}]
  - backendRefs: [{name: app-backend-v1, namespace: gateway-conformance-app-backend, port: 8080}]
`),
    route("nonexistent", `  parentRefs: [{name: same-namespace}]
  hostnames: [missing.example]
  rules: [{backendRefs: [{name: nonexistent, port: 8080}]}]
`),
    route("unknown-kind", `  parentRefs: [{name: same-namespace}]
  hostnames: [kind.example]
  rules: [{backendRefs: [{group: unknown.example.com, kind: Unknown, name: infra-backend-v1, port: 8080}]}]
`),
    route("omitted-backendrefs", `  parentRefs: [{name: same-namespace}]
  hostnames: [omitted.example]
  rules:
  - matches: [{path: {type: Exact, value: /omitted-no-forward}}]
  - matches: [{path: {type: Exact, value: /empty-no-forward}}]
    backendRefs: []
  - matches: [{path: {type: Exact, value: /zero-weights}}]
    backendRefs: [{name: infra-backend-v1, port: 8080, weight: 0}, {name: infra-backend-v2, port: 8080, weight: 0}]
  - matches: [{path: {type: Exact, value: /one-zero-weight}}]
    backendRefs: [{name: infra-backend-v1, port: 8080, weight: 0}, {name: infra-backend-v2, port: 8080}]
  - backendRefs: [{name: infra-backend-v1, port: 8080}]
`),
  ].join("---\n"));
  const send = (url: string) => c.send("same-namespace", url);

  it("a backend in another namespace not covered by the ReferenceGrant: RefNotPermitted and 500, the covered one is served (httproute-partially-invalid-via-invalid-reference-grant)", () => {
    expect(resolved(c, "invalid-reference-grant")).toMatchObject({ status: "False", reason: "RefNotPermitted" });
    expect(accepted(c, "invalid-reference-grant")).toMatchObject({ status: "True" });
    expect(send("http://grant.example/v2").status).toBe(500);
    expect(send("http://grant.example/").backend).toBe("app-backend-v1");
  });

  it("a Service that does not exist: BackendNotFound and 500 (httproute-invalid-nonexistent-backendref)", () => {
    expect(resolved(c, "nonexistent")).toMatchObject({ status: "False", reason: "BackendNotFound" });
    expect(send("http://missing.example/").status).toBe(500);
  });

  it("a backendRef of an unknown kind: InvalidKind and 500 (httproute-invalid-backendref-unknown-kind)", () => {
    expect(resolved(c, "unknown-kind")).toMatchObject({ status: "False", reason: "InvalidKind" });
    expect(send("http://kind.example/").status).toBe(500);
  });

  it("no backendRefs, an empty list, or only weight 0: 500; a weight-0 backend gets nothing (httproute-omitted-backendrefs)", () => {
    expect(send("http://omitted.example/omitted-no-forward").status).toBe(500);
    expect(send("http://omitted.example/empty-no-forward").status).toBe(500);
    expect(send("http://omitted.example/zero-weights").status).toBe(500);
    expect(send("http://omitted.example/one-zero-weight").backend).toBe("infra-backend-v2");
    expect(send("http://omitted.example/forward").backend).toBe("infra-backend-v1");
    expect(resolved(c, "omitted-backendrefs")).toMatchObject({ status: "True" });
  });
});

describe("HTTPRouteListenerPortMatching (httproute-listener-port-matching)", () => {
  const gw = "httproute-listener-port-matching";
  const c = conformance([
    gateway(gw, listener("listener-1", 80, "foo.com") + listener("listener-2", 8080, "foo.com") + listener("listener-3", 8080, "bar.com")
      + listener("listener-4", 8090, "foo.com") + listener("listener-5", 8090, "bar.com")),
    route("backend-v1", `  parentRefs: [{name: ${gw}, port: 80}]\n  rules: [{backendRefs: [{name: infra-backend-v1, port: 8080}]}]\n`),
    route("backend-v2", `  parentRefs: [{name: ${gw}, port: 8080}]\n  rules: [{backendRefs: [{name: infra-backend-v2, port: 8080}]}]\n`),
    route("backend-v3", `  parentRefs: [{name: ${gw}, port: 8090, sectionName: listener-4}]\n  rules: [{backendRefs: [{name: infra-backend-v3, port: 8080}]}]\n`),
  ].join("---\n"), [gw]);

  it.each([
    ["http://foo.com/", "infra-backend-v1"],
    ["http://foo.com:8080/", "infra-backend-v2"],
    ["http://bar.com:8080/", "infra-backend-v2"],
    ["http://foo.com:8090/", "infra-backend-v3"],
  ])("%s reaches %s (the routes of the listeners on that port only)", (url, want) => {
    expect(c.send(gw, url).backend).toBe(want);
  });

  it("bar.com:8090 has a listener but no route: 404", () => {
    expect(c.send(gw, "http://bar.com:8090/").status).toBe(404);
  });
});

describe("header names that differ only in case", () => {
  const c = conformance(route("case", rules(
    prefixRule("/set", "[{type: RequestHeaderModifier, requestHeaderModifier: {set: [{name: X-Foo, value: first}, {name: x-foo, value: second}]}}]"),
    `  - matches: [{path: {type: PathPrefix, value: /match}, headers: [{name: foo, value: "1"}, {name: Foo, value: "2"}]}]\n    backendRefs: [{name: infra-backend-v2, port: 8080}]\n`,
  )));

  it("in a header filter both are accepted (the API server compares names as written) and the first wins (HTTPHeader: 'Subsequent entries with an equivalent header name MUST be ignored')", () => {
    expect(c.send("same-namespace", "http://x.example/set").headers).toMatchObject({ "x-foo": "first" });
  });

  it("in a match both are accepted, and istiod requires both (the spec would consider only the first)", () => {
    expect(c.send("same-namespace", "http://x.example/match", { foo: "1" }).status).toBe(404);
  });
});

describe("filters on a backendRef", () => {
  const c = conformance([
    route("backend-header", `  parentRefs: [{name: same-namespace}]
  hostnames: [header.example]
  rules: [{backendRefs: [{name: infra-backend-v1, port: 8080, filters: [{type: RequestHeaderModifier, requestHeaderModifier: {set: [{name: X-Backend, value: v1}]}}]}]}]
`),
    route("backend-rewrite", `  parentRefs: [{name: same-namespace}]
  hostnames: [rewrite.example]
  rules:
  - matches: [{path: {type: PathPrefix, value: /full}}]
    backendRefs: [{name: infra-backend-v1, port: 8080, filters: [{type: URLRewrite, urlRewrite: {path: {type: ReplaceFullPath, replaceFullPath: /rewritten-full}}}]}]
  - backendRefs: [{name: infra-backend-v2, port: 8080}]
`),
  ].join("---\n"));

  it("a header modifier applies to the requests sent to that backend", () => {
    expect(c.send("same-namespace", "http://header.example/").headers).toMatchObject({ "x-backend": "v1" });
  });

  it("any other filter there is InvalidFilter in istiod, and the route yields no routes at all: 404 (httproute-backend-url-rewrite is not met)", () => {
    expect(resolved(c, "backend-rewrite")).toMatchObject({ status: "False", reason: "InvalidFilter", message: 'unsupported filter type "URLRewrite"' });
    expect(c.send("same-namespace", "http://rewrite.example/full/original").status).toBe(404);
    expect(c.send("same-namespace", "http://rewrite.example/other").status).toBe(404);
  });
});

describe("the Deployment istiod generates for a Gateway", () => {
  const c = conformance([
    `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: my-istio}
spec: {controllerName: istio.io/gateway-controller}
`,
    gateway("custom-class", listener("http", 80), { className: "my-istio" }),
    gateway("renamed", listener("http", 80), { annotations: "{gateway.istio.io/name-override: edge, gateway.istio.io/service-account: edge-sa}" }),
  ].join("---\n"), ["custom-class", "renamed"]);
  const pods = [...c.world.pods.values()];

  it("is <gateway>-<gatewayClassName> (GetDefaultName), for a class of Istio's controller other than istio too", () => {
    expect(pods.find((p) => p.workload === "custom-class-my-istio")).toBeDefined();
  });

  it("takes gateway.istio.io/name-override and gateway.istio.io/service-account", () => {
    const pod = pods.find((p) => p.workload === "edge");
    expect(pod?.serviceAccount).toBe("edge-sa");
  });
});

describe("Gateway status", () => {
  const c = conformance([
    gateway("gateway-only-unsupported-protocols", "  - {name: invalid, port: 1111, protocol: INVALID}\n"),
    gateway("gateway-supported-and-unsupported-protocols", "  - {name: http, port: 80, protocol: HTTP}\n  - {name: invalid, port: 1111, protocol: INVALID}\n"),
    gateway("gateway-supported-and-invalid-route-kind", "  - {name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: All}, kinds: [{kind: InvalidRoute}, {kind: HTTPRoute}]}}\n"),
    gateway("conflicts", listener("first", 80, "a.example.com") + "  - {name: second, port: 80, protocol: HTTPS, hostname: a.example.com, allowedRoutes: {namespaces: {from: Same}}}\n"
      + "  - {name: tcp, port: 80, protocol: TCP, allowedRoutes: {namespaces: {from: Same}}}\n" + listener("other", 80, "b.example.com")),
    gateway("two-routes", listener("http", 80) + listener("http-unattached", 8080, "unattached.example.com")),
    route("r1", "  parentRefs: [{name: two-routes, sectionName: http}]\n  rules: [{backendRefs: [{name: infra-backend-v1, port: 8080}]}]\n"),
    route("r2", "  parentRefs: [{name: two-routes, port: 80}]\n  rules: [{backendRefs: [{name: infra-backend-v2, port: 8080}]}]\n"),
    route("on-conflicted", "  parentRefs: [{name: conflicts, sectionName: second}]\n  rules: [{backendRefs: [{name: infra-backend-v2, port: 8080}]}]\n"),
  ].join("---\n"));
  const status = (name: string) => c.world.config.gatewayStatus.find((g) => g.name === name)!;
  const cond = <C extends { type: string }>(cs: readonly C[], type: string): C | undefined => cs.find((x) => x.type === type);

  it("only unsupported protocols: the Gateway is not Accepted (ListenersNotValid), the listener UnsupportedProtocol (gateway-invalid-listeners-unsupported-protocol)", () => {
    const g = status("gateway-only-unsupported-protocols");
    expect(cond(g.conditions, "Accepted")).toMatchObject({ status: "False", reason: "ListenersNotValid" });
    expect(g.listeners[0]!.supportedKinds).toEqual([]);
    expect(cond(g.listeners[0]!.conditions, "Accepted")).toMatchObject({ status: "False", reason: "UnsupportedProtocol", message: 'protocol "INVALID" is unsupported' });
  });

  it("one supported listener: Accepted True with reason ListenersNotValid", () => {
    const g = status("gateway-supported-and-unsupported-protocols");
    expect(cond(g.conditions, "Accepted")).toMatchObject({ status: "True", reason: "ListenersNotValid" });
    expect(g.listeners[0]!.supportedKinds).toEqual([{ group: "gateway.networking.k8s.io", kind: "HTTPRoute" }, { group: "gateway.networking.k8s.io", kind: "GRPCRoute" }]);
  });

  it("allowedRoutes.kinds naming an unknown kind: ResolvedRefs False InvalidRouteKinds, the known kinds kept (gateway-invalid-route-kind)", () => {
    const l = status("gateway-supported-and-invalid-route-kind").listeners[0]!;
    expect(l.supportedKinds).toEqual([{ group: "gateway.networking.k8s.io", kind: "HTTPRoute" }]);
    expect(cond(l.conditions, "ResolvedRefs")).toMatchObject({ status: "False", reason: "InvalidRouteKinds" });
  });

  it("a listener not distinct from an earlier one on its port is Conflicted and takes no routes", () => {
    const ls = status("conflicts").listeners;
    expect(ls.map((l) => [l.name, cond(l.conditions, "Conflicted")!.status, cond(l.conditions, "Conflicted")!.reason])).toEqual([
      ["first", "False", "NoConflicts"], ["second", "True", "ProtocolConflict"], ["tcp", "True", "ProtocolConflict"], ["other", "False", "NoConflicts"],
    ]);
    expect(cond(ls[1]!.conditions, "Accepted")).toMatchObject({ status: "False", reason: "ProtocolConflict" });
    expect(accepted(c, "on-conflicted")).toMatchObject({ status: "False", reason: "NoMatchingParent" });
  });

  it("attachedRoutes counts the routes on each listener; Programmed names the generated Service (gateway-with-attached-routes)", () => {
    const g = status("two-routes");
    expect(g.listeners.map((l) => [l.name, l.attachedRoutes])).toEqual([["http", 2], ["http-unattached", 0]]);
    expect(cond(g.conditions, "Programmed")).toMatchObject({
      status: "True", message: "Resource programmed, assigned to service(s) two-routes-istio.gateway-conformance-infra.svc.cluster.local:80 and two-routes-istio.gateway-conformance-infra.svc.cluster.local:8080",
    });
  });
});

describe("summary.json", () => {
  it("lists each Istio Gateway's status next to the routes'", () => {
    const file = writeScenario({ "sim.yaml": `apiVersion: meshsim.dev/v1alpha1
kind: Simulation
metadata: {name: gateway-status}
spec: {duration: 1s}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {selector: {app: web}, ports: [{name: http, port: 8080}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: s, image: s, ports: [{containerPort: 8080}]}]}
---
${gateway("gw", listener("http", 80)).replace(`namespace: ${NS}`, "namespace: default")}---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web}
spec:
  parentRefs: [{name: gw}]
  rules: [{backendRefs: [{name: web, port: 8080}]}]
` });
    const { summary } = runScenario(loadScenario(file));
    expect(summary.gateways).toEqual([{
      name: "gw", namespace: "default",
      conditions: [
        { type: "Accepted", status: "True", reason: "Accepted", message: "Resource accepted", observedGeneration: 1 },
        { type: "Programmed", status: "True", reason: "Programmed", message: "Resource programmed, assigned to service(s) gw-istio.default.svc.cluster.local:80", observedGeneration: 1 },
        { type: "ResolvedRefs", status: "True", reason: "ResolvedRefs", message: "All references resolved", observedGeneration: 1 },
      ],
      listeners: [{
        name: "http", attachedRoutes: 1,
        supportedKinds: [{ group: "gateway.networking.k8s.io", kind: "HTTPRoute" }, { group: "gateway.networking.k8s.io", kind: "GRPCRoute" }],
        conditions: [
          { type: "Accepted", status: "True", reason: "Accepted", message: "No errors found", observedGeneration: 1 },
          { type: "Programmed", status: "True", reason: "Programmed", message: "No errors found", observedGeneration: 1 },
          { type: "Conflicted", status: "False", reason: "NoConflicts", message: "No errors found", observedGeneration: 1 },
          { type: "ResolvedRefs", status: "True", reason: "ResolvedRefs", message: "No errors found", observedGeneration: 1 },
        ],
      }],
    }]);
  });
});

describe("HTTPRoutePathMatchOrder (httproute-path-match-order) and matching across routes (httproute-matching-across-routes)", () => {
  const m = (type: string, value: string, b: string) => `  - matches: [{path: {type: ${type}, value: ${value}}}]\n    backendRefs: [{name: ${b}, port: 8080}]\n`;
  const c = conformance([
    route("path-matching-order", `  parentRefs: [{name: same-namespace}]\n  hostnames: [order.example]\n  rules:\n${m("Exact", "/match", "infra-backend-v1")}${m("Exact", "/match/exact", "infra-backend-v2")}${m("Exact", "/match/exact/one", "infra-backend-v3")}${m("PathPrefix", "/match/", "infra-backend-v3")}${m("PathPrefix", "/match/prefix/", "infra-backend-v1")}${m("PathPrefix", "/match/prefix/one", "infra-backend-v2")}`),
    route("matching-part1", `  parentRefs: [{name: same-namespace}]
  hostnames: [example.com, example.net]
  rules:
  - matches: [{path: {type: PathPrefix, value: /}}, {headers: [{name: version, value: one}]}]
    backendRefs: [{name: infra-backend-v1, port: 8080}]
`),
    route("matching-part2", `  parentRefs: [{name: same-namespace}]
  hostnames: [example.com]
  rules:
  - matches: [{path: {type: PathPrefix, value: /v2}}, {headers: [{name: version, value: two}]}]
    backendRefs: [{name: infra-backend-v2, port: 8080}]
`),
  ].join("---\n"));

  it.each([
    ["order.example/match/exact/one", "infra-backend-v3"], ["order.example/match/exact", "infra-backend-v2"], ["order.example/match", "infra-backend-v1"],
    ["order.example/match/prefix/one/any", "infra-backend-v2"], ["order.example/match/prefix/any", "infra-backend-v1"], ["order.example/match/any", "infra-backend-v3"],
    ["example.com/", "infra-backend-v1"], ["example.com/example", "infra-backend-v1"], ["example.net/example", "infra-backend-v1"],
    ["example.com/v2", "infra-backend-v2"], ["example.net/v2", "infra-backend-v1"], ["example.com/v2/example", "infra-backend-v2"],
  ])("%s reaches %s", (hostPath, want) => {
    expect(c.send("same-namespace", `http://${hostPath}`).backend).toBe(want);
  });

  it("the header match of a newer route wins over the catch-all of an older one when more specific", () => {
    expect(c.send("same-namespace", "http://example.com/", { Version: "two" }).backend).toBe("infra-backend-v2");
    expect(c.send("same-namespace", "http://example.com/example", { Version: "one" }).backend).toBe("infra-backend-v1");
  });
});

describe("HTTPRouteResponseHeaderModifier (httproute-response-header-modifier) and HTTPRouteRequestMirror / RequestPercentageMirror", () => {
  const mod = (ops: string) => `[{type: ResponseHeaderModifier, responseHeaderModifier: ${ops}}]`;
  const mirror = (extra: string) => `[{type: RequestMirror, requestMirror: {backendRef: {name: infra-backend-v2, port: 8080}${extra}}}]`;
  const c = conformance(route("response-header-modifier", rules(
    prefixRule("/set", mod("{set: [{name: X-Header-Set, value: set-overwrites-values}]}")),
    prefixRule("/add", mod("{add: [{name: X-Header-Add, value: add-appends-values}]}")),
    prefixRule("/remove", mod("{remove: [X-Header-Remove]}")),
    prefixRule("/mirror", mirror("")),
    prefixRule("/percent-mirror", mirror(", percent: 20")),
    prefixRule("/percent-mirror-fraction", mirror(", fraction: {numerator: 25, denominator: 50}")),
  )));
  const send = (path: string, response: Record<string, string> = {}) => c.send("same-namespace", `http://x.example${path}`, {}, "GET", response);

  it("set overwrites, add appends, remove removes the backend's response headers", () => {
    expect(send("/set", { "x-header-set": "original" }).responseHeaders).toMatchObject({ "x-header-set": "set-overwrites-values" });
    expect(send("/add", { "x-header-add": "original" }).responseHeaders).toMatchObject({ "x-header-add": "original,add-appends-values" });
    expect(send("/remove", { "x-header-remove": "x" }).responseHeaders).not.toHaveProperty("x-header-remove");
  });

  it("RequestMirror mirrors every request, or the percent / fraction asked, to the mirror backend", () => {
    const host = "infra-backend-v2.gateway-conformance-infra.svc.cluster.local";
    expect(send("/mirror").mirrors).toEqual([{ host, share: 1 }]);
    expect(send("/percent-mirror").mirrors).toEqual([{ host, share: 0.2 }]);
    expect(send("/percent-mirror-fraction").mirrors).toEqual([{ host, share: 0.5 }]);
    expect(send("/mirror").backend).toBe("infra-backend-v1");
  });
});

describe("HTTPRouteRewriteHost, HTTPRouteWeight, HTTPRouteTimeoutRequest, HTTPRouteTimeoutBackendRequest, retry", () => {
  const timeouts = (prefix: string, t: string, extra = "") => `  - matches: [{path: {type: PathPrefix, value: ${prefix}}}]\n    backendRefs: [{name: infra-backend-v1, port: 8080}]\n    timeouts: ${t}\n${extra}`;
  const c = conformance([
    route("rewrite-host", `  parentRefs: [{name: same-namespace}]
  hostnames: [rewrite.example]
  rules:
  - matches: [{path: {type: PathPrefix, value: /one}}]
    filters: [{type: URLRewrite, urlRewrite: {hostname: one.example.org}}]
    backendRefs: [{name: infra-backend-v1, port: 8080}]
  - filters: [{type: URLRewrite, urlRewrite: {hostname: example.org}}]
    backendRefs: [{name: infra-backend-v2, port: 8080}]
`),
    route("weighted-backends", `  parentRefs: [{name: same-namespace}]
  hostnames: [weight.example]
  rules:
  - backendRefs: [{name: infra-backend-v1, port: 8080, weight: 70}, {name: infra-backend-v2, port: 8080, weight: 30}, {name: infra-backend-v3, port: 8080, weight: 0}]
`),
    route("timeouts", `  parentRefs: [{name: same-namespace}]
  hostnames: [timeout.example]
  rules:
${timeouts("/request-timeout", "{request: 500ms}")}${timeouts("/disable-request-timeout", '{request: "0s"}')}\
${timeouts("/backend-timeout", "{backendRequest: 500ms}")}${timeouts("/backend-timeout-retry", "{request: 2s, backendRequest: 500ms}", "    retry: {attempts: 3, codes: [503]}\n")}`),
  ].join("---\n"));
  const send = (url: string) => c.send("same-namespace", url);

  it("URLRewrite hostname sets the Host the backend sees (httproute-rewrite-host)", () => {
    expect([send("http://rewrite.example/one").backend, send("http://rewrite.example/one").authority]).toEqual(["infra-backend-v1", "one.example.org"]);
    expect([send("http://rewrite.example/two").backend, send("http://rewrite.example/two").authority]).toEqual(["infra-backend-v2", "example.org"]);
  });

  it("weights split the traffic 70/30 and a weight-0 backend gets none (httproute-weight)", () => {
    expect(send("http://weight.example/").weights).toEqual([["infra-backend-v1", 70], ["infra-backend-v2", 30]]);
  });

  it("timeouts.request is the route timeout, 0s none; backendRequest is the route timeout without retry, the per-try timeout with it", () => {
    expect(send("http://timeout.example/request-timeout").timeoutMs).toBe(500);
    expect(send("http://timeout.example/disable-request-timeout").timeoutMs).toBe(0);
    expect(send("http://timeout.example/backend-timeout").timeoutMs).toBe(500);
    const r = send("http://timeout.example/backend-timeout-retry");
    expect([r.timeoutMs, r.retries, r.perTryTimeoutMs]).toEqual([2000, 3, 500]);
  });
});

describe("a backendRef naming a Service by its hostname", () => {
  const c = conformance(route("by-hostname", `  parentRefs: [{name: same-namespace}]
  hostnames: [dotted.example]
  rules:
  - matches: [{path: {type: PathPrefix, value: /dotted}}]
    backendRefs: [{name: infra-backend-v1.gateway-conformance-infra, port: 8080}]
  - backendRefs: [{name: infra-backend-v2, port: 8080}]
`));

  it("is InvalidDestination, a hard error in istiod (not isInvalidBackend): the route has no routes at all", () => {
    expect(resolved(c, "by-hostname")).toMatchObject({ status: "False", reason: "InvalidDestination" });
    expect(c.send("same-namespace", "http://dotted.example/dotted").status).toBe(404);
    expect(c.send("same-namespace", "http://dotted.example/other").status).toBe(404);
  });
});

describe("an ExtensionRef filter", () => {
  const c = conformance(route("extension", `  parentRefs: [{name: same-namespace}]
  hostnames: [extension.example]
  rules:
  - matches: [{path: {type: PathPrefix, value: /ext}}]
    filters: [{type: ExtensionRef, extensionRef: {group: example.com, kind: Thing, name: t}}]
    backendRefs: [{name: infra-backend-v1, port: 8080}]
  - backendRefs: [{name: infra-backend-v2, port: 8080}]
`));

  it("istiod does not convert it: InvalidFilter, and the route has no routes at all", () => {
    expect(resolved(c, "extension")).toMatchObject({ status: "False", reason: "InvalidFilter", message: 'unsupported filter type "ExtensionRef"' });
    expect(c.send("same-namespace", "http://extension.example/other").status).toBe(404);
  });
});

describe("ResolvedRefs with several unresolved references", () => {
  const c = conformance(route("two-missing", `  parentRefs: [{name: same-namespace}]
  hostnames: [missing.example]
  rules:
  - matches: [{path: {type: PathPrefix, value: /a}}]
    backendRefs: [{name: missing-a, port: 8080}]
  - matches: [{path: {type: PathPrefix, value: /b}}]
    filters: [{type: RequestMirror, requestMirror: {backendRef: {name: missing-mirror, port: 8080}}}]
    backendRefs: [{name: missing-b, port: 8080}]
`));

  it("names the last rule's, its backend and mirror errors joined (computeRoute, joinErrors)", () => {
    expect(resolved(c, "two-missing")).toMatchObject({
      status: "False", reason: "BackendNotFound",
      message: "backend(missing-b.gateway-conformance-infra.svc.cluster.local) not found; backend(missing-mirror.gateway-conformance-infra.svc.cluster.local) not found",
    });
    expect(c.send("same-namespace", "http://missing.example/a").status).toBe(500);
  });
});

describe("HTTPRouteQueryParamMatching (httproute-query-param-matching), HTTPRouteMethodMatching, HTTPRouteMultipleGateways", () => {
  const qp = (ps: string) => `queryParams: [${ps}]`;
  const c = conformance([
    gateway("second-gateway", listener("http", 80)),
    route("query-param-matching", `  parentRefs: [{name: same-namespace}]
  hostnames: [query.example]
  rules:
  - matches: [{${qp("{name: animal, value: whale}")}}]
    backendRefs: [{name: infra-backend-v1, port: 8080}]
  - matches: [{${qp("{name: animal, value: dolphin}")}}]
    backendRefs: [{name: infra-backend-v2, port: 8080}]
  - matches: [{${qp("{name: animal, value: dolphin}, {name: color, value: blue}")}}, {${qp("{name: ANIMAL, value: Whale}")}}]
    backendRefs: [{name: infra-backend-v3, port: 8080}]
  - matches: [{path: {type: PathPrefix, value: /path1}, ${qp("{name: animal, value: whale}")}}]
    backendRefs: [{name: infra-backend-v1, port: 8080}]
  - matches: [{headers: [{name: version, value: one}], ${qp("{name: animal, value: whale}")}}]
    backendRefs: [{name: infra-backend-v2, port: 8080}]
`),
    route("method-matching", `  parentRefs: [{name: same-namespace}]
  hostnames: [method.example]
  rules:
  - matches: [{method: POST}]
    backendRefs: [{name: infra-backend-v1, port: 8080}]
  - matches: [{method: GET}]
    backendRefs: [{name: infra-backend-v2, port: 8080}]
`),
    route("multiple-gateways", `  parentRefs: [{name: same-namespace}, {name: second-gateway}]
  hostnames: [multi.example]
  rules: [{backendRefs: [{name: infra-backend-v3, port: 8080}]}]
`),
  ].join("---\n"), ["same-namespace", "second-gateway"]);
  const send = (url: string, headers: Record<string, string> = {}, method = "GET") => c.send("same-namespace", url, headers, method);

  it.each([
    ["/?animal=whale", "infra-backend-v1"], ["/?animal=dolphin", "infra-backend-v2"], ["/?animal=dolphin&color=blue", "infra-backend-v3"],
    ["/?ANIMAL=Whale", "infra-backend-v3"], ["/?animal=whale&otherparam=irrelevant", "infra-backend-v1"], ["/?animal=dolphin&color=yellow", "infra-backend-v2"],
    ["/path1?animal=whale", "infra-backend-v1"],
  ])("query.example%s reaches %s", (path, want) => {
    expect(send(`http://query.example${path}`).backend).toBe(want);
  });

  it.each(["/?color=blue", "/?animal=dog", "/?animal=whaledolphin", "/"])("query.example%s is 404", (path) => {
    expect(send(`http://query.example${path}`).status).toBe(404);
  });

  it("a header and a query parameter in one match must both hold; the method match routes by method", () => {
    expect(send("http://query.example/?animal=whale", { version: "one" }).backend).toBe("infra-backend-v2");
    expect(send("http://method.example/", {}, "POST").backend).toBe("infra-backend-v1");
    expect(send("http://method.example/", {}, "GET").backend).toBe("infra-backend-v2");
    expect(send("http://method.example/", {}, "HEAD").status).toBe(404);
  });

  it("a route with two Gateway parents routes at both", () => {
    expect(c.send("same-namespace", "http://multi.example/").backend).toBe("infra-backend-v3");
    expect(c.send("second-gateway", "http://multi.example/").backend).toBe("infra-backend-v3");
  });
});
