// `analyze` in ambient mode (issue 16, item 2): Istio's IST0167 and IST0171 where its analyzers have
// them, meshsim's MSH016x otherwise, each tested against the config that triggers it and a near miss.
import { describe, expect, it } from "vitest";
import { analyzeTimeline } from "../../../src/config/analyze-timeline.js";
import { formatMessage } from "../../../src/config/analyze.js";
import { ztunnelAuthorization } from "../../../src/config/ambient/ztunnel-authorization.js";
import type { AuthorizationPolicy } from "../../../src/proxy/api/security.js";
import { scenarioFrom } from "../../support/scenario-text.js";

const base = (mode: string, nsLabels: string, svcLabels = "") => `apiVersion: meshsim.dev/v1alpha1
kind: Simulation
metadata: {name: a}
spec: {duration: 10s, mesh: {mode: ${mode}}}
---
apiVersion: v1
kind: Namespace
metadata: {name: default, labels: {${nsLabels}}}
---
apiVersion: v1
kind: Service
metadata: {name: reviews${svcLabels ? `, labels: {${svcLabels}}` : ""}}
spec: {selector: {app: reviews}, ports: [{name: http, port: 9080}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: reviews-v1}
spec:
  selector: {matchLabels: {app: reviews}}
  template: {metadata: {labels: {app: reviews, version: v1}}, spec: {serviceAccountName: reviews, containers: [{name: r, image: r}]}}
`;
const WAYPOINT = `---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: waypoint}
spec:
  gatewayClassName: istio-waypoint
  listeners: [{name: mesh, port: 15008, protocol: HBONE}]
`;
const AMBIENT_NS = "istio.io/dataplane-mode: ambient";

function messages(text: string): string[] {
  return analyzeTimeline(scenarioFrom(text)).map((t) => formatMessage(t.message));
}

const L7_AP = `---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: get-only}
spec:
  selector: {matchLabels: {app: reviews}}
  action: ALLOW
  rules: [{to: [{operation: {methods: [GET]}}]}]
`;

describe("L7 AuthorizationPolicy enforced by ztunnel", () => {
  it("MSH0160 Error: an ALLOW policy whose every rule is HTTP denies every connection", () => {
    expect(messages(base("ambient", AMBIENT_NS) + L7_AP)).toEqual([
      "Error [MSH0160] (AuthorizationPolicy get-only.default) ZtunnelAccepted: ztunnel does not support HTTP attributes (found: methods). In ambient mode you must use a waypoint proxy to enforce HTTP rules. Within an ALLOW policy, rules matching HTTP attributes are omitted. This will be more restrictive than requested. Here: every connection to reviews-v1.default that no other ALLOW policy allows is denied by ztunnel, a waypoint or not",
    ]);
  });
  it("nothing in sidecar mode, nor when the workload is not ambient", () => {
    expect(messages(base("sidecar", "istio-injection: enabled") + L7_AP)).toEqual([]);
    expect(messages(base("ambient", "") + L7_AP)).toEqual([]);
  });
  it("IST0171: CUSTOM is refused by ztunnel (ZtunnelAccepted False)", () => {
    const custom = L7_AP.replace("action: ALLOW", "action: CUSTOM\n  provider: {name: ext}");
    expect(messages(base("ambient", AMBIENT_NS) + custom)).toEqual([
      "Warning [IST0171] (AuthorizationPolicy get-only.default) A condition with a negative status is present: type=ZtunnelAccepted, reason=UnsupportedValue, message=ztunnel does not support the CUSTOM action.",
    ]);
  });
});

