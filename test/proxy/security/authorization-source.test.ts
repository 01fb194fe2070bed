// AuthorizationPolicy behaviours checked against istio/istio and envoyproxy/envoy source (docs/model.md
// "Checked against the source"); each case names the upstream function it follows.
import { describe, expect, it } from "vitest";
import type { AuthorizationPolicySpec } from "../../../src/proxy/api/security.js";
import { compileAuthorization, evaluateAuthorization } from "../../../src/proxy/security/authorization/authorization.js";
import type { AuthzRequest } from "../../../src/proxy/security/authorization/request.js";
import { authorizationPolicy, authzRequest } from "../../properties/arbitraries/security.js";

const WL = { namespace: "foo", labels: { app: "httpbin" } };

function compileOne(spec: AuthorizationPolicySpec, annotations: Record<string, string> = {}, name = "p") {
  const p = authorizationPolicy("foo", name, spec);
  p.metadata = { ...p.metadata, annotations };
  return p;
}
function decide(specs: AuthorizationPolicySpec[], req: Partial<AuthzRequest> = {}) {
  const policies = specs.map((s, i) => authorizationPolicy("foo", `p${i}`, s, i));
  return evaluateAuthorization(compileAuthorization(policies, WL), authzRequest(req));
}

describe("authorization vs source: dry-run and CUSTOM naming", () => {
  // istio/istio pilot/pkg/security/authz/builder/builder.go isDryRun: strconv.ParseBool.
  it("reads istio.io/dry-run with Go's ParseBool", () => {
    const deny: AuthorizationPolicySpec = { action: "DENY", rules: [{}] };
    for (const v of ["1", "t", "T", "TRUE", "true", "True"]) {
      const c = compileAuthorization([compileOne(deny, { "istio.io/dry-run": v })], WL);
      expect(c.dryRun, v).toEqual(["foo/p"]);
      expect(evaluateAuthorization(c, authzRequest()).allowed, v).toBe(true);
    }
    for (const v of ["tRuE", "yes", "on", ""]) {
      const c = compileAuthorization([compileOne(deny, { "istio.io/dry-run": v })], WL);
      expect(c.dryRun, v).toEqual([]);
      expect(evaluateAuthorization(c, authzRequest()).allowed, v).toBe(false);
    }
  });
  // builder.go policyName (extAuthzMatchPrefix) and getBadCustomDenyRules (badCustomActionSuffix).
  it("names CUSTOM rules istio-ext-authz-<provider>-…, and a bad provider's deny with its suffix", () => {
    const custom: AuthorizationPolicySpec = { action: "CUSTOM", provider: { name: "opa" }, rules: [{}] };
    const c = compileAuthorization([compileOne(custom)], WL);
    expect(evaluateAuthorization(c, authzRequest())).toMatchObject({ flags: "UAEX", policyId: "istio-ext-authz-opa-ns[foo]-policy[p]-rule[0]" });
    const bad = compileAuthorization([compileOne(custom)], WL, { extensionProviders: ["other"] });
    expect(evaluateAuthorization(bad, authzRequest()).details).toBe(
      "rbac_access_denied_matched_policy[istio-ext-authz-opa-ns[foo]-policy[p]-rule[0]-deny-due-to-bad-CUSTOM-action]",
    );
  });
  // builder.go buildHTTP: more than one provider on a workload without
  // PILOT_ENABLE_MULTIPLE_CUSTOM_AUTHZ_PROVIDERS (default false) ⇒ every CUSTOM rule becomes an RBAC deny.
  it("two CUSTOM providers on one workload: both become RBAC denies", () => {
    const a: AuthorizationPolicySpec = { action: "CUSTOM", provider: { name: "opa" }, rules: [{ to: [{ operation: { paths: ["/a"] } }] }] };
    const b: AuthorizationPolicySpec = { action: "CUSTOM", provider: { name: "oauth2" }, rules: [{ to: [{ operation: { paths: ["/b"] } }] }] };
    const d = decide([a, b], { path: "/a" });
    expect(d).toMatchObject({ allowed: false, flags: "-", body: "RBAC: access denied", reason: "custom-provider-unknown" });
    expect(decide([a, b], { path: "/c" }).allowed).toBe(true);
  });
});
