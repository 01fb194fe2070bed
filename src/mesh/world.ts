// The simulated world: owns the simulator, the mesh's config and istiod, and the run. Its parts are
// built by mesh-wiring.ts from the scenario; pods by the pod controller (kube/pod-controller.ts);
// each pod's istio-proxy is a Sidecar (sidecar/sidecar.ts) that holds what istiod pushed it.
import { DEFAULT_ROOT_NAMESPACE } from "../proxy/security/policy-scope.js";
import { Simulator } from "../engine/simulator.js";
import { RandomStreams } from "../engine/rng.js";
import type { DistributionSpec } from "../engine/distributions/spec.js";
import type { AnyResource, Deployment, HorizontalPodAutoscaler, Namespace, Scenario, TimelineAction } from "../scenario/model.js";
import { applyResources, deleteResource, initialConfig, type MeshConfig } from "../config/mesh-config.js";
import { sidecarScope, type ScopedHost, type SidecarScope } from "../config/sidecar-scope.js";
import type { RequestLog } from "../telemetry/request-log.js";
import type { CrossZoneTraffic } from "../telemetry/cross-zone-traffic.js";
import type { ClusterNodes } from "./kube/cluster-nodes.js";
import type { Pod } from "./kube/pod.js";
import type { PodController } from "./kube/pod-controller.js";
import type { PodResources } from "./kube/pod-resources.js";
import { ServiceRegistry } from "./kube/service-registry.js";
import type { Interception } from "./sidecar/interception.js";
import { ProxyXds, type EndpointSnapshot, type Translation } from "./sidecar/proxy-xds.js";
import type { SidecarPath } from "./sidecar/sidecar-path.js";
import type { Proxy } from "./proxy.js";
import type { LoadGeneratorRunner } from "./app/load-generator.js";
import { wireLoadGenerators, wireMesh, type MeshHost, type MeshParts, type WorldTelemetry } from "./mesh-wiring.js";
import type { Network } from "./network.js";
import { Timeline } from "./timeline.js";
import { HpaControllers } from "./kube/hpa-controller.js";
import { selects } from "./kube/pod.js";
import type { Exchange, Origin, OutgoingRequest, Responder, Transport } from "./transport.js";
import type { AmbientDataPlane } from "./ztunnel/ambient-data-plane.js";
import { withWaypointWorkloads } from "./waypoint/waypoint-workloads.js";

export type { WorldTelemetry } from "./mesh-wiring.js";

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
  certificateOf(pod: Pod): { serial: string; notBeforeMs: number; notAfterMs: number; rotateAtMs: number; firstIssuedMs: number } | undefined;
  readonly rootCertificate: { serial: string; notBeforeMs: number; notAfterMs: number };
}

export interface DistributorFactory {
  (sim: Simulator, rng: RandomStreams, initial: MeshConfig, initialEds: EndpointSnapshot, world: World): ConfigDistributor;
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
  readonly inflight = { n: 0 };
  readonly durationMs: number;
  /** The mesh's desired Istio config (what istiod has); each proxy routes by the version it was pushed. */
  config: MeshConfig;
  private readonly initialConfig: MeshConfig;
  readonly distributor: ConfigDistributor;
  /** istiod's translation: what each proxy holds of a config version. */
  readonly translation: Translation;
  private readonly m: MeshParts;
  /** The pods (kube/pod-controller.ts). */
  readonly podController: PodController;
  readonly network: Network;
  readonly interception: Interception;
  readonly sidecars: SidecarPath;
  /** The pods' containers as CPU consumers (mesh/kube/pod-resources.ts). */
  readonly resources: PodResources;
  /** Nodes, zones and locality (mesh/kube/); null without Node documents: one implicit node. */
  readonly nodes: ClusterNodes | null;
  /** Requests and bytes that crossed zones; null without nodes. */
  readonly crossZone: CrossZoneTraffic | null;
  private readonly generators: LoadGeneratorRunner[];
  /** Services as Sidecar scoping sees them. */
  private readonly scopedHosts: ScopedHost[];
  /** The scenario's HorizontalPodAutoscalers (mesh/kube/hpa-controller.ts); null without any. */
  readonly autoscalers: HpaControllers | null = null;

  /** The scenario, with its waypoints' generated Deployments and Services (mesh/waypoint/). */
  readonly scenario: Scenario;

