// kube-scheduler as meshsim models it: filters, default spreading, DoNotSchedule skew, Pending.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Scheduler, type PodToPlace } from "../../src/mesh/kube/scheduler.js";
import type { Node, PodScheduling, TopologySpreadConstraint } from "../../src/scenario/model.js";
import { seededSource } from "../properties/arbitraries/lb.js";

const POS = { file: "t.yaml", line: 1, column: 1 };
function node(name: string, zone: string, extra: Partial<Node> = {}, labels: Record<string, string> = {}): Node {
  return {
    kind: "Node", metadata: { name, namespace: "", creationIndex: 0, annotations: {},
      labels: { "kubernetes.io/hostname": name, "topology.kubernetes.io/region": "r1", "topology.kubernetes.io/zone": zone, ...labels } },
    allocatableCpuMillis: Infinity, allocatableMemoryBytes: Infinity, allocatablePods: Infinity, unschedulable: false, pos: POS, ...extra,
  };
}
function sched(s: Partial<PodScheduling>): PodScheduling {
  return { nodeSelector: {}, requiredNodeAffinity: [], topologySpreadConstraints: [], requests: { cpuMillis: 0, memoryBytes: 0 }, pos: POS, ...s };
}
const pod = (s?: PodScheduling): PodToPlace => ({ namespace: "default", labels: { app: "web" }, scheduling: s });
const zoneOf = (nodes: Node[], name: string) => nodes.find((n) => n.metadata.name === name)!.metadata.labels["topology.kubernetes.io/zone"]!;
const threeZones = () => ["a", "b", "c"].flatMap((z) => [node(`${z}-0`, z), node(`${z}-1`, z)]);

describe("kube-scheduler", () => {
  it("by default spreads a Deployment's pods over zones, then over nodes within zones", () => {
    const nodes = threeZones();
    const s = new Scheduler(nodes, seededSource(1));
    const placed = Array.from({ length: 6 }, () => (s.place(pod()) as { node: string }).node);
    const perZone = new Map<string, number>();
    for (const n of placed) perZone.set(zoneOf(nodes, n), (perZone.get(zoneOf(nodes, n)) ?? 0) + 1);
    expect([...perZone.values()]).toEqual([2, 2, 2]);
    expect(new Set(placed).size).toBe(6);
  });
  // kubernetes/kubernetes pkg/scheduler/framework/plugins/noderesources/balanced_allocation.go PreScore:
  // a best-effort pod skips BalancedAllocation (kubernetes/kubernetes#129138), so only free room counts.
  it("a pod that requests nothing is not steered by BalancedAllocation", () => {
    const mi = 1024 * 1024;
    const nodes = [node("x", "a", { allocatableCpuMillis: 4000, allocatableMemoryBytes: 4096 * mi }), node("y", "a", { allocatableCpuMillis: 4000, allocatableMemoryBytes: 4096 * mi })];
    const s = new Scheduler(nodes, seededSource(4));
    const other = (host: string, cpuMillis: number, memoryBytes: number): PodToPlace =>
      ({ namespace: "default", labels: { app: "other" }, scheduling: sched({ nodeSelector: { "kubernetes.io/hostname": host }, requests: { cpuMillis, memoryBytes } }) });
    expect(s.place(other("x", 0, 2048 * mi))).toEqual({ node: "x" }); // x: cpu 0 %, memory 50 % requested — unbalanced, more room
    expect(s.place(other("y", 2000, 2048 * mi))).toEqual({ node: "y" }); // y: 50 % and 50 % — balanced, less room
    // LeastAllocated: x (95 + 45) / 2 = 70, y (47 + 45) / 2 = 46. Scoring BalancedAllocation too
    // (x 75, y 100) would have tipped it to y.
    expect(s.place(pod())).toEqual({ node: "x" });
  });
  it("nodeSelector and required nodeAffinity (In, NotIn, Exists) filter nodes", () => {
    const nodes = [node("a-0", "a", {}, { disk: "ssd" }), node("b-0", "b"), node("c-0", "c", {}, { gpu: "1" })];
    const s = new Scheduler(nodes, seededSource(2));
    expect(s.place(pod(sched({ nodeSelector: { disk: "ssd" } })))).toEqual({ node: "a-0" });
    expect(s.place(pod(sched({ requiredNodeAffinity: [[{ key: "gpu", operator: "Exists", values: [] }]] })))).toEqual({ node: "c-0" });
    const notIn = sched({ requiredNodeAffinity: [[{ key: "topology.kubernetes.io/zone", operator: "NotIn", values: ["a", "c"] }]] });
    expect(s.place(pod(notIn))).toEqual({ node: "b-0" });
    const inZ = sched({ requiredNodeAffinity: [[{ key: "topology.kubernetes.io/zone", operator: "In", values: ["x"] }], [{ key: "disk", operator: "In", values: ["ssd"] }]] });
    expect(s.place(pod(inZ))).toEqual({ node: "a-0" });
  });
  it("a pod that fits nowhere stays Pending, with kube-scheduler's reason", () => {
    const s = new Scheduler([node("a-0", "a", { allocatableCpuMillis: 1000 })], seededSource(3));
    const big = sched({ requests: { cpuMillis: 600, memoryBytes: 0 } });
    expect(s.place(pod(big))).toEqual({ node: "a-0" });
    const p = s.place(pod(big));
    expect("pending" in p && p.pending).toBe("0/1 nodes are available: 1 Insufficient cpu.");
    expect(s.place(pod(sched({ nodeSelector: { zone: "nope" } })))).toEqual({ pending: "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector." });
  });
  // kubernetes/kubernetes pkg/scheduler/framework/types.go FitError.Error: reasons counted per node
  // (the first failing filter; NodeResourcesFit gives every resource short), sorted, with a final ".".
  it("the Pending reason lists every node's reason, sorted, as FitError does", () => {
    const nodes = [node("a-0", "a", { unschedulable: true }), node("b-0", "b"), node("c-0", "c", { allocatableCpuMillis: 100, allocatableMemoryBytes: 1024 })];
    const s = new Scheduler(nodes, seededSource(5));
    s.setReady("b-0", false);
    const p = s.place(pod(sched({ requests: { cpuMillis: 500, memoryBytes: 1024 * 1024 } })));
    expect(p).toEqual({ pending: "0/3 nodes are available: 1 Insufficient cpu, 1 Insufficient memory, 1 node(s) had untolerated taint(s), 1 node(s) were unschedulable." });
  });
  it("NotReady and cordoned nodes get no new pods", () => {
    const s = new Scheduler([node("a-0", "a"), node("b-0", "b", { unschedulable: true })], seededSource(4));
    s.setReady("a-0", false);
    expect("pending" in s.place(pod())).toBe(true);
    s.setReady("a-0", true);
    expect(s.place(pod())).toEqual({ node: "a-0" });
  });
  it("released pods free their node's resources", () => {
    const s = new Scheduler([node("a-0", "a", { allocatablePods: 1 })], seededSource(5));
    const p1 = pod();
    expect(s.place(p1)).toEqual({ node: "a-0" });
    expect("pending" in s.place(pod())).toBe(true);
    s.release(p1, "a-0");
    expect(s.place(pod())).toEqual({ node: "a-0" });
  });
});

