// Envoy's upstream connection pool for one cluster, one worker thread of one client proxy, as a
// state machine with no clock: the caller (the simulated world) supplies the timing and calls back
// when a connection is up or fails, or a request ends. HTTP/1.1: one request at a time per
// connection, keep-alive up to maxRequestsPerConnection; HTTP/2: requests multiplexed, up to
// max_concurrent_streams on a connection (by default one connection per host carries them all), a
// further one waiting for a new connection opened when the pending requests outnumber the places on
// the connections being set up. Circuit breakers are checked where Envoy checks them, on counters shared by all of
// the proxy's workers; overflow is a local 503 UO and never a host failure. A connection idle for
// idle_timeout, or older than max_connection_duration once idle, is closed; the pool notices when it
// next looks at the host (the caller passes the time), so a closed connection is never reused and
// no timer runs per connection.
// https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/upstream/connection_pooling
// https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/upstream/circuit_breaking
import type { ClusterCounters, PoolLimits } from "./pool-limits.js";

export interface PoolConnection {
  readonly id: number;
  readonly host: number;
  /** draining: past max_connection_duration, it takes no new request and closes when its last ends. */
  state: "connecting" | "ready" | "draining" | "closed";
  /** Requests on it now (HTTP/1.1: 0 or 1). */
  streams: number;
  /** Requests it has carried. */
  served: number;
  /** Istio mTLS was negotiated when it was set up (the caller decides; it outlives config changes). */
  mtls: boolean;
  /** When it was opened. */
  openedAt: number;
  /** When it last became free of requests. */
  idleSince: number;
}

/** The outcomes of `newStream`; the pool's `conn` says which connection it concerns. */
export const ATTACHED = 0;
export const PENDING = 1;
export const OVERFLOW = 2;

/**
 * An empty list whose elements are objects from the start. `[]` starts with V8's small-integer
 * elements kind and changes its map at the first object pushed; a host pool made at a proxy's first
 * use gets that first push after the code that pushes was optimized against lists already holding
 * objects, which then deoptimizes ("not a Smi" in `streamDone` at `idle.push`, "wrong map" in
 * `host`: docs/performance.md, Goal 4, sessions 24 `scale12` and 25 `scale13`). An element kind only
 * ever moves to a more general one (v8 src/objects/elements-kind.h), so the list keeps it once empty.
 */
function objectList<T>(): T[] {
  const list: T[] = [];
  const general: unknown[] = list;
  general.push(null);
  general.length = 0; // back to the empty backing store, the kind kept
  return list;
}

class HostPool<R> {
  /** Every open connection (connecting, ready, busy, draining). */
  readonly conns: PoolConnection[] = objectList();
  /**
   * Envoy's ready_clients_, its front last: HTTP/1.1, ready connections with no request, most
   * recently used last; HTTP/2, ready connections below max_concurrent_streams, the one most recently
   * connected or freed from the limit last (moveBetweenLists puts it at the front, newStream takes the front).
   */
  readonly idle: PoolConnection[] = objectList();
  readonly pending: R[] = objectList();
  connecting = 0;
}

/** What streamDone and connected return when no pending request takes the connection. */
const NONE: readonly never[] = Object.freeze([]);

export class UpstreamPool<R> {
  /** By host id (small integers handed out in order by the caller): an index, not a hash, per request. */
  private readonly hosts: (HostPool<R> | undefined)[] = objectList();
  private nextId = 0;
  /** The connection the last call concerns: attached to, to be opened by the caller, or null. */
  conn: PoolConnection | null = null;
  /**
   * The pending requests the last `connected` or `streamDone` refused instead of attaching: the
   * max_requests breaker was full when a connection came free. The caller answers each 503 UO.
   */
  overflowed: readonly R[] = NONE;

  constructor(readonly limits: PoolLimits, readonly counters: ClusterCounters) {
    // Host 0 (a cluster's first host picked, often its only one; the inbound side's application) is
    // made with the pool, not at its first request: what a request runs is then only the index,
    // and TurboFan, compiling while 1,000 proxies make their first requests, inlines no host pool's
    // construction into the request path (docs/performance.md, Goal 4, session 25 `scale13`).
    this.hosts.push(new HostPool<R>());
  }

  /** Told of every connection the pool closes (ambient's ztunnel counts a sidecar's connections by it). */
  onClose: ((x: PoolConnection) => void) | null = null;

