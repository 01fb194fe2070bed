// The server side of a hop: the request enters the pod (through its inbound sidecar on port 15006
// when it has one, which adds a pass of proxy latency and reports as reporter="destination"), then
// the application serves it. A pod that stops resets the connections of the requests it holds.
// The inbound sidecar enforces the pod's security policies first: a plaintext connection to a STRICT
// port is closed (no HTTP status), an invalid JWT gets 401 and an authorization denial 403.
import type { Simulator } from "../../engine/simulator.js";
import type { ServedRequest } from "../app/app-server.js";
import type { CallTarget } from "../../scenario/model.js";
import type { EdgeSinks } from "../edge-sinks.js";
import type { RouteSinks } from "../route-sinks.js";
import type { InboundPolicies } from "./inbound-policy.js";
import type { Interception } from "./interception.js";
import type { MeshTelemetry, RequestSink } from "../mesh-telemetry.js";
import type { Pod } from "../kube/pod.js";
import type { Origin, OutgoingRequest, Responder } from "../transport.js";
import { RequestLog } from "../../telemetry/request-log.js";
import { ENVOY_WORKERS } from "./upstream-cluster.js";
import { InboundRouter } from "./inbound-router.js";
import { InboundLeg, ZtunnelLeg } from "./inbound-leg.js";

/**
 * The destination node's ztunnel in front of an ambient pod (mesh/ztunnel/ztunnel-inbound.ts):
 * istio-cni redirects HBONE to its port 15008 and other inbound TCP to 15006 (plaintext).
 * https://istio.io/latest/docs/ambient/architecture/traffic-redirection/
 */
export interface ZtunnelInboundHook {
  /** The telemetry sink of the TCP edge (reporter destination). */
  sink(origin: Origin, pod: Pod, service: string, mtls: boolean): RequestSink;
  /** The pass through the pod's node's ztunnel, arriving at `at`: its delay. */
  pass(pod: Pod, at: number, connKey: number, mtls: boolean): number;
  /** Whether ztunnel accepts the connection (STRICT mTLS, L4 authorization). */
  admit(pod: Pod, origin: Origin, mtls: boolean, port: number): boolean;
  /**
   * A request on a proxy's pooled connection `connKey` (a sidecar, waypoint or gateway client): the
   * connection is opened here the first time it is seen, and closed when the client's pool closes it.
   */
  pooled(from: Pod, pod: Pod, service: string, mtls: boolean, port: number, connKey: number, sink: RequestSink, at: number): PooledConnection;
  /** A connection it counted itself closed (its access-log line). */
  closed(origin: Origin, pod: Pod, service: string, mtls: boolean, port: number, startMs: number, endMs: number, received: number, sent: number): void;
}

/** A client proxy's connection as the destination ztunnel counts it (the bytes it carried so far). */
export interface PooledConnection {
  sent: number;
  received: number;
}


export class Inbound {
  readonly kArrive: number;
  /** The server sidecars' inbound router: their inbound clusters' pools, where a DestinationRule or Sidecar sets one. */
  readonly router: InboundRouter;
  private nextWorker = 0;
  /** Set by the world in ambient mode. */
  ztunnel: ZtunnelInboundHook | null = null;
  /** Requests inside pods or on their way to one (the run drains them before it ends). */
  active = 0;
  /** Requests inside each pod (from the inbound sidecar to the app's answer), to reset on a kill:
   *  an intrusive doubly-linked list per pod, so entering and leaving cost no hashing. */

  constructor(
    readonly sim: Simulator,
    readonly telemetry: MeshTelemetry,
    readonly proxyLatency: () => number,
    private readonly sinks: EdgeSinks,
    private readonly policies: InboundPolicies,
    /** The container port a request to this target arrives on. */
    private readonly targetPortOf: (t: CallTarget) => number,
    private readonly interception: Interception,
    /** The server sidecars' inbound routes' retry back-off draws (uniform in [0, 1)). */
    backoffDraw: () => number,
    /** Access log and traces; null when both are off. */
    readonly log: RequestLog | null = null,
  ) {
    this.kArrive = sim.on((leg: InboundLeg) => this.toApp(leg));
    this.router = new InboundRouter(sim, backoffDraw);
    // A double from its first store (as CodeSeries.sumMs).
    this.wireMs = 0.5;
    this.wireMs = 0;
  }

