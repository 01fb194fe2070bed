import { describe, expect, it } from "vitest";
import {
  authenticateRequest,
  compileRequestAuthentication,
  JWT_CLOCK_SKEW_SECONDS,
  JWT_NOT_PRESENT,
} from "../../../src/proxy/security/request-authentication.js";
import { decodeTestJwt, encodeTestJwt } from "../../../src/proxy/security/test-jwt.js";
import { requestAuthentication } from "../../properties/arbitraries/security.js";

const WL = { namespace: "foo", labels: { app: "httpbin" } };
const ISS = "testing@secure.istio.io";
const ra = requestAuthentication("foo", "jwt", { selector: { matchLabels: { app: "httpbin" } }, jwtRules: [{ issuer: ISS }] });
const authn = compileRequestAuthentication([ra], WL);
const bearer = (claims: Parameters<typeof encodeTestJwt>[0]) => ({ authorization: `Bearer ${encodeTestJwt(claims)}` });

describe("test JWTs", () => {
  it("round-trips claims as header.payload. with an empty signature", () => {
    const t = encodeTestJwt({ iss: ISS, sub: "alice", exp: 100 });
    expect(t.split(".")).toHaveLength(3);
    expect(t.endsWith(".")).toBe(true);
    expect(decodeTestJwt(t)).toEqual({ ok: true, claims: { iss: ISS, sub: "alice", exp: 100 } });
    expect(decodeTestJwt("abc")).toEqual({ ok: false, error: "JwtBadFormat" });
    expect(decodeTestJwt("e30.!!!.")).toEqual({ ok: false, error: "JwtPayloadParseError" });
  });
});

