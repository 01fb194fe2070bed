// The simulated world: builds pods, apps, proxies and load generators from a scenario, runs the
// event loop for the simulated duration, then lets in-flight requests drain.
import type { KubernetesGateway } from "../proxy/api/gateway-api.js";
import { GATEWAY_NAME_LABEL, generatedGatewayKey } from "../config/gateway-api/gateway-api-config.js";
import { PodResources } from "./kube/pod-resources.js";
import { Interception } from "./sidecar/interception.js";
import { INGRESS_GATEWAY_WORKLOAD } from "../scenario/expectation.js";
import { ingressGatewayLabels } from "../scenario/ingress-gateway-labels.js";
import { LATENCY_ANNOTATION } from "../scenario/resource-kinds.js";
import { LATENCY_LABEL } from "../scenario/kinds/networking.js";
import { ExternalEndpoints } from "./sidecar/external-endpoints.js";
import type { TrafficPolicy } from "../proxy/api/networking.js";
import { parseDuration } from "../scenario/duration.js";
import { InboundPolicies } from "./sidecar/inbound-policy.js";
import { DEFAULT_ROOT_NAMESPACE } from "../proxy/security/policy-scope.js";
import { Simulator } from "../engine/simulator.js";
import { RandomStreams } from "../engine/rng.js";
import { compileDistribution } from "../engine/distributions/compile.js";
import type { DistributionSpec } from "../engine/distributions/spec.js";
import type { CallTarget, Deployment, Scenario, TimelineAction, Workload, WorkloadBehaviour } from "../scenario/model.js";
import { AppCalls } from "./app/app-call.js";
import { AppServer, Apps, type AppObserver } from "./app/app-server.js";
import { compileBehaviour, type CompiledBehaviour } from "./app/compiled-script.js";
import { DirectPath } from "./kube/direct-exchange.js";
import { EdgeSinks } from "./edge-sinks.js";
import { Inbound } from "./sidecar/inbound.js";
import { LoadGeneratorRunner, type ClientSink } from "./app/load-generator.js";
import type { MeshTelemetry } from "./mesh-telemetry.js";
import { Network } from "./network.js";
import { Pod, podIp, selects } from "./kube/pod.js";
import { ServiceRegistry } from "./kube/service-registry.js";
import { SidecarPath } from "./sidecar/sidecar-path.js";
import { injectsSidecar } from "./kube/sidecar-injection.js";
import { Timeline } from "./timeline.js";
import { PodLifecycle, type PodStartSpec } from "./kube/pod-lifecycle.js";
import { DEFAULTS } from "../scenario/defaults.js";
import { applyResources, deleteResource, initialConfig, type MeshConfig } from "../config/mesh-config.js";
import type { AnyResource } from "../scenario/model.js";
import { ProxyRouting } from "./sidecar/proxy-routing.js";
import { UpstreamClusters, type ClusterContext, type UpstreamCluster } from "./sidecar/upstream-cluster.js";
import { ProxyXds, type EndpointSnapshot, type Translation } from "./sidecar/proxy-xds.js";
import { sidecarScope, type ScopedHost, type SidecarScope } from "../config/sidecar-scope.js";
import type { Exchange, Origin, OutgoingRequest, Responder, Transport } from "./transport.js";
import type { RequestLog } from "../telemetry/request-log.js";
import { LOG_EPOCH_MS } from "../telemetry/log-epoch.js";
import { ClusterNodes } from "./kube/cluster-nodes.js";
import { CrossZoneTraffic } from "../telemetry/cross-zone-traffic.js";
import { crossZoneSink } from "./kube/cross-zone-sink.js";
import { networkDistance } from "./kube/network-distance.js";
import { localityHostSet } from "./kube/locality-host-set.js";
import { TopologyFaults } from "./kube/topology-faults.js";
import { readNetworkTopology } from "../scenario/network-topology.js";

/** The control plane as the world sees it (xds/control-plane.ts implements it). */
export interface ConfigDistributor {
  /** A new snapshot of the mesh's config (from the timeline). */
  change(config: MeshConfig): void;
  /** Kubernetes' endpoints changed for these services. */
  endpointsChanged(eds: EndpointSnapshot, services: readonly string[]): void;
  /** A new sidecar asks for its config. */
  connect(pod: Pod): void;
  /** A sidecar's pod stopped. */
  disconnect(pod: Pod): void;
  setUp(up: boolean): void;
  readonly isUp: boolean;
  /** The workload certificate istio-agent holds for a pod (SDS `default`). */
  certificateOf(pod: Pod): { serial: string; notBeforeMs: number; notAfterMs: number; rotateAtMs: number } | undefined;
  readonly rootCertificate: { serial: string; notBeforeMs: number; notAfterMs: number };
}

