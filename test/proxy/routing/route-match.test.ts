import { describe, expect, it } from "vitest";
import type { HTTPMatchRequest } from "../../../src/proxy/api/networking.js";
import { compileMatch, matchHolds, unmatchedCondition } from "../../../src/proxy/route/route-match.js";
import { RouteCompileError } from "../../../src/proxy/route/re2.js";
import { makeRequest } from "../../properties/arbitraries/routing.js";

const holds = (m: HTTPMatchRequest, path: string, init: Parameters<typeof makeRequest>[1] = {}): boolean =>
  matchHolds(compileMatch(m), makeRequest(path, init));

describe("uri matching", () => {
  it("exact compares the path without its query", () => {
    expect(holds({ uri: { exact: "/login" } }, "/login")).toBe(true);
    expect(holds({ uri: { exact: "/login" } }, "/login?x=1")).toBe(true);
    expect(holds({ uri: { exact: "/login" } }, "/login/")).toBe(false);
    expect(holds({ uri: { exact: "/login" } }, "/Login")).toBe(false);
  });
  it("prefix is a plain string prefix (/foo matches /foobar)", () => {
    expect(holds({ uri: { prefix: "/foo" } }, "/foobar")).toBe(true);
    expect(holds({ uri: { prefix: "/foo" } }, "/fo")).toBe(false);
    expect(holds({ uri: { prefix: "/foo?" } }, "/foo?a")).toBe(false);
  });
  it("regex is an RE2 full match on the path without query", () => {
    expect(holds({ uri: { regex: "/api/v[0-9]+" } }, "/api/v12")).toBe(true);
    expect(holds({ uri: { regex: "/api/v[0-9]+" } }, "/api/v12/x")).toBe(false);
    expect(holds({ uri: { regex: "/api/v[0-9]+" } }, "/api/v12?q=1")).toBe(true);
    expect(holds({ uri: { regex: "v1" } }, "/v1")).toBe(false);
  });
  it("a route with no match block (prefix \"/\", the short cut) decides as the full walk does", () => {
    for (const m of [undefined, { uri: { prefix: "/" } }, { uri: { prefix: "/" }, ignoreUriCase: true }] as (HTTPMatchRequest | undefined)[]) {
      const c = compileMatch(m);
      expect(c.catchAll).toBe(true);
      for (const path of ["/", "/productpage", "/a?b=1", "", "?x", "#frag", "a/b", "*"]) {
        const req = makeRequest(path);
        expect(matchHolds(c, req)).toBe(unmatchedCondition(c, req) === "");
        expect(matchHolds(c, req)).toBe(path.startsWith("/"));
      }
    }
  });
  it("rejects non-RE2 syntax at compile time", () => {
    expect(() => compileMatch({ uri: { regex: "(?=a)b" } })).toThrow(RouteCompileError);
  });
  it("ignoreUriCase affects exact and prefix, not regex", () => {
    expect(holds({ uri: { exact: "/Login" }, ignoreUriCase: true }, "/LOGIN")).toBe(true);
    expect(holds({ uri: { prefix: "/API" }, ignoreUriCase: true }, "/api/v1")).toBe(true);
    expect(holds({ uri: { regex: "/api" }, ignoreUriCase: true }, "/API")).toBe(false);
    expect(holds({ uri: { regex: "(?i)/api" } }, "/API")).toBe(true);
  });
  it("absent uri is prefix / (any path)", () => {
    expect(holds({ method: { exact: "GET" } }, "/anything")).toBe(true);
  });
});

describe("method, authority, scheme", () => {
  it("are case-sensitive matches on the pseudo-headers; authority sees the port", () => {
    expect(holds({ method: { exact: "GET" } }, "/", { method: "GET" })).toBe(true);
    expect(holds({ method: { exact: "get" } }, "/", { method: "GET" })).toBe(false);
    expect(holds({ authority: { exact: "reviews" } }, "/", { authority: "reviews:9080" })).toBe(false);
    expect(holds({ authority: { prefix: "reviews" } }, "/", { authority: "reviews:9080" })).toBe(true);
    expect(holds({ scheme: { exact: "https" } }, "/", { scheme: "http" })).toBe(false);
  });
});

