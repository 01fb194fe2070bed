// istiod as an actor on the event loop. Config changes and endpoint changes both enter one debounce
// (PILOT_DEBOUNCE_AFTER / PILOT_DEBOUNCE_MAX; endpoint events are debounced too, as
// PILOT_ENABLE_EDS_DEBOUNCE=true by default) and merge into one PushRequest: any config change makes
// it a full push, endpoint changes alone an incremental EDS push. Each connected proxy whose Sidecar
// scope the change touches is queued (a proxy already queued merges the new request into its entry;
// one being pushed gets it after), and at most PILOT_PUSH_THROTTLE proxies are pushed at once. One
// push sends the types the change touches in istiod's order CDS, EDS, LDS, RDS; each type takes a
// share of pushTime plus a cost per resource sent, and the proxy applies it on arrival (ACK) unless
// Envoy rejects it (NACK: the type keeps its last accepted version). While istiod is down nothing is
// pushed; when it comes back every proxy reconnects and gets a full push.
// https://github.com/istio/istio/blob/master/pilot/pkg/xds/discovery.go (debounce),
// pilot/pkg/xds/pushqueue.go, pilot/pkg/xds/ads.go (PushOrder); https://www.envoyproxy.io/docs/envoy/latest/api-docs/xds_protocol#ack
import type { Simulator } from "../engine/simulator.js";
import type { MeshConfig } from "../config/mesh-config.js";
import type { SidecarScope } from "../config/sidecar-scope.js";
import { diffConfig } from "../config/config-diff.js";
import type { Pod } from "../mesh/kube/pod.js";
import type { Proxy } from "../mesh/proxy.js";
import type { EndpointSnapshot, ProxyXds, Translation } from "../mesh/sidecar/proxy-xds.js";
import { Debounce } from "./debounce.js";
import { pushTypes } from "./proxy-dependencies.js";
import { ALL_TYPES, CDS, EDS, LDS, PUSH_ORDER, PushRequest, RDS, TYPE_NAMES, countTypes, edsHostsOf, type XdsTypeName } from "./push-request.js";
import { configSize, resourcesSent } from "./config-size.js";
import { Generation, PushQueue, type PushEntry, type PushRecord } from "./push-queue.js";
import { EndpointIndex } from "./endpoint-index.js";
import { CertificateAuthority, ROOT_CA_TTL_MS, type WorkloadCertificate } from "./certificates.js";
import type { UniformSource } from "../engine/rng.js";

export interface ControlPlaneSettings {
  debounceAfterMs: number;
  debounceMaxMs: number;
  pushThrottle: number;
  /**
   * New ADS streams istiod admits per second (PILOT_MAX_REQUESTS_PER_SECOND: a token bucket of
   * burst 1). A connecting proxy's first config is sent on its own stream once admitted, outside
   * the push queue and PILOT_PUSH_THROTTLE.
   */
  requestsPerSecond: number;
  /** Per proxy push, shared by the types it sends. */
  pushTime: () => number;
  /** istiod's cost per resource generated and sent. */
  pushTimePerResourceMs: number;
  /** Workload certificate lifetime (mesh.certificates.workloadTTL). */
  workloadTtlMs: number;
  /** Draws of the agents' rotation jitter. */
  certJitter: UniformSource;
}

/** What istiod needs to know of the proxies (the world provides it). */
export interface XdsWorld {
  /** Every proxy ever started (stopped ones are not `connected`). */
  proxies(): Iterable<Pod>;
  /** The proxy of a pod `proxies()` yields: what it holds, and what it does when a push lands. */
  proxyOf(pod: Pod): Proxy;
  scopeOf(pod: Pod, config: MeshConfig): SidecarScope;
  /** istiod's translation (push sizing counts what it produces for each proxy). */
  readonly translation: Translation;
}