  /**
   * The wire time (ms) of the request `received` takes next, stored by its caller just before the
   * call: a double handed to a call TurboFan did not inline is a fresh 16-byte HeapNumber, a store
   * into a double field rewrites the field's box in place (docs/performance.md, Goal 3, session 28 `bi13`).
   */
  wireMs: number;

  /**
   * A request leaves for a pod and reaches it after `wireMs` on the network; then its inbound sidecar
   * (if any) adds a pass of proxy latency and the app takes it — one event for the whole way.
   * `service` is the FQDN the client addressed (or "unknown"). If the pod is gone when the request
   * arrives, the connection is refused: the responder gets status 0 with flag UF.
   */
  receive(
    pod: Pod, req: OutgoingRequest, origin: Origin, service: string, mtls: boolean, responder: Responder, wireMs: number, connKey = -1,
    /**
     * A routed request's sinks, whose service is `service` (StreamInfo.routeSinks), and the pool id of
     * `pod` in its cluster (the sink without a lookup).
     */
    route: RouteSinks | null = null, hostId = -1,
  ): void {
    this.wireMs = wireMs;
    this.received(pod, req, origin, service, mtls, responder, connKey, route, hostId);
  }

  /** `receive` with its wire time in `wireMs` (the router's send: one HeapNumber fewer a hop). */
  received(
    pod: Pod, req: OutgoingRequest, origin: Origin, service: string, mtls: boolean, responder: Responder, connKey: number,
    route: RouteSinks | null, hostId: number,
  ): void {
    const wireMs = this.wireMs;
    // A routed request's port is kept on its route's sinks (one virtual host, one target): no lookup.
    // Others ask targetPortOf, which remembers the last target it answered.
    let port: number;
    if (route !== null && route.target === req.target) {
      port = route.targetPort;
      if (port < 0) port = route.targetPort = this.targetPortOf(req.target);
    } else port = this.targetPortOf(req.target);
    // A port excluded from inbound capture reaches the app with no sidecar in the way.
    const zt = pod.ambient ? this.ztunnel : null;
    // `=== true`: one compare with the constant; the bare field got V8's generic truth test
    // (docs/performance.md, Goal 3, session 19 left19).
    const viaSidecar = zt === null && pod.hasSidecar === true && this.interception.inbound(pod, port);
    const sink = viaSidecar
      ? (route !== null ? route.destination(mtls, origin, pod, hostId, port) : this.sinks.destination(mtls, origin, pod, service, port))
      : zt !== null ? zt.sink(origin, pod, service, mtls) : null;
    // Its arrival time, one double: a HeapNumber for each call it is handed to that TurboFan did not
    // inline (the leg's constructor, the CPU pass), made once when it is one value.
    const arrival = this.sim.now + wireMs;
    // The server sidecar's worker it is pinned to, a part of the leg's state (no field of its own).
    const cpu = viaSidecar ? pod.proxy!.cpu : null;
    const worker = !viaSidecar ? 0 : cpu !== null ? cpu.worker(connKey) : (connKey >= 0 ? connKey : this.nextWorker++) % ENVOY_WORKERS;
    const leg = new InboundLeg(this, pod, req, responder, sink, arrival, origin, port, InboundLeg.stateOf(mtls, viaSidecar, worker));
    if (zt !== null) {
      const counted = (leg.extras().zt = new ZtunnelLeg());
      // A client whose own ztunnel does not count its connections: a proxy's pooled connection is
      // counted once (opened on its first request, closed with the pool's connection); a client
      // outside the mesh opens one per request.
      const from = origin.pod as Pod | null;
      if (from !== null && from.ambient !== true && from.hasSidecar && connKey >= 0) {
        counted.pooled = zt.pooled(from, pod, service, mtls, port, connKey, sink!, arrival);
      } else if (from?.ambient !== true) {
        counted.ownConnection = true;
        counted.service = service;
        sink!.connection?.(true, arrival);
      }
    }
    if (viaSidecar && this.log !== null && req.ctx) leg.traceStart(this.log, service);
    this.enter(pod, leg);
    let d = wireMs;
    if (viaSidecar) {
      this.telemetry.proxyPass();
      // Booked when sent, at its arrival time: the worker takes requests in the order they were
      // sent, which differs from their arrival order only by the network's jitter.
      if (cpu !== null) {
        cpu.at = arrival;
        cpu.book(worker, mtls, this.policies.filters(pod));
        d += cpu.delayMs;
      } else d += this.proxyLatency();
    } else if (zt !== null) d += zt.pass(pod, arrival, connKey, mtls);
    if (d > 0) this.sim.after(d, this.kArrive, leg);
    else this.toApp(leg);
  }

