// The upstream connection pool as Envoy's connection pools and circuit breakers behave:
// https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/upstream/circuit_breaking
import { describe, expect, it } from "vitest";
import type { ConnectionPoolSettings } from "../../../src/proxy/api/networking.js";
import { ISTIO_DEFAULT_THRESHOLD, newClusterCounters, poolLimits, RetryTokens } from "../../../src/proxy/pool-limits.js";
import { ATTACHED, OVERFLOW, PENDING, UpstreamPool } from "../../../src/proxy/upstream-pool.js";

function pool(cp: ConnectionPoolSettings | undefined, http2 = false): UpstreamPool<string> {
  return new UpstreamPool<string>(poolLimits(cp, http2), newClusterCounters());
}

describe("pool limits", () => {
  it("are Istio's defaults when the DestinationRule sets nothing: 2^32-1 everywhere, connect timeout 10 s", () => {
    const l = poolLimits(undefined, false);
    expect([l.maxConnections, l.maxPendingRequests, l.maxRequests, l.maxRetries]).toEqual(Array(4).fill(ISTIO_DEFAULT_THRESHOLD));
    expect(l.connectTimeoutMs).toBe(10_000);
    expect(l.maxRequestsPerConnection).toBe(0);
  });
});

describe("HTTP/1.1 pool", () => {
  it("opens a connection for the first request, then reuses it (keep-alive)", () => {
    const p = pool(undefined);
    expect(p.newStream(0, "a")).toBe(PENDING);
    const c = p.conn!;
    expect(c).not.toBeNull();
    expect(p.connected(c)).toEqual(["a"]);
    expect(p.streamDone(c, false)).toEqual([]);
    expect(p.newStream(0, "b")).toBe(ATTACHED);
    expect(p.conn).toBe(c);
    expect(p.counters.upstream_cx_total).toBe(1);
    expect(p.counters.upstream_rq_total).toBe(2);
    expect(p.counters.upstream_rq_pending_total).toBe(1);
  });

  // envoyproxy/envoy source/common/conn_pool/conn_pool_base.cc: a connection whose stream ends moves to
  // the front of ready_clients_ (transitionActiveClientState → LinkedObject::moveBetweenLists splices at
  // begin()), and newStreamImpl takes ready_clients_.front(): the most recently freed one is reused.
  // Pending streams are pushed at the front and taken from the back (onUpstreamReady): first come, first served.
  it("reuses the most recently freed connection first, and serves waiting requests in arrival order", () => {
    const p = pool(undefined);
    p.newStream(0, "a");
    const c1 = p.conn!;
    p.newStream(0, "b");
    const c2 = p.conn!;
    expect(p.connected(c1)).toEqual(["a"]);
    expect(p.connected(c2)).toEqual(["b"]);
    p.streamDone(c2, false);
    p.streamDone(c1, false); // c1 freed last
    expect(p.newStream(0, "c")).toBe(ATTACHED);
    expect(p.conn).toBe(c1);
    expect(p.newStream(0, "d")).toBe(ATTACHED);
    expect(p.conn).toBe(c2);
    expect(p.newStream(0, "e")).toBe(PENDING);
    expect(p.newStream(0, "f")).toBe(PENDING);
    expect(p.streamDone(c2, false)).toEqual(["e"]);
    expect(p.streamDone(c1, false)).toEqual(["f"]);
  });

  it("carries one request at a time per connection: a second concurrent request opens a second connection", () => {
    const p = pool(undefined);
    p.newStream(0, "a");
    const c1 = p.conn!;
    p.connected(c1);
    expect(p.newStream(0, "b")).toBe(PENDING);
    expect(p.conn).not.toBe(c1);
    expect(p.counters.upstream_cx_active).toBe(2);
  });

  it("with maxRequestsPerConnection 1 closes each connection after its request", () => {
    const p = pool({ http: { maxRequestsPerConnection: 1 } });
    p.newStream(0, "a");
    const c = p.conn!;
    p.connected(c);
    p.streamDone(c, false);
    expect(c.state).toBe("closed");
    expect(p.counters.upstream_cx_destroy).toBe(1);
    expect(p.newStream(0, "b")).toBe(PENDING);
  });

  it("Istio's circuit-breaking task: maxConnections 1 and 1 pending ⇒ the third concurrent request overflows (503 UO)", () => {
    const p = pool({ tcp: { maxConnections: 1 }, http: { http1MaxPendingRequests: 1, maxRequestsPerConnection: 1 } });
    expect(p.newStream(0, "a")).toBe(PENDING);
    const c = p.conn!;
    p.connected(c);
    expect(p.newStream(0, "b")).toBe(PENDING);
    expect(p.conn).toBeNull(); // max_connections reached: b waits for a connection
    expect(p.counters.upstream_cx_overflow).toBe(1);
    expect(p.newStream(0, "c")).toBe(OVERFLOW);
    expect(p.counters.upstream_rq_pending_overflow).toBe(1);
    // a finishes: its connection closes and a new one is opened for b.
    expect(p.streamDone(c, false)).toEqual([]);
    expect(p.conn).not.toBeNull();
    expect(p.connected(p.conn!)).toEqual(["b"]);
  });

  it("lets each host have one connection whatever max_connections says", () => {
    const p = pool({ tcp: { maxConnections: 1 } });
    p.newStream(0, "a");
    expect(p.counters.upstream_cx_overflow).toBe(0);
    p.newStream(1, "b");
    expect(p.conn).not.toBeNull();
    expect(p.counters.upstream_cx_active).toBe(2);
    // Envoy's tryCreateNewConnection counts the overflow even though it opens the connection.
    expect(p.counters.upstream_cx_overflow).toBe(1);
  });

  it("fails a host's pending requests when its connection cannot be established", () => {
    const p = pool(undefined);
    p.newStream(0, "a");
    const c = p.conn!;
    expect(p.connectFailed(c)).toEqual(["a"]);
    expect(p.counters.upstream_cx_connect_fail).toBe(1);
    expect(p.counters.upstream_rq_pending_active).toBe(0);
  });

  // envoyproxy/envoy source/common/conn_pool/conn_pool_base.cc: max_requests (`requests().canCreate()`)
  // is checked in attachStreamToClient only. newStreamImpl attaches at once when a connection is free;
  // otherwise the request goes pending (the pending breaker alone can refuse it), and onUpstreamReady
  // pops each pending stream onto a free connection, where a full max_requests fails it with Overflow.
  // Both count upstream_rq_pending_overflow.
  it("http2MaxRequests refuses a request that finds a free connection while the limit is full", () => {
    const p = pool({ http: { http2MaxRequests: 1 } });
    p.newStream(0, "a");
    const c0 = p.conn!;
    p.connected(c0);
    p.streamDone(c0, false); // host 0 has a free kept-alive connection
    p.newStream(1, "b");
    p.connected(p.conn!); // b runs on host 1: one request active, the limit
    expect(p.newStream(0, "c")).toBe(OVERFLOW);
    expect(p.counters.upstream_rq_pending_overflow).toBe(1);
    expect(p.counters.upstream_rq_pending_total).toBe(2); // c never waited
    // The free connection stays free: once b is done, d takes it.
    expect(p.newStream(0, "d")).toBe(OVERFLOW);
    expect(p.counters.upstream_cx_total).toBe(2);
  });

  it("http2MaxRequests does not refuse a request with no free connection: it waits, and is refused when attached", () => {
    const p = pool({ http: { http2MaxRequests: 1 } });
    p.newStream(0, "a");
    const c = p.conn!;
    p.connected(c);
    // a is active (the limit); b finds no free connection: it waits for a new one.
    expect(p.newStream(0, "b")).toBe(PENDING);
    const c2 = p.conn!;
    expect(c2).not.toBeNull();
    expect(p.counters.upstream_rq_pending_overflow).toBe(0);
    // c2 is up while a still runs: b is popped and refused (503 UO), c2 stays free.
    expect(p.connected(c2)).toEqual([]);
    expect(p.overflowed).toEqual(["b"]);
    expect(p.counters.upstream_rq_pending_overflow).toBe(1);
    expect(p.counters.upstream_rq_pending_active).toBe(0);
    // a is done: the next request takes a free connection.
    p.streamDone(c, false);
    expect(p.overflowed).toEqual([]);
    expect(p.newStream(0, "e")).toBe(ATTACHED);
  });

  it("a request waiting for a connection runs on it when the limit has room by then", () => {
    const p = pool({ http: { http2MaxRequests: 1 } });
    p.newStream(0, "a");
    const c = p.conn!;
    p.connected(c);
    expect(p.newStream(0, "b")).toBe(PENDING);
    const c2 = p.conn!;
    p.streamDone(c, false); // a done before c2 is up: c takes b at once
    expect(p.counters.upstream_rq_active).toBe(1);
    expect(p.connected(c2)).toEqual([]);
    expect(p.overflowed).toEqual([]);
    expect(p.counters.upstream_rq_pending_overflow).toBe(0);
  });

  it("forgets a pending request that gave up", () => {
    const p = pool(undefined);
    p.newStream(0, "a");
    expect(p.cancelPending(0, "a")).toBe(true);
    expect(p.cancelPending(0, "a")).toBe(false);
    expect(p.connected(p.conn ?? { id: -1, host: 0, state: "connecting", streams: 0, served: 0, mtls: false, openedAt: 0, idleSince: 0 })).toEqual([]);
  });
});

