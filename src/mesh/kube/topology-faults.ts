// Node and zone faults on the timeline, as Kubernetes plays them out:
// - drain (kubectl drain): cordon the nodes, evict their pods gracefully (terminationGracePeriod),
//   the Deployments' ReplicaSets create replacements, which the scheduler puts on other nodes.
// - NotReady: the node stops answering — its pods are unreachable at once and leave the endpoints
//   when the node controller marks the node Unknown and its pods NotReady (node-monitor-grace-period,
//   MarkPodsNotReady). That is also when it taints the node node.kubernetes.io/unreachable:NoExecute,
//   and the taint-eviction controller counts the default toleration (300 s) from then: the pods are
//   evicted and replaced elsewhere grace period + 300 s after the node went dark. Ready again: the
//   node takes new pods (its old pods do not come back: meshsim simplification).
//   kubernetes/kubernetes pkg/controller/nodelifecycle/node_lifecycle_controller.go
//   (monitorNodeHealth, doNoExecuteTaintingPass), pkg/controller/tainteviction/taint_eviction.go
//   (processPodOnNode: trigger time = now + minimum tolerationSeconds)
// - partition/heal: traffic between the zones is dropped (new connections time out, requests on
//   open ones are lost) or flows again.
// https://kubernetes.io/docs/tasks/administer-cluster/safely-drain-node/
// https://kubernetes.io/docs/concepts/scheduling-eviction/taint-and-toleration/#taint-based-evictions
import type { Simulator } from "../../engine/simulator.js";
import { DEFAULTS } from "../../scenario/defaults.js";
import type { Deployment, TimelineAction } from "../../scenario/model.js";
import type { Pod } from "./pod.js";
import type { ClusterNodes } from "./cluster-nodes.js";

/** DefaultTolerationSeconds admission plugin: node.kubernetes.io/not-ready and unreachable, 300 s. */
export const NOT_READY_TOLERATION_MS = 300_000;

/** From the node going dark to its pods' eviction: the grace period, then the toleration (see above). */
export function notReadyEvictionDelayMs(): number {
  return DEFAULTS.kubernetes.nodeMonitorGracePeriodMs + NOT_READY_TOLERATION_MS;
}

export interface FaultWorld {
  readonly sim: Simulator;
  pods(): Iterable<Pod>;
  deploymentOf(pod: Pod): Deployment | undefined;
  stopPod(pod: Pod, how: "kill" | "terminate" | "blackhole"): void;
  addPod(dep: Deployment, starting?: boolean): Pod;
  podsChanged(): void;
  event(kind: string, detail: Record<string, string | number>): void;
}

export class TopologyFaults {
  private readonly kEvict: number;

  constructor(private readonly nodes: ClusterNodes, private readonly w: FaultWorld) {
    this.kEvict = w.sim.on((node: string) => this.evict(node));
  }

  apply(a: Extract<TimelineAction, { kind: "drain" | "nodeCondition" | "partition" }>): void {
    if (a.kind === "partition") {
      this.nodes.setPartition(a.zones, !a.heal);
      return;
    }
    const names = this.nodes.nodesOf(a);
    if (a.kind === "drain") {
      for (const n of names) this.nodes.cordon(n);
      const evicted = this.on(names).filter((p) => p.alive && !p.terminating);
      for (const p of evicted) this.w.stopPod(p, "terminate");
      this.replace(evicted);
      if (evicted.length > 0) this.w.podsChanged();
      return;
    }
    for (const n of names) {
      if (a.ready) {
        this.nodes.setReady(n, true);
        continue;
      }
      if (this.nodes.notReady.has(n)) continue;
      this.nodes.setReady(n, false);
      for (const p of this.on([n])) if (p.alive) this.w.stopPod(p, "blackhole");
      this.w.sim.after(notReadyEvictionDelayMs(), this.kEvict, n);
    }
  }

  private on(names: readonly string[]): Pod[] {
    const out: Pod[] = [];
    for (const p of this.w.pods()) if (p.node !== undefined && names.includes(p.node)) out.push(p);
    return out;
  }

  /** The toleration ran out on a node still NotReady: its pods are evicted and replaced. */
  private evict(node: string): void {
    if (!this.nodes.notReady.has(node)) return;
    const gone = this.on([node]).filter((p) => p.blackholed && !p.terminating);
    for (const p of gone) {
      p.terminating = true;
      this.nodes.release(p);
    }
    this.w.event("evicted", { node, pods: gone.length });
    this.replace(gone);
  }

  /** Each Deployment's ReplicaSet brings its count back: one new pod per pod lost. */
  private replace(lost: readonly Pod[]): void {
    for (const p of lost) {
      const dep = this.w.deploymentOf(p);
      if (dep !== undefined) this.w.addPod(dep, true);
    }
  }
}