export interface DistributorFactory {
  (sim: Simulator, rng: RandomStreams, initial: MeshConfig, initialEds: EndpointSnapshot, world: World): ConfigDistributor;
}

/** What the world needs from telemetry besides the per-request sinks. */
export interface WorldTelemetry extends MeshTelemetry {
  client(name: string): ClientSink;
  pod(name: string, concurrency: number): AppObserver;
  event(tMs: number, kind: string, detail: Record<string, string | number>): void;
  clusterCounters(sourceWorkload: string, cluster: string, counters: object): void;
  podEjected(pod: string): void;
}

export interface RunStats {
  events: number;
  simulatedMs: number;
  /** Requests still in flight when the drain limit was reached (not counted anywhere). */
  unfinished: number;
}

/** After the load stops, in-flight requests get this much more simulated time to finish. */
const DRAIN_LIMIT_MS = 300_000;

export class World implements Transport {
  readonly sim = new Simulator();
  readonly rng: RandomStreams;
  readonly registry: ServiceRegistry;
  /** Every pod ever started, by `Pod.id`. */
  readonly pods = new Map<string, Pod>();
  readonly podsByDeployment = new Map<string, Pod[]>();
  readonly network: Network;
  readonly inflight = { n: 0 };
  private readonly calls: AppCalls;
  private readonly apps: Apps;
  private readonly inbound: Inbound;
  private readonly direct: DirectPath;
  readonly interception: Interception;
  readonly sidecars: SidecarPath;
  private readonly generators: LoadGeneratorRunner[] = [];
  private readonly behaviours = new Map<string, CompiledBehaviour>();
  private podCount = 0;
  readonly durationMs: number;
  /** The mesh's desired Istio config (what istiod has); each proxy routes by the version it was pushed. */
  config: MeshConfig;
  /** What each sidecar holds from istiod, per xDS type. */
  private readonly xds = new Map<Pod, ProxyXds>();
  private initialConfig!: MeshConfig;
  readonly distributor: ConfigDistributor;
  private readonly kKill: number;
  private readonly lifecycle: PodLifecycle;
  /** The pods' containers as CPU consumers (mesh/kube/pod-resources.ts). */
  readonly resources: PodResources;
  /** Per Workload: draws how long its app takes to start. */
  private readonly appStartups = new Map<Workload | undefined, () => number>();
  /** Services as Sidecar scoping sees them. */
  private readonly scopedHosts: ScopedHost[];
  /** Pods are being built from the scenario (they start with the initial config, already pushed). */
  private building = true;
  /** istiod's translation: what each proxy holds of a config version. */
  readonly translation: Translation;
  /** Nodes, zones and locality (mesh/kube/); null without Node documents: one implicit node. */
  readonly nodes: ClusterNodes | null;
  /** Requests and bytes that crossed zones; null without nodes. */
  readonly crossZone: CrossZoneTraffic | null;
  private readonly faults: TopologyFaults | null;

