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
   * "outbound|<port>|<subset>|<host>". Port = destination.port, else the listener port. (istiod also
   * uses the service's only port when it has exactly one; that needs the registry: caller's job.)
   */
  readonly cluster: string;
  /** Effective weight (100 for a lone destination). */
  readonly weight: number;
  readonly headers: CompiledHeaders | undefined;
}

export function clusterName(host: string, subset: string | undefined, port: number): string {
  return `outbound|${port}|${subset ?? ""}|${host}`;
}

export function compileDestination(
  d: Destination, weight: number, headers: HTTPRouteDestination["headers"],
  vsNamespace: string, listenerPort: number, domainSuffix: string | undefined,
): CompiledDestination {
  const host = resolveHostName(d.host, vsNamespace, domainSuffix);
  const port = d.port?.number;
  return Object.freeze({
    host, subset: d.subset, port, cluster: clusterName(host, d.subset, port ?? listenerPort),
    weight, headers: compileHeaders(headers),
  });
}