describe("property: DoNotSchedule topology spread", () => {
  it("the skew between zones never exceeds maxSkew, and a pod goes Pending only when every zone would break it", () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 3 }), fc.array(fc.constantFrom("a", "b", "c"), { minLength: 0, maxLength: 3 }), fc.integer({ min: 1, max: 12 }), fc.integer(), (maxSkew, pinned, count, seed) => {
      const nodes = threeZones();
      const s = new Scheduler(nodes, seededSource(seed));
      const c: TopologySpreadConstraint = { maxSkew, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "DoNotSchedule", matchLabels: { app: "web" }, minDomains: 1, pos: POS, path: "x" };
      // Some pods pinned to zones first (by nodeSelector, spread-constrained too) make the start uneven.
      const perZone: Record<string, number> = { a: 0, b: 0, c: 0 };
      for (const z of pinned) {
        const r = s.place(pod(sched({ nodeSelector: { "topology.kubernetes.io/zone": z } })));
        if ("node" in r) perZone[zoneOf(nodes, r.node)]!++;
      }
      for (let i = 0; i < count; i++) {
        const before = Math.max(...Object.values(perZone)) - Math.min(...Object.values(perZone));
        const r = s.place(pod(sched({ topologySpreadConstraints: [c] })));
        if ("node" in r) {
          perZone[zoneOf(nodes, r.node)]!++;
          const skew = Math.max(...Object.values(perZone)) - Math.min(...Object.values(perZone));
          if (skew > Math.max(maxSkew, before)) return false;
        } else {
          const min = Math.min(...Object.values(perZone));
          if (Object.values(perZone).some((v) => v + 1 - min <= maxSkew)) return false;
        }
      }
      return true;
    }));
  });
});

describe("spec.nodeName", () => {
  it("binds the pod to that node only", () => {
    const nodes = [node("a-0", "a"), node("b-0", "b")];
    const s = new Scheduler(nodes, seededSource(9));
    for (let i = 0; i < 4; i++) expect(s.place(pod(sched({ nodeName: "b-0" })))).toEqual({ node: "b-0" });
  });
});
