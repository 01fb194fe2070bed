// Gateway API conformance tests (kubernetes-sigs/gateway-api conformance/tests/*.go with their
// *.yaml), rewritten for meshsim: each case sends the conformance test's request through the Gateway's
// Envoy and expects what the test expects. The manifests are shortened to what each case reads.
// https://github.com/kubernetes-sigs/gateway-api/tree/main/conformance/tests
import { describe, expect, it } from "vitest";
import { conformance, NS } from "./gateway-api-conformance.js";

const route = (name: string, spec: string) => `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: ${name}, namespace: ${NS}}
spec:
${spec}`;

const gateway = (name: string, listeners: string) => `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: ${name}, namespace: ${NS}}
spec:
  gatewayClassName: istio
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
