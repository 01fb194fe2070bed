// Builds the parts of the simulated mesh from a scenario and connects them: the network and nodes,
// the apps, the pods' controller, the sidecars' data path (routing, upstream clusters, inbound
// policy, interception) and the load generators. World owns what this returns and runs it.
// Parts are built in a fixed order: each registers its event handlers with the simulator as it is made.
import type { Simulator } from "../engine/simulator.js";
import type { RandomStreams } from "../engine/rng.js";
import type { DistributionSpec } from "../engine/distributions/spec.js";
import { compileDistribution } from "../engine/distributions/compile.js";
import type { CallTarget, Scenario } from "../scenario/model.js";
import { LATENCY_ANNOTATION } from "../scenario/resource-kinds.js";
import { LATENCY_LABEL } from "../scenario/kinds/networking.js";
import { parseDuration } from "../scenario/duration.js";
import { readNetworkTopology } from "../scenario/network-topology.js";
import type { TrafficPolicy } from "../proxy/api/networking.js";
import { DEFAULT_ROOT_NAMESPACE } from "../proxy/security/policy-scope.js";
import type { MeshConfig } from "../config/mesh-config.js";
import type { RequestLog } from "../telemetry/request-log.js";
import { LOG_EPOCH_MS } from "../telemetry/log-epoch.js";
import { CrossZoneTraffic } from "../telemetry/cross-zone-traffic.js";
import { AppCalls } from "./app/app-call.js";
import { Apps } from "./app/app-server.js";
import { LoadGeneratorRunner, type ClientSink } from "./app/load-generator.js";
import { WorkloadBehaviours } from "./app/workload-behaviours.js";
import { ClusterNodes } from "./kube/cluster-nodes.js";
import { crossZoneSink } from "./kube/cross-zone-sink.js";
import { DirectPath } from "./kube/direct-exchange.js";
import { localityHostSet } from "./kube/locality-host-set.js";
import { networkDistance } from "./kube/network-distance.js";
import { PodController, type PodsIstiod } from "./kube/pod-controller.js";
import { originOf } from "./kube/pod-origin.js";
import { PodResources } from "./kube/pod-resources.js";
import type { Pod } from "./kube/pod.js";
import type { ServiceRegistry } from "./kube/service-registry.js";
import { TopologyFaults } from "./kube/topology-faults.js";
import { ExternalEndpoints } from "./sidecar/external-endpoints.js";
import { Inbound } from "./sidecar/inbound.js";
import { InboundPolicies } from "./sidecar/inbound-policy.js";
import { Interception } from "./sidecar/interception.js";
import { ProxyRouting } from "./sidecar/proxy-routing.js";
import { ProxyXds, type Translation } from "./sidecar/proxy-xds.js";
import { SidecarPath } from "./sidecar/sidecar-path.js";
import { poolsOf, UpstreamClusters, type ClusterContext, type UpstreamCluster } from "./sidecar/upstream-cluster.js";
import { InboundClusters } from "./sidecar/inbound-cluster.js";
import { EdgeSinks } from "./edge-sinks.js";
import type { AppObserver } from "./app/app-server.js";
import type { MeshTelemetry } from "./mesh-telemetry.js";
import { Network } from "./network.js";
import { AmbientDataPlane } from "./ztunnel/ambient-data-plane.js";
import { podIp } from "./kube/pod.js";
import { Waypoints } from "./waypoint/waypoint-hop.js";
import { inboundConnKey } from "./sidecar/sidecar-cpu.js";
import { WAYPOINT_PROFILE } from "../proxy/resources/calibration-profile.js";

/** The ztunnel pods' IPs: 10.255.0.1 and up (podIp's index). */
const ZTUNNEL_IP_BASE = 0xff0000;
import type { Origin, Transport } from "./transport.js";

/** What the mesh needs from telemetry besides the per-request sinks. */
export interface WorldTelemetry extends MeshTelemetry {
  client(name: string): ClientSink;
  pod(name: string, concurrency: number): AppObserver;
  event(tMs: number, kind: string, detail: Record<string, string | number>): void;
  clusterCounters(sourceWorkload: string, cluster: string, counters: object): void;
  podEjected(pod: string): void;
}

