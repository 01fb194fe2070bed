// What istiod pushes to and what `explain` / `proxy-config` read: one xDS client, whatever kind of
// proxy it is. Istio keeps one model.Proxy per connected xDS client, typed by the node's role
// (sidecar, router for gateways; ztunnel and waypoint in ambient mode).
// https://github.com/istio/istio/blob/master/pilot/pkg/model/context.go (type Proxy, NodeType)
import type { Pod } from "./kube/pod.js";
import type { ProxyXds } from "./sidecar/proxy-xds.js";

/** Istio's NodeType: `sidecar`, `router` (an ingress or Gateway API gateway), and ambient's kinds. */
export type ProxyType = "sidecar" | "router" | "ztunnel" | "waypoint";

export interface Proxy {
  readonly type: ProxyType;
  /** The pod its Envoy (or ztunnel) runs in. */
  readonly pod: Pod;
  /** The config it ACKed, per xDS type (istiod's control-plane.ts updates it as pushes arrive). */
  readonly xds: ProxyXds;
  /** A CDS push was ACKed: the proxy (re)creates its clusters now. */
  clustersPushed(): void;
  /** An EDS push arrived: balancers whose picks depend on when hosts came (slow start) refresh now. */
  endpointsPushed?(): void;
  /** Its first full config arrived: it reports ready. */
  configured(): void;
}