  constructor(
    readonly scenario: Scenario,
    readonly telemetry: WorldTelemetry,
    opts: {
      seed: number; durationMs: number; log?: RequestLog | null;
      /** istiod's translation (xds/translation/translator.ts), built on this world's registry and scopes. */
      translation: (world: World) => Translation;
    },
    distributor: DistributorFactory,
  ) {
    const simSpec = scenario.simulation;
    this.durationMs = opts.durationMs;
    this.rng = new RandomStreams(opts.seed);
    this.registry = new ServiceRegistry(scenario.services);
    this.translation = opts.translation(this);
    this.network = new Network(
      this.sampler(simSpec.network.latency, "network"),
      this.sampler(simSpec.network.external.latency, "network:external"),
    );
    // Nodes (mesh/kube/): scheduling, latency by distance, cross-zone counts, locality LB, faults.
    const nodes = (this.nodes = (scenario.nodes?.length ?? 0) > 0 ? new ClusterNodes(scenario.nodes!, this.rng.stream("kube-scheduler")) : null);
    const crossZone = (this.crossZone = nodes !== null ? new CrossZoneTraffic(simSpec.warmupMs) : null);
    if (nodes !== null) {
      const kRetry = this.sim.on(() => { retryQueued = false; nodes.retryPending(); });
      let retryQueued = false;
      nodes.onRoom = () => { if (!retryQueued) { retryQueued = true; this.sim.after(0, kRetry); } };
    }
    if (nodes !== null) this.network.distance = networkDistance(nodes, simSpec.topology ?? readNetworkTopology(undefined, simSpec.network.latency), (d, n) => this.sampler(d, n));
    this.calls = new AppCalls(this.sim, this);
    const log = opts.log ?? null;
    this.apps = new Apps(this.sim, this.calls, log);
    const proxyLatency = this.sampler(simSpec.mesh.proxy.latency, "proxy:latency");
    this.resources = new PodResources(this.sim, simSpec.mesh, proxyLatency, {
      accessLog: simSpec.report.accessLog,
      traceSample: simSpec.report.traces.enabled ? simSpec.report.traces.sample : 0,
    });
    const sinks = new EdgeSinks(telemetry, nodes !== null && crossZone !== null ? (o, d, x) => crossZoneSink(nodes, crossZone, o, d, x) : null);
    // JWT exp/nbf are Unix seconds: read against the same calendar the access log prints (simulated
    // 0 = 2024-01-01T00:00:00Z), so a token that expired in real time is expired here too.
    const policies = new InboundPolicies((pod) => this.xdsOf(pod), DEFAULT_ROOT_NAMESPACE, () => (LOG_EPOCH_MS + this.sim.now) / 1000);
    this.interception = new Interception(this.registry);
    const targetPorts = new Map<CallTarget, number>();
    this.inbound = new Inbound(this.sim, telemetry, proxyLatency, sinks, policies, (t) => {
      let p = targetPorts.get(t);
      if (p === undefined) {
        p = t.resolved.kind === "service" ? this.registry.byFqdn.get(t.resolved.fqdn)?.targetPort(t.port) ?? t.port : t.port;
        targetPorts.set(t, p);
      }
      return p;
    }, this.interception, log);
    this.direct = new DirectPath(this.sim, this.network, this.registry, this.inbound, this.rng.stream("kube-proxy"));
    this.config = initialConfig(scenario);
    const clusterCtx: ClusterContext = {
      sim: this.sim,
      rng: this.rng,
      registry: this.registry,
      registerCounters: (w, name, counters) => telemetry.clusterCounters(w, name, counters),
      outlierEvent: (cluster, pod, kind, now, durationMs) => {
        if (kind === "eject") telemetry.podEjected(pod.id);
        telemetry.event(now, kind === "eject" ? "ejection" : "unejection", {
          cluster, pod: pod.id, ...(durationMs !== undefined ? { durationMs } : {}),
        });
      },
      kSweep: this.sim.on((c: UpstreamCluster) => c.sweep()),
      hostSet: nodes === null ? undefined : (hosts, client, policy, svc) => localityHostSet(nodes, hosts, client, policy, svc.spec),
    };
    const clusterSets = new Map<Pod, UpstreamClusters>();
    this.initialConfig = this.config;
    this.scopedHosts = [...this.registry.byFqdn.values()].map((s) => ({ fqdn: s.fqdn, namespace: s.spec.metadata.namespace }));
    const externalLbDraw = this.rng.stream("proxy:external-lb");
    const routing = new ProxyRouting(
      (pod) => this.xdsOf(pod),
      (pod, config) => {
        const set = new UpstreamClusters(pod, config, clusterCtx, clusterSets.get(pod) ?? null, this.xdsOf(pod), this.translation);
        clusterSets.set(pod, set);
        return set;
      },
      this.translation,
      (se) => {
        const fixed = se?.metadata.annotations[LATENCY_ANNOTATION];
        if (fixed === undefined) return this.network.externalRoundTrip;
        const ms = parseDuration(fixed);
        return () => ms;
      },
      this.registry,
      (se, policy) => {
        // STATIC and DNS with endpoints: a cluster of them; NONE, and DNS without endpoints (the
        // host resolves itself), stay one endpoint.
        const eps = se.spec.endpoints;
        const r = se.spec.resolution;
        if ((r !== "STATIC" && r !== "DNS") || eps === undefined || eps.length === 0) return null;
        const fixed = se.metadata.annotations[LATENCY_ANNOTATION];
        const entryTrip = fixed === undefined ? this.network.externalRoundTrip : constant(parseDuration(fixed));
        return new ExternalEndpoints(
          eps.map((ep, i) => ({ id: ep.address ?? String(i), weight: ep.weight !== undefined && ep.weight > 0 ? ep.weight : 1, labels: ep.labels ?? {} })),
          eps.map((ep) => {
            const own = ep.labels?.[LATENCY_LABEL];
            return own === undefined ? entryTrip : constant(parseDuration(own));
          }),
          eps.map((ep) => externalMtls(se.spec.location, ep.labels, policy)),
          policy?.loadBalancer, externalLbDraw,
        );
      },
    );
    this.kKill = this.sim.on((pod: Pod) => this.stopPod(pod, "kill"));
    this.lifecycle = new PodLifecycle({
      sim: this.sim, inbound: this.inbound, telemetry,
      proxyStartup: this.sampler(simSpec.mesh.proxy.startupTime, "proxy:startup"),
      podsChanged: () => this.podsChanged(),
      restartApp: (pod) => { pod.app = this.newApp(pod, pod.app.behaviour, pod.app.errorDraw); },
    });
    this.sidecars = new SidecarPath({
      sim: this.sim, rng: this.rng, network: this.network,
      inbound: this.inbound, telemetry, sinks, proxyLatency, routing, policies, log,
      partitioned: nodes === null ? undefined : (a, b) => nodes.partitioned(a, b),
    });
    this.faults = nodes === null ? null : new TopologyFaults(nodes, {
      sim: this.sim, pods: () => this.pods.values(), deploymentOf: (p) => this.deploymentOf(p),
      stopPod: (p, how) => this.stopPod(p, how), addPod: (d, starting) => this.addPod(d, starting),
      podsChanged: () => this.podsChanged(), event: (kind, detail) => telemetry.event(this.sim.now, kind, detail),
    });

    for (const dep of scenario.deployments) {
      this.podsByDeployment.set(depKey(dep.metadata.namespace, dep.metadata.name), []);
      for (let i = 0; i < dep.replicas; i++) this.addPod(dep);
    }
    this.registry.refresh(this.pods.values());

    for (const lg of scenario.loadGenerators) {
      const name = lg.metadata.name;
      let nextOrigin: () => Origin | null;
      if (lg.from.kind === "deployment") {
        const pods = this.podsByDeployment.get(depKey(lg.metadata.namespace, lg.from.name)) ?? [];
        let rr = 0;
        nextOrigin = () => {
          for (let k = 0; k < pods.length; k++) {
            const p = pods[rr++ % pods.length]!;
            if (p.alive && !p.blackholed) return originOf(p);
          }
          return null;
        };
      } else if (lg.from.kind === "gateway") {
        const gateway = originOf(this.gatewayPod(lg.namespace, lg.from.name));
        nextOrigin = () => gateway;
      } else {
        const outside: Origin = { pod: null, workload: name, namespace: lg.namespace };
        nextOrigin = () => outside;
      }
      this.generators.push(new LoadGeneratorRunner(lg, {
        sim: this.sim, calls: this.calls,
        arrivals: this.rng.stream(`arrivals:${name}`),
        headerDraw: this.rng.stream(`headers:${name}`),
        nextOrigin, sink: telemetry.client(name),
        stopMs: Math.min(lg.stopMs ?? Infinity, this.durationMs),
        inflight: this.inflight, log,
      }));
    }
    // The scenario's proxies hold their first CDS at 0: their outlier-detecting clusters start now.
    for (const pod of this.pods.values()) if (pod.hasSidecar) routing.clustersPushed(pod);
    this.distributor = distributor(this.sim, this.rng, this.config, this.registry.eds, this);
    this.building = false;
    new Timeline(this, simSpec.timeline).schedule();
  }

