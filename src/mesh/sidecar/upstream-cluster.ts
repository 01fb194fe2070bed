// A client proxy's upstream cluster (`outbound|port|subset|host`): the endpoints this proxy knows,
// filtered by the subset's labels; its load balancer; its connection pool and circuit breakers; and,
// when the DestinationRule asks for it, its outlier detector with interval sweeps on the event loop.
import type { TlsSession } from "./tls-session-cache.js";
import type { MeshConfig } from "../../config/mesh-config.js";
import type { RandomStreams } from "../../engine/rng.js";
import type { Simulator } from "../../engine/simulator.js";
import type { TrafficPolicy } from "../../proxy/api/networking.js";
import { hasCircuitBreakerLimit, newClusterCounters, poolLimits, RetryTokens } from "../../proxy/pool-limits.js";
import { UpstreamPool, type PoolConnection } from "../../proxy/upstream-pool.js";
import { consistentHashOf, createLoadBalancer, drawsWhenCreated, istioPanicThresholdPercent, NO_HOST, owingDraws, type OwingSource, type PickContext } from "../../proxy/lb/index.js";
import type { HttpRequest } from "../../proxy/http-request.js";
import { HostSet } from "../../proxy/lb/host-set.js";
import type { LoadBalancer } from "../../proxy/lb/load-balancer.js";
import { OutlierDetector, istioOutlierConfig } from "../../proxy/outlier-detector.js";
import type { AttemptOutcome } from "../../proxy/route/retry-policy.js";
import type { CompiledDestination } from "../../proxy/route/destination.js";
import { selects, type Pod } from "../kube/pod.js";
import type { ServiceRegistry, ServiceState } from "../kube/service-registry.js";
import type { EndpointSnapshot, Translation } from "./proxy-xds.js";
import type { Cluster } from "../../proxy/config/cluster.js";

/** Where a cluster's endpoints come from: the proxy's last EDS push, or (PassthroughCluster) kube-proxy's truth. */
export interface EndpointSource {
  readonly eds: EndpointSnapshot;
}


/**
 * Envoy's worker threads of a proxy without a CPU model of its own (Istio's default concurrency:
 * its injected 2000m limit ⇒ 2). A proxy with one (pod.proxy.cpu) has `concurrency` workers.
 */
export const ENVOY_WORKERS = 2;

/**
 * Connection pools of a proxy's cluster: one per worker thread — Envoy's workers do not share pools,
 * each keeps its own per cluster ("Number of connection pools",
 * https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/upstream/connection_pooling; the
 * pools live in envoy source/common/upstream/cluster_manager_impl.h's thread-local cluster
 * manager). Circuit-breaker counts are shared by all of them (cluster-wide resource managers:
 * https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/upstream/circuit_breaking).
 */
export function poolsOf(pod: Pod | null): number {
  return pod?.proxy?.cpu?.concurrency ?? ENVOY_WORKERS;
}

/** What clusters need from the world. */
export interface ClusterContext {
  sim: Simulator;
  rng: RandomStreams;
  /** The services (each proxy sees their endpoints as its last EDS push had them). */
  registry: ServiceRegistry;
  /** Register a cluster's counters under its client workload (summed into the report). */
  registerCounters(sourceWorkload: string, cluster: string, counters: object): void;
  /** A host was ejected (with how long it stays out before a sweep returns it) or returned. */
  outlierEvent(cluster: string, pod: Pod, kind: "eject" | "uneject", now: number, durationMs?: number): void;
  /** Event kind whose payload is an UpstreamCluster to sweep. */
  kSweep: number;
  /** With nodes: the host set with localities and the locality LB istiod configures (mesh/kube/locality-host-set.ts). */
  hostSet?: ((hosts: readonly Pod[], client: Pod | null, policy: TrafficPolicy, service: ServiceState) => HostSet) | undefined;
  /** ambient: one of the cluster's upstream connections (worker `worker`'s pool) closed. */
  connectionClosed?: ((cluster: UpstreamCluster, worker: number, conn: PoolConnection) => void) | undefined;
  /** ambient: the waypoint Service whose endpoints an ingress gateway's cluster for this FQDN holds instead (mesh/waypoint/waypoint-hop.ts). */
  ingressWaypoint?: ((fqdn: string) => string | undefined) | undefined;
}

