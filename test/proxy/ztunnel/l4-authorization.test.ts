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
    expect(checkConnection(a, conn())).toEqual({ allowed: false, policy: "default/get-only" });
  });

  it("drops only the ALLOW rules that need HTTP (istiod's conversion): an L4 rule beside them still allows", () => {
    const a = compileZtunnelAuthorization([policy("mixed", { action: "ALLOW", rules: [
      { to: [{ operation: { paths: ["/admin"] } }] },
      { from: [{ source: { principals: ["cluster.local/ns/default/sa/bookinfo-productpage"] } }] },
    ] })], workload);
    expect(a.compiled).not.toBeNull();
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
  });

  it("allows everything when no policy applies", () => {
    expect(checkConnection(compileZtunnelAuthorization([], workload), conn(other)).allowed).toBe(true);
  });
});
