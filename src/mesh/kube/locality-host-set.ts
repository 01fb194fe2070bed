// The host set a client proxy balances over once pods have localities: each endpoint with its
// locality and Istio's augmented labels, the client's locality and labels, and the locality
// setting istiod applies (DR > Service trafficDistribution > mesh), failover only with outlier
// detection unless forced. Envoy's priority and locality-weight balancing then happens in proxy/lb.
import type { TrafficPolicy } from "../../proxy/api/networking.js";
import { HostSet } from "../../proxy/lb/host-set.js";
import { augmentLabels } from "../../proxy/lb/locality-labels.js";
import { effectiveLocalitySetting } from "../../proxy/lb/locality-setting.js";
import type { Service } from "../../scenario/model.js";
import type { ClusterNodes, PlacedPod } from "./cluster-nodes.js";

type Placed = PlacedPod & { readonly labels: Readonly<Record<string, string>> };

export function localityHostSet(nodes: ClusterNodes, hosts: readonly Placed[], client: Placed | null, policy: TrafficPolicy, service: Service): HostSet {
  const lb = hosts.map((p, i) => ({
    id: String(i), weight: 1, labels: augmentLabels(p.labels, p.locality, nodes.hostnameOf(p)),
    ...(p.locality !== undefined ? { locality: p.locality } : {}),
  }));
  const eff = effectiveLocalitySetting(policy.loadBalancer?.localityLbSetting, service.trafficDistribution);
  if (eff === null || client === null || client.locality === undefined) return new HostSet(lb);
  return new HostSet(lb, {
    clientLocality: client.locality,
    clientLabels: augmentLabels(client.labels, client.locality, nodes.hostnameOf(client)),
    setting: eff.setting,
    outlierDetection: policy.outlierDetection !== undefined,
    forceFailover: eff.force,
  });
}
