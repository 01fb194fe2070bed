// RequestAuthentication and JWT-based authorization as Istio's tasks document them, through the CLI:
// https://istio.io/latest/docs/tasks/security/authentication/authn-policy/#end-user-authentication
// https://istio.io/latest/docs/tasks/security/authorization/authz-jwt/
// These tokens are unsigned JWTs, read for their claims because the rules here have no key set (no
// jwks, no served jwksUri; meshsim warns). Signatures against a key set: docs/docs-vs-source.md#jwt-signatures-and-key-sets.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { curl, httpbin, ns, simulation, sleep } from "./istio-samples.js";
import { meshsim, onlyCode, run } from "./meshsim-cli.js";

const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
const jwt = (claims: object) => `${b64({ alg: "none", typ: "JWT" })}.${b64(claims)}.`;
const ISS = "testing@secure.istio.io";
const FAR = 4685989700;
const GROUP1 = jwt({ iss: ISS, sub: ISS, exp: FAR, groups: ["group1", "group2"] });
const NOGROUP = jwt({ iss: ISS, sub: ISS, exp: FAR });
const OTHER_ISSUER = jwt({ iss: "someone@else", sub: "x", exp: FAR });
// expired on 2020-09-13, before the simulated calendar starts (2024-01-01, as the access log prints it)
const EXPIRED = jwt({ iss: ISS, sub: ISS, exp: 1600000000 });
const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

const policies = `apiVersion: security.istio.io/v1
kind: RequestAuthentication
metadata: {name: jwt-example, namespace: foo}
spec:
  selector: {matchLabels: {app: httpbin}}
  jwtRules: [{issuer: ${ISS}}]
---
apiVersion: security.istio.io/v1
kind: RequestAuthentication
metadata: {name: jwt-example, namespace: bar}
spec:
  selector: {matchLabels: {app: httpbin}}
  jwtRules: [{issuer: ${ISS}}]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: require-jwt, namespace: bar}
spec:
  selector: {matchLabels: {app: httpbin}}
  action: ALLOW
  rules:
  - from: [{source: {requestPrincipals: ["${ISS}/${ISS}"]}}]
    when: [{key: "request.auth.claims[groups]", values: [group1]}]
`;

const samples = [ns("foo", true), ns("bar", true), ns("istio-system", false), httpbin("foo"), httpbin("bar"), sleep("foo")].join("---\n");
const { summary: s, file, out } = run({
  "sim.yaml": [simulation("jwt", "2s", "\n  report: {accessLog: true}"), policies,
    curl("authn-valid", "foo", "http://httpbin.foo:8000/headers", { headers: bearer(NOGROUP) }),
    curl("authn-invalid", "foo", "http://httpbin.foo:8000/headers", { headers: bearer("deadbeef") }),
    curl("authn-other-issuer", "foo", "http://httpbin.foo:8000/headers", { headers: bearer(OTHER_ISSUER) }),
    curl("authn-expired", "foo", "http://httpbin.foo:8000/headers", { headers: bearer(EXPIRED) }),
    curl("authn-missing", "foo", "http://httpbin.foo:8000/headers"),
    curl("authz-group1", "foo", "http://httpbin.bar:8000/headers", { headers: bearer(GROUP1) }),
    curl("authz-no-group", "foo", "http://httpbin.bar:8000/headers", { headers: bearer(NOGROUP) }),
    curl("authz-missing", "foo", "http://httpbin.bar:8000/headers"),
    curl("authz-invalid", "foo", "http://httpbin.bar:8000/headers", { headers: bearer("deadbeef") }),
  ].join("---\n"),
  "samples.yaml": samples,
});

describe("RequestAuthentication alone", () => {
  it("a valid token is accepted: 200", () => expect(onlyCode(s, "authn-valid")).toBe("200"));
  it("an invalid token is rejected with 401", () => expect(onlyCode(s, "authn-invalid")).toBe("401"));
  it("a token of an issuer no rule names is rejected with 401", () => expect(onlyCode(s, "authn-other-issuer")).toBe("401"));
  it("an expired token is rejected with 401", () => expect(onlyCode(s, "authn-expired")).toBe("401"));
  it("a request without a token is allowed (authentication never demands one)", () => expect(onlyCode(s, "authn-missing")).toBe("200"));
});

describe("AuthorizationPolicy requiring requestPrincipals and a claim", () => {
  it("a valid token with groups containing group1 is allowed", () => expect(onlyCode(s, "authz-group1")).toBe("200"));
  it("a valid token without the claim is denied with 403", () => expect(onlyCode(s, "authz-no-group")).toBe("403"));
  it("no token is denied with 403 (RBAC), not 401", () => expect(onlyCode(s, "authz-missing")).toBe("403"));
  it("an invalid token is still 401 (jwt_authn runs before RBAC)", () => expect(onlyCode(s, "authz-invalid")).toBe("401"));
});

describe("the 401's response code details", () => {
  // envoy source/extensions/filters/http/jwt_authn/filter.cc onComplete → generateRcDetails:
  // `jwt_authn_access_denied{<jwt_verify status text, blanks replaced by _>}`.
  const log = fs.readFileSync(path.join(out, "access.log"), "utf8").split("\n").filter((l) => l.includes(" inbound|") && l.includes(" 401 "));
  it("name the failure: expired, unknown issuer, malformed", () => {
    const details = new Set(log.map((l) => / 401 - (\S+) /.exec(l)?.[1]));
    expect(details).toEqual(new Set([
      "jwt_authn_access_denied{Jwt_is_expired}",
      "jwt_authn_access_denied{Jwt_issuer_is_not_configured}",
      "jwt_authn_access_denied{Jwt_is_not_in_the_form_of_Header.Payload.Signature_with_two_dots_and_3_sections}",
    ]));
  });
});

describe("explain agrees with the run", () => {
  // `meshsim explain` evaluates the same jwt_authn and RBAC as the simulation, claims included.
  const explain = (token: string) => meshsim("explain", file, "--from", "sleep", "--request", `GET http://httpbin.bar:8000/headers -H authorization:Bearer ${token}`).stdout;
  it("a token with the group claim is allowed, one without it denied with 403, an expired one 401", () => {
    expect(explain(GROUP1)).toMatch(/authorization: allowed/);
    expect(explain(NOGROUP)).toMatch(/authorization: DENIED ⇒ 403 "RBAC: access denied"/);
    expect(explain(EXPIRED)).toMatch(/jwt_authn .*⇒ 401/);
  });
});
