// Which DestinationRule a client proxy applies to a host, the subsets it defines, and the effective
// traffic policy of a subset and port with Istio's override rules.
// https://istio.io/latest/docs/reference/config/networking/destination-rule/ (semantics §2.1–2.2)
import type { DestinationRule, DestinationRuleSpec, MeshDefaultTrafficPolicy, Subset, TrafficPolicy } from "./api/networking.js";
import { hostMatches, resolveHostName } from "./route/host-name.js";

export const ROOT_NAMESPACE = "istio-system";

function visibleFrom(dr: DestinationRule, clientNamespace: string): boolean {
  const exportTo = dr.spec.exportTo;
  if (exportTo === undefined || exportTo.length === 0 || exportTo.includes("*")) return true;
  return exportTo.some((e) => (e === "." ? dr.metadata.namespace === clientNamespace : e === clientNamespace));
}

/**
 * The DestinationRule for `host` (an FQDN) from a client in `clientNamespace`: first the client's
 * namespace, then the service's, then the root namespace (istio-system); within a namespace a DR
 * whose workloadSelector selects the client beats one without, an exact host beats a wildcard, a
 * longer wildcard beats a shorter one, then the oldest wins. DRs of one namespace for the same host
 * without selectors are merged as istiod does: subsets are unioned (the oldest definition of a name
 * wins) and the top-level trafficPolicy is the oldest one set.
 * istio/istio pilot/pkg/model/destination_rule.go (mergeDestinationRule), push_context.go
 */
export function destinationRuleFor(
  all: readonly DestinationRule[],
  host: string,
  clientNamespace: string,
  clientLabels: Readonly<Record<string, string>>,
  serviceNamespace: string,
): DestinationRule | undefined {
  // No DestinationRule at all (every bench mesh): skip the namespace walk, which each proxy's first
  // clusters and routes ran in the interpreter (docs/performance.md, Goal 4, session 18).
  if (all.length === 0) return undefined;
  const order = [clientNamespace, serviceNamespace, ROOT_NAMESPACE];
  for (const ns of order) {
    let best: DestinationRule | undefined;
    let bestRank = -1;
    let bestPattern = "";
    for (const dr of all) {
      if (dr.metadata.namespace !== ns) continue;
      if (ns !== clientNamespace && !visibleFrom(dr, clientNamespace)) continue;
      const sel = dr.spec.workloadSelector?.matchLabels;
      if (sel !== undefined && (ns !== clientNamespace || !Object.entries(sel).every(([k, v]) => clientLabels[k] === v))) continue;
      const pattern = resolveHostName(dr.spec.host, dr.metadata.namespace);
      if (!hostMatches(pattern, host)) continue;
      // Rank: selector first, then exact host, then wildcard length.
      const rank = (sel !== undefined ? 2 ** 20 : 0) + (pattern === host ? 2 ** 19 : pattern.length);
      if (best === undefined || rank > bestRank || (rank === bestRank && dr.metadata.creationIndex < best.metadata.creationIndex)) {
        best = dr;
        bestRank = rank;
        bestPattern = pattern;
      }
    }
    if (best === undefined) continue;
    if (best.spec.workloadSelector !== undefined) return best;
    const same = all.filter(
      (dr) => dr.metadata.namespace === ns && dr.spec.workloadSelector === undefined &&
        resolveHostName(dr.spec.host, ns) === bestPattern && (ns === clientNamespace || visibleFrom(dr, clientNamespace)),
    );
    return same.length > 1 ? mergeDestinationRules(same) : best;
  }
  return undefined;
}

/**
 * The DestinationRule whose connectionPool istiod also writes on a server's inbound cluster of the
 * service `host` (the pod's own service, in `namespace`): the same namespaces in the same order as a
 * client's lookup, and the most specific host in the first namespace with a match, but a DR with a
 * workloadSelector never applies inbound ("the settings at sidecar would be more explicit"): only
 * the selector-less (merged) rule does, and when that namespace has none, no DR applies.
 * istio/istio pilot/pkg/model/sidecar.go (SidecarScope.DestinationRule, TrafficDirectionInbound),
 * push_context.go (destinationRule), networking/core/cluster_builder.go (buildInboundCluster)
 */
export function inboundDestinationRule(all: readonly DestinationRule[], host: string, namespace: string): DestinationRule | undefined {
  if (all.length === 0) return undefined;
  // The service's namespace is the pod's: the client's first two namespaces are one here.
  for (const ns of namespace === ROOT_NAMESPACE ? [namespace] : [namespace, ROOT_NAMESPACE]) {
    let bestPattern: string | undefined;
    for (const dr of all) {
      if (dr.metadata.namespace !== ns || (ns !== namespace && !visibleFrom(dr, namespace))) continue;
      const pattern = resolveHostName(dr.spec.host, ns);
      if (!hostMatches(pattern, host)) continue;
      if (bestPattern === undefined || rankOf(pattern, host) > rankOf(bestPattern, host)) bestPattern = pattern;
    }
    if (bestPattern === undefined) continue;
    const same = all.filter(
      (dr) => dr.metadata.namespace === ns && dr.spec.workloadSelector === undefined &&
        resolveHostName(dr.spec.host, ns) === bestPattern && (ns === namespace || visibleFrom(dr, namespace)),
    );
    if (same.length === 0) return undefined;
    return same.length > 1 ? mergeDestinationRules(same) : same[0];
  }
  return undefined;
}

/** An exact host beats any wildcard; a longer wildcard beats a shorter one. */
function rankOf(pattern: string, host: string): number {
  return pattern === host ? 2 ** 19 : pattern.length;
}

