// A request leaving a pod through its sidecar: Envoy's HTTP router on the client side.
// iptables sends the app's connection to the sidecar (15001); the sidecar routes by Host header with
// the VirtualService rules it holds, applies fault injection, picks a destination by weight, a host by
// the DestinationRule's load balancer, and retries and times out as the route says. The answer of the
// last try goes back to the app.
// https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_filters/router_filter
import type { Simulator } from "../../engine/simulator.js";
import { TimersByDelay, type FixedDelayTimers } from "../../engine/fixed-delay-timers.js";
import type { RandomStreams } from "../../engine/rng.js";
import {
  OUTCOME_CONNECT_FAILURE, OUTCOME_PER_TRY_TIMEOUT, OUTCOME_RESET, OUTCOME_ROUTE_TIMEOUT, shouldRetry, type AttemptOutcome, type RetryPolicy,
} from "../../proxy/route/retry-policy.js";
import { backoffMs } from "../../proxy/route/backoff.js";
import { decideFault } from "../../proxy/route/fault-injection.js";
import { REFUSED, type Inbound } from "../inbound.js";
import type { EdgeSinks } from "../edge-sinks.js";
import type { MeshTelemetry } from "../mesh-telemetry.js";
import type { Network } from "../network.js";
import type { Pod } from "../pod.js";
import type { Exchange, Origin, OutgoingRequest, Responder } from "../transport.js";
import { mirrorSelected } from "../../proxy/route/mirror.js";
import { formatResponseFlags, parseResponseFlags, responseFlagBits } from "../../proxy/response-flags.js";
import type { ClusterRoute, ProxyRouting } from "../proxy-routing.js";
import type { ExternalEndpoints } from "../external-endpoints.js";
import { ENVOY_WORKERS, type UpstreamCluster } from "../upstream-cluster.js";
import { ATTACHED, OVERFLOW, type PoolConnection } from "../../proxy/upstream-pool.js";
import { chooseClientTls, connectionSecurity, type ConnectionOutcome } from "../../proxy/security/index.js";
import { CONNECTION_CERT_EXPIRED } from "../../proxy/security/connection-security.js";
import type { InboundPolicies } from "../inbound-policy.js";
import { REDIRECT_COST_MS } from "../interception.js";
import { RequestLog } from "../../telemetry/request-log.js";
import type { Span } from "../../telemetry/trace-recorder.js";
import { spanServiceName, tagProxySpan, withContext } from "../request-records.js";

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
}

