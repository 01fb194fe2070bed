// A request leaving a pod through its sidecar: Envoy's HTTP router on the client side.
// iptables sends the app's connection to the sidecar (15001); the sidecar routes by Host header with
// the VirtualService rules it holds, applies fault injection, picks a destination by weight, a host by
// the DestinationRule's load balancer, and retries and times out as the route says. The answer of the
// last try goes back to the app.
// https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_filters/router_filter
import type { Simulator } from "../engine/simulator.js";
import { TimersByDelay, type FixedDelayTimers } from "../engine/fixed-delay-timers.js";
import type { RandomStreams } from "../engine/rng.js";
import type { Scenario } from "../scenario/model.js";
import {
  OUTCOME_CONNECT_FAILURE, OUTCOME_PER_TRY_TIMEOUT, OUTCOME_RESET, shouldRetry, type AttemptOutcome, type RetryPolicy,
} from "../proxy/route/retry-policy.js";
import { backoffMs } from "../proxy/route/backoff.js";
import { decideFault } from "../proxy/route/fault-injection.js";
import { REFUSED, type Inbound } from "./inbound.js";
import type { EdgeSinks } from "./edge-sinks.js";
import type { MeshTelemetry } from "./mesh-telemetry.js";
import type { Network } from "./network.js";
import type { Pod } from "./pod.js";
import type { ServiceRegistry } from "./service-registry.js";
import type { Exchange, Origin, OutgoingRequest, Responder } from "./transport.js";
import { mirrorSelected } from "../proxy/route/mirror.js";
import type { ClusterRoute, ProxyRouting } from "./proxy-routing.js";
import type { UpstreamCluster } from "./upstream-cluster.js";

