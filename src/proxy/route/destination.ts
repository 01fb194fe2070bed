// A route destination resolved to the Envoy cluster istiod points at.
// https://istio.io/latest/docs/reference/config/networking/virtual-service/#Destination
import type { Destination, HTTPRouteDestination } from "../api/networking.js";
import { compileHeaders, type CompiledHeaders } from "./header-operations.js";
import { resolveHostName } from "./host-name.js";

export interface CompiledDestination {
  /** FQDN (short names resolved in the VirtualService's namespace). */
  readonly host: string;
  readonly subset: string | undefined;
  /** destination.port.number, if given. */
  readonly port: number | undefined;
  /**
   * "outbound|<port>|<subset>|<host>". Port = destination.port, else the service's only port when it
   * has exactly one (given by the caller, who has the registry), else the listener port.
   */
  readonly cluster: string;
  /** Effective weight (100 for a lone destination). */
  readonly weight: number;
  readonly headers: CompiledHeaders | undefined;
}

export function clusterName(host: string, subset: string | undefined, port: number): string {
  return `outbound|${port}|${subset ?? ""}|${host}`;
}

/**
 * `onlyPort`: the port of the destination's service when it has exactly one (the registry's, so the
 * caller's); a destination without a port then names that port's cluster, not the listener's
 * (istio/istio pilot/pkg/networking/core/route/route.go GetDestinationCluster).
 */
export function compileDestination(
  d: Destination, weight: number, headers: HTTPRouteDestination["headers"],
  vsNamespace: string, listenerPort: number, domainSuffix: string | undefined,
  onlyPort?: (host: string) => number | undefined,
): CompiledDestination {
  const host = resolveHostName(d.host, vsNamespace, domainSuffix);
  const port = d.port?.number;
  return Object.freeze({
    host, subset: d.subset, port, cluster: clusterName(host, d.subset, port ?? onlyPort?.(host) ?? listenerPort),
    weight, headers: compileHeaders(headers),
  });
}