describe("RequestAuthentication", () => {
  it("no token passes without a principal; no policy ignores tokens", () => {
    expect(authenticateRequest(authn, {}, "/", 0)).toBe(JWT_NOT_PRESENT);
    const none = compileRequestAuthentication([], WL);
    expect(authenticateRequest(none, bearer({ iss: "x", sub: "y" }), "/", 0)).toBe(JWT_NOT_PRESENT);
  });
  it("a valid token yields the request principal iss/sub and its claims", () => {
    const r = authenticateRequest(authn, bearer({ iss: ISS, sub: "alice", groups: ["a"] }), "/", 0);
    expect(r).toMatchObject({ ok: true, requestPrincipal: `${ISS}/alice` });
    expect(r.ok && r.claims?.["groups"]).toEqual(["a"]);
  });
  it("reads ?access_token= by default", () => {
    const r = authenticateRequest(authn, {}, `/ip?access_token=${encodeTestJwt({ iss: ISS, sub: "q" })}`, 0);
    expect(r).toMatchObject({ ok: true, requestPrincipal: `${ISS}/q` });
  });
  it("rejects an unknown issuer with 401 'Jwt issuer is not configured'", () => {
    expect(authenticateRequest(authn, bearer({ iss: "evil", sub: "x" }), "/", 0)).toEqual({
      ok: false, status: 401, body: "Jwt issuer is not configured", jwtStatus: "JwtUnknownIssuer",
    });
  });
  it("rejects a malformed token with 401", () => {
    expect(authenticateRequest(authn, { authorization: "Bearer not-a-jwt" }, "/", 0)).toMatchObject({ ok: false, status: 401 });
  });
  it("expiry and not-before allow Envoy's 60 s clock skew", () => {
    expect(JWT_CLOCK_SKEW_SECONDS).toBe(60);
    const h = bearer({ iss: ISS, sub: "a", exp: 1000 });
    expect(authenticateRequest(authn, h, "/", 1060).ok).toBe(true);
    expect(authenticateRequest(authn, h, "/", 1061)).toMatchObject({ ok: false, status: 401, body: "Jwt is expired" });
    const n = bearer({ iss: ISS, sub: "a", nbf: 1000 });
    expect(authenticateRequest(authn, n, "/", 940).ok).toBe(true);
    expect(authenticateRequest(authn, n, "/", 939)).toMatchObject({ ok: false, body: "Jwt not yet valid" });
  });
  it("checks audiences (scheme and trailing slash ignored); a wrong audience is 403", () => {
    const a = compileRequestAuthentication([requestAuthentication("foo", "aud", { jwtRules: [{ issuer: ISS, audiences: ["https://api.example/"] }] })], WL);
    expect(authenticateRequest(a, bearer({ iss: ISS, sub: "a", aud: ["x", "api.example"] }), "/", 0).ok).toBe(true);
    expect(authenticateRequest(a, bearer({ iss: ISS, sub: "a", aud: "other" }), "/", 0)).toMatchObject({
      ok: false, status: 403, body: "Audiences in Jwt are not allowed",
    });
    expect(authenticateRequest(a, bearer({ iss: ISS, sub: "a" }), "/", 0).ok).toBe(false);
  });
  it("fromHeaders replaces the default locations", () => {
    const h = compileRequestAuthentication(
      [requestAuthentication("foo", "h", { jwtRules: [{ issuer: ISS, fromHeaders: [{ name: "X-Jwt-Assertion", prefix: "Bearer " }] }] })],
      WL,
    );
    expect(authenticateRequest(h, bearer({ iss: ISS, sub: "a" }), "/", 0)).toBe(JWT_NOT_PRESENT);
    const t = encodeTestJwt({ iss: ISS, sub: "a" });
    expect(authenticateRequest(h, { "x-jwt-assertion": `Bearer ${t}` }, "/", 0).ok).toBe(true);
  });
  // istiod copies fromParams and fromCookies to Envoy's provider (pilot/pkg/security/authn/
  // policy_applier.go); Envoy reads them after the headers, and its default locations only when the
  // provider names none (source/extensions/filters/http/jwt_authn/extractor.cc). meshsim ignored
  // both, so a token in `?my_token=` or a cookie was never read and the default Authorization
  // header still was.
  it("fromParams and fromCookies are token locations, and replace the default ones", () => {
    const t = encodeTestJwt({ iss: ISS, sub: "p" });
    const p = compileRequestAuthentication(
      [requestAuthentication("foo", "p", { jwtRules: [{ issuer: ISS, fromParams: ["my_token"] }] })], WL);
    expect(authenticateRequest(p, {}, `/ip?x=1&my_token=${t}`, 0)).toMatchObject({ ok: true, requestPrincipal: `${ISS}/p` });
    expect(authenticateRequest(p, bearer({ iss: ISS, sub: "p" }), "/", 0)).toBe(JWT_NOT_PRESENT);
    expect(authenticateRequest(p, {}, `/ip?access_token=${t}`, 0)).toBe(JWT_NOT_PRESENT);
    const c = compileRequestAuthentication(
      [requestAuthentication("foo", "c", { jwtRules: [{ issuer: ISS, fromCookies: ["session"] }] })], WL);
    expect(authenticateRequest(c, { cookie: `a=1; session=${t}` }, "/", 0)).toMatchObject({ ok: true, requestPrincipal: `${ISS}/p` });
    expect(authenticateRequest(c, { cookie: "a=1" }, "/", 0)).toBe(JWT_NOT_PRESENT);
    // Headers come before parameters, whatever the order written.
    const both = compileRequestAuthentication(
      [requestAuthentication("foo", "b", { jwtRules: [{ issuer: ISS, fromParams: ["q"], fromHeaders: [{ name: "x-token" }] }] })], WL);
    expect(authenticateRequest(both, { "x-token": "garbage" }, `/?q=${t}`, 0)).toMatchObject({ ok: false, status: 401 });
  });
  it("combines every applicable policy: namespace, root namespace, selector", () => {
    const ps = [
      requestAuthentication("istio-system", "mesh", { jwtRules: [{ issuer: "mesh-issuer" }] }, 0),
      requestAuthentication("foo", "ns", { jwtRules: [{ issuer: ISS }] }, 1),
      requestAuthentication("bar", "other", { jwtRules: [{ issuer: "bar-issuer" }] }, 2),
    ];
    const c = compileRequestAuthentication(ps, WL);
    expect(c.policies).toEqual(["istio-system/mesh", "foo/ns"]);
    expect(authenticateRequest(c, bearer({ iss: "mesh-issuer", sub: "a" }), "/", 0).ok).toBe(true);
    expect(authenticateRequest(c, bearer({ iss: "bar-issuer", sub: "a" }), "/", 0).ok).toBe(false);
  });
  it("reuses the same result object for a repeated valid token", () => {
    const h = bearer({ iss: ISS, sub: "a" });
    expect(authenticateRequest(authn, h, "/", 0)).toBe(authenticateRequest(authn, h, "/", 5));
  });
});
