// Which DestinationRule a client proxy applies to a host, the subsets it defines, and the effective
// traffic policy of a subset and port with Istio's override rules.
// https://istio.io/latest/docs/reference/config/networking/destination-rule/ (semantics §2.1–2.2)
import type { DestinationRule, TrafficPolicy } from "./api/networking.js";
import { hostMatches, resolveHostName } from "./route/host-name.js";

export const ROOT_NAMESPACE = "istio-system";

function visibleFrom(dr: DestinationRule, clientNamespace: string): boolean {
  const exportTo = dr.spec.exportTo;
  if (exportTo === undefined || exportTo.length === 0 || exportTo.includes("*")) return true;
  return exportTo.some((e) => (e === "." ? dr.metadata.namespace === clientNamespace : e === clientNamespace));
}

/**
 * The DestinationRule for `host` (an FQDN) from a client in `clientNamespace`: first a DR in the
 * client's namespace, then one in the service's namespace, then one in the root namespace; within
 * each, an exact host beats a wildcard and the oldest wins. DRs with a workloadSelector apply only to
 * the clients they select.
 */
export function destinationRuleFor(
  all: readonly DestinationRule[],
  host: string,
  clientNamespace: string,
  clientLabels: Readonly<Record<string, string>>,
  serviceNamespace: string,
): DestinationRule | undefined {
  const order = [clientNamespace, serviceNamespace, ROOT_NAMESPACE];
  for (const ns of order) {
    let best: DestinationRule | undefined;
    let bestExact = false;
    for (const dr of all) {
      if (dr.metadata.namespace !== ns) continue;
      if (ns !== clientNamespace && !visibleFrom(dr, clientNamespace)) continue;
      const sel = dr.spec.workloadSelector?.matchLabels;
      if (sel !== undefined && (ns !== clientNamespace || !Object.entries(sel).every(([k, v]) => clientLabels[k] === v))) continue;
      const pattern = resolveHostName(dr.spec.host, dr.metadata.namespace);
      if (!hostMatches(pattern, host)) continue;
      const exact = pattern === host;
      if (best === undefined || (exact && !bestExact) || (exact === bestExact && dr.metadata.creationIndex < best.metadata.creationIndex)) {
        best = dr;
        bestExact = exact;
      }
    }
    if (best !== undefined) return best;
  }
  return undefined;
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
 * block; the subset's own port-level settings win over both.
 */
export function effectivePolicy(dr: DestinationRule | undefined, subset: string | undefined, port: number): TrafficPolicy {
  if (dr === undefined) return {};
  const atPort = (p: TrafficPolicy | undefined): TrafficPolicy | undefined => {
    const e = p?.portLevelSettings?.find((x) => x.port.number === port);
    if (e === undefined) return undefined;
    const out: TrafficPolicy = {};
    for (const b of BLOCKS) if (e[b] !== undefined) (out as Record<string, unknown>)[b] = e[b];
    return out;
  };
  const top = dr.spec.trafficPolicy;
  let policy: TrafficPolicy = atPort(top) ?? withoutPorts(top);
  const sp = subset === undefined ? undefined : dr.spec.subsets?.find((x) => x.name === subset)?.trafficPolicy;
  if (sp !== undefined) {
    const subsetPort = atPort(sp);
    if (subsetPort !== undefined) return subsetPort;
    policy = { ...policy };
    for (const b of BLOCKS) if (sp[b] !== undefined) (policy as Record<string, unknown>)[b] = sp[b];
  }
  return policy;
}

function withoutPorts(p: TrafficPolicy | undefined): TrafficPolicy {
  if (p === undefined) return {};
  const { portLevelSettings: _ignored, ...rest } = p;
  return rest;
}
