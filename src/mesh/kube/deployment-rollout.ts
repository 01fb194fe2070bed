// The Deployment controller replacing a Deployment's pods (`kubectl rollout restart`): a new
// ReplicaSet of the same template takes over from the old one, as kubernetes
// pkg/controller/deployment/rolling.go (rolloutRolling) and recreate.go (rolloutRecreate) do it.
//
// RollingUpdate, each time something changes (a pod Ready, available, gone):
// - reconcileNewReplicaSet: the new ReplicaSet grows to at most replicas + maxSurge pods in all
//   (NewRSNewReplicas), never past replicas;
// - reconcileOldReplicaSets: with maxScaledDown = all − (replicas − maxUnavailable) − the new
//   ReplicaSet's unavailable pods, first the old pods that are not available go
//   (cleanupUnhealthyReplicas), then old pods while more than replicas − maxUnavailable are
//   available (scaleDownOldReplicaSetsForRollingUpdate).
// maxSurge rounds up and maxUnavailable down, and both 0 makes maxUnavailable 1
// (pkg/controller/deployment/util/deployment_util.go ResolveFenceposts, MaxUnavailable). A pod is
// available once it has been Ready for minReadySeconds. The ReplicaSet controller picks which pods
// go by ActivePodsWithRanks (active-pods-with-ranks.ts). Recreate: every old pod goes, and the new
// ones are created once the old ones have all stopped running.
// The controllers react to a change at once (their informers' latency is not modelled).
// https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#rolling-update-deployment
import type { Simulator } from "../../engine/simulator.js";
import type { Deployment, IntOrPercent } from "../../scenario/model.js";
import { compareForDeletion, type RankedPod } from "./active-pods-with-ranks.js";
import type { Pod } from "./pod.js";

export interface RolloutHost {
  readonly sim: Simulator;
  readonly telemetry: { event(tMs: number, kind: string, detail: Record<string, string | number>): void };
  /** The Deployment's pods, every one ever created (a live list). */
  podsOf(dep: Deployment): readonly Pod[];
  /** A new pod of the Deployment, starting now. */
  addPod(dep: Deployment): Pod;
  /** Delete a pod gracefully (terminationGracePeriodSeconds). */
  terminate(pod: Pod): void;
  podsChanged(): void;
  /** A named seeded stream (the pods' UIDs, which break ties between equal pods). */
  stream(name: string): () => number;
}

/** intstr.GetScaledValueFromIntOrPercent: a percentage of `total`, rounded up or down. */
export function scaledValue(v: IntOrPercent, total: number, roundUp: boolean): number {
  if (!v.percent) return v.value;
  const x = (v.value * total) / 100;
  return roundUp ? Math.ceil(x) : Math.floor(x);
}

/** ResolveFenceposts and MaxUnavailable: [maxSurge, maxUnavailable] for `replicas`. */
export function fenceposts(surge: IntOrPercent, unavailable: IntOrPercent, replicas: number): [number, number] {
  const s = scaledValue(surge, replicas, true);
  let u = scaledValue(unavailable, replicas, false);
  if (s === 0 && u === 0) u = 1;
  return [s, Math.min(u, replicas)];
}

/** One Deployment's rollout in progress. */
class Rollout {
  readonly fresh = new Set<Pod>();
  constructor(
    readonly dep: Deployment,
    readonly replicas: number,
    readonly old: readonly Pod[],
    readonly startedMs: number,
  ) {}
}

export class DeploymentRollouts {
  private readonly active = new Map<Deployment, Rollout>();
  private readonly uids = new Map<Pod, number>();
  private readonly kSync: number;
  private syncQueued = false;
  /** When a Ready pod next becomes available (minReadySeconds); Infinity: no wake-up due. */
  private wakeMs = Infinity;

  constructor(private readonly h: RolloutHost) {
    this.kSync = h.sim.on(() => this.sync());
  }

  /** `kubectl rollout restart`: a new ReplicaSet replaces the pods the Deployment has now. */
  restart(dep: Deployment): void {
    const old = this.h.podsOf(dep).filter(isReplica);
    // A rollout over a rollout: every pod of either ReplicaSet is old now.
    const r = new Rollout(dep, old.length, old, this.h.sim.now);
    this.active.set(dep, r);
    this.reconcile(r);
  }

  /** Pods changed (readiness, a pod gone): the controllers look again, once, after the change. */
  podsChanged(): void {
    if (this.active.size === 0 || this.syncQueued) return;
    this.syncQueued = true;
    this.h.sim.after(0, this.kSync);
  }

  private sync(): void {
    this.syncQueued = false;
    if (this.wakeMs <= this.h.sim.now) this.wakeMs = Infinity;
    for (const r of [...this.active.values()]) this.reconcile(r);
  }