describe("HTTP/2 pool", () => {
  // envoyproxy/envoy source/common/conn_pool/conn_pool_base.cc (attachStreamToClient): the stream that
  // takes the connection's last allowed request (remaining_streams_ → 0) moves it to Draining at once:
  // later requests wait for a new connection (onUpstreamReady: tryCreateNewConnections), and the old
  // one closes when its last stream ends. upstream_cx_max_requests counts at that attach.
  it("maxRequestsPerConnection: the connection drains when its last allowed request is attached, the next ones get a new one", () => {
    const p = pool({ http: { maxRequestsPerConnection: 2 } }, true);
    p.newStream(0, "a");
    const c = p.conn!;
    expect(p.newStream(0, "b")).toBe(PENDING);
    expect(p.conn).toBeNull();
    // The connection being set up has two places (min(max_concurrent_streams, max_requests_per_connection):
    // http2/conn_pool.cc calculateInitialStreamsLimit): the third waiting request opens a second one
    // at once (conn_pool_base.cc shouldConnect: pending > connecting capacity).
    expect(p.newStream(0, "c")).toBe(PENDING);
    const c2 = p.conn!;
    expect(c2).not.toBeNull();
    expect(c2).not.toBe(c);
    // c connects: a and b take its two requests; c waits for c2, already on its way.
    expect(p.connected(c)).toEqual(["a", "b"]);
    expect(p.conn).toBeNull();
    expect(c.state).toBe("draining");
    expect(p.counters.upstream_cx_max_requests).toBe(1);
    expect(p.connected(c2)).toEqual(["c"]);
    // A later request rides c2, not the draining c.
    expect(p.newStream(0, "d")).toBe(ATTACHED);
    expect(p.conn).toBe(c2);
    p.streamDone(c, false);
    expect(c.state).toBe("draining");
    p.streamDone(c, false);
    expect(c.state).toBe("closed");
    expect(p.counters.upstream_cx_active).toBe(1);
    expect(p.counters.upstream_rq_active).toBe(2);
  });

  // envoyproxy/envoy source/common/conn_pool/conn_pool_base.cc (attachStreamToClient: a connection at
  // its concurrent_stream_limit_ turns Busy and leaves ready_clients_; newStreamImpl: no ready client
  // => pending, then tryCreateNewConnection while pending > connecting capacity);
  // source/common/http/http2/conn_pool.cc (the limit is http2_protocol_options.max_concurrent_streams).
  it("maxConcurrentStreams: a connection carries at most that many; one more request opens another connection", () => {
    const p = pool({ http: { maxConcurrentStreams: 2 } }, true);
    expect(p.newStream(0, "a")).toBe(PENDING);
    const c1 = p.conn!;
    expect(p.newStream(0, "b")).toBe(PENDING);
    expect(p.conn).toBeNull(); // c1, on its way, has a place for b
    expect(p.newStream(0, "c")).toBe(PENDING);
    const c2 = p.conn!;
    expect(c2).not.toBeNull();
    expect(p.connected(c1)).toEqual(["a", "b"]);
    expect(p.connected(c2)).toEqual(["c"]);
    expect(p.newStream(0, "d")).toBe(ATTACHED);
    expect(p.conn).toBe(c2);
    expect([c1.streams, c2.streams]).toEqual([2, 2]);
    expect(p.counters.upstream_cx_total).toBe(2);
  });

  it("maxConcurrentStreams with maxConnections reached: the request waits (cx overflow) and takes the first stream to end", () => {
    const p = pool({ tcp: { maxConnections: 1 }, http: { maxConcurrentStreams: 1 } }, true);
    p.newStream(0, "a");
    const c = p.conn!;
    p.connected(c);
    expect(p.newStream(0, "b")).toBe(PENDING);
    expect(p.conn).toBeNull();
    expect(p.counters.upstream_cx_overflow).toBe(1);
    expect(p.counters.upstream_rq_pending_active).toBe(1);
    expect(p.streamDone(c, false)).toEqual(["b"]);
    expect(c.streams).toBe(1);
    expect(p.counters.upstream_cx_total).toBe(1);
  });

  // conn_pool_base.cc (onStreamClosed: Busy => Ready via transitionActiveClientState, whose
  // moveBetweenLists puts the client at the front of ready_clients_; newStreamImpl takes the front).
  it("a connection freed from its stream limit is taken next, before one that was never full", () => {
    const p = pool({ http: { maxConcurrentStreams: 2 } }, true);
    p.newStream(0, "a");
    const c1 = p.conn!;
    p.newStream(0, "b");
    p.newStream(0, "c");
    const c2 = p.conn!;
    p.connected(c1);
    p.connected(c2);
    // c1 is full (a, b), c2 carries c with a place left; a ends and c1 has a place again.
    expect(p.streamDone(c1, false)).toEqual([]);
    expect(p.newStream(0, "d")).toBe(ATTACHED);
    expect(p.conn).toBe(c1);
  });

  // conn_pool_base.cc (tryCreateNewConnection: the one-connection exception needs ready_clients_,
  // busy_clients_ and connecting_clients_ all empty; owningList puts a Draining client in busy_clients_).
  it("a draining connection still counts as the host's one connection when max_connections is full", () => {
    const p = pool({ tcp: { maxConnections: 1 }, http: { maxRequestsPerConnection: 1 } }, true);
    p.newStream(0, "a");
    const c1 = p.conn!;
    p.connected(c1);
    expect(c1.state).toBe("draining");
    expect(p.newStream(0, "b")).toBe(PENDING);
    expect(p.conn).toBeNull();
    expect(p.counters.upstream_cx_overflow).toBe(1);
    // a ends, c1 closes: now b gets a connection.
    expect(p.streamDone(c1, false)).toEqual([]);
    const c2 = p.conn!;
    expect(c2).not.toBeNull();
    expect(p.connected(c2)).toEqual(["b"]);
  });

  it("maxConcurrentStreams applies to HTTP/2 clusters only, and not under useClientProtocol", () => {
    expect(poolLimits({ http: { maxConcurrentStreams: 5 } }, true).maxConcurrentStreams).toBe(5);
    expect(poolLimits({ http: { maxConcurrentStreams: 5 } }, false).maxConcurrentStreams).toBe(1);
    expect(poolLimits({ http: { maxConcurrentStreams: 5, useClientProtocol: true } }, true).maxConcurrentStreams).toBe(2147483647);
    expect(poolLimits(undefined, true).maxConcurrentStreams).toBe(2147483647);
  });

  it("multiplexes requests on one connection per host", () => {
    const p = pool(undefined, true);
    p.newStream(0, "a");
    const c = p.conn!;
    expect(p.newStream(0, "b")).toBe(PENDING);
    expect(p.conn).toBeNull();
    expect(p.connected(c)).toEqual(["a", "b"]);
    expect(p.newStream(0, "c")).toBe(ATTACHED);
    expect(c.streams).toBe(3);
    expect(p.counters.upstream_cx_total).toBe(1);
  });
});

