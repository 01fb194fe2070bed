// The part of the request walk that happens inside a virtual host: Envoy tries the routes in order and
// the first whose match holds wins; its action answers locally (redirect, direct response) or names
// the destination cluster, picked by weight. The simulation calls it without a trace (no allocation);
// `meshsim explain` calls it with one and prints each route tried and the condition that failed.
// https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/http/http_routing#route-table
import type { HttpRequest } from "../http-request.js";
import { matchRoute, type CompiledRoute } from "./compile-routes.js";
import { unmatchedCondition } from "./route-match.js";

export interface RouteTry {
  readonly route: CompiledRoute;
  /** "" when it matched; otherwise the first condition the request failed. */
  readonly failed: string;
}

/** The first route that matches `req` (undefined: none, 404 NR); `trace` hears every route tried. */
export function walkRoutes(routes: readonly CompiledRoute[], req: HttpRequest, trace: RouteTry[] | null): CompiledRoute | undefined {
  if (trace === null) return matchRoute(routes, req);
  for (const r of routes) {
    const failed = unmatchedCondition(r.match, req);
    trace.push({ route: r, failed });
    if (failed === "") return r;
  }
  return undefined;
}