  /** What a sidecar holds from istiod (pods built from the scenario start with the initial config);
   *  one object per pod for its life, which proxy-routing and inbound-policy rely on. */
  xdsOf(pod: Pod): ProxyXds {
    let x = this.xds.get(pod);
    if (x === undefined) {
      x = new ProxyXds(this.initialConfig, this.registry.eds, this.initialConfig, this.initialConfig, true);
      this.xds.set(pod, x);
    }
    return x;
  }

  /** The services a proxy is told about under a config version (gateways ignore Sidecars). */
  scopeOf(pod: Pod, config: MeshConfig): SidecarScope {
    const labels = pod.gateway === undefined ? pod.labels : GATEWAY_LABELS;
    return sidecarScope(pod.gateway === undefined ? config : NO_SIDECARS, this.hostsOf(config), pod.namespace, labels, DEFAULT_ROOT_NAMESPACE);
  }

  private readonly hostLists = new WeakMap<MeshConfig, ScopedHost[]>();
  /** Services and ServiceEntry hosts under a config version. */
  private hostsOf(config: MeshConfig): ScopedHost[] {
    if (config.serviceEntries.length === 0) return this.scopedHosts;
    let list = this.hostLists.get(config);
    if (list === undefined) {
      list = [...this.scopedHosts];
      for (const se of config.serviceEntries) for (const h of se.spec.hosts) list.push({ fqdn: h, namespace: se.metadata.namespace });
      this.hostLists.set(config, list);
    }
    return list;
  }

