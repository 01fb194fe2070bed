// A request from a client with no sidecar (outside the mesh, a pod without injection, or
// `mesh.mode: none`): kube-proxy picks a ready endpoint of the Service, the packets cross the
// network, and the answer comes straight back. No routing rules, no retries, no mTLS.
import type { Simulator } from "../../engine/simulator.js";
import type { Inbound, PodLeg } from "../sidecar/inbound.js";
import type { ServedRequest } from "../app/app-server.js";
import type { Pod } from "./pod.js";
import type { Network } from "../network.js";
import type { ServiceRegistry, ServiceState } from "./service-registry.js";
import { HEAD_RESPONDER, type Exchange, type Origin, type OutgoingRequest, type Responder } from "../transport.js";

/** Call targets found by a scan before the registry's Map. */
const KNOWN_TARGETS = 8;

export class DirectPath {
  readonly kBack: number;
  /** The last target's Service (the registry's ServiceState objects live as long as the world): a
   *  load generator or an app calls one target again and again, so this saves a Map lookup a request. */
  private lastTarget: object | null = null;
  private lastService: ServiceState | undefined = undefined;
  /** Then the Services of the first targets seen, found by an identity scan before the registry's
   *  Map: an app calls a few targets in turn (Bookinfo's productpage two, so the last target alone
   *  missed at every call: docs/performance.md, Goal 3, session 19). */
  private readonly knownTargets: object[] = [];
  private readonly knownServices: (ServiceState | undefined)[] = [];
  constructor(
    readonly sim: Simulator,
    readonly network: Network,
    readonly registry: ServiceRegistry,
    readonly inbound: Inbound,
    /** Uniform draws for kube-proxy's random choice of endpoint. */
    readonly kubeProxyDraw: () => number,
  ) {
    this.kBack = sim.on((x: DirectExchange) => x.deliver());
    this.kLegArrive = sim.on((l: DirectLeg) => l.arrive());
    this.kLegBack = sim.on((a: DirectLegAnswer) => a.deliver());
  }

  readonly kLegArrive: number;
  readonly kLegBack: number;

  send(origin: Origin, req: OutgoingRequest, responder: Responder): Exchange {
    const t = req.target.resolved;
    // Only a service target draws kube-proxy's endpoint: `serviceOf` answers undefined for another.
    const svc = t === this.lastTarget ? this.lastService : this.serviceOf(t);
    const pod = svc === undefined ? undefined : svc.kubeProxyPick(this.kubeProxyDraw());
    // `=== true`: one compare, not V8's generic truth test of a bare field (docs/performance.md, Goal 3, left19).
    // Every other case in a method apart: this function is inlined into every app call's send, and its
    // bytecode counts against TurboFan's inlining budget there (docs/performance.md, Goal 2, session 23).
    if (pod === undefined || pod.hasSidecar === true || pod.ambient === true) return this.notDirect(origin, req, responder, svc, pod);
    // A pod with no proxy in front: one record for the whole exchange (DirectLeg).
    const leg = DirectLeg.of(this, pod, origin.pod, req, responder);
    const wireMs = this.network.between(origin.pod, pod);
    this.inbound.enter(pod, leg);
    if (wireMs > 0) this.sim.after(wireMs, this.kLegArrive, leg);
    else leg.arrive();
    return leg;
  }

  /** The target's Service (remembered as the last target's); undefined for a host outside the
   *  cluster or a name with no Service. */
  private serviceOf(t: OutgoingRequest["target"]["resolved"]): ServiceState | undefined {
    this.lastTarget = t;
    if (t.kind !== "service") return (this.lastService = undefined);
    const ks = this.knownTargets;
    for (let i = 0; i < ks.length; i++) if (ks[i] === t) return (this.lastService = this.knownServices[i]);
    const svc = this.registry.byFqdn.get(t.fqdn);
    if (ks.length < KNOWN_TARGETS) {
      ks.push(t);
      this.knownServices.push(svc);
    }
    return (this.lastService = svc);
  }