  private host(h: number): HostPool<R> {
    const p = this.hosts[h];
    return p !== undefined ? p : this.addHost(h);
  }

  /** Host `h`'s pool at its first request (host 0's is made with the pool). */
  private addHost(h: number): HostPool<R> {
    const p = new HostPool<R>();
    // Without holes: a store past the end would make the list holey, another map (a worker's pool
    // may see a cluster's hosts in another order than their ids).
    while (this.hosts.length < h) this.hosts.push(undefined);
    this.hosts[h] = p;
    return p;
  }

  /**
   * A request for host `h`. ATTACHED: it runs now on `conn`. PENDING: it waits; if `conn` is not null
   * the caller must establish that new connection and call `connected` or `connectFailed`.
   * OVERFLOW: reply 503 UO at once; `conn` is then the ready connection max_requests refused it on
   * (Envoy hands its host to the failure: the request has an upstream host), or null when
   * max_pending_requests refused it (no host). envoyproxy/envoy
   * source/common/conn_pool/conn_pool_base.cc (attachStreamToClient passes
   * client.real_host_description_ to onPoolFailure, newStreamImpl passes nullptr)
   */
  newStream(h: number, req: R, now = 0): number {
    this.conn = null;
    const pool = this.host(h);
    const ready = this.readyConnection(pool, now);
    if (ready !== null) {
      // max_requests is checked only when a request is attached to a connection, never before it
      // waits: a request with no free connection goes pending whatever the active count (the
      // pending breaker alone can refuse it), and is refused when it is attached, below in
      // drainPending. envoyproxy/envoy source/common/conn_pool/conn_pool_base.cc
      // (ConnPoolImplBase::newStreamImpl, attachStreamToClient: `requests().canCreate()`)
      if (this.counters.upstream_rq_active >= this.limits.maxRequests) return this.refuseOn(ready, pool);
      this.attach(ready, pool);
      this.conn = ready;
      return ATTACHED;
    }
    const c = this.counters;
    if (c.upstream_rq_pending_active >= this.limits.maxPendingRequests) {
      c.upstream_rq_pending_overflow++;
      return OVERFLOW;
    }
    pool.pending.push(req);
    c.upstream_rq_pending_total++;
    c.upstream_rq_pending_active++;
    this.conn = this.maybeOpen(h, pool, now);
    return PENDING;
  }

  /**
   * max_requests refused a request on the ready connection `x`: it stays free, and the overflow is
   * counted as upstream_rq_pending_overflow too, as Envoy does. Apart from newStream so that the code
   * TurboFan inlines where a request takes a connection stays short (docs/performance.md, Goal 4,
   * session 26 `pool14`).
   */
  private refuseOn(x: PoolConnection, pool: HostPool<R>): number {
    if (!this.limits.http2) pool.idle.push(x);
    this.counters.upstream_rq_pending_overflow++;
    this.conn = x;
    return OVERFLOW;
  }

  /** A connection that can take a request now, if any (closing those that timed out while idle). */
  private readyConnection(pool: HostPool<R>, now: number): PoolConnection | null {
    if (this.limits.http2) return this.readyHttp2(pool, now);
    const idle = pool.idle;
    const n = idle.length;
    if (n === 0) return null;
    // Nearly always: the bottom and the top are ready and in time, so nothing is closed and the top
    // is taken (what the loops of `readyAfterExpiry` do then). Apart, so that the code inlined where a
    // request takes a connection stays short (docs/performance.md, Goal 4, session 25 `scale13`).
    const x = idle[n - 1]!;
    if (x.state === "ready" && !this.due(x, now) && (n === 1 || (idle[0]!.state === "ready" && !this.due(idle[0]!, now)))) {
      idle.pop();
      return x;
    }
    return this.readyAfterExpiry(pool, now);
  }

  /** HTTP/1.1's idle list when a connection in it is closed or past its time. */
  private readyAfterExpiry(pool: HostPool<R>, now: number): PoolConnection | null {
    const idle = pool.idle;
    // The oldest idle connections sit at the bottom: close those past their time first.
    while (idle.length > 0 && (idle[0]!.state !== "ready" || this.expire(idle[0]!, pool, now))) idle.shift();
    while (idle.length > 0) {
      const x = idle.pop()!;
      if (x.state !== "ready") continue;
      if (this.expire(x, pool, now)) {
        for (const y of idle) if (y.state === "ready") this.expire(y, pool, now);
        idle.length = 0;
        return null;
      }
      return x;
    }
    return null;
  }

