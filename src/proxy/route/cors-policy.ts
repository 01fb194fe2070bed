// A route's CorsPolicy as Envoy's CORS filter applies it to a request, for what changes its fate: a
// preflight — OPTIONS with a non-empty Origin and a non-empty Access-Control-Request-Method — is
// answered by the filter itself with 200 (the allow-* headers only when the origin is allowed), unless
// its origin is not allowed and the policy forwards such preflights (forward_not_matching_preflights,
// Istio's unmatchedPreflights FORWARD, the default for a VirtualService; Gateway API's CORS filter
// gets IGNORE). Any other request goes on to the router. The response headers it adds are not modelled.
// envoyproxy/envoy source/extensions/filters/http/cors/cors_filter.cc (CorsFilter::decodeHeaders);
// istio/istio pilot/pkg/networking/core/route/route.go translateCORSPolicy (forwardNotMatchingPreflights).
// https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_filters/cors_filter
import type { CorsPolicy } from "../api/networking.js";
import type { HttpRequest } from "../http-request.js";
import { compileStringMatch, matchString, type CompiledStringMatch } from "./string-match.js";

export interface CompiledCors {
  readonly origins: readonly CompiledStringMatch[];
  readonly forwardNotMatchingPreflights: boolean;
}

export function compileCors(p: CorsPolicy | undefined): CompiledCors | undefined {
  if (p === undefined) return undefined;
  return { origins: p.allowOrigins.map((o) => compileStringMatch(o)), forwardNotMatchingPreflights: p.unmatchedPreflights === "FORWARD" };
}

/** isOriginAllowed: any of the policy's origin matchers. */
export function corsOriginAllowed(c: CompiledCors, origin: string): boolean {
  return c.origins.some((m) => matchString(m, origin));
}

/** Does the CORS filter answer this request itself (a preflight it does not forward)? */
export function corsAnswersPreflight(c: CompiledCors, req: HttpRequest): boolean {
  const origin = req.headers["origin"];
  if (origin === undefined || origin === "") return false;
  if (req.method !== "OPTIONS") return false;
  const requested = req.headers["access-control-request-method"];
  if (requested === undefined || requested === "") return false;
  return corsOriginAllowed(c, origin) || !c.forwardNotMatchingPreflights;
}
