// Kubernetes' side of the pods: the ReplicaSets' pods (created, scheduled, started, scaled, killed),
// sidecar injection, the gateways' Envoy pods, and readiness turned into endpoints. What runs inside a
// pod is elsewhere: its app (mesh/app/), its istio-proxy (mesh/sidecar/sidecar.ts), its startup and
// probes (pod-lifecycle.ts).
import type { Simulator } from "../../engine/simulator.js";
import type { RandomStreams } from "../../engine/rng.js";
import type { Deployment, Scenario, TimelineAction, Workload } from "../../scenario/model.js";
import type { KubernetesGateway } from "../../proxy/api/gateway-api.js";
import type { MeshConfig } from "../../config/mesh-config.js";
import type { DistributionSpec } from "../../engine/distributions/spec.js";
import { GATEWAY_NAME_LABEL, generatedGatewayKey } from "../../config/gateway-api/gateway-api-config.js";
import { gatewayDeploymentName, gatewayServiceAccount } from "../../config/gateway-api/gateway-deployment.js";
import { INGRESS_GATEWAY_WORKLOAD } from "../../scenario/expectation.js";
import { ingressGatewayLabels } from "../../scenario/ingress-gateway-labels.js";
import { DEFAULTS } from "../../scenario/defaults.js";
import { Pod, podIp } from "./pod.js";
import { PodLifecycle, type PodStartSpec } from "./pod-lifecycle.js";
import type { AppHold } from "./readiness.js";
import { injectsSidecar } from "./sidecar-injection.js";
import { DeploymentRollouts } from "./deployment-rollout.js";
import { isWaypointPod } from "../waypoint/waypoint-workloads.js";
import type { ClusterNodes } from "./cluster-nodes.js";
import type { PodResources } from "./pod-resources.js";
import type { ServiceRegistry } from "./service-registry.js";
import type { Inbound } from "../sidecar/inbound.js";
import { Sidecar, type SidecarRuntime } from "../sidecar/sidecar.js";
import { ProxyXds, type EndpointSnapshot } from "../sidecar/proxy-xds.js";
import type { WorkloadBehaviours } from "../app/workload-behaviours.js";

/** istiod as the pod controller sees it: the config it has now, and its proxies' connections. */
export interface PodsIstiod {
  readonly config: MeshConfig;
  readonly distributor: {
    connect(pod: Pod): void;
    disconnect(pod: Pod): void;
    endpointsChanged(eds: EndpointSnapshot, services: readonly string[]): void;
  };
}

export interface PodControllerDeps {
  readonly sim: Simulator;
  readonly rng: RandomStreams;
  readonly scenario: Scenario;
  readonly registry: ServiceRegistry;
  readonly nodes: ClusterNodes | null;
  readonly resources: PodResources;
  readonly inbound: Inbound;
  readonly apps: WorkloadBehaviours;
  readonly telemetry: { event(tMs: number, kind: string, detail: Record<string, string | number>): void };
  readonly proxyStartup: () => number;
  readonly sidecarRuntime: SidecarRuntime;
  readonly sampler: (spec: DistributionSpec, stream: string) => () => number;
  /** istiod, once it is built (after the scenario's pods). */
  readonly istiod: () => PodsIstiod;
  /** ambient mode: istio-cni decides whether a new pod is in the ambient mesh (mesh/ztunnel/). */
  readonly enrol?: ((pod: Pod) => void) | undefined;
}

export class PodController {
  /** Every pod ever started, by `Pod.id`. */
  readonly pods = new Map<string, Pod>();
  readonly podsByDeployment = new Map<string, Pod[]>();
  /** Pods are being built from the scenario (they start with the initial config, already pushed). */
  building = true;
  /** Told of every change of pods or readiness before the endpoints follow (the HPA controller notes Ready transitions). */
  readinessWatcher: (() => void) | null = null;
  private podCount = 0;
  private readonly kKill: number;
  private readonly kProxyExit: number;
  readonly lifecycle: PodLifecycle;
  /** The Deployment controller's rollouts (`kubectl rollout restart` on the timeline). */
  private readonly rollouts: DeploymentRollouts;

  constructor(private readonly d: PodControllerDeps) {
    this.kKill = d.sim.on((pod: Pod) => this.stopPod(pod, "kill"));
    this.kProxyExit = d.sim.on((pod: Pod) => this.proxyExits(pod));
    this.lifecycle = new PodLifecycle({
      sim: d.sim, inbound: d.inbound, telemetry: d.telemetry,
      proxyStartup: d.proxyStartup,
      podsChanged: () => this.podsChanged(),
      restartApp: (pod) => { pod.app = d.apps.newApp(pod, pod.app.behaviour, pod.app.errorDraw); },
    });
    this.rollouts = new DeploymentRollouts({
      sim: d.sim, telemetry: d.telemetry,
      podsOf: (dep) => this.podsOf(dep.metadata.namespace, dep.metadata.name),
      addPod: (dep) => this.addPod(dep, true),
      terminate: (pod) => this.stopPod(pod, "terminate"),
      podsChanged: () => this.podsChanged(),
      stream: (name) => d.rng.stream(name),
    });
  }

