// A sidecar's outbound side as the simulation runs it: the event kinds and timers its routers share,
// the seeded draws (fault, weights, back-off, mirrors), the upstream connections (TCP and TLS
// handshakes, connect timeouts) and the hand-off of a freed connection to the next pending request.
// Each downstream request is a Router (router.ts); each try an UpstreamRequest (upstream-request.ts).
// https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/upstream/connection_pooling
import { inboundConnKey } from "./sidecar-cpu.js";
import { NO_LISTENER_FILTERS } from "../../proxy/resources/calibration-profile.js";
import type { Simulator } from "../../engine/simulator.js";
import { TimersByDelay } from "../../engine/fixed-delay-timers.js";
import type { RandomStreams } from "../../engine/rng.js";
import { OUTCOME_CONNECT_FAILURE } from "../../proxy/route/retry-policy.js";
import type { Inbound } from "./inbound.js";
import type { EdgeSinks } from "../edge-sinks.js";
import type { MeshTelemetry } from "../mesh-telemetry.js";
import type { Network } from "../network.js";
import type { Pod } from "../kube/pod.js";
import type { Exchange, Origin, OutgoingRequest, Responder } from "../transport.js";
import { mirrorSelected } from "../../proxy/route/mirror.js";
import type { ClusterRoute, HeldVirtualHost, PassthroughTarget, ProxyRouting } from "./proxy-routing.js";
import { ENVOY_WORKERS, type UpstreamCluster } from "./upstream-cluster.js";
import type { PoolConnection } from "../../proxy/upstream-pool.js";
import { chooseClientTls, connectionSecurity, type ConnectionOutcome } from "../../proxy/security/index.js";
import { expiredCertificateOutcome } from "../../proxy/security/connection-security.js";
import type { InboundPolicies } from "./inbound-policy.js";
import { REDIRECT_COST_MS } from "./interception.js";
import { ISTIO_DEFAULT_CONNECT_TIMEOUT_MS } from "../../proxy/pool-limits.js";
import type { RequestLog } from "../../telemetry/request-log.js";
import { withContext } from "../request-records.js";
import { Router } from "./router.js";
import { traceStream } from "./stream-info.js";
import type { UpstreamRequest } from "./upstream-request.js";
import { TlsSessionCache } from "./tls-session-cache.js";
import { DownstreamConnections } from "./downstream-connections.js";
import { PassthroughConnection } from "./passthrough-connection.js";
import { REFUSED } from "./inbound-router.js";
import { downstreamVerdict } from "../../proxy/security/downstream-tls.js";

export interface SidecarDeps {
  sim: Simulator;
  rng: RandomStreams;
  network: Network;
  inbound: Inbound;
  telemetry: MeshTelemetry;
  sinks: EdgeSinks;
  proxyLatency: () => number;
  routing: ProxyRouting;
  /** The servers' PeerAuthentication (auto mTLS and the connection outcome depend on it). */
  policies: InboundPolicies;
  /** Access log and traces; null when both are off. */
  log: RequestLog | null;
  /** With nodes: is traffic between these two pods' zones dropped (a zone partition)? */
  partitioned?: ((from: Pod | null, to: Pod) => boolean) | undefined;
  /** The CPU of a gateway's side of a client's TLS handshake, when its pod has no CPU model (ms; default 0). */
  gatewayTlsHandshakeMs?: number;
}

/**
 * ambient's waypoints as an ingress gateway reaches them (mesh/waypoint/waypoint-hop.ts): with
 * `istio.io/ingress-use-waypoint`, the gateway's cluster holds the waypoint's pods and its requests
 * go to the waypoint's Envoy over HBONE instead of to the Service's pods.
 */
export interface GatewayWaypoints {
  isWaypoint(pod: Pod): boolean;
  fromGateway(pod: Pod, origin: Origin, req: OutgoingRequest, serviceFqdn: string, port: number, responder: Responder, delayMs: number, conn: number): void;
}

