// Which pods a ReplicaSet deletes first when its replicas drop: kubernetes pkg/controller/controller_utils.go
// `ActivePodsWithRanks.Less`, with the ranks of pkg/controller/replicaset/replica_set.go
// `getPodsRankedByRelatedPodsOnSameNode` (the Deployment's active pods on the pod's node). In order:
//   1. not bound to a node before bound;  2. Pending before Running;  3. not Ready before Ready;
//   4. lower controller.kubernetes.io/pod-deletion-cost first (meshsim: the template's, equal for all);
//   5. more of the Deployment's pods on its node first ("doubled up");
//   6. both Ready: Ready more recently first, compared in powers of two of the time since (LogarithmicScaleDown,
//      GA and locked on since 1.31), ties in one bucket broken by the pods' UIDs;
//   7. more container restarts first;
//   8. created more recently first, in the same powers of two, ties by UID.
// The UIDs are random in Kubernetes; here they are draws from a named seeded stream. Pods equal on every
// count are also ordered by UID: Kubernetes' sort is not stable, and its input is the informer cache's
// order, so its choice among them is arbitrary.
// https://github.com/kubernetes/kubernetes/blob/master/pkg/controller/controller_utils.go
// https://github.com/kubernetes/kubernetes/blob/master/pkg/controller/replicaset/replica_set.go

/** What the ReplicaSet controller reads of one pod it may delete. Times in simulated ms. */
export interface RankedPod {
  /** spec.nodeName set. */
  bound: boolean;
  /** status.phase Pending (not started on a node). */
  pending: boolean;
  ready: boolean;
  /** The Ready condition's lastTransitionTime (read when Ready; -Infinity: before the run). */
  readySinceMs: number;
  /** The highest restart count of its containers. */
  restarts: number;
  /** metadata.creationTimestamp (-Infinity: before the run). */
  createdMs: number;
  /** Active pods of the Deployment on its node (getPodsRankedByRelatedPodsOnSameNode). */
  colocated: number;
  /** Its UID, as a number: only compared. */
  uid: number;
}

/**
 * logarithmicRankDiff: int64(log2(now − t)) in nanoseconds, −1 for a time not in the past. A time
 * before the run is older than any in it: one bucket past every finite one.
 */
function bucket(tMs: number, nowMs: number): number {
  if (tMs === -Infinity) return Number.MAX_SAFE_INTEGER;
  const ns = (nowMs - tMs) * 1e6;
  return ns > 0 ? Math.floor(Math.log2(ns)) : -1;
}

/** Negative: `a` is deleted before `b` (sort with it, then delete from the front). */
export function compareForDeletion(a: RankedPod, b: RankedPod, nowMs: number): number {
  if (a.bound !== b.bound) return a.bound ? 1 : -1;
  if (a.pending !== b.pending) return a.pending ? -1 : 1;
  if (a.ready !== b.ready) return a.ready ? 1 : -1;
  if (a.colocated !== b.colocated) return b.colocated - a.colocated;
  if (a.ready && b.ready && a.readySinceMs !== b.readySinceMs) {
    const d = bucket(a.readySinceMs, nowMs) - bucket(b.readySinceMs, nowMs);
    return d !== 0 ? d : a.uid - b.uid;
  }
  if (a.restarts !== b.restarts) return b.restarts - a.restarts;
  if (a.createdMs !== b.createdMs) {
    const d = bucket(a.createdMs, nowMs) - bucket(b.createdMs, nowMs);
    return d !== 0 ? d : a.uid - b.uid;
  }
  return a.uid - b.uid;
}
