import { describe, expect, it } from "vitest";
import type { AuthorizationPolicySpec } from "../../../src/proxy/api/security.js";
import { compileAuthorization, evaluateAuthorization, auditPolicyMatch } from "../../../src/proxy/security/authorization/authorization.js";
import { cidrContains, parseCidr, parseIpv4 } from "../../../src/proxy/security/authorization/ip-block.js";
import { compilePathTemplate } from "../../../src/proxy/security/authorization/path-template.js";
import type { AuthzRequest } from "../../../src/proxy/security/authorization/request.js";
import { peerIdentity } from "../../../src/proxy/security/identity.js";
import { authorizationPolicy, authzRequest } from "../../properties/arbitraries/security.js";

const WL = { namespace: "foo", labels: { app: "httpbin" } };
const SLEEP = peerIdentity("foo", "sleep");

function decide(specs: AuthorizationPolicySpec[], req: Partial<AuthzRequest>, ext?: (p: string) => boolean) {
  const policies = specs.map((s, i) => authorizationPolicy("foo", `p${i}`, s, i));
  return evaluateAuthorization(compileAuthorization(policies, WL), authzRequest(req), ext && ((p) => ext(p)));
}
const allows = (specs: AuthorizationPolicySpec[], req: Partial<AuthzRequest> = {}) => decide(specs, req).allowed;

describe("authorization: policy evaluation", () => {
  it("no policy ⇒ allow; spec {} ⇒ allow-nothing; rules [{}] ⇒ allow-all", () => {
    expect(decide([], {})).toMatchObject({ allowed: true, reason: "no-allow-policies" });
    expect(decide([{}], {})).toMatchObject({ allowed: false, status: 403, body: "RBAC: access denied", flags: "-", reason: "no-allow-matched" });
    expect(decide([{}], {}).details).toBe("rbac_access_denied_matched_policy[none]");
    expect(allows([{ rules: [{}] }])).toBe(true);
  });
  it("DENY without rules never matches; DENY with an empty rule denies everything", () => {
    expect(allows([{ action: "DENY" }])).toBe(true);
    const d = decide([{ action: "DENY", rules: [{}] }], {});
    expect(d).toMatchObject({ allowed: false, reason: "deny-matched", policy: "foo/p0", rule: 0, policyId: "ns[foo]-policy[p0]-rule[0]" });
    expect(d.details).toBe("rbac_access_denied_matched_policy[ns[foo]-policy[p0]-rule[0]]");
  });
  it("DENY beats ALLOW, AUDIT changes nothing", () => {
    const specs: AuthorizationPolicySpec[] = [{ rules: [{}] }, { action: "DENY", rules: [{ to: [{ operation: { methods: ["POST"] } }] }] }];
    expect(allows(specs, { method: "GET" })).toBe(true);
    expect(allows(specs, { method: "POST" })).toBe(false);
    expect(allows([{ action: "AUDIT", rules: [{}] }])).toBe(true);
    const c = compileAuthorization([authorizationPolicy("foo", "a", { action: "AUDIT", rules: [{}] })], WL);
    expect(auditPolicyMatch(c, authzRequest())).toBe("foo/a");
  });
  it("CUSTOM asks the provider first: deny ⇒ 403 UAEX; allow ⇒ continue with DENY/ALLOW", () => {
    const custom: AuthorizationPolicySpec = { action: "CUSTOM", provider: { name: "opa" }, rules: [{ to: [{ operation: { paths: ["/admin*"] } }] }] };
    expect(decide([custom], { path: "/admin/x" }, () => false)).toMatchObject({ allowed: false, status: 403, flags: "UAEX" });
    expect(decide([custom], { path: "/admin/x" }, () => true).allowed).toBe(true);
    expect(decide([custom, { action: "DENY", rules: [{}] }], { path: "/admin/x" }, () => true).reason).toBe("deny-matched");
    expect(decide([custom], { path: "/ip" }, () => false).allowed).toBe(true);
    // An unknown provider becomes an RBAC deny.
    const c = compileAuthorization([authorizationPolicy("foo", "c", custom)], WL, { extensionProviders: ["other"] });
    expect(evaluateAuthorization(c, authzRequest({ path: "/admin" }), () => true)).toMatchObject({ flags: "-", reason: "custom-provider-unknown" });
  });
  it("scopes policies by namespace, root namespace and selector", () => {
    const ps = [
      authorizationPolicy("bar", "other-ns", {}),
      authorizationPolicy("foo", "other-app", { selector: { matchLabels: { app: "reviews" } } }),
    ];
    expect(evaluateAuthorization(compileAuthorization(ps, WL), authzRequest()).allowed).toBe(true);
    const root = [authorizationPolicy("istio-system", "mesh-deny", { action: "DENY", selector: { matchLabels: { app: "httpbin" } }, rules: [{}] })];
    expect(evaluateAuthorization(compileAuthorization(root, WL), authzRequest()).allowed).toBe(false);
  });
  it("skips dry-run policies and invalid rules", () => {
    const dry = authorizationPolicy("foo", "d", { action: "DENY", rules: [{}] });
    dry.metadata = { ...dry.metadata, annotations: { "istio.io/dry-run": "true" } };
    const c = compileAuthorization([dry], WL);
    expect(evaluateAuthorization(c, authzRequest()).allowed).toBe(true);
    expect(c.dryRun).toEqual(["foo/d"]);
    const bad = compileAuthorization([authorizationPolicy("foo", "b", { rules: [{ when: [{ key: "request.bogus", values: ["x"] }] }] })], WL);
    expect(bad.skipped[0]?.error).toMatch(/unknown attribute/);
    expect(evaluateAuthorization(bad, authzRequest()).allowed).toBe(false);
  });
  it("reports the lexicographically first matching Envoy policy id", () => {
    const ps = [authorizationPolicy("foo", "zeta", { action: "DENY", rules: [{}] }), authorizationPolicy("foo", "alpha", { action: "DENY", rules: [{}] })];
    expect(evaluateAuthorization(compileAuthorization(ps, WL), authzRequest()).policy).toBe("foo/alpha");
  });
});