export interface ControlPlaneObserver {
  /** A proxy accepted (ACKed) one xDS type of a push. */
  pushed(pod: Pod, type: XdsTypeName, now: number): void;
  /** A proxy rejected (NACKed) one xDS type. */
  rejected(pod: Pod, type: XdsTypeName, reason: string, now: number): void;
  /** istiod started a push (after its debounce, or for the changes pending when it comes back up). */
  pushStarted(push: PushRecord, now: number): void;
  /** Every proxy a push reached has ACKed it; the push began with a change at `changedAt`. */
  converged(changedAt: number, now: number, proxies: number, push: PushRecord): void;
  /** A proxy got every type of one push (ACKed or NACKed). */
  proxyPushed(pod: Pod, now: number): void;
  /** A new proxy got its first full config. */
  bootstrapped(pod: Pod, now: number): void;
  /** The number of proxies behind istiod's latest config changed. */
  stale(count: number, now: number): void;
  /** istiod's CA signed a workload certificate. */
  certificateIssued(pod: Pod, now: number): void;
  /** A workload certificate expired before it could be rotated. */
  certificateExpired(pod: Pod, now: number): void;
}

/** A connecting proxy's stream gets its rate-limit token. */
class Admission {
  constructor(readonly entry: PushEntry, readonly epoch: number) {}
}

/** One type of one push arriving at the proxy. */
class Step {
  constructor(readonly entry: PushEntry, readonly order: number, readonly epoch: number, readonly baseMs: number) {}
}

export class ControlPlane {
  private readonly debounce: Debounce;
  private readonly endpointIndex: EndpointIndex;
  private readonly kDue: number;
  private readonly kStep: number;
  private timer = -1;
  private latest: MeshConfig;
  private latestEds: EndpointSnapshot;
  private pending: PushRequest | null = null;
  private up = true;
  /** Bumped when istiod goes down: pushes in flight are lost. */
  private epoch = 0;
  private readonly queue = new PushQueue();
  /** Pushes in flight that went through the push queue (PILOT_PUSH_THROTTLE counts these). */
  private throttled = 0;
  /** When istiod's stream rate limiter next has a token. */
  private nextTokenAt = -Infinity;
  private readonly kAdmit: number;
  /** New proxies waiting for istiod to come up. */
  private waiting: Pod[] = [];
  private staleCount = 0;
  pushes = 0;
  readonly pushesByType = { cds: 0, eds: 0, lds: 0, rds: 0 };
  readonly rejectsByType = { cds: 0, eds: 0, lds: 0, rds: 0 };

  constructor(
    private readonly sim: Simulator,
    private readonly s: ControlPlaneSettings,
    initial: MeshConfig,
    initialEds: EndpointSnapshot,
    private readonly world: XdsWorld,
    private readonly observer: ControlPlaneObserver,
  ) {
    this.debounce = new Debounce(s.debounceAfterMs, s.debounceMaxMs);
    this.latest = initial;
    this.latestEds = initialEds;
    this.endpointIndex = new EndpointIndex(initialEds);
    this.kDue = sim.on(() => this.due());
    this.kStep = sim.on((st: Step) => this.stepDone(st));
    this.kAdmit = sim.on((a: Admission) => this.admitted(a));
    this.ca = new CertificateAuthority(sim, s.workloadTtlMs, s.certJitter, () => this.up, {
      issued: (pod, _c, now) => observer.certificateIssued(pod, now),
      expired: (pod, now) => observer.certificateExpired(pod, now),
    });
    // The scenario's pods started before the run: each has a fresh certificate at 0.
    for (const pod of world.proxies()) if (pod.connected) this.ca.request(pod);
  }

  private readonly ca: CertificateAuthority;

  certificateOf(pod: Pod): WorkloadCertificate | undefined {
    return this.ca.certificateOf(pod);
  }

  readonly rootCertificate = { serial: "1", notBeforeMs: 0, notAfterMs: ROOT_CA_TTL_MS };

  /** The newest snapshot (what istiod would push next). */
  get config(): MeshConfig {
    return this.latest;
  }

  get isUp(): boolean {
    return this.up;
  }

  /** A config change reaches istiod (a full push once debounced). */
  change(config: MeshConfig): void {
    const d = diffConfig(this.latest, config);
    this.latest = config;
    const req = this.request();
    req.full = true;
    for (const k of d.kinds) req.kinds.add(k);
    for (const h of d.hosts) req.hosts!.add(h);
    for (const n of d.sidecars) req.sidecars.add(n);
    req.addSecurityNamespaces(d.securityNamespaces);
    const one = new PushRequest(this.sim.now);
    one.full = true;
    for (const k of d.kinds) one.kinds.add(k);
    one.hosts = new Set(d.hosts);
    for (const n of d.sidecars) one.sidecars.add(n);
    one.addSecurityNamespaces(d.securityNamespaces);
    this.markStale(one);
    this.event();
  }