export class UpstreamCluster {
  private hosts: Pod[] = [];
  private index: ReadonlyMap<Pod, number> = NO_INDEX;
  /** Pool id (idOf) of each host of `hosts`, -1 until first picked (ids keep their order of first use). */
  private poolIds = new Int32Array(0);
  /** The pool id of the host the last `pick` returned (-1: none): the router needs no lookup. */
  pickedId = -1;
  /**
   * The index in the host list of the host the last `pick` returned, and the host list's generation
   * it belongs to (`at` trusts an index only of the current list): `started` and `finished` of a try
   * find the host's slot with no `Map` lookup unless the endpoints changed in between.
   */
  pickedIndex = -1;
  hostsGeneration = 0;
  /** Each pod is in `hosts` once (then an index of the current generation is the pod's `index` entry). */
  private distinctHosts = true;
  /**
   * The hosts and their balancer, built at the first pick (or sweep) from the endpoints the proxy
   * holds then: a cluster is made at its first use, so an empty set before it would be built and
   * dropped at once (thousands of times in a 1,000-service mesh: docs/performance.md, "Goal 4").
   */
  private set: HostSet = NO_HOSTS;
  private lb: LoadBalancer = NO_BALANCER;
  /**
   * Envoy runs one load balancer per worker thread. Where a balancer's own state decides the pick —
   * round robin's positions, an EDF schedule (slow start, unequal weights) — each worker has its
   * own here too (worker 0's is `lb`); least request, random and the hash balancers pick the same
   * from one shared balancer (their state is the hosts' active counts, shared by the workers in
   * Envoy too, and one random stream; the hash tables are shared in Envoy as well).
   */
  private workerLbs: (LoadBalancer | undefined)[] = [];
  private perWorker = false;
  private seenVersion = -1;
  private seenWaypoint: string | undefined = undefined;
  private readonly panic: number;
  /** Its stream, able to owe its balancers' draws (owed-draws.ts). */
  private readonly source: OwingSource;
  /** Stable numbers for hosts (connection pools and outlier detection keep state per host). */
  private readonly ids = new Map<Pod, number>();
  private readonly byId: Pod[] = [];
  readonly counters = newClusterCounters();
  /** One per worker thread; they hold the router's attempts while those wait for a connection. */
  readonly pools: UpstreamPool<unknown>[] = [];
  readonly retryTokens: RetryTokens;
  readonly outlier: OutlierDetector | null;
  /** The client proxy's pod (its certificate takes part in mTLS handshakes). */
  owner: Pod | null = null;
  /** Its upstream TLS context's stored session (sidecar-path.ts, tls-session-cache.ts). */
  tlsSession: TlsSession | null = null;
  /** Its connection pools have a circuit-breaker limit (max connections, pending or requests). */
  readonly limited: boolean;
  /** Its counters are in the report (from its first use: unused clusters stay out of summary.json). */
  registered = false;

  constructor(
    readonly name: string,
    private readonly service: ServiceState,
    private readonly labels: Readonly<Record<string, string>>,
    readonly policy: TrafficPolicy,
    private readonly ctx: ClusterContext,
    /** The cluster's random stream (rng.stream of its name). */
    stream: () => number,
    http2: boolean,
    /** The container port behind the cluster's service port (where the server's policies apply). */
    readonly targetPort: number,
    private readonly endpoints: EndpointSource,
    /** The proxy's worker threads: one connection pool each. */
    workers: number,
  ) {
    const od = policy.outlierDetection;
    this.panic = istioPanicThresholdPercent(od);
    // Its balancers may owe draws that cannot matter (one host: owed-draws.ts); shared with the
    // cluster of the same name that replaces it, which pays them before its first draw.
    this.source = owingDraws(stream);
    // The balancer made here for the empty set drew ROUND_ROBIN's start index from the stream; the
    // draw is kept so that every later one is the same.
    if (drawsWhenCreated(policy.loadBalancer)) this.source();
    const limits = poolLimits(policy.connectionPool, http2);
    this.limited = hasCircuitBreakerLimit(limits);
    this.openPools(limits, workers);
    this.retryTokens = new RetryTokens(limits, this.counters, policy.retryBudget);
    // Steps apart (pools, outlier detector): a constructor run once per cluster of 1,000 proxies is
    // compiled by TurboFan when its bytecode is long (docs/performance.md, Goal 4, session 20 `scale8`).
    this.outlier = od ? this.detectOutliers(od) : null;
    if (this.outlier) ctx.sim.at(this.outlier.nextSweepAt, ctx.kSweep, this);
  }

