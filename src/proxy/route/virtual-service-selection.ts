// Which VirtualService a proxy uses for a host. For sidecars exactly one VS per host applies:
// istiod orders the VSs a proxy can see as (1) private to / exported "." in the proxy's namespace,
// (2) explicitly exported to that namespace, (3) public — each oldest first — and the first VS
// claiming a host wins; an exact host beats a wildcard, a more specific wildcard beats a broader one.
// istio/istio pilot/pkg/model/push_context.go (initVirtualServices, VirtualServicesForGateway,
// computeWildcardHostVirtualServiceIndex); https://istio.io/latest/docs/ops/best-practices/traffic-management/
import type { VirtualService } from "../api/networking.js";
import type { SourceContext } from "../http-request.js";
import { DEFAULT_DOMAIN_SUFFIX, hostMatches, isWildcardHost, resolveHostName } from "./host-name.js";

/** istiod's annotation on VirtualServices generated from Gateway API routes (constants.InternalRouteSemantics). */
export const ROUTE_SEMANTICS_ANNOTATION = "internal.istio.io/route-semantics";

/** Istio's reserved gateway name for all sidecars. */
export const MESH_GATEWAY = "mesh";

/**
 * Resolve a gateway reference written in a VS of `namespace` to "ns/name" ("mesh" stays "mesh";
 * the legacy "name.ns.svc.cluster.local" form becomes "ns/name").
 */
export function resolveGatewayName(name: string, namespace: string): string {
  if (name === MESH_GATEWAY || name.includes("/")) return name;
  const dot = name.indexOf(".");
  if (dot < 0) return `${namespace}/${name}`;
  const rest = name.slice(dot + 1);
  const ns = rest.includes(".") ? rest.slice(0, rest.indexOf(".")) : rest;
  return `${ns}/${name.slice(0, dot)}`;
}

/** The gateway names a VS binds to; omitted or empty `gateways` means ["mesh"]. */
export function virtualServiceGateways(vs: VirtualService): string[] {
  const g = vs.spec.gateways;
  if (g === undefined || g.length === 0) return [MESH_GATEWAY];
  return g.map((n) => resolveGatewayName(n, vs.metadata.namespace));
}

/** The gateway name a proxy answers to: its "ns/name" or "mesh" for a sidecar. */
export function proxyGatewayName(source: SourceContext): string {
  return source.gateway ?? MESH_GATEWAY;
}

/** Is the VS bound to this proxy (sidecar ⇔ "mesh" listed or gateways omitted; gateway ⇔ named)? */
export function virtualServiceBoundTo(vs: VirtualService, source: SourceContext): boolean {
  const me = proxyGatewayName(source);
  for (const g of virtualServiceGateways(vs)) if (g === me) return true;
  return false;
}

/** 0 = private to the proxy's namespace, 1 = exported to it by name, 2 = public, -1 = invisible. */
export function virtualServiceVisibility(
  vs: VirtualService, proxyNamespace: string, defaultExportTo: readonly string[] = ["*"],
): number {
  const exportTo = vs.spec.exportTo === undefined || vs.spec.exportTo.length === 0 ? defaultExportTo : vs.spec.exportTo;
  const ns = vs.metadata.namespace;
  if (exportTo.includes("*")) return 2;
  if (exportTo.includes("~")) return -1;
  let visibility = -1;
  for (const e of exportTo) {
    if (e === "." || e === ns) {
      if (ns === proxyNamespace) return 0;
    } else if (e === proxyNamespace) {
      visibility = 1;
    }
  }
  return visibility;
}

export interface SelectionOptions {
  domainSuffix?: string;
  /** MeshConfig defaultVirtualServiceExportTo (Istio default ["*"]). */
  defaultExportTo?: readonly string[];
}

/** The VSs this proxy sees, in istiod's precedence order (see the file comment). */
export function virtualServicesForProxy(
  all: readonly VirtualService[], source: SourceContext, opts: SelectionOptions = {},
): VirtualService[] {
  const ranked: { vs: VirtualService; rank: number }[] = [];
  for (const vs of all) {
    if (!virtualServiceBoundTo(vs, source)) continue;
    let rank = virtualServiceVisibility(vs, source.namespace, opts.defaultExportTo);
    // "Favor same-namespace Gateway routes, to give the 'consumer override' preference": a public
    // VirtualService istiod generated from an HTTPRoute in the proxy's namespace comes before other
    // public ones (istio/istio pilot/pkg/model/push_context.go VirtualServicesForGateway).
    if (rank === 2 && vs.metadata.namespace === source.namespace && vs.metadata.annotations[ROUTE_SEMANTICS_ANNOTATION] === "gateway") rank = 1.5;
    if (rank >= 0) ranked.push({ vs, rank });
  }
  ranked.sort((a, b) =>
    a.rank - b.rank || a.vs.metadata.creationIndex - b.vs.metadata.creationIndex
    || cmp(a.vs.metadata.name, b.vs.metadata.name) || cmp(a.vs.metadata.namespace, b.vs.metadata.namespace));
  return ranked.map((r) => r.vs);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The single VS a proxy applies to traffic for `host` (an FQDN), or undefined (⇒ default route).
 * Exact host match first (first in precedence order), then the most specific wildcard.
 * For gateways Istio merges several VSs per host; this returns only the first (merging left out).
 */
export function selectVirtualService(
  all: readonly VirtualService[], host: string, source: SourceContext, opts: SelectionOptions = {},
): VirtualService | undefined {
  const suffix = opts.domainSuffix ?? DEFAULT_DOMAIN_SUFFIX;
  let best: VirtualService | undefined;
  let bestLen = -1;
  for (const vs of virtualServicesForProxy(all, source, opts)) {
    for (const raw of vs.spec.hosts) {
      const h = resolveHostName(raw, vs.metadata.namespace, suffix);
      if (!hostMatches(h, host)) continue;
      if (!isWildcardHost(h)) return vs; // exact beats every wildcard; first in order wins
      if (h.length > bestLen) {
        best = vs;
        bestLen = h.length;
      }
    }
  }
  return best;
}
