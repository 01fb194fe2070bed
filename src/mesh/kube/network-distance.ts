// One-way pod-to-pod latency by distance (same node, same zone, other zone, other region), each
// drawn from its own named stream; the distributions come from the Simulation's `network`
// (defaults and their sources in scenario/network-topology.ts).
import type { NetworkTopology } from "../../scenario/model.js";
import type { ClusterNodes, PlacedPod } from "./cluster-nodes.js";

export function networkDistance(
  nodes: ClusterNodes, topology: NetworkTopology, sampler: (spec: NetworkTopology["sameZone"], stream: string) => () => number,
): (from: object | null, to: object | null) => number {
  const draws = [
    sampler(topology.sameNode, "network:same-node"),
    sampler(topology.sameZone, "network:same-zone"),
    sampler(topology.crossZone, "network:cross-zone"),
    sampler(topology.crossRegion, "network:cross-region"),
  ];
  return (from, to) => draws[nodes.distance(from as PlacedPod | null, to as PlacedPod | null)]!();
}