  /**
   * Endpoints changed (a pod started, became ready, stopped): an incremental EDS push once debounced,
   * or a full push for a service istiod has no endpoints entry for yet or whose service accounts
   * changed (xds/endpoint-index.ts), which istiod files as a ServiceEntry change of that host.
   */
  endpointsChanged(eds: EndpointSnapshot, services: readonly string[]): void {
    this.latestEds = eds;
    if (services.length === 0) return;
    const req = this.request();
    const one = new PushRequest(this.sim.now);
    for (const s of services) {
      if (this.endpointIndex.update(s, eds.byFqdn.get(s) ?? [])) {
        for (const r of [req, one]) {
          r.full = true;
          r.kinds.add("ServiceEntry");
          r.hosts?.add(s);
        }
      } else {
        req.endpoints.add(s);
        one.endpoints.add(s);
      }
    }
    this.markStale(one);
    this.event();
  }

  /** A new proxy connects: it is sent everything at once (not debounced), or waits for istiod. */
  connect(pod: Pod): void {
    const x = this.world.proxyOf(pod).xds;
    if (!x.stale) {
      x.stale = true;
      this.staleCount++;
      this.observer.stale(this.staleCount, this.sim.now);
    }
    if (!this.up) {
      this.waiting.push(pod);
      return;
    }
    // istio-agent gets the certificate (SDS) while Envoy asks for its config.
    this.ca.request(pod);
    const e = this.enqueue(pod, ALL_TYPES, [], null, true);
    e.bootstrap = true;
    this.startPushes();
  }

  setUp(up: boolean): void {
    if (up === this.up) return;
    this.up = up;
    if (!up) {
      // Connections to istiod break: queued and in-flight pushes are lost.
      this.epoch++;
      if (this.timer >= 0) this.sim.cancel(this.timer);
      this.timer = -1;
      this.waiting.push(...this.queue.clear());
      this.throttled = 0;
      return;
    }
    // Every proxy reconnects and gets a full push of the latest config; the changes still open
    // converge when the last of them has it.
    const gens: Generation[] = [...this.open];
    let started: Generation | null = null;
    if (this.pending !== null) {
      started = this.generation(this.pending);
      gens.push(started);
      this.pending = null;
      this.debounce.flush();
    }
    this.open.clear();
    const waiting = new Set(this.waiting);
    this.waiting = [];
    for (const pod of waiting) if (pod.alive && this.ca.certificateOf(pod) === undefined) this.ca.request(pod);
    this.ca.retryWaiting();
    let n = 0;
    for (const pod of this.world.proxies()) {
      if (!pod.connected) continue;
      const bootstrap = waiting.has(pod) || !this.world.proxyOf(pod).xds.bootstrapped;
      // Every proxy opens a new stream (rate-limited) and asks for everything on it.
      const e = this.enqueue(pod, ALL_TYPES, bootstrap ? [] : gens, null, true);
      if (bootstrap) e.bootstrap = true;
      else n++;
    }
    if (started !== null) this.observer.pushStarted(started, this.sim.now);
    for (const g of gens) {
      g.remaining = n;
      // The record describes the push that completes it: this one, to every proxy.
      g.proxies = n;
      g.rejected = 0;
      this.open.add(g);
      if (n === 0) this.finishGeneration(g, 0);
    }
    this.startPushes();
  }

  private readonly open = new Set<Generation>();
  private generations = 0;

  private generation(req: PushRequest): Generation {
    return Generation.of(this.generations++, req);
  }

  private request(): PushRequest {
    if (this.pending === null) this.pending = new PushRequest(this.sim.now);
    return this.pending;
  }

  /** An event enters the debounce; its timer starts with a burst's first event (discovery.go debounce). */
  private event(): void {
    this.debounce.event(this.sim.now);
    if (!this.up || this.timer >= 0) return;
    this.timer = this.sim.at(Math.max(this.sim.now, this.debounce.dueAt()), this.kDue);
  }

