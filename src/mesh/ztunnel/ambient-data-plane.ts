// ambient mode's data plane as the world wires it: the ztunnel DaemonSet, the outbound path from
// ambient pods, the destination ztunnel in front of them, and enrolment (which pods are ambient, and
// moving running pods in or out when a Namespace's istio.io/dataplane-mode label is applied on the
// timeline — istio-cni reconfigures the pod's network namespace, no restart).
// https://istio.io/latest/docs/ambient/usage/add-workloads/
import type { MeshConfig } from "../../config/mesh-config.js";
import type { Simulator } from "../../engine/simulator.js";
import type { RandomStreams } from "../../engine/rng.js";
import type { MeshSettings, Namespace, Node } from "../../scenario/model.js";
import { Pod } from "../kube/pod.js";
import type { ServiceRegistry } from "../kube/service-registry.js";
import type { MeshTelemetry, RequestSink } from "../mesh-telemetry.js";
import type { Network } from "../network.js";
import type { Inbound } from "../sidecar/inbound.js";
import type { Exchange, Origin, OutgoingRequest, Responder } from "../transport.js";
import { isAmbientPod } from "./ambient-enrolment.js";
import { L4Sinks } from "./l4-sinks.js";
import { ZTUNNEL_LABELS, ZtunnelDaemonSet } from "./ztunnel-daemonset.js";
import { ZtunnelInbound } from "./ztunnel-inbound.js";
import { ZtunnelPath } from "./ztunnel-path.js";

export interface AmbientDeps {
  sim: Simulator;
  rng: RandomStreams;
  network: Network;
  registry: ServiceRegistry;
  inbound: Inbound;
  telemetry: MeshTelemetry & { pod(name: string, concurrency: number): unknown; event(tMs: number, kind: string, detail: Record<string, string | number>): void };
  mesh: Pick<MeshSettings, "mode">;
  nodes: readonly Node[];
  namespaces: readonly Namespace[];
  /** The next pod IP. */
  podIp: () => string;
  /** The pod's containers count in the run's resources (its CPU and memory). */
  addResources: (pod: Pod) => void;
  config: () => MeshConfig;
  zones: ((origin: Origin, dest: Pod, sink: RequestSink) => RequestSink) | null;
}

export class AmbientDataPlane {
  readonly ztunnels: ZtunnelDaemonSet;
  readonly path: ZtunnelPath;
  readonly inbound: ZtunnelInbound;
  private namespaces: Namespace[];
  private readonly byDefault: boolean;
  private readonly reported = new Set<string>();

  constructor(private readonly d: AmbientDeps) {
    this.namespaces = [...d.namespaces];
    this.byDefault = d.namespaces.length === 0;
    let uid = 1_000_000;
    this.ztunnels = new ZtunnelDaemonSet(d.nodes, d.rng, (name) => {
      const pod = new Pod(name, "istio-system", "ztunnel", ZTUNNEL_LABELS, {}, "ztunnel", false, d.podIp());
      d.telemetry.pod(pod.id, Infinity);
      return { pod, uid: uid++ };
    });
    for (const z of this.ztunnels.all) d.addResources(z.pod);
    const sinks = new L4Sinks(d.telemetry, d.zones);
    this.inbound = new ZtunnelInbound(this.ztunnels, sinks, d.config, (pod, reason) => {
      // One event per (pod, reason): the counters say how many connections.
      const key = `${pod.id}\u0000${reason}`;
      if (this.reported.has(key)) return;
      this.reported.add(key);
      d.telemetry.event(d.sim.now, "ztunnel-denied", { pod: pod.id, reason });
    });
    d.inbound.ztunnel = this.inbound;
    this.path = new ZtunnelPath({
      sim: d.sim, network: d.network, registry: d.registry, inbound: d.inbound, ztunnels: this.ztunnels, sinks,
      namespaces: this.namespaces, draw: d.rng.stream("ztunnel:lb"),
    });
  }

  /** Whether a new pod joins the ambient mesh. */
  enrol(pod: Pod): void {
    pod.ambient = isAmbientPod(this.d.mesh, pod.namespace, pod.labels, pod.hasSidecar, this.namespaces, this.byDefault);
  }

  send(origin: Origin, req: OutgoingRequest, responder: Responder, conn: number): Exchange {
    return this.path.send(origin, req, responder, conn);
  }

  closeConnection(origin: Origin, conn: number): void {
    const pod = origin.pod as Pod | null;
    if (pod !== null) this.path.closeCaller(pod, conn);
  }

  /**
   * Namespaces applied on the timeline: istio-cni moves their running pods in or out of ambient at
   * once (connections already open keep their path).
   */
  applyNamespaces(namespaces: readonly Namespace[], pods: Iterable<Pod>): void {
    for (const ns of namespaces) {
      const i = this.namespaces.findIndex((n) => n.metadata.name === ns.metadata.name);
      if (i >= 0) this.namespaces[i] = ns;
      else this.namespaces.push(ns);
    }
    const names = new Set(namespaces.map((n) => n.metadata.name));
    for (const pod of pods) {
      if (!names.has(pod.namespace) || pod.gateway !== undefined) continue;
      const was = pod.ambient;
      this.enrol(pod);
      if (was !== pod.ambient) this.d.telemetry.event(this.d.sim.now, pod.ambient ? "ambient-enrolled" : "ambient-removed", { pod: pod.id });
    }
  }
}