describe("retry tokens (max_retries)", () => {
  it("allow at most maxRetries retries at once and count the overflow", () => {
    const counters = newClusterCounters();
    const t = new RetryTokens(poolLimits({ http: { maxRetries: 1 } }, false), counters);
    expect(t.take()).toBe(true);
    expect(t.take()).toBe(false);
    t.give();
    expect(t.take()).toBe(true);
    expect(counters.upstream_rq_retry).toBe(2);
    expect(counters.upstream_rq_retry_overflow).toBe(1);
  });
  it("a retry budget replaces max_retries: max(percent of active + pending requests, minRetryConcurrency)", () => {
    const counters = newClusterCounters();
    const t = new RetryTokens(poolLimits({ http: { maxRetries: 1 } }, false), counters, {});
    for (let i = 0; i < 3; i++) expect(t.take()).toBe(true); // default minimum 3, whatever maxRetries says
    expect(t.take()).toBe(false);
    counters.upstream_rq_active = 15;
    counters.upstream_rq_pending_active = 10; // 20 % of 25 = 5
    expect(t.take()).toBe(true);
    expect(t.take()).toBe(true);
    expect(t.take()).toBe(false);
    const half = new RetryTokens(poolLimits(undefined, false), counters, { percent: 50, minRetryConcurrency: 1 });
    counters.upstream_rq_active = 3;
    counters.upstream_rq_pending_active = 0; // 1.5 truncated to 1
    expect(half.take()).toBe(true);
    expect(half.take()).toBe(false);
  });
  // istio/istio pilot/pkg/networking/core/cluster_traffic_policy.go (applyRetryBudget): min_retry_concurrency
  // is 3 unless the DR's minRetryConcurrency is above 0, so an explicit 0 still allows 3 retries at once.
  it("minRetryConcurrency 0 is istiod's default 3, not 0", () => {
    const counters = newClusterCounters();
    const t = new RetryTokens(poolLimits(undefined, false), counters, { percent: 20, minRetryConcurrency: 0 });
    for (let i = 0; i < 3; i++) expect(t.take()).toBe(true);
    expect(t.take()).toBe(false);
  });
});

