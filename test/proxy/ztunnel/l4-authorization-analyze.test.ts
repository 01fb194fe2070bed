// `analyze` (config/ambient/ztunnel-authorization.ts, istiod's hasEffectiveRules and status texts) and
// the run's destination ztunnel (proxy/ztunnel/l4-authorization.ts, istiod's handleRule plus ztunnel's
// rbac.rs) must agree on a DENY policy with HTTP attributes: "no effect" exactly when it denies no
// connection. Rules are drawn from fields whose L4 values all match the connection below, so an
// effective DENY does deny it.
// https://github.com/istio/istio/blob/86c9f01f/pilot/pkg/serviceregistry/ambient/authorization.go#L466-L582
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { AuthorizationPolicy, AuthzRule } from "../../../src/proxy/api/security.js";
import { peerIdentity } from "../../../src/proxy/security/identity.js";
import { checkConnection, compileZtunnelAuthorization } from "../../../src/proxy/ztunnel/l4-authorization.js";
import { ztunnelAuthorization } from "../../../src/config/ambient/ztunnel-authorization.js";

const workload = { namespace: "default", labels: { app: "reviews" } };
const conn = { peer: peerIdentity("default", "sleep"), sourceIp: "10.0.0.2", destinationIp: "10.0.0.3", port: 9080 };

// Each `to`/`from` entry: HTTP fields, L4 fields matching `conn`, both, or neither.
const toEntry = fc.record({ methods: fc.option(fc.constant(["POST"]), { nil: undefined }), ports: fc.option(fc.constant(["9080"]), { nil: undefined }) }, { requiredKeys: [] })
  .map((op) => ({ operation: Object.fromEntries(Object.entries(op).filter(([, v]) => v !== undefined)) }));
const fromEntry = fc.record({ requestPrincipals: fc.option(fc.constant(["*"]), { nil: undefined }), namespaces: fc.option(fc.constant(["default"]), { nil: undefined }) }, { requiredKeys: [] })
  .map((s) => ({ source: Object.fromEntries(Object.entries(s).filter(([, v]) => v !== undefined)) }));
const when = fc.constantFrom({ key: "request.headers[x]", values: ["1"] }, { key: "source.ip", values: ["10.0.0.2"] }, { key: "remote.ip", values: ["10.0.0.2"] });
const rule: fc.Arbitrary<AuthzRule> = fc.record({
  to: fc.option(fc.array(toEntry, { minLength: 1, maxLength: 2 }), { nil: undefined }),
  from: fc.option(fc.array(fromEntry, { minLength: 1, maxLength: 2 }), { nil: undefined }),
  when: fc.option(fc.array(when, { minLength: 1, maxLength: 2 }), { nil: undefined }),
}, { requiredKeys: [] }).map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)) as AuthzRule);

const deny = (rules: AuthzRule[]): AuthorizationPolicy =>
  ({ apiVersion: "security.istio.io/v1", kind: "AuthorizationPolicy", metadata: { name: "d", namespace: "default", labels: {}, annotations: {} }, spec: { action: "DENY", rules } }) as unknown as AuthorizationPolicy;

describe("analyze and the destination ztunnel agree on a DENY with HTTP attributes", () => {
  it("'no-effect' exactly when the connection is not denied", () => {
    fc.assert(fc.property(fc.array(rule, { minLength: 1, maxLength: 3 }), (rules) => {
      const p = deny(rules);
      const z = ztunnelAuthorization(p);
      fc.pre(z.httpAttributes.length > 0);
      const allowed = checkConnection(compileZtunnelAuthorization([p], workload), conn).allowed;
      expect(z.effect === "no-effect").toBe(allowed);
    }), { numRuns: 300, seed: 7 });
  });
});
