import { describe, expect, it } from "vitest";
import { analyze, formatMessage } from "../../src/config/analyze.js";
import { initialConfig } from "../../src/config/mesh-config.js";
import { load, SIM } from "../scenario/scenario-files.js";

const BASE = `${SIM}spec: {duration: 10s}
---
apiVersion: v1
kind: Service
metadata: {name: reviews}
spec: {selector: {app: reviews}, ports: [{name: http, port: 9080}]}
`;

function messages(extra: string): string[] {
  const s = load({ "main.yaml": BASE + extra });
  return analyze(initialConfig(s), { deployments: [], services: new Map() }).map(formatMessage);
}

describe("analyze on Gateway API routes", () => {
  it("an HTTPRoute and a VirtualService on the same mesh host: IST0109 naming both and the one sidecars apply", () => {
    const out = messages(`---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews}
spec:
  hosts: [reviews]
  http: [{route: [{destination: {host: reviews}}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: reviews-route}
spec:
  parentRefs: [{group: "", kind: Service, name: reviews, port: 9080}]
  rules: [{backendRefs: [{name: reviews, port: 9080}]}]
`);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(/^Warning \[IST0109\] \(VirtualService reviews\.default\) The VirtualServices VirtualService reviews\.default,HTTPRoute reviews-route\.default associated with mesh gateway define the same host reviews\.default\.svc\.cluster\.local/);
    expect(out[0]).toContain("here VirtualService reviews.default");
  });

  it("a route to a missing Service parent is not Accepted (MSH0101); a missing backend is ResolvedRefs False (MSH0102)", () => {
    const out = messages(`---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: a}
spec:
  parentRefs: [{group: "", kind: Service, name: nope}]
  rules: [{backendRefs: [{name: reviews, port: 9080}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: b}
spec:
  parentRefs: [{group: "", kind: Service, name: reviews}]
  rules: [{backendRefs: [{name: gone, port: 9080}]}]
`);
    expect(out).toEqual([
      "Error [MSH0101] (HTTPRoute a.default) parent Service/nope: Accepted False, reason NoMatchingParent: parent Service default/nope not found",
      "Warning [MSH0102] (HTTPRoute b.default) parent Service/reviews: ResolvedRefs False, reason BackendNotFound: backend(gone.default.svc.cluster.local) not found (the requests routed to that backend get 500)",
    ]);
  });

  it("a valid route says nothing", () => {
    expect(messages(`---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: ok}
spec:
  parentRefs: [{group: "", kind: Service, name: reviews}]
  rules: [{backendRefs: [{name: reviews, port: 9080}]}]
`)).toEqual([]);
  });
  it("a conflicted listener: MSH0103 for each of its False conditions", () => {
    const out = messages(`---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw}
spec:
  gatewayClassName: istio
  listeners:
  - {name: a, port: 80, protocol: HTTP, hostname: a.example.com}
  - {name: b, port: 80, protocol: HTTPS, hostname: a.example.com, allowedRoutes: {namespaces: {from: All}}}
`);
    expect(out).toContain("Error [MSH0103] (Gateway gw.default) listener b: Accepted False, reason ProtocolConflict: Listener has a conflict with another listener attached to the same Gateway (routes cannot attach to it)");
    expect(out.filter((m) => m.includes("MSH0103"))).toHaveLength(2);
  });
});
