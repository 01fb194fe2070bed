// Istio's ingress Gateway as istiod's source builds it (issue 19 audit, docs/model.md "## Ingress").
// Server hosts `ns/host`: istiod offers the host only to VirtualServices in namespace ns ("./" is the
// Gateway's own namespace, "*/" and a bare host are for all): istio/istio
// pilot/pkg/networking/core/gateway.go buildGatewayHTTPRouteConfig (host.NamesForNamespace(server.Hosts,
// virtualService.Namespace)), pilot/pkg/model/gateway.go sanitizeServerHostNamespace.
// https://istio.io/latest/docs/reference/config/networking/gateway/#Server ("hosts")
import { describe, expect, it } from "vitest";
import { curl, httpbin, ns, simulation } from "./istio-samples.js";
import { onlyCode, run } from "./meshsim-cli.js";

const vs = (name: string, namespace: string, host: string) => `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: ${name}, namespace: ${namespace}}
spec:
  hosts: [${host}]
  gateways: [foo/gw]
  http: [{route: [{destination: {host: httpbin.${namespace}.svc.cluster.local, port: {number: 8000}}}]}]
`;
const config = [`apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: gw, namespace: foo}
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: 80, name: http, protocol: HTTP}
    hosts: [foo/a.example.com, bar/b.example.com, ./c.example.com, "*/d.example.com", e.example.com, ./f.example.com]
  - port: {number: 80, name: http-redirect, protocol: HTTP}
    hosts: [r.example.com, s.example.com]
    tls: {httpsRedirect: true}
`,
vs("r-in-foo", "foo", "r.example.com"),
vs("a-in-bar", "bar", "a.example.com"), vs("b-in-bar", "bar", "b.example.com"), vs("c-in-bar", "bar", "c.example.com"),
vs("d-in-bar", "bar", "d.example.com"), vs("e-in-bar", "bar", "e.example.com"), vs("f-in-foo", "foo", "f.example.com"),
// Two VirtualServices for a.example.com: the one in bar is older, but only foo's is offered the host.
vs("a-in-foo", "foo", "a.example.com")].join("---\n");
const client = (host: string) => curl(host, "foo", `http://${host}.example.com/status/200`, { from: "gw" });
const { summary: s } = run({
  "sim.yaml": [simulation("gateway-host-namespaces"), config, ...["a", "b", "c", "d", "e", "f", "r", "s"].map(client)].join("---\n"),
  "samples.yaml": [ns("foo", true), ns("bar", true), ns("istio-system", false), httpbin("foo"), httpbin("bar")].join("---\n"),
});

describe("Gateway server hosts ns/host: only VirtualServices of that namespace route the host", () => {
  it("bar/b, */d and a bare host route to bar's VirtualService: 200", () => {
    expect(["b", "d", "e"].map((h) => onlyCode(s, h))).toEqual(["200", "200", "200"]);
  });
  it("./c is foo's (the Gateway's namespace): bar's VirtualService for c does not apply, 404 NR", () => {
    expect(onlyCode(s, "c")).toBe("404");
    expect(Object.keys(s.clients["c"]!.flags)).toEqual(["NR"]);
  });
  it("./f with a VirtualService in foo: 200", () => expect(onlyCode(s, "f")).toBe("200"));
  it("foo/a: foo's VirtualService routes it, not bar's older one (to httpbin in foo)", () => {
    expect(onlyCode(s, "a")).toBe("200");
    const toService = (prefix: string) => s.edges.filter((e) => e.source === "istio-ingressgateway" && e.service.startsWith(prefix)).reduce((n, e) => n + e.requests, 0);
    const sent = (...hosts: string[]) => hosts.reduce((n, h) => n + s.clients[h]!.requests, 0);
    expect(toService("httpbin.foo.")).toBe(sent("a", "f"));
    expect(toService("httpbin.bar.")).toBe(sent("b", "d", "e"));
  });
});

// tls.httpsRedirect: istiod sets require_tls ALL on the server's virtual hosts, with or without a
// VirtualService (gateway.go buildGatewayHTTPRouteConfig), and Envoy's SslRedirector answers 301.
describe("a server with tls.httpsRedirect", () => {
  it("answers every plain-HTTP request 301, whether a VirtualService routes the host (r) or not (s); nothing reaches httpbin", () => {
    expect([onlyCode(s, "r"), onlyCode(s, "s")]).toEqual(["301", "301"]);
    const toHttpbin = s.edges.filter((e) => e.source === "istio-ingressgateway" && e.service.startsWith("httpbin.")).reduce((n, e) => n + e.requests, 0);
    expect(toHttpbin).toBe(["a", "b", "d", "e", "f"].reduce((n, h) => n + s.clients[h]!.requests, 0));
  });
});
