// What a proxy holds from CDS: its clusters, each with the DestinationRule policy istiod applied (load
// balancer, connection pool, outlier detection, TLS). The runtime builds its connection pools, load
// balancer and outlier detector from one of these; proxy-config prints Envoy's Cluster from it.
// https://www.envoyproxy.io/docs/envoy/latest/api-v3/config/cluster/v3/cluster.proto
// istio/istio pilot/pkg/networking/core/cluster.go (buildOutboundClusters), cluster_traffic_policy.go
import type { ServiceEntry, TrafficPolicy } from "../api/networking.js";

/**
 * Envoy's discovery type: EDS (services, and STATIC ServiceEntries, whose endpoints istiod sends by
 * EDS), STRICT_DNS (DNS ServiceEntries), ORIGINAL_DST (resolution NONE, PassthroughCluster, inbound
 * passthrough), STATIC (BlackHoleCluster, inbound clusters).
 */
export type ClusterDiscoveryType = "EDS" | "STATIC" | "STRICT_DNS" | "ORIGINAL_DST";

export interface Cluster {
  /** "outbound|9080|v2|reviews.default.svc.cluster.local", "inbound|9080||", "PassthroughCluster". */
  readonly name: string;
  readonly type: ClusterDiscoveryType;
  readonly direction: "outbound" | "inbound" | "";
  /** The service host (FQDN, or the ServiceEntry host); "" for Istio's fixed clusters. */
  readonly host: string;
  /** The service port (inbound: the container port); 0 for the fixed clusters. */
  readonly port: number;
  readonly subset: string;
  /** The subset's labels: which endpoints of the service belong to the cluster. */
  readonly subsetLabels: Readonly<Record<string, string>>;
  /** The DestinationRule's policy for this port and subset (Istio's defaults where it says nothing). */
  readonly policy: TrafficPolicy;
  /** The DestinationRule applied ("name.namespace"), or "". */
  readonly destinationRule: string;
  /**
   * Explicit HTTP/2 upstream: the port's protocol (HTTP2, GRPC, GRPC-Web), or, outbound, upgraded by
   * h2UpgradePolicy (xds/translation/h2-upgrade.ts).
   */
  readonly http2: boolean;
  /** The container port behind the service port (where the server's policies apply). */
  readonly targetPort: number;
  /**
   * Inbound clusters: the port's protocol is gRPC (or gRPC-Web), so istiod's default inbound route to
   * it has no retry policy (route.go BuildDefaultHTTPInboundRoute).
   */
  readonly grpc?: boolean;
  /**
   * Inbound clusters: whose connection pool istiod wrote on it (the service's DestinationRule, the
   * Sidecar's, or MeshConfig defaultTrafficPolicy's when neither sets one).
   */
  readonly poolFrom?: "DestinationRule" | "Sidecar" | "MeshConfig";
  /** Outbound clusters: the policy blocks that came from MeshConfig defaultTrafficPolicy (none: absent). */
  readonly fromMeshConfig?: readonly ("connectionPool" | "outlierDetection")[];
  /**
   * Inbound clusters: the services of its `istio.services` metadata (FQDNs, istiod's order); the
   * first is the destination_service the server sidecar's stats filter reports, whichever service
   * the client addressed (istio/istio pilot/pkg/networking/core/cluster_builder.go buildCluster;
   * istio/proxy istio_stats.cc populatePeerInfo reads `services[0]`).
   */
  readonly statsServices?: readonly string[];
  /** The ServiceEntry that declares the host, for ServiceEntry clusters. */
  readonly serviceEntry: ServiceEntry | undefined;
}
