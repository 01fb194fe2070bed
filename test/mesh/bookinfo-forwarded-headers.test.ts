// The headers Bookinfo's apps copy onto their calls, as the sample's source does (istio/istio at
// 86c9f01f, samples/bookinfo/src):
// - productpage/productpage.py getForwardHeaders: x-request-id and the trace headers, `user-agent`,
//   `cookie`, `authorization`, `jwt`, and `end-user` (from the login session: meshsim's load sets the
//   header instead) onto its calls to details and reviews.
// - reviews/.../LibertyRestEndpoint.java headers_to_propagate: the same, `end-user` included, onto
//   its call to ratings.
// So a route on one of those headers deeper in the mesh sees it: here reviews goes to v2 (which
// calls ratings) for a request whose `cookie` has user=jason (the cookie regex of Istio's examples),
// and ratings answers 500 for a request with an `authorization` header, which reviews v2 then shows
// as "ratings unavailable" inside its 200.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadScenario } from "../../src/scenario/index.js";
import { runScenario } from "../../src/runner/run-scenario.js";
import { writeScenario } from "../support/scenario-text.js";

const BOOKINFO = path.resolve(import.meta.dirname, "../../scenarios/bookinfo");
const read = (f: string) => fs.readFileSync(path.join(BOOKINFO, f), "utf8");

describe("Bookinfo's forwarded headers (productpage.py getForwardHeaders, reviews' headers_to_propagate)", () => {
  it("cookie reaches reviews' route, authorization reaches ratings' route", () => {
    const file = writeScenario({
      "s.yaml": `apiVersion: meshsim.dev/v1alpha1
kind: Simulation
metadata: {name: forwarded-headers}
spec:
  seed: 1
  duration: 20s
  warmup: 2s
  include: [bookinfo.yaml, workloads.yaml, networking/destination-rule-all.yaml]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews}
spec:
  hosts: [reviews]
  http:
  - match: [{headers: {cookie: {regex: "^(.*?;)?(user=jason)(;.*)?$"}}}]
    route: [{destination: {host: reviews, subset: v2}}]
  - route: [{destination: {host: reviews, subset: v1}}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: ratings}
spec:
  hosts: [ratings]
  http:
  - match: [{headers: {authorization: {prefix: "Bearer "}}}]
    fault: {abort: {percentage: {value: 100}, httpStatus: 500}}
    route: [{destination: {host: ratings, subset: v1}}]
  - route: [{destination: {host: ratings, subset: v1}}]
---
apiVersion: meshsim.dev/v1alpha1
kind: LoadGenerator
metadata: {name: jason}
spec:
  target: http://productpage:9080/productpage
  rate: 20
  headers: [{fraction: 0.5, set: {cookie: "user=jason;session=1", authorization: "Bearer abc"}}, {fraction: 0.5, set: {cookie: "user=jason"}}]
`,
      "bookinfo.yaml": read("bookinfo.yaml"),
      "workloads.yaml": read("workloads.yaml"),
      "networking/destination-rule-all.yaml": read("networking/destination-rule-all.yaml"),
    });
    const s = runScenario(loadScenario(file), { seed: 1 }).summary;
    const edge = (src: string, dst: string) => s.edges.find((e) => e.source === src && e.destination === dst && e.reporter === "source");
    // Every page's reviews call went to v2: productpage forwarded the cookie.
    expect(edge("productpage-v1", "reviews-v2")?.requests ?? 0).toBeGreaterThan(100);
    expect(edge("productpage-v1", "reviews-v1")?.requests ?? 0).toBe(0);
    // reviews v2 forwarded authorization on its ratings calls: about half were aborted by its own
    // sidecar (flag FI; Istio reports no destination for them), the others reached ratings.
    const reached = edge("reviews-v2", "ratings-v1")?.requests ?? 0;
    const aborted = edge("reviews-v2", "unknown")?.flags["FI"] ?? 0;
    expect(aborted / (aborted + reached)).toBeGreaterThan(0.35);
    expect(aborted / (aborted + reached)).toBeLessThan(0.65);
  }, 60_000);
});