  /**
   * HTTP/2: the front of the ready list, after closing the connections with no request that timed out
   * there and draining those past max_connection_duration (their requests finish on them, new ones
   * go elsewhere).
   */
  private readyHttp2(pool: HostPool<R>, now: number): PoolConnection | null {
    const ready = pool.idle;
    for (let i = ready.length - 1; i >= 0; i--) {
      const x = ready[i]!;
      if (x.streams === 0) {
        if (!this.expire(x, pool, now)) continue;
      } else if (now - x.openedAt >= this.limits.maxConnectionDurationMs) {
        x.state = "draining";
        ready.splice(i, 1);
        this.counters.upstream_cx_max_duration_reached++;
      }
    }
    return ready.length > 0 ? ready[ready.length - 1]! : null;
  }

  /** Close an idle connection that has been idle for idle_timeout or lived max_connection_duration. */
  private expire(x: PoolConnection, pool: HostPool<R>, now: number): boolean {
    const L = this.limits;
    if (now - x.idleSince >= L.idleTimeoutMs) this.counters.upstream_cx_idle_timeout++;
    else if (now - x.openedAt >= L.maxConnectionDurationMs) this.counters.upstream_cx_max_duration_reached++;
    else return false;
    this.close(x, pool);
    return true;
  }

  /** Whether `expire` would close the idle connection `x` now. */
  private due(x: PoolConnection, now: number): boolean {
    return now - x.idleSince >= this.limits.idleTimeoutMs || now - x.openedAt >= this.limits.maxConnectionDurationMs;
  }

  private attach(x: PoolConnection, pool: HostPool<R>): void {
    x.streams++;
    this.counters.upstream_rq_total++;
    this.counters.upstream_rq_active++;
    // The limits below apply only to HTTP/2 or with maxRequestsPerConnection set: apart, so that a
    // pool with neither runs (and TurboFan inlines) only the counts (docs/performance.md, Goal 4,
    // session 26 `pool14`).
    if (this.limits.http2 || this.limits.maxRequestsPerConnection > 0) this.attachLimited(x, pool);
  }

  /** attach's limits: a connection drains at maxRequestsPerConnection; HTTP/2's is busy at max_concurrent_streams. */
  private attachLimited(x: PoolConnection, pool: HostPool<R>): void {
    const L = this.limits;
    // maxRequestsPerConnection: the request that uses up the connection's allowance makes it drain at
    // once: no further request is attached to it (an HTTP/2 connection's next requests go to a new
    // one), and it closes when its last request ends. upstream_cx_max_requests counts it then.
    // envoyproxy/envoy source/common/conn_pool/conn_pool_base.cc (attachStreamToClient:
    // remaining_streams_ reaches 0 ⇒ Draining)
    const max = L.maxRequestsPerConnection;
    if (max > 0 && x.served + x.streams >= max && x.state === "ready") {
      this.counters.upstream_cx_max_requests++;
      x.state = "draining";
      if (L.http2) unlist(pool.idle, x);
    } else if (L.http2 && x.streams >= L.maxConcurrentStreams) {
      // Busy: at max_concurrent_streams it leaves the ready list until a stream ends.
      // envoyproxy/envoy source/common/conn_pool/conn_pool_base.cc (attachStreamToClient: `capacity == 1` => Busy)
      unlist(pool.idle, x);
    }
  }