describe("connection lifetime", () => {
  it("Istio's idle timeout is 1 h; http.idleTimeout wins over tcp.idleTimeout, and 0 disables it", () => {
    expect(poolLimits(undefined, false).idleTimeoutMs).toBe(3_600_000);
    expect(poolLimits({ tcp: { idleTimeoutMs: 5000 } }, false).idleTimeoutMs).toBe(5000);
    expect(poolLimits({ tcp: { idleTimeoutMs: 5000 }, http: { idleTimeoutMs: 2000 } }, false).idleTimeoutMs).toBe(2000);
    expect(poolLimits({ http: { idleTimeoutMs: 0 } }, false).idleTimeoutMs).toBe(Infinity);
    expect(poolLimits(undefined, false).maxConnectionDurationMs).toBe(Infinity);
  });

  it("closes a connection idle for idleTimeout: the next request opens a new one (upstream_cx_idle_timeout)", () => {
    const p = pool({ http: { idleTimeoutMs: 1000 } });
    p.newStream(0, "a", 0);
    const c = p.conn!;
    p.connected(c, 1);
    p.streamDone(c, false, 10);
    expect(p.newStream(0, "b", 1009)).toBe(ATTACHED); // idle 999 ms: reused
    p.streamDone(c, false, 1020);
    expect(p.newStream(0, "c", 2020)).toBe(PENDING); // idle 1000 ms: closed
    expect(c.state).toBe("closed");
    expect(p.conn).not.toBe(c);
    expect(p.counters.upstream_cx_idle_timeout).toBe(1);
    expect(p.counters.upstream_cx_active).toBe(1);
  });

  it("closes every expired idle connection of the host, the oldest first", () => {
    const p = pool({ http: { idleTimeoutMs: 1000 } });
    p.newStream(0, "a", 0);
    const c1 = p.conn!;
    p.newStream(0, "b", 0);
    const c2 = p.conn!;
    p.connected(c1, 0);
    p.connected(c2, 0);
    p.streamDone(c1, false, 100);
    p.streamDone(c2, false, 900);
    // c1 has been idle 1000 ms, c2 only 200 ms: c1 closes, c2 takes the request.
    expect(p.newStream(0, "c", 1100)).toBe(ATTACHED);
    expect(p.conn).toBe(c2);
    expect(c1.state).toBe("closed");
    expect(p.counters.upstream_cx_idle_timeout).toBe(1);
  });

  it("HTTP/2: the one connection idles out too", () => {
    const p = pool({ http: { idleTimeoutMs: 500 } }, true);
    p.newStream(0, "a", 0);
    const c = p.conn!;
    p.connected(c, 0);
    p.streamDone(c, false, 10);
    expect(p.newStream(0, "b", 600)).toBe(PENDING);
    expect(p.conn).not.toBe(c);
    expect(p.counters.upstream_cx_idle_timeout).toBe(1);
  });

  it("maxRequestsPerConnection closes the connection after that many requests (upstream_cx_max_requests)", () => {
    const p = pool({ http: { maxRequestsPerConnection: 2 } });
    p.newStream(0, "a", 0);
    const c = p.conn!;
    p.connected(c, 0);
    p.streamDone(c, false, 1);
    expect(p.newStream(0, "b", 2)).toBe(ATTACHED);
    p.streamDone(c, false, 3);
    expect(c.state).toBe("closed");
    expect(p.counters.upstream_cx_max_requests).toBe(1);
    expect(p.counters.upstream_cx_destroy).toBe(1);
    expect(p.counters.upstream_cx_active).toBe(0);
  });

  it("maxConnectionDuration: a connection that reached it closes when its request ends", () => {
    const p = pool({ tcp: { maxConnectionDurationMs: 1000 } });
    p.newStream(0, "a", 0);
    const c = p.conn!;
    p.connected(c, 0);
    p.streamDone(c, false, 1500);
    expect(c.state).toBe("closed");
    expect(p.counters.upstream_cx_max_duration_reached).toBe(1);
  });

  it("a reset closes the connection and, with requests waiting, opens another", () => {
    const p = pool({ tcp: { maxConnections: 1 } });
    p.newStream(0, "a", 0);
    const c = p.conn!;
    p.connected(c, 0);
    expect(p.newStream(0, "b", 1)).toBe(PENDING);
    expect(p.conn).toBeNull(); // maxConnections: "b" waits for "a"'s connection
    expect(p.streamDone(c, true, 2)).toEqual([]);
    expect(c.state).toBe("closed");
    expect(p.conn).not.toBeNull();
    expect(p.counters.upstream_cx_destroy).toBe(1);
  });
});

describe("connect failures", () => {
  it("a connect timeout counts upstream_cx_connect_timeout and upstream_cx_connect_fail, and fails the host's waiting requests", () => {
    const p = pool(undefined);
    p.newStream(0, "a", 0);
    const c1 = p.conn!;
    p.newStream(0, "b", 0);
    const c2 = p.conn!;
    // Envoy purges all the host's pending requests, though c2 is still on its way.
    expect(p.connectTimedOut(c1).sort()).toEqual(["a", "b"]);
    expect(p.counters.upstream_cx_connect_timeout).toBe(1);
    expect(p.counters.upstream_cx_connect_fail).toBe(1);
    expect(p.counters.upstream_rq_pending_active).toBe(0);
    expect(p.connectFailed(c2)).toEqual([]);
    expect(p.counters.upstream_cx_connect_timeout).toBe(1);
    expect(p.counters.upstream_cx_connect_fail).toBe(2);
    expect(p.counters.upstream_cx_active).toBe(0);
  });
});