  /** One connection pool per worker thread. */
  private openPools(limits: ReturnType<typeof poolLimits>, workers: number): void {
    const closed = this.ctx.connectionClosed;
    for (let w = 0; w < workers; w++) {
      const pool = new UpstreamPool<unknown>(limits, this.counters);
      if (closed !== undefined) pool.onClose = (x) => closed(this, w, x);
      this.pools.push(pool);
    }
  }

  /** The DestinationRule's outlier detection over this cluster's hosts. */
  private detectOutliers(od: NonNullable<TrafficPolicy["outlierDetection"]>): OutlierDetector {
    const ctx = this.ctx;
    return new OutlierDetector(istioOutlierConfig(od), 0, ctx.sim.now, {
      onEject: (h, now) => {
        this.set.setHealthy(h, false);
        ctx.outlierEvent(this.name, this.hosts[h]!, "eject", now, this.outlier!.ejectionTimeMs(h));
      },
      onUneject: (h, now) => {
        this.set.setHealthy(h, true);
        ctx.outlierEvent(this.name, this.hosts[h]!, "uneject", now);
      },
    });
  }

  hostOf(id: number): Pod {
    return this.byId[id]!;
  }

  idOf(pod: Pod): number {
    let id = this.ids.get(pod);
    if (id === undefined) {
      id = this.byId.length;
      this.ids.set(pod, id);
      this.byId.push(pod);
    }
    return id;
  }

  /** Rebuild the host list when the endpoints this proxy knows have changed. */
  private refresh(): void {
    const eds = this.endpoints.eds;
    // An ingress gateway's cluster of a Service with istio.io/ingress-use-waypoint: istiod's EDS
    // gives it the waypoint's endpoints (HBONE), subsets aside (istio/istio
    // pilot/pkg/xds/endpoints/endpoint_builder.go BuildClusterLoadAssignment, findServiceWaypoint).
    const waypoint = this.owner?.gateway !== undefined ? this.ctx.ingressWaypoint?.(this.service.fqdn) : undefined;
    if (this.seenVersion === eds.version && this.seenWaypoint === waypoint) return;
    this.rebuild(eds, waypoint);
  }

  /**
   * The new host list, its index and host set. `refresh` runs at every pick and this once per
   * cluster and endpoint change: apart, and in short steps (`carryOver`, `rebalance`), so that V8's
   * TurboFan does not compile it for 1,000 proxies' first picks (a function run about once per proxy
   * is compiled when its bytecode is longer than about 270 bytes: docs/performance.md, Goal 4,
   * sessions 20 `scale7` and `scale8`).
   */
  private rebuild(eds: EndpointSnapshot, waypoint: string | undefined): void {
    this.seenVersion = eds.version;
    this.seenWaypoint = waypoint;
    const hosts = this.selectHosts(eds, waypoint);
    const old = this.set;
    const oldIndex = this.index;
    this.hosts = hosts;
    this.poolIds = new Int32Array(hosts.length).fill(-1);
    const index = indexOfHosts(hosts);
    this.index = index;
    this.hostsGeneration++;
    this.distinctHosts = index.size === hosts.length;
    this.set = this.ctx.hostSet?.(hosts, this.owner, this.policy, this.service) ?? new HostSet(hosts.map(() => 1));
    this.carryOver(old, oldIndex);
    this.rebalance();
  }

  /** The cluster's hosts in `eds`: the subset's pods of its service, or the waypoint's (a copy). */
  private selectHosts(eds: EndpointSnapshot, waypoint: string | undefined): Pod[] {
    if (waypoint !== undefined) return [...(eds.byFqdn.get(waypoint) ?? [])];
    return (eds.byFqdn.get(this.service.fqdn) ?? []).filter((p) => selects(this.labels, p.labels));
  }

