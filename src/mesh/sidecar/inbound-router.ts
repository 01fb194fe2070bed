// The server sidecar's inbound router, where its inbound cluster's pool acts: after the inbound
// filter chain a request takes a place in the pool of the worker its downstream connection landed on,
// waits for a connection to the app, or is refused (503 UO) — Envoy's Router filter on the inbound
// listener, with the client side's pool (proxy/upstream-pool.ts). Without an acting pool the request
// goes straight to the app. A connection to the app that is refused (nothing listens: the app is
// starting, crashed, restarting) is retried as istiod's inbound route says: `reset-before-request`,
// 2 retries after Envoy's back-off, to the same one host (proxy/route/retry-policy.ts
// inboundRetryPolicy); a request already handed to the app is never retried (its reset is 503 UC).
import type { Simulator } from "../../engine/simulator.js";
import type { ServedRequest } from "../app/app-server.js";
import type { Pod } from "../kube/pod.js";
import type { OutgoingRequest, Responder } from "../transport.js";
import { APP_HOST, LOOPBACK_CONNECT_MS, type InboundCluster, type InboundClusters } from "./inbound-cluster.js";
import { ATTACHED, OVERFLOW, type PoolConnection } from "../../proxy/upstream-pool.js";
import { inboundRetryPolicy, OUTCOME_CONNECT_FAILURE, shouldRetry } from "../../proxy/route/retry-policy.js";
import { backoffMs } from "../../proxy/route/backoff.js";

/** The flags a refused connection reports to the caller, telling it apart from a reset ("-"). */
export const REFUSED = "UF";
/** The server sidecar's 503 when its inbound route's retries of a refused connection are used up. */
export const REFUSED_RETRIES_EXCEEDED = "URX,UF";
/**
 * The flags of the server sidecar's 503 when its inbound cluster's circuit breaker trips: the reply
 * carries x-envoy-overloaded, which the client's router never retries (mesh/sidecar/upstream-request.ts).
 */
export const OVERFLOWED = "UO";

/** Where the server sidecars' inbound clusters come from (the wiring: istiod's translation of the CDS each holds). */
export interface InboundClusterSource {
  /** The acting inbound clusters of `pod`'s sidecar for the CDS version it holds (`held`: those of the version before). */
  build(pod: Pod, held: InboundClusters | null): InboundClusters;
  /** A cluster's first use: its counters go into the report under the server's workload. */
  register(pod: Pod, c: InboundCluster): void;
}

/** A connection to the app being established by the server sidecar. */
interface AppConnect {
  readonly pod: Pod;
  readonly cluster: InboundCluster;
  readonly worker: number;
  readonly conn: PoolConnection;
}

/** What the router holds of a request inside the pod (mesh/sidecar/inbound-leg.ts InboundLeg). */
export interface PooledLeg extends Responder {
  readonly pod: Pod;
  /** The server sidecar's worker it is pinned to. */
  readonly worker: number;
  readonly closed: boolean;
  readonly appReq: OutgoingRequest;
  served: ServedRequest | null;
  /** Its place in the inbound cluster's pool (null: none, straight to the app). */
  place: PoolPlace | null;
  /** The container port it arrived on (its inbound route and cluster). */
  readonly port: number;
  /** The inbound route's retries so far. */
  retries: number;
}

/**
 * A request's place in an acting inbound cluster's pool. Its own object, not fields of every
 * request: only a pod whose inbound cluster acts has one, and each field of InboundLeg is a store at
 * every request (docs/performance.md, Goal 3, session 23 `inb10`).
 */
export class PoolPlace {
  /** Waiting in the pool for a connection to the app. */
  pending = false;
  /** Its connection to the app. */
  conn: PoolConnection | null = null;
  /** Its connection to the app died with it when it left (closed, not kept alive). */
  connReset = false;
  constructor(
    readonly cluster: InboundCluster,
    /** The worker whose pool it is in. */
    readonly worker: number,
  ) {}
}

export class InboundRouter {
  /** The server sidecars' inbound clusters (set by the wiring; null: every request goes straight to the app). */
  clusters: InboundClusterSource | null = null;
  private readonly kAppConnected: number;
  private readonly kServe: number;
  private readonly kRetry: number;

