// A sidecar's outbound side as the simulation runs it: the event kinds and timers its routers share,
// the seeded draws (fault, weights, back-off, mirrors), the upstream connections (TCP and TLS
// handshakes, connect timeouts) and the hand-off of a freed connection to the next pending request.
// Each downstream request is a Router (router.ts); each try an UpstreamRequest (upstream-request.ts).
// https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/upstream/connection_pooling
import { inboundConnKey } from "./sidecar-cpu.js";
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
import type { ClusterRoute, ProxyRouting } from "./proxy-routing.js";
import { ENVOY_WORKERS, type UpstreamCluster } from "./upstream-cluster.js";
import type { PoolConnection } from "../../proxy/upstream-pool.js";
import { chooseClientTls, connectionSecurity, type ConnectionOutcome } from "../../proxy/security/index.js";
import { CONNECTION_CERT_EXPIRED } from "../../proxy/security/connection-security.js";
import type { InboundPolicies } from "./inbound-policy.js";
import { REDIRECT_COST_MS } from "./interception.js";
import type { RequestLog } from "../../telemetry/request-log.js";
import { withContext } from "../request-records.js";
import { Router } from "./router.js";
import type { UpstreamRequest } from "./upstream-request.js";

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
  private nextWorker = 0;
  readonly kExternal: number;
  readonly faultDraw: () => number;
  readonly weightDraw: () => number;
  readonly backoffDraw: () => number;
  readonly mirrorDraw: () => number;

  constructor(readonly d: SidecarDeps) {
    const sim = (this.sim = d.sim);
    this.kLocal = sim.on((x: Router) => x.localReply());
    this.kAfterFault = sim.on((x: Router) => x.afterFault());
    this.kDecoded = sim.on((x: Router) => x.decoded());
    this.kBack = sim.on((a: UpstreamRequest) => a.back());
    this.perTryTimers = new TimersByDelay(sim, (a: UpstreamRequest) => a.rr.perTryTimeout(a));
    this.routeTimers = new TimersByDelay(sim, (x: Router) => x.routeTimeout());
    this.kRetry = sim.on((x: Router) => x.retryNow());
    this.kConnected = sim.on((c: Connecting) => this.connected(c));
    this.kExternal = sim.on((x: Router) => x.externalAnswered());
    this.faultDraw = d.rng.stream("proxy:fault");
    this.weightDraw = d.rng.stream("proxy:weights");
    this.backoffDraw = d.rng.stream("proxy:backoff");
    this.mirrorDraw = d.rng.stream("proxy:mirror");
  }

  /** Fire-and-forget copies of a request to the route's mirrors; their answers are dropped. */
  mirror(origin: Origin, r: ClusterRoute, req: OutgoingRequest, clusters: (d: ClusterRoute["destination"]) => UpstreamCluster | undefined): void {
    // Shadowed copies are not sampled (Envoy marks their trace context unsampled).
    const ctx = req.ctx;
    if (ctx && ctx.trace !== null) req = withContext(req, { requestId: ctx.requestId, trace: null, parentId: "" });
    for (const m of r.route.mirrors) {
      if (!mirrorSelected(m, this.mirrorDraw())) continue;
      const host = clusters(m.destination)?.pick(null);
      if (host !== undefined) {
        this.d.inbound.receive(host, req, origin, m.destination.host, host.hasSidecar, DISCARD, this.d.network.between(origin.pod, host));
      }
    }
  }

  send(origin: Origin, req: OutgoingRequest, responder: Responder, conn: number): Exchange {
    const x = new Router(this, origin, origin.pod as Pod, req, responder);
    this.d.telemetry.proxyPass();
    // The outbound pass (its worker's queue, on-path CPU and the rest of the pass's latency) is
    // added to whatever the router does first (one event, not two).
    const cpu = x.pod.proxy!.cpu;
    if (cpu !== null) {
      // Envoy pins each downstream connection to one worker, whose CPU runs its requests and whose
      // connection pools carry them upstream (poolsOf in upstream-cluster.ts).
      x.worker = cpu.worker(conn >= 0 ? conn + cpu.uid * 65_536 : -1);
      x.outboundMs = cpu.pass(x.worker, this.sim.now, true);
    } else {
      // Unpinned requests alternate.
      x.worker = (conn >= 0 ? conn : this.nextWorker++) % ENVOY_WORKERS;
      x.outboundMs = this.d.proxyLatency();
    }
    if (this.d.log !== null && req.ctx) x.traceStart(this.d.log);
    x.route();
    return x;
  }

  /**
   * Establish a new upstream connection: a TCP handshake (one round trip) and, when the client
   * sidecar originates TLS (the DestinationRule's `tls`, or auto mTLS toward a sidecar that accepts
   * it), a TLS 1.3 handshake (one more). A pod that is gone refuses it; a handshake the server side
   * cannot complete fails it (503 UF). A host that does not answer at all (its node vanished) leaves
   * the attempt waiting for the cluster's connect_timeout (Istio: 10 s), then it fails too (503 UF,
   * upstream_cx_connect_timeout); both are connect failures for retries and outlier detection.
   * https://istio.io/latest/docs/concepts/security/#auto-mutual-tls
   * https://www.envoyproxy.io/docs/envoy/latest/api-v3/config/cluster/v3/cluster.proto (connect_timeout)
   */
  connect(cluster: UpstreamCluster, worker: number, conn: PoolConnection, host: Pod, extraMs: number): void {
    const net = this.d.network;
    const serverMode = this.d.policies.mode(host, cluster.targetPort);
    const tls = chooseClientTls(cluster.policy.tls, { endpointHasSidecar: host.hasSidecar, serverMode });
    let security = connectionSecurity(true, tls.mode, host.hasSidecar, serverMode);
    // An expired workload certificate on either side fails the mTLS handshake.
    if (security.mtls) {
      const now = this.sim.now;
      if (now >= host.certNotAfter || (cluster.owner !== null && now >= cluster.owner.certNotAfter)) security = CONNECTION_CERT_EXPIRED;
    }
    const from = cluster.owner;
    let d = net.between(from, host) + net.between(host, from);
    if (tls.mode !== "DISABLE") d += net.between(from, host) + net.between(host, from);
    // The server pod's PREROUTING redirect to 15006 (NAT and conntrack on the first packet).
    if (host.hasSidecar) d += REDIRECT_COST_MS;
    // Each side's TLS handshake is CPU on the worker its end of the connection is pinned to: it
    // delays the requests queued behind it on that worker (not this connection's own setup, whose
    // round trips the network already counts).
    if (tls.mode !== "DISABLE" && !host.blackholed) {
      const now = this.sim.now + extraMs;
      const own = from?.proxy?.cpu;
      if (own) own.handshake(worker, now);
      const peer = host.proxy?.cpu;
      if (peer && security.mtls) peer.handshake(peer.worker(inboundConnKey(own?.uid ?? 0, worker, conn.id)), now);
    }
    const timeout = cluster.pools[worker]!.limits.connectTimeoutMs;
    const c = new Connecting(cluster, worker, conn, host, security, this.sim.now + extraMs + timeout);
    // A zone partition drops the SYN like a vanished node does (mesh/kube/cluster-nodes.ts).
    if (host.blackholed || d > timeout || this.d.partitioned?.(from, host) === true) {
      c.timedOut = true;
      d = timeout;
    }
    this.after(extraMs + d, this.kConnected, c);
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
      for (const a of pool.connectTimedOut(c.conn) as UpstreamRequest[]) a.rr.attemptDone(a, OUTCOME_CONNECT_FAILURE, 503, "UF");
      return;
    }
    if (!c.host.alive || c.security.kind === "handshake-failure") {
      for (const a of pool.connectFailed(c.conn) as UpstreamRequest[]) a.rr.attemptDone(a, OUTCOME_CONNECT_FAILURE, 503, "UF");
      return;
    }
    c.conn.mtls = c.security.mtls;
    for (const a of pool.connected(c.conn, this.sim.now) as UpstreamRequest[]) {
      a.conn = c.conn;
      a.rr.send(a);
    }
  }

  /** A request left its connection: the next pending one takes it, or a new connection is opened. */
  streamEnded(cluster: UpstreamCluster, worker: number, conn: PoolConnection, reset: boolean): void {
    const pool = cluster.pools[worker]!;
    for (const a of pool.streamDone(conn, reset, this.sim.now) as UpstreamRequest[]) {
      a.conn = conn;
      a.rr.send(a);
    }
    const fresh = pool.conn;
    if (fresh !== null) this.connect(cluster, worker, fresh, cluster.hostOf(fresh.host), 0);
  }

  after(delay: number, kind: number, payload: unknown): number {
    return this.sim.after(delay > 0 ? delay : 0, kind, payload);
  }
}

/** A connection being established. */
class Connecting {
  /** Its connect_timeout ran out (or will, at `deadline`). */
  timedOut = false;
  constructor(
    readonly cluster: UpstreamCluster,
    readonly worker: number,
    readonly conn: PoolConnection,
    readonly host: Pod,
    readonly security: ConnectionOutcome,
    /** When connect_timeout runs out. */
    readonly deadline: number,
  ) {}
}

/** Mirrored copies: nobody waits for their answer. */
const DISCARD: Responder = { onResponse() {} };
