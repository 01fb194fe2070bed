// Envoy's upstream connection pool for one cluster, one worker thread of one client proxy, as a
// state machine with no clock: the caller (the simulated world) supplies the timing and calls back
// when a connection is up or fails, or a request ends. HTTP/1.1: one request at a time per
// connection, keep-alive up to maxRequestsPerConnection; HTTP/2: one connection per host, requests
// multiplexed. Circuit breakers are checked where Envoy checks them, on counters shared by all of
// the proxy's workers; overflow is a local 503 UO and never a host failure.
// https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/upstream/connection_pooling
// https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/upstream/circuit_breaking
import type { ClusterCounters, PoolLimits } from "./pool-limits.js";

export interface PoolConnection {
  readonly id: number;
  readonly host: number;
  state: "connecting" | "ready" | "closed";
  /** Requests on it now (HTTP/1.1: 0 or 1). */
  streams: number;
  /** Requests it has carried. */
  served: number;
  /** Istio mTLS was negotiated when it was set up (the caller decides; it outlives config changes). */
  mtls: boolean;
}

/** The outcomes of `newStream`; the pool's `conn` says which connection it concerns. */
export const ATTACHED = 0;
export const PENDING = 1;
export const OVERFLOW = 2;

class HostPool<R> {
  readonly conns: PoolConnection[] = [];
  /** HTTP/1.1: ready connections with no request, most recently used last. */
  readonly idle: PoolConnection[] = [];
  readonly pending: R[] = [];
  connecting = 0;
}

export class UpstreamPool<R> {
  private readonly hosts = new Map<number, HostPool<R>>();
  private nextId = 0;
  /** The connection the last call concerns: attached to, to be opened by the caller, or null. */
  conn: PoolConnection | null = null;

  constructor(readonly limits: PoolLimits, readonly counters: ClusterCounters) {}

  private host(h: number): HostPool<R> {
    let p = this.hosts.get(h);
    if (p === undefined) {
      p = new HostPool<R>();
      this.hosts.set(h, p);
    }
    return p;
  }

  /**
   * A request for host `h`. ATTACHED: it runs now on `conn`. PENDING: it waits; if `conn` is not null
   * the caller must establish that new connection and call `connected` or `connectFailed`.
   * OVERFLOW: reply 503 UO at once.
   */
  newStream(h: number, req: R): number {
    const c = this.counters;
    const L = this.limits;
    this.conn = null;
    if (c.upstream_rq_active >= L.maxRequests) {
      // max_requests: Envoy counts this overflow as upstream_rq_pending_overflow too.
      c.upstream_rq_pending_overflow++;
      return OVERFLOW;
    }
    const pool = this.host(h);
    const ready = this.readyConnection(pool);
    if (ready !== null) {
      this.attach(ready);
      this.conn = ready;
      return ATTACHED;
    }
    if (c.upstream_rq_pending_active >= L.maxPendingRequests) {
      c.upstream_rq_pending_overflow++;
      return OVERFLOW;
    }
    pool.pending.push(req);
    c.upstream_rq_pending_total++;
    c.upstream_rq_pending_active++;
    this.conn = this.maybeOpen(h, pool);
    return PENDING;
  }

  /** A connection that can take a request now, if any. */
  private readyConnection(pool: HostPool<R>): PoolConnection | null {
    if (this.limits.http2) {
      const x = pool.conns[0];
      return x !== undefined && x.state === "ready" ? x : null;
    }
    while (pool.idle.length > 0) {
      const x = pool.idle.pop()!;
      if (x.state === "ready") return x;
    }
    return null;
  }

  private attach(x: PoolConnection): void {
    x.streams++;
    this.counters.upstream_rq_total++;
    this.counters.upstream_rq_active++;
  }