export class SidecarPath {
  readonly sim: Simulator;
  readonly kLocal: number;
  readonly kAfterFault: number;
  readonly kDecoded: number;
  readonly kBack: number;
  /** Per-try and route timeouts, one FIFO per duration. */
  readonly perTryTimers: TimersByDelay;
  readonly routeTimers: TimersByDelay;
  readonly kRetry: number;
  readonly kConnected: number;
  private readonly kClientHello: number;
  private readonly kServerFlight: number;
  private readonly kTickets: number;
  private nextWorker = 0;
  readonly kExternal: number;
  private readonly kPassthrough: number;
  private readonly kPassthroughRefused: number;
  /** kube-proxy's draws of a pod behind a ClusterIP the catch-all chain passes a connection to. */
  private readonly kubeProxyDraw: () => number;
  readonly faultDraw: () => number;
  readonly weightDraw: () => number;
  readonly backoffDraw: () => number;
  readonly mirrorDraw: () => number;
  private readonly tlsSessions = new TlsSessionCache();
  /** Clients' connections to gateways: their TLS handshakes and refusals. */
  readonly downstream: DownstreamConnections;
  /** ambient's waypoints (set by the wiring in ambient mode). */
  waypoints: GatewayWaypoints | null = null;

  constructor(readonly d: SidecarDeps) {
    const sim = (this.sim = d.sim);
    this.kLocal = sim.on((x: Router) => x.localReply());
    // After a fault's delay or the decoded event the outbound pass's latency is spent (0).
    this.kAfterFault = sim.on((x: Router) => x.afterFault(0));
    this.kDecoded = sim.on((x: Router) => x.decoded(0));
    this.kBack = sim.on((a: UpstreamRequest) => a.back());
    this.perTryTimers = new TimersByDelay(sim, (a: UpstreamRequest) => a.rr.perTryTimeout(a));
    this.routeTimers = new TimersByDelay(sim, (x: Router) => x.routeTimeout());
    this.kRetry = sim.on((x: Router) => x.retryNow());
    this.kConnected = sim.on((c: Connecting) => this.connected(c));
    this.kClientHello = sim.on((c: Connecting) => this.clientHello(c));
    this.kServerFlight = sim.on((c: Connecting) => this.serverFlight(c));
    this.kTickets = sim.on((c: Connecting) => this.ticketsRead(c));
    this.kExternal = sim.on((x: Router) => x.externalAnswered());
    this.kPassthrough = sim.on((c: PassthroughConnection) => c.answered());
    this.kPassthroughRefused = sim.on((c: PassthroughConnection) => c.onResponse(0, REFUSED));
    this.kubeProxyDraw = d.rng.stream("kube-proxy:passthrough");
    this.faultDraw = d.rng.stream("proxy:fault");
    this.weightDraw = d.rng.stream("proxy:weights");
    this.backoffDraw = d.rng.stream("proxy:backoff");
    this.mirrorDraw = d.rng.stream("proxy:mirror");
    this.downstream = new DownstreamConnections(sim, d.gatewayTlsHandshakeMs ?? 0);
  }

  /** The client closed its connection `conn` to a gateway: a new one handshakes again. */
  closeConnection(origin: Origin, conn: number): void {
    if (origin.pod !== null && (origin.pod as Pod).gateway !== undefined) this.downstream.closed(origin.pod as Pod, conn);
  }

  /** Fire-and-forget copies of a request to the route's mirrors; their answers are dropped. */
  mirror(origin: Origin, r: ClusterRoute, req: OutgoingRequest, clusters: (d: ClusterRoute["destination"]) => UpstreamCluster | undefined, worker = 0): void {
    // Shadowed copies are not sampled (Envoy marks their trace context unsampled).
    const ctx = req.ctx;
    if (ctx && ctx.trace !== null) req = withContext(req, { requestId: ctx.requestId, trace: null, parentId: "" });
    for (const m of r.route.mirrors) {
      if (!mirrorSelected(m, this.mirrorDraw())) continue;
      const host = clusters(m.destination)?.pick(null, undefined, undefined, null, worker);
      if (host !== undefined) {
        this.d.inbound.receive(host, req, origin, m.destination.host, host.hasSidecar, DISCARD, this.d.network.between(origin.pod, host));
      }
    }
  }