  constructor(
    userScenario: Scenario,
    readonly telemetry: WorldTelemetry,
    opts: {
      seed: number; durationMs: number; log?: RequestLog | null;
      /** istiod's translation (xds/translation/translator.ts), built on this world's registry and scopes. */
      translation: (world: World) => Translation;
    },
    distributor: DistributorFactory,
  ) {
    const scenario = (this.scenario = withWaypointWorkloads(userScenario));
    this.durationMs = opts.durationMs;
    this.rng = new RandomStreams(opts.seed);
    this.registry = new ServiceRegistry(scenario.services);
    this.translation = opts.translation(this);
    this.config = this.initialConfig = initialConfig(scenario);
    this.scopedHosts = [...this.registry.byFqdn.values()].map((s) => ({ fqdn: s.fqdn, namespace: s.spec.metadata.namespace }));
    const host: MeshHost = {
      scenario, telemetry, sim: this.sim, rng: this.rng, registry: this.registry, translation: this.translation,
      durationMs: this.durationMs, log: opts.log ?? null, initialConfig: this.initialConfig, transport: this, istiod: () => this,
    };
    const m = (this.m = wireMesh(host));
    ({ network: this.network, interception: this.interception, sidecars: this.sidecars, resources: this.resources, nodes: this.nodes, crossZone: this.crossZone } = m);
    this.podController = m.pods;
    m.pods.createDeployments(scenario.deployments);
    this.registry.refresh(this.pods.values());
    this.generators = wireLoadGenerators(host, m, this.inflight);
    // The scenario's proxies hold their first config at 0: their outlier-detecting clusters start now.
    for (const pod of this.pods.values()) {
      if (pod.proxy === null) continue;
      pod.proxy.xds = new ProxyXds(this.initialConfig, this.registry.eds, this.initialConfig, this.initialConfig, true);
      pod.proxy.clustersPushed();
    }
    this.distributor = distributor(this.sim, this.rng, this.config, this.registry.eds, this);
    m.pods.building = false;
    new Timeline(this, scenario.simulation.timeline).schedule();
    if ((scenario.autoscalers?.length ?? 0) > 0) this.autoscalers = this.newAutoscalers(scenario.autoscalers!);
  }

  /** kube-controller-manager's HPA controller over the scenario's HPAs (mesh/kube/hpa-controller.ts). */
  private newAutoscalers(hpas: readonly HorizontalPodAutoscaler[]): HpaControllers {
    const pods = this.podController;
    const dep = (h: HorizontalPodAutoscaler) => this.scenario.deployments.find((d) => d.metadata.namespace === h.metadata.namespace && d.metadata.name === h.target)!;
    const a = new HpaControllers({
      sim: this.sim,
      podsOf: (d) => pods.podsOf(d.metadata.namespace, d.metadata.name),
      addPod: (d) => pods.addPod(d, true),
      removePod: (p) => {
        // A Pending pod is deleted before it binds; a running one terminates gracefully.
        if (!p.alive) { this.nodes?.forget(p); p.terminating = true; return; }
        pods.stopPod(p, "terminate");
      },
      podsChanged: () => pods.podsChanged(),
      event: (t, kind, detail) => this.telemetry.event(t, kind, detail),
      workloadOf: (d) => this.scenario.workloads.find((x) => x.metadata.namespace === d.metadata.namespace && selects(x.selector, d.podLabels)),
      proxyMemoryBytes: this.scenario.simulation.mesh.proxy.calibration.memoryBaseMB * 1e6,
      stream: (name) => this.rng.stream(name),
    }, hpas.map((h) => ({ spec: h, dep: dep(h) })), this.durationMs);
    pods.readinessWatcher = () => a.podsChanged();
    return a;
  }

  /** Every pod ever started, by `Pod.id`. */
  get pods(): Map<string, Pod> {
    return this.m.pods.pods;
  }

  get podsByDeployment(): Map<string, Pod[]> {
    return this.m.pods.podsByDeployment;
  }

  /** The istio-proxy of a pod istiod knows (one `proxies()` yields). */
  proxyOf(pod: Pod): Proxy {
    if (pod.proxy === null) throw new Error(`internal: ${pod.id} has no istio-proxy`);
    return pod.proxy;
  }