  constructor(
    private readonly sim: Simulator,
    /** The inbound routes' back-off draws (their own stream: uniform in [0, 1)). */
    private readonly backoffDraw: () => number,
  ) {
    this.kAppConnected = sim.on((c: AppConnect) => this.appConnected(c));
    this.kServe = sim.on((leg: PooledLeg) => this.serve(leg));
    this.kRetry = sim.on((leg: PooledLeg) => this.retryNow(leg));
  }

  /**
   * After the inbound filter chain: the inbound route's one cluster, the app — a place in its pool
   * where the pool can refuse, else straight to the app.
   */
  route(leg: PooledLeg): void {
    const ic = this.clusterOf(leg.pod, leg.port);
    if (ic !== null) {
      this.enterPool(leg, ic);
      return;
    }
    if (leg.pod.appUp !== true) {
      this.appRefused(leg, null);
      return;
    }
    leg.served = leg.pod.app.arrive(leg.appReq, leg);
  }

  /**
   * The connection to the app was refused before the request was sent (nothing listens on its port).
   * The inbound route retries it under `reset-before-request` (Envoy: a reset with no byte sent
   * upstream, a connect failure included) after Envoy's back-off, at most num_retries times; then the
   * server sidecar answers 503 with UF and URX (UpstreamRetryLimitExceeded), reporter=destination.
   * envoyproxy/envoy source/common/router/retry_state_impl.cc (wouldRetryFromReset:
   * RETRY_ON_RESET_BEFORE_REQUEST && !upstream_request_started), router.cc (Filter::onUpstreamReset,
   * UpstreamRetryLimitExceeded); istio/istio pilot/pkg/networking/core/route/route.go
   * (BuildDefaultHTTPInboundRoute). `ic`: the acting cluster it was pending in (counts the retry).
   */
  private appRefused(leg: PooledLeg, ic: InboundCluster | null): void {
    const held = this.held(leg.pod);
    const policy = held !== null ? held.retryPolicy(leg.port) : inboundRetryPolicy(false);
    const verdict = shouldRetry(policy, OUTCOME_CONNECT_FAILURE, leg.retries);
    if (verdict === "retry") {
      leg.retries++;
      if (ic !== null) ic.counters.upstream_rq_retry++;
      this.sim.after(backoffMs(policy!, leg.retries, this.backoffDraw()), this.kRetry, leg);
      return;
    }
    leg.onResponse(503, verdict === "limit-exceeded" ? REFUSED_RETRIES_EXCEEDED : REFUSED);
  }

  /** The back-off is over: the retry asks the route's cluster again (unless the request ended meanwhile). */
  private retryNow(leg: PooledLeg): void {
    if (leg.closed) return;
    this.route(leg);
  }

  /** The server sidecar's acting inbound cluster for `port` under the CDS version it holds, or null. */
  clusterOf(pod: Pod, port: number): InboundCluster | null {
    return this.held(pod)?.get(port) ?? null;
  }

  /** The first service of the inbound cluster of `port` on `pod`'s sidecar (its stats filter's destination_service). */
  statsService(pod: Pod, port: number): string | undefined {
    return this.held(pod)?.statsService(port);
  }

  /** The server sidecar's inbound clusters under the CDS version it holds (built on first use of a version). */
  private held(pod: Pod): InboundClusters | null {
    const src = this.clusters;
    const sc = pod.proxy;
    if (src === null || sc === null || sc.xds === undefined) return null;
    let held = sc.inbound;
    if (held === null || held.config !== sc.xds.cds) held = sc.inbound = src.build(pod, held);
    return held;
  }