/** What the wiring is given: the world's simulator, streams, registry and translation. */
export interface MeshHost {
  readonly scenario: Scenario;
  readonly telemetry: WorldTelemetry;
  readonly sim: Simulator;
  readonly rng: RandomStreams;
  readonly registry: ServiceRegistry;
  readonly translation: Translation;
  readonly durationMs: number;
  readonly log: RequestLog | null;
  /** The config the scenario's proxies start with (held from t = 0). */
  readonly initialConfig: MeshConfig;
  /** Where the apps' calls go (the world: iptables, then a sidecar or kube-proxy). */
  readonly transport: Transport;
  /** istiod, once built. */
  readonly istiod: () => PodsIstiod;
}

export interface MeshParts {
  readonly network: Network;
  readonly nodes: ClusterNodes | null;
  readonly crossZone: CrossZoneTraffic | null;
  readonly calls: AppCalls;
  readonly behaviours: WorkloadBehaviours;
  readonly resources: PodResources;
  readonly interception: Interception;
  readonly inbound: Inbound;
  readonly direct: DirectPath;
  readonly routing: ProxyRouting;
  readonly pods: PodController;
  readonly sidecars: SidecarPath;
  readonly faults: TopologyFaults | null;
  /** ambient mode's data plane (ztunnels, enrolment); null in the other modes. */
  readonly ambient: AmbientDataPlane | null;
  /** ambient's waypoints (mesh/waypoint/); null in the other modes. */
  readonly waypoints: Waypoints | null;
}

