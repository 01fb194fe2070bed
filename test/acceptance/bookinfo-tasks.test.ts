// Istio's Bookinfo traffic-management tasks, checked against the outcomes their pages document.
// The apps are written here from what the task pages say about them, not from meshsim's shipped
// workloads: productpage calls reviews with a 3 s timeout and one retry ("3s + 1 retry for 6s
// total", fault-injection task), reviews v2 calls ratings with a 10 s timeout and v3 with 2.5 s;
// a failed call is shown inside the page ("Sorry, product reviews are currently unavailable",
// "Ratings service is currently unavailable"), so the page itself is a 200.
import { describe, expect, it } from "vitest";
import { BOOKINFO, edgeRequests, edges, runCli } from "./meshsim-cli.js";

const APPS = `
apiVersion: meshsim.dev/v1alpha1
kind: Workload
metadata: {name: productpage}
spec:
  selector: {app: productpage}
  script:
  - compute: 2ms
  - call: {to: http://details:9080/details/0, timeout: 3s, onError: continue, forwardHeaders: [end-user]}
  - call: {to: http://reviews:9080/reviews/0, timeout: 3s, retries: 1, onError: continue, forwardHeaders: [end-user]}
---
apiVersion: meshsim.dev/v1alpha1
kind: Workload
metadata: {name: details}
spec: {selector: {app: details}, serviceTime: 1ms}
---
apiVersion: meshsim.dev/v1alpha1
kind: Workload
metadata: {name: ratings}
spec: {selector: {app: ratings}, serviceTime: 1ms}
---
apiVersion: meshsim.dev/v1alpha1
kind: Workload
metadata: {name: reviews}
spec:
  selector: {app: reviews}
  serviceTime: 2ms
  versions:
    v2: {script: [{compute: 2ms}, {call: {to: http://ratings:9080/ratings/0, timeout: 10s, onError: continue, forwardHeaders: [end-user]}}]}
    v3: {script: [{compute: 2ms}, {call: {to: http://ratings:9080/ratings/0, timeout: 2500ms, onError: continue, forwardHeaders: [end-user]}}]}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews}
spec:
  host: reviews
  subsets:
  - {name: v1, labels: {version: v1}}
  - {name: v2, labels: {version: v2}}
  - {name: v3, labels: {version: v3}}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: ratings}
spec:
  host: ratings
  subsets:
  - {name: v1, labels: {version: v1}}
`;

function bookinfo(name: string, duration: string, rest: string): string {
  return `apiVersion: meshsim.dev/v1alpha1
kind: Simulation
metadata: {name: ${name}}
spec:
  seed: 7
  duration: ${duration}
  warmup: 1s
  include: [${BOOKINFO}]
---${APPS}---
${rest}`;
}

const USERS = (rate: number) => `apiVersion: meshsim.dev/v1alpha1
kind: LoadGenerator
metadata: {name: users}
spec: {from: outside, target: http://productpage:9080/productpage, rate: ${rate}}`;
const JASON = (rate: number) => `apiVersion: meshsim.dev/v1alpha1
kind: LoadGenerator
metadata: {name: jason}
spec:
  from: outside
  target: http://productpage:9080/productpage
  rate: ${rate}
  headers: [{fraction: 1, set: {end-user: jason}}]`;

const REVIEWS_JASON_V2 = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews}
spec:
  hosts: [reviews]
  http:
  - match: [{headers: {end-user: {exact: jason}}}]
    route: [{destination: {host: reviews, subset: v2}}]
  - route: [{destination: {host: reviews, subset: v1}}]`;

/** |observed − n·p| within 3 standard deviations of a binomial(n, p). */
function withinThreeSigma(observed: number, n: number, p: number): void {
  const sigma = Math.sqrt(n * p * (1 - p));
  expect(Math.abs(observed - n * p)).toBeLessThan(3 * sigma);
}

// https://istio.io/latest/docs/tasks/traffic-management/request-routing/
describe.concurrent("Istio task: Request Routing", () => {
  it("virtual-service-all-v1: every reviews request goes to v1, so the page never shows stars (no ratings call)", async () => {
    const s = await runCli(bookinfo("acc-route-all-v1", "20s", `${USERS(50)}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews}
spec:
  hosts: [reviews]
  http: [{route: [{destination: {host: reviews, subset: v1}}]}]
`));
    const pages = s.clients["users"]!.requests;
    expect(pages).toBeGreaterThan(800);
    expect(edgeRequests(s, "productpage-v1", "reviews-v1")).toBe(pages);
    expect(edgeRequests(s, "productpage-v1", "reviews-v2") + edgeRequests(s, "productpage-v1", "reviews-v3")).toBe(0);
    expect(edges(s, "reviews-v2").length + edges(s, "reviews-v3").length).toBe(0);
    expect(s.clients["users"]!.errorRate).toBe(0);
  });

  it("virtual-service-reviews-test-v2: jason (end-user header) sees v2's black stars, everyone else v1", async () => {
    const s = await runCli(bookinfo("acc-route-jason", "20s", `${USERS(40)}
