// One downstream request at the client sidecar, across all its tries: Envoy's router filter. It takes
// the route the proxy's held config gives (mesh/sidecar/proxy-routing.ts), lets the fault filter delay or
// abort it, starts the route timeout, then makes one upstream request per try (upstream-request.ts):
// a host from the cluster's load balancer, a place in the connection pool (or 503 UO when a circuit
// breaker trips). A failed try may be retried (retry-state.ts, made on the first retry) after Envoy's
// back-off; the last try's answer goes back to the app and into the stream info (stream-info.ts).
// https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_filters/router_filter
// envoyproxy/envoy source/common/router/router.h (Filter)
import type { FixedDelayTimers } from "../../engine/fixed-delay-timers.js";
import {
  isRetriable, OUTCOME_OVERFLOW, OUTCOME_PER_TRY_TIMEOUT, OUTCOME_ROUTE_TIMEOUT, retryDecision, type AttemptOutcome, type RetryDecision,
} from "../../proxy/route/retry-policy.js";
import { backoffMs } from "../../proxy/route/backoff.js";
import { decideFault, NO_FAULT } from "../../proxy/route/fault-injection.js";
import { joinResponseFlags } from "../../proxy/response-flags.js";
import { BLACKHOLE_CLUSTER } from "../../proxy/route/default-routes.js";
import { ATTACHED, OVERFLOW } from "../../proxy/upstream-pool.js";
import type { Pod } from "../kube/pod.js";
import type { Exchange, Origin, OutgoingRequest, Responder } from "../transport.js";
import type { ClusterRoute, HeldVirtualHost } from "./proxy-routing.js";
import type { ExternalEndpoints } from "./external-endpoints.js";
import { checkAtGateway } from "./inbound-policy.js";
import { RetryState } from "./retry-state.js";
import { recordStream, type StreamInfo } from "./stream-info.js";
import { TRY_ACTIVE, TRY_DEAD, TRY_MADE, TRY_PENDING, UpstreamRequest, type UpstreamRequestOwner } from "./upstream-request.js";
import { RouteSinks } from "../route-sinks.js";
import type { SidecarPath } from "./sidecar-path.js";
import type { Span } from "../../telemetry/trace-recorder.js";
import type { CompiledRoute } from "../../proxy/route/compile-routes.js";
import type { UpstreamCluster } from "./upstream-cluster.js";
import { inboundConnKey } from "./sidecar-cpu.js";

export class Router implements StreamInfo, Exchange, UpstreamRequestOwner {
  // The stream info (stream-info.ts: what the access log and telemetry read when it ends).
  readonly startMs: number;
  service = "unknown";
  mtls = false;
  lastHost: Pod | null = null;
  lastHostId = -1;
  routeSinks: RouteSinks | null = null;
  cluster: UpstreamCluster | null = null;
  // The router's own state.
  // Held from the route to the answer by every routed hop in flight, so each field is bytes that a
  // deep chain's requests keep across scavenges (docs/performance.md, Goal 4, session 24): the
  // route's retry policy and route entry are read from `routed`, the first try's host is `lastHost`
  // when the first retry is decided, a connect timeout's flag lives in the extras.
  private routed: ClusterRoute | null = null;
  private current: UpstreamRequest | null = null;
  private done = false;
  /** What few requests need (RouterExtras), made at the first need. */
  private more: RouterExtras | null = null;

  constructor(
    readonly p: SidecarPath,
    readonly origin: Origin,
    readonly pod: Pod,
    readonly req: OutgoingRequest,
    private readonly responder: Responder,
    /**
     * The sidecar worker whose connection pools carry it (one pool per worker) and, times 65,536, the
     * worker whose CPU runs it (the kernel's hash of its connection): one field, not two (8 bytes;
     * docs/performance.md, Goal 3, session 27 `hop13`). Envoy's concurrency is far below 65,536.
     */
    private readonly workers: number,
  ) {
    this.startMs = p.sim.now;
  }

