// Each running pod's containers as CPU and memory consumers: the injected istio-proxy (its Envoy
// worker threads, mesh/sidecar/sidecar-cpu.ts) and the app container (mesh/kube/container-cpu.ts).
// The istio-proxy container's resources are what Istio's injector writes: the
// sidecar.istio.io/proxyCPU, proxyCPULimit, proxyMemory, proxyMemoryLimit annotations when any is
// set (then only those), else global.proxy.resources — requests 100m / 128Mi, limits 2000m / 1Gi
// (istio/istio manifests/charts/istio-control/istio-discovery/files/injection-template.yaml and values.yaml).
import type { Simulator } from "../../engine/simulator.js";
import type { RequestRecording } from "../../proxy/resources/calibration-profile.js";
import { envoyConcurrency } from "../../proxy/resources/worker-concurrency.js";
import type { Deployment, MeshSettings } from "../../scenario/model.js";
import { SidecarCpu } from "../sidecar/sidecar-cpu.js";
import { WAYPOINT_PROFILE } from "../../proxy/resources/calibration-profile.js";
import { isWaypointPod } from "../waypoint/waypoint-workloads.js";
import { ContainerCpu } from "./container-cpu.js";
import { NodeCpu } from "./node-cpu.js";
import type { Pod } from "./pod.js";

/** Istio's injected istio-proxy resources (global.proxy.resources). */
export const ISTIO_PROXY_DEFAULT_RESOURCES = {
  requests: { cpuMillis: 100, memoryBytes: 128 * 2 ** 20 },
  limits: { cpuMillis: 2000, memoryBytes: 2 ** 30 },
};

interface ProxyContainerSpec {
  readonly concurrency: number;
  readonly limits: { cpuCores: number; memoryBytes: number };
}

/** The istio-proxy container of a Deployment with these proxy annotations on a node of these cores. */
function proxyContainerSpec(proxy: Deployment["proxy"], mesh: MeshSettings, nodeCores: number): ProxyContainerSpec {
  const p = proxy ?? {};
  const annotated = p.cpuRequestMillis !== undefined || p.cpuLimitMillis !== undefined || p.memoryRequestBytes !== undefined || p.memoryLimitBytes !== undefined;
  const d = ISTIO_PROXY_DEFAULT_RESOURCES;
  const cpuLimit = annotated ? p.cpuLimitMillis : d.limits.cpuMillis;
  const memLimit = annotated ? p.memoryLimitBytes : d.limits.memoryBytes;
  const concurrency = envoyConcurrency({
    proxyConfigConcurrency: p.concurrency ?? mesh.proxy.concurrency,
    cpuLimitCores: cpuLimit !== undefined ? cpuLimit / 1000 : undefined,
    nodeCores,
  });
  return { concurrency, limits: { cpuCores: cpuLimit !== undefined ? cpuLimit / 1000 : Infinity, memoryBytes: memLimit ?? Infinity } };
}

export class PodResources {
  /** Every pod that ran, in creation order (reports read them at the end). */
  readonly pods: Pod[] = [];
  /** The nodes' CPU shared among the containers bound to them (with Node documents). */
  private readonly nodes = new Map<string, NodeCpu>();

  constructor(
    private readonly sim: Simulator,
    private readonly mesh: MeshSettings,
    private readonly proxyLatency: () => number,
    /** The non-CPU latency of a waypoint's pass (its own calibration). */
    private readonly waypointLatency: () => () => number = () => proxyLatency,
    /** meshConfig.accessLogFile and tracing (the scenario's `report`): CPU after each response. */
    private readonly recording: RequestRecording = { accessLog: false, traceSample: 0 },
  ) {}

  // attach in three methods: it runs once per pod, and one function that long is compiled by V8's
  // TurboFan after ≈ 700 runs, for nothing (docs/performance.md, Goal 4, session 20).
  attach(pod: Pod, dep: Deployment, nodeCores: number): void {
    this.pods.push(pod);
    if (pod.hasSidecar) this.attachSidecar(pod, dep, nodeCores);
    this.attachApp(pod, dep, nodeCores);
  }

  /** The istio-proxy container: Envoy's worker threads under its CPU limit. */
  private attachSidecar(pod: Pod, dep: Deployment, nodeCores: number): void {
    const spec = this.proxySpec(dep.proxy, nodeCores);
    // An ambient waypoint is an Envoy with its own published cost (proxy/resources/calibration-profile.ts).
    const waypoint = isWaypointPod(pod.labels);
    pod.proxy!.cpu = new SidecarCpu(this.pods.length, spec.concurrency, waypoint ? WAYPOINT_PROFILE : this.mesh.proxy.calibration, waypoint ? this.waypointLatency() : this.proxyLatency, spec.limits, this.recording);
  }

  /**
   * The istio-proxy container's Envoy concurrency and limits follow from the Deployment's proxy
   * annotations and its node's cores alone: worked out once per pair and shared by the pods (every
   * Deployment without annotations shares one; the limits object is only read: sidecar-cpu.ts).
   */
  private readonly proxySpecs = new Map<Deployment["proxy"], Map<number, ProxyContainerSpec>>();

  private proxySpec(proxy: Deployment["proxy"], nodeCores: number): ProxyContainerSpec {
    let byCores = this.proxySpecs.get(proxy);
    if (byCores === undefined) this.proxySpecs.set(proxy, (byCores = new Map()));
    let spec = byCores.get(nodeCores);
    if (spec === undefined) byCores.set(nodeCores, (spec = proxyContainerSpec(proxy, this.mesh, nodeCores)));
    return spec;
  }

  /** The app container, sharing its node's cores with the node's other containers (with Node documents). */
  private attachApp(pod: Pod, dep: Deployment, nodeCores: number): void {
    const c = dep.containers?.[0];
    const node = pod.node !== undefined && nodeCores !== Infinity ? this.nodeCpu(pod.node, nodeCores) : null;
    pod.appCpu = new ContainerCpu(
      this.sim,
      c?.name ?? "app",
      c?.limits.cpuMillis !== undefined ? c.limits.cpuMillis / 1000 : Infinity,
      nodeCores,
      (c?.requests.cpuMillis ?? c?.limits.cpuMillis ?? 0) / 1000,
      c?.limits.memoryBytes ?? Infinity,
      node,
    );
  }

  /** A node's CPU, shared by the containers bound to it. */
  private nodeCpu(name: string, cores: number): NodeCpu {
    let node = this.nodes.get(name);
    if (node === undefined) this.nodes.set(name, (node = new NodeCpu(name, cores)));
    return node;
  }
}
