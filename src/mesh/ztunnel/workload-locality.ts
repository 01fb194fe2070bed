// Where a pod runs, as ztunnel's endpoint choice compares it with the client (network, region, zone,
// subzone from the node's topology labels, and the node): read by the run's ztunnels
// (ztunnel-path.ts) and by explain (xds/ambient-explain.ts).
// https://github.com/istio/ztunnel/blob/62d82653/src/state.rs#L375-L509
import type { WorkloadLocality } from "../../proxy/ztunnel/endpoint-choice.js";
import type { Pod } from "../kube/pod.js";

export function workloadLocality(pod: Pod): WorkloadLocality {
  const [region, zone, subzone] = (pod.locality ?? "").split("/");
  return { network: "", region: region ?? "", zone: zone ?? "", subzone: subzone ?? "", ...(pod.node !== undefined ? { node: pod.node } : {}) };
}