  /**
   * Open a connection for pending requests when there are more of them than connections being
   * established (HTTP/2: when the host has none), within max_connections — except that Envoy always
   * lets a host have one connection in each pool.
   */
  private maybeOpen(h: number, pool: HostPool<R>): PoolConnection | null {
    const wanted = this.limits.http2 ? (pool.conns.length === 0 ? 1 : 0) : pool.pending.length - pool.connecting;
    if (wanted <= 0) return null;
    if (this.counters.upstream_cx_active >= this.limits.maxConnections && pool.conns.length > 0) {
      this.counters.upstream_cx_overflow++;
      return null;
    }
    const x: PoolConnection = { id: this.nextId++, host: h, state: "connecting", streams: 0, served: 0, mtls: false };
    pool.conns.push(x);
    pool.connecting++;
    this.counters.upstream_cx_total++;
    this.counters.upstream_cx_active++;
    return x;
  }

  /** The connection is up: returns the pending requests that now run on it (HTTP/1.1: at most one). */
  connected(x: PoolConnection): R[] {
    const pool = this.host(x.host);
    pool.connecting--;
    x.state = "ready";
    return this.drainPending(x, pool);
  }

  /** Give a ready connection the requests waiting for it; an HTTP/1.1 connection left free is idle. */
  private drainPending(x: PoolConnection, pool: HostPool<R>): R[] {
    const out: R[] = [];
    while (pool.pending.length > 0 && (this.limits.http2 || x.streams === 0)) {
      if (this.counters.upstream_rq_active >= this.limits.maxRequests) break;
      out.push(pool.pending.shift()!);
      this.counters.upstream_rq_pending_active--;
      this.attach(x);
    }
    if (!this.limits.http2 && x.streams === 0) pool.idle.push(x);
    return out;
  }

  /**
   * The connection could not be established (refused). When no other connection to the host is on
   * its way, Envoy fails the host's pending requests (503 UF): they are returned.
   */
  connectFailed(x: PoolConnection): R[] {
    const pool = this.host(x.host);
    pool.connecting--;
    this.close(x, pool);
    this.counters.upstream_cx_connect_fail++;
    if (pool.connecting > 0) return [];
    const failed = pool.pending.splice(0);
    this.counters.upstream_rq_pending_active -= failed.length;
    return failed;
  }

  /**
   * A request on `x` ended. `reset`: the connection died with it. Returns the pending requests that
   * now run on `x`; `conn` is set when the caller must open a new connection for the host's
   * remaining pending requests.
   */
  streamDone(x: PoolConnection, reset: boolean): R[] {
    const pool = this.host(x.host);
    x.streams--;
    x.served++;
    this.counters.upstream_rq_active--;
    this.conn = null;
    const L = this.limits;
    if (reset || (L.maxRequestsPerConnection > 0 && x.served >= L.maxRequestsPerConnection)) {
      this.close(x, pool);
      this.conn = pool.pending.length > 0 ? this.maybeOpen(x.host, pool) : null;
      return [];
    }
    return this.drainPending(x, pool);
  }

  /** A pending request gave up (its timeout fired while it waited). */
  cancelPending(h: number, req: R): boolean {
    const pool = this.host(h);
    const i = pool.pending.indexOf(req);
    if (i < 0) return false;
    pool.pending.splice(i, 1);
    this.counters.upstream_rq_pending_active--;
    return true;
  }

  /** The host went away: its idle connections are closed (its kernel reset them). */
  closeIdle(h: number): void {
    const pool = this.hosts.get(h);
    if (pool === undefined) return;
    for (const x of [...pool.conns]) if (x.state === "ready" && x.streams === 0) this.close(x, pool);
    pool.idle.length = 0;
  }

  private close(x: PoolConnection, pool: HostPool<R>): void {
    x.state = "closed";
    const i = pool.conns.indexOf(x);
    if (i >= 0) pool.conns.splice(i, 1);
    this.counters.upstream_cx_active--;
    this.counters.upstream_cx_destroy++;
  }
}