  /** The sidecar worker thread whose connection pools carry it (one pool per worker). */
  get worker(): number {
    return this.workers & 0xffff;
  }
  /** The worker whose CPU runs it (the kernel's hash of its connection). */
  get cpuWorker(): number {
    return this.workers >>> 16;
  }
  /** Made on the first retry (in the extras: few requests retry). */
  private get retry(): RetryState | null {
    return this.more === null ? null : this.more.retry;
  }

  /**
   * x-envoy-upstream-service-time of the last try, if it got an answer (-1: none). Only the access log
   * reads it (stream-info.ts, logged), so it is kept, in the extras, only when the log is on: not a
   * field of every router and a double and its box in every try (docs/performance.md, Goal 3,
   * session 27 `hop13`).
   */
  get upstreamMs(): number {
    return this.more === null ? -1 : this.more.upstreamMs;
  }
  /** What goes upstream: `req`, or the copy carrying this proxy's span (traceStream; in the extras). */
  get upReq(): OutgoingRequest {
    const m = this.more;
    return m === null || m.upReq === null ? this.req : m.upReq;
  }
  set upReq(r: OutgoingRequest) {
    this.extras().upReq = r;
  }
  get span(): Span | null {
    return this.more === null ? null : this.more.span;
  }
  set span(s: Span | null) {
    this.extras().span = s;
  }
  /** Flags collected on the way (DI: a fault's delay; in the extras, as few requests have any). */
  get extraFlags(): string {
    return this.more === null ? "" : this.more.extraFlags;
  }
  set extraFlags(f: string) {
    this.extras().extraFlags = f;
  }

  // StreamInfo's fields that few requests set, read from their extras.
  get details(): string {
    return this.more === null ? "" : this.more.details;
  }
  get serviceNamespace(): string {
    return this.more === null ? "" : this.more.serviceNamespace;
  }
  get external(): boolean {
    return this.more === null ? false : this.more.external;
  }
  get connectTimedOut(): boolean {
    return this.more === null ? false : this.more.connectTimedOut;
  }
  /** The route it matched: the routed cluster route's (null: none, or a host outside the mesh). */
  get routeEntry(): CompiledRoute | null {
    const r = this.routed;
    return r === null ? null : r.route;
  }

  private extras(): RouterExtras {
    return (this.more ??= new RouterExtras());
  }

  /** The local reply kLocal will send (kept in the extras: few requests have one). */
  private localReplyIs(status: number, flags: string): void {
    const m = this.extras();
    m.localStatus = status;
    m.localFlags = flags;
  }

  /**
   * The rest of the outbound pass's latency that a try waiting in the pool without a connection of its
   * own left unspent (returns it and leaves 0). The pass's latency is a parameter from
   * `SidecarPath.send` to what the router does first (route, afterFault, decoded, attempt, send), not
   * a double field of every router and its HeapNumber box (24 bytes; docs/performance.md, Goal 3,
   * session 27 `hop13`); only that waiting try keeps it, in the extras.
   */
  private takeOutbound(): number {
    const m = this.more;
    if (m === null) return 0;
    const d = m.outboundMs;
    m.outboundMs = 0;
    return d;
  }