  send(origin: Origin, req: OutgoingRequest, responder: Responder, conn: number): Exchange {
    const pod = origin.pod as Pod;
    let handshake = false;
    const routing = this.d.routing;
    const held = routing.virtualHost(pod, req);
    if (pod.gateway !== undefined) {
      // The client's connection meets the gateway's listener before any HTTP (downstream-tls.ts).
      const v = downstreamVerdict(routing.downstreamTls(pod, req, held), req.scheme);
      if (v.kind === "closed") return this.downstream.close(responder, v.flags);
      handshake = v.kind === "handshake" && this.downstream.opened(pod, conn);
    } else if (held.tcpTarget !== null || held.vh.kind === "block-all") {
      // A virtual host whose catch-all TCP chain may take the connection (a passthrough target, one
      // not yet known, or REGISTRY_ONLY's block-all); once a host's target is known to be none,
      // its requests skip both tests (docs/performance.md, Goal 3, session 23).
      const tcp = this.catchAllTcp(origin, pod, req, responder, conn, held);
      if (tcp !== null) return tcp;
    }
    this.d.telemetry.proxyPass();
    // The outbound pass (its worker's queue, on-path CPU and the rest of the pass's latency) is
    // added to whatever the router does first (one event, not two).
    const cpu = pod.proxy!.cpu;
    // Envoy pins each downstream connection to the worker thread the kernel's SO_REUSEPORT hash picks;
    // that thread runs its requests and owns the connection pools they leave through (poolsOf in
    // upstream-cluster.ts): one worker for both. Unpinned requests alternate.
    // envoyproxy/envoy source/server/worker_impl.cc (each worker its own dispatcher and listeners),
    // source/common/upstream/cluster_manager_impl.cc (ThreadLocalClusterManagerImpl: pools per thread)
    let worker = (conn >= 0 ? conn : this.nextWorker++) % (cpu !== null ? cpu.concurrency : ENVOY_WORKERS);
    let cpuWorker = 0;
    let outboundMs: number;
    if (cpu !== null) {
      cpuWorker = cpu.worker(conn >= 0 ? conn + cpu.uid * 65_536 : -1);
      if (conn >= 0) worker = cpuWorker;
      cpu.at = this.sim.now;
      cpu.book(cpuWorker, true, NO_LISTENER_FILTERS);
      outboundMs = cpu.delayMs;
    } else outboundMs = this.d.proxyLatency();
    if (handshake) outboundMs += this.downstream.handshakeMs(cpu, cpuWorker);
    const x = new Router(this, origin, pod, req, responder, worker + cpuWorker * 65_536);
    if (this.d.log !== null && req.ctx) traceStream(x, this.d.log);
    x.route(held, outboundMs);
    return x;
  }

  /** The catch-all TCP chain's answer to a connection (blackholed, or passed through), or null: HTTP routing takes it. */
  private catchAllTcp(origin: Origin, pod: Pod, req: OutgoingRequest, responder: Responder, conn: number, held: HeldVirtualHost): Exchange | null {
    const routing = this.d.routing;
    if (routing.blackholedTcp(pod, req, held)) {
      // The stats filter counts the connection when it closes (no peer metadata ever comes).
      const tcp = this.d.sinks.catchAllTcp(origin, "BlackHoleCluster");
      const now = this.sim.now;
      tcp.connection?.(true, now);
      tcp.connection?.(false, now);
      // tcp_proxy's access log has its line for it (access-log.ts formatTcpAccessLogLine).
      this.d.log?.tcpLine({ startMs: now, endMs: now, flags: "UH", bytesReceived: 0, bytesSent: 0, upstreamHost: "", upstreamCluster: "BlackHoleCluster", downstreamLocal: "" });
      return this.downstream.close(responder, "UH");
    }
    const target = routing.passthroughTcp(held);
    return target !== null ? this.passthroughTcp(origin, pod, req, responder, conn, target) : null;
  }

