// What istiod's translation reads to build one proxy's config: the proxy (namespace, labels, and the
// Gateway it serves when it is a gateway), one immutable config snapshot, the Sidecar scope under that
// snapshot, the service registry and the mesh's outbound traffic policy. Like istiod's PushContext +
// Proxy pair: pilot/pkg/model/push_context.go, pilot/pkg/model/context.go (Proxy).
import type { MeshConfig } from "../../config/mesh-config.js";
import type { SidecarScope } from "../../config/sidecar-scope.js";
import type { Pod } from "../../mesh/kube/pod.js";
import type { ServiceRegistry } from "../../mesh/kube/service-registry.js";
import type { SourceContext } from "../../proxy/http-request.js";
import type { OutboundTrafficPolicyMode } from "../../proxy/route/default-routes.js";
import type { H2UpgradePolicy, MeshDefaultTrafficPolicy } from "../../proxy/api/networking.js";

export interface ProxyInput {
  readonly pod: Pod;
  readonly config: MeshConfig;
  readonly scope: SidecarScope;
  readonly registry: ServiceRegistry;
  /** The mesh's outboundTrafficPolicy (a Sidecar's own, in `scope`, wins). */
  readonly outboundPolicy: OutboundTrafficPolicyMode;
  /** MeshConfig defaultTrafficPolicy (Istio ≥ 1.31), under every DestinationRule; undefined: none. */
  readonly meshDefaultPolicy: MeshDefaultTrafficPolicy | undefined;
  /** MeshConfig h2UpgradePolicy; undefined: DO_NOT_UPGRADE. */
  readonly meshH2UpgradePolicy: H2UpgradePolicy | undefined;
}

/** The proxy as route compilation sees it (a gateway carries its Gateway's "ns/name"). */
export function sourceOf(pod: Pod): SourceContext {
  return pod.gateway === undefined
    ? { namespace: pod.namespace, labels: pod.labels }
    : { namespace: pod.namespace, labels: pod.labels, gateway: pod.gateway };
}

/** The outbound traffic policy in force for this proxy: its Sidecar's, else the mesh's. */
export function outboundMode(p: ProxyInput): OutboundTrafficPolicyMode {
  return p.scope.outboundTrafficPolicy ?? p.outboundPolicy;
}
