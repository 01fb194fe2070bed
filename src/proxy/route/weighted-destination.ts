// Traffic splitting between a rule's destinations. A lone destination takes 100 % whatever its
// weight; with several, weight-0 (or absent) entries are dropped and each request independently
// picks destination i with probability w_i / Σw — Envoy weighted_clusters, per-request random, not
// round-robin. The sum need not be 100 (Istio ≥ 1.15, istio/istio#39544).
// istio/istio route.go applyHTTPRouteDestination; https://istio.io/latest/docs/concepts/traffic-management/#routing-rule-precedence
import type { HTTPRouteDestination } from "../api/networking.js";
import type { CompiledDestination } from "./destination.js";

/** The destinations Envoy gets, with effective weights. */
export function effectiveDestinations(route: readonly HTTPRouteDestination[] | undefined): { d: HTTPRouteDestination; weight: number }[] {
  if (route === undefined || route.length === 0) return [];
  if (route.length === 1) return [{ d: route[0] as HTTPRouteDestination, weight: 100 }];
  const out: { d: HTTPRouteDestination; weight: number }[] = [];
  for (const d of route) {
    const w = d.weight ?? 0;
    if (w > 0) out.push({ d, weight: w });
  }
  return out;
}

/** Anything with compiled destinations and their running weight totals (a CompiledRoute). */
export interface WeightedDestinations {
  readonly destinations: readonly CompiledDestination[];
  /** cumulativeWeights[i] = Σ weights[0..i]. */
  readonly cumulativeWeights: Float64Array;
}

export function cumulativeWeights(ds: readonly CompiledDestination[]): Float64Array {
  const c = new Float64Array(ds.length);
  let sum = 0;
  for (let i = 0; i < ds.length; i++) c[i] = sum += (ds[i] as CompiledDestination).weight;
  return c;
}

/**
 * Pick a destination with `u` uniform in [0,1). undefined when the rule has no usable destination
 * (istiod would have rejected it; the caller answers 503 NC).
 */
export function pickDestination(route: WeightedDestinations, u: number): CompiledDestination | undefined {
  const ds = route.destinations;
  const n = ds.length;
  if (n <= 1) return ds[0];
  const cum = route.cumulativeWeights;
  const r = u * (cum[n - 1] as number);
  for (let i = 0; i < n - 1; i++) if (r < (cum[i] as number)) return ds[i];
  return ds[n - 1];
}
