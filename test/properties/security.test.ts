// Properties of meshsim's security library, stated as the invariants a mesh operator relies on.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { AuthorizationPolicy } from "../../src/proxy/api/security.js";
import { compileAuthorization, evaluateAuthorization } from "../../src/proxy/security/authorization/authorization.js";
import { chooseClientTls } from "../../src/proxy/security/client-tls.js";
import { connectionSecurity } from "../../src/proxy/security/connection-security.js";
import { effectivePeerAuthentication, peerAuthenticationMode } from "../../src/proxy/security/peer-authentication.js";
import {
  anyAuthorizationPolicyArb,
  authorizationPolicy,
  authorizationPolicyArb,
  authzRequestArb,
  authzSourceArb,
  effectiveModeArb,
  mtlsModeArb,
  peerAuthentication,
  peerAuthenticationArb,
  ROOT_NS,
  workloadArb,
} from "./arbitraries/security.js";

const RUNS = { numRuns: 300 };
const decide = (ps: readonly AuthorizationPolicy[], w: Parameters<typeof compileAuthorization>[1], r: Parameters<typeof evaluateAuthorization>[1]) =>
  evaluateAuthorization(compileAuthorization(ps, w), r);

describe("authorization invariants", () => {
  it("with no policies everything is allowed", () => {
    fc.assert(fc.property(workloadArb, authzRequestArb, (w, r) => decide([], w, r).allowed), RUNS);
  });

  it("a DENY match always wins over any ALLOW", () => {
    fc.assert(
      fc.property(fc.array(anyAuthorizationPolicyArb, { maxLength: 4 }), authorizationPolicyArb("DENY"), workloadArb, authzRequestArb, (others, deny, w, r) => {
        const denyAlone = decide([deny], w, r);
        fc.pre(!denyAlone.allowed);
        expect(decide([...others, deny], w, r).allowed).toBe(false);
      }),
      RUNS,
    );
  });

  it("adding an ALLOW policy never permits a request that a DENY matches", () => {
    fc.assert(
      fc.property(fc.array(anyAuthorizationPolicyArb, { maxLength: 4 }), authorizationPolicyArb("ALLOW"), workloadArb, authzRequestArb, (ps, allow, w, r) => {
        const before = decide(ps, w, r);
        fc.pre(before.reason === "deny-matched");
        expect(decide([...ps, allow], w, r).allowed).toBe(false);
      }),
      RUNS,
    );
  });

  it("allow-nothing denies every request when no other ALLOW policy exists", () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(authorizationPolicyArb("DENY"), authorizationPolicyArb("AUDIT")), { maxLength: 3 }), workloadArb, authzRequestArb, (ps, w, r) => {
        const allowNothing = authorizationPolicy(w.namespace, "allow-nothing", {});
        expect(decide([...ps, allowNothing], w, r).allowed).toBe(false);
      }),
      RUNS,
    );
  });

  it("allow-all permits every request no DENY matches", () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(authorizationPolicyArb("DENY"), authorizationPolicyArb("AUDIT")), { maxLength: 3 }), workloadArb, authzRequestArb, (ps, w, r) => {
        const expected = decide(ps, w, r).allowed;
        expect(decide([...ps, authorizationPolicy(w.namespace, "allow-all", { rules: [{}] })], w, r).allowed).toBe(expected);
      }),
      RUNS,
    );
  });

  it("AUDIT policies never change the decision", () => {
    fc.assert(
      fc.property(fc.array(anyAuthorizationPolicyArb, { maxLength: 4 }), fc.array(authorizationPolicyArb("AUDIT"), { minLength: 1, maxLength: 3 }), workloadArb, authzRequestArb, (ps, audits, w, r) => {
        expect(decide([...ps, ...audits], w, r).allowed).toBe(decide(ps, w, r).allowed);
      }),
      RUNS,
    );
  });

  it("a DENY policy without rules never denies anything", () => {
    fc.assert(
      fc.property(fc.array(anyAuthorizationPolicyArb, { maxLength: 3 }), fc.constantFrom("foo", "default", ROOT_NS), workloadArb, authzRequestArb, (ps, ns, w, r) => {
        const empty = authorizationPolicy(ns, "deny-nothing", { action: "DENY" });
        expect(decide([...ps, empty], w, r).allowed).toBe(decide(ps, w, r).allowed);
      }),
      RUNS,
    );
  });

  it("a principal or namespace rule never matches a plaintext caller", () => {
    const principalOnly = authzSourceArb.filter(
      (s) => (s.principals?.length ?? 0) > 0 || (s.namespaces?.length ?? 0) > 0,
    );
    fc.assert(
      fc.property(fc.array(principalOnly, { minLength: 1, maxLength: 2 }), workloadArb, authzRequestArb, (sources, w, r) => {
        const allow = authorizationPolicy(w.namespace, "from-peers", { rules: [{ from: sources.map((source) => ({ source })) }] });
        expect(decide([allow], w, { ...r, peer: undefined }).allowed).toBe(false);
      }),
      RUNS,
    );
  });

  it("policies of other namespaces never affect a workload", () => {
    fc.assert(
      fc.property(fc.array(anyAuthorizationPolicyArb, { maxLength: 5 }), workloadArb, authzRequestArb, (ps, w, r) => {
        const mine = ps.filter((p) => p.metadata.namespace === w.namespace || p.metadata.namespace === ROOT_NS);
        expect(decide(ps, w, r)).toEqual(decide(mine, w, r));
      }),
      RUNS,
    );
  });
});

