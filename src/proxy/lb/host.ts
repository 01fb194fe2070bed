// An upstream endpoint as a load balancer sees it (Envoy's Host): a stable id (the address Envoy
// hashes for ring hash and Maglev), its load-balancing weight, its locality and its labels.
// https://www.envoyproxy.io/docs/envoy/latest/api-v3/config/endpoint/v3/endpoint_components.proto

export interface LbHost {
  /** Stable identity, e.g. "10.0.0.7:8080" or a pod name; ring hash and Maglev hash it. */
  id: string;
  /** Envoy load_balancing_weight (≥ 1 in Envoy; Istio sends 1 unless a ServiceEntry sets one). */
  weight: number;
  /** "region/zone/subzone"; any part may be empty. */
  locality?: string;
  labels: Readonly<Record<string, string>>;
}

/** Does `labels` carry every key/value of `selector`? An empty selector selects everything. */
export function labelsMatch(selector: Readonly<Record<string, string>>, labels: Readonly<Record<string, string>>): boolean {
  for (const k in selector) if (labels[k] !== selector[k]) return false;
  return true;
}

/**
 * The hosts of a DestinationRule subset: endpoints whose labels include all of the subset's labels
 * (each subset is its own Envoy cluster `outbound|port|subset|host`). Order is preserved.
 * https://istio.io/latest/docs/reference/config/networking/destination-rule/#Subset
 */
export function selectSubsetHosts<H extends LbHost>(hosts: readonly H[], subsetLabels: Readonly<Record<string, string>> | undefined): H[] {
  if (subsetLabels === undefined) return hosts.slice();
  return hosts.filter((h) => labelsMatch(subsetLabels, h.labels));
}