  /** istiod's CDS push reached a proxy: its clusters are (re)created now (outlier detection timers). */
  clustersPushed(pod: Pod): void {
    this.sidecars.d.routing.clustersPushed(pod);
  }

  /** Every pod with a sidecar (or a gateway's Envoy): istiod's proxies. */
  *proxies(): Iterable<Pod> {
    for (const p of this.pods.values()) if (p.hasSidecar) yield p;
  }

  /** istiod pushed a new sidecar its first config: Envoy reports ready. */
  proxyBootstrapped(pod: Pod): void {
    this.lifecycle.proxyConfigured(pod);
  }

  private sampler(spec: DistributionSpec, stream: string): () => number {
    return compileDistribution(spec, this.rng.stream(stream));
  }

  /** The behaviour of a pod's app: its Workload, with the `versions` entry for its `version` label. */
  behaviourFor(namespace: string, labels: Readonly<Record<string, string>>): CompiledBehaviour {
    const w = this.scenario.workloads.find((x) => x.metadata.namespace === namespace && selects(x.selector, labels));
    const version = labels["version"] ?? "";
    const key = w ? `${namespace}/${w.metadata.name}/${version}` : "";
    let b = this.behaviours.get(key);
    if (b === undefined) {
      b = this.compile(w, version);
      this.behaviours.set(key, b);
    }
    return b;
  }

  private compile(w: Workload | undefined, version: string, override?: Partial<WorkloadBehaviour>): CompiledBehaviour {
    const base: WorkloadBehaviour = w
      ? { ...w.behaviour, ...(w.versions[version] ?? {}), ...(override ?? {}) }
      : { concurrency: Infinity, queueLimit: Infinity, threading: "blocking", errorRate: 0, script: [] };
    const stream = w ? `app:${w.metadata.namespace}/${w.metadata.name}:${version}` : "app:-";
    // Sizes draw from streams of their own, so giving a Workload a responseSize shifts no other draw.
    const sizes = w ? `size:${w.metadata.namespace}/${w.metadata.name}:${version}` : "size:-";
    return compileBehaviour(base, (spec) => this.sampler(spec, stream), (spec) => {
      const draw = this.sampler(spec, sizes);
      return () => Math.max(0, Math.round(draw()));
    });
  }

  /** `set` on the timeline: new error rate or service time for every pod of a workload. */
  setWorkload(namespace: string, name: string, change: { errorRate?: number; serviceTime?: DistributionSpec }): void {
    const w = this.scenario.workloads.find((x) => x.metadata.namespace === namespace && x.metadata.name === name);
    if (!w) return;
    const override: Partial<WorkloadBehaviour> = {};
    if (change.errorRate !== undefined) override.errorRate = change.errorRate;
    if (change.serviceTime !== undefined) override.script = [{ kind: "compute", time: change.serviceTime }];
    for (const pod of this.pods.values()) {
      if (pod.namespace !== namespace || !selects(w.selector, pod.labels)) continue;
      const version = pod.labels["version"] ?? "";
      const cur = pod.app.behaviour;
      const next = this.compile(w, version, {
        errorRate: override.errorRate ?? cur.errorRate,
        ...(override.script ? { script: override.script } : {}),
      });
      // Keep the current script when only the error rate changes (its samplers stay in their streams).
      pod.app.behaviour = override.script ? next : { ...cur, errorRate: next.errorRate };
    }
  }

