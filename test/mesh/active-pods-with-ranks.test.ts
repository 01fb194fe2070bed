// The ReplicaSet's choice of pods to delete on a scale-down (kubernetes controller_utils.go
// ActivePodsWithRanks.Less with replica_set.go getPodsRankedByRelatedPodsOnSameNode, LogarithmicScaleDown
// GA since 1.31): each rule in its place, and where it differs from "the newest Ready pod first".
import { describe, expect, it } from "vitest";
import { compareForDeletion, type RankedPod } from "../../src/mesh/kube/active-pods-with-ranks.js";

const NOW = 1_000_000;
const pod = (r: Partial<RankedPod>): RankedPod => ({
  bound: true, pending: false, ready: true, readySinceMs: NOW - 100_000, restarts: 0, createdMs: NOW - 200_000, colocated: 1, uid: 0.5, ...r,
});
const first = (a: RankedPod, b: RankedPod) => compareForDeletion(a, b, NOW) < 0;

describe("ActivePodsWithRanks", () => {
  it("deletes unbound (Pending) pods, then not-Ready ones, before anything else", () => {
    expect(first(pod({ bound: false, pending: true, ready: false, colocated: 0 }), pod({ colocated: 9 }))).toBe(true);
    expect(first(pod({ ready: false, colocated: 1 }), pod({ colocated: 9, readySinceMs: NOW - 1 }))).toBe(true);
  });

  it("then the pod doubled up on a node, however long it has been Ready (getPodsRankedByRelatedPodsOnSameNode)", () => {
    expect(first(pod({ colocated: 3, readySinceMs: NOW - 3_600_000 }), pod({ colocated: 1, readySinceMs: NOW - 1_000 }))).toBe(true);
  });

  it("then the one Ready more recently, in powers of two of the time since: within one bucket the UID decides", () => {
    // 1 s and 100 s ago: buckets 29 and 36 (log2 of nanoseconds); the recent one goes first.
    expect(first(pod({ readySinceMs: NOW - 1_000, uid: 0.9 }), pod({ readySinceMs: NOW - 100_000, uid: 0.1 }))).toBe(true);
    // 100 s and 120 s ago share bucket 36: the exact times do not matter, the lower UID goes first.
    const recent = pod({ readySinceMs: NOW - 100_000, uid: 0.9 });
    const older = pod({ readySinceMs: NOW - 120_000, uid: 0.1 });
    expect(first(older, recent)).toBe(true);
    expect(first(recent, older)).toBe(false);
  });

  it("then the most restarted, then the newest (again in powers of two), then the UID", () => {
    const same = { readySinceMs: NOW - 50_000 };
    expect(first(pod({ ...same, restarts: 2, uid: 0.9 }), pod({ ...same, restarts: 0, uid: 0.1 }))).toBe(true);
    expect(first(pod({ ...same, createdMs: NOW - 2_000, uid: 0.9 }), pod({ ...same, createdMs: NOW - 600_000, uid: 0.1 }))).toBe(true);
    expect(first(pod({ ...same, uid: 0.2 }), pod({ ...same, uid: 0.3 }))).toBe(true);
  });

  it("a pod from before the run is older than any made in it", () => {
    expect(first(pod({ readySinceMs: NOW - 3_600_000 }), pod({ readySinceMs: -Infinity }))).toBe(true);
    expect(first(pod({ readySinceMs: -Infinity, createdMs: NOW - 10 }), pod({ readySinceMs: -Infinity, createdMs: -Infinity }))).toBe(true);
  });
});
