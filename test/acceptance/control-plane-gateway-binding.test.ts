// Which VirtualServices apply where, as Istio documents `gateways`:
// https://istio.io/latest/docs/reference/config/networking/virtual-service/#VirtualService-gateways
// ("The reserved word mesh is used to imply all the sidecars in the mesh. When this field is omitted,
// the default gateway (mesh) will be used"; a VirtualService that names gateways applies to them only
// unless it lists mesh too) and https://istio.io/latest/docs/tasks/traffic-management/ingress/ingress-control/
// (a request the gateway has no route for: 404).
import { describe, expect, it } from "vitest";
import { curl, httpbin, ns, simulation, sleep } from "./istio-samples.js";
import { onlyCode, run } from "./meshsim-cli.js";

const samples = [ns("foo", true), ns("istio-system", false), httpbin("foo"), sleep("foo")].join("---\n");
const config = `apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: httpbin-gateway, namespace: foo}
spec:
  selector: {istio: ingressgateway}
  servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: [httpbin.example.com, other.example.com]}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: httpbin-ingress, namespace: foo}
spec:
  hosts: [httpbin.example.com]
  gateways: [httpbin-gateway]
  http:
  - match: [{uri: {prefix: /status}}, {uri: {prefix: /delay}}]
    route: [{destination: {host: httpbin.foo.svc.cluster.local, port: {number: 8000}}}]
---
# Bound to the gateway only: its abort must not touch sidecar-to-sidecar traffic to httpbin.
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: httpbin-gateway-only-fault, namespace: foo}
spec:
  hosts: [httpbin.foo.svc.cluster.local]
  gateways: [httpbin-gateway]
  http: [{fault: {abort: {httpStatus: 500, percentage: {value: 100}}}, route: [{destination: {host: httpbin.foo.svc.cluster.local}}]}]
---
# No gateways: mesh only — it never routes at the ingress gateway.
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: other-mesh-only, namespace: foo}
spec:
  hosts: [other.example.com]
  http: [{route: [{destination: {host: httpbin.foo.svc.cluster.local}}]}]
`;
const gw = (name: string, target: string) => curl(name, "foo", target, { from: "httpbin-gateway" });
const { summary: s } = run({
  "sim.yaml": [simulation("gateway-binding"), config,
    gw("ingress-status", "http://httpbin.example.com/status/200"),
    gw("ingress-unknown-path", "http://httpbin.example.com/headers"),
    gw("ingress-mesh-only-vs", "http://other.example.com/status/200"),
    curl("sidecar-to-httpbin", "foo", "http://httpbin.foo:8000/status/200")].join("---\n"),
  "samples.yaml": samples,
});

describe("Gateway + VirtualService bound with gateways:", () => {
  it("a matched path is routed from the gateway to the service: 200", () => expect(onlyCode(s, "ingress-status")).toBe("200"));
  it("a path the bound VirtualService does not match gets 404 NR from the gateway", () => {
    expect(onlyCode(s, "ingress-unknown-path")).toBe("404");
    expect(Object.keys(s.clients["ingress-unknown-path"]!.flags)).toEqual(["NR"]);
  });
  it("a VirtualService without gateways (mesh) does not apply at the gateway: 404 NR", () => {
    expect(onlyCode(s, "ingress-mesh-only-vs")).toBe("404");
  });
  it("a VirtualService bound to the gateway only does not apply to sidecars", () => {
    expect(onlyCode(s, "sidecar-to-httpbin")).toBe("200");
  });
  it("the gateway's hop is an edge from istio-ingressgateway", () => {
    expect(s.edges.some((e) => e.source === "istio-ingressgateway" && e.destination === "httpbin")).toBe(true);
  });
});
