// istiod's pushes as Istio documents them, through the CLI:
// - https://istio.io/latest/docs/ops/best-practices/traffic-management/#avoid-503-errors-while-reconfiguring-service-routes
//   (a VirtualService naming a subset before the DestinationRule defining it reaches the proxy: 503,
//   Envoy flag NC "no cluster", only until the DestinationRule arrives)
// - https://istio.io/latest/docs/ops/deployment/performance-and-scalability/#control-plane-performance
//   (push work grows with the number of proxies) and
//   https://istio.io/latest/docs/reference/config/networking/sidecar/ (a Sidecar narrows what is pushed)
// - https://www.envoyproxy.io/docs/envoy/latest/api-docs/xds_protocol#ack (a NACKed update leaves
//   the proxy on its previous config)
import { describe, expect, it } from "vitest";
import type { Summary } from "../../src/report/summary-types.js";
import { curl, httpbin, ns, simulation, sleep } from "./istio-samples.js";
import { onlyCode, run } from "./meshsim-cli.js";

const v2 = httpbin("foo").replace(/name: httpbin, namespace: foo\}\nspec:\n  selector/, "name: httpbin-v2, namespace: foo}\nspec:\n  selector")
  .replace("labels: {app: httpbin, version: v1}", "labels: {app: httpbin, version: v2}")
  .split("---\n")[1]!;
const samples = [ns("foo", true), ns("istio-system", false), httpbin("foo"), v2, sleep("foo")].join("---\n");
const VS_V2 = "{apiVersion: networking.istio.io/v1, kind: VirtualService, metadata: {name: httpbin, namespace: foo}, spec: {hosts: [httpbin], http: [{route: [{destination: {host: httpbin, subset: v2}}]}]}}";
const DR = "{apiVersion: networking.istio.io/v1, kind: DestinationRule, metadata: {name: httpbin, namespace: foo}, spec: {host: httpbin, subsets: [{name: v1, labels: {version: v1}}, {name: v2, labels: {version: v2}}]}}";

describe("VirtualService before DestinationRule (wrong-order canary)", () => {
  const { summary: s } = run({
    "sim.yaml": [simulation("wrong-order", "6s", `
  timeline:
  - {at: 2s, apply: ${VS_V2}}
  - {at: 4s, apply: ${DR}}`),
    curl("before", "foo", "http://httpbin:8000/ip", { stop: "1.9s" }),
    curl("between", "foo", "http://httpbin:8000/ip", { start: "2.5s", stop: "3.9s" }),
    curl("after", "foo", "http://httpbin:8000/ip", { start: "4.5s" })].join("---\n"),
    "samples.yaml": samples,
  });
  it("gives 503 NC while the proxy holds the VirtualService and not the subset's cluster", () => {
    expect(onlyCode(s, "between")).toBe("503");
    expect(Object.keys(s.clients.between!.flags)).toEqual(["NC"]);
  });
  it("works before and after: the 503s end once the DestinationRule converged", () => {
    expect(onlyCode(s, "before")).toBe("200");
    expect(onlyCode(s, "after")).toBe("200");
    // Before the VirtualService the Service balances over v1 and v2; after it, v2 gets everything.
    const to = (d: string) => s.edges.filter((e) => e.destination === d).reduce((a, e) => a + e.requests, 0);
    expect(to("httpbin") + to("httpbin-v2")).toBe(s.clients.before!.requests + s.clients.after!.requests);
    expect(to("httpbin-v2")).toBeGreaterThanOrEqual(s.clients.after!.requests);
    expect(to("httpbin")).toBeGreaterThan(0);
  });
});

/** n namespaces of 10 sleep-like deployments with one Service each; one change to ns0's service at 1 s. */
function meshOf(namespaces: number, scoped: boolean): Summary {
  const docs: string[] = [ns("istio-system", false)];
  for (let i = 0; i < namespaces; i++) {
    docs.push(ns(`ns${i}`, true));
    for (let j = 0; j < 10; j++) {
      docs.push(httpbin(`ns${i}`).replace(/httpbin/g, `svc${j}`));
    }
  }
  const scope = scoped ? `---
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: default, namespace: istio-system}
spec: {egress: [{hosts: ["./*", "istio-system/*"]}]}
` : "";
  return run({
    "sim.yaml": simulation(`mesh-${namespaces}-${scoped}`, "2s", `
  timeline:
  - {at: 1s, apply: {apiVersion: networking.istio.io/v1, kind: VirtualService, metadata: {name: svc0, namespace: ns0}, spec: {hosts: [svc0], http: [{route: [{destination: {host: svc0}}], timeout: 5s}]}}}`) + scope,
    "samples.yaml": docs.join("---\n"),
  }).summary;
}