  /**
   * The sidecar takes the request: which route, which cluster (`held`: the virtual host its proxy holds
   * for it; `outboundMs`: the proxy latency of the outbound pass, added to the first thing that takes time).
   */
  route(held: HeldVirtualHost, outboundMs: number): void {
    const p = this.p;
    if (this.pod.gateway !== undefined) {
      // A gateway's jwt_authn and RBAC filters run before its router (401 / 403 local replies).
      const denied = checkAtGateway(p.d.policies, this.pod, this.req);
      if (denied !== null) {
        const m = this.extras();
        m.details = denied.details;
        m.localStatus = denied.status;
        m.localFlags = denied.flags;
        p.after(outboundMs, p.kLocal, this);
        return;
      }
    }
    const r = p.d.routing.route(this.pod, this.req, p.weightDraw, held);
    this.service = r.service;
    switch (r.kind) {
      case "local":
        // No cluster (no route, a redirect or a direct response): a sidecar's stats filter names
        // the Host header as destination_service; a gateway's says "unknown" (r.service). The
        // block_all route keeps "BlackHoleCluster" (its destination_service_name; recordStream
        // takes the Host for destination_service).
        if (this.pod.gateway === undefined && r.service !== BLACKHOLE_CLUSTER) this.service = this.req.authority;
        this.localReplyIs(r.status, r.flags);
        p.after(outboundMs, p.kLocal, this);
        return;
      case "external": {
        const m = this.extras();
        m.external = true;
        m.serviceNamespace = r.serviceNamespace;
        // The route timeout (a VirtualService on a ServiceEntry host) races the round trip.
        if (r.timeoutMs > 0) {
          m.routeTimers = p.routeTimers.for(r.timeoutMs);
          m.routeTimer = m.routeTimers.add(this);
        }
        let trip: number;
        if (r.endpoints !== null) {
          m.extEndpoints = r.endpoints;
          m.extHost = r.endpoints.pick(this.worker);
          trip = r.endpoints.roundTrip(m.extHost);
          this.mtls = r.endpoints.mtls(m.extHost);
        } else trip = r.roundTrip();
        p.after(outboundMs + trip, p.kExternal, this);
        return;
      }
      case "cluster":
        break;
    }
    this.routed = r;
    this.routeSinks = r.sinks ??= new RouteSinks(p.d.sinks, this.origin, r.service, this.req.target);
    // Nearly every request: a route with no fault, timeout or mirror (CompiledRoute.plainForward) to a
    // cluster the proxy has, without circuit-breaker limits: what afterFault and decoded then do is
    // take the cluster and make the first try, so the router does that at once.
    const cluster = r.cluster;
    if (r.route.plainForward && cluster !== undefined && !cluster.limited) {
      this.cluster = cluster;
      this.attempt(outboundMs);
      return;
    }
    // No fault on the route, no draw: Envoy's fault filter consults its random numbers only for a
    // delay or abort the route configures (envoyproxy/envoy
    // source/extensions/filters/http/fault/fault_filter.cc, isDelayEnabled / isAbortEnabled return
    // false first). The "proxy:fault" stream serves fault draws only, so faulted routes see the same
    // numbers in every scenario whose faults are all 0 % or 100 % (every shipped one).
    const fault = r.fault === undefined ? NO_FAULT : decideFault(r.fault, p.faultDraw(), p.faultDraw());
    if (fault.aborted) this.extras().abortStatus = fault.httpStatus;
    if (fault.delayed) {
      // The fault filter runs before the router: the delay does not count against the route timeout.
      this.extraFlags = "DI";
      p.after(outboundMs + fault.delayMs, p.kAfterFault, this);
    } else {
      this.afterFault(outboundMs);
    }
  }

  localReply(): void {
    if (!this.done) this.finish(this.more!.localStatus, this.more!.localFlags);
  }

  /** `outboundMs`: the outbound pass's latency not yet spent (0 after a fault's delay). */
  afterFault(outboundMs: number): void {
    if (this.done) return;
    const r = this.routed!;
    if (this.more !== null && this.more.abortStatus !== 0) {
      // A local reply of the fault filter, after the outbound pass.
      this.localReplyIs(this.more.abortStatus, this.extraFlags === "" ? "FI" : "DI,FI");
      this.extraFlags = "";
      this.p.after(outboundMs, this.p.kLocal, this);
      return;
    }
    const cluster = r.cluster;
    if (cluster === undefined) {
      // The route names a cluster the proxy lacks (a subset no DestinationRule defines, or a Gateway
      // API backendRef that did not resolve): Envoy's cluster_not_found_response_code, NC. With no
      // cluster, Istio's stats filter takes destination_service from the Host header at a sidecar
      // and has none at a gateway (istio_stats.cc populatePeerInfo: the cluster's istio.services
      // metadata, else the Host header unless disable_host_header_fallback, which istiod sets for
      // inbound and gateway listeners: pilot/pkg/model/telemetry.go disableHostHeaderFallback).
      this.service = this.pod.gateway === undefined ? this.req.authority : "unknown";
      this.routeSinks = null; // no longer the route's service (see StreamInfo.routeSinks)
      this.localReplyIs(r.route.clusterNotFoundStatus, "NC");
      this.p.after(outboundMs, this.p.kLocal, this);
      return;
    }
    this.cluster = cluster;
    // Envoy's router acts once the filter chain has run: the sidecar's processing time passes
    // before the request takes its place in the connection pool (or is refused there, 503 UO).
    // envoyproxy/envoy source/common/router/router.cc (Filter::decodeHeaders is the last filter)
    // Only a pool with circuit-breaker limits can refuse, so only there is the pool entry an event
    // of its own; elsewhere the processing time is added to the connect or send (one event, not two:
    // the request reaches the host at the same time).
    if (outboundMs > 0 && cluster.limited) this.p.after(outboundMs, this.p.kDecoded, this);
    else this.decoded(outboundMs);
  }