  /** Not a pod without a proxy: a host outside the cluster, a pod with a proxy in front, or no endpoint. */
  private notDirect(origin: Origin, req: OutgoingRequest, responder: Responder, svc: ServiceState | undefined, pod: Pod | undefined): Exchange {
    const t = req.target.resolved;
    if (t.kind !== "service") return this.outside(responder);
    // The registry's FQDN (same text as the target's): the server sidecar's inbound cluster names
    // this very string (istio.services[0]), so EdgeSinks.destination's compare of the two stops at
    // V8's identity check instead of comparing characters (docs/performance.md, Goal 3, left19).
    return this.viaExchange(origin, req, responder, svc !== undefined ? svc.fqdn : t.fqdn, pod);
  }

  // The other cases apart from `send`, so that TurboFan's inlining budget goes to the common one
  // (docs/performance.md, Goal 2, session 19).

  /** To a pod with a proxy in front (its inbound path), or to no endpoint. */
  private viaExchange(origin: Origin, req: OutgoingRequest, responder: Responder, fqdn: string, pod: Pod | undefined): Exchange {
    const x = new DirectExchange(this, responder);
    // No ready endpoint: kube-proxy rejects the connection; the client gets no HTTP answer.
    if (pod === undefined) x.answer(0, "-", 0);
    else {
      x.server = pod;
      x.client = origin.pod;
      this.inbound.receive(pod, req, origin, fqdn, false, x, this.network.between(origin.pod, pod));
    }
    return x;
  }

  /** A host outside the cluster answers after the round trip. */
  private outside(responder: Responder): Exchange {
    const x = new DirectExchange(this, responder);
    x.answer(200, "-", this.network.externalRoundTrip());
    return x;
  }

  back(delay: number, x: DirectExchange): void {
    if (delay > 0) this.sim.after(delay, this.kBack, x);
    else x.deliver();
  }
}

export class DirectExchange implements Exchange, Responder {
  /** The server's pod and the client's (for the network's distance). */
  server: object | null = null;
  client: object | null = null;
  private abandoned = false;
  private status = 0;
  private flags = "-";
  private bytes = 0;

  constructor(
    private readonly path: DirectPath,
    private readonly responder: Responder,
  ) {}

  abandon(): void {
    this.abandoned = true;
  }

  /** The server's answer travels back over the network; a refused connection answers at once. */
  onResponse(status: number, flags: string, bytes = 0): void {
    this.bytes = bytes;
    if (status === 0) this.answer(0, "-", 0);
    else this.answer(status, flags, this.path.network.between(this.server, this.client));
  }

  answer(status: number, flags: string, delay: number): void {
    this.status = status;
    this.flags = flags;
    this.path.back(delay, this);
  }

  deliver(): void {
    if (!this.abandoned) this.responder.onResponse(this.status, this.flags, this.bytes);
  }
}

/**
 * A request to a pod with no proxy in front of it (no sidecar, not ambient), in one record: what an
 * InboundLeg does on its plain path (mesh/sidecar/inbound-leg.ts: no sidecar, no ztunnel, plaintext) and
 * the DirectExchange's way back, without the two objects and the Responder call between them. Its
 * events are the same as theirs: the arrival after the one-way latency, the answer after the way back.
 */
export class DirectLeg implements Exchange, Responder, PodLeg {
  closed = false;
  prev: PodLeg | null = null;
  next: PodLeg | null = null;
  served: ServedRequest | null = null;

  constructor(
    private readonly path: DirectPath,
    readonly pod: Pod,
    /** The client's pod (for the network's distance back). */
    private readonly client: object | null,
    readonly req: OutgoingRequest,
    /** Its caller; ABANDONED once the caller gave it up (`abandon`). */
    private responder: Responder,
  ) {}

  /** A factory small enough (≤ 27 bytes of bytecode: `new this`, no load of the class from the module's
   *  scope) for TurboFan to inline at once; a `new` left out of `send` went through V8's generic
   *  construct stub on Node 22 (docs/performance.md, Goal 2, session 24, `lts`). */
  static of(path: DirectPath, pod: Pod, client: object | null, req: OutgoingRequest, responder: Responder): DirectLeg {
    return new this(path, pod, client, req, responder);
  }

  emptyHead(): DirectLeg {
    return new DirectLeg(this.path, this.pod, null, this.req, HEAD_RESPONDER);
  }

