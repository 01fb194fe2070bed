// Distance between pods, zone partitions and latency by distance (mesh/kube/).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ClusterNodes, type PlacedPod } from "../../src/mesh/kube/cluster-nodes.js";
import { networkDistance } from "../../src/mesh/kube/network-distance.js";
import { compileDistribution } from "../../src/engine/distributions/compile.js";
import type { Node } from "../../src/scenario/model.js";
import { seededSource } from "../properties/arbitraries/lb.js";

const POS = { file: "t.yaml", line: 1, column: 1 };
const node = (name: string, region: string, zone: string): Node => ({
  kind: "Node", metadata: { name, namespace: "", creationIndex: 0, annotations: {}, labels: { "topology.kubernetes.io/region": region, "topology.kubernetes.io/zone": zone } },
  allocatableCpuMillis: Infinity, allocatableMemoryBytes: Infinity, allocatablePods: Infinity, unschedulable: false, pos: POS,
});
const pod = (app: string): PlacedPod => ({ namespace: "default", labels: { app }, node: undefined, locality: undefined, pending: undefined });

describe("ClusterNodes", () => {
  const nodes = [node("a1", "r1", "a"), node("a2", "r1", "a"), node("b1", "r1", "b"), node("x1", "r2", "x")];
  const place = (c: ClusterNodes, on: string) => {
    const p = pod("w");
    c.place(p, { nodeSelector: { "topology.kubernetes.io/zone": on.slice(0, 1) }, requiredNodeAffinity: [], topologySpreadConstraints: [], requests: { cpuMillis: 0, memoryBytes: 0 }, pos: POS });
    return p;
  };
  it("classifies distance and draws each class from its own distribution", () => {
    const c = new ClusterNodes(nodes, seededSource(1));
    const k = (value: number) => ({ dist: "constant" as const, value });
    const lat = networkDistance(c, {
      sameNode: k(1), sameZone: k(2), crossZone: k(3), crossRegion: k(4), crossZonePricePerGB: 0, crossRegionPricePerGB: 0,
    }, (spec) => compileDistribution(spec, seededSource(2)));
    const a = place(c, "a");
    const b = place(c, "b");
    const x = place(c, "x");
    expect(a.locality).toBe("r1/a/");
    expect(lat(a, a)).toBe(1);
    expect(lat(a, b)).toBe(3);
    expect(lat(a, x)).toBe(4);
    expect(lat(null, a)).toBe(2); // a client outside the cluster: same zone
  });
  it("a partition cuts exactly the named zone pairs, in both directions, until healed", () => {
    fc.assert(fc.property(fc.subarray(["a", "b", "x"], { minLength: 2 }), (zones) => {
      const c = new ClusterNodes(nodes, seededSource(3));
      const pods = { a: place(c, "a"), b: place(c, "b"), x: place(c, "x") } as Record<string, PlacedPod>;
      c.setPartition(zones, true);
      for (const [p, pp] of Object.entries(pods)) for (const [q, qq] of Object.entries(pods)) {
        const cut = p !== q && zones.includes(p) && zones.includes(q);
        if (c.partitioned(pp, qq) !== cut) return false;
      }
      c.setPartition(zones, false);
      return Object.values(pods).every((pp) => Object.values(pods).every((qq) => !c.partitioned(pp, qq)));
    }));
  });
});

// istio/istio pkg/model/proxy.go GetLocalityLabel / SanitizeLocalityLabel: the newer
// topology.istio.io/locality label first, then istio-locality; dots become slashes only without one.
describe("a pod's own locality label", () => {
  it("topology.istio.io/locality wins over istio-locality and over the node's labels", async () => {
    const { podLocalityLabel } = await import("../../src/mesh/kube/cluster-nodes.js");
    expect(podLocalityLabel({ "topology.istio.io/locality": "r9.z9.s9", "istio-locality": "r8.z8" })).toBe("r9/z9/s9");
    expect(podLocalityLabel({ "istio-locality": "r8.z8" })).toBe("r8/z8");
    expect(podLocalityLabel({ "topology.istio.io/locality": "r7/z7.x" })).toBe("r7/z7.x");
    // Present but empty: istiod reads "" and falls back to the node, not to istio-locality.
    expect(podLocalityLabel({ "topology.istio.io/locality": "", "istio-locality": "r8.z8" })).toBe("");
    const c = new ClusterNodes([node("a1", "r1", "a")], seededSource(1));
    const p: PlacedPod = { namespace: "default", labels: { app: "w", "topology.istio.io/locality": "r5.z5" }, node: undefined, locality: undefined, pending: undefined };
    c.place(p, { nodeSelector: {}, requiredNodeAffinity: [], topologySpreadConstraints: [], requests: { cpuMillis: 0, memoryBytes: 0 }, pos: POS });
    expect(p.locality).toBe("r5/z5");
  });
});