  /** What the new host set keeps of the old one's per-host state (`old` indexed by `oldIndex`). */
  private carryOver(old: HostSet, oldIndex: ReadonlyMap<Pod, number>): void {
    // By place rather than over the index's [pod, place] pairs (an iterator and a destructuring that
    // made this step long enough for TurboFan); a pod listed twice has its last place only, as in the
    // index. Each host's state is its own, so the order of the places does not matter.
    const hosts = this.hosts;
    for (let i = 0; i < hosts.length; i++) {
      const p = hosts[i]!;
      if (!this.distinctHosts && this.index.get(p) !== i) continue;
      const j = oldIndex.get(p);
      if (j !== undefined) {
        this.set.active[i] = old.active[j]!;
        // Its slow-start clock goes on (Envoy keeps it on the Host: lastHcPassTime).
        this.set.markAvailable(i, old.availableSince[j]!);
      }
      // Slow start (a DR's warmup) clocks each host from when the cluster's load balancer first saw
      // it: the hosts of the cluster's first host list from the cluster's creation (CDS), a host
      // added later (scale-up) from its EDS update. Envoy's EdfLoadBalancerBase::recalculateHostsInSlowStart
      // sets lastHcPassTime to the current time for every host without one, at the balancer's first
      // refresh too (envoyproxy/envoy source/common/upstream/load_balancer_impl.cc). A cluster with
      // slow start is created with CDS and refreshed at each EDS push (warm, endpointsPushed), so
      // `now` is that time; a host of a cluster created with no endpoints arrives with its update.
      else this.set.markAvailable(i, this.ctx.sim.now);
    }
    if (this.outlier !== null) this.rehostOutliers(this.outlier, oldIndex);
  }

  /** Outlier state stays with each host across endpoint changes, as Envoy keeps a monitor per host. */
  private rehostOutliers(outlier: OutlierDetector, oldIndex: ReadonlyMap<Pod, number>): void {
    // Each host's place in the previous list (-1: new); the detector alone reads them.
    const previousIndexOf = new Int32Array(this.hosts.length);
    for (const [p, i] of this.index) previousIndexOf[i] = oldIndex.get(p) ?? -1;
    outlier.rehost(previousIndexOf);
    for (let i = 0; i < this.hosts.length; i++) if (outlier.isEjected(i)) this.set.setHealthy(i, false);
  }

  /** The load balancer of the new host set, and whether each worker needs its own. */
  private rebalance(): void {
    this.lb = createLoadBalancer(this.policy.loadBalancer, this.set, this.source, this.panic);
    const lbs = this.policy.loadBalancer;
    const warmup = lbs?.warmupDurationSecs;
    this.perWorker = lbs?.consistentHash === undefined && lbs?.simple !== "RANDOM" && lbs?.simple !== "PASSTHROUGH" &&
      (lbs?.simple === "ROUND_ROBIN" || (warmup !== undefined && warmup > 0) || !this.set.equalWeights);
    this.workerLbs = [];
  }

  /** The load balancer of worker `worker` (see workerLbs). */
  private lbOf(worker: number): LoadBalancer {
    if (!this.perWorker || worker === 0) return this.lb;
    return (this.workerLbs[worker] ??= createLoadBalancer(this.policy.loadBalancer, this.set, this.source, this.panic));
  }

  /**
   * A host for this request (hashed by the DestinationRule's consistentHash key when it has one),
   * avoiding `avoid` (previous hosts) when possible; undefined = none (UH).
   */
  pick(avoid: readonly Pod[] | null, req?: HttpRequest, sourceIp?: string, tried?: readonly Pod[] | null, worker = 0): Pod | undefined {
    this.refresh();
    // retryRemoteLocalities: Envoy's previous_priorities, update_frequency 2 (Istio's route/retry/retry.go).
    this.pickContext.excludedPriorities = tried != null && tried.length >= 2 ? this.attemptedPriorities(tried) : undefined;
    const ch = this.policy.loadBalancer?.consistentHash;
    const hash = ch !== undefined && req !== undefined ? consistentHashOf(ch, req, sourceIp) : undefined;
    const ctx = this.pickContext;
    ctx.avoid = avoid === null ? undefined : this.avoiding(avoid);
    ctx.hash = hash;
    ctx.now = this.ctx.sim.now;
    const i = this.lbOf(worker).pick(ctx);
    this.pickedIndex = i;
    if (i < 0) {
      this.pickedId = -1;
      return undefined;
    }
    let id = this.poolIds[i]!;
    if (id < 0) id = this.poolIds[i] = this.idOf(this.hosts[i]!);
    this.pickedId = id;
    return this.hosts[i];
  }

  private readonly pickContext: PickContext = {};

  /**
   * The retry host predicate over the host list. Made here, not in `pick`: a closure there made V8
   * allocate a context for `pick`'s captured variables at every call, with or without a retry
   * (docs/performance.md Goal 3, session 19).
   */
  private avoiding(avoid: readonly Pod[]): (h: number) => boolean {
    return (h) => avoid.includes(this.hosts[h]!);
  }