  /** The router has the request: route timeout, mirrors, the first try. */
  decoded(outboundMs: number): void {
    if (this.done) return;
    const r = this.routed!;
    if (r.timeoutMs > 0) {
      const m = this.extras();
      m.routeTimers = this.p.routeTimers.for(r.timeoutMs);
      m.routeTimer = m.routeTimers.add(this);
    }
    if (r.route.mirrors.length > 0) this.p.mirror(this.origin, r, this.req, (d) => this.p.d.routing.clusterFor(this.pod, d), this.worker);
    this.attempt(outboundMs);
  }

  externalAnswered(): void {
    if (!this.done) this.finish(200, "-");
  }

  /**
   * One try: pick a host (avoiding those already tried when the policy says so), get a connection.
   * `outboundMs`: the outbound pass's latency not yet spent (a retry's: what a try that waited without
   * a connection of its own left, takeOutbound).
   */
  attempt(outboundMs: number): void {
    if (this.done) return;
    const cluster = this.cluster!;
    // The retry's state first: a first try (nearly all) reads nothing of the policy here.
    const rs = this.retry;
    const policy = rs !== null ? this.routed!.retryPolicy : undefined;
    const avoid = policy?.previousHostsPredicate ? rs!.tried : null;
    const host = cluster.pick(avoid, this.req, this.pod.ip, policy?.previousPriorities === true ? rs!.tried : null, this.worker);
    if (host === undefined) {
      this.localReplyIs(503, "UH");
      this.p.after(outboundMs, this.p.kLocal, this);
      return;
    }
    if (rs !== null) rs.tried.push(host);
    this.lastHost = host;
    this.lastHostId = cluster.pickedId;
    if (this.more !== null) this.more.upstreamMs = -1;
    const hostId = cluster.pickedId;
    const a = new UpstreamRequest(this);
    a.picked = cluster.pickedIndex;
    a.generation = cluster.hostsGeneration;
    const pool = cluster.pools[this.worker]!;
    // Connections to a pod that went away were reset by its kernel (one that vanished with its node
    // sends nothing: its connections look alive).
    if (!host.listening) pool.closeIdle(hostId);
    const r = pool.newStream(hostId, a, this.p.sim.now);
    if (r === OVERFLOW) {
      // A circuit breaker tripped: a local 503 UO, never retried, never an outlier failure. Refused
      // by max_requests on a ready connection, the request has its upstream host (the pool fails it
      // with the connection's host: UpstreamRequest::onPoolFailure calls onUpstreamHostSelected), so
      // Istio's stats filter names the destination from the endpoint's metadata (istio/proxy
      // istio_stats.cc populatePeerInfo, extractEndpointMetadata) and %UPSTREAM_HOST% is set; refused
      // by max_pending_requests it has none (newStreamImpl: onPoolFailure(nullptr, ...)).
      // envoyproxy/envoy source/common/router/upstream_request.cc, conn_pool/conn_pool_base.cc
      if (pool.conn === null) this.lastHost = null;
      this.localReplyIs(503, "UO");
      this.p.after(outboundMs, this.p.kLocal, this);
      return;
    }
    this.current = a;
    if (r === ATTACHED) {
      a.conn = pool.conn;
      this.sendWith(a, outboundMs);
    } else {
      a.state = TRY_PENDING;
      if (pool.conn !== null) this.p.connect(cluster, this.worker, pool.conn, host, outboundMs);
      // Waiting for a connection another try opened: the pass's latency goes with its send.
      else if (outboundMs !== 0) this.extras().outboundMs = outboundMs;
    }
  }