---
${JASON(10)}
---
${REVIEWS_JASON_V2}
`));
    const users = s.clients["users"]!.requests;
    const jason = s.clients["jason"]!.requests;
    expect(jason).toBeGreaterThan(100);
    expect(edgeRequests(s, "productpage-v1", "reviews-v2")).toBe(jason);
    expect(edgeRequests(s, "productpage-v1", "reviews-v1")).toBe(users);
    expect(edgeRequests(s, "reviews-v2", "ratings-v1")).toBe(jason);
    expect(edgeRequests(s, "productpage-v1", "reviews-v3")).toBe(0);
  });
});

// https://istio.io/latest/docs/tasks/traffic-management/traffic-shifting/
describe.concurrent("Istio task: Traffic Shifting", () => {
  function shifted(name: string, weights: Record<string, number>) {
    const route = Object.entries(weights)
      .map(([v, w]) => `{destination: {host: reviews, subset: ${v}}, weight: ${w}}`)
      .join(", ");
    return runCli(bookinfo(name, "30s", `${USERS(80)}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews}
spec:
  hosts: [reviews]
  http: [{route: [${route}]}]
`));
  }

  it("virtual-service-reviews-50-v3: v1 and v3 each get half of the requests (within 3σ), v2 none", async () => {
    const s = await shifted("acc-shift-50", { v1: 50, v3: 50 });
    const n = s.clients["users"]!.requests;
    withinThreeSigma(edgeRequests(s, "productpage-v1", "reviews-v1"), n, 0.5);
    withinThreeSigma(edgeRequests(s, "productpage-v1", "reviews-v3"), n, 0.5);
    expect(edgeRequests(s, "productpage-v1", "reviews-v2")).toBe(0);
    // Only v3 calls ratings (red stars); v1 shows none.
    expect(edgeRequests(s, "reviews-v3", "ratings-v1")).toBe(edgeRequests(s, "productpage-v1", "reviews-v3"));
  });

  it("80/20 weights: v1 gets 80 % and v3 20 % (within 3σ)", async () => {
    const s = await shifted("acc-shift-80", { v1: 80, v3: 20 });
    const n = s.clients["users"]!.requests;
    withinThreeSigma(edgeRequests(s, "productpage-v1", "reviews-v1"), n, 0.8);
    withinThreeSigma(edgeRequests(s, "productpage-v1", "reviews-v3"), n, 0.2);
  });

  it("three destinations 60/30/10: each version gets its weight's share (within 3σ)", async () => {
    const s = await shifted("acc-shift-3", { v1: 60, v2: 30, v3: 10 });
    const n = s.clients["users"]!.requests;
    withinThreeSigma(edgeRequests(s, "productpage-v1", "reviews-v1"), n, 0.6);
    withinThreeSigma(edgeRequests(s, "productpage-v1", "reviews-v2"), n, 0.3);
    withinThreeSigma(edgeRequests(s, "productpage-v1", "reviews-v3"), n, 0.1);
  });

  it("virtual-service-reviews-v3: one destination gets 100 %", async () => {
    const s = await shifted("acc-shift-100", { v3: 100 });
    expect(edgeRequests(s, "productpage-v1", "reviews-v3")).toBe(s.clients["users"]!.requests);
  });
});

// https://istio.io/latest/docs/tasks/traffic-management/fault-injection/
describe.concurrent("Istio task: Fault Injection", () => {
  it("7 s delay on ratings for jason: the page loads in about 6 s (productpage's 3 s timeout + 1 retry) and shows reviews unavailable", async () => {
    const s = await runCli(bookinfo("acc-fault-delay", "25s", `${USERS(20)}
---
${JASON(2)}
---
${REVIEWS_JASON_V2}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: ratings}
spec:
  hosts: [ratings]
  http:
  - match: [{headers: {end-user: {exact: jason}}}]
    fault: {delay: {percentage: {value: 100.0}, fixedDelay: 7s}}
    route: [{destination: {host: ratings, subset: v1}}]
  - route: [{destination: {host: ratings, subset: v1}}]
`));
    const jason = s.clients["jason"]!;
    // "the Bookinfo home page loads in about 6 seconds" — still an HTTP 200 page.
    expect(jason.codes["200"]).toBe(jason.requests);
    expect(jason.latencyMs.p50).toBeGreaterThan(5900);
    expect(jason.latencyMs.max).toBeLessThan(6300);
    // Two tries of productpage on reviews v2 per page, both abandoned by productpage (no answer).
    const toV2 = edges(s, "productpage-v1", "reviews-v2");
    expect(toV2.reduce((n, e) => n + e.requests, 0)).toBeGreaterThanOrEqual(2 * jason.requests - 2);
    expect(toV2.reduce((n, e) => n + (e.codes["200"] ?? 0), 0)).toBe(0);
    // The delay is injected by the caller's sidecar (reviews v2), flag DI.
    expect(edges(s, "reviews-v2", "ratings-v1").some((e) => (e.flags["DI"] ?? 0) > 0)).toBe(true);
    // Everyone else: fast.
    expect(s.clients["users"]!.latencyMs.p99).toBeLessThan(100);
  });

  it("the same delay after moving reviews to v3 (2.5 s ratings timeout): the page loads in about 2.5 s with reviews shown", async () => {
    const s = await runCli(bookinfo("acc-fault-delay-v3", "25s", `${JASON(2)}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews}