describe("convergence", () => {
  const small = meshOf(5, false);
  const large = meshOf(30, false);
  const scoped = meshOf(30, true);
  it("a change is pushed to every proxy, and takes longer to converge with more proxies", () => {
    expect(small.mesh.proxies).toBe(50);
    expect(large.mesh.proxies).toBe(300);
    expect(large.mesh.convergenceMs.max).toBeGreaterThan(small.mesh.convergenceMs.max);
    expect(large.mesh.xdsPushes).toBeGreaterThanOrEqual(300);
  });
  it("a Sidecar limiting egress to the own namespace pushes the change to that namespace only, converging sooner", () => {
    expect(scoped.mesh.xdsPushes).toBeLessThan(large.mesh.xdsPushes);
    expect(scoped.mesh.staleProxiesMax).toBeLessThanOrEqual(10);
    expect(scoped.mesh.convergenceMs.max).toBeLessThan(large.mesh.convergenceMs.max);
  });
});

const DR_DOC = `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: httpbin, namespace: foo}
spec: {host: httpbin, subsets: [{name: v1, labels: {version: v1}}, {name: v2, labels: {version: v2}}]}
`;
const REGEX = `jason|${"[a-z0-9]{1000}".repeat(34)}`;
describe("NACK keeps the previous config", () => {
  // An RE2 program above Envoy's re2.max_program_size.error_level (32768 in Istio's bootstrap) passes
  // istiod's validation but is rejected by every sidecar it reaches (https://github.com/istio/istio/pull/36143).
  const { summary: s } = run({
    "sim.yaml": [simulation("nack", "4s", `
  timeline:
  - {at: 2s, apply: {apiVersion: networking.istio.io/v1, kind: VirtualService, metadata: {name: httpbin, namespace: foo}, spec: {hosts: [httpbin], http: [{match: [{headers: {end-user: {regex: "${REGEX}"}}}], route: [{destination: {host: httpbin, subset: v2}}]}, {route: [{destination: {host: httpbin, subset: v1}}]}]}}}`),
    `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: httpbin, namespace: foo}
spec: {hosts: [httpbin], http: [{route: [{destination: {host: httpbin, subset: v2}}]}]}
---
${DR_DOC}`,
    curl("users", "foo", "http://httpbin:8000/ip")].join("---\n"),
    "samples.yaml": samples,
  });
  it("the rejected VirtualService never applies: all traffic stays on v2, without errors", () => {
    expect(onlyCode(s, "users")).toBe("200");
    expect(s.edges.filter((e) => e.destination === "httpbin").length).toBe(0);
    expect(s.mesh.xdsRejects.rds).toBeGreaterThan(0);
  });
});

describe("istiod down", () => {
  // https://istio.io/latest/docs/ops/deployment/architecture/#istiod : without istiod, proxies keep
  // their last config; a new pod's sidecar gets none and never becomes ready.
  const VS_V1 = VS_V2.replace("subset: v2", "subset: v1");
  const { summary: s } = run({
    "sim.yaml": [simulation("istiod-down", "6s", `
  timeline:
  - {at: 1s, controlPlane: down}
  - {at: 1.5s, apply: ${VS_V1}}
  - {at: 1.5s, scale: {deployment: httpbin, namespace: foo, replicas: 2}}
  - {at: 4s, controlPlane: up}`), DR_DOC,
    curl("during", "foo", "http://httpbin:8000/ip", { start: "2s", stop: "3.9s" }),
    curl("after", "foo", "http://httpbin:8000/ip", { start: "5s" })].join("---\n"),
    "samples.yaml": samples,
  });
  it("a change made while istiod is down is not pushed: v2 still gets traffic during the outage", () => {
    expect(onlyCode(s, "during")).toBe("200");
    // Only "during" can reach v2: after istiod returns the VirtualService sends everything to v1.
    expect(s.pods["httpbin-v2-0.foo"]!.requests).toBeGreaterThan(0);
    expect(s.pods["httpbin-v2-0.foo"]!.requests).toBeLessThanOrEqual(s.clients.during!.requests);
  });
  it("a pod scaled up meanwhile becomes ready (and serves) only once istiod is back", () => {
    expect(onlyCode(s, "after")).toBe("200");
    expect(s.pods["httpbin-1.foo"]!.requests).toBeGreaterThan(0);
    const ready = s.events.find((e) => e.kind === "ready" && JSON.stringify(e.detail).includes("httpbin-1"));
    expect(ready!.t).toBeGreaterThanOrEqual(4);
  });
});