  /** The pool gave the waiting try a connection: the request crosses the network to the host. */
  send(a: UpstreamRequest): void {
    this.sendWith(a, this.takeOutbound());
  }

  /** The try has a connection: the request crosses the network to the host (`outboundMs` as attempt's). */
  private sendWith(a: UpstreamRequest, outboundMs: number): void {
    const host = this.lastHost!; // a is the live try
    a.state = TRY_ACTIVE;
    // The per-try timer starts when the try has a connection (the whole request is in hand: meshsim's
    // requests have no body), not when it enters the pool: time pending for a connection — its
    // set-up up to connect_timeout, or a free one under maxConnections — counts only against the
    // route timeout. envoyproxy/envoy source/common/router/upstream_request.cc
    // (UpstreamRequest::onPoolReady calls setupPerTryTimeout when downstreamEndStream()); the docs
    // say "timeout per retry attempt" (RetryPolicy.per_try_timeout). docs/docs-vs-source.md.
    const perTry = this.routed!.retryPolicy?.perTryTimeoutMs;
    if (perTry !== undefined) a.timer = this.p.perTryTimers.for(perTry).add(a);
    // A request counts as active on its host (rq_active, which LEAST_REQUEST reads) once it has a
    // connection, not while it waits in the pool: envoyproxy/envoy
    // source/common/conn_pool/conn_pool_base.cc (ConnPoolImplBase::attachStreamToClient).
    this.cluster!.started(host, a.picked, a.generation);
    const d = this.p.d;
    this.mtls = a.conn!.mtls;
    // The try's send time, for its service time (upstreamMs): only the access log reads it.
    if (d.log !== null && this.req.ctx) this.extras().tryStartMs = this.p.sim.now;
    // A request on a connection opened before a zone partition is lost: it waits for the timeouts.
    if (d.partitioned?.(this.pod, host) === true) return;
    const wp = this.p.waypoints;
    if (wp !== null && wp.isWaypoint(host)) {
      // The HBONE CONNECT names the Service and port the gateway's cluster is for (outbound|port|subset|host).
      wp.fromGateway(host, this.origin, this.upReq, this.service, Number(this.cluster!.name.split("|")[1]), a, outboundMs + d.network.between(this.pod, host),
        inboundConnKey(this.pod.proxy!.cpu?.uid ?? 0, this.worker, a.conn!.id));
      return;
    }
    const inbound = d.inbound;
    inbound.wireMs = outboundMs + d.network.between(this.pod, host);
    inbound.received(host, this.upReq, this.origin, this.service, this.mtls, a,
      inboundConnKey(this.pod.proxy!.cpu?.uid ?? 0, this.worker, a.conn!.id), this.routeSinks, this.lastHostId);
  }