  /**
   * A request enters the pod: counted active and put first in the pod's list (to reset on a kill).
   * The list is null-terminated, not circular: into an empty circular list a leg took two stores into
   * the head (head.next and head.prev), here one, and the order of the list is the same.
   * The head is renewed every HEAD_RENEWAL entries: a head kept as long as the pod is in V8's old
   * generation after two scavenges, and each store of a new (young) leg into it is a write barrier's
   * slow path (Builtins_RecordWrite, ~52 instructions; V8 src/compiler/backend/x64/
   * code-generator-x64.cc kArchStoreWithWriteBarrier: an old host's page has
   * kPointersFromHereAreInterestingMask, a young one's not). A fresh head is young: one allocation
   * and one barrier (pod.inside) every HEAD_RENEWAL entries instead of one barrier per entry.
   */
  enter(pod: Pod, leg: PodLeg): void {
    this.active++;
    // A pod with no list yet (or reset) has no entries left: the first entry makes the head (and sets
    // the count again). One assignment and the renewal apart: the direct path's send inlines this, and
    // its bytecode counts against TurboFan's inlining budget there (docs/performance.md, Goal 2, session 23).
    const head = --pod.insideEntriesLeft < 0 ? renewedHead(pod, pod.inside as PodLeg | null, leg) : (pod.inside as PodLeg);
    const first = head.next;
    leg.next = first;
    leg.prev = head;
    if (first !== null) first.prev = leg;
    head.next = leg;
  }

  private toApp(leg: InboundLeg): void {
    if (leg.closed) return;
    const pod = leg.pod;
    if (pod.blackholed) {
      // Dropped on the way: no answer, no reset; only the caller's timeouts end it.
      leg.drop();
      return;
    }
    if (!pod.listening) {
      leg.refuse();
      return;
    }
    // A bit of the leg's state: a compare's boolean, not a field's value under V8's generic truth
    // test (docs/performance.md, Goal 3, sessions 19 `left19` and 22 `inb9`).
    if (leg.viaSidecar) {
      const port = leg.port;
      // STRICT: the inbound listener has no plaintext filter chain; the connection is closed.
      // https://istio.io/latest/docs/tasks/security/authentication/mtls-migration/
      if (!leg.mtls && this.policies.mode(pod, port) === "STRICT") {
        leg.close();
        return;
      }
      const denied = this.policies.check(pod, leg.req, leg.origin, leg.mtls, port);
      if (denied !== null) {
        leg.extras().details = denied.details;
        leg.onResponse(denied.status, denied.flags, denied.bytes);
        return;
      }
      // The inbound router, after the filter chain (its pool, its retries of a refused connect).
      this.router.route(leg);
      return;
    } else if (leg.zt !== null) {
      // The destination ztunnel closes a connection it does not admit (no HTTP answer).
      if (!this.ztunnel!.admit(pod, leg.origin, leg.mtls, leg.port)) {
        leg.close();
        return;
      }
    } else if (leg.mtls) {
      // mTLS sent to a port the sidecar does not capture: the plaintext app cannot answer the TLS
      // handshake, which fails at the client's sidecar as a connection failure — 503 UF with
      // "TLS_error: WRONG_VERSION_NUMBER", retriable as connect-failure, not a reset (UC).
      // https://istio.io/latest/docs/ops/common-problems/network-issues/#503-errors-after-setting-destination-rule
      leg.refuse();
      return;
    }
    if (pod.appUp !== true) {
      // Nothing listens on the app's port: the caller's connection is refused (through a sidecar
      // the inbound router sees the refusal: InboundRouter.route).
      leg.refuse();
      return;
    }
    leg.served = pod.app.arrive(leg.appReq, leg);
  }

