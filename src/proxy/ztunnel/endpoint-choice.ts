// ztunnel's choice of a Service endpoint for a new TCP connection: no per-request balancing, no
// retries, no outlier detection. Ready endpoints are optionally ranked by how many locality scopes
// they share with the client, in order; only the best rank is kept (`Failover`: no gradual spill,
// unlike Envoy's overprovisioning factor of 1.4) or only full matches (`Strict`); then one is drawn
// at random, weighted by capacity.
// https://github.com/istio/ztunnel/blob/62d82653/src/state.rs#L375-L509 (`load_balance`, `choose_weighted`)
// https://istio.io/latest/docs/ambient/usage/traffic-distribution/

/** Locality scopes ztunnel compares between client and endpoint (workloadapi LoadBalancing.Scope). */
export type LoadBalancerScope = "network" | "region" | "zone" | "subzone" | "node";

/** How ztunnel uses the ranks (workloadapi LoadBalancing.Mode). */
export interface RoutingPreference {
  scopes: readonly LoadBalancerScope[];
  mode: "failover" | "strict";
}

/** Where a workload runs, as ztunnel's workload state knows it. */
export interface WorkloadLocality {
  network?: string;
  region?: string;
  zone?: string;
  subzone?: string;
  node?: string;
}

/**
 * The routing preference istiod sends for a Service's traffic distribution (Service
 * `spec.trafficDistribution`, else the `networking.istio.io/traffic-distribution` annotation):
 * PreferSameZone (PreferClose, its deprecated alias) ranks network, region, zone — not the subzone;
 * PreferSameNode ranks network, region, zone, subzone, node; both Failover. Any other value: no
 * preference (plain weighted random).
 * https://github.com/istio/istio/blob/86c9f01f/pilot/pkg/serviceregistry/ambient/services.go#L704-L737
 * (preferSameZoneLoadBalancer, preferSameNodeLoadBalancer)
 * https://istio.io/latest/docs/ambient/usage/traffic-distribution/
 */
export function routingPreference(trafficDistribution: string | undefined): RoutingPreference | null {
  switch (trafficDistribution) {
    case "PreferClose":
    case "PreferSameZone":
      return ZONE;
    case "PreferSameNode":
      return NODE;
    default:
      return null;
  }
}
const ZONE: RoutingPreference = Object.freeze({ scopes: ["network", "region", "zone"] as const, mode: "failover" as const });
const NODE: RoutingPreference = Object.freeze({ scopes: ["network", "region", "zone", "subzone", "node"] as const, mode: "failover" as const });

/** How many scopes, in order, the endpoint shares with the client (the first mismatch stops the count). */
export function localityRank(client: WorkloadLocality, ep: WorkloadLocality, scopes: readonly LoadBalancerScope[]): number {
  let rank = 0;
  for (const s of scopes) {
    if (client[s] !== ep[s]) break;
    rank++;
  }
  return rank;
}

/**
 * The endpoint a new connection goes to, `u` a uniform [0, 1) draw; undefined when none is
 * eligible (the connection fails). `endpoints` are the ready ones; `capacity` is the workload's
 * weight (istiod sends 1 unless set), `locality` where it runs.
 */
export function chooseEndpoint<E>(
  endpoints: readonly E[], capacity: (e: E) => number, locality: (e: E) => WorkloadLocality,
  client: WorkloadLocality, pref: RoutingPreference | null, u: number,
): E | undefined {
  let options: readonly E[] = endpoints;
  if (pref !== null) {
    let best = -1;
    const kept: E[] = [];
    for (const ep of endpoints) {
      const r = localityRank(client, locality(ep), pref.scopes);
      if (pref.mode === "strict" && r !== pref.scopes.length) continue;
      if (r > best) {
        best = r;
        kept.length = 0;
      }
      if (r === best) kept.push(ep);
    }
    options = kept;
  }
  if (options.length === 0) return undefined;
  let total = 0;
  for (const ep of options) total += capacity(ep);
  if (total <= 0) return undefined;
  let x = u * total;
  for (const ep of options) {
    x -= capacity(ep);
    if (x < 0) return ep;
  }
  return options[options.length - 1];
}
