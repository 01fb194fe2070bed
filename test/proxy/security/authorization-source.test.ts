// AuthorizationPolicy behaviours checked against istio/istio and envoyproxy/envoy source (docs/model.md
// "Checked against the source"); each case names the upstream function it follows.
import { describe, expect, it } from "vitest";
import type { AuthorizationPolicySpec, AuthzSource } from "../../../src/proxy/api/security.js";
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

describe("authorization vs source: serviceAccounts and trustDomains", () => {
  const from = (source: AuthzSource): AuthorizationPolicySpec => ({ rules: [{ from: [{ source }] }] });
  const peer = (principal: string) => {
    const [trustDomain, , namespace, , serviceAccount] = principal.split("/") as [string, string, string, string, string];
    return { trustDomain, namespace, serviceAccount, principal };
  };
  // istio/istio pilot/pkg/security/authz/model/generator.go serviceAccountRegex: a bare name is in the
  // policy's namespace; any trust domain matches.
  it("serviceAccounts: a bare name means the policy's namespace; any trust domain", () => {
    expect(decide([from({ serviceAccounts: ["sleep"] })], { peer: peer("cluster.local/ns/foo/sa/sleep") }).allowed).toBe(true);
    expect(decide([from({ serviceAccounts: ["sleep"] })], { peer: peer("cluster.local/ns/bar/sa/sleep") }).allowed).toBe(false);
    expect(decide([from({ serviceAccounts: ["bar/sleep"] })], { peer: peer("corp.example/ns/bar/sa/sleep") }).allowed).toBe(true);
    expect(decide([from({ serviceAccounts: ["bar/sleep"] })], { peer: peer("cluster.local/ns/bar/sa/sleepy") }).allowed).toBe(false);
    expect(decide([from({ serviceAccounts: ["bar/sleep"] })], { peer: undefined }).allowed).toBe(false);
    expect(decide([from({ notServiceAccounts: ["sleep"] })], { peer: undefined }).allowed).toBe(true);
  });
  it("when source.serviceAccount is a known key (not a skipped rule)", () => {
    const spec: AuthorizationPolicySpec = { rules: [{ when: [{ key: "source.serviceAccount", values: ["foo/sleep"] }] }] };
    const c = compileAuthorization([authorizationPolicy("foo", "w", spec)], WL);
    expect(c.skipped).toEqual([]);
    expect(evaluateAuthorization(c, authzRequest({ peer: peer("cluster.local/ns/foo/sa/sleep") })).allowed).toBe(true);
  });
  // generator.go srcTrustDomainGenerator: "*" any mTLS peer, exact = prefix "spiffe://td/", one "*" = [^/]*.
  it("trustDomains: exact, wildcard at either end, * = any mTLS peer", () => {
    const p = peer("cluster.local/ns/foo/sa/sleep");
    expect(decide([from({ trustDomains: ["cluster.local"] })], { peer: p }).allowed).toBe(true);
    expect(decide([from({ trustDomains: ["cluster"] })], { peer: p }).allowed).toBe(false);
    expect(decide([from({ trustDomains: ["*.local"] })], { peer: p }).allowed).toBe(true);
    expect(decide([from({ trustDomains: ["cluster.*"] })], { peer: p }).allowed).toBe(true);
    expect(decide([from({ trustDomains: ["*"] })], { peer: p }).allowed).toBe(true);
    expect(decide([from({ trustDomains: ["*"] })], { peer: undefined }).allowed).toBe(false);
    expect(decide([{ rules: [{ when: [{ key: "source.trustDomain", notValues: ["cluster.local"] }] }] }], { peer: p }).allowed).toBe(false);
  });
});
