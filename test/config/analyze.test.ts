import { describe, expect, it } from "vitest";
import { analyzeTimeline } from "../../src/config/analyze-timeline.js";
import { formatMessage } from "../../src/config/analyze.js";
import { scenarioFrom } from "../support/scenario-text.js";

const BASE = `apiVersion: meshsim.dev/v1alpha1
kind: Simulation
metadata: {name: a}
spec:
  duration: 10s
  TIMELINE
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {selector: {app: web}, ports: [{name: http, port: 80, targetPort: 8080}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template: {metadata: {labels: {app: web}}, spec: {serviceAccountName: web, containers: [{name: w, image: w}]}}
`;

function messages(extra: string, timeline = ""): string[] {
  return analyzeTimeline(scenarioFrom(BASE.replace("TIMELINE", timeline) + extra)).map((t) => formatMessage(t.message));
}

describe("analyze", () => {
  it("finds nothing in a clean scenario", () => {
    expect(messages("")).toEqual([]);
  });

  it("IST0101: a VirtualService bound to a missing Gateway", () => {
    expect(messages(`---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: web}
spec: {hosts: ["*"], gateways: [web-gateway-bogus], http: [{route: [{destination: {host: web}}]}]}
`)).toEqual(['Error [IST0101] (VirtualService web.default) Referenced gateway not found: "web-gateway-bogus"']);
  });

  it("MSH0001: tls.mode DISABLE toward STRICT workloads; nothing when the workloads are PERMISSIVE", () => {
    const dr = `---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: web}
spec: {host: web, trafficPolicy: {tls: {mode: DISABLE}}}
`;
    const strict = `---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: default}
spec: {mtls: {mode: STRICT}}
`;
    expect(messages(dr)).toEqual([]);
    const m = messages(dr + strict);
    expect(m).toHaveLength(1);
    expect(m[0]).toMatch(/^Error \[MSH0001\] \(DestinationRule web\.default\) .*503 UC/);
  });

  it("MSH0002/MSH0003: principals nobody has, and principals on a workload that only takes plaintext", () => {
    const ap = (principal: string) => `---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: p, namespace: default}
spec:
  selector: {matchLabels: {app: web}}
  rules: [{from: [{source: {principals: ["${principal}"]}}]}]
`;
    expect(messages(ap("cluster.local/ns/default/sa/web"))).toEqual([]);
    expect(messages(ap("cluster.local/ns/default/sa/nobody"))[0]).toMatch(/MSH0002.*never matches/);
    const disable = `---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: web, namespace: default}
spec: {selector: {matchLabels: {app: web}}, mtls: {mode: DISABLE}}
`;
    expect(messages(ap("cluster.local/ns/default/sa/web") + disable)[0]).toMatch(/MSH0003.*accepts plaintext only/);
  });

  it("IST0127: an AuthorizationPolicy selecting no workload", () => {
    expect(messages(`---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: p, namespace: default}
spec: {selector: {matchLabels: {app: nope}}}
`)).toEqual(["Warning [IST0127] (AuthorizationPolicy p.default) No matching workloads for this resource with the following labels: app=nope"]);
  });

  it("reports a mistake with the simulated times it holds on the timeline", () => {
    const t = analyzeTimeline(scenarioFrom(BASE.replace("TIMELINE", `timeline:
  - at: 3s
    apply: {apiVersion: networking.istio.io/v1, kind: VirtualService, metadata: {name: web}, spec: {hosts: [web], http: [{route: [{destination: {host: web, subset: v2}}]}]}}
  - at: 5s
    apply: {apiVersion: networking.istio.io/v1, kind: DestinationRule, metadata: {name: web}, spec: {host: web, subsets: [{name: v2, labels: {version: v2}}]}}`)));
    expect(t).toHaveLength(1);
    expect([t[0]!.fromMs, t[0]!.untilMs, t[0]!.message.code]).toEqual([3000, 5000, "IST0101"]);
  });
});