  /**
   * virtualOutbound's catch-all TCP chain to PassthroughCluster (passthrough-connection.ts): the
   * sidecar's pass (on its worker, as an HTTP request's), then the round trip to the external host;
   * or, for a Service outside the Sidecar scope, a plaintext connection to its ClusterIP, which the
   * client node's kube-proxy DNATs to a pod drawn at random (as for a client without a sidecar:
   * DirectPath): that pod's side decides the answer (a STRICT sidecar closes it: no plaintext filter
   * chain). The client sent no peer metadata (no HTTP filter ran), so the server cannot name it.
   */
  private passthroughTcp(origin: Origin, pod: Pod, req: OutgoingRequest, responder: Responder, conn: number, target: PassthroughTarget): Exchange {
    this.d.telemetry.proxyPass();
    const cpu = pod.proxy!.cpu;
    const worker = cpu !== null ? cpu.worker(conn >= 0 ? conn + cpu.uid * 65_536 : -1) : 0;
    const outboundMs = cpu !== null ? cpu.pass(worker, this.sim.now, true) : this.d.proxyLatency();
    const svc = target.service;
    const sinks = this.d.sinks;
    if (svc === null) {
      const c = new PassthroughConnection(this.sim, sinks, origin, req, responder, cpu, worker, this.d.log);
      this.after(outboundMs + target.roundTrip(), this.kPassthrough, c);
      return c;
    }
    const c = new PassthroughConnection(
      this.sim, sinks, origin, req, responder, cpu, worker, this.d.log, `${svc.clusterIp}:${req.target.port}`,
    );
    const server = svc.kubeProxyPick(this.kubeProxyDraw());
    // No endpoint: kube-proxy rejects the connection (tcp_proxy's connect fails).
    if (server === undefined) {
      this.after(outboundMs, this.kPassthroughRefused, c);
      return c;
    }
    // Each request is its own connection: a TCP handshake first (and the server pod's redirect to
    // its sidecar), as a router's new connection (connect below).
    const network = this.d.network;
    const handshakeMs = network.between(pod, server) + network.between(server, pod) + (server.hasSidecar ? REDIRECT_COST_MS : 0);
    if (server.blackholed || this.d.partitioned?.(pod, server) === true || handshakeMs > ISTIO_DEFAULT_CONNECT_TIMEOUT_MS) {
      // The SYN is lost: tcp_proxy's connect times out (flag UF) after PassthroughCluster's
      // connect_timeout, the mesh's connectTimeout (istio/istio cluster_builder.go buildDefaultPassthroughCluster).
      this.after(outboundMs + ISTIO_DEFAULT_CONNECT_TIMEOUT_MS, this.kPassthroughRefused, c);
      return c;
    }
    c.back = { delayMs: () => network.between(server, pod), kind: this.kPassthrough };
    this.d.inbound.receive(server, req, this.withoutPeerMetadata(origin), svc.fqdn, false, c, outboundMs + handshakeMs + network.between(pod, server));
    return c;
  }

  /** Each client's origin as a server sees it over a passthrough connection (one object per origin). */
  private readonly anonymous = new Map<Origin, Origin>();
  private withoutPeerMetadata(origin: Origin): Origin {
    let o = this.anonymous.get(origin);
    if (o === undefined) this.anonymous.set(origin, (o = { ...origin, noPeerMetadata: true }));
    return o;
  }

  /**
   * Establish a new upstream connection: a TCP handshake (one round trip) and, when the client
   * sidecar originates TLS (the DestinationRule's `tls`, or auto mTLS toward a sidecar that accepts
   * it), a TLS 1.3 handshake (one more; Istio's ISTIO_MUTUAL allows TLS 1.2–1.3). A pod that is gone
   * refuses it; a handshake the server side cannot complete fails it (503 UF). A host that does not
   * answer at all (its node vanished) leaves the attempt waiting for the cluster's connect_timeout
   * (Istio: 10 s), then it fails too (503 UF, upstream_cx_connect_timeout); both are connect failures
   * for retries and outlier detection.
   * The handshake's CPU is on the connection's path: the server's sidecar answers the ClientHello only
   * once its worker has done its side (key exchange, its certificate's signature), and the client's
   * Envoy raises `Connected` — which attaches the pending request — only when its own side (the
   * peer's chain, its client certificate's signature) is done: envoyproxy/envoy
   * source/common/tls/ssl_socket.cc (SslSocket::onSuccess raises Network::ConnectionEvent::Connected;
   * a raw TCP socket raises it at connect). Each side's CPU queues on the worker its end of the
   * connection is pinned to, behind the work already there, and delays what comes after it.
   * https://istio.io/latest/docs/concepts/security/#auto-mutual-tls
   * https://www.envoyproxy.io/docs/envoy/latest/api-v3/config/cluster/v3/cluster.proto (connect_timeout)
   */
  connect(cluster: UpstreamCluster, worker: number, conn: PoolConnection, host: Pod, extraMs: number): void {
    const net = this.d.network;
    const serverMode = this.d.policies.mode(host, cluster.targetPort);
    // An ambient endpoint accepts HBONE (mTLS) at its node's ztunnel, as a sidecar would mTLS.
    // https://istio.io/latest/docs/ambient/usage/add-workloads/ (sidecar and ambient interoperate)
    const meshEndpoint = host.hasSidecar || host.ambient;
    const tls = chooseClientTls(cluster.policy.tls, { endpointHasSidecar: meshEndpoint, serverMode });
    let security = connectionSecurity(true, tls.mode, meshEndpoint, serverMode);
    // An expired workload certificate on either side fails the mTLS handshake.
    if (security.mtls) security = expiredCertificateOutcome(this.sim.now, cluster.owner?.certNotAfter ?? Infinity, host.certNotAfter) ?? security;
    const from = cluster.owner;
    let d = net.between(from, host) + net.between(host, from);
    let hello = 0;
    let flight = 0;
    if (tls.mode !== "DISABLE") {
      hello = net.between(from, host);
      flight = net.between(host, from);
      d += hello + flight;
    }
    // The server pod's PREROUTING redirect to 15006 (NAT and conntrack on the first packet).
    if (host.hasSidecar) d += REDIRECT_COST_MS;
    const timeout = cluster.pools[worker]!.limits.connectTimeoutMs;
    const c = new Connecting(cluster, worker, conn, host, security, this.sim.now + extraMs + timeout);
    // A zone partition drops the SYN like a vanished node does (mesh/kube/cluster-nodes.ts).
    if (host.blackholed || d > timeout || this.d.partitioned?.(from, host) === true) {
      c.timedOut = true;
      this.after(extraMs + timeout, this.kConnected, c);
      return;
    }
    if (tls.mode === "DISABLE") {
      this.after(extraMs + d, this.kConnected, c);
      return;
    }
    // TLS: the ClientHello reaches the server after the TCP round trip and its own one-way trip.
    c.helloMs = hello;
    c.flightMs = flight;
    c.resumed = security.mtls && this.tlsSessions.offer(cluster, from, host);
    this.after(extraMs + d - flight, this.kClientHello, c);
  }

