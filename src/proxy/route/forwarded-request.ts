// The request as the router forwards it to the chosen destination, and the response headers the
// client gets: path/host rewrites and header operations. Route-level and single-destination ops
// form one list (istiod appends the destination's to the route's); with weighted destinations the
// destination's ops run first, then the route's (Envoy: weighted cluster level before route level).
// https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_conn_man/headers#custom-request-response-headers
import type { HttpRequest } from "../http-request.js";
import type { CompiledRoute } from "./compile-routes.js";
import type { CompiledDestination } from "./destination.js";
import { applyHeaderOps, concatHeaderOps } from "./header-operations.js";
import { rewritePath } from "./rewrite.js";

/** Host rewrite for this destination: route level wins, else the destination's header authority. */
export function hostRewriteFor(route: CompiledRoute, dest: CompiledDestination | undefined): string | undefined {
  return route.hostRewrite ?? dest?.headers?.authority;
}

function applyBoth(
  route: CompiledRoute, dest: CompiledDestination | undefined, side: "request" | "response",
  headers: Readonly<Record<string, string>>,
): Readonly<Record<string, string>> {
  const r = route.headers?.[side];
  const d = dest?.headers?.[side];
  if (d === undefined) return applyHeaderOps(r, headers);
  if (route.destinations.length <= 1) return applyHeaderOps(concatHeaderOps(r, d), headers);
  return applyHeaderOps(r, applyHeaderOps(d, headers));
}

/** The upstream request; `req` itself when the route changes nothing. */
export function forwardedRequest(route: CompiledRoute, dest: CompiledDestination | undefined, req: HttpRequest): HttpRequest {
  const path = rewritePath(route.rewrite, route.match, req.path);
  const host = hostRewriteFor(route, dest);
  const authority = host ?? req.authority;
  const headers = applyBoth(route, dest, "request", req.headers);
  if (path === req.path && authority === req.authority && headers === req.headers) return req;
  return { method: req.method, scheme: req.scheme, authority, path, headers };
}

/** Response headers after the route's (and destination's) response header operations. */
export function responseHeadersFor(
  route: CompiledRoute, dest: CompiledDestination | undefined, headers: Readonly<Record<string, string>>,
): Readonly<Record<string, string>> {
  return applyBoth(route, dest, "response", headers);
}
