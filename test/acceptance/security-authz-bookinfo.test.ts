// Istio's HTTP authorization task on Bookinfo, step by step, each step its own run of the CLI:
// https://istio.io/latest/docs/tasks/security/authorization/authz-http/
// Documented outcomes: allow-nothing → the page says "RBAC: access denied"; + productpage-viewer →
// the page loads with "Error fetching product details" and "...reviews"; + details-viewer and
// reviews-viewer → details and reviews show, "Ratings service currently unavailable"; + ratings-viewer
// → everything works.
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { Summary } from "../../src/report/summary-types.js";
import { run } from "./meshsim-cli.js";

const BOOKINFO = path.resolve(import.meta.dirname, "../../scenarios/bookinfo");
const AP = (name: string, app: string, principal?: string) => `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: ${name}, namespace: default}
spec:
  selector: {matchLabels: {app: ${app}}}
  action: ALLOW
  rules:
  - ${principal === undefined ? "" : `from: [{source: {principals: ["cluster.local/ns/default/sa/${principal}"]}}]\n    `}to: [{operation: {methods: ["GET"]}}]
`;
const STEPS = [
  `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: allow-nothing, namespace: default}
spec: {}
`,
  AP("productpage-viewer", "productpage"),
  AP("details-viewer", "details", "bookinfo-productpage") + "---\n" + AP("reviews-viewer", "reviews", "bookinfo-productpage"),
  AP("ratings-viewer", "ratings", "bookinfo-reviews"),
];

function step(n: number): Summary {
  return run({
    "sim.yaml": `apiVersion: meshsim.dev/v1alpha1
kind: Simulation
metadata: {name: authz-http-step-${n}}
spec:
  seed: 1
  duration: 3s
  include: [${BOOKINFO}/bookinfo.yaml, ${BOOKINFO}/workloads.yaml]
---
apiVersion: meshsim.dev/v1alpha1
kind: LoadGenerator
metadata: {name: browser}
spec: {from: outside, target: http://productpage:9080/productpage, rate: 20}
---
${STEPS.slice(0, n + 1).join("---\n")}`,
  }).summary;
}

/** The codes an edge's (service's) callers got, over all its destination versions. */
function toService(s: Summary, service: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of s.edges) {
    if (e.service !== `${service}.default.svc.cluster.local`) continue;
    for (const [c, k] of Object.entries(e.codes)) out[c] = (out[c] ?? 0) + k;
  }
  return out;
}
const only = (codes: Record<string, number>) => Object.keys(codes);

describe("authz-http task on Bookinfo", () => {
  it("step 1, allow-nothing: the page itself is 403 and nothing else is called", () => {
    const s = step(0);
    expect(only(s.clients.browser!.codes)).toEqual(["403"]);
    expect(toService(s, "details")).toEqual({});
  });
  it("step 2, productpage-viewer: the page loads (200), details and reviews answer productpage 403", () => {
    const s = step(1);
    expect(only(s.clients.browser!.codes)).toEqual(["200"]);
    expect(only(toService(s, "details"))).toEqual(["403"]);
    expect(only(toService(s, "reviews"))).toEqual(["403"]);
  });
  it("step 3, details-viewer and reviews-viewer (principal bookinfo-productpage): both 200, ratings 403", () => {
    const s = step(2);
    expect(only(toService(s, "details"))).toEqual(["200"]);
    expect(only(toService(s, "reviews"))).toEqual(["200"]);
    expect(only(toService(s, "ratings"))).toEqual(["403"]);
  });
  it("step 4, ratings-viewer (principal bookinfo-reviews): every call is 200", () => {
    const s = step(3);
    for (const svc of ["details", "reviews", "ratings"]) expect(only(toService(s, svc))).toEqual(["200"]);
    expect(only(s.clients.browser!.codes)).toEqual(["200"]);
  });
});
