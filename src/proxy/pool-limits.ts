// The connection-pool thresholds of one upstream cluster with Istio's defaults (istiod always writes
// thresholds: 2^32-1 for each, so nothing trips unless a DestinationRule sets connectionPool), the
// cluster's counters under Envoy's own names, and the cluster-wide retry budget.
// https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/upstream/circuit_breaking
// https://istio.io/latest/docs/reference/config/networking/destination-rule/#ConnectionPoolSettings
import type { ConnectionPoolSettings, RetryBudget } from "./api/networking.js";

export const ISTIO_DEFAULT_THRESHOLD = 4294967295;
/** MeshConfig connectTimeout (Envoy's own default would be 5 s). */
export const ISTIO_DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
/**
 * Envoy's Http2ProtocolOptions.max_concurrent_streams default (2^31 - 1), which istiod leaves alone
 * unless a DestinationRule sets http.maxConcurrentStreams.
 * https://www.envoyproxy.io/docs/envoy/latest/api-v3/config/core/v3/protocol.proto#envoy-v3-api-field-config-core-v3-http2protocoloptions-max-concurrent-streams
 */
export const ENVOY_DEFAULT_MAX_CONCURRENT_STREAMS = 2147483647;
/** Istio's default idle timeout of upstream HTTP connections. */
export const ISTIO_DEFAULT_IDLE_TIMEOUT_MS = 3_600_000;

export interface PoolLimits {
  maxConnections: number;
  maxPendingRequests: number;
  maxRequests: number;
  maxRetries: number;
  /** 0 = unlimited (keep-alive); 1 = a new connection per request. */
  maxRequestsPerConnection: number;
  connectTimeoutMs: number;
  /** Upstream connection closed after this long without requests (Infinity: never). */
  idleTimeoutMs: number;
  /** Upstream connection closed (once idle) after this age (Infinity: never). */
  maxConnectionDurationMs: number;
  /** HTTP/2 upstream: requests multiplexed on a connection, up to maxConcurrentStreams each. */
  http2: boolean;
  /** HTTP/2: streams at once on one connection (Envoy's concurrent_stream_limit_); 1 on HTTP/1.1. */
  maxConcurrentStreams: number;
}

/**
 * `http2`: the cluster is explicit HTTP/2, as the translation decided (the port's protocol and
 * h2UpgradePolicy: xds/translation/h2-upgrade.ts).
 */
export function poolLimits(cp: ConnectionPoolSettings | undefined, http2: boolean): PoolLimits {
  if (cp === undefined) return http2 ? ISTIO_DEFAULT_LIMITS_H2 : ISTIO_DEFAULT_LIMITS;
  return limitsOf(cp, http2);
}

/** A threshold the DestinationRule sets (above 0), else the default. */
function positive(x: number | undefined, d: number): number {
  return x !== undefined && x > 0 ? x : d;
}

function limitsOf(cp: ConnectionPoolSettings | undefined, http2: boolean): PoolLimits {
  return {
    maxConnections: positive(cp?.tcp?.maxConnections, ISTIO_DEFAULT_THRESHOLD),
    maxPendingRequests: positive(cp?.http?.http1MaxPendingRequests, ISTIO_DEFAULT_THRESHOLD),
    maxRequests: positive(cp?.http?.http2MaxRequests, ISTIO_DEFAULT_THRESHOLD),
    maxRetries: positive(cp?.http?.maxRetries, ISTIO_DEFAULT_THRESHOLD),
    maxRequestsPerConnection: cp?.http?.maxRequestsPerConnection ?? 0,
    connectTimeoutMs: positive(cp?.tcp?.connectTimeoutMs, ISTIO_DEFAULT_CONNECT_TIMEOUT_MS),
    // istiod writes http.idleTimeout, else tcp.idleTimeout, as the cluster's HTTP idle_timeout;
    // 0 disables it (cluster_traffic_policy.go applyConnectionPool).
    idleTimeoutMs: orNever(cp?.http?.idleTimeoutMs ?? cp?.tcp?.idleTimeoutMs ?? ISTIO_DEFAULT_IDLE_TIMEOUT_MS),
    maxConnectionDurationMs: orNever(cp?.tcp?.maxConnectionDurationMs ?? 0),
    http2,
    maxConcurrentStreams: http2 ? maxConcurrentStreams(cp) : 1,
  };
}

/**
 * The limits of every cluster without a connectionPool (each cluster of a mesh whose DestinationRules
 * set none), made once per protocol and shared: limits are read, never written (upstream-pool.ts,
 * inbound-cluster.ts, the translation's JSON). Made per cluster, they were two objects and a closure
 * per proxy's first use, and as many copies of the same figures for the requests to read
 * (docs/performance.md, Goal 4, session 22).
 */
const ISTIO_DEFAULT_LIMITS = limitsOf(undefined, false);
const ISTIO_DEFAULT_LIMITS_H2 = limitsOf(undefined, true);

/**
 * istiod writes http.maxConcurrentStreams (when above 0) into the cluster's explicit
 * Http2ProtocolOptions, which only an HTTP/2 cluster has; useClientProtocol then replaces them with
 * use_downstream_protocol's fresh options, so the limit is lost. istio/istio
 * pilot/pkg/networking/core/cluster_traffic_policy.go (applyConnectionPool), cluster_builder.go
 * (setUseDownstreamProtocol)
 */
