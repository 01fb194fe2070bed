// The cluster's nodes at run time: where each pod runs (bound by the scheduler at creation and
// scale-up), each node's Ready condition, zone partitions, and the distance between two pods that
// the network's latency and the cross-zone bill depend on. Exists only when the scenario has nodes.
import type { Node, PodScheduling } from "../../scenario/model.js";
import { HOSTNAME_LABEL, nodeLocality, ZONE_LABEL, REGION_LABEL } from "../../scenario/kinds/node.js";
import { Scheduler, type PodToPlace } from "./scheduler.js";

/** How far apart two pods are (the network's latency class). */
export const enum Distance { SameNode = 0, SameZone = 1, CrossZone = 2, CrossRegion = 3 }

/** What a placed pod carries (mesh/pod.ts fields). */
export interface PlacedPod {
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  node: string | undefined;
  locality: string | undefined;
  pending: string | undefined;
}

interface NodeInfo { node: Node; zone: string; region: string; locality: string }

export class ClusterNodes {
  private readonly scheduler: Scheduler;
  private readonly info = new Map<string, NodeInfo>();
  private readonly placed = new Map<PlacedPod, PodToPlace>();
  /** Zone pairs ("a\u0000b", sorted) whose traffic is dropped. */
  private readonly cut = new Set<string>();
  readonly notReady = new Set<string>();

  constructor(readonly nodes: readonly Node[], draw: () => number) {
    this.scheduler = new Scheduler(nodes, draw);
    for (const n of nodes) {
      const l = n.metadata.labels;
      this.info.set(n.metadata.name, { node: n, zone: l[ZONE_LABEL] ?? "", region: l[REGION_LABEL] ?? "", locality: nodeLocality(n) });
    }
  }

  /**
   * Bind a new pod to a node (kube-scheduler), setting its node and locality; false when it stays
   * Pending (its `pending` then says why, as `kubectl describe pod` would).
   */
  place(pod: PlacedPod, scheduling: PodScheduling | undefined): boolean {
    const req: PodToPlace = { namespace: pod.namespace, labels: pod.labels, scheduling };
    const r = this.scheduler.place(req);
    if ("pending" in r) {
      pod.pending = r.pending;
      return false;
    }
    this.placed.set(pod, req);
    pod.node = r.node;
    const own = podLocalityLabel(pod.labels);
    pod.locality = own !== "" ? own : this.info.get(r.node)!.locality;
    return true;
  }

  /** The pod no longer occupies its node. */
  release(pod: PlacedPod): void {
    const req = this.placed.get(pod);
    if (req === undefined || pod.node === undefined) return;
    this.scheduler.release(req, pod.node);
    this.placed.delete(pod);
    this.roomMade();
  }

  /** Pending pods, oldest first, each with what to do once it is bound. */
  private readonly waiting: { pod: PlacedPod; scheduling: PodScheduling | undefined; bound: () => void }[] = [];
  /** Called (once per change) when room may have appeared: the world schedules retryPending(). */
  onRoom: (() => void) | null = null;

  /** A Pending pod waits; kube-scheduler retries it when a pod leaves or a node becomes schedulable. */
  waitForRoom(pod: PlacedPod, scheduling: PodScheduling | undefined, bound: () => void): void {
    this.waiting.push({ pod, scheduling, bound });
  }

  /** A Pending pod was deleted (a scale-down): it never binds. */
  forget(pod: PlacedPod): void {
    const i = this.waiting.findIndex((w) => w.pod === pod);
    if (i >= 0) this.waiting.splice(i, 1);
  }

  private roomMade(): void {
    if (this.waiting.length > 0) this.onRoom?.();
  }

  /** Try the Pending pods again, oldest first; those that now fit are bound and started. */
  retryPending(): void {
    for (let i = 0; i < this.waiting.length;) {
      const w = this.waiting[i]!;
      if (this.place(w.pod, w.scheduling)) {
        w.pod.pending = undefined;
        this.waiting.splice(i, 1);
        w.bound();
      } else i++;
    }
  }

  /** Allocatable cores of the pod's node (Infinity: not given, or the pod is not placed). */
  nodeCores(pod: PlacedPod): number {
    const n = pod.node === undefined ? undefined : this.info.get(pod.node)?.node;
    return n === undefined ? Infinity : n.allocatableCpuMillis / 1000;
  }

  zoneOf(pod: PlacedPod | null): string | undefined {
    return pod?.node === undefined ? undefined : this.info.get(pod.node)?.zone;
  }

  regionOf(pod: PlacedPod | null): string | undefined {
    return pod?.node === undefined ? undefined : this.info.get(pod.node)?.region;
  }

  /** The node's kubernetes.io/hostname (Istio's label for the pod's node). */
  hostnameOf(pod: PlacedPod): string | undefined {
    return pod.node === undefined ? undefined : this.info.get(pod.node)?.node.metadata.labels[HOSTNAME_LABEL] ?? pod.node;
  }

  /** The distance between two pods; an unplaced end (a client outside the cluster) counts as the same zone. */
  distance(a: PlacedPod | null, b: PlacedPod | null): Distance {
    if (a?.node === undefined || b?.node === undefined) return Distance.SameZone;
    if (a.node === b.node) return Distance.SameNode;
    const x = this.info.get(a.node)!;
    const y = this.info.get(b.node)!;
    if (x.region !== y.region) return Distance.CrossRegion;
    return x.zone === y.zone ? Distance.SameZone : Distance.CrossZone;
  }

  /** Is traffic between the two pods' zones dropped? */
  partitioned(a: PlacedPod | null, b: PlacedPod | null): boolean {
    if (this.cut.size === 0) return false;
    const x = this.zoneOf(a);
    const y = this.zoneOf(b);
    return x !== undefined && y !== undefined && x !== y && this.cut.has(pairKey(x, y));
  }

  setPartition(zones: readonly string[], on: boolean): void {
    for (let i = 0; i < zones.length; i++) for (let j = i + 1; j < zones.length; j++) {
      const k = pairKey(zones[i]!, zones[j]!);
      if (on) this.cut.add(k); else this.cut.delete(k);
    }
  }

  /** Names of the nodes a fault names: one node, or every node of a zone. */
  nodesOf(where: { zone?: string | undefined; node?: string | undefined }): string[] {
    if (where.node !== undefined) return this.info.has(where.node) ? [where.node] : [];
    return [...this.info.values()].filter((i) => i.zone === where.zone).map((i) => i.node.metadata.name);
  }

  setReady(node: string, ready: boolean): void {
    if (ready) this.notReady.delete(node); else this.notReady.add(node);
    this.scheduler.setReady(node, ready);
    if (ready) this.roomMade();
  }

  /** kubectl cordon: no new pods. */
  cordon(node: string): void {
    this.scheduler.setReady(node, false);
  }
}

function pairKey(a: string, b: string): string {
  return a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`;
}

/**
 * A pod's own locality label, which wins over its node's: `topology.istio.io/locality` if present
 * (even empty), else the older `istio-locality`; dots stand for slashes unless the value has a slash.
 * istio/istio pkg/model/proxy.go (GetLocalityLabel, SanitizeLocalityLabel), called by
 * pilot/pkg/serviceregistry/kube/controller/controller.go (getPodLocality).
 */
export function podLocalityLabel(labels: Readonly<Record<string, string>>): string {
  const v = labels["topology.istio.io/locality"] ?? labels["istio-locality"] ?? "";
  return v === "" || v.includes("/") ? v : v.replace(/\./g, "/");
}