  /** The ClientHello is at the server's sidecar: its worker does its side, then its flight leaves. */
  private clientHello(c: Connecting): void {
    if (c.host.blackholed) {
      this.connected(c);
      return;
    }
    const now = this.sim.now;
    let sent = now;
    const peer = c.host.proxy?.cpu;
    if (peer && c.security.mtls && c.host.alive) {
      const own = c.cluster.owner?.proxy?.cpu;
      sent = peer.handshake(peer.worker(inboundConnKey(own?.uid ?? 0, c.worker, c.conn.id)), now, c.resumed);
    }
    this.handshakeStep(c, sent + c.flightMs, this.kServerFlight);
  }

  /**
   * The server's flight is at the client's sidecar: its worker does its side, then it is connected.
   * A handshake that fails (a server that answers no TLS, an expired certificate) fails on reading
   * that flight, before the client signs anything.
   */
  private serverFlight(c: Connecting): void {
    const now = this.sim.now;
    const own = c.cluster.owner?.proxy?.cpu;
    const sign = own && c.security.kind !== "handshake-failure";
    this.handshakeStep(c, sign ? own.handshake(c.worker % own.concurrency, now, c.resumed) : now, this.kConnected);
  }

  /** The next step of a handshake at `at`, unless connect_timeout runs out first. */
  private handshakeStep(c: Connecting, at: number, kind: number): void {
    if (at > c.deadline) {
      c.timedOut = true;
      this.after(c.deadline - this.sim.now, this.kConnected, c);
    } else this.after(at - this.sim.now, kind, c);
  }

