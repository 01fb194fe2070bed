// AuthorizationPolicy as Istio documents it, checked through the CLI: each namespace below holds an
// httpbin with one set of policies; sleep in foo (sidecar, mTLS, principal
// cluster.local/ns/foo/sa/sleep) and sleep in legacy (no sidecar, plaintext) call them.
// https://istio.io/latest/docs/reference/config/security/authorization-policy/
// https://istio.io/latest/docs/concepts/security/#authorization-policies (CUSTOM, DENY, ALLOW order)
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { curl, httpbin, ns, simulation, sleep } from "./istio-samples.js";
import { onlyCode, run } from "./meshsim-cli.js";

const AP = (name: string, namespace: string, spec: string) => `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: ${name}, namespace: ${namespace}}
spec: ${spec}
`;

const POLICIES: Record<string, string[]> = {
  // "allow-nothing": an ALLOW policy that matches nothing; other ALLOW policies can still open paths.
  nothing: [AP("allow-nothing", "nothing", "{}"), AP("allow-ip", "nothing", "{action: ALLOW, rules: [{to: [{operation: {paths: [/ip]}}]}]}")],
  // "deny-all": DENY with one empty rule, which matches everything; an allow-all cannot reopen it.
  denyall: [AP("deny-all", "denyall", "{action: DENY, rules: [{}]}"), AP("allow-all", "denyall", "{action: ALLOW, rules: [{}]}")],
  principals: [AP("from-sleep", "principals", "{action: ALLOW, rules: [{from: [{source: {principals: [cluster.local/ns/foo/sa/sleep]}}]}]}")],
  namespaces: [AP("from-foo", "namespaces", "{action: ALLOW, rules: [{from: [{source: {namespaces: [foo]}}]}]}")],
  denywins: [AP("allow-all", "denywins", "{action: ALLOW, rules: [{}]}"), AP("deny-headers", "denywins", "{action: DENY, rules: [{to: [{operation: {paths: [/headers]}}]}]}")],
  // CUSTOM runs before DENY: a request both match is answered by ext_authz (403 UAEX). meshsim has
  // no ext-authz service to ask, so a matched CUSTOM rule denies (as Envoy fails closed).
  custom: [
    AP("ext", "custom", "{action: CUSTOM, provider: {name: my-ext-authz}, rules: [{to: [{operation: {paths: [/custom]}}]}]}"),
    AP("deny-all", "custom", "{action: DENY, rules: [{}]}"),
  ],
  // AUDIT only marks requests for logging: it neither allows nor denies, and alone it does not turn
  // on deny-by-default.
  audit: [AP("audit-all", "audit", "{action: AUDIT, rules: [{}]}")],
  paths: [AP("paths", "paths", "{action: ALLOW, rules: [{to: [{operation: {paths: [/ip, /status/*, \"*/info\"], methods: [GET]}}]}]}")],
  notpaths: [AP("notpaths", "notpaths", "{action: ALLOW, rules: [{to: [{operation: {notPaths: [/headers]}}]}]}")],
  // ports are the workload's (container) ports: 8080, not the Service's 8000.
  ports: [AP("ports", "ports", "{action: ALLOW, rules: [{to: [{operation: {ports: [\"8080\"]}}]}]}")],
  portsvc: [AP("ports", "portsvc", "{action: ALLOW, rules: [{to: [{operation: {ports: [\"8000\"]}}]}]}")],
  when: [AP("when", "when", "{action: ALLOW, rules: [{when: [{key: \"request.headers[x-token]\", values: [admin]}]}]}")],
};

const samples = [ns("foo", true), ns("legacy", false), ns("istio-system", false), sleep("foo"), sleep("legacy"),
  ...Object.keys(POLICIES).flatMap((n) => [ns(n, true), httpbin(n)])].join("---\n");

