// The request hash of an Istio consistentHash policy (Envoy route hash_policy): a header, a cookie,
// the source IP or a query parameter. No key on the request ⇒ undefined, and the balancer uses a
// random hash (Envoy behaviour). With httpCookie.ttl and no cookie, Envoy generates a cookie whose
// value is a hash of the downstream address and returns it with Set-Cookie; meshsim hashes the
// source IP in its place (no port), so the client sticks the same way.
// https://istio.io/latest/docs/reference/config/networking/destination-rule/#LoadBalancerSettings-ConsistentHashLB
// https://www.envoyproxy.io/docs/envoy/latest/api-v3/config/route/v3/route_components.proto#config-route-v3-routeaction-hashpolicy
import type { ConsistentHashLB } from "../api/networking.js";
import { queryParamValueStart, queryParamValueEnd, type HttpRequest } from "../http-request.js";
import { hash52 } from "./hash.js";

/** Value of cookie `name` in a Cookie header ("a=1; b=2"), or undefined. */
export function cookieValue(cookieHeader: string | undefined, name: string): string | undefined {
  if (cookieHeader === undefined) return undefined;
  let i = 0;
  const n = cookieHeader.length;
  while (i < n) {
    while (i < n && (cookieHeader.charCodeAt(i) === 32 || cookieHeader.charCodeAt(i) === 59)) i++;
    let end = cookieHeader.indexOf(";", i);
    if (end < 0) end = n;
    const eq = cookieHeader.indexOf("=", i);
    if (eq > i && eq < end && eq - i === name.length && cookieHeader.startsWith(name, i)) {
      let v = cookieHeader.slice(eq + 1, end).trim();
      if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) v = v.slice(1, -1);
      return v;
    }
    i = end + 1;
  }
  return undefined;
}

/** The consistent-hash key of a request, or undefined when it has none. */
export function consistentHashKey(ch: ConsistentHashLB, req: HttpRequest, sourceIp: string | undefined): string | undefined {
  if (ch.httpHeaderName !== undefined) return req.headers[ch.httpHeaderName.toLowerCase()];
  if (ch.httpCookie !== undefined) {
    const v = cookieValue(req.headers["cookie"], ch.httpCookie.name);
    if (v !== undefined) return v;
    return ch.httpCookie.ttlMs !== undefined && sourceIp !== undefined ? `generated:${sourceIp}` : undefined;
  }
  if (ch.useSourceIp === true) return sourceIp;
  if (ch.httpQueryParameterName !== undefined) {
    const at = queryParamValueStart(req.path, ch.httpQueryParameterName);
    return at < 0 ? undefined : req.path.slice(at, queryParamValueEnd(req.path, at));
  }
  return undefined;
}

/** The request hash for PickContext.hash, or undefined (⇒ random). */
export function consistentHashOf(ch: ConsistentHashLB | undefined, req: HttpRequest, sourceIp: string | undefined): number | undefined {
  if (ch === undefined) return undefined;
  const key = consistentHashKey(ch, req, sourceIp);
  return key === undefined ? undefined : hash52(key);
}