export class SidecarPath {
  readonly sim: Simulator;
  readonly kLocal: number;
  readonly kAfterFault: number;
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
    this.kLocal = sim.on((x: RouterRequest) => x.localReply());
    this.kAfterFault = sim.on((x: RouterRequest) => x.afterFault());
    this.kBack = sim.on((a: UpstreamAttempt) => a.back());
    this.perTryTimers = new TimersByDelay(sim, (a: UpstreamAttempt) => a.rr.perTryTimeout(a));
    this.routeTimers = new TimersByDelay(sim, (x: RouterRequest) => x.routeTimeout());
    this.kRetry = sim.on((x: RouterRequest) => x.retry());
    this.kConnected = sim.on((c: Connecting) => this.connected(c));
    this.kExternal = sim.on((x: RouterRequest) => x.externalAnswered());
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
        this.d.inbound.receive(host, req, origin, m.destination.host, host.hasSidecar, DISCARD, this.d.network.oneWay());
      }
    }
  }

  send(origin: Origin, req: OutgoingRequest, responder: Responder, conn: number): Exchange {
    const x = new RouterRequest(this, origin, origin.pod as Pod, req, responder);
    // Envoy pins each downstream connection to a worker thread; unpinned requests alternate.
    x.worker = (conn >= 0 ? conn : this.nextWorker++) % ENVOY_WORKERS;
    this.d.telemetry.proxyPass();
    // The outbound pass's latency is added to whatever the router does first (one event, not two).
    x.outboundMs = this.d.proxyLatency();
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
    let d = net.oneWay() + net.oneWay();
    if (tls.mode !== "DISABLE") d += net.oneWay() + net.oneWay();
    // The server pod's PREROUTING redirect to 15006 (NAT and conntrack on the first packet).
    if (host.hasSidecar) d += REDIRECT_COST_MS;
    const timeout = cluster.pools[worker]!.limits.connectTimeoutMs;
    const c = new Connecting(cluster, worker, conn, host, security, this.sim.now + extraMs + timeout);
    if (host.blackholed || d > timeout) {
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
      for (const a of pool.connectTimedOut(c.conn) as UpstreamAttempt[]) a.rr.attemptDone(a, OUTCOME_CONNECT_FAILURE, 503, "UF");
      return;
    }
    if (!c.host.alive || c.security.kind === "handshake-failure") {
      for (const a of pool.connectFailed(c.conn) as UpstreamAttempt[]) a.rr.attemptDone(a, OUTCOME_CONNECT_FAILURE, 503, "UF");
      return;
    }
    c.conn.mtls = c.security.mtls;
    for (const a of pool.connected(c.conn, this.sim.now) as UpstreamAttempt[]) {
      a.conn = c.conn;
      a.rr.send(a);
    }
  }

  /** A request left its connection: the next pending one takes it, or a new connection is opened. */
  streamEnded(cluster: UpstreamCluster, worker: number, conn: PoolConnection, reset: boolean): void {
    const pool = cluster.pools[worker]!;
    for (const a of pool.streamDone(conn, reset, this.sim.now) as UpstreamAttempt[]) {
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

/** One downstream request at the client sidecar, across all its tries. */
export class RouterRequest implements Exchange {
  private readonly startMs: number;
  private routed: ClusterRoute | null = null;
  private cluster: UpstreamCluster | null = null;
  private policy: RetryPolicy | undefined = undefined;
  private retries = 0;
  private tried: Pod[] | null = null;
  private firstTried: Pod | null = null;
  private current: UpstreamAttempt | null = null;
  private routeTimer = -1;
  private routeTimers: FixedDelayTimers | null = null;
  private done = false;
  /** Flags this request collected on its way (DI). */
  private extraFlags = "";
  /** The host of the last try (null: the request reached no host). */
  private lastHost: Pod | null = null;
  service = "unknown";
  private mtls = false;
  private abortStatus = 0;
  /** Proxy latency of the outbound pass not yet spent (added to the first thing that takes time). */
  outboundMs = 0;
  private localStatus = 0;
  private localFlags = "-";
  /** The sidecar worker thread handling it (each has its own connection pools). */
  worker = 0;
  /** A retry token taken for the retry waiting out its back-off. */
  private retryToken = false;
  /** What goes upstream: `req`, or a copy carrying this proxy's span as parent. */
  private upReq: OutgoingRequest;
  /** x-envoy-upstream-service-time of the last try that got an answer (-1: none). */
  private upstreamMs = -1;
  private span: Span | null = null;
  /** Routed to a host outside the mesh. */
  private external = false;
  /** A ServiceEntry's endpoints and the one this request went to (-1: none). */
  private extEndpoints: ExternalEndpoints | null = null;
  private extHost = -1;

  constructor(
    readonly p: SidecarPath,
    readonly origin: Origin,
    readonly pod: Pod,
    readonly req: OutgoingRequest,
    private readonly responder: Responder,
  ) {
    this.startMs = p.sim.now;
    this.upReq = req;
  }

  /** A sampled request: this proxy's CLIENT span, the parent of what happens upstream. */
  traceStart(log: RequestLog): void {
    const ctx = this.req.ctx!;
    if (ctx.trace === null) return;
    const pod = this.pod;
    this.span = log.openSpan(ctx, "CLIENT", "", this.startMs, { serviceName: spanServiceName(pod), ipv4: pod.ip });
    this.upReq = withContext(this.req, RequestLog.child(ctx, this.span));
  }

  /** Spend the rest of the outbound pass's latency (returns it and leaves 0). */
  private takeOutbound(): number {
    const d = this.outboundMs;
    this.outboundMs = 0;
    return d;
  }

  /** The sidecar takes the request: which route, which cluster. */
  route(): void {
    const p = this.p;
    const r = p.d.routing.route(this.pod, this.req, p.weightDraw);
    this.service = r.service;
    switch (r.kind) {
      case "local":
        this.localStatus = r.status;
        this.localFlags = r.flags;
        p.after(this.takeOutbound(), p.kLocal, this);
        return;
      case "external":
        this.external = true;
        // The route timeout (a VirtualService on a ServiceEntry host) races the round trip.
        if (r.timeoutMs > 0) {
          this.routeTimers = p.routeTimers.for(r.timeoutMs);
          this.routeTimer = this.routeTimers.add(this);
        }
        let trip: number;
        if (r.endpoints !== null) {
          this.extEndpoints = r.endpoints;
          this.extHost = r.endpoints.pick();
          trip = r.endpoints.roundTrip(this.extHost);
          this.mtls = r.endpoints.mtls(this.extHost);
        } else trip = r.roundTrip();
        p.after(this.takeOutbound() + trip, p.kExternal, this);
        return;
      case "cluster":
        break;
    }
    this.routed = r;
    const fault = decideFault(r.fault, p.faultDraw(), p.faultDraw());
    if (fault.aborted) this.abortStatus = fault.httpStatus;
    if (fault.delayed) {
      // The fault filter runs before the router: the delay does not count against the route timeout.
      this.extraFlags = "DI";
      p.after(this.takeOutbound() + fault.delayMs, p.kAfterFault, this);
    } else {
      this.afterFault();
    }
  }

  localReply(): void {
    if (!this.done) this.finish(this.localStatus, this.localFlags);
  }

  afterFault(): void {
    if (this.done) return;
    const r = this.routed!;
    if (this.abortStatus !== 0) {
      // A local reply of the fault filter, after the outbound pass.
      this.localStatus = this.abortStatus;
      this.localFlags = this.extraFlags === "" ? "FI" : "DI,FI";
      this.extraFlags = "";
      this.p.after(this.takeOutbound(), this.p.kLocal, this);
      return;
    }
    const cluster = r.cluster;
    if (cluster === undefined) {
      // The route names a subset no DestinationRule defines: no such cluster.
      this.localStatus = 503;
      this.localFlags = "NC";
      this.p.after(this.takeOutbound(), this.p.kLocal, this);
      return;
    }
    this.cluster = cluster;
    this.policy = r.retryPolicy;
    if (r.timeoutMs > 0) {
      this.routeTimers = this.p.routeTimers.for(r.timeoutMs);
      this.routeTimer = this.routeTimers.add(this);
    }
    if (r.route.mirrors.length > 0) this.p.mirror(this.origin, r, this.req, (d) => this.p.d.routing.clusterFor(this.pod, d));
    this.attempt();
  }

  externalAnswered(): void {
    if (!this.done) this.finish(200, "-");
  }

  /** One try: pick a host (avoiding those already tried when the policy says so), get a connection. */
  attempt(): void {
    if (this.done) return;
    const cluster = this.cluster!;
    const avoid = this.policy?.previousHostsPredicate ? this.triedHosts() : null;
    const host = cluster.pick(avoid, this.req, this.pod.ip);
    if (host === undefined) {
      this.localStatus = 503;
      this.localFlags = "UH";
      this.p.after(this.takeOutbound(), this.p.kLocal, this);
      return;
    }
    this.noteTried(host);
    this.lastHost = host;
    this.upstreamMs = -1;
    const a = new UpstreamAttempt(this, host, cluster.idOf(host), this.worker);
    const pool = cluster.pools[this.worker]!;
    // Connections to a pod that went away were reset by its kernel (one that vanished with its node
    // sends nothing: its connections look alive).
    if (!host.alive) pool.closeIdle(a.hostId);
    const r = pool.newStream(a.hostId, a, this.p.sim.now);
    if (r === OVERFLOW) {
      // A circuit breaker tripped: a local 503 UO, never retried, never an outlier failure, and
      // (as in Istio's metrics) a request that reached no destination.
      this.lastHost = null;
      this.localStatus = 503;
      this.localFlags = "UO";
      this.p.after(this.takeOutbound(), this.p.kLocal, this);
      return;
    }
    cluster.started(host);
    this.current = a;
    const perTry = this.policy?.perTryTimeoutMs;
    if (perTry !== undefined) {
      a.timers = this.p.perTryTimers.for(perTry);
      a.timer = a.timers.add(a);
    }
    if (r === ATTACHED) {
      a.conn = pool.conn;
      this.send(a);
    } else {
      a.pending = true;
      if (pool.conn !== null) this.p.connect(cluster, a.worker, pool.conn, host, this.takeOutbound());
    }
  }

  /** Hosts tried so far (null: none). The list is made only when a retry asks for it. */
  private triedHosts(): Pod[] | null {
    if (this.tried === null && this.firstTried !== null) this.tried = [this.firstTried];
    return this.tried;
  }

  private noteTried(host: Pod): void {
    // Most requests have one try: keep its host in a field, not in a new array per request.
    if (this.tried !== null) this.tried.push(host);
    else if (this.firstTried === null) this.firstTried = host;
    else this.tried = [this.firstTried, host];
  }

  /** The attempt has a connection: the request crosses the network to the host. */
  send(a: UpstreamAttempt): void {
    a.pending = false;
    const d = this.p.d;
    this.mtls = a.conn!.mtls;
    a.sentMs = this.p.sim.now;
    d.inbound.receive(a.host, this.upReq, this.origin, this.service, this.mtls, a, this.takeOutbound() + d.network.oneWay());
  }

  /**
   * The attempt is over: free its place (pending slot or connection stream) and tell the load
   * balancer and outlier detection (`outcome`; null: not the host's doing).
   */
  private release(a: UpstreamAttempt, reset: boolean, outcome: AttemptOutcome | null): void {
    a.dead = true;
    if (a.timer >= 0) a.timers!.cancel(a.timer);
    a.timer = -1;
    if (this.current === a) this.current = null;
    const cluster = this.cluster!;
    if (a.pending) cluster.pools[a.worker]!.cancelPending(a.hostId, a);
    else if (a.conn !== null) this.p.streamEnded(cluster, a.worker, a.conn, reset);
    if (a.usesRetryToken) cluster.retryTokens.give();
    cluster.finished(a.host, outcome, this.p.sim.now);
  }

  /** The try ended with an answer from upstream, or its connection failed or was reset. */
  attemptDone(a: UpstreamAttempt, outcome: AttemptOutcome, status: number, flags: string, bytes = 0): void {
    if (a.dead || this.done) return;
    this.release(a, outcome.kind !== "response", outcome);
    if (outcome.kind === "response") this.upstreamMs = this.p.sim.now - a.sentMs;
    this.decide(outcome, status, flags, bytes);
  }

  perTryTimeout(a: UpstreamAttempt): void {
    if (a.dead || this.done) return;
    a.timer = -1;
    this.cluster!.counters.upstream_rq_timeout++;
    this.release(a, true, OUTCOME_PER_TRY_TIMEOUT);
    this.decide(OUTCOME_PER_TRY_TIMEOUT, 504, "UT");
  }

  private decide(outcome: AttemptOutcome, status: number, flags: string, bytes = 0): void {
    const verdict = shouldRetry(this.policy, outcome, this.retries);
    if (verdict === "retry") {
      // Every retry needs a token from the cluster's max_retries circuit breaker.
      if (!this.cluster!.retryTokens.take()) {
        this.finish(status, joinFlags(flags, "UO"), bytes);
        return;
      }
      this.retries++;
      this.retryToken = true;
      const wait = backoffMs(this.policy!, this.retries, this.p.backoffDraw());
      this.p.after(wait, this.p.kRetry, this);
      return;
    }
    this.finish(status, verdict === "limit-exceeded" ? joinFlags(flags, "URX") : flags, bytes);
  }

  /** The back-off is over: the retry runs (holding its token until it ends). */
  retry(): void {
    if (this.done) {
      if (this.retryToken) this.cluster!.retryTokens.give();
      return;
    }
    this.attempt();
    if (this.current !== null) this.current.usesRetryToken = this.retryToken;
    else if (this.retryToken) this.cluster!.retryTokens.give();
    this.retryToken = false;
  }

  routeTimeout(): void {
    if (this.done) return;
    this.routeTimer = -1;
    const a = this.current;
    if (a !== null) {
      this.cluster!.counters.upstream_rq_timeout++;
      this.release(a, true, OUTCOME_ROUTE_TIMEOUT);
    }
    this.finish(504, "UT");
  }

  /** The app gave up (its own timeout): Envoy logs the downstream disconnect and drops the upstream. */
  abandon(): void {
    if (this.done) return;
    const a = this.current;
    if (a !== null) this.release(a, true, null);
    // Flags accumulate on the stream: a delayed request the app gave up on logs DI and DC.
    this.record(0, joinFlags(this.extraFlags, "DC"));
    this.close();
  }

  /** `bytes`: the response body that goes back (0 for Envoy's local replies, see the README's limits). */
  private finish(status: number, flags: string, bytes = 0): void {
    const f = this.extraFlags === "" || flags === "DI,FI" ? flags : joinFlags(this.extraFlags, flags);
    this.record(status, f, bytes);
    this.close();
    this.responder.onResponse(status, f, bytes);
  }

  private close(): void {
    this.done = true;
    if (this.extEndpoints !== null) {
      this.extEndpoints.done(this.extHost);
      this.extEndpoints = null;
    }
    if (this.routeTimer >= 0) this.routeTimers!.cancel(this.routeTimer);
    this.routeTimer = -1;
  }

  private record(status: number, flags: string, bytes = 0): void {
    const now = this.p.sim.now;
    const svc = this.service;
    const host = svc === "PassthroughCluster" || svc === "BlackHoleCluster" ? this.req.target.host : "";
    this.p.d.sinks.get("source", this.mtls, this.origin, this.lastHost, svc, host).record(now, now - this.startMs, status, flags, this.req.bytes ?? 0, bytes);
    const log = this.p.d.log;
    if (log !== null && this.req.ctx) this.logged(log, now, status, flags, bytes);
  }

  /** The access-log line and CLIENT span of this request (access log or tracing on). */
  private logged(log: RequestLog, now: number, status: number, flags: string, bytes: number): void {
    const req = this.req;
    const host = this.lastHost;
    // A host outside the mesh: PassthroughCluster, or the ServiceEntry host's outbound cluster.
    const cluster = this.cluster !== null ? this.cluster.name
      : this.external ? this.service === "PassthroughCluster" ? this.service : `outbound|${req.target.port}||${this.service}`
      : "";
    const answered = status !== 0 && host !== null && this.upstreamMs >= 0;
    if (log.accessLog !== null) {
      log.log({
        startMs: this.startMs, endMs: now, method: req.method, path: req.path, authority: req.authority,
        code: status, flags, bytesReceived: req.bytes ?? 0, bytesSent: bytes, upstreamServiceMs: answered ? this.upstreamMs : -1,
        requestId: req.ctx!.requestId,
        upstreamHost: host !== null ? `${host.ip}:${this.cluster!.targetPort}` : "",
        upstreamCluster: cluster, downstreamLocal: "", downstreamRemote: "",
        routeName: this.routed !== null ? this.routed.route.name || "default" : "",
      });
    }
    const s = this.span;
    if (s !== null) {
      s.name = `${this.service}:${req.target.port}/*`;
      if (host !== null) s.remote = { serviceName: spanServiceName(host), ipv4: host.ip, port: this.cluster!.targetPort };
      tagProxySpan(s, this.pod, req, status, flags, cluster);
      log.closeSpan(s, now);
    }
  }
}

/** One try to one upstream host. */
export class UpstreamAttempt implements Responder {
  timer = -1;
  timers: FixedDelayTimers | null = null;
  dead = false;
  /** Waiting in the pool for a connection. */
  pending = false;
  conn: PoolConnection | null = null;
  usesRetryToken = false;
  /** When the request left for the host (for x-envoy-upstream-service-time). */
  sentMs = 0;
  private status = 0;
  private flags = "-";
  private bytes = 0;

  constructor(readonly rr: RouterRequest, readonly host: Pod, readonly hostId: number, readonly worker: number) {}

  /** The host answered (status 0: it reset or refused the connection); the answer crosses the network back. */
  onResponse(status: number, flags: string, bytes = 0): void {
    if (this.dead) return;
    this.status = status;
    this.flags = flags;
    this.bytes = bytes;
    this.rr.p.after(this.rr.p.d.network.oneWay(), this.rr.p.kBack, this);
  }

  back(): void {
    if (this.dead) return;
    if (this.status !== 0) this.rr.attemptDone(this, responseOutcome(this.status), this.status, "-", this.bytes);
    // Nothing listened: connection refused, Envoy's UF (retriable as connect-failure).
    else if (this.flags === REFUSED) this.rr.attemptDone(this, OUTCOME_CONNECT_FAILURE, 503, "UF");
    // The connection was reset while the request was in the pod: UC.
    else this.rr.attemptDone(this, OUTCOME_RESET, 503, "UC");
  }
}

const RESPONSE_OUTCOMES = new Map<number, AttemptOutcome>();
/** The outcome of an upstream answer with this status (one shared object per status). */
function responseOutcome(status: number): AttemptOutcome {
  let o = RESPONSE_OUTCOMES.get(status);
  if (o === undefined) {
    o = Object.freeze({ kind: "response", status });
    RESPONSE_OUTCOMES.set(status, o);
  }
  return o;
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

/** Envoy prints several flags joined with commas, in its own fixed order. */
function joinFlags(a: string, b: string): string {
  if (a === "-" || a === "") return b;
  if (b === "-" || b === "") return a;
  return formatResponseFlags(responseFlagBits([...parseResponseFlags(a), ...parseResponseFlags(b)]));
}