  /**
   * The try is over: free its place (pending slot or connection stream) and tell the load balancer
   * and outlier detection (`outcome`; null: not the host's doing). `a` is the live try, whose host
   * is lastHost.
   */
  private release(a: UpstreamRequest, reset: boolean, outcome: AttemptOutcome | null): void {
    const state = a.state;
    a.state = TRY_DEAD;
    const host = this.lastHost!;
    // The per-try timer's FIFO is the policy's (only a route with a per-try timeout has a timer).
    if (a.timer >= 0) this.p.perTryTimers.for(this.routed!.retryPolicy!.perTryTimeoutMs!).cancel(a.timer);
    a.timer = -1;
    if (this.current === a) this.current = null;
    const cluster = this.cluster!;
    if (state === TRY_PENDING) cluster.pools[this.worker]!.cancelPending(this.lastHostId, a);
    else if (a.conn !== null) {
      // A draining sidecar answers with `Connection: close` (HTTP/1.1) or has sent GOAWAY (HTTP/2):
      // Envoy's connection manager does so once drainClose() holds, at once under Istio's
      // --drain-strategy immediate (envoyproxy/envoy source/common/http/conn_manager_impl.cc).
      if (!reset && host.draining) cluster.pools[this.worker]!.goAway(a.conn);
      this.p.streamEnded(cluster, this.worker, a.conn, reset);
    }
    const rs = this.retry;
    if (rs !== null && rs.tokenTry === a) {
      rs.tokenTry = null;
      cluster.retryTokens.give();
    }
    cluster.finished(host, outcome, this.p.sim.now, state === TRY_ACTIVE, a.picked, a.generation);
  }

  /** The try ended with an answer from upstream, or its connection failed or was reset. */
  attemptDone(a: UpstreamRequest, outcome: AttemptOutcome, status: number, flags: string, bytes = 0, connectTimeout = false): void {
    if (a.state === TRY_DEAD || this.done) return;
    // The last try's (nearly always false: kept in the extras, made only for a true one).
    if (connectTimeout) this.extras().connectTimedOut = true;
    else if (this.more !== null) this.more.connectTimedOut = false;
    this.release(a, outcome.kind !== "response", outcome);
    // Its service time, when sendWith kept its send time (the access log is on).
    const m = this.more;
    if (outcome.kind === "response" && m !== null && this.p.d.log !== null && this.req.ctx) m.upstreamMs = this.p.sim.now - m.tryStartMs;
    this.decide(outcome, status, flags, bytes);
  }

  poolOverflow(a: UpstreamRequest): void {
    if (a.state === TRY_DEAD || this.done) return;
    // The pool has already dropped it from its queue. A local 503 UO as when newStream refuses
    // (attempt): never retried (wouldRetryFromReset: Overflow), never an outlier failure, and
    // reported with the host whose connection came free (lastHost stays): attachStreamToClient
    // fails it with client.real_host_description_, which onPoolFailure hands to
    // onUpstreamHostSelected. envoyproxy/envoy source/common/router/upstream_request.cc
    // (UpstreamRequest::onPoolFailure: Overflow), router.cc (Filter::onUpstreamReset),
    // source/common/conn_pool/conn_pool_base.cc (ConnPoolImplBase::attachStreamToClient)
    a.state = TRY_MADE;
    this.release(a, true, OUTCOME_OVERFLOW);
    this.decide(OUTCOME_OVERFLOW, 503, "UO");
  }

  perTryTimeout(a: UpstreamRequest): void {
    if (a.state === TRY_DEAD || this.done) return;
    a.timer = -1;
    // Envoy counts a per-try timeout in upstream_rq_per_try_timeout only (router.cc
    // Filter::onPerTryTimeout); upstream_rq_timeout is the route timeout's (onResponseTimeout).
    this.cluster!.counters.upstream_rq_per_try_timeout++;
    this.release(a, true, OUTCOME_PER_TRY_TIMEOUT);
    this.decide(OUTCOME_PER_TRY_TIMEOUT, 504, "UT");
  }

