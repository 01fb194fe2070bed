// Routes istiod generates when no VirtualService rule applies (semantics §1.8, §7.4):
// - a known service without a VS: one catch-all to the service's cluster, mesh default retries, no timeout;
// - an unknown host with outboundTrafficPolicy ALLOW_ANY: "allow_any" → PassthroughCluster, no retries, no timeout;
// - an unknown host with REGISTRY_ONLY: "block_all" → direct response 502.
// istio/istio route.go BuildDefaultHTTPOutboundRoute; pilot/pkg/networking/core/httproute.go;
// https://istio.io/latest/docs/tasks/traffic-management/egress/egress-control/
import type { HTTPRetry, HTTPRoute } from "../api/networking.js";
import type { SourceContext } from "../http-request.js";
import { compileHttpRoutes, DEFAULT_SIDECAR, type CompiledRoute, type CompileOptions } from "./compile-routes.js";

export const PASSTHROUGH_CLUSTER = "PassthroughCluster";
export const BLACKHOLE_CLUSTER = "BlackHoleCluster";

export type OutboundTrafficPolicyMode = "ALLOW_ANY" | "REGISTRY_ONLY";

/** The "default" route for a service host (FQDN) that has no VirtualService. */
export function defaultServiceRoutes(host: string, port: number, opts: CompileOptions = {}): CompiledRoute[] {
  const rule: HTTPRoute = { name: "default", route: [{ destination: { host, port: { number: port } } }] };
  // No `retries` on the rule ⇒ mesh default (or Istio's default) retry policy, as istiod does. And
  // with the previous_hosts predicate even when the DestinationRule hashes: istiod builds this route
  // with ConvertPolicy(mesh default, false) and only adds the DR's hash policy after, so a retry
  // moves on along the ring (RingHash chooseHost `attempt`) instead of hashing to the same host as on
  // a VirtualService route. istio/istio pilot/pkg/networking/core/route/route.go
  // (buildSidecarVirtualHostForService, BuildDefaultHTTPOutboundRoute)
  const { consistentHash: _noHashOnTheDefaultRoute, ...rest } = opts;
  return compileHttpRoutes([rule], "default", DEFAULT_SIDECAR, port, rest);
}

const NO_RETRIES: HTTPRetry = { attempts: 0 };

/** Routes for a host the proxy does not know, by outbound traffic policy mode. */
export function unknownHostRoutes(mode: OutboundTrafficPolicyMode, port: number, source: SourceContext = DEFAULT_SIDECAR): CompiledRoute[] {
  const rule: HTTPRoute = mode === "REGISTRY_ONLY"
    ? { name: "block_all", directResponse: { status: 502 } }
    : { name: "allow_any", route: [{ destination: { host: PASSTHROUGH_CLUSTER } }], retries: NO_RETRIES };
  const routes = compileHttpRoutes([rule], source.namespace, source, port);
  if (mode === "ALLOW_ANY") {
    // The passthrough route targets the static cluster by name, not outbound|port||host.
    const r = routes[0] as CompiledRoute;
    const d = r.destinations[0];
    if (d !== undefined) {
      routes[0] = Object.freeze({ ...r, destinations: [Object.freeze({ ...d, host: PASSTHROUGH_CLUSTER, cluster: PASSTHROUGH_CLUSTER })] });
    }
  }
  return routes;
}
