// Properties of route selection, stated as the invariants a routing engineer relies on.
import fc from "fast-check";
import { RE2JS } from "re2js";
import { describe, expect, it } from "vitest";
import type { HTTPMatchRequest, HTTPRoute, StringMatch } from "../../src/proxy/api/networking.js";
import type { HttpRequest } from "../../src/proxy/http-request.js";
import { compileHttpRoutes, DEFAULT_SIDECAR, matchHttpRoutes } from "../../src/proxy/route/compile-routes.js";
import { httpMatchRequestArb, httpRequestArb, httpRouteArb, matchedHttpRouteArb, valueMatchArb } from "./arbitraries/routing.js";

// A deliberately naive reading of the VirtualService docs, independent of the compiled matcher.
function naiveString(m: StringMatch | Record<string, never>, v: string | undefined, lowerCase = false): boolean {
  if (v === undefined) return false;
  if (!("exact" in m) && !("prefix" in m) && !("regex" in m)) return true;
  if ("regex" in m) return m.regex === "*" ? true : RE2JS.matches(m.regex, v);
  if ("exact" in m) return lowerCase ? v.toLowerCase() === m.exact.toLowerCase() : v === m.exact;
  return lowerCase ? v.toLowerCase().startsWith(m.prefix.toLowerCase()) : v.startsWith(m.prefix);
}
function naiveQuery(path: string, key: string): string | undefined {
  const q = path.split("?")[1];
  if (q === undefined) return undefined;
  for (const kv of q.split("&")) {
    const [k, ...rest] = kv.split("=");
    if (k === key) return rest.join("=");
  }
  return undefined;
}
function naiveMatch(m: HTTPMatchRequest, req: HttpRequest): boolean {
  const path = req.path.split("?")[0] as string;
  if (m.uri !== undefined && !naiveString(m.uri, path, m.ignoreUriCase === true && !("regex" in m.uri))) return false;
  if (m.method !== undefined && !naiveString(m.method, req.method)) return false;
  for (const [h, c] of Object.entries(m.headers ?? {})) if (!naiveString(c, req.headers[h])) return false;
  for (const [h, c] of Object.entries(m.withoutHeaders ?? {})) {
    const isPresence = !("exact" in c) && !("prefix" in c) && !("regex" in c && c.regex !== "*");
    if (isPresence ? req.headers[h] !== undefined : naiveString(c, req.headers[h] ?? "")) return false;
  }
  for (const [k, c] of Object.entries(m.queryParams ?? {})) if (!naiveString(c, naiveQuery(req.path, k))) return false;
  return true;
}
function naiveFirst(http: HTTPRoute[], req: HttpRequest): [number, number] | undefined {
  for (let r = 0; r < http.length; r++) {
    const ms = http[r]?.match ?? [];
    if (ms.length === 0) return [r, -1];
    for (let i = 0; i < ms.length; i++) if (naiveMatch(ms[i] as HTTPMatchRequest, req)) return [r, i];
  }
  return undefined;
}

const rulesArb = fc.array(httpRouteArb, { minLength: 1, maxLength: 5 });