  /** It reaches the pod (Inbound's toApp on the plain path). */
  arrive(): void {
    const pod = this.pod;
    // The cases with no app to serve it in a method apart (TurboFan's inlining budget in the app
    // call's send, which inlines this: docs/performance.md, Goal 2, session 23).
    if (this.closed || pod.blackholed || !pod.listening || pod.appUp !== true) this.notServed();
    else this.served = pod.app.arrive(this.req, this);
  }

  private notServed(): void {
    if (this.closed) return;
    // Dropped on the way: no answer, no reset; only the caller's timeouts end it.
    if (this.pod.blackholed) this.drop();
    // Nothing listens (the pod, or its app's port): the connection is refused.
    else this.refuse();
  }

  /** The caller gave up (its own timeout): whatever answer comes, now or on its way back, reaches nobody.
   *  A responder that ignores it, not a flag: one field less in a record made for every request
   *  (docs/performance.md, Goal 2, session 27). */
  abandon(): void {
    this.responder = ABANDONED;
  }

  /**
   * The app's answer leaves the pod and travels back; no HTTP answer (0) comes back at once. An answer
   * with no way back to travel (no network latency, as M/M/c's) goes straight to the caller, without
   * `answer` and `deliver` between: this runs inlined in the app's answer, and their bytecode counted
   * against TurboFan's inlining budget there (docs/performance.md, Goal 2, session 24).
   */
  onResponse(status: number, flags: string, bytes = 0): void {
    if (this.closed) return;
    this.closed = true;
    const path = this.path;
    path.inbound.left(this);
    const delay = status === 0 ? 0 : path.network.between(this.pod, this.client);
    if (status !== 0 && delay <= 0) this.responder.onResponse(status, flags, bytes);
    else this.answerLater(status, flags, bytes, delay);
  }

  /** No HTTP answer, or an answer that travels. */
  private answerLater(status: number, flags: string, bytes: number, delay: number): void {
    if (status === 0) this.answer(0, "-", bytes);
    else this.answer(status, flags, bytes, delay);
  }

  private refuse(): void {
    this.closed = true;
    this.path.inbound.left(this);
    this.answer(0, "-", 0);
  }

  /** The app's end of the connection died: the caller's connection is reset. */
  appReset(): void {
    if (this.closed) return;
    if (this.served !== null) this.served.done = true;
    this.closed = true;
    this.path.inbound.left(this);
    this.answer(0, "-", 0);
  }

  /** Lost without a trace: nobody is told. */
  drop(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.served !== null) this.served.done = true;
    this.path.inbound.left(this);
  }

  /** The pod stopped: the connection is reset (the pod's list is dropped whole, no unlinking). */
  reset(): void {
    if (this.closed) return;
    this.closed = true;
    this.prev = this.next = null;
    const served = this.served;
    if (served !== null) {
      served.done = true;
      const log = this.path.inbound.log;
      if (log !== null && this.req.ctx && served.span !== null) log.closeSpan(served.span, this.path.sim.now);
    }
    this.answer(0, "-", 0);
  }

  /** The answer reaches the caller now, or after `delay` as an event carrying it (DirectLegAnswer). */
  private answer(status: number, flags: string, bytes: number, delay = 0): void {
    if (delay > 0) this.path.sim.after(delay, this.path.kLegBack, new DirectLegAnswer(this, status, flags, bytes));
    else this.responder.onResponse(status, flags, bytes);
  }

  /** An answer that travelled back reaches the caller (nobody, if it gave up meanwhile). */
  delivered(status: number, flags: string, bytes: number): void {
    this.responder.onResponse(status, flags, bytes);
  }
}

/**
 * A DirectLeg's answer on its way back over the network: made only when the answer travels, so that
 * the leg itself need not hold a status, flags and bytes it would use on that path alone (M/M/c's legs
 * answer with no latency: docs/performance.md, Goal 2, session 27). The caller is looked up when it
 * arrives, as one that gave up meanwhile must get nothing.
 */
class DirectLegAnswer {
  constructor(
    private readonly leg: DirectLeg,
    private readonly status: number,
    private readonly flags: string,
    private readonly bytes: number,
  ) {}

  deliver(): void {
    this.leg.delivered(this.status, this.flags, this.bytes);
  }
}

/** The responder of a leg whose caller gave up: the answer goes nowhere. */
const ABANDONED: Responder = { onResponse() {} };