  /**
   * The inbound router asks the cluster's pool (of the worker the downstream connection landed on)
   * for a connection to the app, as a client's router does upstream (mesh/sidecar/router.ts attempt):
   * a ready keep-alive connection takes the request now; else it waits, and a new loopback connection
   * is opened within max_connections (always one when the worker's pool has none); with
   * http1MaxPendingRequests waiting already it is refused — a local 503 UO with x-envoy-overloaded.
   * envoyproxy/envoy source/common/router/router.cc (Filter::onUpstreamAbort: UpstreamOverflow),
   * source/common/conn_pool/conn_pool_base.cc (ConnPoolImplBase::newStreamImpl)
   */
  enterPool(leg: PooledLeg, ic: InboundCluster): void {
    const pod = leg.pod;
    if (!ic.registered) this.clusters!.register(pod, ic);
    const w = leg.worker % ic.pools.length;
    const pool = ic.pools[w]!;
    const r = pool.newStream(APP_HOST, leg, this.sim.now);
    if (r === OVERFLOW) {
      leg.onResponse(503, OVERFLOWED);
      return;
    }
    const place = new PoolPlace(ic, w);
    leg.place = place;
    if (r === ATTACHED) {
      place.conn = pool.conn;
      this.serve(leg);
      return;
    }
    place.pending = true;
    if (pool.conn !== null) this.connectApp(pod, ic, w, pool.conn);
  }

  private connectApp(pod: Pod, cluster: InboundCluster, worker: number, conn: PoolConnection): void {
    this.sim.after(LOOPBACK_CONNECT_MS, this.kAppConnected, { pod, cluster, worker, conn } satisfies AppConnect);
  }

  /**
   * The loopback connection to the app is up, or refused (nothing listens: the app is down, or the
   * pod is gone): the waiting requests fail with 503 UF, as Envoy purges a host's pending requests.
   */
  private appConnected(c: AppConnect): void {
    const pool = c.cluster.pools[c.worker]!;
    if (!c.pod.alive || !c.pod.appUp) {
      for (const l of pool.connectFailed(c.conn) as PooledLeg[]) {
        l.place = null;
        this.appRefused(l, c.cluster);
      }
      return;
    }
    const now = this.sim.now;
    const run = pool.connected(c.conn, now) as readonly PooledLeg[];
    // An HTTP/2 connection used up by maxRequestsPerConnection leaves the rest to a new connection.
    const fresh = pool.conn;
    const refused = pool.overflowed as readonly PooledLeg[];
    for (const l of run) {
      const place = l.place!;
      place.pending = false;
      place.conn = c.conn;
      this.serve(l);
    }
    if (refused.length > 0) this.refuse(refused);
    if (fresh !== null) this.connectApp(c.pod, c.cluster, c.worker, fresh);
  }

  /**
   * The waiting requests the pool refused when a connection came free (max_requests full): the
   * server's sidecar answers each 503 UO with x-envoy-overloaded, as when newStream refuses.
   */
  private refuse(refused: readonly PooledLeg[]): void {
    for (let i = 0; i < refused.length; i++) {
      const l = refused[i]!;
      l.place = null;
      l.onResponse(503, OVERFLOWED);
    }
  }

  /** The request has its connection to the app: the app takes it. */
  private serve(leg: PooledLeg): void {
    if (leg.closed) return;
    const pod = leg.pod;
    if (!pod.appUp) {
      // Its kept-alive connection died with the app: the request goes back to the route, whose
      // connect is refused — before any byte of it was sent, so retriable.
      const place = leg.place!;
      place.connReset = true;
      this.leavePool(leg);
      const ic = place.cluster;
      this.appRefused(leg, ic);
      return;
    }
    leg.served = pod.app.arrive(leg.appReq, leg);
  }

  /** The request leaves the inbound cluster's pool: the next waiting one takes its connection, or a new one opens. */
  leavePool(leg: PooledLeg): void {
    const place = leg.place!;
    leg.place = null;
    const ic = place.cluster;
    const pool = ic.pools[place.worker]!;
    if (place.pending) {
      place.pending = false;
      pool.cancelPending(APP_HOST, leg);
      return;
    }
    const conn = place.conn!;
    place.conn = null;
    const next = pool.streamDone(conn, place.connReset, this.sim.now) as readonly PooledLeg[];
    const fresh = pool.conn;
    const refused = pool.overflowed as readonly PooledLeg[];
    // The app is inside its answer to `leg`: the next request reaches it from the event loop.
    for (let i = 0; i < next.length; i++) {
      const p = next[i]!.place!;
      p.pending = false;
      p.conn = conn;
      this.sim.after(0, this.kServe, next[i]!);
    }
    if (refused.length > 0) this.refuse(refused);
    if (fresh !== null) this.connectApp(leg.pod, ic, place.worker, fresh);
  }
}