describe("ztunnelAuthorization follows istiod's conversion", () => {
  const ap = (action: "ALLOW" | "DENY", rules: AuthorizationPolicy["spec"]["rules"]): AuthorizationPolicy =>
    ({ kind: "AuthorizationPolicy", apiVersion: "security.istio.io/v1", metadata: { name: "p", namespace: "ns", labels: {}, annotations: {}, creationIndex: 0 }, spec: { action, rules } });
  it.each([
    ["L4 only", ap("ALLOW", [{ from: [{ source: { principals: ["cluster.local/ns/a/sa/b"] } }] }]), "as-written", []],
    ["ALLOW, all HTTP", ap("ALLOW", [{ to: [{ operation: { paths: ["/x"] } }] }]), "deny-all", ["paths"]],
    ["ALLOW, one L4 rule left", ap("ALLOW", [{ to: [{ operation: { paths: ["/x"] } }] }, { from: [{ source: { namespaces: ["a"] } }] }]), "more-restrictive", ["paths"]],
    ["DENY on methods only: no effect", ap("DENY", [{ to: [{ operation: { methods: ["POST"] } }] }]), "no-effect", ["methods"]],
    ["DENY with a port and a method: enforced on the port", ap("DENY", [{ to: [{ operation: { methods: ["POST"], ports: ["8080"] } }] }]), "more-restrictive", ["methods"]],
    ["a when on request.headers is HTTP", ap("ALLOW", [{ when: [{ key: "request.headers[x]", values: ["1"] }] }]), "deny-all", ["request.headers[x]"]],
    // hasEffectiveRules: the `to` clause keeps a non-empty match (the ports entry), so the DENY fires.
    ["DENY with a methods entry beside a ports entry: enforced on the port", ap("DENY", [{ to: [{ operation: { methods: ["POST"] } }, { operation: { ports: ["8080"] } }] }]), "more-restrictive", ["methods"]],
    ["DENY on requestPrincipals only: no effect", ap("DENY", [{ from: [{ source: { requestPrincipals: ["*"] } }] }]), "no-effect", ["requestPrincipals"]],
    ["a when on remote.ip is HTTP for ztunnel", ap("ALLOW", [{ when: [{ key: "remote.ip", values: ["10.0.0.1"] }] }]), "deny-all", ["remote.ip"]],
    ["a when on source.namespace is L4", ap("ALLOW", [{ when: [{ key: "source.namespace", values: ["a"] }] }]), "as-written", []],
  ] as const)("%s", (_n, policy, effect, attrs) => {
    const z = ztunnelAuthorization(policy);
    expect(z.effect).toBe(effect);
    expect(z.httpAttributes).toEqual(attrs);
  });
});

describe("routing config without a waypoint", () => {
  const VS = `---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews}
spec: {hosts: [reviews], http: [{fault: {abort: {httpStatus: 500, percentage: {value: 50}}}, route: [{destination: {host: reviews}}]}]}
`;
  it("MSH0163: a VirtualService's faults no longer apply for ambient clients", () => {
    const m = messages(base("ambient", AMBIENT_NS) + VS);
    expect(m).toHaveLength(1);
    expect(m[0]).toMatch(/^Warning \[MSH0163\] \(VirtualService reviews\.default\) routes reviews\.default\.svc\.cluster\.local, whose Service has no waypoint: .*fault injection no longer apply/);
  });
  it("MSH0164 Info with a waypoint: VirtualService is Alpha there, and the only way to inject faults", () => {
    const m = messages(base("ambient", `${AMBIENT_NS}, istio.io/use-waypoint: waypoint`) + WAYPOINT + VS);
    expect(m).toEqual(["Info [MSH0164] (VirtualService reviews.default) routes reviews.default.svc.cluster.local on waypoint default/waypoint: VirtualService on a waypoint is Alpha in ambient mode; Gateway API has no fault-injection field, so this VirtualService is the only way to keep it"]);
  });
  it("MSH0167: DestinationRule policy only in an Envoy", () => {
    const dr = "---\napiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: reviews}\nspec: {host: reviews, trafficPolicy: {outlierDetection: {consecutive5xxErrors: 1}}}\n";
    expect(messages(base("ambient", AMBIENT_NS) + dr)[0]).toMatch(/^Warning \[MSH0167\] \(DestinationRule reviews\.default\) outlierDetection for reviews/);
    expect(messages(base("ambient", `${AMBIENT_NS}, istio.io/use-waypoint: waypoint`) + WAYPOINT + dr)).toEqual([]);
  });
});

