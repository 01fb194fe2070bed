// AuthorizationPolicy at the destination ztunnel: L4 attributes only; an ALLOW policy with L7 fields
// and no waypoint denies everything (https://istio.io/latest/docs/ambient/usage/l4-policy/).
import { describe, expect, it } from "vitest";
import type { AuthorizationPolicy } from "../../../src/proxy/api/security.js";
import { peerIdentity } from "../../../src/proxy/security/identity.js";
import { checkConnection, compileZtunnelAuthorization, hasL7Fields } from "../../../src/proxy/ztunnel/l4-authorization.js";

function policy(name: string, spec: AuthorizationPolicy["spec"]): AuthorizationPolicy {
  return { apiVersion: "security.istio.io/v1", kind: "AuthorizationPolicy", metadata: { name, namespace: "default", labels: {}, annotations: {} }, spec } as unknown as AuthorizationPolicy;
}
const productpage = peerIdentity("default", "bookinfo-productpage");
const other = peerIdentity("default", "sleep");
const workload = { namespace: "default", labels: { app: "reviews" } };
const conn = (peer = productpage) => ({ peer, sourceIp: "10.0.0.2", destinationIp: "10.0.0.3", port: 9080 });

describe("ztunnel L4 authorization", () => {
  it("allows by principal and denies others (L4 ALLOW)", () => {
    const a = compileZtunnelAuthorization([policy("allow-pp", { selector: { matchLabels: { app: "reviews" } }, action: "ALLOW", rules: [{ from: [{ source: { principals: ["cluster.local/ns/default/sa/bookinfo-productpage"] } }] }] })], workload);
    expect(checkConnection(a, conn()).allowed).toBe(true);
    expect(checkConnection(a, conn(other)).allowed).toBe(false);
    // Plaintext has no identity: a principal rule cannot match it.
    expect(checkConnection(a, { ...conn(), peer: undefined }).allowed).toBe(false);
  });

  it("denies every connection when an ALLOW policy has L7 fields and the workload has no waypoint", () => {
    const a = compileZtunnelAuthorization([policy("get-only", { action: "ALLOW", rules: [{ from: [{ source: { principals: ["cluster.local/ns/default/sa/bookinfo-productpage"] } }], to: [{ operation: { methods: ["GET"] } }] }] })], workload);
    expect(a.l7Policies).toEqual(["default/get-only"]);
    expect(checkConnection(a, conn())).toEqual({ allowed: false, policy: "default/get-only", l7WithoutWaypoint: true });
  });

  it("drops only the ALLOW rules that need HTTP (istiod's conversion): an L4 rule beside them still allows", () => {
    const a = compileZtunnelAuthorization([policy("mixed", { action: "ALLOW", rules: [
      { to: [{ operation: { paths: ["/admin"] } }] },
      { from: [{ source: { principals: ["cluster.local/ns/default/sa/bookinfo-productpage"] } }] },
    ] })], workload);
    expect(checkConnection(a, conn()).allowed).toBe(true);
    expect(checkConnection(a, conn(other)).allowed).toBe(false);
  });

  it("enforces L4 ports", () => {
    const a = compileZtunnelAuthorization([policy("deny-9080", { action: "DENY", rules: [{ to: [{ operation: { ports: ["9080"] } }] }] })], workload);
    expect(checkConnection(a, conn()).allowed).toBe(false);
    expect(checkConnection(a, { ...conn(), port: 8080 }).allowed).toBe(true);
  });

  it("tells L7 fields from L4 ones", () => {
    expect(hasL7Fields({ from: [{ source: { namespaces: ["x"], ipBlocks: ["10.0.0.0/8"] } }], to: [{ operation: { ports: ["80"] } }], when: [{ key: "source.namespace", values: ["x"] }] })).toBe(false);
    expect(hasL7Fields({ to: [{ operation: { paths: ["/x"] } }] })).toBe(true);
    expect(hasL7Fields({ from: [{ source: { requestPrincipals: ["*"] } }] })).toBe(true);
    expect(hasL7Fields({ when: [{ key: "request.headers[x]", values: ["y"] }] })).toBe(true);
    // Envoy sees these on TCP, ztunnel does not: istiod's l4WhenAttributes has only source.ip,
    // source.namespace, source.principal, destination.ip, destination.port (authorization.go#L659-L665).
    expect(hasL7Fields({ when: [{ key: "remote.ip", values: ["10.0.0.2"] }] })).toBe(true);
    expect(hasL7Fields({ when: [{ key: "connection.sni", values: ["x"] }] })).toBe(true);
    expect(hasL7Fields({ from: [{ source: { remoteIpBlocks: ["10.0.0.0/8"] } }] })).toBe(true);
  });

  it("allows everything when no policy applies", () => {
    expect(checkConnection(compileZtunnelAuthorization([], workload), conn(other)).allowed).toBe(true);
  });

  // istiod's handleRule (https://github.com/istio/istio/blob/86c9f01f/pilot/pkg/serviceregistry/ambient/authorization.go#L584-L657)
  // keeps a DENY rule's L4 part; a match left empty is skipped by ztunnel (match-none:
  // https://github.com/istio/ztunnel/blob/62d82653/src/rbac.rs#L114-L118), so the clause it was alone in never matches.
  describe("DENY with HTTP attributes, as istiod converts it and ztunnel matches it", () => {
    const deny = (rule: NonNullable<AuthorizationPolicy["spec"]["rules"]>[number]) =>
      compileZtunnelAuthorization([policy("deny", { action: "DENY", rules: [rule] })], workload);
    it("methods alone: no effect (a sidecar's TCP chain would deny everything)", () => {
      expect(checkConnection(deny({ to: [{ operation: { methods: ["POST"] } }] }), conn()).allowed).toBe(true);
    });
    it("methods with a port: every connection to that port is denied", () => {
      const a = deny({ to: [{ operation: { methods: ["POST"], ports: ["9080"] } }] });
      expect(checkConnection(a, conn())).toEqual({ allowed: false, policy: "default/deny", l7WithoutWaypoint: false });
      expect(checkConnection(a, { ...conn(), port: 8080 }).allowed).toBe(true);
    });
    it("a methods-only entry beside a ports entry: the ports entry still denies", () => {
      const a = deny({ to: [{ operation: { methods: ["POST"] } }, { operation: { ports: ["9080"] } }] });
      expect(checkConnection(a, conn()).allowed).toBe(false);
      expect(checkConnection(a, { ...conn(), port: 8080 }).allowed).toBe(true);
    });
    it("requestPrincipals alone, or a when on a request header: no effect", () => {
      expect(checkConnection(deny({ from: [{ source: { requestPrincipals: ["*"] } }] }), conn()).allowed).toBe(true);
      expect(checkConnection(deny({ when: [{ key: "request.headers[x-user]", values: ["bob"] }] }), conn()).allowed).toBe(true);
    });
    it("a principal with requestPrincipals: the principal's connections are denied", () => {
      const a = deny({ from: [{ source: { principals: ["cluster.local/ns/default/sa/sleep"], requestPrincipals: ["*"] } }] });
      expect(checkConnection(a, conn(other)).allowed).toBe(false);
      expect(checkConnection(a, conn()).allowed).toBe(true);
    });
  });

  it("an ALLOW policy reduced to nothing by HTTP rules does not stop another ALLOW from allowing (ztunnel assert_rbac: any ALLOW match allows)", () => {
    const a = compileZtunnelAuthorization([
      policy("get-only", { action: "ALLOW", rules: [{ to: [{ operation: { methods: ["GET"] } }] }] }),
      policy("allow-pp", { action: "ALLOW", rules: [{ from: [{ source: { principals: ["cluster.local/ns/default/sa/bookinfo-productpage"] } }] }] }),
    ], workload);
    expect(checkConnection(a, conn()).allowed).toBe(true);
    expect(checkConnection(a, conn(other))).toEqual({ allowed: false, policy: "default/get-only", l7WithoutWaypoint: true });
  });

  it("an ALLOW rule on remote.ip is dropped at ztunnel (not an L4 key there)", () => {
    const a = compileZtunnelAuthorization([policy("by-remote-ip", { action: "ALLOW", rules: [{ when: [{ key: "remote.ip", values: ["10.0.0.2"] }] }] })], workload);
    expect(checkConnection(a, conn())).toEqual({ allowed: false, policy: "default/by-remote-ip", l7WithoutWaypoint: true });
  });

  it("an empty rule allows everything; an ALLOW without rules allows nothing", () => {
    expect(checkConnection(compileZtunnelAuthorization([policy("all", { action: "ALLOW", rules: [{}] })], workload), conn(other)).allowed).toBe(true);
    expect(checkConnection(compileZtunnelAuthorization([policy("none", { action: "ALLOW" })], workload), conn()).allowed).toBe(false);
  });

  it("leaves out dry-run policies, the annotation read as Go's strconv.ParseBool reads it", () => {
    const dry = (v: string): AuthorizationPolicy => {
      const p = policy("dry", { action: "DENY", rules: [{}] });
      return { ...p, metadata: { ...p.metadata, annotations: { "istio.io/dry-run": v } } };
    };
    expect(checkConnection(compileZtunnelAuthorization([dry("1")], workload), conn()).allowed).toBe(true);
    expect(checkConnection(compileZtunnelAuthorization([dry("True")], workload), conn()).allowed).toBe(true);
    // Not a Go boolean: istiod logs the error and enforces the policy.
    expect(checkConnection(compileZtunnelAuthorization([dry("yes")], workload), conn()).allowed).toBe(false);
  });
});
