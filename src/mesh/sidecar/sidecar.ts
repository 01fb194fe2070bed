// One pod's istio-proxy: the Envoy that istio-init's iptables rules hand the pod's traffic to, or a
// gateway's Envoy (Istio's `router` node type, same binary without an app). It holds what istiod
// pushed it (ProxyXds, per xDS type) and the state built from that config: its routes and upstream
// clusters (proxy-routing.ts, upstream-cluster.ts), its inbound policy (inbound-policy.ts), its
// interception rules (interception.ts), and its worker threads and CPU (sidecar-cpu.ts).
// The slots are plain fields so a request hop reads them without hashing the pod.
import type { Proxy } from "../proxy.js";
import type { Pod } from "../kube/pod.js";
import type { ProxyXds } from "./proxy-xds.js";
import type { SidecarCpu } from "./sidecar-cpu.js";
import type { ProxyState } from "./proxy-routing.js";
import type { UpstreamClusters } from "./upstream-cluster.js";
import type { InboundClusters } from "./inbound-cluster.js";
import type { PodPolicy } from "./inbound-policy.js";
import type { PodRules } from "./interception.js";

/** What a sidecar asks of the mesh when istiod's pushes reach it (the wiring provides it). */
export interface SidecarRuntime {
  /** Its clusters are (re)created from the CDS version it now holds (outlier detection timers). */
  clustersPushed(sidecar: Sidecar): void;
  /** It holds a new EDS version: its slow-start clusters take it now. */
  endpointsPushed?(sidecar: Sidecar): void;
  /** It holds its first config: Envoy's readiness probe passes (pod-lifecycle.ts). */
  configured(sidecar: Sidecar): void;
}

export class Sidecar implements Proxy {
  /** What it ACKed from istiod, per xDS type: set when it first holds config (the scenario's proxies
   *  at t = 0, a proxy started later when it connects), one object from then on. */
  xds!: ProxyXds;
  /** Its routing for the RDS/CDS versions it holds (built by proxy-routing.ts; null: not yet, or stale). */
  routing: ProxyState | null = null;
  /** Its upstream clusters (upstream-cluster.ts) for the CDS version it holds; the next version's set
   *  takes over the connection pools and outlier state of clusters that did not change. */
  clusters: UpstreamClusters | null = null;
  /** Its inbound clusters whose pools act (inbound-cluster.ts), for the CDS version it holds; null until its first request. */
  inbound: InboundClusters | null = null;
  /** The PeerAuthentication, RequestAuthentication and AuthorizationPolicy it enforces (inbound-policy.ts). */
  inboundPolicy: PodPolicy | null = null;
  /** Its pod's custom iptables rules (interception.ts): null when it captures everything, undefined until asked. */
  interception: PodRules | null | undefined = undefined;
  /** Its worker threads and CPU (sidecar-cpu.ts); null until its pod is placed (gateways: none modelled). */
  cpu: SidecarCpu | null = null;

  constructor(
    readonly pod: Pod,
    /** `sidecar`, or `router` for an ingress gateway or a Gateway API gateway's Envoy. */
    readonly type: "sidecar" | "router",
    private readonly runtime: SidecarRuntime,
  ) {}

  clustersPushed(): void {
    this.runtime.clustersPushed(this);
  }

  endpointsPushed(): void {
    this.runtime.endpointsPushed?.(this);
  }

  configured(): void {
    this.runtime.configured(this);
  }
}