  /** The priorities of the hosts tried so far, counted in whole rounds of 2 attempts. */
  private attemptedPriorities(tried: readonly Pod[]): Uint8Array | undefined {
    if (this.set.priorityCount < 2) return undefined;
    const ex = new Uint8Array(this.set.priorityCount);
    const k = tried.length - (tried.length % 2);
    for (let i = 0; i < k; i++) {
      const h = this.index.get(tried[i]!);
      if (h !== undefined && this.set.priorityOf[h]! >= 0) ex[this.set.priorityOf[h]!] = 1;
    }
    return ex;
  }

  /**
   * The slot of `pod` in the current host list, given the index `picked` had in the list of
   * generation `generation` (undefined: not in the list any more).
   */
  private at(pod: Pod, picked: number, generation: number): number | undefined {
    return generation === this.hostsGeneration && this.distinctHosts && picked >= 0 ? picked : this.index.get(pod);
  }

  /** An attempt on `pod` (picked at index `picked` of host-list generation `generation`) has a connection. */
  started(pod: Pod, picked = -1, generation = -1): void {
    const i = this.at(pod, picked, generation);
    if (i !== undefined) this.set.active[i]!++;
  }

  /** An attempt on `pod` ended (`active`: it was counted by started); its outcome goes to outlier detection unless null (not the host's doing). */
  finished(pod: Pod, outcome: AttemptOutcome | null, now: number, active: boolean, picked = -1, generation = -1): void {
    const i = this.at(pod, picked, generation);
    if (i === undefined) return;
    if (active && this.set.active[i]! > 0) this.set.active[i]!--;
    if (outcome !== null && this.outlier !== null) this.outlier.reportResult(i, outcome, now);
  }

  /** Slow start is configured: when its hosts arrive decides the picks (UpstreamClusters.endpointsPushed). */
  get slowStart(): boolean {
    return (this.policy.loadBalancer?.warmupDurationSecs ?? 0) > 0;
  }

  /** Read the proxy's endpoints now (as Envoy's cluster does when it is created), not at the first pick. */
  takeEndpoints(): void {
    this.refresh();
  }

  /** The outlier detector's interval timer. */
  sweep(): void {
    const o = this.outlier!;
    this.refresh();
    o.sweep(this.ctx.sim.now);
    this.ctx.sim.at(o.nextSweepAt, this.ctx.kSweep, this);
  }
}

/**
 * Each host's place in `hosts`. Filled in a loop rather than from an array of [pod, index] pairs (one
 * array per host, and an iterator V8 compiles into the first refresh of a thousand clusters:
 * docs/performance.md, Goal 4). A pod listed twice keeps its first place and its last index, as the
 * pairs' constructor gives.
 */
function indexOfHosts(hosts: readonly Pod[]): Map<Pod, number> {
  const index = new Map<Pod, number>();
  for (let i = 0; i < hosts.length; i++) index.set(hosts[i]!, i);
  return index;
}

/** What a cluster holds before its first pick: nothing to choose from (it is never asked). */
const NO_HOSTS = new HostSet([]);
const NO_BALANCER: LoadBalancer = { policy: "RANDOM", pick: () => NO_HOST };
const NO_INDEX: ReadonlyMap<Pod, number> = new Map();

/** PassthroughCluster: plaintext to the dialled address; no DestinationRule applies. */
const PASSTHROUGH_POLICY: TrafficPolicy = Object.freeze({ tls: { mode: "DISABLE" } }) as TrafficPolicy;

/** One proxy's clusters for the config version it holds, created on first use. */
export class UpstreamClusters {
  private readonly byName = new Map<string, UpstreamCluster | null>();

  constructor(
    private readonly pod: Pod,
    private readonly config: MeshConfig,
    private readonly ctx: ClusterContext,
    /** Clusters of the previous config version: kept when their policy did not change. */
    private readonly previous: UpstreamClusters | null,
    /** The proxy's EDS state. */
    private readonly endpoints: EndpointSource,
    /** istiod's translation: which clusters the proxy holds under `config`, with what policy. */
    private readonly translation: Translation,
  ) {}

  /** A cluster already built under this name, if any. */
  existing(name: string): UpstreamCluster | undefined {
    return this.byName.get(name) ?? undefined;
  }

  /** The cluster a route destination names, or undefined when the proxy has no such cluster (NC). */
  get(d: CompiledDestination): UpstreamCluster | undefined {
    let c = this.byName.get(d.cluster);
    if (c === undefined) {
      c = this.build(d);
      this.byName.set(d.cluster, c);
    }
    if (c === null) return undefined;
    if (!c.registered) this.register(c);
    return c;
  }

