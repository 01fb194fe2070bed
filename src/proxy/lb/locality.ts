// Locality load balancing as istiod writes it into EDS: failover priorities relative to the
// client's locality (only when the cluster has outlier detection), label-based failoverPriority,
// and `distribute` weights. Envoy then balances over priorities (see priority-load.ts).
// https://istio.io/latest/docs/reference/config/networking/destination-rule/#LocalityLoadBalancerSetting
// istio/istio pilot/pkg/networking/core/loadbalancer/loadbalancer.go
import type { LocalityLoadBalancerSetting } from "../api/networking.js";
import type { LbHost } from "./host.js";

export interface Locality {
  region: string;
  zone: string;
  subzone: string;
}

export function parseLocality(s: string | undefined): Locality {
  if (s === undefined || s === "") return { region: "", zone: "", subzone: "" };
  const [region = "", zone = "", subzone = ""] = s.split("/");
  return { region, zone, subzone };
}

/** Istio's LocalityMatch: a rule "region/zone/subzone" where "*" (or an omitted tail) matches anything. */
export function localityMatches(l: Locality, rule: string): boolean {
  const r = parseLocality(rule);
  return (r.region === "*" || r.region === l.region) &&
    (r.zone === "*" || r.zone === "" || r.zone === l.zone) &&
    (r.subzone === "*" || r.subzone === "" || r.subzone === l.subzone);
}

/** Istio's LbPriority: 0 same subzone, 1 same zone, 2 same region, 3 elsewhere. */
export function localityPriority(client: Locality, ep: Locality): number {
  if (client.region !== ep.region) return 3;
  if (client.zone !== ep.zone) return 2;
  return client.subzone === ep.subzone ? 0 : 1;
}

export interface LocalityOptions {
  /** The client proxy's locality; without it istiod applies no locality load balancing. */
  clientLocality?: string | undefined;
  /** The client proxy's labels, for `failoverPriority` (Istio augments them with the topology labels, see locality-labels.ts). */
  clientLabels?: Readonly<Record<string, string>> | undefined;
  /** The DR's localityLbSetting, or MeshConfig's (Istio default: enabled, no rules). */
  setting?: LocalityLoadBalancerSetting | undefined;
  /** Does the cluster have outlier detection? Failover priorities only apply then. */
  outlierDetection?: boolean | undefined;
  /** Failover without outlier detection: Service `trafficDistribution` (Istio's LocalityLBSettings.Force). */
  forceFailover?: boolean | undefined;
}

/** Where each host sits: its priority (-1 = removed by `distribute`) and, with `distribute`, its weighted locality group. */
export interface LocalityPlan {
  priorityCount: number;
  priorityOf: Int32Array;
  /** Locality group of each host (-1 when locality weighting is off). */
  groupOf: Int32Array;
  /** Load-balancing weight of each locality group (Envoy LocalityLbEndpoints.load_balancing_weight). */
  groupWeights: number[];
}

/** Istio's network label: a mismatch on it as the first failoverPriority entry is skipped over (priority + N). */
const NETWORK_LABEL = "topology.istio.io/network";

/**
 * Istio ApplyLocalityLoadBalancer for one client proxy: `distribute` (weights) when set, else — only
 * with failover enabled (outlier detection, or forced by trafficDistribution) — failoverPriority
 * labels, then region failover composed as priority·5 + locality priority, compacted.
 * istio/istio pilot/pkg/networking/core/loadbalancer/loadbalancer.go (ApplyLocalityLoadBalancer,
 * applyFailoverPriorityPerLocality, applyLocalityFailover)
 */
