// Properties of request authentication (JWT), stated as invariants.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { authenticateRequest, compileRequestAuthentication, JWT_NOT_PRESENT } from "../../src/proxy/security/request-authentication.js";
import { encodeTestJwt } from "../../src/proxy/security/test-jwt.js";
import { ISSUERS, requestAuthentication, SUBJECTS, workloadArb } from "./arbitraries/security.js";

const ISS = ISSUERS[0];
const claimsArb = fc.record({
  iss: fc.constantFrom<string>(...ISSUERS, "https://unknown.example"),
  sub: fc.constantFrom(...SUBJECTS),
  exp: fc.option(fc.integer({ min: 0, max: 10_000 }), { nil: undefined }),
});

describe("JWT invariants", () => {
  it("a request without a token always passes authentication, without a principal", () => {
    fc.assert(
      fc.property(workloadArb, fc.integer({ min: 0, max: 1e9 }), (w, now) => {
        const authn = compileRequestAuthentication([requestAuthentication(w.namespace, "ra", { jwtRules: [{ issuer: ISS }] })], w);
        expect(authenticateRequest(authn, { "x-user": "a" }, "/path?q=1", now)).toBe(JWT_NOT_PRESENT);
      }),
    );
  });

  it("a token is accepted until exactly 60 s after exp and rejected as expired after", () => {
    fc.assert(
      fc.property(workloadArb, fc.integer({ min: 1, max: 1e9 }), fc.integer({ min: 0, max: 1e4 }), (w, exp, dt) => {
        const authn = compileRequestAuthentication([requestAuthentication(w.namespace, "ra", { jwtRules: [{ issuer: ISS }] })], w);
        const h = { authorization: `Bearer ${encodeTestJwt({ iss: ISS, sub: "alice", exp })}` };
        expect(authenticateRequest(authn, h, "/", exp + 60 - dt).ok).toBe(true);
        expect(authenticateRequest(authn, h, "/", exp + 61 + dt)).toMatchObject({ ok: false, status: 401, body: "Jwt is expired" });
      }),
    );
  });

  it("an accepted token always yields the request principal <iss>/<sub> of a configured issuer", () => {
    fc.assert(
      fc.property(workloadArb, claimsArb, fc.integer({ min: 0, max: 20_000 }), (w, claims, now) => {
        const authn = compileRequestAuthentication([requestAuthentication(w.namespace, "ra", { jwtRules: ISSUERS.map((issuer) => ({ issuer })) })], w);
        const c = Object.fromEntries(Object.entries(claims).filter(([, v]) => v !== undefined)) as typeof claims;
        const r = authenticateRequest(authn, { authorization: `Bearer ${encodeTestJwt(c)}` }, "/", now);
        if (r.ok) {
          expect((ISSUERS as readonly string[]).includes(claims.iss)).toBe(true);
          expect(r.requestPrincipal).toBe(`${claims.iss}/${claims.sub}`);
        } else expect(r.status).toBe(401);
      }),
    );
  });
});