  /**
   * PassthroughCluster toward a service outside the proxy's Sidecar scope (ALLOW_ANY): Envoy
   * forwards to the ClusterIP the app dialled, plaintext, and kube-proxy picks the pod; no
   * DestinationRule, subset or mTLS applies.
   * https://istio.io/latest/docs/ops/best-practices/traffic-management/#sidecar
   */
  passthrough(fqdn: string, port: number, truth: EndpointSource): UpstreamCluster | undefined {
    const key = `PassthroughCluster|${port}|${fqdn}`;
    let c = this.byName.get(key);
    if (c === undefined) {
      const svc = this.ctx.registry.byFqdn.get(fqdn);
      if (svc === undefined) return undefined;
      c = new UpstreamCluster("PassthroughCluster", svc, {}, PASSTHROUGH_POLICY, this.ctx, this.ctx.rng.stream(`lb:${this.pod.id}:${key}`), false, svc.targetPort(port), truth, poolsOf(this.pod));
      this.ctx.registerCounters(this.pod.workload, "PassthroughCluster", c.counters);
      this.byName.set(key, c);
    }
    return c ?? undefined;
  }

  private build(d: CompiledDestination): UpstreamCluster | null {
    // What the cluster is (subset, policy, protocol) is istiod's translation's to say.
    const held = this.translation.cluster(this.pod, this.config, d);
    return held === undefined ? null : this.create(held);
  }

  /** The runtime cluster of a translated one (the previous version's when its policy is unchanged). */
  private create(held: Cluster): UpstreamCluster | null {
    const svc = this.ctx.registry.byFqdn.get(held.host);
    if (svc === undefined) return null;
    const before = this.previous?.existing(held.name);
    let c: UpstreamCluster;
    if (before !== undefined && JSON.stringify(before.policy) === JSON.stringify(held.policy)) c = before;
    else {
      c = new UpstreamCluster(held.name, svc, held.subsetLabels, held.policy, this.ctx, this.ctx.rng.stream(`lb:${this.pod.id}:${held.name}`), held.http2, held.targetPort, this.endpoints, poolsOf(this.pod));
      c.owner = this.pod;
    }
    if (c.slowStart) this.slowStarts.push(c);
    return c;
  }

  /** The clusters with slow start (EDS pushes refresh them at once); most proxies have none. */
  private readonly slowStarts: UpstreamCluster[] = [];

  /** A cluster's first use: its counters go into the report under the client workload. */
  private register(c: UpstreamCluster): void {
    c.registered = true;
    this.ctx.registerCounters(this.pod.workload, c.name, c.counters);
    if (c.outlier) this.ctx.registerCounters(this.pod.workload, c.name, c.outlier.stats);
  }

  /**
   * CDS created these clusters: those with outlier detection exist now, so their detector's interval
   * timer starts now, as Envoy arms it when the cluster is created (DetectorImpl::initialize ends with
   * armIntervalTimer(); envoyproxy/envoy source/common/upstream/outlier_detection_impl.cc), not at the
   * cluster's first request; those with slow start too, whose first hosts' windows start now. The
   * others are built on first use (nothing of theirs depends on when they were created).
   */
  /**
   * An EDS push arrived: the clusters with slow start take it now, as Envoy's balancers refresh from
   * the priority set's update callbacks when the update lands (EdfLoadBalancerBase: refresh and
   * recalculateHostsInSlowStart; envoyproxy/envoy
   * source/extensions/load_balancing_policies/common/load_balancer_impl.cc), so an added host's
   * window, and the EDF-or-unweighted choice, date from then, not from the next pick.
   */
  endpointsPushed(): void {
    for (const c of this.slowStarts) c.takeEndpoints();
  }

  warm(cs: readonly Cluster[]): void {
    for (const c of cs) {
      if (c.direction !== "outbound" || c.type !== "EDS" || c.serviceEntry !== undefined) continue;
      // Slow start clocks the first hosts from the cluster's creation too (UpstreamCluster.refresh).
      const warmup = c.policy.loadBalancer?.warmupDurationSecs;
      if (c.policy.outlierDetection === undefined && !(warmup !== undefined && warmup > 0)) continue;
      if (this.byName.has(c.name)) continue;
      const made = this.create(c);
      this.byName.set(c.name, made);
      // Its first host list is the one it has now: slow start clocks those hosts from here.
      if (made !== null && warmup !== undefined && warmup > 0) made.takeEndpoints();
    }
  }
}
