// The scenario's timeline: changes to the world at given simulated times.
import type { Simulator } from "../engine/simulator.js";
import type { DistributionSpec } from "../engine/distributions/spec.js";
import type { AnyResource, Deployment, Scenario, TimelineAction, TimelineEvent } from "../scenario/model.js";
import type { Pod } from "./kube/pod.js";

/** What the timeline may change (implemented by the World). */
export interface TimelineTarget {
  readonly sim: Simulator;
  readonly scenario: Scenario;
  readonly podsByDeployment: Map<string, Pod[]>;
  readonly telemetry: { event(tMs: number, kind: string, detail: Record<string, string | number>): void };
  setWorkload(namespace: string, name: string, change: { errorRate?: number; serviceTime?: DistributionSpec }): void;
  /** A new pod; `starting`: it becomes an endpoint only once it is Ready (a scale-up). */
  addPod(dep: Deployment, starting?: boolean): Pod;
  stopPod(pod: Pod, how: "kill" | "terminate" | "blackhole"): void;
  /** Kill ambient's ztunnel pod of that name; false when there is none. */
  killZtunnel?(name: string, namespace: string): boolean;
  crashPod(pod: Pod, crash: Extract<TimelineAction, { kind: "crash" }>): void;
  /** `kubectl rollout restart`: the Deployment controller replaces the pods (mesh/kube/deployment-rollout.ts). */
  rollout(dep: Deployment): void;
  podsChanged(): void;
  /** The zone of a pod's node (undefined without nodes). */
  zoneOf(pod: Pod): string | undefined;
  applyConfig(resources: AnyResource[]): void;
  deleteConfig(kind: string, name: string, namespace: string): void;
  setControlPlane(up: boolean): void;
  /** Node and zone faults: drain, NotReady/Ready, partition/heal (mesh/kube/topology-faults.ts). */
  topologyFault(a: Extract<TimelineAction, { kind: "drain" | "nodeCondition" | "partition" }>): void;
}

export class Timeline {
  private readonly kAct: number;
  constructor(private readonly w: TimelineTarget, private readonly events: readonly TimelineEvent[]) {
    this.kAct = w.sim.on((e: TimelineEvent) => this.act(e.action));
  }

  schedule(): void {
    for (const e of this.events) this.w.sim.at(e.atMs, this.kAct, e);
  }

  private act(a: TimelineAction): void {
    const w = this.w;
    w.telemetry.event(w.sim.now, a.kind, describe(a));
    switch (a.kind) {
      case "set":
        w.setWorkload(a.namespace, a.workload, a);
        return;
      case "kill": {
        // ambient: a ztunnel pod (the DaemonSet brings a new one up).
        if (a.pod !== undefined && w.killZtunnel?.(a.pod, a.namespace) === true) return;
        for (const p of this.victims(a)) w.stopPod(p, a.network === "blackhole" ? "blackhole" : "kill");
        // A vanished node's pods stay endpoints until Kubernetes marks them NotReady (World does it).
        if (a.network !== "blackhole") w.podsChanged();
        return;
      }
      case "crash":
        // Readiness changes announce themselves (podsChanged) as the kubelet sees them.
        for (const p of this.victims(a)) w.crashPod(p, a);
        return;
      case "scale": {
        const dep = w.scenario.deployments.find((d) => d.metadata.namespace === a.namespace && d.metadata.name === a.deployment);
        if (!dep) return;
        // Pods already terminating do not count as replicas; starting or restarting ones do.
        const alive = (w.podsByDeployment.get(`${a.namespace}/${a.deployment}`) ?? []).filter((p) => p.alive && !p.terminating);
        // Scale down removes the newest pods first, like a ReplicaSet with equal pod ages would not
        // guarantee but a reader expects.
        for (let k = alive.length - 1; k >= a.replicas; k--) w.stopPod(alive[k]!, "terminate");
        // New pods join the endpoints when they are Ready (they announce it then).
        for (let k = alive.length; k < a.replicas; k++) w.addPod(dep, true);
        if (alive.length > a.replicas) w.podsChanged();
        return;
      }
      case "rollout": {
        const dep = w.scenario.deployments.find((d) => d.metadata.namespace === a.namespace && d.metadata.name === a.deployment);
        if (dep) w.rollout(dep);
        return;
      }
      case "apply":
        w.applyConfig(a.resources);
        return;
      case "delete":
        w.deleteConfig(a.resourceKind, a.name, a.namespace);
        return;
      case "controlPlane":
        w.setControlPlane(a.state === "up");
        return;
      case "drain": case "nodeCondition": case "partition":
        w.topologyFault(a);
        return;
    }
  }

  /** The running pods a kill or crash names. */
  private victims(a: { pod?: string; deployment?: string; count: number; namespace: string; zone?: string; node?: string }): Pod[] {
    const w = this.w;
    const up = (p: Pod) => p.alive && !p.blackholed;
    // `{zone}` / `{node}`: every running pod there, of any namespace.
    if (a.zone !== undefined || a.node !== undefined) return [...w.podsByDeployment.values()].flat().filter((p) => up(p) && p.node !== undefined && (p.node === a.node || w.zoneOf(p) === a.zone));
    return a.pod !== undefined
      ? [...w.podsByDeployment.values()].flat().filter((p) => (p.name === a.pod || p.id === a.pod) && up(p))
      : (w.podsByDeployment.get(`${a.namespace}/${a.deployment}`) ?? []).filter(up).slice(0, a.count);
  }
}

function describe(a: TimelineAction): Record<string, string | number> {
  switch (a.kind) {
    case "set": return { workload: a.workload, ...(a.errorRate !== undefined ? { errorRate: a.errorRate } : {}) };
    case "kill": return { ...(a.zone !== undefined ? { zone: a.zone } : a.node !== undefined ? { node: a.node } : a.pod !== undefined ? { pod: a.pod } : { deployment: a.deployment ?? "", count: a.count }), ...(a.network === "blackhole" ? { network: a.network } : {}) };
    case "crash": return a.pod !== undefined ? { pod: a.pod } : { deployment: a.deployment ?? "", count: a.count };
    case "scale": return { deployment: a.deployment, replicas: a.replicas };
    case "rollout": return { deployment: a.deployment };
    case "apply": return { resources: a.resources.map((r) => `${r.kind}/${r.metadata.name}`).join(",") };
    case "delete": return { resource: `${a.resourceKind}/${a.name}` };
    case "controlPlane": return { state: a.state };
    case "drain": return a.zone !== undefined ? { zone: a.zone } : { node: a.node ?? "" };
    case "nodeCondition": return { ...(a.zone !== undefined ? { zone: a.zone } : { node: a.node ?? "" }), ready: a.ready ? "True" : "False" };
    case "partition": return { zones: a.zones.join(","), ...(a.heal ? { heal: "true" } : {}) };
  }
}
