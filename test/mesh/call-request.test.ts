// The request an app sends for a call step forwards the incoming request's own headers that the step
// names (Bookinfo's productpage.py getForwardHeaders copies each named header it received), and
// nothing else: not a name the incoming request lacks, not a member of the JavaScript object.
import { describe, expect, it } from "vitest";
import { callRequest, withForwardedHeaders } from "../../src/mesh/app/call-request.js";
import type { CallTarget } from "../../src/scenario/model.js";

const target: CallTarget = {
  scheme: "http",
  host: "reviews",
  port: 9080,
  path: "/reviews/0",
  resolved: { kind: "service", name: "reviews", namespace: "default", fqdn: "reviews.default.svc.cluster.local" },
};

describe("withForwardedHeaders", () => {
  it("copies the named headers the incoming request has, and only those", () => {
    const base = callRequest(target, "GET");
    const req = withForwardedHeaders(base, { "end-user": "jason", cookie: "c=1", other: "x" }, ["end-user", "cookie", "jwt"]);
    expect(req.headers).toEqual({ "end-user": "jason", cookie: "c=1" });
    expect(req.authority).toBe("reviews:9080");
  });

  it("answers the base request itself when nothing is forwarded", () => {
    const base = callRequest(target, "GET");
    expect(withForwardedHeaders(base, base.headers, ["end-user"])).toBe(base);
    expect(withForwardedHeaders(base, { other: "x" }, ["end-user"])).toBe(base);
  });

  it("never forwards a member of the headers object's prototype", () => {
    const base = callRequest(target, "GET");
    const req = withForwardedHeaders(base, { "end-user": "jason" }, ["constructor", "toString", "end-user"]);
    expect(req.headers).toEqual({ "end-user": "jason" });
  });
});