  /** The proxies a change leaves behind are stale from the moment istiod has it. */
  private markStale(req: PushRequest): void {
    let changed = false;
    for (const pod of this.world.proxies()) {
      if (!pod.connected) continue;
      const x = this.world.proxyOf(pod).xds;
      if (x.stale || !x.bootstrapped) continue;
      if (this.needs(pod, x, req) !== 0) {
        x.stale = true;
        this.staleCount++;
        changed = true;
      }
    }
    if (changed) this.observer.stale(this.staleCount, this.sim.now);
  }

  /** The xDS types a push request sends this proxy (0: the change is outside its scope). */
  needs(pod: Pod, x: ProxyXds, req: PushRequest): number {
    // The scope the proxy was last pushed under (istiod's PrevSidecarScope) also counts.
    return pushTypes(pod, this.world.scopeOf(pod, this.latest), this.world.scopeOf(pod, x.rds), req);
  }

  private due(): void {
    this.timer = -1;
    if (!this.up || this.pending === null) return;
    // Not quiet for debounceAfter yet, and the burst is younger than debounceMax: look again later.
    if (!this.debounce.check(this.sim.now)) {
      this.timer = this.sim.at(this.debounce.dueAt(), this.kDue);
      return;
    }
    const req = this.pending;
    this.pending = null;
    this.debounce.flush();
    this.pushes++;
    const gen = this.generation(req);
    for (const pod of this.world.proxies()) {
      if (!pod.connected) continue;
      const x = this.world.proxyOf(pod).xds;
      // A proxy whose stream istiod has not admitted yet is not one of its clients (StartPush pushes
      // AllClients): it gets the latest config when admitted, and this push does not wait for it.
      if (this.queue.waiting(pod)?.connection === true) continue;
      // A proxy still being bootstrapped gets the change after its first push (merged into its entry).
      const types = x.bootstrapped ? this.needs(pod, x, req) : ALL_TYPES;
      if (types === 0) continue;
      gen.remaining++;
      gen.proxies++;
      this.enqueue(pod, types, [gen], edsHostsOf(req));
    }
    this.observer.pushStarted(gen, this.sim.now);
    this.open.add(gen);
    if (gen.remaining === 0) this.finishGeneration(gen, 0);
    this.startPushes();
  }

  private enqueue(pod: Pod, types: number, gens: readonly Generation[], endpoints: ReadonlySet<string> | null, connection = false): PushEntry {
    return this.queue.add(pod, types, gens, endpoints, connection ? this.admit : null);
  }

  /**
   * A new stream waits for a token of istiod's rate limiter (rate.NewLimiter(RequestLimit, 1):
   * one every 1/RequestLimit s). istiod refuses a stream that would wait over 1 s and the client
   * retries with back-off; meshsim lets it wait its turn instead (the fastest reconnection the limit allows).
   * https://github.com/istio/istio/blob/master/pilot/pkg/xds/discovery.go (WaitForRequestLimit)
   */
  private readonly admit = (e: PushEntry): void => {
    e.connection = true;
    const at = Math.max(this.sim.now, this.nextTokenAt);
    this.nextTokenAt = at + 1000 / this.s.requestsPerSecond;
    this.sim.at(at, this.kAdmit, new Admission(e, this.epoch));
  };

  /** The stream is admitted: istiod answers its requests at once, outside the push queue. */
  private admitted(a: Admission): void {
    if (a.epoch !== this.epoch) return;
    const e = a.entry;
    if (this.queue.waiting(e.pod) !== e) return;
    this.take(e);
  }

  /** A queued entry leaves the queue: pushed, unless its proxy disconnected meanwhile. */
  private take(e: PushEntry): void {
    this.queue.leave(e, e.pod.connected);
    if (e.pod.connected) this.start(e);
    else this.done(e);
  }

  private start(e: PushEntry): void {
    if (!e.connection) this.throttled++;
    e.config = this.latest;
    e.eds = this.latestEds;
    this.sim.after(0, this.kStep, new Step(e, -1, this.epoch, this.s.pushTime() / countTypes(e.types)));
  }

