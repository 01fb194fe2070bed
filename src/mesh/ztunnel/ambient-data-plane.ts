// ambient mode's data plane as the world wires it: the ztunnel DaemonSet, the outbound path from
// ambient pods, the destination ztunnel in front of them, and enrolment (which pods are ambient, by
// config/ambient/dataplane-mode.ts, and
// moving running pods in or out when a Namespace's istio.io/dataplane-mode label is applied on the
// timeline — istio-cni reconfigures the pod's network namespace, no restart).
// https://istio.io/latest/docs/ambient/usage/add-workloads/
import type { MeshConfig } from "../../config/mesh-config.js";
import type { Simulator } from "../../engine/simulator.js";
import type { RandomStreams } from "../../engine/rng.js";
import type { MeshSettings, Namespace, Node, SourcePos } from "../../scenario/model.js";
import { Pod } from "../kube/pod.js";
import type { ServiceRegistry } from "../kube/service-registry.js";
import type { MeshTelemetry, RequestSink } from "../mesh-telemetry.js";
import type { Network } from "../network.js";
import type { Inbound } from "../sidecar/inbound.js";
import type { RequestLog } from "../../telemetry/request-log.js";
import type { Exchange, Origin, OutgoingRequest, Responder } from "../transport.js";
import { dataplaneMode, enrolmentNamespaceLabels } from "../../config/ambient/dataplane-mode.js";
import { L4Sinks } from "./l4-sinks.js";
import { ZTUNNEL_LABELS, ZTUNNEL_RESOURCES, ZtunnelDaemonSet } from "./ztunnel-daemonset.js";
import type { ClusterNodes } from "../kube/cluster-nodes.js";
import { ZtunnelInbound } from "./ztunnel-inbound.js";
import type { Ztunnel } from "./ztunnel.js";
import { ZtunnelPath, type WaypointHop } from "./ztunnel-path.js";

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
  /** The waypoints (mesh/waypoint/); null: none. */
  waypoints: WaypointHop | null;
  /** Access log and traces; null when both are off. */
  log: RequestLog | null;
  /** How long a killed ztunnel's replacement takes to be up (ms). */
  restartMs: () => number;
  /** The nodes model (null: no Node documents): the ztunnel pods hold their requests on their nodes. */
  clusterNodes: ClusterNodes | null;
  /** Where the Simulation is written (messages about the DaemonSet's pods). */
  pos: SourcePos;
}

export class AmbientDataPlane {
  readonly ztunnels: ZtunnelDaemonSet;
  readonly path: ZtunnelPath;
  readonly inbound: ZtunnelInbound;
  private readonly namespaces: Namespace[];
  /** Namespaces applied on the timeline, by name (their labels replace the scenario's). */
  private readonly applied = new Map<string, Namespace>();
  private readonly reported = new Set<string>();

  constructor(private readonly d: AmbientDeps) {
    this.namespaces = [...d.namespaces];
    this.kUp = d.sim.on((z: Ztunnel) => {
      z.pod.alive = true;
      d.telemetry.event(d.sim.now, "ztunnel-up", { pod: z.pod.id });
    });
    let uid = 1_000_000;
    this.ztunnels = new ZtunnelDaemonSet(d.nodes, d.rng, (name) => {
      const pod = new Pod(name, "istio-system", "ztunnel", ZTUNNEL_LABELS, {}, "ztunnel", false, d.podIp());
      d.telemetry.pod(pod.id, Infinity);
      return { pod, uid: uid++ };
    });
    for (const z of this.ztunnels.all) {
      d.addResources(z.pod);
      // The DaemonSet's pod is bound to its node and holds the chart's requests there (200m, 512Mi),
      // which the node's other pods can no longer have.
      if (d.clusterNodes !== null && z.pod.node !== undefined) {
        const node = z.pod.node;
        const placed = d.clusterNodes.place(z.pod, {
          nodeName: node, nodeSelector: {}, requiredNodeAffinity: [], topologySpreadConstraints: [],
          requests: ZTUNNEL_RESOURCES.requests, pos: d.pos,
        });
        // A node too small for ztunnel: the pod stays Pending (and the node's ambient pods have no ztunnel to use).
        if (!placed) {
          d.telemetry.event(0, "ztunnel-pending", { pod: z.pod.id, reason: z.pod.pending ?? "" });
          z.pod.node = node;
        }
      }
    }
    const sinks = new L4Sinks(d.telemetry, d.zones);
    this.inbound = new ZtunnelInbound(this.ztunnels, sinks, d.config, d.log, (pod, reason) => {
      // One event per (pod, reason): the counters say how many connections.
      const key = `${pod.id}\u0000${reason}`;
      if (this.reported.has(key)) return;
      this.reported.add(key);
      d.telemetry.event(d.sim.now, "ztunnel-denied", { pod: pod.id, reason });
    });
    d.inbound.ztunnel = this.inbound;
    this.path = new ZtunnelPath({
      sim: d.sim, network: d.network, registry: d.registry, inbound: d.inbound, ztunnels: this.ztunnels, sinks,
      namespaces: this.namespaces, draw: d.rng.stream("ztunnel:lb"), waypoints: d.waypoints, log: d.log,
    });
  }

  /**
   * A ztunnel pod killed on the timeline: its node's ambient pods can neither open connections
   * (nothing listens on the in-pod redirect: refused) nor accept them until the DaemonSet's new pod
   * is up, after a proxy start-up time; the connections it carried are reset (Istio's upgrade guide:
   * replacing ztunnel in place disrupts all ambient traffic on the node and ends its open connections,
   * https://istio.io/latest/docs/ambient/upgrade/helm/).
   */
  killZtunnel(name: string, namespace: string): boolean {
    const z = this.ztunnels.all.find((x) => x.pod.namespace === namespace && (x.pod.name === name || x.pod.id === name));
    if (z === undefined) return false;
    if (!z.pod.alive) return true;
    const sim = this.d.sim;
    z.pod.alive = false;
    this.path.resetThrough(z);
    const down = this.d.restartMs();
    this.d.telemetry.event(sim.now, "ztunnel-down", { pod: z.pod.id, restartMs: Math.round(down) });
    sim.after(down, this.kUp, z);
    return true;
  }

  private readonly kUp: number;

  /** Whether a pod is in the ambient mesh (istio-cni's decision, config/ambient/dataplane-mode.ts). */
  enrol(pod: Pod): void {
    if (this.d.mesh.mode !== "ambient") return;
    const ns = this.applied.get(pod.namespace);
    const namespaceLabels = ns !== undefined ? ns.metadata.labels : enrolmentNamespaceLabels(pod.namespace, this.namespaces);
    pod.ambient = dataplaneMode({ namespaceLabels, podLabels: pod.labels, podAnnotations: pod.annotations, hasSidecar: pod.hasSidecar }).mode === "ambient";
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
    for (const ns of namespaces) this.applied.set(ns.metadata.name, ns);
    const names = new Set(namespaces.map((n) => n.metadata.name));
    for (const pod of pods) {
      if (!names.has(pod.namespace) || pod.gateway !== undefined) continue;
      const was = pod.ambient;
      this.enrol(pod);
      if (was !== pod.ambient) this.d.telemetry.event(this.d.sim.now, pod.ambient ? "ambient-enrolled" : "ambient-removed", { pod: pod.id });
    }
  }
}
