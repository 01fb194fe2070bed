// allowedRoutes.namespaces.selector with matchExpressions: Kubernetes' LabelSelector (In, NotIn,
// Exists, DoesNotExist, ANDed with matchLabels), run by istiod against every namespace's labels
// (pilot/pkg/config/kube/gateway/conversion.go namespacesFromSelector, toNamespaceSet); a selector that
// metav1.LabelSelectorAsSelector refuses admits no namespace. The CRD's own description of the field:
// config/crd/standard/gateway.networking.k8s.io_gateways.yaml ("Valid operators are In, NotIn, Exists
// and DoesNotExist") in kubernetes-sigs/gateway-api.
import { describe, expect, it } from "vitest";
import { conformance, NS } from "./gateway-api-conformance.js";
import { loadScenario } from "../../src/scenario/index.js";
import { writeScenario } from "../support/scenario-text.js";
import { labelSelectorMatches } from "../../src/proxy/label-selector.js";

const namespace = (name: string, labels: string) => `apiVersion: v1
kind: Namespace
metadata: {name: ${name}, labels: {${labels}}}
`;

const gateway = (name: string, selector: string) => `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: ${name}, namespace: ${NS}}
spec:
  gatewayClassName: istio
  listeners:
  - {name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: Selector, selector: ${selector}}}}
`;

const route = (gw: string, ns: string) => `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: to-${gw}, namespace: ${ns}}
spec:
  parentRefs: [{name: ${gw}, namespace: ${NS}}]
  rules: [{backendRefs: [{name: infra-backend-v1, namespace: ${NS}, port: 8080}]}]
`;

describe("allowedRoutes.namespaces.selector.matchExpressions", () => {
  const gateways: [string, string][] = [
    ["in", "{matchExpressions: [{key: env, operator: In, values: [prod, staging]}]}"],
    ["notin", "{matchExpressions: [{key: env, operator: NotIn, values: [prod]}]}"],
    ["exists", "{matchExpressions: [{key: team, operator: Exists}]}"],
    ["doesnotexist", "{matchExpressions: [{key: team, operator: DoesNotExist}]}"],
    ["anded", "{matchLabels: {env: prod}, matchExpressions: [{key: team, operator: In, values: [shop]}]}"],
    ["bad-operator", "{matchExpressions: [{key: env, operator: Equals, values: [prod]}]}"],
  ];
  const namespaces: [string, string][] = [["prod-shop", "env: prod, team: shop"], ["staging", "env: staging"], ["dev", "env: dev, team: web"], ["bare", ""]];
  const docs = [
    ...namespaces.map(([n, l]) => namespace(n, l)),
    ...gateways.map(([g, s]) => gateway(g, s)),
    ...gateways.flatMap(([g]) => namespaces.map(([n]) => route(g, n))),
  ].join("---\n");
  const c = conformance(docs);
  const admitted = (gw: string) => namespaces.map(([n]) => n).filter((n) => c.route(`to-${gw}`, n).parents[0]!.conditions.find((x) => x.type === "Accepted")!.status === "True");

  it.each([
    ["in", ["prod-shop", "staging"]],
    ["notin", ["staging", "dev", "bare"]],
    ["exists", ["prod-shop", "dev"]],
    ["doesnotexist", ["staging", "bare"]],
    ["anded", ["prod-shop"]],
    ["bad-operator", []],
  ])("listener %s admits routes from %j only", (gw, want) => {
    expect(admitted(gw)).toEqual(want);
  });

  it("a refused route says so with istiod's reason", () => {
    expect(c.route("to-in", "dev").parents[0]!.conditions.find((x) => x.type === "Accepted")).toMatchObject({ status: "False", reason: "NotAllowedByListeners" });
  });

  it("an operator Kubernetes refuses is a warning, not an input error (the CRD does not check it)", () => {
    const file = writeScenario({ "sim.yaml": `apiVersion: meshsim.dev/v1alpha1
kind: Simulation
metadata: {name: s}
spec: {duration: 1s}
---
${gateway("g", "{matchExpressions: [{key: env, operator: In}]}").replace(NS, "default")}` });
    const s = loadScenario(file);
    expect(s.warnings.map((w) => w.message).join("\n")).toMatch(/for 'in', 'notin' operators, values set can't be empty: Kubernetes refuses this selector/);
  });

  it("labelSelectorMatches: NotIn matches a namespace without the label, In does not (labels.Requirement.Matches)", () => {
    expect(labelSelectorMatches({ matchLabels: {}, matchExpressions: [{ key: "a", operator: "NotIn", values: ["x"] }] }, {})).toBe(true);
    expect(labelSelectorMatches({ matchLabels: {}, matchExpressions: [{ key: "a", operator: "In", values: ["x"] }] }, {})).toBe(false);
    expect(labelSelectorMatches({ matchLabels: {}, matchExpressions: [{ key: "a", operator: "Exists", values: ["x"] }] }, { a: "x" })).toBe(false);
  });
});