  /** A pod of the Deployment; `starting`: created now, it is an endpoint only once Ready (else running from t = 0). */
  addPod(dep: Deployment, starting = false): Pod {
    const ns = dep.metadata.namespace;
    const list = this.podsByDeployment.get(depKey(ns, dep.metadata.name))!;
    const index = list.length;
    const pod = new Pod(
      `${dep.metadata.name}-${index}`, ns, dep.metadata.name, dep.podLabels, dep.podAnnotations,
      dep.serviceAccountName, injectsSidecar(this.scenario.simulation.mesh, dep, this.scenario.namespaces),
      podIp(this.podCount++),
      dep.terminationGracePeriodMs,
    );
    const behaviour = this.behaviourFor(ns, dep.podLabels);
    const w = this.scenario.workloads.find((x) => x.metadata.namespace === ns && selects(x.selector, dep.podLabels));
    pod.app = this.newApp(pod, behaviour, this.rng.stream(`app-errors:${ns}/${w?.metadata.name ?? dep.metadata.name}`));
    list.push(pod);
    this.pods.set(pod.id, pod);
    // kube-scheduler binds it to a node; none fits: it stays Pending (not running, not an endpoint)
    // until room appears (mesh/kube/cluster-nodes.ts retries it), then starts like a new pod.
    if (this.nodes !== null && !this.nodes.place(pod, dep.scheduling)) {
      pod.alive = false;
      pod.ready = false;
      this.telemetry.event(this.sim.now, "pending", { pod: pod.id, reason: pod.pending ?? "" });
      this.nodes.waitForRoom(pod, dep.scheduling, () => {
        pod.alive = true;
        this.telemetry.event(this.sim.now, "scheduled", { pod: pod.id, node: pod.node ?? "" });
        this.startOnNode(pod, dep, w, true);
      });
      return pod;
    }
    this.startOnNode(pod, dep, w, starting);
    return pod;
  }

  /** The bound pod starts: its sidecar asks istiod for config, its probes run (pod-lifecycle.ts). */
  private startOnNode(pod: Pod, dep: Deployment, w: Workload | undefined, starting: boolean): void {
    // Its containers' CPU: the sidecar's workers, the app's share of the node (mesh/kube/pod-resources.ts).
    this.resources.attach(pod, dep, this.nodes?.nodeCores(pod) ?? Infinity);
    pod.app.cpu = pod.appCpu;
    const bootstrapped = this.building || !pod.hasSidecar;
    if (!bootstrapped) {
      // A new sidecar is not ready until istiod has sent it its config (Envoy's readiness probe):
      // the pod is Ready once that and its own readiness probes have passed (pod-lifecycle.ts).
      // https://istio.io/latest/docs/ops/deployment/application-requirements/
      pod.ready = false;
      this.xds.set(pod, new ProxyXds(this.config, this.registry.eds, this.config, this.config, false));
    }
    this.lifecycle.add(pod, this.startSpec(dep, w), starting, bootstrapped);
    if (!bootstrapped) this.distributor.connect(pod);
  }

  private newApp(pod: Pod, behaviour: CompiledBehaviour, errorDraw: () => number): AppServer {
    const app = new AppServer(this.apps, behaviour, originOf(pod), this.telemetry.pod(pod.id, behaviour.concurrency), errorDraw);
    app.cpu = pod.appCpu;
    return app;
  }

  /** How a Deployment's pods start: its readiness probes and the Workload's startup time. */
  private startSpec(dep: Deployment, w: Workload | undefined): PodStartSpec {
    let appStartup = this.appStartups.get(w);
    if (appStartup === undefined) {
      const spec = w?.startupTime ?? DEFAULTS.workload.startupTime;
      appStartup = this.sampler(spec, `startup:${w ? `${w.metadata.namespace}/${w.metadata.name}` : "-"}`);
      this.appStartups.set(w, appStartup);
    }
    return { probes: dep.readinessProbes, hold: dep.holdApplicationUntilProxyStarts, appStartup };
  }

  /**
   * A pod stops. Killed: at once, the requests inside it reset. Terminated (scale-down): it leaves
   * the Service's endpoints (once the change propagates) but keeps serving what still reaches it
   * until terminationGracePeriodSeconds is over, when Kubernetes kills it. Blackholed (its node
   * vanished): nothing it holds or receives is ever answered or refused, and it stays an endpoint
   * until the node controller marks it NotReady (--node-monitor-grace-period).
   */
  stopPod(pod: Pod, how: "kill" | "terminate" | "blackhole"): void {
    if (how === "terminate") {
      pod.ready = false;
      pod.terminating = true;
      this.sim.after(pod.terminationGracePeriodMs, this.kKill, pod);
      return;
    }
    if (!pod.alive || pod.blackholed) return;
    if (how === "blackhole") {
      pod.blackholed = true;
      pod.appUp = false;
      pod.app.crash();
      this.inbound.dropAll(pod);
      this.lifecycle.stopped(pod, DEFAULTS.kubernetes.nodeMonitorGracePeriodMs);
      return;
    }
    pod.alive = false;
    pod.ready = false;
    this.nodes?.release(pod);
    pod.app.dropAll();
    this.inbound.resetAll(pod);
    this.lifecycle.stopped(pod);
    if (pod.hasSidecar) this.distributor.disconnect(pod);
  }

