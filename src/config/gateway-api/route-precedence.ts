// Gateway API's rule precedence, as istiod implements it on the VirtualService rules it generates
// (each generated rule has at most one match): exact path > prefix > regex, then the longer path,
// then a method match, then more header matches, then more query parameter matches; a rule without
// matches goes last. The sort is stable, so the order the routes were merged in (oldest route first,
// then namespace/name: sortRoutesByCreationTime) breaks the remaining ties, as the spec asks.
// https://gateway-api.sigs.k8s.io/reference/spec/#httprouterule (precedence list);
// istio/istio pilot/pkg/config/kube/gateway/conversion.go sortHTTPRoutes, getURIRank, getURILength.
import type { HTTPMatchRequest, HTTPRoute } from "../../proxy/api/networking.js";

/** Exact 3, prefix 2, regex 1, no uri -1 (getURIRank). */
export function uriRank(m: HTTPMatchRequest): number {
  const u = m.uri;
  if (u === undefined) return -1;
  return "exact" in u ? 3 : "prefix" in u ? 2 : 1;
}

/** The length of the path value (getURILength). */
export function uriLength(m: HTTPMatchRequest): number {
  const u = m.uri;
  if (u === undefined) return 0;
  return "exact" in u ? u.exact.length : "prefix" in u ? u.prefix.length : u.regex.length;
}

/** Does rule `a` go before rule `b`? (sortHTTPRoutes's less function) */
export function precedes(a: HTTPRoute, b: HTTPRoute): boolean {
  if (a.match === undefined || a.match.length === 0) return false;
  if (b.match === undefined || b.match.length === 0) return true;
  const m1 = a.match[0]!, m2 = b.match[0]!;
  const r1 = uriRank(m1), r2 = uriRank(m2);
  if (r1 !== r2) return r1 > r2;
  const l1 = uriLength(m1), l2 = uriLength(m2);
  if (l1 !== l2) return l1 > l2;
  if ((m1.method === undefined) !== (m2.method === undefined)) return m1.method !== undefined;
  const h1 = Object.keys(m1.headers ?? {}).length, h2 = Object.keys(m2.headers ?? {}).length;
  if (h1 !== h2) return h1 > h2;
  return Object.keys(m1.queryParams ?? {}).length > Object.keys(m2.queryParams ?? {}).length;
}

/** Rules in precedence order; a stable sort (ties keep their given order). */
export function sortByPrecedence(rules: readonly HTTPRoute[]): HTTPRoute[] {
  const indexed = rules.map((r, i) => ({ r, i }));
  indexed.sort((x, y) => (precedes(x.r, y.r) ? -1 : precedes(y.r, x.r) ? 1 : x.i - y.i));
  return indexed.map((x) => x.r);
}