describe("mTLS invariants", () => {
  it("the workload PeerAuthentication beats the namespace one which beats the mesh one", () => {
    fc.assert(
      fc.property(effectiveModeArb, effectiveModeArb, effectiveModeArb, fc.array(peerAuthenticationArb, { maxLength: 3 }), workloadArb, (m, n, wm, noise, w) => {
        // Noise that must not count: other namespaces' policies and selector policies in the root namespace.
        const others = noise.filter(
          (p) => p.metadata.namespace !== w.namespace && (p.metadata.namespace !== ROOT_NS || p.spec.selector !== undefined),
        );
        const mesh = peerAuthentication(ROOT_NS, "mesh", { mtls: { mode: m } }, 0);
        const ns = peerAuthentication(w.namespace, "ns", { mtls: { mode: n } }, 1);
        const wl = peerAuthentication(w.namespace, "wl", { selector: { matchLabels: { ...w.labels } }, mtls: { mode: wm } }, 2);
        const noPorts = others.map((p) => ({ ...p, spec: { ...p.spec, portLevelMtls: undefined } }));
        expect(peerAuthenticationMode([...noPorts, mesh], w, 1)).toBe(m);
        expect(peerAuthenticationMode([...noPorts, mesh, ns], w, 1)).toBe(n);
        expect(peerAuthenticationMode([wl, ...noPorts, mesh, ns], w, 1)).toBe(wm);
      }),
      RUNS,
    );
  });

  it("the effective mode is never UNSET and is PERMISSIVE when every policy is UNSET", () => {
    fc.assert(
      fc.property(fc.array(peerAuthenticationArb, { maxLength: 5 }), workloadArb, fc.constantFrom(8000, 8080, 9090), (ps, w, port) => {
        const mode = peerAuthenticationMode(ps, w, port);
        expect(["STRICT", "PERMISSIVE", "DISABLE"]).toContain(mode);
        const unset = ps.map((p) => ({ ...p, spec: { ...p.spec, mtls: { mode: "UNSET" as const }, portLevelMtls: undefined } }));
        expect(effectivePeerAuthentication(unset, w).mode).toBe("PERMISSIVE");
      }),
      RUNS,
    );
  });

  it("auto mTLS never breaks a connection from a sidecar client", () => {
    fc.assert(
      fc.property(fc.boolean(), effectiveModeArb, fc.boolean(), (sidecar, mode, external) => {
        const c = chooseClientTls(undefined, { endpointHasSidecar: sidecar, serverMode: mode, meshExternal: external && !sidecar });
        const o = connectionSecurity(true, c.mode, sidecar, mode);
        expect(o.ok).toBe(true);
        expect(o.mtls).toBe(sidecar && mode !== "DISABLE");
      }),
    );
  });

  it("PERMISSIVE accepts every client that speaks plaintext or Istio mTLS", () => {
    fc.assert(
      fc.property(fc.boolean(), fc.constantFrom("DISABLE" as const, "ISTIO_MUTUAL" as const), (clientSidecar, tls) => {
        fc.pre(clientSidecar || tls === "DISABLE");
        expect(connectionSecurity(clientSidecar, tls, true, "PERMISSIVE").ok).toBe(true);
      }),
    );
  });

  it("a connection is Istio mTLS only between two sidecars whose server terminates mTLS", () => {
    fc.assert(
      fc.property(fc.boolean(), fc.constantFrom("DISABLE" as const, "SIMPLE" as const, "MUTUAL" as const, "ISTIO_MUTUAL" as const), fc.boolean(), mtlsModeArb, (cs, tls, ss, m) => {
        const mode = m === "UNSET" ? "PERMISSIVE" : m;
        const o = connectionSecurity(cs, tls, ss, mode);
        expect(o.mtls).toBe(cs && tls === "ISTIO_MUTUAL" && ss && mode !== "DISABLE");
        if (!o.ok) expect(o.status === 503 || (o.status === 0 && !cs)).toBe(true);
      }),
    );
  });
});