  /** The timeline's `rollout`: a new ReplicaSet replaces the Deployment's pods (deployment-rollout.ts). */
  rollout(dep: Deployment): void {
    this.rollouts.restart(dep);
  }

  /** The Deployments' replicas at t = 0. */
  createDeployments(deployments: readonly Deployment[]): void {
    for (const dep of deployments) {
      this.podsByDeployment.set(depKey(dep.metadata.namespace, dep.metadata.name), []);
      for (let i = 0; i < dep.replicas; i++) this.addPod(dep);
    }
  }

  /** The pods of a Deployment (live list: scale-ups append to it). */
  podsOf(namespace: string, name: string): Pod[] {
    return this.podsByDeployment.get(depKey(namespace, name)) ?? [];
  }

  /** A pod of the Deployment; `starting`: created now, it is an endpoint only once Ready (else running from t = 0). */
  addPod(dep: Deployment, starting = false): Pod {
    // In small steps, each a method: this runs once per pod, and a function that long run 1,000 times
    // is compiled by V8's TurboFan for nothing, with every step inlined (V8 src/execution/tiering-manager.cc:
    // an interrupt budget of 66 KB of bytecode per tick, 3 + length / 150 ticks; docs/performance.md,
    // Goal 4, session 20).
    const list = this.podsByDeployment.get(depKey(dep.metadata.namespace, dep.metadata.name))!;
    const pod = this.newPod(dep, list.length);
    const w = this.runApp(pod, dep);
    list.push(pod);
    this.pods.set(pod.id, pod);
    // kube-scheduler binds it to a node; none fits: it stays Pending (not running, not an endpoint)
    // until room appears (mesh/kube/cluster-nodes.ts retries it), then starts like a new pod.
    const nodes = this.d.nodes;
    if (nodes !== null && !nodes.place(pod, dep.scheduling)) this.pending(nodes, pod, dep, w);
    else this.startOnNode(pod, dep, w, starting);
    return pod;
  }

  /** The Deployment's `index`-th pod, with its istio-proxy if injected. */
  private newPod(dep: Deployment, index: number): Pod {
    const d = this.d;
    const pod = new Pod(
      `${dep.metadata.name}-${index}`, dep.metadata.namespace, dep.metadata.name, dep.podLabels, dep.podAnnotations,
      // A waypoint's pod is an Envoy itself (no injection): istiod's proxy like a gateway's.
      dep.serviceAccountName, injectsSidecar(d.scenario.simulation.mesh, dep, d.scenario.namespaces) || (d.scenario.simulation.mesh.mode === "ambient" && isWaypointPod(dep.podLabels)),
      podIp(this.podCount++),
      dep.terminationGracePeriodMs,
    );
    if (pod.hasSidecar) pod.proxy = new Sidecar(pod, "sidecar", d.sidecarRuntime);
    d.enrol?.(pod);
    return pod;
  }

  /** The pod's app: its Workload's behaviour (the Workload is returned). */
  private runApp(pod: Pod, dep: Deployment): Workload | undefined {
    const d = this.d;
    const ns = dep.metadata.namespace;
    const behaviour = d.apps.behaviourFor(ns, dep.podLabels);
    const w = d.apps.workloadOf(ns, dep.podLabels);
    pod.app = d.apps.newApp(pod, behaviour, d.rng.lazy(`app-errors:${ns}/${w?.metadata.name ?? dep.metadata.name}`));
    pod.terminationDrainMs = dep.terminationDrainMs;
    pod.nativeSidecar = dep.nativeSidecar;
    return w;
  }

  /** No node fits the pod: Pending until one has room. */
  private pending(nodes: ClusterNodes, pod: Pod, dep: Deployment, w: Workload | undefined): void {
    const d = this.d;
    pod.alive = false;
    pod.ready = false;
    d.telemetry.event(d.sim.now, "pending", { pod: pod.id, reason: pod.pending ?? "" });
    nodes.waitForRoom(pod, dep.scheduling, () => {
      pod.alive = true;
      d.telemetry.event(d.sim.now, "scheduled", { pod: pod.id, node: pod.node ?? "" });
      this.startOnNode(pod, dep, w, true);
    });
  }