  private decide(outcome: AttemptOutcome, status: number, flags: string, bytes = 0): void {
    // Nearly every try: the route's last judged outcome again (a 200), not retriable, and no retry
    // before it: shouldRetry's "no-retry" with nothing to count, so the answer goes back as it came
    // (what verdict and the branches below give then, without the call to verdict, which TurboFan
    // did not inline into attemptDone: docs/performance.md, Goal 3, session 22).
    const r = this.routed!;
    if (r.judged === outcome && !r.judgedRetriable && this.retry === null) {
      this.finish(status, flags, bytes);
      return;
    }
    const verdict = this.verdict(outcome);
    // envoy source/common/router/retry_state_impl.cc RetryStateImpl::shouldRetry: a try that follows
    // a retry and needs none counts as a retry success; a retriable one past num_retries, a limit hit.
    if (verdict === "no-retry") {
      if (this.retry !== null) this.cluster!.counters.upstream_rq_retry_success++;
    } else if (verdict === "limit-exceeded") this.cluster!.counters.upstream_rq_retry_limit_exceeded++;
    if (verdict === "retry") {
      // Every retry needs a token from the cluster's max_retries circuit breaker.
      // Envoy's maybeRetryReset/onUpstreamHeaders set UO before onUpstreamAbort sets the try's own
      // flag, so the log reads "UO,UF" (router.cc Filter::maybeRetryReset).
      if (!this.cluster!.retryTokens.take()) {
        this.finish(status, joinResponseFlags("UO", flags), bytes);
        return;
      }
      // The first retry follows the first try, whose host is lastHost (set by attempt, and cleared only
      // where the pool refuses the try, a local reply never retried).
      const m = this.extras();
      const rs = m.retry ?? (m.retry = new RetryState(this.lastHost));
      rs.retries++;
      rs.token = true;
      const wait = backoffMs(r.retryPolicy!, rs.retries, this.p.backoffDraw());
      this.p.after(wait, this.p.kRetry, this);
      return;
    }
    // URX is set when the retry is refused, before the last try's own flag: "URX,UF", "URX,UT".
    this.finish(status, verdict === "limit-exceeded" ? joinResponseFlags("URX", flags) : flags, bytes);
  }

  /**
   * shouldRetry (proxy/route/retry-policy.ts) for this try's outcome: whether retry_on takes it is
   * the route's to remember (ClusterRoute.judged, under the route's retryPolicy), then the
   * retries left decide.
   */
  private verdict(outcome: AttemptOutcome): RetryDecision {
    const r = this.routed!;
    let retriable: boolean;
    if (r.judged === outcome) retriable = r.judgedRetriable;
    else {
      retriable = isRetriable(r.retryPolicy, outcome);
      r.judged = outcome;
      r.judgedRetriable = retriable;
    }
    return retryDecision(r.retryPolicy, retriable, this.retry?.retries ?? 0);
  }

  /** The back-off is over: the retry runs (holding its token until it ends). */
  retryNow(): void {
    const rs = this.retry!;
    if (this.done) return; // ended during the back-off: close() gave the token back then
    this.attempt(this.takeOutbound());
    if (this.current !== null) {
      if (rs.token) rs.tokenTry = this.current;
    } else if (rs.token) this.cluster!.retryTokens.give();
    rs.token = false;
  }

  routeTimeout(): void {
    if (this.done) return;
    this.more!.routeTimer = -1;
    const a = this.current;
    if (a !== null) {
      this.cluster!.counters.upstream_rq_timeout++;
      // A try still waiting in the pool for a connection has no upstream host yet, so its timeout is
      // no outlier-detection event (it is counted in upstream_rq_timeout all the same): Envoy's
      // updateOutlierDetection reports only to upstream_request.upstreamHost(), set when the pool
      // hands over a connection or fails the try (UpstreamRequest::onPoolReady / onPoolFailure →
      // onUpstreamHostSelected). envoyproxy/envoy source/common/router/router.cc
      // (Filter::onResponseTimeout, Filter::updateOutlierDetection)
      this.release(a, true, a.state === TRY_PENDING ? null : OUTCOME_ROUTE_TIMEOUT);
    }
    this.finish(504, "UT");
  }

  /** The app gave up (its own timeout): Envoy logs the downstream disconnect and drops the upstream. */
  abandon(): void {
    if (this.done) return;
    const a = this.current;
    if (a !== null) this.release(a, true, null);
    // Flags accumulate on the stream: a delayed request the app gave up on logs DI and DC.
    recordStream(this, this.p.d, 0, joinResponseFlags(this.extraFlags, "DC"));
    this.close();
  }