spec:
  hosts: [reviews]
  http: [{route: [{destination: {host: reviews, subset: v3}}]}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: ratings}
spec:
  hosts: [ratings]
  http:
  - match: [{headers: {end-user: {exact: jason}}}]
    fault: {delay: {percentage: {value: 100.0}, fixedDelay: 7s}}
    route: [{destination: {host: ratings, subset: v1}}]
`));
    const jason = s.clients["jason"]!;
    expect(jason.latencyMs.p50).toBeGreaterThan(2450);
    expect(jason.latencyMs.max).toBeLessThan(2700);
    // productpage got its answer from reviews v3 in time: exactly one try per page, all 200.
    const toV3 = edges(s, "productpage-v1", "reviews-v3");
    expect(toV3.reduce((n, e) => n + (e.codes["200"] ?? 0), 0)).toBe(toV3.reduce((n, e) => n + e.requests, 0));
  });

  it("abort 500 on ratings for jason: 'Ratings service is currently unavailable' inside a fast 200 page; the abort never reaches ratings", async () => {
    const s = await runCli(bookinfo("acc-fault-abort", "20s", `${USERS(20)}
---
${JASON(10)}
---
${REVIEWS_JASON_V2}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: ratings}
spec:
  hosts: [ratings]
  http:
  - match: [{headers: {end-user: {exact: jason}}}]
    fault: {abort: {percentage: {value: 100.0}, httpStatus: 500}}
    route: [{destination: {host: ratings, subset: v1}}]
  - route: [{destination: {host: ratings, subset: v1}}]
`));
    const jason = s.clients["jason"]!;
    expect(jason.codes["200"]).toBe(jason.requests);
    expect(jason.latencyMs.p99).toBeLessThan(100);
    const aborted = edges(s, "reviews-v2").filter((e) => (e.flags["FI"] ?? 0) > 0);
    expect(aborted.length).toBe(1);
    expect(aborted[0]!.codes["500"]).toBe(jason.requests);
    // No upstream host is chosen for an abort: Istio labels the destination "unknown".
    expect(aborted[0]!.destination).toBe("unknown");
    // Aborts are local replies before the router: never retried (one per page).
    expect(aborted[0]!.requests).toBe(jason.requests);
    expect(edgeRequests(s, "reviews-v2", "ratings-v1")).toBe(0);
  });
});

// https://istio.io/latest/docs/tasks/traffic-management/request-timeouts/
describe.concurrent("Istio task: Request Timeouts", () => {
  const scenario = (reviewsTimeout: string) =>
    runCli(bookinfo(`acc-timeout${reviewsTimeout === "" ? "-none" : ""}`, "20s", `${USERS(10)}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews}
spec:
  hosts: [reviews]
  http: [{route: [{destination: {host: reviews, subset: v2}}]${reviewsTimeout}}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: ratings}
spec:
  hosts: [ratings]
  http:
  - fault: {delay: {percentage: {value: 100}, fixedDelay: 2s}}
    route: [{destination: {host: ratings, subset: v1}}]
`));

  it("2 s delay on ratings and no route timeout: every page takes about 2 s (Istio sets no timeout by default)", async () => {
    const s = await scenario("");
    const users = s.clients["users"]!;
    expect(users.latencyMs.p50).toBeGreaterThan(2000);
    expect(users.latencyMs.max).toBeLessThan(2100);
    expect(users.errorRate).toBe(0);
  });

  it("timeout 0.5s on reviews: the page returns in about 1 s (productpage retries once), reviews unavailable, 504 UT", async () => {
    const s = await scenario(", timeout: 0.5s");
    const users = s.clients["users"]!;
    expect(users.codes["200"]).toBe(users.requests);
    expect(users.latencyMs.p50).toBeGreaterThan(1000);
    expect(users.latencyMs.max).toBeLessThan(1100);
    const toV2 = edges(s, "productpage-v1", "reviews-v2");
    const n = toV2.reduce((k, e) => k + e.requests, 0);
    // Two tries a page, less the pages counted whose first try ended in the 1 s warm-up: those that
    // arrived in its first ≈ 0.5 s, Poisson with mean 10/s × 0.5 s = 5; 13 or more has p ≈ 0.002
    // (pages still open at the end only add tries). The arrivals' draws fix the count, not the bound.
    expect(n).toBeGreaterThanOrEqual(2 * users.requests - 12);
    expect(toV2.reduce((k, e) => k + (e.codes["504"] ?? 0), 0)).toBe(n);
    expect(toV2.reduce((k, e) => k + (e.flags["UT"] ?? 0), 0)).toBe(n);
  });
});
