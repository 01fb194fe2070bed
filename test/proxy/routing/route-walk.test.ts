// The route walk with a trace (what `meshsim explain` prints) decides exactly as the simulation's
// first-match (matchRoute): for every match and request below, unmatchedCondition is "" exactly when
// matchHolds holds, and walkRoutes picks the same route with or without a trace.
import { describe, expect, it } from "vitest";
import { compileMatch, describeMatch, matchHolds, unmatchedCondition } from "../../../src/proxy/route/route-match.js";
import { compileHttpRoutes, matchRoute } from "../../../src/proxy/route/compile-routes.js";
import { walkRoutes, type RouteTry } from "../../../src/proxy/route/route-walk.js";
import type { HTTPMatchRequest } from "../../../src/proxy/api/networking.js";
import type { HttpRequest } from "../../../src/proxy/http-request.js";

const MATCHES: HTTPMatchRequest[] = [
  {},
  { uri: { exact: "/productpage" } },
  { uri: { prefix: "/api" } },
  { uri: { prefix: "/API" }, ignoreUriCase: true },
  { uri: { regex: "/reviews/[0-9]+" } },
  { headers: { "end-user": { exact: "jason" } } },
  { headers: { "end-user": { prefix: "ja" } }, uri: { prefix: "/reviews" } },
  { headers: { "x-canary": {} } },
  { withoutHeaders: { "end-user": { exact: "jason" } } },
  { method: { exact: "POST" } },
  { authority: { exact: "reviews:9080" } },
  { scheme: { exact: "https" } },
  { queryParams: { v: { exact: "2" } } },
  { queryParams: { debug: { regex: "*" } } },
];

const REQUESTS: HttpRequest[] = [
  { method: "GET", scheme: "http", authority: "reviews:9080", path: "/reviews/0", headers: {} },
  { method: "GET", scheme: "http", authority: "reviews:9080", path: "/reviews/0", headers: { "end-user": "jason" } },
  { method: "POST", scheme: "https", authority: "productpage", path: "/productpage", headers: { "end-user": "jane", "x-canary": "1" } },
  { method: "GET", scheme: "http", authority: "api", path: "/api/v1?v=2&debug", headers: {} },
  { method: "GET", scheme: "http", authority: "api", path: "/Api/v1?v=3", headers: { "end-user": "JASON" } },
];

describe("unmatchedCondition agrees with matchHolds", () => {
  for (const m of MATCHES) {
    const c = compileMatch(m);
    it(`${describeMatch(c)}`, () => {
      for (const r of REQUESTS) {
        const why = unmatchedCondition(c, r);
        expect(why === "", `${JSON.stringify(m)} on ${r.method} ${r.path} ${JSON.stringify(r.headers)}: "${why}"`).toBe(matchHolds(c, r));
      }
    });
  }
});

describe("walkRoutes", () => {
  const routes = compileHttpRoutes(MATCHES.slice(1).map((m, i) => ({ name: `r${i}`, match: [m], route: [{ destination: { host: "reviews" } }] })), "default", { namespace: "default", labels: {} }, 9080);
  it("picks matchRoute's route, and traces every route tried up to it", () => {
    for (const r of REQUESTS) {
      const trace: RouteTry[] = [];
      const chosen = walkRoutes(routes, r, trace);
      expect(chosen).toBe(matchRoute(routes, r));
      expect(walkRoutes(routes, r, null)).toBe(chosen);
      expect(trace.filter((t) => t.failed === "").length).toBe(chosen === undefined ? 0 : 1);
      expect(trace.at(-1)?.route === chosen || chosen === undefined).toBe(true);
    }
  });
  it("names the failed condition", () => {
    const trace: RouteTry[] = [];
    walkRoutes(compileHttpRoutes([{ match: [{ headers: { "end-user": { exact: "jason" } } }], route: [{ destination: { host: "reviews" } }] }], "default", { namespace: "default", labels: {} }, 9080),
      REQUESTS[0]!, trace);
    expect(trace[0]!.failed).toBe("header end-user is absent, not exact jason");
    expect(describeMatch(trace[0]!.route.match)).toBe("/* header end-user=jason");
  });
});