describe("headers", () => {
  it("string matches need the header present", () => {
    expect(holds({ headers: { "end-user": { exact: "jason" } } }, "/", { headers: { "end-user": "jason" } })).toBe(true);
    expect(holds({ headers: { "end-user": { exact: "jason" } } }, "/", { headers: { "end-user": "Jason" } })).toBe(false);
    expect(holds({ headers: { "end-user": { exact: "" } } }, "/", { headers: {} })).toBe(false);
    expect(holds({ headers: { "end-user": { exact: "" } } }, "/", { headers: { "end-user": "" } })).toBe(true);
  });
  it("{} and regex \"*\" are presence matches", () => {
    expect(holds({ headers: { "x-env": {} } }, "/", { headers: { "x-env": "" } })).toBe(true);
    expect(holds({ headers: { "x-env": {} } }, "/", { headers: {} })).toBe(false);
    expect(holds({ headers: { "x-env": { regex: "*" } } }, "/", { headers: { "x-env": "anything" } })).toBe(true);
    expect(holds({ headers: { "x-env": { regex: "*" } } }, "/", { headers: {} })).toBe(false);
  });
  it("regex on a header is a full match", () => {
    expect(holds({ headers: { "x-env": { regex: "pro" } } }, "/", { headers: { "x-env": "prod" } })).toBe(false);
    expect(holds({ headers: { "x-env": { regex: "pro.*" } } }, "/", { headers: { "x-env": "prod" } })).toBe(true);
  });
  // The API reference says these keys "will be ignored"; istiod's TranslateRouteMatch (route.go
  // translateHeaderMatch) writes each as a header matcher of that literal name, so Envoy looks for a
  // header called "method" — and a pseudo-header key matches that part of the request.
  it("keys uri/scheme/method/authority in headers are literal header names, as istiod writes them", () => {
    const m = compileMatch({ headers: { method: { exact: "GET" } } });
    expect(m.headers).toHaveLength(1);
    expect(m.catchAll).toBe(false);
    expect(holds({ headers: { method: { exact: "GET" } } }, "/", { method: "GET", headers: {} })).toBe(false);
    expect(holds({ headers: { method: { exact: "GET" } } }, "/", { method: "GET", headers: { method: "GET" } })).toBe(true);
  });
  it("a pseudo-header key matches the request's method, authority, path or scheme", () => {
    expect(holds({ headers: { ":method": { exact: "POST" } } }, "/", { method: "POST", headers: {} })).toBe(true);
    expect(holds({ headers: { ":method": { exact: "POST" } } }, "/", { method: "GET", headers: {} })).toBe(false);
    expect(holds({ headers: { ":path": { prefix: "/api" } } }, "/api/x", { headers: {} })).toBe(true);
  });
  it("all conditions are AND'ed", () => {
    const m: HTTPMatchRequest = { uri: { prefix: "/a" }, headers: { "x-env": { exact: "prod" } } };
    expect(holds(m, "/a", { headers: { "x-env": "prod" } })).toBe(true);
    expect(holds(m, "/b", { headers: { "x-env": "prod" } })).toBe(false);
    expect(holds(m, "/a", { headers: { "x-env": "test" } })).toBe(false);
  });
});

describe("withoutHeaders", () => {
  it("negates a string match and treats a missing header as empty", () => {
    const m: HTTPMatchRequest = { withoutHeaders: { "x-env": { exact: "prod" } } };
    expect(holds(m, "/", { headers: { "x-env": "prod" } })).toBe(false);
    expect(holds(m, "/", { headers: { "x-env": "test" } })).toBe(true);
    expect(holds(m, "/", { headers: {} })).toBe(true);
    // missing ⇒ "", and "" matches exact "" ⇒ inverted to false
    expect(holds({ withoutHeaders: { "x-env": { exact: "" } } }, "/", { headers: {} })).toBe(false);
    expect(holds({ withoutHeaders: { "x-env": { regex: ".*" } } }, "/", { headers: {} })).toBe(false);
  });
  it("presence form means the header is absent", () => {
    expect(holds({ withoutHeaders: { "x-env": {} } }, "/", { headers: {} })).toBe(true);
    expect(holds({ withoutHeaders: { "x-env": {} } }, "/", { headers: { "x-env": "" } })).toBe(false);
  });
});

describe("queryParams", () => {
  it("exact \"\" matches ?key with no value and ?key=", () => {
    const m: HTTPMatchRequest = { queryParams: { debug: { exact: "" } } };
    expect(holds(m, "/p?debug")).toBe(true);
    expect(holds(m, "/p?a=1&debug=")).toBe(true);
    expect(holds(m, "/p?debug=1")).toBe(false);
    expect(holds(m, "/p")).toBe(false);
  });
  it("regex is full match (\\d+$ matches 123, not a123)", () => {
    const m: HTTPMatchRequest = { queryParams: { id: { regex: "\\d+$" } } };
    expect(holds(m, "/p?id=123")).toBe(true);
    expect(holds(m, "/p?id=a123")).toBe(false);
  });
  it("uses the first occurrence, does not confuse key prefixes, ignores the fragment", () => {
    expect(holds({ queryParams: { id: { exact: "1" } } }, "/p?id=1&id=2")).toBe(true);
    expect(holds({ queryParams: { id: { exact: "2" } } }, "/p?id=1&id=2")).toBe(false);
    expect(holds({ queryParams: { id: { exact: "1" } } }, "/p?idx=1")).toBe(false);
    expect(holds({ queryParams: { id: { exact: "1" } } }, "/p?id=1#frag")).toBe(true);
    expect(holds({ queryParams: { id: { prefix: "ab" } } }, "/p?x=0&id=abc")).toBe(true);
  });
});

describe("catch-all detection", () => {
  it("prefix / or regex .* with no header/query conditions", () => {
    expect(compileMatch(undefined).catchAll).toBe(true);
    expect(compileMatch({ uri: { prefix: "/" } }).catchAll).toBe(true);
    expect(compileMatch({ uri: { regex: ".*" } }).catchAll).toBe(true);
    expect(compileMatch({ uri: { prefix: "/" }, ignoreUriCase: true }).catchAll).toBe(true);
    expect(compileMatch({ uri: { prefix: "/a" } }).catchAll).toBe(false);
    expect(compileMatch({ uri: { prefix: "/" }, headers: { "x-env": {} } }).catchAll).toBe(false);
    expect(compileMatch({ uri: { prefix: "/" }, method: { exact: "GET" } }).catchAll).toBe(false);
    expect(compileMatch({ queryParams: { a: { exact: "1" } } }).catchAll).toBe(false);
  });
});
