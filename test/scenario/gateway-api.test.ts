import { describe, expect, it } from "vitest";
import { SIM, load, loadError } from "./scenario-files.js";

const MAIN = `${SIM}spec: {duration: 10s}\n`;

function route(spec: string): Record<string, string> {
  return { "main.yaml": `${MAIN}---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r}
spec:
${spec}` };
}

function errors(files: Record<string, string>): string[] {
  return loadError(files).message.split("\n").map((l) => l.replace(/^.*\/(?=[^/]*:\d+:\d+:)/, ""));
}

describe("Gateway API resources are read with the CRDs' validation", () => {
  it("fills in the CRD defaults: parentRef group/kind, weight 1, path PathPrefix /", () => {
    const s = load(route(`  parentRefs: [{name: gw}]
  rules:
  - backendRefs: [{name: reviews, port: 9080}]
`));
    const r = s.gatewayApi[0]!;
    expect(r.kind).toBe("HTTPRoute");
    if (r.kind !== "HTTPRoute") return;
    expect(r.spec.parentRefs[0]).toEqual({ group: "gateway.networking.k8s.io", kind: "Gateway", name: "gw" });
    expect(r.spec.rules[0]!.backendRefs![0]).toEqual({ group: "", kind: "Service", name: "reviews", port: 9080, weight: 1 });
    expect(r.spec.rules[0]!.matches).toEqual([{ path: { type: "PathPrefix", value: "/" } }]);
  });

  it("a Gateway API Gateway is told apart from Istio's Gateway by its group", () => {
    const s = load({ "main.yaml": `${MAIN}---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: g}
spec:
  gatewayClassName: istio
  listeners: [{name: http, port: 80, protocol: HTTP}]
` });
    expect(s.gateways).toHaveLength(0);
    expect(s.gatewayApi.map((r) => r.kind)).toEqual(["KubernetesGateway"]);
  });

  it("backendRequest longer than request is the CEL rule's error, at its position", () => {
    expect(errors(route(`  parentRefs: [{name: gw}]
  rules:
  - backendRefs: [{name: reviews, port: 9080}]
    timeouts: {request: 1s, backendRequest: 2s}
`))).toEqual(["main.yaml:13:15: error: spec.rules[0].timeouts: backendRequest timeout cannot be longer than request timeout"]);
  });

  it("a PathPrefix not starting with / and a regex that is not RE2 are rejected", () => {
    const out = errors(route(`  parentRefs: [{name: gw}]
  rules:
  - matches:
    - path: {type: PathPrefix, value: api}
    - path: {type: RegularExpression, value: "(?=x)"}
`));
    expect(out).toHaveLength(2);
    expect(out[0]).toMatch(/^main\.yaml:13:\d+: error: spec\.rules\[0\]\.matches\[0\]\.path\.value: value must be an absolute path and start with '\/'/);
    expect(out[1]).toMatch(/^main\.yaml:14:\d+: error: spec\.rules\[0\]\.matches\[1\]\.path\.value: invalid RE2 regular expression/);
  });

  it("a Service backendRef without a port, a weight out of range, a bad duration", () => {
    const out = errors(route(`  parentRefs: [{name: gw}]
  rules:
  - backendRefs: [{name: reviews}, {name: x, port: 1, weight: 1000001}]
    timeouts: {request: 1.5s}
`));
    expect(out.join("\n")).toContain("Must have port for Service reference");
    expect(out.join("\n")).toContain("spec.rules[0].backendRefs[1].weight: must be <= 1000000");
    expect(out.join("\n")).toContain("spec.rules[0].timeouts.request: \"1.5s\" is not a Gateway API duration");
  });

  it("two references to the same parent need a sectionName or port", () => {
    const out = errors(route(`  parentRefs: [{name: gw}, {name: gw}]
  rules: [{backendRefs: [{name: reviews, port: 9080}]}]
`));
    expect(out).toEqual(["main.yaml:10:15: error: spec.parentRefs: sectionName or port must be specified when parentRefs includes 2 or more references to the same parent"]);
  });

  it("RequestRedirect together with backendRefs is rejected", () => {
    const out = errors(route(`  parentRefs: [{name: gw}]
  rules:
  - filters: [{type: RequestRedirect, requestRedirect: {scheme: https}}]
    backendRefs: [{name: reviews, port: 9080}]
`));
    expect(out).toEqual(["main.yaml:12:5: error: spec.rules[0]: RequestRedirect filter must not be used together with backendRefs"]);
  });
});