export function planLocalities(hosts: readonly LbHost[], opts: LocalityOptions = {}): LocalityPlan {
  const n = hosts.length;
  const priorityOf = new Int32Array(n);
  const groupOf = new Int32Array(n).fill(-1);
  const plan: LocalityPlan = { priorityCount: n > 0 ? 1 : 0, priorityOf, groupOf, groupWeights: [] };
  const setting = opts.setting;
  if (opts.clientLocality === undefined || opts.clientLocality === "" || setting?.enabled === false) return plan;
  const client = parseLocality(opts.clientLocality);
  const locs = hosts.map((h) => parseLocality(h.locality));
  // distribute and failover are exclusive: with `distribute` set, only weights apply (even when no `from` matches).
  if (setting?.distribute !== undefined && setting.distribute.length > 0) {
    const rule = setting.distribute.find((d) => localityMatches(client, d.from));
    if (rule !== undefined) applyDistribute(hosts, locs, rule.to, plan);
    return plan;
  }
  if (opts.outlierDetection !== true && opts.forceFailover !== true) return plan;
  const labels = setting?.failoverPriority ?? [];
  const clientLabels = opts.clientLabels ?? {};
  const byLabels = labels.length > 0 && Object.keys(clientLabels).length > 0;
  if (byLabels) for (let i = 0; i < n; i++) priorityOf[i] = failoverPriorityOf(labels, clientLabels, hosts[i]!.labels);
  if (labels.length === 0 || (setting?.failover?.length ?? 0) > 0) {
    const failover = setting?.failover?.find((x) => x.from === client.region);
    for (let i = 0; i < n; i++) {
      let p = localityPriority(client, locs[i]!);
      if (p === 3 && failover !== undefined && locs[i]!.region !== failover.to) p = 4;
      priorityOf[i] = priorityOf[i]! * 5 + p;
    }
  }
  // Priorities must be consecutive: compact the levels that are used.
  const used = [...new Set(priorityOf)].sort((a, b) => a - b);
  for (let i = 0; i < n; i++) priorityOf[i] = used.indexOf(priorityOf[i]!);
  plan.priorityCount = used.length;
  // With explicit failover or failoverPriority rules istiod also sets locality_weighted_lb_config on
  // the cluster (LocalityLBSettings.ApplyToCluster), so Envoy first picks a locality of the priority
  // by its weight (the sum of its endpoints' weights, endpoint_builder.go) × availability, then a
  // host in it. The bare default (outlier detection alone) leaves it unset: hosts of a priority are
  // balanced as one list.
  if (labels.length > 0 || (setting?.failover?.length ?? 0) > 0) groupByLocality(hosts, locs, plan);
  return plan;
}

/** One weighted group per (locality, priority), weighing its endpoints' weights (Envoy LocalityLbEndpoints). */
function groupByLocality(hosts: readonly LbHost[], locs: readonly Locality[], plan: LocalityPlan): void {
  const index = new Map<string, number>();
  for (let i = 0; i < hosts.length; i++) {
    const l = locs[i]!;
    const key = `${plan.priorityOf[i]}|${l.region}/${l.zone}/${l.subzone}`;
    let g = index.get(key);
    if (g === undefined) {
      g = plan.groupWeights.length;
      index.set(key, g);
      plan.groupWeights.push(0);
    }
    plan.groupOf[i] = g;
    plan.groupWeights[g]! += hosts[i]!.weight;
  }
}

/**
 * One endpoint's failoverPriority level: N − (index of the first label that differs from the
 * client's), 0 when all match; `key=value` compares with the fixed value instead of the client's;
 * a mismatch on the network label in first place adds N and matching goes on.
 */
export function failoverPriorityOf(
  entries: readonly string[], client: Readonly<Record<string, string>>, endpoint: Readonly<Record<string, string>>,
): number {
  const n = entries.length;
  let priority = 0;
  let adjust = 0;
  for (let j = 0; j < n; j++) {
    const parts = entries[j]!.split("=");
    const key = parts[0]!;
    const want = parts.length === 2 ? parts[1]! : client[key] ?? "";
    if (want === (endpoint[key] ?? "")) continue;
    if (j === 0 && key === NETWORK_LABEL) {
      adjust = n;
      continue;
    }
    priority = n - j;
    break;
  }
  return priority + adjust;
}

/**
 * Istio applyLocalityWeights: each `to` entry's weight is split over the localities it matches in
 * proportion to their endpoint weight (rounded up); localities no entry matches lose their
 * endpoints. Entries are taken in object order (istiod iterates a Go map: random order when two
 * entries match the same locality — meshsim takes the first).
 */
function applyDistribute(hosts: readonly LbHost[], locs: readonly Locality[], to: Record<string, number>, plan: LocalityPlan): void {
  const keyOf = (l: Locality) => `${l.region}/${l.zone}/${l.subzone}`;
  const names: string[] = [];
  const original: number[] = [];
  const nameIndex = new Map<string, number>();
  for (let i = 0; i < hosts.length; i++) {
    const k = keyOf(locs[i]!);
    let g = nameIndex.get(k);
    if (g === undefined) {
      g = names.length;
      nameIndex.set(k, g);
      names.push(k);
      original.push(0);
    }
    original[g]! += hosts[i]!.weight;
    plan.groupOf[i] = g;
  }
  const weight = new Array<number>(names.length).fill(0);
  const claimed = new Array<boolean>(names.length).fill(false);
  for (const [rule, w] of Object.entries(to)) {
    const matches: number[] = [];
    let total = 0;
    for (let g = 0; g < names.length; g++) {
      if (claimed[g] || !localityMatches(parseLocality(names[g]), rule)) continue;
      claimed[g] = true;
      matches.push(g);
      total += original[g]!;
    }
    for (const g of matches) {
      const dw = (original[g]! * w) / total;
      if (dw > 0) weight[g] = Math.ceil(dw);
    }
  }
  for (let i = 0; i < hosts.length; i++) {
    const g = plan.groupOf[i]!;
    if (!claimed[g] || weight[g] === 0) {
      plan.priorityOf[i] = -1;
      plan.groupOf[i] = -1;
    }
  }
  plan.groupWeights = weight;
}