  /** The timeline's `crash`: the pod's app container exits (and restarts under CrashLoopBackOff). */
  crashPod(pod: Pod, a: Extract<TimelineAction, { kind: "crash" }>): void {
    const after = a.crashAfter !== undefined ? this.sampler(a.crashAfter, `crash:${pod.id}`) : null;
    this.lifecycle.crash(pod, after, a.times);
  }

  /**
   * Pods started, stopped or changed readiness: Kubernetes' endpoints change at once (kube-proxy
   * follows them); sidecars learn of it through istiod's EDS pushes.
   */
  podsChanged(): void {
    const changed = this.registry.refresh(this.pods.values());
    this.distributor.endpointsChanged(this.registry.eds, changed);
  }

  /** The zone of a pod's node (undefined without nodes). */
  zoneOf(pod: Pod): string | undefined {
    return this.nodes?.zoneOf(pod);
  }

  /** The timeline's node and zone faults (mesh/kube/topology-faults.ts). */
  topologyFault(a: Extract<TimelineAction, { kind: "drain" | "nodeCondition" | "partition" }>): void {
    this.faults?.apply(a);
  }

  /** The Deployment a pod belongs to. */
  deploymentOf(pod: Pod): Deployment | undefined {
    return this.scenario.deployments.find((d) => d.metadata.namespace === pod.namespace && d.metadata.name === pod.workload);
  }

  applyConfig(resources: AnyResource[]): void {
    const { config, ignored } = applyResources(this.config, resources);
    this.config = config;
    this.distributor.change(config);
    for (const r of ignored) this.telemetry.event(this.sim.now, "ignored", { resource: `${r.kind}/${r.metadata.name}` });
  }

  deleteConfig(kind: string, name: string, namespace: string): void {
    const before = this.config;
    this.config = deleteResource(this.config, kind, name, namespace);
    if (this.config !== before) this.distributor.change(this.config);
  }

  setControlPlane(up: boolean): void {
    this.distributor.setUp(up);
  }

  send(origin: Origin, req: OutgoingRequest, responder: Responder, conn: number): Exchange {
    const pod = origin.pod;
    // iptables decides whether the app's connection goes to its sidecar (a gateway is the proxy itself).
    if (pod !== null && pod.hasSidecar && ((pod as Pod).gateway !== undefined || this.interception.outbound(pod as Pod, req.target))) {
      return this.sidecars.send(origin, req, responder, conn);
    }
    return this.direct.send(origin, req, responder);
  }

  private started = false;

  /**
   * The ingress gateway a Gateway resource configures: an Envoy without an app, in istio-system,
   * labelled as the Gateway's selector asks (Istio's istio-ingressgateway deployment). It gets config
   * from istiod like any proxy and calls the mesh over mTLS with its own identity.
   */
  private gatewayPod(namespace: string, name: string): Pod {
    const k8s = this.scenario.gatewayApi.find((g) => g.kind === "KubernetesGateway" && g.metadata.namespace === namespace && g.metadata.name === name);
    if (k8s !== undefined) return this.deployedGatewayPod(k8s as KubernetesGateway);
    const key = `${namespace}/${name}`;
    const existing = [...this.pods.values()].find((p) => p.gateway === key);
    if (existing !== undefined) return existing;
    const gw = this.scenario.gateways.find((g) => g.metadata.namespace === namespace && g.metadata.name === name)!;
    const index = [...this.pods.values()].filter((p) => p.gateway !== undefined).length;
    const pod = new Pod(
      `${INGRESS_GATEWAY_WORKLOAD}-${index}`, "istio-system", INGRESS_GATEWAY_WORKLOAD, ingressGatewayLabels(gw.spec.selector), {},
      "istio-ingressgateway-service-account", true, podIp(this.podCount++),
    );
    pod.gateway = key;
    this.nodes?.place(pod, undefined);
    this.pods.set(pod.id, pod);
    return pod;
  }

