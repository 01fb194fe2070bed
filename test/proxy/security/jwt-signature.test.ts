// JWT signatures verified as Envoy's jwt_authn verifies them (jwt_verify_lib verifyJwtWithoutTimeChecking,
// https://github.com/google/jwt_verify_lib/blob/master/src/verify.cc), checked on Istio's own samples
// (security/tools/jwt/samples: jwks.json, demo.jwt, groups-scope.jwt, unmodified) and against `jose`
// as an independent implementation (tokens signed by jose; its compactVerify is the oracle).
import { readFileSync } from "node:fs";
import { CompactSign, compactVerify, createLocalJWKSet, exportJWK, generateKeyPair, type JWK } from "jose";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseJwks } from "../../../src/proxy/security/jwks.js";
import { parseSignedJwt, verifyJwtSignature } from "../../../src/proxy/security/jwt-signature.js";
import { authenticateRequest, compileRequestAuthentication } from "../../../src/proxy/security/request-authentication.js";
import { encodeTestJwt } from "../../../src/proxy/security/test-jwt.js";
import { requestAuthentication } from "../../properties/arbitraries/security.js";

const fixture = (f: string) => readFileSync(new URL(`../../fixtures/istio-jwt/${f}`, import.meta.url), "utf8").trim();
const JWKS = fixture("jwks.json");
const DEMO = fixture("demo.jwt");
const GROUPS = fixture("groups-scope.jwt");
const ISS = "testing@secure.istio.io";
const WL = { namespace: "foo", labels: { app: "httpbin" } };
const NOW = 1_704_067_200; // 2024-01-01, meshsim's simulated time 0

const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
/** The token with its payload replaced and its signature kept: what an attacker can do without the key. */
function forge(token: string, edit: (claims: Record<string, unknown>) => void): string {
  const [h, p, s] = token.split(".") as [string, string, string];
  const claims = JSON.parse(Buffer.from(p, "base64url").toString("utf8")) as Record<string, unknown>;
  edit(claims);
  return `${h}.${b64(claims)}.${s}`;
}
const authnWith = (rule: Record<string, unknown>) =>
  compileRequestAuthentication([requestAuthentication("foo", "jwt", { selector: { matchLabels: { app: "httpbin" } }, jwtRules: [{ issuer: ISS, ...rule }] })], WL);
const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

describe("Istio's sample key set and tokens", () => {
  const jwks = parseJwks(JWKS);
  it("jwks.json parses: one RSA key with Istio's kid", () => {
    expect(jwks.ok).toBe(true);
    if (!jwks.ok) return;
    expect(jwks.jwks.keys.map((k) => [k.kty, k.kid])).toEqual([["RSA", "DHFbpoIUqrY8t2zpA2qXfCmr5VO5ZEr4RzHU_-envvQ"]]);
  });
  it("demo.jwt and groups-scope.jwt verify (RS256)", () => {
    if (!jwks.ok) throw new Error("jwks");
    for (const t of [DEMO, GROUPS]) {
      const jwt = parseSignedJwt(t);
      expect(typeof jwt).toBe("object");
      expect(verifyJwtSignature(jwt as Exclude<typeof jwt, string>, jwks.jwks)).toBe("ok");
    }
  });
  it("through RequestAuthentication with inline jwks: demo.jwt is accepted with principal iss/sub", () => {
    const a = authnWith({ jwks: JWKS });
    expect(authenticateRequest(a, bearer(DEMO), "/", NOW)).toMatchObject({ ok: true, requestPrincipal: `${ISS}/${ISS}` });
    const g = authenticateRequest(a, bearer(GROUPS), "/", NOW);
    expect(g.ok && g.claims?.["groups"]).toEqual(["group1", "group2"]);
  });
  it("a forged demo.jwt (groups claim added after signing) is 401 'Jwt verification fails', as Envoy's jwt_authn answers", () => {
    const forged = forge(DEMO, (c) => { c["groups"] = ["group1"]; });
    for (const rule of [{ jwks: JWKS }, { jwksUri: "https://example.com/jwks.json", fetchedJwks: JWKS }]) {
      expect(authenticateRequest(authnWith(rule), bearer(forged), "/", NOW)).toEqual({
        ok: false, status: 401, body: "Jwt verification fails", jwtStatus: "JwtVerificationFail",
      });
    }
  });
  it("a token whose signature was cut, or whose alg is none, is rejected once keys are known", () => {
    const a = authnWith({ jwks: JWKS });
    const [h, p] = DEMO.split(".") as [string, string];
    expect(authenticateRequest(a, bearer(`${h}.${p}.`), "/", NOW)).toMatchObject({ status: 401, body: "Jwt is not in the form of Header.Payload.Signature with two dots and 3 sections" });
    expect(authenticateRequest(a, bearer(encodeTestJwt({ iss: ISS, sub: ISS }) + "c2ln"), "/", NOW)).toMatchObject({
      status: 401, body: "Jwt header [alg] is not supported",
    });
  });
  it("a token signed with a key the set does not hold: kid mismatch, or verification failure when the kid matches", async () => {
    const { privateKey } = await generateKeyPair("RS256");
    const sign = (kid: string) => new CompactSign(new TextEncoder().encode(JSON.stringify({ iss: ISS, sub: ISS })))
      .setProtectedHeader({ alg: "RS256", kid }).sign(privateKey);
    const a = authnWith({ jwks: JWKS });
    expect(authenticateRequest(a, bearer(await sign("other")), "/", NOW)).toMatchObject({ status: 401, body: "Jwks doesn't have key to match kid or alg from Jwt" });
    expect(authenticateRequest(a, bearer(await sign("DHFbpoIUqrY8t2zpA2qXfCmr5VO5ZEr4RzHU_-envvQ")), "/", NOW)).toMatchObject({ status: 401, body: "Jwt verification fails" });
  });
  it("time and audience are checked before the signature (authenticator.cc order)", () => {
    const a = authnWith({ jwks: JWKS, audiences: ["nobody"] });
    expect(authenticateRequest(a, bearer(forge(DEMO, () => {})), "/", NOW)).toMatchObject({ status: 403 });
    // demo.jwt expires in 2118: at that time + skew it is expired, before its signature is looked at.
    expect(authenticateRequest(authnWith({ jwks: JWKS }), bearer(forge(DEMO, (c) => { c["x"] = 1; })), "/", 4685989700 + 61)).toMatchObject({ body: "Jwt is expired" });
  });
});

