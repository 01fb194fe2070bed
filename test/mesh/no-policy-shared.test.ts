// A config without PeerAuthentication, AuthorizationPolicy or RequestAuthentication compiles the
// same "no policy" for every pod (src/mesh/sidecar/inbound-policy.ts `none`): one shared object per
// kind instead of one per pod, and what each pod's own compile would have given.
// Istio: nothing set => PERMISSIVE (pilot/pkg/security/authn/policy_applier.go ComposePeerAuthentication);
// no AuthorizationPolicy => no RBAC filter, every request allowed
// (https://istio.io/latest/docs/reference/config/security/authorization-policy/).
import { describe, expect, it } from "vitest";
import type { MeshConfig } from "../../src/config/mesh-config.js";
import { InboundPolicies, type PodPolicy } from "../../src/mesh/sidecar/inbound-policy.js";
import type { Pod } from "../../src/mesh/kube/pod.js";
import type { ProxyXds } from "../../src/mesh/sidecar/proxy-xds.js";
import type { PeerAuthentication } from "../../src/proxy/api/security.js";
import { compileAuthorization, compileRequestAuthentication, effectivePeerAuthentication } from "../../src/proxy/security/index.js";

function config(peerAuthentications: PeerAuthentication[] = []): MeshConfig {
  return {
    version: 1, virtualServices: [], destinationRules: [], gateways: [], serviceEntries: [], sidecars: [],
    peerAuthentications, authorizationPolicies: [], requestAuthentications: [],
    gatewayApi: [], routeStatus: [], gatewayStatus: [], cluster: { services: [], namespaceLabels: {} },
  };
}

function pod(namespace: string, app: string): Pod {
  return { namespace, labels: { app }, proxy: { inboundPolicy: null }, ip: "10.0.0.1" } as unknown as Pod;
}

function policies(cfg: MeshConfig): InboundPolicies {
  const xds = new Map<Pod, ProxyXds>();
  return new InboundPolicies((p) => {
    let x = xds.get(p);
    if (x === undefined) xds.set(p, (x = { lds: cfg } as unknown as ProxyXds));
    return x;
  }, "istio-system", () => 0);
}

const strictIn = (namespace: string): PeerAuthentication => ({
  apiVersion: "security.istio.io/v1", kind: "PeerAuthentication",
  metadata: { name: "strict", namespace, labels: {}, annotations: {}, creationIndex: 0 },
  spec: { mtls: { mode: "STRICT" } },
} as PeerAuthentication);

describe("pods of a config without policies share one compiled 'no policy'", () => {
  it("is one object per kind across pods and namespaces, equal to each pod's own compile", () => {
    const ip = policies(config());
    const pods = [pod("a", "x"), pod("a", "y"), pod("b", "x"), pod("istio-system", "z")];
    const compiled = pods.map((p) => ip.filters(p) as PodPolicy);
    for (const [i, c] of compiled.entries()) {
      expect(c.peerAuthn).toBe(compiled[0]!.peerAuthn);
      expect(c.authz).toBe(compiled[0]!.authz);
      expect(c.authn).toBe(compiled[0]!.authn);
      const ref = { namespace: pods[i]!.namespace, labels: pods[i]!.labels };
      expect(c.peerAuthn).toEqual(effectivePeerAuthentication([], ref, "istio-system"));
      expect(c.authz).toEqual(compileAuthorization([], ref, { rootNamespace: "istio-system" }));
      expect(c.authn).toEqual(compileRequestAuthentication([], ref, "istio-system"));
      expect(c.open).toBe(true);
      expect(ip.mode(pods[i]!, 8080)).toBe("PERMISSIVE");
    }
  });

  it("compiles a kind the config has per pod, and still shares the kinds it has none of", () => {
    const ip = policies(config([strictIn("a")]));
    const inA = pod("a", "x");
    const inB = pod("b", "x");
    const a = ip.filters(inA) as PodPolicy;
    const b = ip.filters(inB) as PodPolicy;
    expect(ip.mode(inA, 8080)).toBe("STRICT");
    expect(ip.mode(inB, 8080)).toBe("PERMISSIVE");
    expect(a.peerAuthn).not.toBe(b.peerAuthn);
    expect(a.authz).toBe(b.authz);
    expect(a.authn).toBe(b.authn);
  });
});
