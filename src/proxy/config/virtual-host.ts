// What a proxy holds from RDS: route configurations (one per outbound port, named after it, as
// istiod names them: "9080"), each a list of virtual hosts chosen by the request's Host, each an
// ordered list of routes. The routes are compiled once (proxy/route/compile-routes.ts); Envoy's JSON
// shape (RouteConfiguration, VirtualHost, Route) is rendered from them by xds/translation/envoy-json.ts.
// https://www.envoyproxy.io/docs/envoy/latest/api-v3/config/route/v3/route.proto
// istio/istio pilot/pkg/networking/core/httproute.go (BuildSidecarOutboundVirtualHosts)
import type { ServiceEntry } from "../api/networking.js";
import type { CompiledRoute } from "../route/compile-routes.js";
import type { DownstreamTls } from "../security/downstream-tls.js";

/**
 * Why istiod put this virtual host in the route configuration:
 * - `service`: a service of the registry in the proxy's Sidecar scope (its VirtualService, or the default route);
 * - `service-entry`: a ServiceEntry host (its VirtualService, or the default route);
 * - `gateway`: a host a Gateway's server listens for, routed by the VirtualServices bound to it;
 * - `virtual-service`: a host only a VirtualService names (neither a service nor a ServiceEntry host):
 *   istiod gives it a virtual host of that VirtualService's routes (route.go separateVSHostsAndServices);
 * - `allow-any`: istiod's `allow_any` virtual host (domain "*", ALLOW_ANY) → PassthroughCluster;
 * - `block-all`: istiod's `block_all` virtual host (domain "*", REGISTRY_ONLY) → direct response 502.
 */
export type VirtualHostKind = "service" | "service-entry" | "gateway" | "virtual-service" | "allow-any" | "block-all";

export interface VirtualHost {
  /** Envoy's virtual host name: "reviews.default.svc.cluster.local:9080", "allow_any", "block_all". */
  readonly name: string;
  /** The Host header values it answers (short names, FQDN, with and without the port). */
  readonly domains: readonly string[];
  readonly routes: readonly CompiledRoute[];
  readonly kind: VirtualHostKind;
  /** Istio's destination_service for what it routes ("" at a gateway: the route destination's host). */
  readonly service: string;
  /** The VirtualService its routes come from ("name.namespace"), or "" (istiod's default route). */
  readonly virtualService: string;
  /** The ServiceEntry that made the host known (kind `service-entry`). */
  readonly serviceEntry: ServiceEntry | undefined;
  /**
   * `allow-any` toward a service of the cluster outside the Sidecar scope: Envoy forwards to the
   * ClusterIP the app dialled and kube-proxy picks the pod (its FQDN); "" for hosts outside the cluster.
   */
  readonly passthroughFqdn: string;
  /** Why this virtual host, in words (explain prints it). */
  readonly reason: string;
  /**
   * At a gateway (kind `gateway`): what the listener on the request's port does with a connection
   * for this host before any HTTP (proxy/security/downstream-tls.ts); absent elsewhere.
   */
  readonly downstreamTls?: DownstreamTls | undefined;
  /**
   * `allow-any` / `block-all` for a port on which the sidecar has no outbound HTTP listener (no service
   * or ServiceEntry port of its scope is on it): the connection never meets these HTTP routes but
   * virtualOutbound's catch-all TCP filter chain, a tcp_proxy to PassthroughCluster (ALLOW_ANY) or
   * BlackHoleCluster (REGISTRY_ONLY). istio/istio pilot/pkg/networking/core/listener_builder.go
   * (buildOutboundCatchAllNetworkFilterChains, buildOutboundCatchAllNetworkFiltersOnly).
   */
  readonly catchAllTcp?: boolean;
}

export interface RouteConfiguration {
  /** The outbound port ("9080"), as istiod names the RDS resource of listener 0.0.0.0_9080. */
  readonly name: string;
  readonly virtualHosts: readonly VirtualHost[];
}
