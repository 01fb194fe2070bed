// GAMMA (Gateway API for service mesh): an HTTPRoute whose parent is a Service routes that Service's
// traffic in its clients' sidecars. A route in the Service's namespace (a producer route) applies to
// every client; one in another namespace (a consumer route) only to the clients of its own namespace,
// and wins there over the producer's. https://gateway-api.sigs.k8s.io/mesh/#route-types ;
// istio/istio pilot/pkg/networking/core/route/route.go ("Gateway allows only routes from the namespace
// of the proxy, or namespace of the destination"), pilot/pkg/model/push_context.go ("consumer override").
import { describe, expect, it } from "vitest";
import { loadScenario, parseCallUrl } from "../../src/scenario/index.js";
import { createWorld } from "../../src/runner/run-scenario.js";
import { targetOf } from "../../src/cli/inspect-commands.js";
import { writeScenario } from "../support/scenario-text.js";

const deployment = (name: string, namespace: string, labels: string) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: ${namespace}}
spec:
  template:
    metadata: {labels: ${labels}}
    spec: {containers: [{name: c, image: c, ports: [{containerPort: 9080}]}]}
`;
const service = (name: string, selector: string) => `apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: shop}
spec: {selector: ${selector}, ports: [{name: http, port: 9080}]}
`;
const route = (name: string, namespace: string, backend: string) => `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: ${name}, namespace: ${namespace}}
spec:
  parentRefs: [{group: "", kind: Service, name: reviews, namespace: shop, port: 9080}]
  rules: [{backendRefs: [{name: ${backend}, namespace: shop, port: 9080}]}]
`;

function world(routes: string[]) {
  const docs = [
    `apiVersion: meshsim.dev/v1alpha1
kind: Simulation
metadata: {name: gamma}
spec: {duration: 1s}
`,
    ...["shop", "a", "b"].map((n) => `apiVersion: v1\nkind: Namespace\nmetadata: {name: ${n}, labels: {istio-injection: enabled}}\n`),
    service("reviews", "{app: reviews}"), service("reviews-v1", "{app: reviews, version: v1}"), service("reviews-v2", "{app: reviews, version: v2}"),
    deployment("reviews-v1", "shop", "{app: reviews, version: v1}"), deployment("reviews-v2", "shop", "{app: reviews, version: v2}"),
    deployment("client", "a", "{app: client}"), deployment("client", "b", "{app: client}"), deployment("client", "shop", "{app: client}"),
    ...routes,
    // Something must send for the sidecars' data plane to be built.
    `apiVersion: meshsim.dev/v1alpha1
kind: LoadGenerator
metadata: {name: probe, namespace: a}
spec: {from: client, target: "http://reviews.shop:9080/", rate: 1}
`,
  ];
  const w = createWorld(loadScenario(writeScenario({ "sim.yaml": docs.join("---\n") }))).world;
  w.advance(0);
  return (clientNamespace: string): string => {
    const pod = [...w.pods.values()].find((p) => p.workload === "client" && p.namespace === clientNamespace)!;
    const u = parseCallUrl("http://reviews.shop:9080/");
    const r = w.sidecars.d.routing.route(pod, { method: "GET", scheme: "http", authority: "reviews.shop:9080", path: "/", headers: {}, target: targetOf(w, pod, u) }, () => 0.5);
    return r.kind === "cluster" ? r.cluster?.name ?? "" : `local ${r.kind === "local" ? r.status : ""}`;
  };
}

describe("GAMMA producer and consumer routes", () => {
  it("a consumer route (in the client's namespace) applies to that namespace's clients only", () => {
    const send = world([route("to-v2", "a", "reviews-v2")]);
    expect(send("a")).toBe("outbound|9080||reviews-v2.shop.svc.cluster.local");
    expect(send("b")).toBe("outbound|9080||reviews.shop.svc.cluster.local");
    expect(send("shop")).toBe("outbound|9080||reviews.shop.svc.cluster.local");
  });

  it("a producer route (in the Service's namespace) applies to every client, and a consumer route overrides it in its namespace", () => {
    const send = world([route("to-v1", "shop", "reviews-v1"), route("to-v2", "a", "reviews-v2")]);
    expect(send("a")).toBe("outbound|9080||reviews-v2.shop.svc.cluster.local");
    expect(send("b")).toBe("outbound|9080||reviews-v1.shop.svc.cluster.local");
    expect(send("shop")).toBe("outbound|9080||reviews-v1.shop.svc.cluster.local");
  });
});