  private connected(c: Connecting): void {
    const pool = c.cluster.pools[c.worker]!;
    if (!c.timedOut && c.host.blackholed) {
      // The host vanished during the handshake: the connect timer runs out.
      c.timedOut = true;
      this.after(c.deadline - this.sim.now, this.kConnected, c);
      return;
    }
    if (c.timedOut) {
      for (const a of pool.connectTimedOut(c.conn) as UpstreamRequest[]) a.rr.attemptDone(a, OUTCOME_CONNECT_FAILURE, 503, "UF", 0, true);
      return;
    }
    if (!c.host.listening || c.security.kind === "handshake-failure") {
      for (const a of pool.connectFailed(c.conn) as UpstreamRequest[]) a.rr.attemptDone(a, OUTCOME_CONNECT_FAILURE, 503, "UF");
      return;
    }
    c.conn.mtls = c.security.mtls;
    // The server's sidecar sends its session tickets once it has read the client's Finished (which
    // leaves now, with the first request); the client's Envoy reads them on arrival, a round trip
    // later, and keeps the newest (ClientContextImpl::newSessionKey): from then on a new connection
    // can resume. BoringSSL's TLS 1.3 server sends them after the client's Finished unless it
    // accepted 0-RTT data (google/boringssl ssl/tls13_server.cc, do_send_new_session_ticket), and
    // Envoy's SslSocket::doRead runs SSL_read whenever the socket is readable, which processes them
    // (source/common/tls/ssl_socket.cc). Not with the first response: that comes after the server's
    // pass and the app's time.
    if (c.conn.mtls) this.after(c.helloMs + c.flightMs, this.kTickets, c);
    const run = pool.connected(c.conn, this.sim.now) as readonly UpstreamRequest[];
    // An HTTP/2 connection used up by maxRequestsPerConnection leaves the rest to a new connection.
    const fresh = pool.conn;
    const refused = pool.overflowed;
    // An indexed loop, as streamEnded's: a for-of runs the array iterator's protocol, which the
    // 5,000 connections of a 1,000-service run do in baseline code (docs/performance.md, Goal 4, session 22).
    for (let i = 0; i < run.length; i++) {
      const a = run[i]!;
      a.conn = c.conn;
      a.rr.send(a);
    }
    if (refused.length > 0) this.refuse(refused as readonly UpstreamRequest[]);
    if (fresh !== null) this.connect(c.cluster, c.worker, fresh, c.cluster.hostOf(fresh.host), 0);
  }

  /** The pending tries the pool refused when a connection came free (max_requests full): 503 UO each. */
  private refuse(refused: readonly UpstreamRequest[]): void {
    for (let i = 0; i < refused.length; i++) refused[i]!.rr.poolOverflow(refused[i]!);
  }

  /** The server's session tickets reached the client's sidecar (a pod gone meanwhile sent none). */
  private ticketsRead(c: Connecting): void {
    if (c.host.alive && !c.host.blackholed) this.tlsSessions.store(c.cluster, c.cluster.owner, c.host);
  }

  /** A request left its connection: the next pending one takes it, or a new connection is opened. */
  streamEnded(cluster: UpstreamCluster, worker: number, conn: PoolConnection, reset: boolean): void {
    const pool = cluster.pools[worker]!;
    // An indexed loop: a for-of over the (usually empty, frozen) list kept an array iterator per request.
    const next = pool.streamDone(conn, reset, this.sim.now) as readonly UpstreamRequest[];
    const fresh = pool.conn;
    const refused = pool.overflowed;
    for (let i = 0; i < next.length; i++) {
      const a = next[i]!;
      a.conn = conn;
      a.rr.send(a);
    }
    if (refused.length > 0) this.refuse(refused as readonly UpstreamRequest[]);
    if (fresh !== null) this.connect(cluster, worker, fresh, cluster.hostOf(fresh.host), 0);
  }

  /** No handle returned: none of the callers cancels, and a handle past 2^31 returned from a call
   *  TurboFan did not inline is a HeapNumber box (docs/performance.md, Goal 3, session 29). */
  after(delay: number, kind: number, payload: unknown): void {
    this.sim.after(delay > 0 ? delay : 0, kind, payload);
  }

  /** The answer of try `a` crosses the network from `host` back to the client's `pod`: `a.back()` then.
   *  The draw and the schedule in one call, nothing boxed (docs/performance.md, Goal 3, session 29). */
  returnTrip(a: UpstreamRequest, host: Pod, pod: Pod): void {
    const delay = this.d.network.between(host, pod);
    this.sim.after(delay > 0 ? delay : 0, this.kBack, a);
  }
}

/** A connection being established. */
class Connecting {
  /** Its connect_timeout ran out (or will, at `deadline`). */
  timedOut = false;
  /** TLS: the ClientHello's one-way trip to the server, and the server's flight's back. */
  helloMs: number;
  flightMs: number;
  /** TLS: it resumes a session (a ticket from this host), so neither side signs. */
  resumed = false;
  constructor(
    readonly cluster: UpstreamCluster,
    readonly worker: number,
    readonly conn: PoolConnection,
    readonly host: Pod,
    readonly security: ConnectionOutcome,
    /** When connect_timeout runs out. */
    readonly deadline: number,
  ) {
    // Doubles from their first store: a field whose first value is a small integer changes its
    // representation (and the map) at its first fraction.
    this.helloMs = this.flightMs = 0.5;
    this.helloMs = this.flightMs = 0;
  }
}

/** Mirrored copies: nobody waits for their answer. */
const DISCARD: Responder = { onResponse() {} };
