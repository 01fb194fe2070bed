// The HTTPRoute CORS filter (GEP-1767; standard since Gateway API v1.5): conformance httproute-cors
// (kubernetes-sigs/gateway-api conformance/tests/httproute-cors.{go,yaml}) through the gateway's Envoy.
// istiod converts it to a CorsPolicy with unmatchedPreflights IGNORE (conversion.go createCorsFilter),
// so Envoy's CORS filter answers every preflight on the route itself — 200, with the allow-* headers
// only for an allowed origin — and the backend never sees one (the conformance test expects no
// request at the backend); other requests go on to the backend (cors_filter.cc decodeHeaders).
import { describe, expect, it } from "vitest";
import { conformance, NS } from "./gateway-api-conformance.js";
import { compileCors, corsAnswersPreflight } from "../../src/proxy/route/cors-policy.js";
import { loadScenario } from "../../src/scenario/index.js";
import { writeScenario } from "../support/scenario-text.js";
import { ScenarioError } from "../../src/scenario/index.js";

const route = (name: string, cors: string, path: string) => `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: ${name}, namespace: ${NS}}
spec:
  parentRefs: [{name: same-namespace}]
  rules:
  - filters: [{type: CORS, cors: ${cors}}]
    matches: [{path: {type: PathPrefix, value: ${path}}}]
    backendRefs: [{name: infra-backend-v1, port: 8080}]
`;

describe("HTTPRouteCORS (httproute-cors)", () => {
  const c = conformance([
    route("cors-multiple-origins-methods-headers", `{allowOrigins: ["https://www.foo.com", "https://*.bar.com"], allowMethods: [GET, OPTIONS], allowHeaders: [x-header-1, x-header-2], exposeHeaders: [x-header-3, x-header-4], allowCredentials: true, maxAge: 3600}`, "/cors-1"),
    route("cors-wildcard-methods", `{allowOrigins: ["https://www.foo.com"], allowMethods: ["*"]}`, "/cors-2"),
    route("cors-wildcard-origin", `{allowOrigins: ["*"], allowMethods: [PUT], allowCredentials: false}`, "/cors-wildcard-origin"),
  ].join("---\n"));
  const preflight = (path: string, origin: string) => c.send("same-namespace", `http://gw.example${path}`, { Origin: origin, "access-control-request-method": "GET", "access-control-request-headers": "x-header-1, x-header-2" }, "OPTIONS");

  it.each([
    ["/cors-1", "https://www.foo.com", "an exact matching origin"],
    ["/cors-1", "https://www.bar.com", "a wildcard matching origin"],
    ["/cors-1", "https://xpto.www.bar.com", "a wildcard matching any number of periods left to '*'"],
    ["/cors-1", "https://foobar.com", "a non-matching origin (unmatchedPreflights IGNORE: answered, without allow-origin)"],
    ["/cors-2", "https://www.foo.com", "allowMethods with wildcard"],
    ["/cors-wildcard-origin", "https://foobar.com", "a wildcard origin"],
    ["/cors-wildcard-origin", "https://foobar.com:8443", "a wildcard origin with a port"],
  ])("a preflight to %s from %s (%s) is answered 200 by the gateway; the backend sees nothing", (path, origin) => {
    expect(preflight(path, origin)).toMatchObject({ status: 200, backend: "" });
  });

  it("simple requests (GET with an Origin), allowed or not, reach the backend", () => {
    for (const origin of ["https://www.foo.com", "https://www.bar.com", "https://foobar.com"]) {
      expect(c.send("same-namespace", "http://gw.example/cors-1", { Origin: origin }, "GET")).toMatchObject({ status: 200, backend: "infra-backend-v1" });
    }
  });

  it("an OPTIONS without Access-Control-Request-Method is no preflight: it reaches the backend", () => {
    expect(c.send("same-namespace", "http://gw.example/cors-1", { Origin: "https://www.foo.com" }, "OPTIONS")).toMatchObject({ backend: "infra-backend-v1" });
    expect(c.send("same-namespace", "http://gw.example/other", { Origin: "https://www.foo.com", "access-control-request-method": "GET" }, "OPTIONS").status).toBe(404);
  });

  it("istiod's origin matchers: '*' a well-formed origin only; a trailing '*' a prefix", () => {
    const vs = c.world.config.virtualServices.find((v) => v.spec.http?.some((r) => r.corsPolicy !== undefined && r.name === `${NS}.cors-wildcard-origin.0`))!;
    const cors = vs.spec.http!.find((r) => r.name === `${NS}.cors-wildcard-origin.0`)!.corsPolicy!;
    expect(cors).toEqual({ allowOrigins: [{ regex: "^[a-zA-Z][a-zA-Z0-9+.-]*://[^/\\s?#]+$" }], allowMethods: ["PUT"], maxAgeMs: 5000, unmatchedPreflights: "IGNORE" });
    const compiled = compileCors(cors)!;
    const ask = (origin: string) => corsAnswersPreflight({ ...compiled, forwardNotMatchingPreflights: true }, { method: "OPTIONS", scheme: "http", authority: "x", path: "/", headers: { origin, "access-control-request-method": "GET" } });
    expect(ask("https://foobar.com")).toBe(true);
    expect(ask("null")).toBe(false);
  });
});

describe("CORS filter input errors (the CRD's validation)", () => {
  const load = (cors: string) => {
    const file = writeScenario({ "sim.yaml": `apiVersion: meshsim.dev/v1alpha1\nkind: Simulation\nmetadata: {name: s}\nspec: {duration: 1s}\n---\n${route("r", cors, "/").replace(NS, "default")}` });
    try { loadScenario(file); return ""; } catch (e) { if (e instanceof ScenarioError) return e.message; throw e; }
  };
  it.each([
    [`{allowOrigins: ["*", "https://a.com"]}`, "AllowOrigins cannot contain '*' alongside other origins"],
    [`{allowOrigins: ["ftp://a.com"]}`, "is not a valid origin"],
    [`{allowMethods: [FETCH]}`, "must be one of"],
    [`{maxAge: 0}`, "must be >= 1"],
  ])("%s: %s", (cors, message) => {
    expect(load(cors)).toContain(message);
  });

  it("a CORS filter on a GRPCRoute is refused (not in its CRD's filter types)", () => {
    const file = writeScenario({ "sim.yaml": `apiVersion: meshsim.dev/v1alpha1\nkind: Simulation\nmetadata: {name: s}\nspec: {duration: 1s}\n---
apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata: {name: g}
spec:
  parentRefs: [{name: gw}]
  rules: [{filters: [{type: CORS, cors: {allowOrigins: ["*"]}}], backendRefs: [{name: b, port: 8080}]}]
` });
    expect(() => loadScenario(file)).toThrow(/filter type CORS is not allowed here/);
  });
});
