// A server sidecar's inbound cluster (`inbound|<container port>||`) as it runs: Envoy's connection
// pools to the local app, one per worker thread, with the circuit breakers istiod wrote on the cluster
// (the service's DestinationRule connectionPool, or the Sidecar's inbound one). The same pool as a
// client's upstream clusters (proxy/upstream-pool.ts): the inbound router takes a place in it once the
// inbound filter chain has run, a request that finds every limit taken is refused with a local 503 UO
// (x-envoy-overloaded), and the counters carry Envoy's names under the server's workload.
// istio/istio pilot/pkg/networking/core/cluster_builder.go (buildInboundCluster)
// https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/upstream/circuit_breaking
//
// Only a cluster whose pool can refuse or that opens more connections (a threshold,
// maxRequestsPerConnection, or an HTTP/2 port's maxConcurrentStreams set) is built: with Istio's default thresholds (2^32 - 1) the pool never
// refuses and its keep-alive connection to the app is always there, so the request goes straight to
// the app with no pool, no extra event and no lookup beyond one comparison (docs/model.md).
import type { MeshConfig } from "../../config/mesh-config.js";
import type { TrafficPolicy } from "../../proxy/api/networking.js";
import type { Cluster } from "../../proxy/config/cluster.js";
import { ENVOY_DEFAULT_MAX_CONCURRENT_STREAMS, hasCircuitBreakerLimit, newClusterCounters, poolLimits, type PoolLimits } from "../../proxy/pool-limits.js";
import { UpstreamPool } from "../../proxy/upstream-pool.js";
import { inboundRetryPolicy, type RetryPolicy } from "../../proxy/route/retry-policy.js";

/**
 * The sidecar's connect to the app: a TCP handshake on the pod's loopback from 127.0.0.6 (no TLS, no
 * iptables REDIRECT: ISTIO_OUTPUT returns traffic from 127.0.0.6 at once). fortio's dial to its own
 * sidecar measured 42 µs (mesh/app/load-generator.ts FORTIO_DIAL_MS) including the REDIRECT's NAT
 * (mesh/sidecar/interception.ts REDIRECT_COST_MS, 5 µs): 37 µs without it.
 */
export const LOOPBACK_CONNECT_MS = 0.037;

/** The one host of an inbound cluster (the app): its pool id. */
export const APP_HOST = 0;

export class InboundCluster {
  readonly counters = newClusterCounters();
  /** One per worker thread of the server sidecar; they hold requests waiting for a connection to the app. */
  readonly pools: UpstreamPool<unknown>[] = [];
  /** Its counters are in the report (from its first use). */
  registered = false;

  constructor(readonly name: string, readonly policy: TrafficPolicy, readonly http2: boolean, workers: number) {
    const limits = poolLimits(policy.connectionPool, http2);
    for (let w = 0; w < workers; w++) this.pools.push(new UpstreamPool<unknown>(limits, this.counters));
  }
}

/** Does a pool with these limits ever act (refuse, queue, or open a connection per request or per max_concurrent_streams)? */
export function poolActs(l: PoolLimits): boolean {
  return hasCircuitBreakerLimit(l) || l.maxRequestsPerConnection > 0 || (l.http2 && l.maxConcurrentStreams !== ENVOY_DEFAULT_MAX_CONCURRENT_STREAMS);
}

/** A sidecar's inbound clusters that act, for the CDS version it holds (`config`). */
export class InboundClusters {
  private readonly byPort = new Map<number, InboundCluster>();
  /** Container ports whose protocol is gRPC: their inbound route has no retry policy. */
  private readonly grpcPorts = new Set<number>();
  /** The first service of each inbound cluster's `istio.services` metadata, by container port. */
  private readonly statsServices = new Map<number, string>();
  /** No inbound cluster acts: every request goes straight to the app. */
  readonly none: boolean;

  constructor(
    readonly config: MeshConfig,
    clusters: readonly Cluster[],
    workers: number,
    /** The clusters of the previous CDS version: one whose pool did not change keeps its state. */
    previous: InboundClusters | null,
  ) {
    for (const c of clusters) {
      if (c.direction === "inbound" && c.grpc === true) this.grpcPorts.add(c.port);
      if (c.direction === "inbound" && c.statsServices !== undefined && c.statsServices.length > 0) this.statsServices.set(c.port, c.statsServices[0]!);
      if (c.direction !== "inbound" || !poolActs(poolLimits(c.policy.connectionPool, c.http2))) continue;
      const before = previous?.byPort.get(c.port);
      const same = before !== undefined && before.http2 === c.http2 && JSON.stringify(before.policy) === JSON.stringify(c.policy);
      this.byPort.set(c.port, same ? before : new InboundCluster(c.name, c.policy, c.http2, workers));
    }
    this.none = this.byPort.size === 0;
  }

  /** The retry policy of the inbound route of container port `port` (istiod's default inbound route). */
  retryPolicy(port: number): RetryPolicy | undefined {
    return inboundRetryPolicy(this.grpcPorts.has(port));
  }

  /**
   * The destination_service the stats filter reports for a request to container port `port`: its
   * inbound cluster's first `istio.services` entry (undefined: the port has none).
   */
  statsService(port: number): string | undefined {
    // The last port asked first: the server side asks at each request that comes without a route's
    // sinks (from outside the mesh), and a pod's requests arrive on one port (no Map lookup then).
    if (port === this.lastStatsPort) return this.lastStatsService;
    const s = this.statsServices.get(port);
    this.lastStatsPort = port;
    this.lastStatsService = s;
    return s;
  }

  private lastStatsPort = -1;
  private lastStatsService: string | undefined = undefined;

  /** The acting cluster of container port `port`, or null (straight to the app). */
  get(port: number): InboundCluster | null {
    // `=== true`: one compare; the bare field got V8's generic truth test (Inbound.toApp).
    return this.none === true ? null : (this.byPort.get(port) ?? null);
  }
}