  /**
   * Open a connection for pending requests when there are more of them than places on the connections
   * being established (HTTP/1.1: one each; HTTP/2: max_concurrent_streams each, or fewer under
   * maxRequestsPerConnection), within max_connections — except that Envoy always lets a host with no
   * connection at all (a draining one counts) have one in each pool. Beyond the limit it counts
   * upstream_cx_overflow even when it opens that one connection anyway. One connection per call where
   * Envoy's tryCreateNewConnections may open up to three: a deficit above one place arises only on
   * HTTP/2 after a connection drained or closed with requests waiting.
   * envoyproxy/envoy source/common/conn_pool/conn_pool_base.cc (ConnPoolImplBase::tryCreateNewConnection,
   * shouldCreateNewConnection, shouldConnect with the preconnect ratio 1); source/common/http/http2/conn_pool.cc
   * (ActiveClient::calculateInitialStreamsLimit: min(max_concurrent_streams, max_requests_per_connection))
   */
  private maybeOpen(h: number, pool: HostPool<R>, now: number): PoolConnection | null {
    // HTTP/2's places and max_connections' overflow apart: code a first request runs gets inlined
    // where a request takes a connection, so it is kept short (docs/performance.md, Goal 4, session 26 `pool14`).
    if (pool.pending.length <= (this.limits.http2 ? this.http2Places(pool) : pool.connecting)) return null;
    if (this.counters.upstream_cx_active >= this.limits.maxConnections && this.overflowsConnections(pool)) return null;
    // Times as doubles from the first store: a field first set to a small integer (the run's first
    // connections open at whole ms) changes its representation and the map at its first fraction.
    const x: PoolConnection = { id: this.nextId++, host: h, state: "connecting", streams: 0, served: 0, mtls: false, openedAt: 0.5, idleSince: 0.5 };
    x.openedAt = x.idleSince = now;
    pool.conns.push(x);
    pool.connecting++;
    this.counters.upstream_cx_total++;
    this.counters.upstream_cx_active++;
    return x;
  }

  /** HTTP/2: the requests the connections being set up will take. */
  private http2Places(pool: HostPool<R>): number {
    const L = this.limits;
    return pool.connecting * (L.maxRequestsPerConnection > 0 ? Math.min(L.maxConcurrentStreams, L.maxRequestsPerConnection) : L.maxConcurrentStreams);
  }

  /** max_connections is full: counted; a host with no connection at all gets one anyway. */
  private overflowsConnections(pool: HostPool<R>): boolean {
    this.counters.upstream_cx_overflow++;
    return pool.conns.length > 0;
  }

  /** The connection is up: returns the pending requests that now run on it (HTTP/1.1: at most one). */
  connected(x: PoolConnection, now = 0): readonly R[] {
    this.overflowed = NONE;
    this.conn = null;
    const pool = this.hosts[x.host]!; // made before the connection was opened
    pool.connecting--;
    x.state = "ready";
    x.openedAt = now;
    if (this.limits.http2) pool.idle.push(x);
    return this.drainPending(x, pool, now);
  }

  /**
   * Give a ready connection the requests waiting for it, oldest first; an HTTP/1.1 connection left
   * free is idle. A request taken from the queue while max_requests is full is refused (`overflowed`)
   * and the connection stays free for the next: Envoy's onUpstreamReady pops each pending stream and
   * attachStreamToClient fails it with Overflow, so every waiting request is refused in turn.
   * HTTP/2: `x` has just been put at the front of the ready list; it takes requests until it is
   * busy or drains, and requests still waiting then get a new connection if the ones being set up
   * have no place for them (onUpstreamReady ends with tryCreateNewConnections). An HTTP/1.1
   * connection opens it when it closes (streamDone).
   * envoyproxy/envoy source/common/conn_pool/conn_pool_base.cc (ConnPoolImplBase::onUpstreamReady)
   */
  private drainPending(x: PoolConnection, pool: HostPool<R>, now: number): readonly R[] {
    const L = this.limits;
    // Most requests end with nobody waiting: no array for them.
    let out: R[] | null = null;
    let refused: R[] | null = null;
    while (pool.pending.length > 0 && x.state === "ready" && x.streams < L.maxConcurrentStreams) {
      const r = pool.pending.shift()!;
      this.counters.upstream_rq_pending_active--;
      if (this.counters.upstream_rq_active >= L.maxRequests) {
        this.counters.upstream_rq_pending_overflow++;
        (refused ??= []).push(r);
        continue;
      }
      (out ??= []).push(r);
      this.attach(x, pool);
    }
    if (refused !== null) this.overflowed = refused;
    if (L.http2 && pool.pending.length > 0) this.conn = this.maybeOpen(x.host, pool, now);
    if (x.streams === 0) this.freed(x, pool, now);
    return out ?? NONE;
  }