function maxConcurrentStreams(cp: ConnectionPoolSettings | undefined): number {
  const n = cp?.http?.maxConcurrentStreams;
  return n !== undefined && n > 0 && cp?.http?.useClientProtocol !== true ? n : ENVOY_DEFAULT_MAX_CONCURRENT_STREAMS;
}

/** A circuit breaker below Istio's default (2^32 - 1): connections, pending requests or requests can be refused or queued. */
export function hasCircuitBreakerLimit(l: PoolLimits): boolean {
  return l.maxConnections !== ISTIO_DEFAULT_THRESHOLD || l.maxPendingRequests !== ISTIO_DEFAULT_THRESHOLD || l.maxRequests !== ISTIO_DEFAULT_THRESHOLD;
}

/** A duration where 0 means "no limit". */
function orNever(ms: number): number {
  return ms > 0 ? ms : Infinity;
}

/** A cluster's stats, named as Envoy names them (cluster.<name>.<counter>). */
export interface ClusterCounters {
  upstream_cx_total: number;
  upstream_cx_active: number;
  upstream_cx_overflow: number;
  upstream_cx_connect_fail: number;
  upstream_cx_connect_timeout: number;
  upstream_cx_idle_timeout: number;
  upstream_cx_max_duration_reached: number;
  upstream_cx_max_requests: number;
  upstream_cx_destroy: number;
  upstream_rq_total: number;
  upstream_rq_active: number;
  upstream_rq_pending_total: number;
  upstream_rq_pending_active: number;
  upstream_rq_pending_overflow: number;
  upstream_rq_retry: number;
  upstream_rq_retry_overflow: number;
  /** Retried requests whose next try's answer was not retriable (retry_state_impl.cc shouldRetry). */
  upstream_rq_retry_success: number;
  /** Retriable answers with the retries used up (URX). */
  upstream_rq_retry_limit_exceeded: number;
  /** Route timeouts, one per try still waiting when it fired (router.cc onResponseTimeout). */
  upstream_rq_timeout: number;
  /** Per-try timeouts, one per try (router.cc onPerTryTimeout); not counted in upstream_rq_timeout. */
  upstream_rq_per_try_timeout: number;
}

export function newClusterCounters(): ClusterCounters {
  return {
    upstream_cx_total: 0, upstream_cx_active: 0, upstream_cx_overflow: 0, upstream_cx_connect_fail: 0,
    upstream_cx_connect_timeout: 0, upstream_cx_idle_timeout: 0, upstream_cx_max_duration_reached: 0,
    upstream_cx_max_requests: 0, upstream_cx_destroy: 0, upstream_rq_total: 0, upstream_rq_active: 0, upstream_rq_pending_total: 0,
    upstream_rq_pending_active: 0, upstream_rq_pending_overflow: 0, upstream_rq_retry: 0,
    upstream_rq_retry_overflow: 0, upstream_rq_retry_success: 0, upstream_rq_retry_limit_exceeded: 0,
    upstream_rq_timeout: 0, upstream_rq_per_try_timeout: 0,
  };
}

/**
 * The cluster-wide `max_retries` breaker: each retry holds a token while it runs. With a retry
 * budget (DestinationRule trafficPolicy.retryBudget) Envoy ignores max_retries and allows
 * max(percent % of the active and pending requests, min_retry_concurrency) retries at once
 * (defaults 20 %, 3; the product truncated to an integer, as resource_manager_impl.h does).
 * https://www.envoyproxy.io/docs/envoy/latest/api-v3/config/cluster/v3/circuit_breaker.proto#config-cluster-v3-circuitbreakers-thresholds-retrybudget
 */
export class RetryTokens {
  private active = 0;
  private readonly budgetShare: number;
  private readonly budgetMin: number;
  constructor(private readonly limits: PoolLimits, private readonly counters: ClusterCounters, budget?: RetryBudget) {
    this.budgetShare = budget === undefined ? -1 : (budget.percent ?? 20) / 100;
    // istiod writes min_retry_concurrency 3 unless the DR sets more than 0: an explicit 0 is 3 too
    // (istio/istio pilot/pkg/networking/core/cluster_traffic_policy.go applyRetryBudget, `> 0`).
    const min = budget?.minRetryConcurrency;
    this.budgetMin = min !== undefined && min > 0 ? min : 3;
  }

  private max(): number {
    if (this.budgetShare < 0) return this.limits.maxRetries;
    const c = this.counters;
    return Math.max(Math.floor(this.budgetShare * (c.upstream_rq_active + c.upstream_rq_pending_active)), this.budgetMin);
  }

  /** Take a token for a retry; false ⇒ no retry (`upstream_rq_retry_overflow`, flag UO). */
  take(): boolean {
    if (this.active >= this.max()) {
      this.counters.upstream_rq_retry_overflow++;
      return false;
    }
    this.active++;
    this.counters.upstream_rq_retry++;
    return true;
  }

  give(): void {
    if (this.active > 0) this.active--;
  }
}