  private reconcile(r: Rollout): void {
    const s = r.dep.strategy;
    const now = this.h.sim.now;
    const old = r.old.filter(isReplica);
    const fresh = [...r.fresh].filter(isReplica);
    let changed = false;
    if (s.type === "Recreate") {
      // rolloutRecreate: scale the old ReplicaSet to 0, wait until none of its pods runs, then scale up.
      for (const p of old) this.h.terminate(p);
      if (old.length > 0) {
        this.h.podsChanged();
        const last = Math.max(...old.map((p) => p.terminationGracePeriodMs));
        this.h.sim.after(last, this.kSync);
        return;
      }
      if (r.old.some((p) => p.alive)) return;
      for (let k = fresh.length; k < r.replicas; k++) r.fresh.add(this.h.addPod(r.dep));
      this.finishIfDone(r, now);
      return;
    }
    const [surge, maxUnavailable] = fenceposts(s.maxSurge, s.maxUnavailable, r.replicas);
    // reconcileNewReplicaSet / NewRSNewReplicas.
    let newCount = fresh.length;
    const maxTotal = r.replicas + surge;
    if (newCount < r.replicas && old.length + newCount < maxTotal) {
      const up = Math.min(maxTotal - (old.length + newCount), r.replicas - newCount);
      for (let k = 0; k < up; k++) r.fresh.add(this.h.addPod(r.dep));
      newCount += up;
    }
    if (old.length > 0) {
      // reconcileOldReplicaSets.
      const minAvailable = r.replicas - maxUnavailable;
      const newAvailable = fresh.filter((p) => this.available(p, now, s.minReadyMs)).length;
      let maxScaledDown = old.length + newCount - minAvailable - (newCount - newAvailable);
      if (maxScaledDown > 0) {
        const ranked = this.ranked(r.dep, old, now);
        // cleanupUnhealthyReplicas: the old ReplicaSet loses its unavailable pods first.
        const unhealthy = Math.min(maxScaledDown, old.filter((p) => !this.available(p, now, s.minReadyMs)).length);
        for (const p of ranked.splice(0, unhealthy)) this.h.terminate(p);
        maxScaledDown -= unhealthy;
        changed ||= unhealthy > 0;
        // scaleDownOldReplicaSetsForRollingUpdate: down to minAvailable available pods.
        const availableNow = ranked.filter((p) => this.available(p, now, s.minReadyMs)).length + newAvailable;
        if (availableNow > minAvailable) {
          const down = Math.min(availableNow - minAvailable, ranked.length);
          for (const p of ranked.splice(0, down)) this.h.terminate(p);
          changed ||= down > 0;
        }
      }
    }
    if (changed) this.h.podsChanged();
    this.scheduleAvailability(fresh, now, s.minReadyMs);
    this.finishIfDone(r, now);
  }

  /** The Deployment's rollout is over when only new pods are left, all of them available. */
  private finishIfDone(r: Rollout, now: number): void {
    const fresh = [...r.fresh].filter(isReplica);
    if (r.old.some(isReplica) || fresh.length < r.replicas || !fresh.every((p) => this.available(p, now, r.dep.strategy.minReadyMs))) return;
    this.active.delete(r.dep);
    this.h.telemetry.event(now, "rolloutComplete", { deployment: r.dep.metadata.name, seconds: (now - r.startedMs) / 1000 });
  }

  /** A pod Ready for minReadySeconds (podutil.IsPodAvailable). */
  private available(p: Pod, now: number, minReadyMs: number): boolean {
    return p.alive && !p.blackholed && p.ready && now - p.readySinceMs >= minReadyMs;
  }

  /** Look again when the next Ready new pod becomes available (the ReplicaSet controller's requeue after minReadySeconds). */
  private scheduleAvailability(fresh: readonly Pod[], now: number, minReadyMs: number): void {
    let next = Infinity;
    for (const p of fresh) if (p.alive && p.ready && now - p.readySinceMs < minReadyMs) next = Math.min(next, p.readySinceMs + minReadyMs);
    if (next < this.wakeMs) {
      this.wakeMs = next;
      this.h.sim.at(next, this.kSync);
    }
  }

  /** The old pods in the order the ReplicaSet controller deletes them. */
  private ranked(dep: Deployment, pods: readonly Pod[], now: number): Pod[] {
    const onNode = new Map<string, number>();
    for (const p of pods) onNode.set(p.node ?? "", (onNode.get(p.node ?? "") ?? 0) + 1);
    const draw = this.h.stream(`rollout-uid:${dep.metadata.namespace}/${dep.metadata.name}`);
    const ranked = pods.map((p) => {
      let uid = this.uids.get(p);
      if (uid === undefined) this.uids.set(p, (uid = draw()));
      const r: RankedPod = {
        bound: p.alive, pending: !p.alive, ready: p.alive && p.ready, readySinceMs: p.readySinceMs,
        restarts: p.restarts, createdMs: p.startedAtMs, colocated: onNode.get(p.node ?? "")!, uid,
      };
      return { p, r };
    });
    ranked.sort((a, b) => compareForDeletion(a.r, b.r, now));
    return ranked.map((x) => x.p);
  }
}

/** Counted in its ReplicaSet's replicas: not being deleted, and running or waiting for a node. */
function isReplica(p: Pod): boolean {
  return !p.terminating && (p.alive || p.pending !== undefined);
}