  /**
   * The connection could not be established (refused, or timed out). Envoy then purges all the
   * host's pending requests (503 UF), even those another connection on its way could have taken,
   * so that the router can retry them elsewhere: they are returned.
   * envoyproxy/envoy source/common/conn_pool/conn_pool_base.cc (onConnectionEvent, purgePendingStreams)
   */
  connectFailed(x: PoolConnection): R[] {
    const pool = this.host(x.host);
    pool.connecting--;
    this.close(x, pool);
    this.counters.upstream_cx_connect_fail++;
    const failed = pool.pending.splice(0);
    this.counters.upstream_rq_pending_active -= failed.length;
    return failed;
  }

  /**
   * The connection was not up within connect_timeout (the host does not answer): Envoy closes it,
   * counting upstream_cx_connect_timeout, and then handles it as any connect failure.
   */
  connectTimedOut(x: PoolConnection): R[] {
    this.counters.upstream_cx_connect_timeout++;
    return this.connectFailed(x);
  }

  /**
   * A request on `x` ended. `reset`: the connection died with it. Returns the pending requests that
   * now run on `x`; `conn` is set when the caller must open a new connection for the host's
   * remaining pending requests.
   */
  streamDone(x: PoolConnection, reset: boolean, now = 0): readonly R[] {
    this.overflowed = NONE;
    const pool = this.hosts[x.host]!; // made before the connection was opened
    x.streams--;
    x.served++;
    this.counters.upstream_rq_active--;
    this.conn = null;
    const L = this.limits;
    let close = reset || (x.state === "draining" && x.streams === 0);
    if (x.state === "draining" && !close) return NONE;
    // Past max_connection_duration the connection drains: it closes once its last request is done.
    if (!close && x.streams === 0 && now - x.openedAt >= L.maxConnectionDurationMs) {
      this.counters.upstream_cx_max_duration_reached++;
      close = true;
    }
    if (close) {
      if (x.state !== "closed") this.close(x, pool);
      this.conn = pool.pending.length > 0 ? this.maybeOpen(x.host, pool, now) : null;
      return NONE;
    }
    // HTTP/2: a busy connection below its limit again is ready, at the front of the list.
    // envoyproxy/envoy source/common/conn_pool/conn_pool_base.cc (onStreamClosed: Busy => Ready, onUpstreamReady)
    if (L.http2 && x.streams === L.maxConcurrentStreams - 1) pool.idle.push(x);
    // Nearly always nobody waits: what drainPending would do then, without its code inlined here
    // (docs/performance.md, Goal 4, session 26 `pool14`).
    if (pool.pending.length === 0) {
      if (x.streams === 0) this.freed(x, pool, now);
      return NONE;
    }
    return this.drainPending(x, pool, now);
  }

  /** `x` carries no request now: HTTP/1.1 puts it on top of the idle list. */
  private freed(x: PoolConnection, pool: HostPool<R>, now: number): void {
    x.idleSince = now;
    if (!this.limits.http2) pool.idle.push(x);
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
  /**
   * The host said it closes the connection: HTTP/1.1 `Connection: close` on a response, or an HTTP/2
   * GOAWAY. It takes no new request and closes once its last one ends (the caller then ends the
   * stream that carried the notice). envoyproxy/envoy source/common/http/http1/conn_pool.cc
   * (StreamWrapper: a response with `Connection: close` closes the client when it completes) and
   * docs/intro/arch_overview/connection_pooling.rst (HTTP/2: on GOAWAY the pool drains the connection).
   */
  goAway(x: PoolConnection): void {
    if (x.state !== "ready") return;
    x.state = "draining";
    unlist(this.host(x.host).idle, x);
  }

  closeIdle(h: number): void {
    const pool = this.hosts[h];
    if (pool === undefined) return;
    for (const x of [...pool.conns]) if (x.state === "ready" && x.streams === 0) this.close(x, pool);
    // HTTP/2: close() took them out of the ready list, which keeps those still carrying requests.
    if (!this.limits.http2) pool.idle.length = 0;
  }

  private close(x: PoolConnection, pool: HostPool<R>): void {
    x.state = "closed";
    const i = pool.conns.indexOf(x);
    if (i >= 0) pool.conns.splice(i, 1);
    if (this.limits.http2) unlist(pool.idle, x);
    this.counters.upstream_cx_active--;
    this.counters.upstream_cx_destroy++;
    this.onClose?.(x);
  }
}

/** Take `x` out of a ready list (most often its last entry). */
function unlist(list: PoolConnection[], x: PoolConnection): void {
  const i = list.lastIndexOf(x);
  if (i >= 0) list.splice(i, 1);
}