  /** The bound pod starts: its sidecar asks istiod for config, its probes run (pod-lifecycle.ts). */
  private startOnNode(pod: Pod, dep: Deployment, w: Workload | undefined, starting: boolean): void {
    const d = this.d;
    // Its containers' CPU: the sidecar's workers, the app's share of the node (mesh/kube/pod-resources.ts).
    d.resources.attach(pod, dep, d.nodes?.nodeCores(pod) ?? Infinity);
    // status.startTime (the scenario's own pods ran before the run began).
    if (!this.building) pod.startedAtMs = d.sim.now;
    pod.app.cpu = pod.appCpu;
    const bootstrapped = this.building || !pod.hasSidecar;
    // A new sidecar is not ready until istiod has sent it its config (Envoy's readiness probe):
    // the pod is Ready once that and its own readiness probes have passed (pod-lifecycle.ts).
    // https://istio.io/latest/docs/ops/deployment/application-requirements/
    if (!bootstrapped) this.awaitConfig(pod);
    this.lifecycle.add(pod, this.startSpec(pod, dep, w), starting, bootstrapped);
    if (!bootstrapped) d.istiod().distributor.connect(pod);
  }

  /** A sidecar started after the scenario's own: not ready until istiod has sent it its config. */
  private awaitConfig(pod: Pod): void {
    pod.ready = false;
    const config = this.d.istiod().config;
    pod.proxy!.xds = new ProxyXds(config, this.d.registry.eds, config, config, false);
  }

  /** What the pod's start waits for: its probes, the hold of its app, its app's start-up time. */
  private startSpec(pod: Pod, dep: Deployment, w: Workload | undefined): PodStartSpec {
    // A native sidecar is an init container: the app containers start once its startupProbe passed,
    // whatever holdApplicationUntilProxyStarts says (the template then drops the postStart wait)
    // (https://kubernetes.io/docs/concepts/workloads/pods/sidecar-containers/, readiness.ts).
    const hold: AppHold = pod.hasSidecar && dep.nativeSidecar ? "native-startup-probe"
      : dep.holdApplicationUntilProxyStarts ? "pilot-agent-wait" : "none";
    return { probes: dep.readinessProbes, hold, appStartup: this.d.apps.startupOf(w) };
  }

  /**
   * A pod stops. Killed: at once, the requests inside it reset. Terminated (scale-down, eviction):
   * it leaves the Service's endpoints (once the change propagates), every container gets SIGTERM,
   * and Kubernetes kills what still runs after terminationGracePeriodSeconds. Its app keeps serving
   * until then (meshsim's apps shut down gracefully). Its istio-proxy drains (see `proxyExits`).
   * Blackholed (its node vanished): nothing it holds or receives is ever answered or refused, and
   * it stays an endpoint until the node controller marks it NotReady (--node-monitor-grace-period).
   */
  stopPod(pod: Pod, how: "kill" | "terminate" | "blackhole"): void {
    const d = this.d;
    if (how === "terminate") {
      if (pod.terminating) return;
      pod.servingWhenTerminated = pod.ready && pod.alive && !pod.blackholed;
      if (!pod.alive && pod.pending !== undefined) {
        // A Pending pod is deleted before it binds.
        d.nodes?.forget(pod);
        pod.terminating = true;
        return;
      }
      pod.ready = false;
      pod.terminating = true;
      if (pod.hasSidecar && pod.alive && !pod.blackholed) {
        // On SIGTERM pilot-agent calls Envoy's drain_listeners?inboundonly&graceful; Envoy runs with
        // --drain-strategy immediate, so from now on it closes its inbound connections after each
        // response (istio/istio pkg/envoy/agent.go terminate, admin.go DrainListeners, proxy.go args).
        // A native sidecar's preStop hook (`pilot-agent request POST drain`) starts the same drain.
        pod.draining = true;
        // Classic sidecar container: pilot-agent stops Envoy terminationDrainDuration later (if the
        // grace period has not ended first). A native sidecar gets SIGTERM only once the app
        // containers have exited (KEP-753), which meshsim's apps do at the grace period's end.
        if (!pod.nativeSidecar && pod.terminationDrainMs < pod.terminationGracePeriodMs) d.sim.after(pod.terminationDrainMs, this.kProxyExit, pod);
      }
      d.sim.after(pod.terminationGracePeriodMs, this.kKill, pod);
      return;
    }
    if (!pod.alive || pod.blackholed) return;
    if (how === "blackhole") {
      pod.blackholed = true;
      pod.blackholedAtMs = d.sim.now;
      pod.appUp = false;
      pod.app.crash();
      d.inbound.dropAll(pod);
      this.lifecycle.stopped(pod, DEFAULTS.kubernetes.nodeMonitorGracePeriodMs);
      return;
    }
    const proxyGone = pod.proxyExited;
    pod.alive = false;
    pod.ready = false;
    d.nodes?.release(pod);
    pod.app.dropAll();
    d.inbound.resetAll(pod);
    this.lifecycle.stopped(pod);
    if (pod.hasSidecar && !proxyGone) d.istiod().distributor.disconnect(pod);
  }