  /**
   * A Gateway API Gateway of class `istio`: Istio deploys `<gateway>-istio` (Deployment, Service and
   * service account) in the Gateway's namespace, its pods labelled gateway.networking.k8s.io/gateway-name,
   * and programs it with the Istio Gateway it generates (one per Gateway here).
   * https://istio.io/latest/docs/tasks/traffic-management/ingress/gateway-api/#automated-deployment
   */
  private deployedGatewayPod(gw: KubernetesGateway): Pod {
    const key = generatedGatewayKey(gw);
    const existing = [...this.pods.values()].find((p) => p.gateway === key);
    if (existing !== undefined) return existing;
    const workload = `${gw.metadata.name}-istio`;
    const pod = new Pod(
      `${workload}-0`, gw.metadata.namespace, workload, { [GATEWAY_NAME_LABEL]: gw.metadata.name, "gateway.istio.io/managed": "istio.io-gateway-controller" }, {},
      workload, true, podIp(this.podCount++),
    );
    pod.gateway = key;
    this.pods.set(pod.id, pod);
    return pod;
  }

  /** Run the simulation up to a simulated time (for views of the world at that time). */
  advance(untilMs: number): void {
    if (!this.started) {
      this.started = true;
      for (const g of this.generators) g.start();
    }
    this.sim.run(untilMs);
  }

  /** The config snapshot a pod's sidecar routes by now (its RDS version). */
  proxyConfigOf(pod: Pod): MeshConfig {
    return this.xdsOf(pod).rds;
  }

  /** Run the whole simulation; `progress` hears the share of simulated time done, 100 times at most. */
  run(progress?: (done: number, events: number) => void): RunStats {
    if (progress === undefined) this.advance(this.durationMs);
    else {
      const step = this.durationMs / 100;
      for (let k = 1; k <= 100; k++) {
        this.advance(Math.min(this.durationMs, k * step));
        progress(k / 100, this.sim.eventsProcessed);
      }
    }
    const cap = this.durationMs + DRAIN_LIMIT_MS;
    // Drain: the generators' requests, and the work that outlives them (mirrored copies, calls an
    // app still makes after its caller hung up).
    while ((this.inflight.n > 0 || this.inbound.active > 0) && this.sim.now < cap && this.sim.pending > 0) {
      this.sim.run(Math.min(cap, this.sim.now + 1000));
    }
    return { events: this.sim.eventsProcessed, simulatedMs: this.sim.now, unfinished: this.inflight.n + this.inbound.active };
  }
}

function depKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

const origins = new WeakMap<Pod, Origin>();
/** One Origin object per pod (the identity its requests carry). */
export function originOf(pod: Pod): Origin {
  let o = origins.get(pod);
  if (o === undefined) {
    o = { pod, workload: pod.workload, namespace: pod.namespace };
    origins.set(pod, o);
  }
  return o;
}

const GATEWAY_LABELS: Readonly<Record<string, string>> = {};
/** Sidecar resources do not apply to gateways: they see every service. */
const NO_SIDECARS = { version: 0, virtualServices: [], destinationRules: [], gateways: [], serviceEntries: [], sidecars: [],
  peerAuthentications: [], authorizationPolicies: [], requestAuthentications: [],
  gatewayApi: [], routeStatus: [], cluster: { services: [], namespaceLabels: {} } } as MeshConfig;

/** A fixed round trip (meshsim.dev/latency). */
function constant(ms: number): () => number {
  return () => ms;
}

/**
 * Whether a sidecar speaks Istio mTLS to a ServiceEntry endpoint: the DestinationRule's ISTIO_MUTUAL,
 * or, with no `tls` set, auto mTLS — which istiod fills in only for MESH_INTERNAL endpoints labelled
 * `security.istio.io/tlsMode: istio` (never for MESH_EXTERNAL).
 * https://istio.io/latest/docs/concepts/security/#auto-mutual-tls
 */
function externalMtls(location: string | undefined, labels: Readonly<Record<string, string>> | undefined, policy: TrafficPolicy | undefined): boolean {
  const tls = policy?.tls;
  if (tls !== undefined) return tls.mode === "ISTIO_MUTUAL";
  return location === "MESH_INTERNAL" && labels?.["security.istio.io/tlsMode"] === "istio";
}