describe("the key set document", () => {
  it("rejects what jwt_verify_lib rejects, with its words", () => {
    expect(parseJwks("{")).toMatchObject({ ok: false, error: { status: "JwksParseError" } });
    expect(parseJwks("{}")).toMatchObject({ ok: false, error: { status: "JwksNoKeys", message: "Jwks does not have [keys] field" } });
    expect(parseJwks('{"keys": {}}')).toMatchObject({ ok: false, error: { status: "JwksBadKeys" } });
    expect(parseJwks('{"keys": []}')).toMatchObject({ ok: false, error: { status: "JwksNoValidKeys" } });
    expect(parseJwks('{"keys": [{"kty": "RSA", "n": "AQAB"}]}')).toMatchObject({ ok: false, error: { status: "JwksBadKey", keyIndex: 0 } });
    expect(parseJwks('{"keys": [{"e": "AQAB"}]}')).toMatchObject({ ok: false, error: { status: "JwksBadKey", message: "[kty] is missing in [keys]" } });
  });
});

// jose (https://github.com/panva/jose) signs; both jose's compactVerify and meshsim must agree on
// every token, untouched or with one character of its payload or signature changed.
describe("meshsim's verdict equals jose's", () => {
  const ALGS = ["RS256", "PS256", "ES256", "ES384", "EdDSA"] as const;
  const keys = ALGS.map(async (alg) => {
    const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
    const jwk: JWK = { ...(await exportJWK(publicKey)), kid: `k-${alg}`, alg };
    return { alg, privateKey, jwk };
  });
  it("RS256, PS256, ES256, ES384, EdDSA: valid tokens verify, tampered ones do not", async () => {
    const ks = await Promise.all(keys);
    const set = { keys: ks.map((k) => k.jwk) };
    const parsed = parseJwks(JSON.stringify(set));
    if (!parsed.ok) throw new Error(parsed.error.message);
    const joseSet = createLocalJWKSet(set);
    await fc.assert(fc.asyncProperty(
      fc.integer({ min: 0, max: ALGS.length - 1 }),
      fc.dictionary(fc.string({ minLength: 1, maxLength: 5 }), fc.oneof(fc.string(), fc.integer())),
      fc.constantFrom("none", "payload", "signature"),
      fc.nat(),
      async (i, claims, tamper, at) => {
        const k = ks[i]!;
        let t = await new CompactSign(new TextEncoder().encode(JSON.stringify({ iss: ISS, ...claims })))
          .setProtectedHeader({ alg: k.alg, kid: k.jwk.kid! }).sign(k.privateKey);
        if (tamper !== "none") {
          const [h, p, s] = t.split(".") as [string, string, string];
          const flip = (x: string) => { const j = at % x.length; return x.slice(0, j) + (x[j] === "A" ? "B" : "A") + x.slice(j + 1); };
          t = tamper === "payload" ? `${h}.${flip(p)}.${s}` : `${h}.${p}.${flip(s)}`;
        }
        const jose = await compactVerify(t, joseSet).then(() => true, () => false);
        const jwt = parseSignedJwt(t);
        const ours = typeof jwt !== "string" && verifyJwtSignature(jwt, parsed.jwks) === "ok";
        expect(ours).toBe(jose);
        if (tamper === "none") expect(ours).toBe(true);
      },
    ), { numRuns: 150 });
  });
});