  /** `bytes`: the response body that goes back (0 for Envoy's local replies, see docs/model.md#telemetry-and-reports). */
  private finish(status: number, flags: string, bytes = 0): void {
    const f = this.extraFlags === "" || flags === "DI,FI" ? flags : joinResponseFlags(this.extraFlags, flags);
    // The clock is no argument of a call TurboFan did not inline (recordStream reads it, the CPU's
    // field takes it): each double handed to one is a HeapNumber of its own (docs/performance.md,
    // Goal 3, sessions 27 `hop13` and 28 `bi13`).
    recordStream(this, this.p.d, status, f, bytes);
    this.close();
    // The worker records telemetry after the response (Istio performance page).
    const cpu = this.pod.proxy!.cpu;
    if (cpu !== null) {
      cpu.at = this.p.sim.now;
      cpu.responded(this.cpuWorker, bytes);
    }
    this.responder.onResponse(status, f, bytes);
  }

  private close(): void {
    this.done = true;
    // A request that ends during a back-off (route timeout, downstream gone) gives its retry token
    // back at once: Envoy's router destroys its RetryState there (Filter::cleanup resets
    // retry_state_, whose destructor calls resetRetry: retries().dec() and the back-off timer goes).
    // envoyproxy/envoy source/common/router/router.cc (Filter::onUpstreamAbort, Filter::cleanup),
    // source/common/router/retry_state_impl.cc (~RetryStateImpl).
    const rs = this.retry;
    if (rs !== null && rs.token) {
      rs.token = false;
      this.cluster!.retryTokens.give();
    }
    const m = this.more;
    if (m !== null) {
      if (m.extEndpoints !== null) {
        m.extEndpoints.done(m.extHost);
        m.extEndpoints = null;
      }
      if (m.routeTimer >= 0) m.routeTimers!.cancel(m.routeTimer);
      m.routeTimer = -1;
    }
  }
}

/**
 * What few of a router's requests need: a route timer, a ServiceEntry's endpoint, a local reply's
 * status and flags, a fault's abort or delay, a gateway's denial details, a connect timeout, a
 * sampled request's span. Apart from the Router and made at
 * the first need: nine fields fewer to set (ten out, the reference to this one in) and 72 bytes
 * fewer to allocate in every router
 * (docs/performance.md, Goal 3, session 23).
 */
class RouterExtras {
  /** %RESPONSE_CODE_DETAILS% of a gateway's own denial (StreamInfo.details). */
  details = "";
  /** A ServiceEntry host's namespace (StreamInfo.serviceNamespace). */
  serviceNamespace = "";
  /** Routed to a host outside the mesh (StreamInfo.external). */
  external = false;
  /** The route timeout's timer (-1: none) and its FIFO. */
  routeTimer = -1;
  routeTimers: FixedDelayTimers | null = null;
  /** The fault filter's abort status (0: none). */
  abortStatus = 0;
  /** The local reply kLocal sends. */
  localStatus = 0;
  localFlags = "-";
  /** A ServiceEntry's endpoints and the one this request went to (-1: none). */
  extEndpoints: ExternalEndpoints | null = null;
  extHost = -1;
  /** The last try's connect failure was the connect timeout (StreamInfo.connectTimedOut). */
  connectTimedOut = false;
  /** A sampled request's copy for upstream (StreamInfo.upReq; null: `req`) and its CLIENT span. */
  upReq: OutgoingRequest | null = null;
  span: Span | null = null;
  /** StreamInfo.extraFlags. */
  extraFlags = "";
  /** Made on the first retry. */
  retry: RetryState | null = null;
  /** The outbound pass's latency a try waiting for another try's connection left unspent (Router.takeOutbound). */
  outboundMs: number;
  /** The live try's send time, and the last try's upstream service time (-1: none); kept only when the access log is on. */
  tryStartMs: number;
  upstreamMs: number;
  constructor() {
    // Doubles from their first store (a small integer first would change the map at the first fraction).
    this.outboundMs = this.tryStartMs = this.upstreamMs = 0.5;
    this.outboundMs = this.tryStartMs = 0;
    this.upstreamMs = -1;
  }
}