  /** The config a pod's proxy holds per xDS type; a pod without one is read as holding the initial config. */
  heldBy(pod: Pod): ProxyXds {
    return pod.proxy?.xds ?? new ProxyXds(this.initialConfig, this.registry.eds, this.initialConfig, this.initialConfig, true);
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
      for (const se of config.serviceEntries) {
        const exportTo = se.spec.exportTo;
        for (const h of se.spec.hosts) list.push(exportTo === undefined ? { fqdn: h, namespace: se.metadata.namespace } : { fqdn: h, namespace: se.metadata.namespace, exportTo });
      }
      this.hostLists.set(config, list);
    }
    return list;
  }

  /** Every pod with a sidecar (or a gateway's Envoy): istiod's proxies. */
  *proxies(): Iterable<Pod> {
    for (const p of this.pods.values()) if (p.hasSidecar) yield p;
  }

  // The timeline's changes to pods and apps (mesh/timeline.ts), done by their owners.
  setWorkload(namespace: string, name: string, change: { errorRate?: number; serviceTime?: DistributionSpec }): void {
    this.m.behaviours.set(namespace, name, change, this.pods.values());
  }
  addPod(dep: Deployment, starting = false): Pod { return this.m.pods.addPod(dep, starting); }
  stopPod(pod: Pod, how: "kill" | "terminate" | "blackhole"): void { this.m.pods.stopPod(pod, how); }
  killZtunnel(name: string, namespace: string): boolean { return this.m.ambient?.killZtunnel(name, namespace) ?? false; }
  crashPod(pod: Pod, a: Extract<TimelineAction, { kind: "crash" }>): void { this.m.pods.crashPod(pod, a); }
  rollout(dep: Deployment): void { this.m.pods.rollout(dep); }
  podsChanged(): void { this.m.pods.podsChanged(); }
  deploymentOf(pod: Pod): Deployment | undefined { return this.m.pods.deploymentOf(pod); }
  /** The zone of a pod's node (undefined without nodes). */
  zoneOf(pod: Pod): string | undefined { return this.nodes?.zoneOf(pod); }
  /** The timeline's node and zone faults (mesh/kube/topology-faults.ts). */
  topologyFault(a: Extract<TimelineAction, { kind: "drain" | "nodeCondition" | "partition" }>): void { this.m.faults?.apply(a); }

  /** ambient mode's ztunnels and enrolment (mesh/ztunnel/); null in other modes. */
  get ambient(): AmbientDataPlane | null {
    return this.m.ambient;
  }

  applyConfig(resources: AnyResource[]): void {
    const { config, ignored } = applyResources(this.config, resources);
    this.config = config;
    this.distributor.change(config);
    const ambient = this.m.ambient;
    if (ambient !== null) {
      const namespaces = resources.filter((r): r is Namespace => r.kind === "Namespace");
      ambient.applyNamespaces(namespaces, this.pods.values());
      if (namespaces.length > 0) this.m.waypoints?.applyNamespaces(namespaces);
    }
    for (const r of ignored) if (ambient === null || r.kind !== "Namespace") this.telemetry.event(this.sim.now, "ignored", { resource: `${r.kind}/${r.metadata.name}` });
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
    // A client outside the cluster, or a pod with neither a sidecar nor ztunnel: kube-proxy's path.
    // The other cases in a method apart: this one is inlined into every app call's send, and its
    // bytecode counts against TurboFan's inlining budget there (docs/performance.md, Goal 2, session 23).
    if (pod === null || (pod.hasSidecar !== true && (pod as Pod).ambient !== true)) return this.m.direct.send(origin, req, responder);
    return this.sendFromProxiedPod(pod as Pod, origin, req, responder, conn);
  }

  private sendFromProxiedPod(pod: Pod, origin: Origin, req: OutgoingRequest, responder: Responder, conn: number): Exchange {
    // iptables decides whether the app's connection goes to its sidecar (a gateway is the proxy itself).
    if (pod.hasSidecar && (pod.gateway !== undefined || this.interception.outbound(pod, req.target))) {
      return this.sidecars.send(origin, req, responder, conn);
    }
    if (pod.ambient) return this.m.ambient!.send(origin, req, responder, conn);
    return this.m.direct.send(origin, req, responder);
  }

  /** The caller closed its connection `conn` (ztunnel forgets the endpoint it pinned). */
  closeConnection(origin: Origin, conn: number): void {
    this.m.ambient?.closeConnection(origin, conn);
    this.sidecars.closeConnection(origin, conn);
  }

  private started = false;

  /** Run the simulation up to a simulated time (for views of the world at that time). */
  advance(untilMs: number): void {
    if (!this.started) {
      this.started = true;
      for (const g of this.generators) g.start();
    }
    this.sim.run(untilMs);
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
    const inbound = this.m.inbound;
    while ((this.inflight.n > 0 || inbound.active > 0) && this.sim.now < cap && this.sim.pending > 0) {
      this.sim.run(Math.min(cap, this.sim.now + 1000));
    }
    return { events: this.sim.eventsProcessed, simulatedMs: this.sim.now, unfinished: this.inflight.n + inbound.active };
  }
}

const GATEWAY_LABELS: Readonly<Record<string, string>> = {};
/** Sidecar resources do not apply to gateways: they see every service. */
const NO_SIDECARS = { version: 0, virtualServices: [], destinationRules: [], gateways: [], serviceEntries: [], sidecars: [],
  peerAuthentications: [], authorizationPolicies: [], requestAuthentications: [],
  gatewayApi: [], routeStatus: [], gatewayStatus: [], cluster: { services: [], namespaceLabels: {} } } as MeshConfig;
