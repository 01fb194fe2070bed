// The labels istiod gives a workload (its endpoints and its proxy) for failoverPriority matching:
// the pod's own labels plus region, zone and subzone from its locality, kubernetes.io/hostname
// from its node, and the network.
// istio/istio pilot/pkg/serviceregistry/util/label/label.go (AugmentLabels)
import { parseLocality } from "./locality.js";

export function augmentLabels(
  labels: Readonly<Record<string, string>>, locality: string | undefined, node: string | undefined, network = "",
): Record<string, string> {
  const out: Record<string, string> = { ...labels };
  const l = parseLocality(locality);
  if (l.region !== "") out["topology.kubernetes.io/region"] = l.region;
  if (l.zone !== "") out["topology.kubernetes.io/zone"] = l.zone;
  if (l.subzone !== "") out["topology.istio.io/subzone"] = l.subzone;
  if (node !== undefined && node !== "") out["kubernetes.io/hostname"] = node;
  if (network !== "" && (out["topology.istio.io/network"] ?? "") === "") out["topology.istio.io/network"] = network;
  return out;
}