describe("route selection properties", () => {
  it("the chosen route is always the first whose match holds", () => {
    fc.assert(fc.property(rulesArb, httpRequestArb, (http, req) => {
      const got = matchHttpRoutes(http, req);
      const want = naiveFirst(http, req);
      if (want === undefined) return got === undefined;
      return got !== undefined && got.ruleIndex === want[0] && got.matchIndex === want[1];
    }), { numRuns: 400 });
  });

  it("a request that matches no route gets no route", () => {
    fc.assert(fc.property(fc.array(matchedHttpRouteArb, { minLength: 1, maxLength: 4 }), httpRequestArb, (http, req) => {
      const anyHolds = http.some((r) => (r.match ?? []).some((m) => naiveMatch(m, req)));
      fc.pre(!anyHolds);
      return matchHttpRoutes(http, req) === undefined;
    }), { numRuns: 300 });
  });

  it("a catch-all route hides every route after it", () => {
    fc.assert(fc.property(
      fc.array(matchedHttpRouteArb, { maxLength: 3 }), fc.oneof(
        fc.constant<HTTPRoute>({ route: [{ destination: { host: "all" } }] }),
        fc.constant<HTTPRoute>({ match: [{ uri: { prefix: "/" } }], route: [{ destination: { host: "all" } }] }),
        fc.constant<HTTPRoute>({ match: [{ uri: { regex: ".*" } }], route: [{ destination: { host: "all" } }] }),
      ), fc.array(matchedHttpRouteArb, { minLength: 1, maxLength: 3 }), httpRequestArb,
      (before, catchAll, after, req) => {
        const http = [...before, catchAll, ...after];
        const routes = compileHttpRoutes(http, "default", DEFAULT_SIDECAR, 80);
        const firstCatchAll = routes.findIndex((r) => r.catchAll);
        const chosen = matchHttpRoutes(http, req);
        // Nothing is emitted after the first catch-all (which is at or before the inserted one),
        // and since a catch-all matches every request, no request reaches a later rule.
        return firstCatchAll === routes.length - 1
          && routes.every((r) => r.ruleIndex <= before.length)
          && chosen !== undefined && chosen.ruleIndex <= before.length;
      }), { numRuns: 300 });
  });

  it("every match entry of a rule is its own route, in order (OR semantics)", () => {
    fc.assert(fc.property(fc.array(matchedHttpRouteArb, { minLength: 1, maxLength: 4 }), (http) => {
      const routes = compileHttpRoutes(http, "default", DEFAULT_SIDECAR, 80);
      const keys = routes.map((r) => r.ruleIndex * 10 + r.matchIndex);
      const sorted = [...keys].sort((a, b) => a - b);
      const withoutCatchAll = routes.every((r) => !r.catchAll);
      const total = http.reduce((n, r) => n + (r.match?.length ?? 0), 0);
      return keys.every((k, i) => k === sorted[i]) && (!withoutCatchAll || routes.length === total);
    }), { numRuns: 300 });
  });

  it("with a header present, exactly one of headers and withoutHeaders holds for the same condition", () => {
    fc.assert(fc.property(valueMatchArb, httpRequestArb, (cond, req) => {
      fc.pre(req.headers["x-user"] !== undefined);
      const pos = matchHttpRoutes([{ match: [{ headers: { "x-user": cond } }], route: [{ destination: { host: "a" } }] }], req);
      const neg = matchHttpRoutes([{ match: [{ withoutHeaders: { "x-user": cond } }], route: [{ destination: { host: "a" } }] }], req);
      return (pos === undefined) !== (neg === undefined);
    }), { numRuns: 300 });
  });

  it("ignoreUriCase exact/prefix matches every casing of the path", () => {
    fc.assert(fc.property(fc.constantFrom("/api/v1", "/Login", "/a"), fc.boolean(), fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }), (p, exact, flips) => {
      const cased = [...p].map((c, i) => (flips[i % flips.length] ? c.toUpperCase() : c.toLowerCase())).join("");
      const m: HTTPMatchRequest = { uri: exact ? { exact: p } : { prefix: p }, ignoreUriCase: true };
      return matchHttpRoutes([{ match: [m], route: [{ destination: { host: "a" } }] }], { method: "GET", scheme: "http", authority: "a", path: cased, headers: {} }) !== undefined;
    }));
  });

  it("config-time filters only ever remove routes: a proxy never gets a route for another port or source", () => {
    fc.assert(fc.property(httpMatchRequestArb, fc.integer({ min: 1, max: 3 }), fc.constantFrom("default", "prod"), (m, port, ns) => {
      const http: HTTPRoute[] = [{ match: [{ ...m, port: 1, sourceNamespace: "default" }], route: [{ destination: { host: "a" } }] }];
      const routes = compileHttpRoutes(http, "default", { namespace: ns, labels: {} }, port);
      return routes.length === (port === 1 && ns === "default" ? 1 : 0);
    }));
  });
});

describe("compiled matching agrees with itself", () => {
  it("matching is deterministic and does not depend on earlier requests", () => {
    fc.assert(fc.property(rulesArb, fc.array(httpRequestArb, { minLength: 2, maxLength: 5 }), (http, reqs) => {
      const first = reqs.map((r) => matchHttpRoutes(http, r)?.index);
      const again = [...reqs].reverse().map((r) => matchHttpRoutes(http, r)?.index).reverse();
      expect(again).toEqual(first);
    }), { numRuns: 100 });
  });
});