  /**
   * The pod's app container died (the pod and its sidecar stay): the requests the app held lose
   * their connection to it. Through the server sidecar each becomes its 503 UC; without one the
   * caller's connection is reset.
   */
  appCrashed(pod: Pod): void {
    for (const leg of this.legsIn(pod)) if (leg.served !== null) leg.appReset();
  }

  /** The pod vanished with its node: what was inside it is never answered. */
  dropAll(pod: Pod): void {
    for (const leg of this.legsIn(pod)) leg.drop();
  }

  private legsIn(pod: Pod): PodLeg[] {
    const head = pod.inside as PodLeg | null;
    const legs: PodLeg[] = [];
    if (head !== null) for (let l = head.next; l !== null; l = l.next) legs.push(l);
    return legs;
  }

  /** The request left the pod (answered or reset). */
  left(leg: PodLeg): void {
    this.active--;
    const next = leg.next;
    leg.prev!.next = next;
    if (next !== null) next.prev = leg.prev;
    leg.prev = leg.next = null;
  }

  /** The pod stopped: every request inside gets its connection reset (the caller sees no response). */
  resetAll(pod: Pod): void {
    const head = pod.inside as PodLeg | null;
    if (head === null) return;
    pod.inside = null;
    pod.insideEntriesLeft = 0;
    const legs: PodLeg[] = [];
    // (reset() does not unlink: the whole list goes at once)
    for (let l = head.next; l !== null; l = l.next) legs.push(l);
    this.active -= legs.length;
    for (const leg of legs) leg.reset();
  }
}

/**
 * Entries into a pod between two renewals of its list's head (Inbound.enter). Chosen by measurement
 * (docs/performance.md, Goal 2, session 21 `podlist`): often enough that a head rarely outlives two
 * scavenges (thousands of requests apart), rarely enough that the allocation costs nothing.
 */
export const HEAD_RENEWAL = 1024;

/**
 * A new head for the pod's list (of `leg`'s class), taking the old head's place: the legs and their
 * order stay, the old head holds nothing. The first leg's `prev` is left to Inbound.enter, which links
 * `leg` in before it at once.
 */
function renewedHead(pod: Pod, old: PodLeg | null, leg: PodLeg): PodLeg {
  const head = leg.emptyHead();
  if (old !== null) {
    head.next = old.next;
    old.next = null;
  }
  pod.inside = head;
  pod.insideEntriesLeft = HEAD_RENEWAL - 1;
  return head;
}

/**
 * A request inside a pod, in the pod's list: an InboundLeg, or the direct path's leg to a pod with
 * no proxy (mesh/kube/direct-exchange.ts DirectLeg). The list's head is an empty one of the first's
 * class; the last leg's `next` is null.
 */
export interface PodLeg {
  prev: PodLeg | null;
  next: PodLeg | null;
  served: ServedRequest | null;
  /** An empty leg of its own class, for the head of a pod's list. */
  emptyHead(): PodLeg;
  appReset(): void;
  drop(): void;
  reset(): void;
}