const clients: [string, string, string, Parameters<typeof curl>[3]?][] = [
  ["nothing-ip", "foo", "http://httpbin.nothing:8000/ip"],
  ["nothing-headers", "foo", "http://httpbin.nothing:8000/headers"],
  ["denyall-ip", "foo", "http://httpbin.denyall:8000/ip"],
  ["principals-sidecar", "foo", "http://httpbin.principals:8000/ip"],
  ["principals-plaintext", "legacy", "http://httpbin.principals:8000/ip"],
  ["namespaces-sidecar", "foo", "http://httpbin.namespaces:8000/ip"],
  ["namespaces-plaintext", "legacy", "http://httpbin.namespaces:8000/ip"],
  ["denywins-headers", "foo", "http://httpbin.denywins:8000/headers"],
  ["denywins-ip", "foo", "http://httpbin.denywins:8000/ip"],
  ["custom-custom", "foo", "http://httpbin.custom:8000/custom"],
  ["custom-ip", "foo", "http://httpbin.custom:8000/ip"],
  ["audit-ip", "foo", "http://httpbin.audit:8000/ip"],
  ["paths-exact", "foo", "http://httpbin.paths:8000/ip"],
  ["paths-exact-longer", "foo", "http://httpbin.paths:8000/ip/x"],
  ["paths-prefix", "foo", "http://httpbin.paths:8000/status/418"],
  ["paths-prefix-bare", "foo", "http://httpbin.paths:8000/status"],
  ["paths-suffix", "foo", "http://httpbin.paths:8000/api/info"],
  ["paths-post", "foo", "http://httpbin.paths:8000/ip", { method: "POST" }],
  ["paths-other", "foo", "http://httpbin.paths:8000/headers"],
  ["notpaths-ip", "foo", "http://httpbin.notpaths:8000/ip"],
  ["notpaths-headers", "foo", "http://httpbin.notpaths:8000/headers"],
  ["ports-target", "foo", "http://httpbin.ports:8000/ip"],
  ["ports-service", "foo", "http://httpbin.portsvc:8000/ip"],
  ["when-admin", "foo", "http://httpbin.when:8000/ip", { headers: { "x-token": "admin" } }],
  ["when-guest", "foo", "http://httpbin.when:8000/ip", { headers: { "x-token": "guest" } }],
  ["when-none", "foo", "http://httpbin.when:8000/ip"],
];

const { summary: s, out } = run({
  "sim.yaml": [simulation("authorization", "2s", "\n  report: {accessLog: true}"), ...Object.values(POLICIES).flat(),
    ...clients.map(([n, from, target, o]) => curl(n, from, target, o))].join("---\n"),
  "samples.yaml": samples,
});
const code = (c: string) => onlyCode(s, c);
const log = fs.readFileSync(path.join(out, "access.log"), "utf8").split("\n");

describe("allow-nothing versus deny-all", () => {
  it("allow-nothing (spec: {}) denies what no ALLOW policy opens, and another ALLOW policy opens its path", () => {
    expect(code("nothing-headers")).toBe("403");
    expect(code("nothing-ip")).toBe("200");
  });
  it("deny-all (DENY with rules: [{}]) denies even where an allow-all policy exists", () => {
    expect(code("denyall-ip")).toBe("403");
  });
});

describe("sources", () => {
  it("from.source.principals matches a mutual-TLS caller's identity", () => expect(code("principals-sidecar")).toBe("200"));
  it("from.source.principals never matches a plaintext caller: 403", () => expect(code("principals-plaintext")).toBe("403"));
  it("from.source.namespaces matches the mTLS peer's namespace", () => expect(code("namespaces-sidecar")).toBe("200"));
  it("from.source.namespaces never matches a plaintext caller: 403", () => expect(code("namespaces-plaintext")).toBe("403"));
});

