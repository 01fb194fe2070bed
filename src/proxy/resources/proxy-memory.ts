// A sidecar's memory: Envoy's memory follows the configuration it holds, not the request rate
// ("memory consumption of the proxy depends on the total configuration state the proxy holds",
// Istio performance page), plus what its open connections buffer.
// Coefficients (MB = 10^6 bytes), each with its source or reasoning:
// - per cluster 0.05 MB: Envoy measured 14.7 KB per cluster without stats and TLS
//   (envoyproxy/envoy#5201), ≈100 B per stat per cluster (envoyproxy/envoy#16418), and ≈100 KB
//   per TLS cluster with 32 workers (envoyproxy/envoy#18376: 2,500 clusters, 256 MB); Istio's
//   clusters carry an mTLS transport socket, and a sidecar has 2 workers: 50 KB, between the two.
// - per listener 0.08 MB: istio/istio#18954 reports 51 MB allocated for 175 listeners and 325
//   clusters; less 325 × 50 KB and ≈ 20 MB for an idle Envoy, ≈ 85 KB per listener (derived).
// - per endpoint 0.002 MB and per route 0.002 MB: meshsim estimates (a host or a route entry is a
//   few hundred bytes of object plus its share of hash maps and names); Istio publishes none.
// - per open connection 0.032 MB: two TLS record buffers of 16 KB (the TLS maximum record size,
//   RFC 8446 §5.1) on an mTLS connection; Envoy's own buffers are empty between requests.
// https://istio.io/latest/docs/ops/deployment/performance-and-scalability/#cpu-and-memory

export interface ProxyMemoryCoefficients {
  baseMB: number;
  perClusterMB: number;
  perListenerMB: number;
  perEndpointMB: number;
  perRouteMB: number;
  perConnectionMB: number;
}

export const DEFAULT_MEMORY_COEFFICIENTS: Omit<ProxyMemoryCoefficients, "baseMB"> = {
  perClusterMB: 0.05,
  perListenerMB: 0.08,
  perEndpointMB: 0.002,
  perRouteMB: 0.002,
  perConnectionMB: 0.032,
};

export interface HeldConfigCounts {
  clusters: number;
  listeners: number;
  endpoints: number;
  routes: number;
  connections: number;
}

/** Resident memory (MB) of a proxy holding `held`. */
export function proxyMemoryMB(c: ProxyMemoryCoefficients, held: HeldConfigCounts): number {
  return (
    c.baseMB +
    held.clusters * c.perClusterMB +
    held.listeners * c.perListenerMB +
    held.endpoints * c.perEndpointMB +
    held.routes * c.perRouteMB +
    held.connections * c.perConnectionMB
  );
}