describe("HTTPRoute and subsets with a waypoint", () => {
  const ROUTE = `---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: reviews}
spec:
  parentRefs: [{group: "", kind: Service, name: reviews, port: 9080}]
  rules: [{backendRefs: [{name: reviews, port: 9080}]}]
`;
  const DR = "---\napiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: reviews}\nspec: {host: reviews, subsets: [{name: v1, labels: {version: v1}}]}\n";
  it("MSH0166: subsets cannot be selected by HTTPRoute on a waypoint", () => {
    const m = messages(base("ambient", `${AMBIENT_NS}, istio.io/use-waypoint: waypoint`) + WAYPOINT + ROUTE + DR);
    expect(m).toEqual(["Warning [MSH0166] (DestinationRule reviews.default) subsets v1 of reviews.default.svc.cluster.local cannot be selected by HTTPRoute (reviews.default), which the waypoint applies: subsets are not supported by waypoints with HTTPRoute; create one Service per version"]);
  });
  it("MSH0165: an HTTPRoute on a Service with no use-waypoint label is not respected", () => {
    expect(messages(base("ambient", AMBIENT_NS) + ROUTE)).toEqual(["Warning [MSH0165] (HTTPRoute reviews.default) parent Service/reviews: ResolvedWaypoints False, reason MissingUseWaypointLabel: istio.io/use-waypoint label missing from parent and parent namespace; in ambient mode, route will not be respected"]);
  });
});

describe("waypoints, bindings, Sidecar and PeerAuthentication", () => {
  it("IST0171 on the Service when its waypoint does not exist", () => {
    expect(messages(base("ambient", AMBIENT_NS, "istio.io/use-waypoint: missing"))).toEqual([
      'Warning [IST0171] (Service reviews.default) A condition with a negative status is present: type=istio.io/WaypointBound, reason=WaypointIsNotReady, message=waypoint "default/missing" is not ready.',
    ]);
  });
  it("MSH0168: a waypoint listener that is not 15008/HBONE", () => {
    expect(messages(base("ambient", AMBIENT_NS) + WAYPOINT.replace("port: 15008, protocol: HBONE", "port: 8080, protocol: HTTP"))).toEqual([
      'Error [MSH0168] (Gateway waypoint.default) listener mesh: Accepted False, reason UnsupportedProtocol: Expected a single listener on port 15008 with protocol "HBONE" (ztunnel cannot reach the waypoint through it)',
    ]);
  });
  it("IST0167: a Sidecar resource in an ambient namespace or on an ambient workload", () => {
    const sc = "---\napiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {name: default}\nspec: {egress: [{hosts: ['./*']}]}\n";
    expect(messages(base("ambient", AMBIENT_NS) + sc)).toEqual(["Warning [IST0167] (Sidecar default.default) The policy has no impact: namespace is in ambient mode, the policy has no impact."]);
    const selected = sc.replace("spec: {", "spec: {workloadSelector: {labels: {app: reviews}}, ");
    expect(messages(base("ambient", AMBIENT_NS) + selected)).toEqual(["Warning [IST0167] (Sidecar default.default) The policy has no impact: selected workload is in ambient mode, the policy has no impact."]);
  });
  it("MSH0162: PeerAuthentication DISABLE is ignored for ambient workloads", () => {
    const pa = "---\napiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: default}\nspec: {mtls: {mode: DISABLE}}\n";
    expect(messages(base("ambient", AMBIENT_NS) + pa)[0]).toMatch(/^Warning \[MSH0162\] \(PeerAuthentication default\.default\) mTLS mode DISABLE is ignored for ambient workloads \(reviews-v1\.default\)/);
    expect(messages(base("sidecar", "istio-injection: enabled") + pa)).toEqual([]);
  });
});