export function wireMesh(h: MeshHost): MeshParts {
  const { sim, rng, registry, telemetry, scenario } = h;
  const simSpec = scenario.simulation;
  // A constant draws nothing: no stream made and seeded for it (every Workload's default startupTime:
  // 1,000 streams in a 1,000-service mesh; docs/performance.md, Goal 4, session 21 `scale9`). A
  // stream's numbers depend only on its name, so not making one changes no other draw.
  const sampler = (spec: DistributionSpec, stream: string): (() => number) =>
    spec.dist === "constant" ? constant(spec.value) : compileDistribution(spec, rng.stream(stream));
  const network = new Network(sampler(simSpec.network.latency, "network"), sampler(simSpec.network.external.latency, "network:external"));
  // Nodes (mesh/kube/): scheduling, latency by distance, cross-zone counts, locality LB, faults.
  const nodes = (scenario.nodes?.length ?? 0) > 0 ? new ClusterNodes(scenario.nodes!, rng.stream("kube-scheduler")) : null;
  const crossZone = nodes !== null ? new CrossZoneTraffic(simSpec.warmupMs) : null;
  if (nodes !== null) {
    const kRetry = sim.on(() => { retryQueued = false; nodes.retryPending(); });
    let retryQueued = false;
    nodes.onRoom = () => { if (!retryQueued) { retryQueued = true; sim.after(0, kRetry); } };
    network.distance = networkDistance(nodes, simSpec.topology ?? readNetworkTopology(undefined, simSpec.network.latency), sampler);
  }
  const calls = new AppCalls(sim, h.transport, rng.stream("app:connections"));
  const log = h.log;
  const apps = new Apps(sim, calls, log);
  const proxyLatency = sampler(simSpec.mesh.proxy.latency, "proxy:latency");
  // The access log and tracing cost every proxy CPU after each response (docs/cpu-and-memory.md).
  const resources = new PodResources(sim, simSpec.mesh, proxyLatency, () => waypointLatency!, {
    accessLog: simSpec.report.accessLog,
    traceSample: simSpec.report.traces.enabled ? simSpec.report.traces.sample : 0,
  });
  const sinks = new EdgeSinks(telemetry, nodes !== null && crossZone !== null ? (o, d, x) => crossZoneSink(nodes, crossZone, o, d, x) : null);
  // A pod without a sidecar enforces nothing; its "held" config is the one every pod starts with.
  const held = (pod: Pod): ProxyXds => pod.proxy?.xds ?? new ProxyXds(h.initialConfig, registry.eds, h.initialConfig, h.initialConfig, true);
  // JWT exp/nbf are Unix seconds: read against the same calendar the access log prints (simulated
  // 0 = 2024-01-01T00:00:00Z), so a token that expired in real time is expired here too.
  const policies = new InboundPolicies(held, DEFAULT_ROOT_NAMESPACE, () => (LOG_EPOCH_MS + sim.now) / 1000);
  const interception = new Interception(registry);
  const targetPorts = new Map<CallTarget, number>();
  // The last target and its port first: a caller sends to one target again and again.
  let lastTarget: CallTarget | null = null, lastPort = 0;
  const inbound = new Inbound(sim, telemetry, proxyLatency, sinks, policies, (t) => {
    if (t === lastTarget) return lastPort;
    let p = targetPorts.get(t);
    if (p === undefined) {
      p = t.resolved.kind === "service" ? registry.byFqdn.get(t.resolved.fqdn)?.targetPort(t.port) ?? t.port : t.port;
      targetPorts.set(t, p);
    }
    lastTarget = t;
    lastPort = p;
    return p;
  }, interception, rng.stream("proxy:inbound-backoff"), log);
  inbound.router.clusters = {
    build: (pod, held) => new InboundClusters(pod.proxy!.xds.cds, h.translation.inboundClusters(pod, pod.proxy!.xds.cds), poolsOf(pod), held),
    register: (pod, c) => {
      c.registered = true;
      telemetry.clusterCounters(pod.workload, c.name, c.counters);
    },
  };
  sinks.inboundService = (pod, port) => inbound.router.statsService(pod, port);
  const direct = new DirectPath(sim, network, registry, inbound, rng.stream("kube-proxy"));
  // ambient: the ztunnel DaemonSet before any app pod, its hooks in the inbound path (mesh/ztunnel/).
  let ztunnelIps = 0;
  const ambient = simSpec.mesh.mode !== "ambient" ? null : new AmbientDataPlane({
    sim, rng, network, registry, inbound, telemetry, mesh: simSpec.mesh, nodes: scenario.nodes ?? [], namespaces: scenario.namespaces,
    // DaemonSet pods' IPs from the top of the range: the app pods keep the IPs they have in other modes.
    podIp: () => podIp(ZTUNNEL_IP_BASE + ztunnelIps++),
    addResources: (p) => resources.pods.push(p), config: () => h.istiod().config,
    zones: nodes !== null && crossZone !== null ? (o, d, x) => crossZoneSink(nodes, crossZone, o, d, x) : null,
    waypoints: null, log, clusterNodes: nodes, pos: simSpec.pos,
    restartMs: sampler(simSpec.mesh.proxy.startupTime, "ztunnel:restart"),
  });
  const waypointLatency = ambient === null ? null : sampler(WAYPOINT_PROFILE.latency, "waypoint:latency");
  let waypoints: Waypoints | null = null;
  const clusterCtx: ClusterContext = {
    sim, rng, registry,
    registerCounters: (w, name, counters) => telemetry.clusterCounters(w, name, counters),
    outlierEvent: (cluster, pod, kind, now, durationMs) => {
      if (kind === "eject") telemetry.podEjected(pod.id);
      telemetry.event(now, kind === "eject" ? "ejection" : "unejection", {
        cluster, pod: pod.id, ...(durationMs !== undefined ? { durationMs } : {}),
      });
    },
    kSweep: sim.on((c: UpstreamCluster) => c.sweep()),
    hostSet: nodes === null ? undefined : (hosts, client, policy, svc) => localityHostSet(nodes, hosts, client, policy, svc.spec),
    ingressWaypoint: ambient === null ? undefined : (fqdn) => waypoints?.ingressWaypointFor(fqdn),
    // ambient: a client proxy's connection to an ambient pod closes at the pod's ztunnel too.
    connectionClosed: ambient === null ? undefined : (cluster, worker, conn) => {
      const owner = cluster.owner;
      if (owner === null || conn.state !== "closed") return;
      const host = cluster.hostOf(conn.host);
      if (host.ambient) ambient.inbound.pooledClosed(owner, host, inboundConnKey(owner.proxy?.cpu?.uid ?? 0, worker, conn.id), sim.now);
    },
  };
  const externalLbDraw = rng.stream("proxy:external-lb");
  const routing = new ProxyRouting(
    (pod, config) => {
      const sidecar = pod.proxy!;
      return (sidecar.clusters = new UpstreamClusters(pod, config, clusterCtx, sidecar.clusters, sidecar.xds, h.translation));
    },
    h.translation,
    (se) => {
      const fixed = se?.metadata.annotations[LATENCY_ANNOTATION];
      if (fixed === undefined) return network.externalRoundTrip;
      const ms = parseDuration(fixed);
      return () => ms;
    },
    registry,
    (se, policy) => {
      // STATIC and DNS with endpoints: a cluster of them; NONE, and DNS without endpoints (the
      // host resolves itself), stay one endpoint.
      const eps = se.spec.endpoints;
      const r = se.spec.resolution;
      if ((r !== "STATIC" && r !== "DNS") || eps === undefined || eps.length === 0) return null;
      const fixed = se.metadata.annotations[LATENCY_ANNOTATION];
      const entryTrip = fixed === undefined ? network.externalRoundTrip : constant(parseDuration(fixed));
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
  routing.meshOutlierDetection = simSpec.mesh.defaultTrafficPolicy?.outlierDetection !== undefined;
  const behaviours = new WorkloadBehaviours(scenario.workloads, apps, (name, concurrency) => telemetry.pod(name, concurrency), sampler);
  const pods: PodController = new PodController({
    sim, rng, scenario, registry, nodes, resources, inbound, apps: behaviours, telemetry,
    proxyStartup: sampler(simSpec.mesh.proxy.startupTime, "proxy:startup"),
    sidecarRuntime: {
      clustersPushed: (s) => routing.clustersPushed(s.pod),
      endpointsPushed: (s) => routing.endpointsPushed(s.pod),
      configured: (s) => pods.lifecycle.proxyConfigured(s.pod),
    },
    sampler, istiod: h.istiod,
    enrol: ambient === null ? undefined : (pod) => ambient.enrol(pod),
  });
  const sidecars = new SidecarPath({
    sim, rng, network, inbound, telemetry, sinks, proxyLatency, routing, policies, log,
    partitioned: nodes === null ? undefined : (a, b) => nodes.partitioned(a, b),
    gatewayTlsHandshakeMs: simSpec.mesh.proxy.calibration.tlsHandshakeMs,
  });
  if (ambient !== null) {
    waypoints = new Waypoints(scenario, () => h.istiod().config, sidecars, sim, sinks, () => (LOG_EPOCH_MS + sim.now) / 1000);
    ambient.path.waypoints = waypoints;
    sidecars.waypoints = waypoints;
  }
  const faults = nodes === null ? null : new TopologyFaults(nodes, {
    sim, pods: () => pods.pods.values(), deploymentOf: (p) => pods.deploymentOf(p),
    stopPod: (p, how) => pods.stopPod(p, how), addPod: (d, starting) => pods.addPod(d, starting),
    podsChanged: () => pods.podsChanged(), event: (kind, detail) => telemetry.event(sim.now, kind, detail),
  });
  return { network, nodes, crossZone, calls, behaviours, resources, interception, inbound, direct, routing, pods, sidecars, faults, ambient, waypoints };
}

/** The scenario's load generators, each sending from a Deployment's pods, a gateway, or outside the mesh. */
export function wireLoadGenerators(h: MeshHost, m: MeshParts, inflight: { n: number }): LoadGeneratorRunner[] {
  const generators: LoadGeneratorRunner[] = [];
  for (const lg of h.scenario.loadGenerators) {
    const name = lg.metadata.name;
    let nextOrigin: () => Origin | null;
    if (lg.from.kind === "deployment") {
      const pods = m.pods.podsOf(lg.metadata.namespace, lg.from.name);
      let rr = 0;
      nextOrigin = () => {
        for (let k = 0; k < pods.length; k++) {
          const p = pods[rr++ % pods.length]!;
          if (p.alive && !p.blackholed) return originOf(p);
        }
        return null;
      };
    } else if (lg.from.kind === "gateway") {
      const gateway = originOf(m.pods.gatewayPod(lg.namespace, lg.from.name));
      nextOrigin = () => gateway;
    } else {
      const outside: Origin = { pod: null, workload: name, namespace: lg.namespace };
      nextOrigin = () => outside;
    }
    generators.push(new LoadGeneratorRunner(lg, {
      sim: h.sim, calls: m.calls,
      arrivals: h.rng.stream(`arrivals:${name}`),
      headerDraw: h.rng.stream(`headers:${name}`),
      nextOrigin, sink: h.telemetry.client(name),
      stopMs: Math.min(lg.stopMs ?? Infinity, h.durationMs),
      inflight, log: h.log,
    }));
  }
  return generators;
}

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