  /**
   * A terminating pod's Envoy exits while its app container still runs: the requests inside the pod
   * lose their connections (the callers' sidecars see 503 UC), and new connections to the pod are
   * refused, since iptables still redirects them to Envoy's ports (503 UF, retried as a connect
   * failure). The pod keeps its node and stays listed until its grace period ends.
   */
  private proxyExits(pod: Pod): void {
    if (!pod.alive || pod.blackholed || pod.proxyExited) return;
    pod.proxyExited = true;
    this.d.telemetry.event(this.d.sim.now, "proxyExited", { pod: pod.id });
    pod.app.dropAll();
    this.d.inbound.resetAll(pod);
    this.d.istiod().distributor.disconnect(pod);
  }

  /** The timeline's `crash`: the pod's app container exits (and restarts under CrashLoopBackOff). */
  crashPod(pod: Pod, a: Extract<TimelineAction, { kind: "crash" }>): void {
    const after = a.crashAfter !== undefined ? this.d.sampler(a.crashAfter, `crash:${pod.id}`) : null;
    this.lifecycle.crash(pod, after, a.times);
  }

  /**
   * Pods started, stopped or changed readiness: Kubernetes' endpoints change at once (kube-proxy
   * follows them); sidecars learn of it through istiod's EDS pushes.
   */
  podsChanged(): void {
    this.readinessWatcher?.();
    this.rollouts.podsChanged();
    const changed = this.d.registry.refresh(this.pods.values());
    this.d.istiod().distributor.endpointsChanged(this.d.registry.eds, changed);
  }

  /** The Deployment a pod belongs to. */
  deploymentOf(pod: Pod): Deployment | undefined {
    return this.d.scenario.deployments.find((d) => d.metadata.namespace === pod.namespace && d.metadata.name === pod.workload);
  }

  /**
   * The ingress gateway a Gateway resource configures: an Envoy without an app, in istio-system,
   * labelled as the Gateway's selector asks (Istio's istio-ingressgateway deployment). It gets config
   * from istiod like any proxy and calls the mesh over mTLS with its own identity.
   */
  gatewayPod(namespace: string, name: string): Pod {
    const d = this.d;
    const k8s = d.scenario.gatewayApi.find((g) => g.kind === "KubernetesGateway" && g.metadata.namespace === namespace && g.metadata.name === name);
    if (k8s !== undefined) return this.deployedGatewayPod(k8s as KubernetesGateway);
    const key = `${namespace}/${name}`;
    const existing = [...this.pods.values()].find((p) => p.gateway === key);
    if (existing !== undefined) return existing;
    const gw = d.scenario.gateways.find((g) => g.metadata.namespace === namespace && g.metadata.name === name)!;
    const index = [...this.pods.values()].filter((p) => p.gateway !== undefined).length;
    const pod = new Pod(
      `${INGRESS_GATEWAY_WORKLOAD}-${index}`, "istio-system", INGRESS_GATEWAY_WORKLOAD, ingressGatewayLabels(gw.spec.selector), {},
      "istio-ingressgateway-service-account", true, podIp(this.podCount++),
    );
    pod.gateway = key;
    pod.proxy = new Sidecar(pod, "router", d.sidecarRuntime);
    d.nodes?.place(pod, undefined);
    this.pods.set(pod.id, pod);
    return pod;
  }

  /**
   * A Gateway API Gateway of class `istio`: Istio deploys `<gateway>-istio` (Deployment, Service and
   * service account; gateway-deployment.ts for the names) in the Gateway's namespace, its pods labelled gateway.networking.k8s.io/gateway-name,
   * and programs it with the Istio Gateway it generates (one per Gateway here).
   * https://istio.io/latest/docs/tasks/traffic-management/ingress/gateway-api/#automated-deployment
   */
  private deployedGatewayPod(gw: KubernetesGateway): Pod {
    const key = generatedGatewayKey(gw);
    const existing = [...this.pods.values()].find((p) => p.gateway === key);
    if (existing !== undefined) return existing;
    const workload = gatewayDeploymentName(gw);
    const pod = new Pod(
      `${workload}-0`, gw.metadata.namespace, workload, { [GATEWAY_NAME_LABEL]: gw.metadata.name, "gateway.istio.io/managed": "istio.io-gateway-controller" }, {},
      gatewayServiceAccount(gw), true, podIp(this.podCount++),
    );
    pod.gateway = key;
    pod.proxy = new Sidecar(pod, "router", this.d.sidecarRuntime);
    this.pods.set(pod.id, pod);
    return pod;
  }
}

function depKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}