export interface SidecarDeps {
  sim: Simulator;
  rng: RandomStreams;
  network: Network;
  registry: ServiceRegistry;
  inbound: Inbound;
  telemetry: MeshTelemetry;
  sinks: EdgeSinks;
  proxyLatency: () => number;
  scenario: Scenario;
  routing: ProxyRouting;
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
    this.kRetry = sim.on((x: RouterRequest) => x.attempt());
    this.kExternal = sim.on((x: RouterRequest) => x.externalAnswered());
    this.faultDraw = d.rng.stream("proxy:fault");
    this.weightDraw = d.rng.stream("proxy:weights");
    this.backoffDraw = d.rng.stream("proxy:backoff");
    this.mirrorDraw = d.rng.stream("proxy:mirror");
  }

  /** Fire-and-forget copies of a request to the route's mirrors; their answers are dropped. */
  mirror(origin: Origin, r: ClusterRoute, req: OutgoingRequest, clusters: (d: ClusterRoute["destination"]) => UpstreamCluster | undefined): void {
    for (const m of r.route.mirrors) {
      if (!mirrorSelected(m, this.mirrorDraw())) continue;
      const host = clusters(m.destination)?.pick(null);
      if (host !== undefined) {
        this.d.inbound.receive(host, req, origin, m.destination.host, host.hasSidecar, DISCARD, this.d.network.oneWay());
      }
    }
  }

  send(origin: Origin, req: OutgoingRequest, responder: Responder): Exchange {
    const x = new RouterRequest(this, origin, origin.pod as Pod, req, responder);
    this.d.telemetry.proxyPass();
    // The outbound pass's latency is added to whatever the router does first (one event, not two).
    x.outboundMs = this.d.proxyLatency();
    x.route();
    return x;
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

  constructor(
    readonly p: SidecarPath,
    readonly origin: Origin,
    readonly pod: Pod,
    readonly req: OutgoingRequest,
    private readonly responder: Responder,
  ) {
    this.startMs = p.sim.now;
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
        p.after(this.takeOutbound() + p.d.network.externalRoundTrip(), p.kExternal, this);
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

  /** One try: pick a host (avoiding those already tried when the policy says so) and send. */
  attempt(): void {
    if (this.done) return;
    const cluster = this.cluster!;
    const avoid = this.policy?.previousHostsPredicate ? this.tried : null;
    const host = cluster.pick(avoid);
    if (host === undefined) {
      this.localStatus = 503;
      this.localFlags = "UH";
      this.p.after(this.takeOutbound(), this.p.kLocal, this);
      return;
    }
    if (this.tried === null) this.tried = [];
    this.tried.push(host);
    cluster.started(host);
    this.lastHost = host;
    this.mtls = host.hasSidecar;
    const a = new UpstreamAttempt(this, host);
    this.current = a;
    const perTry = this.policy?.perTryTimeoutMs;
    if (perTry !== undefined) {
      a.timers = this.p.perTryTimers.for(perTry);
      a.timer = a.timers.add(a);
    }
    const d = this.p.d;
    d.inbound.receive(host, this.req, this.origin, this.service, host.hasSidecar, a, this.takeOutbound() + d.network.oneWay());
  }

  /** The try ended with an answer from upstream (status 0: the connection was reset or refused). */
  attemptDone(a: UpstreamAttempt, outcome: AttemptOutcome, status: number, flags: string): void {
    if (a !== this.current || this.done) return;
    this.current = null;
    if (a.timer >= 0) a.timers!.cancel(a.timer);
    this.cluster!.finished(a.host, outcome, this.p.sim.now);
    this.decide(outcome, status, flags);
  }

  perTryTimeout(a: UpstreamAttempt): void {
    if (a !== this.current || this.done) return;
    a.timer = -1;
    a.dead = true;
    this.current = null;
    this.cluster!.finished(a.host, OUTCOME_PER_TRY_TIMEOUT, this.p.sim.now);
    this.decide(OUTCOME_PER_TRY_TIMEOUT, 504, "UT");
  }

  private decide(outcome: AttemptOutcome, status: number, flags: string): void {
    const verdict = shouldRetry(this.policy, outcome, this.retries);
    if (verdict === "retry") {
      this.retries++;
      const wait = backoffMs(this.policy!, this.retries, this.p.backoffDraw());
      this.p.after(wait, this.p.kRetry, this);
      return;
    }
    this.finish(status, verdict === "limit-exceeded" ? joinFlags(flags, "URX") : flags);
  }

  routeTimeout(): void {
    if (this.done) return;
    this.routeTimer = -1;
    const a = this.current;
    if (a !== null) {
      a.dead = true;
      if (a.timer >= 0) a.timers!.cancel(a.timer);
      this.cluster!.finished(a.host, OUTCOME_PER_TRY_TIMEOUT, this.p.sim.now);
      this.current = null;
    }
    this.finish(504, "UT");
  }

  /** The app gave up (its own timeout): Envoy logs the downstream disconnect and drops the upstream. */
  abandon(): void {
    if (this.done) return;
    const a = this.current;
    if (a !== null) {
      a.dead = true;
      if (a.timer >= 0) a.timers!.cancel(a.timer);
      this.cluster!.finished(a.host, OUTCOME_RESET, this.p.sim.now);
      this.current = null;
    }
    this.record(0, "DC");
    this.close();
  }

  private finish(status: number, flags: string): void {
    const f = this.extraFlags === "" || flags === "DI,FI" ? flags : joinFlags(this.extraFlags, flags);
    this.record(status, f);
    this.close();
    this.responder.onResponse(status, f);
  }

  private close(): void {
    this.done = true;
    if (this.routeTimer >= 0) this.routeTimers!.cancel(this.routeTimer);
    this.routeTimer = -1;
  }

  private record(status: number, flags: string): void {
    const now = this.p.sim.now;
    this.p.d.sinks.get("source", this.mtls, this.origin, this.lastHost, this.service).record(now, now - this.startMs, status, flags);
  }
}

/** One try to one upstream host. */
export class UpstreamAttempt implements Responder {
  timer = -1;
  timers: FixedDelayTimers | null = null;
  dead = false;
  private status = 0;
  private flags = "-";

  constructor(readonly rr: RouterRequest, readonly host: Pod) {}

  /** The host answered (status 0: it reset or refused the connection); the answer crosses the network back. */
  onResponse(status: number, flags: string): void {
    if (this.dead) return;
    this.status = status;
    this.flags = flags;
    this.rr.p.after(this.rr.p.d.network.oneWay(), this.rr.p.kBack, this);
  }

  back(): void {
    if (this.dead) return;
    if (this.status !== 0) this.rr.attemptDone(this, responseOutcome(this.status), this.status, "-");
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

/** Mirrored copies: nobody waits for their answer. */
const DISCARD: Responder = { onResponse() {} };

/** Envoy prints several flags joined with commas. */
function joinFlags(a: string, b: string): string {
  if (a === "-" || a === "") return b;
  if (b === "-" || b === "") return a;
  return `${a},${b}`;
}