  private startPushes(): void {
    while (this.up && this.throttled < this.s.pushThrottle) {
      const e = this.queue.next();
      if (e === undefined) break;
      this.take(e);
    }
  }

  /** The next type of a push arrives at the proxy (order -1: the push starts). */
  private stepDone(st: Step): void {
    if (st.epoch !== this.epoch) return;
    const e = st.entry;
    if (st.order >= 0) {
      if (!e.pod.connected) {
        this.finish(e);
        this.done(e);
        this.startPushes();
        return;
      }
      this.apply(e, PUSH_ORDER[st.order]!);
    }
    let next = st.order + 1;
    while (next < PUSH_ORDER.length && (e.types & PUSH_ORDER[next]!) === 0) next++;
    if (next < PUSH_ORDER.length) {
      const t = PUSH_ORDER[next]!;
      const ms = st.baseMs + this.s.pushTimePerResourceMs * this.resources(e, t);
      this.sim.after(ms, this.kStep, new Step(e, next, st.epoch, st.baseMs));
      return;
    }
    this.finish(e);
    this.observer.proxyPushed(e.pod, this.sim.now);
    const x = this.world.proxyOf(e.pod).xds;
    if (e.bootstrap && !x.bootstrapped) {
      x.bootstrapped = true;
      this.observer.bootstrapped(e.pod, this.sim.now);
    }
    this.done(e);
    this.queue.requeueNext(e);
    this.startPushes();
  }

  private finish(e: PushEntry): void {
    this.queue.finished(e);
    if (!e.connection) this.throttled--;
  }

  /** How many resources of a type this push sends the proxy. */
  private resources(e: PushEntry, type: number): number {
    return resourcesSent(configSize(this.world.translation, e.pod, e.config!), type, e.bootstrap ? null : e.endpoints);
  }

  private apply(e: PushEntry, type: number): void {
    const x = this.world.proxyOf(e.pod).xds;
    const name = TYPE_NAMES[type]!;
    const config = e.config!;
    // The proxy decides: it ACKs or NACKs the route configurations istiod translated for it.
    const reason = type === RDS ? x.routesRejection(this.world.translation.routeConfigurations(e.pod, config)) : null;
    if (reason !== null) {
      // NACK: Envoy keeps the routes it had; istiod does not resend until config changes.
      this.rejectsByType[name]++;
      for (const g of e.gens) g.rejected++; // one per proxy and push: only RDS is ever rejected
      this.observer.rejected(e.pod, name, reason, this.sim.now);
      x.rejected |= type; // the proxy stays stale until a later push of this type is accepted
      return;
    }
    x.rejected &= ~type;
    switch (type) {
      case CDS: x.cds = config; this.world.proxyOf(e.pod).clustersPushed(); break;
      case EDS:
        x.eds = e.eds!;
        this.world.proxyOf(e.pod).endpointsPushed?.();
        break;
      case LDS: x.lds = config; break;
      default: x.rds = config;
    }
    this.pushesByType[name]++;
    this.observer.pushed(e.pod, name, this.sim.now);
  }

  private done(e: PushEntry): void {
    const x = this.world.proxyOf(e.pod).xds;
    if (x.stale && ((x.rejected === 0 && e.next === null && this.queue.waiting(e.pod) === undefined) || !e.pod.connected)) this.fresh(x);
    for (const g of e.gens) if (--g.remaining === 0) this.finishGeneration(g, this.countConnected());
  }

  private fresh(x: ProxyXds): void {
    x.stale = false;
    this.staleCount--;
    this.observer.stale(this.staleCount, this.sim.now);
  }

  /** A proxy's pod stopped: it no longer counts as behind. */
  disconnect(pod: Pod): void {
    const x = this.world.proxyOf(pod).xds;
    if (x.stale) this.fresh(x);
  }

  private countConnected(): number {
    let n = 0;
    for (const p of this.world.proxies()) if (p.connected) n++;
    return n;
  }

  private finishGeneration(g: Generation, proxies: number): void {
    this.open.delete(g);
    this.observer.converged(g.changedAt, this.sim.now, proxies, g);
  }
}
