// RequestAuthentication behaviours checked against istio/istio and envoyproxy/envoy source (docs/model.md
// "Checked against the source").
import { describe, expect, it } from "vitest";
import type { AuthorizationPolicySpec } from "../../../src/proxy/api/security.js";
import { compileAuthorization, evaluateAuthorization } from "../../../src/proxy/security/authorization/authorization.js";
import { authenticateRequest, compileRequestAuthentication } from "../../../src/proxy/security/request-authentication.js";
import { encodeTestJwt } from "../../../src/proxy/security/test-jwt.js";
import { authorizationPolicy, authzRequest, requestAuthentication } from "../../properties/arbitraries/security.js";

const WL = { namespace: "foo", labels: { app: "httpbin" } };
const ISS = "testing@secure.istio.io";
const bearer = (claims: Parameters<typeof encodeTestJwt>[0]) => ({ authorization: `Bearer ${encodeTestJwt(claims)}` });

describe("jwt_authn payload in metadata: space-delimited claims", () => {
  // istio policy_applier.go buildSpaceDelimitedClaims always names "permission" and "scope";
  // envoy jwt_authn authenticator.cc setPayloadMetadata splits them into lists for RBAC.
  const claimPolicy: AuthorizationPolicySpec = { rules: [{ when: [{ key: "request.auth.claims[scope]", values: ["write"] }] }] };
  const authz = compileAuthorization([authorizationPolicy("foo", "scope", claimPolicy)], WL);
  const allowed = (jwtRules: Parameters<typeof requestAuthentication>[2]["jwtRules"], claims: Record<string, unknown>, key = "scope", value = "write") => {
    const authn = compileRequestAuthentication([requestAuthentication("foo", "jwt", { jwtRules })], WL);
    const r = authenticateRequest(authn, bearer({ iss: ISS, sub: "alice", ...claims }), "/", 0);
    if (!r.ok) throw new Error("token rejected");
    const spec: AuthorizationPolicySpec = { rules: [{ when: [{ key: `request.auth.claims[${key}]`, values: [value] }] }] };
    const c = key === "scope" && value === "write" ? authz : compileAuthorization([authorizationPolicy("foo", "c", spec)], WL);
    return evaluateAuthorization(c, authzRequest({ requestPrincipal: r.requestPrincipal, requestClaims: r.claims })).allowed;
  };
  it("scope \"read write\" matches the value write; permission too; other claims stay whole", () => {
    expect(allowed([{ issuer: ISS }], { scope: "read  write" })).toBe(true);
    expect(allowed([{ issuer: ISS }], { scope: "read" })).toBe(false);
    expect(allowed([{ issuer: ISS }], { permission: "a b" }, "permission", "b")).toBe(true);
    expect(allowed([{ issuer: ISS }], { roles: "a b" }, "roles", "b")).toBe(false);
  });
  it("a rule's spaceDelimitedClaims adds claims to split", () => {
    expect(allowed([{ issuer: ISS, spaceDelimitedClaims: ["roles"] }], { roles: "a b" }, "roles", "b")).toBe(true);
  });
});

describe("CORS preflight", () => {
  // istio policy_applier.go sets BypassCorsPreflight; envoy jwt_authn filter.cc isCorsPreflightRequest.
  const authn = compileRequestAuthentication([requestAuthentication("foo", "jwt", { jwtRules: [{ issuer: ISS }] })], WL);
  const bad = { authorization: "Bearer deadbeef" };
  it("OPTIONS with Origin and Access-Control-Request-Method passes jwt_authn whatever its token", () => {
    const pre = { ...bad, origin: "https://a.example", "access-control-request-method": "POST" };
    expect(authenticateRequest(authn, pre, "/", 0, "OPTIONS")).toMatchObject({ ok: true, requestPrincipal: undefined });
    expect(authenticateRequest(authn, pre, "/", 0, "GET")).toMatchObject({ ok: false, status: 401 });
    expect(authenticateRequest(authn, { ...bad, origin: "https://a.example" }, "/", 0, "OPTIONS")).toMatchObject({ ok: false, status: 401 });
  });
});