describe("authorization: rules and fields", () => {
  it("a rule needs any from AND any to AND all when", () => {
    const spec: AuthorizationPolicySpec = {
      rules: [{
        from: [{ source: { principals: ["cluster.local/ns/foo/sa/sleep"] } }, { source: { namespaces: ["bar"] } }],
        to: [{ operation: { methods: ["GET"] } }],
        when: [{ key: "request.headers[x-user]", values: ["alice"] }],
      }],
    };
    const ok = { peer: SLEEP, method: "GET", headers: { "x-user": "alice" } };
    expect(allows([spec], ok)).toBe(true);
    expect(allows([spec], { ...ok, peer: peerIdentity("bar", "x") })).toBe(true);
    expect(allows([spec], { ...ok, peer: peerIdentity("baz", "sleep") })).toBe(false);
    expect(allows([spec], { ...ok, method: "POST" })).toBe(false);
    expect(allows([spec], { ...ok, headers: { "x-user": "bob" } })).toBe(false);
  });
  it("fields AND, values OR, not* negates", () => {
    const spec: AuthorizationPolicySpec = { rules: [{ to: [{ operation: { methods: ["GET", "HEAD"], notPaths: ["/admin*"] } }] }] };
    expect(allows([spec], { method: "HEAD", path: "/ip" })).toBe(true);
    expect(allows([spec], { method: "GET", path: "/admin/users" })).toBe(false);
    expect(allows([spec], { method: "POST", path: "/ip" })).toBe(false);
  });
  it("string matching: exact, prefix, suffix, presence; hosts case-insensitive; paths ignore the query", () => {
    const op = (o: object) => ({ rules: [{ to: [{ operation: o }] }] });
    expect(allows([op({ paths: ["/ip"] })], { path: "/ip?x=1" })).toBe(true);
    expect(allows([op({ paths: ["/api/*"] })], { path: "/api/v1" })).toBe(true);
    expect(allows([op({ paths: ["*/items"] })], { path: "/api/v1/items?q" })).toBe(true);
    expect(allows([op({ paths: ["*"] })], { path: "/x" })).toBe(true);
    expect(allows([op({ paths: ["/a*b"] })], { path: "/aXb" })).toBe(false);
    expect(allows([op({ hosts: ["httpbin.FOO*"] })], { host: "HTTPBIN.foo:8000" })).toBe(true);
    expect(allows([op({ hosts: ["*.svc.cluster.local"] })], { host: "httpbin.foo.SVC.cluster.local" })).toBe(true);
    expect(allows([op({ hosts: ["httpbin"] })], { host: "httpbin:8000" })).toBe(false);
    expect(allows([op({ methods: ["P*"] })], { method: "PUT" })).toBe(true);
    expect(allows([op({ ports: ["8000"] })], { port: 8000 })).toBe(true);
    expect(allows([op({ notPorts: ["8000"] })], { port: 8000 })).toBe(false);
  });
  it("path templates {*} and {**}", () => {
    const re = compilePathTemplate("/foo/{*}/bar/{**}");
    expect(re.test("/foo/x/bar/")).toBe(true);
    expect(re.test("/foo/x/bar/a/b")).toBe(true);
    expect(re.test("/foo/x/y/bar/a")).toBe(false);
    expect(allows([{ rules: [{ to: [{ operation: { paths: ["/foo/{*}"] } }] }] }], { path: "/foo/bar/baz" })).toBe(false);
    expect(allows([{ rules: [{ to: [{ operation: { paths: ["/foo/{*}"] } }] }] }], { path: "/foo/bar?x" })).toBe(true);
  });
  it("principals and namespaces need mTLS; notPrincipals ['*'] matches plaintext", () => {
    const from = (s: object) => ({ rules: [{ from: [{ source: s }] }] });
    expect(allows([from({ principals: ["*"] })], { peer: undefined })).toBe(false);
    expect(allows([from({ principals: ["*"] })], { peer: SLEEP })).toBe(true);
    expect(allows([from({ namespaces: ["*"] })], { peer: undefined })).toBe(false);
    expect(allows([from({ namespaces: ["f*"] })], { peer: SLEEP })).toBe(true);
    expect(allows([from({ principals: ["*/sa/sleep"] })], { peer: SLEEP })).toBe(true);
    expect(allows([from({ principals: ["cluster.local/ns/foo/*"] })], { peer: SLEEP })).toBe(true);
    const requireMtls: AuthorizationPolicySpec = { action: "DENY", rules: [{ from: [{ source: { notPrincipals: ["*"] } }] }] };
    expect(allows([requireMtls], { peer: undefined })).toBe(false);
    expect(allows([requireMtls], { peer: SLEEP })).toBe(true);
  });
  it("requestPrincipals as <iss>/<sub> with wildcards", () => {
    const from = (v: string[]) => ({ rules: [{ from: [{ source: { requestPrincipals: v } }] }] });
    const jwt = { requestPrincipal: "https://issuer.example/alice", requestClaims: { iss: "https://issuer.example", sub: "alice" } };
    expect(allows([from(["https://issuer.example/alice"])], jwt)).toBe(true);
    expect(allows([from(["https://issuer.example/*"])], jwt)).toBe(true);
    expect(allows([from(["*/alice"])], jwt)).toBe(true);
    expect(allows([from(["*"])], jwt)).toBe(true);
    expect(allows([from(["*"])], {})).toBe(false);
    expect(allows([from(["https://issuer.example/bob"])], jwt)).toBe(false);
    expect(allows([from(["https://issuer.example/alice"])], { requestPrincipal: "https://issuer.example/alice" })).toBe(true);
    const requireJwt: AuthorizationPolicySpec = { action: "DENY", rules: [{ from: [{ source: { notRequestPrincipals: ["*"] } }] }] };
    expect(allows([requireJwt], {})).toBe(false);
    expect(allows([requireJwt], jwt)).toBe(true);
  });
  it("ipBlocks and remoteIpBlocks are CIDR matches", () => {
    const from = (s: object) => ({ rules: [{ from: [{ source: s }] }] });
    expect(allows([from({ ipBlocks: ["10.0.0.0/16"] })], { sourceIp: "10.0.200.1" })).toBe(true);
    expect(allows([from({ ipBlocks: ["10.0.0.5"] })], { sourceIp: "10.0.0.6" })).toBe(false);
    expect(allows([from({ remoteIpBlocks: ["1.2.3.0/24"] })], { sourceIp: "10.0.0.1", remoteIp: "1.2.3.4" })).toBe(true);
    expect(allows([from({ remoteIpBlocks: ["10.0.0.0/8"] })], { sourceIp: "10.0.0.1" })).toBe(true);
    expect(parseIpv4("1.2.3.256")).toBe(-1);
    expect(parseIpv4("255.255.255.255")).toBe(4294967295);
    expect(cidrContains(parseCidr("10.1.2.3/8")!, "10.200.0.1")).toBe(true);
    expect(parseCidr("10.0.0.0/33")).toBeUndefined();
  });
  it("when: headers, claims, source attributes, ports, SNI", () => {
    const when = (key: string, values?: string[], notValues?: string[]) => ({ rules: [{ when: [{ key, ...(values ? { values } : {}), ...(notValues ? { notValues } : {}) }] }] });
    expect(allows([when("request.headers[X-User]", ["*"])], { headers: { "x-user": "" } })).toBe(true);
    expect(allows([when("request.headers[x-user]", ["*"])], {})).toBe(false);
    expect(allows([when("request.headers[x-user]", undefined, ["bob"])], {})).toBe(true);
    expect(allows([when("request.auth.claims[groups]", ["admin"])], { requestClaims: { groups: ["dev", "admin"] } })).toBe(true);
    expect(allows([when("request.auth.claims[a][b]", ["c"])], { requestClaims: { a: { b: "c" } } })).toBe(true);
    expect(allows([when("request.auth.audiences", ["web"])], { requestClaims: { aud: "web" } })).toBe(true);
    expect(allows([when("request.auth.principal", ["i/s"])], { requestPrincipal: "i/s", requestClaims: { iss: "i", sub: "s" } })).toBe(true);
    expect(allows([when("source.principal", ["cluster.local/ns/foo/sa/sleep"])], { peer: SLEEP })).toBe(true);
    expect(allows([when("source.namespace", ["foo"])], { peer: undefined })).toBe(false);
    expect(allows([when("source.ip", ["10.0.0.0/24"])], { sourceIp: "10.0.0.5" })).toBe(true);
    expect(allows([when("destination.port", ["9090"])], { port: 9090 })).toBe(true);
    expect(allows([when("connection.sni", ["*.local"])], { sni: "outbound_.8000_._.httpbin.foo.svc.cluster.local" })).toBe(true);
  });
  it("TCP traffic: HTTP-only fields never match in ALLOW, are ignored in DENY", () => {
    const allowGet: AuthorizationPolicySpec = { rules: [{ to: [{ operation: { methods: ["GET"] } }] }] };
    expect(allows([allowGet], { tcp: true })).toBe(false);
    const denyPost: AuthorizationPolicySpec = { action: "DENY", rules: [{ to: [{ operation: { methods: ["POST"] } }] }] };
    expect(allows([denyPost], { tcp: true, method: "GET" })).toBe(false);
    expect(allows([denyPost], { tcp: false, method: "GET" })).toBe(true);
    const allowPort: AuthorizationPolicySpec = { rules: [{ to: [{ operation: { ports: ["8000"] } }] }] };
    expect(allows([allowPort], { tcp: true, port: 8000 })).toBe(true);
  });
});
