// The destination ztunnel's decision for one connection to an ambient pod, as explain prints it and
// as the run makes it (mesh/ztunnel/ztunnel-inbound.ts admit): plaintext refused under STRICT mTLS
// (PeerAuthentication DISABLE cannot turn HBONE off), then the L4 AuthorizationPolicies istiod sends
// ztunnel (config/ambient/ztunnel-authorization.ts ztunnelPolicies), compiled and checked by
// proxy/ztunnel/l4-authorization.ts. https://istio.io/latest/docs/ambient/usage/l4-policy/
import type { MeshConfig } from "../config/mesh-config.js";
import { ztunnelPolicies } from "../config/ambient/ztunnel-authorization.js";
import type { Pod } from "../mesh/kube/pod.js";
import { OUTSIDE_IP } from "../mesh/sidecar/inbound-policy.js";
import { effectivePeerAuthentication, mtlsForPort } from "../proxy/security/index.js";
import { DEFAULT_ROOT_NAMESPACE } from "../proxy/security/policy-scope.js";
import { checkConnection, compileZtunnelAuthorization } from "../proxy/ztunnel/l4-authorization.js";

/** The destination ztunnel's verdict for one destination pod. */
export interface L4Verdict { readonly pod: string; readonly allowed: boolean; readonly reason: string }

/** The destination ztunnel's decision for a connection from `peerPod` (null: outside the mesh) to `pod` (as ZtunnelInbound.admit). */
export function l4Verdict(config: MeshConfig, pod: Pod, peerPod: Pod | null, mtls: boolean, port: number): L4Verdict {
  const ref = { namespace: pod.namespace, labels: pod.labels };
  const pa = mtlsForPort(effectivePeerAuthentication(config.peerAuthentications, ref, DEFAULT_ROOT_NAMESPACE), port).mode;
  if (!mtls && pa === "STRICT") return { pod: pod.id, allowed: false, reason: "plaintext on 15006 and PeerAuthentication STRICT: ztunnel refuses it" };
  const authz = compileZtunnelAuthorization(ztunnelPolicies(config), ref, DEFAULT_ROOT_NAMESPACE);
  const r = checkConnection(authz, { peer: mtls && peerPod !== null ? peerPod.identity : undefined, sourceIp: peerPod?.ip ?? OUTSIDE_IP, destinationIp: pod.ip, port });
  if (r.allowed) {
    const a = authz.compiled.applied;
    const none = a.ALLOW.length + a.DENY.length + a.CUSTOM.length === 0;
    return { pod: pod.id, allowed: true, reason: none ? "no AuthorizationPolicy applies: allowed" : "allowed by its L4 AuthorizationPolicies" };
  }
  if (r.l7WithoutWaypoint) {
    return { pod: pod.id, allowed: false, reason: `DENIED: ALLOW policy ${r.policy} has only L7 rules (HTTP attributes) and the workload has no waypoint: "the ztunnel proxy will simply drop all traffic"` };
  }
  return { pod: pod.id, allowed: false, reason: r.policy === "none" ? "DENIED: ALLOW policies apply and none of their L4 rules matches" : `DENIED by ${r.policy}` };
}