/** istiod's merge of several DRs for one host in one namespace (oldest first wins). */
export function mergeDestinationRules(rules: readonly DestinationRule[]): DestinationRule {
  const sorted = [...rules].sort((a, b) => a.metadata.creationIndex - b.metadata.creationIndex);
  const first = sorted[0]!;
  const subsets: Subset[] = [];
  const names = new Set<string>();
  let trafficPolicy: TrafficPolicy | undefined;
  for (const dr of sorted) {
    for (const s of dr.spec.subsets ?? []) {
      if (names.has(s.name)) continue;
      names.add(s.name);
      subsets.push(s);
    }
    trafficPolicy ??= dr.spec.trafficPolicy;
  }
  const spec: DestinationRuleSpec = { ...first.spec, subsets };
  if (trafficPolicy !== undefined) spec.trafficPolicy = trafficPolicy;
  return { ...first, spec };
}

/** A subset's label selector, or undefined when the DR does not define it (the route gets 503 NC). */
export function subsetLabels(dr: DestinationRule | undefined, subset: string): Readonly<Record<string, string>> | undefined {
  const s = dr?.spec.subsets?.find((x) => x.name === subset);
  return s === undefined ? undefined : (s.labels ?? {});
}

const BLOCKS = ["loadBalancer", "connectionPool", "outlierDetection", "tls"] as const;

/**
 * The policy of cluster (subset, port): a port-level entry replaces all four blocks (blocks it omits
 * fall back to defaults, not to the top level); a subset's blocks replace the top level's block by
 * block; the subset's own port-level settings win over both. retryBudget has no port-level form:
 * the subset's, else the top level's.
 */
export function effectivePolicy(
  dr: DestinationRule | undefined, subset: string | undefined, port: number,
  /** MeshConfig defaultTrafficPolicy: seeded under the DR's top level (port-level settings resolved), above nothing. */
  meshDefault?: MeshDefaultTrafficPolicy,
): TrafficPolicy {
  if (dr === undefined) return withMeshDefault({}, meshDefault);
  const atPort = (p: TrafficPolicy | undefined): TrafficPolicy | undefined => {
    const e = p?.portLevelSettings?.find((x) => x.port.number === port);
    if (e === undefined) return undefined;
    const out: TrafficPolicy = {};
    for (const b of BLOCKS) if (e[b] !== undefined) (out as Record<string, unknown>)[b] = e[b];
    return out;
  };
  const top = dr.spec.trafficPolicy;
  let policy: TrafficPolicy = withMeshDefault(atPort(top) ?? withoutPorts(top), meshDefault);
  const sp = subset === undefined ? undefined : dr.spec.subsets?.find((x) => x.name === subset)?.trafficPolicy;
  const budget = sp?.retryBudget ?? top?.retryBudget;
  if (sp !== undefined) {
    const subsetPort = atPort(sp);
    if (subsetPort !== undefined) policy = subsetPort;
    else {
      policy = { ...policy };
      for (const b of BLOCKS) if (sp[b] !== undefined) (policy as Record<string, unknown>)[b] = sp[b];
    }
  }
  if (budget !== undefined && policy.retryBudget !== budget) policy = { ...policy, retryBudget: budget };
  return policy;
}

/**
 * MeshConfig defaultTrafficPolicy under a DestinationRule's policy (its port-level settings already
 * resolved for the cluster's port), block by block: a DR that sets `connectionPool` or
 * `outlierDetection` keeps its own whole, field by field nothing is merged; an unset block takes the
 * mesh's. A subset's policy then overrides on top as usual (a subset's portLevelSettings entry for
 * the port replaces every block, the mesh's included). Istio ≥ 1.31.
 * istio/istio pilot/pkg/networking/core/cluster_traffic_policy.go (applyDefaultTrafficPolicy),
 * cluster_builder.go (applyDestinationRule, buildInboundCluster)
 */
export function withMeshDefault(policy: TrafficPolicy, md: MeshDefaultTrafficPolicy | undefined): TrafficPolicy {
  if (md === undefined) return policy;
  const cp = md.connectionPool !== undefined && policy.connectionPool === undefined;
  const od = md.outlierDetection !== undefined && policy.outlierDetection === undefined;
  if (!cp && !od) return policy;
  const out: TrafficPolicy = { ...policy };
  if (cp) out.connectionPool = md.connectionPool;
  if (od) out.outlierDetection = md.outlierDetection;
  return out;
}

function withoutPorts(p: TrafficPolicy | undefined): TrafficPolicy {
  if (p === undefined) return {};
  const { portLevelSettings: _ignored, ...rest } = p;
  return rest;
}

/**
 * Does the destination hash consistently (its effective loadBalancer has `consistentHash`)? istiod
 * then writes the route's retry policy without the previous_hosts predicate, so a retry lands on
 * the same host again (Istio 1.23+; retry.go ConvertPolicy(in, hashPolicy)). The service's
 * namespace is read from its FQDN (`name.namespace.svc.<suffix>`).
 */
export function usesConsistentHash(
  all: readonly DestinationRule[], host: string, subset: string | undefined, port: number,
  clientNamespace: string, clientLabels: Readonly<Record<string, string>>,
): boolean {
  const parts = host.split(".");
  const serviceNamespace = parts.length > 2 && parts[2] === "svc" ? parts[1]! : clientNamespace;
  const dr = destinationRuleFor(all, host, clientNamespace, clientLabels, serviceNamespace);
  return dr !== undefined && effectivePolicy(dr, subset, port).loadBalancer?.consistentHash !== undefined;
}