describe("actions: CUSTOM, then DENY, then ALLOW; AUDIT decides nothing", () => {
  it("DENY wins over ALLOW", () => {
    expect(code("denywins-headers")).toBe("403");
    expect(code("denywins-ip")).toBe("200");
  });
  it("CUSTOM is evaluated before DENY: a request both match is denied by ext_authz (flag UAEX at the server)", () => {
    // The server sidecar logs UAEX; the client's sidecar just relays an upstream 403 (flag "-").
    expect(code("custom-custom")).toBe("403");
    expect(code("custom-ip")).toBe("403");
    const server = (p: string) => log.filter((l) => l.includes('"httpbin.custom:8000"') && l.includes(`"GET ${p} `) && l.includes(" inbound|"));
    expect(server("/custom").every((l) => / 403 UAEX /.test(l))).toBe(true);
    expect(server("/ip").every((l) => / 403 - /.test(l))).toBe(true);
    expect(server("/custom").length).toBeGreaterThan(0);
  });
  it("an AUDIT policy alone has no effect on access", () => expect(code("audit-ip")).toBe("200"));
});

describe("operations", () => {
  it("paths: exact, prefix with a trailing *, suffix with a leading *; methods", () => {
    expect(code("paths-exact")).toBe("200");
    expect(code("paths-exact-longer")).toBe("403");
    expect(code("paths-prefix")).toBe("200");
    // "/status/*" is a prefix match on "/status/": "/status" itself does not match
    expect(code("paths-prefix-bare")).toBe("403");
    expect(code("paths-suffix")).toBe("200");
    expect(code("paths-post")).toBe("403");
    expect(code("paths-other")).toBe("403");
  });
  it("notPaths: every path but the listed ones", () => {
    expect(code("notpaths-ip")).toBe("200");
    expect(code("notpaths-headers")).toBe("403");
  });
  it("ports are the workload's port (8080), not the Service's (8000)", () => {
    expect(code("ports-target")).toBe("200");
    expect(code("ports-service")).toBe("403");
  });
  it("when request.headers[x-token] matches only the listed values", () => {
    expect(code("when-admin")).toBe("200");
    expect(code("when-guest")).toBe("403");
    expect(code("when-none")).toBe("403");
  });
});

describe("the denial itself", () => {
  // Envoy's RBAC filter answers 403 with the body "RBAC: access denied" (19 bytes) and
  // %RESPONSE_CODE_DETAILS% rbac_access_denied_matched_policy[...]; ext_authz's denial is
  // "ext_authz_denied" with flag UAEX.
  // https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_conn_man/response_code_details
  it("a 403 from RBAC sends the 19-byte body 'RBAC: access denied' and logs rbac_access_denied_matched_policy", () => {
    const line = log.find((l) => l.includes('"httpbin.denyall:8000"') && l.includes(" 403 ") && l.includes(" inbound|"))!;
    expect(line).toMatch(/ 403 - rbac_access_denied_matched_policy\[[^\]]*\]/);
    expect(line).toMatch(/" 0 19 \d+ /);
  });
  // The details name the DENY rule that matched (the Envoy policy id istiod gives it), and "none" when
  // ALLOW policies apply and none matched: envoy source/extensions/filters/http/rbac/rbac_filter.cc
  // (responseDetail(effective_policy_id) / "none"), istio builder.go policyName.
  it("a DENY match logs its policy id ns[..]-policy[..]-rule[i]; an ALLOW miss logs [none]", () => {
    const deny = log.find((l) => l.includes('"httpbin.denyall:8000"') && l.includes(" 403 ") && l.includes(" inbound|"))!;
    expect(deny).toContain(" 403 - rbac_access_denied_matched_policy[ns[denyall]-policy[deny-all]-rule[0]] ");
    const miss = log.find((l) => l.includes('"httpbin.nothing:8000"') && l.includes(" 403 ") && l.includes(" inbound|"))!;
    expect(miss).toContain(" 403 - rbac_access_denied_matched_policy[none] ");
    const custom = log.find((l) => l.includes('"httpbin.custom:8000"') && l.includes("GET /custom ") && l.includes(" inbound|"))!;
    expect(custom).toContain(" 403 UAEX ext_authz_denied ");
  });
  it("a 403 from ext_authz logs ext_authz_denied with flag UAEX", () => {
    const line = log.find((l) => l.includes('"httpbin.custom:8000"') && l.includes(" 403 UAEX ") && l.includes(" inbound|"))!;
    expect(line).toContain(" 403 UAEX ext_authz_denied ");
  });
});
