// The library as a user's own project uses it: `npm install meshsim fast-check`, then this file.
// It compiles under `tsc --strict` against the installed package and runs with node
// (test/library/packed-tarball.test.ts does both, from a packed tarball in a separate project).
import fc from "fast-check";
import { matchHttpRoutes, parseIstioResource, decideFault, type HTTPRoute, type HttpRequest } from "meshsim";
import { httpRequestArb, httpRouteArb } from "meshsim/arbitraries";

// 1. Routes written as TypeScript data: jason goes to v2, everyone else to v1.
const http: HTTPRoute[] = [
  { match: [{ headers: { "end-user": { exact: "jason" } } }], route: [{ destination: { host: "reviews", subset: "v2" } }] },
  { route: [{ destination: { host: "reviews", subset: "v1" } }] },
];
fc.assert(fc.property(fc.option(fc.string(), { nil: undefined }), (user) => {
  const headers: Record<string, string> = user === undefined ? {} : { "end-user": user };
  const request: HttpRequest = { method: "GET", scheme: "http", authority: "reviews:9080", path: "/", headers };
  return matchHttpRoutes(http, request)?.destinations[0]?.subset === (user === "jason" ? "v2" : "v1");
}));

// 2. Istio's own YAML, verbatim (samples/bookinfo/networking/virtual-service-ratings-test-delay.yaml):
// read with the CLI's validation, so `fixedDelay: 7s` arrives as a 7000 ms delay for jason.
const ratings = parseIstioResource(`
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: ratings
spec:
  hosts:
  - ratings
  http:
  - match:
    - headers:
        end-user:
          exact: jason
    fault:
      delay:
        percentage:
          value: 100.0
        fixedDelay: 7s
    route:
    - destination:
        host: ratings
        subset: v1
  - route:
    - destination:
        host: ratings
        subset: v1
`, { kind: "VirtualService" });
const jason: HttpRequest = { method: "GET", scheme: "http", authority: "ratings:9080", path: "/ratings/0", headers: { "end-user": "jason" } };
const fault = decideFault(matchHttpRoutes(ratings.spec.http ?? [], jason)?.fault, 0.5, 0.5);
if (!fault.delayed || fault.delayMs !== 7000) throw new Error(`expected a 7 s delay for jason, got ${JSON.stringify(fault)}`);

// 3. The arbitraries meshsim's own tests use: whatever the routes, a match is one of them.
fc.assert(fc.property(fc.array(httpRouteArb, { maxLength: 4 }), httpRequestArb, (routes, request) => {
  const r = matchHttpRoutes(routes, request);
  return r === undefined || (r.ruleIndex >= 0 && r.ruleIndex < routes.length);
}), { numRuns: 200 });

console.log("library example: ok");
