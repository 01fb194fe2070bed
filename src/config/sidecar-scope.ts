// Which services a sidecar is told about: istiod's SidecarScope. The Sidecar resource that applies to a
// proxy is the one in its namespace whose workloadSelector matches it, else its namespace's
// selector-less one, else the root namespace's selector-less one (the mesh default); without any,
// the proxy sees every service (`*/*`). Its egress `hosts` ("namespace/dnsName", "./*", "*/*") limit
// the clusters, routes and listeners the proxy receives, and which changes it is pushed at all; a
// "~" before the namespace excludes what the entry names ("~/*" nothing is left, "~ns/h" drops h).
// A VirtualService is imported only when one of its hosts is admitted in the VirtualService's OWN
// namespace (or "*"): the namespace part of an egress entry scopes the config, not only the service.
// https://istio.io/latest/docs/reference/config/networking/sidecar/
// istio/istio pilot/pkg/model/sidecar.go (convertIstioListenerToWrapper, selectServices,
// hostClassification.Excluded / VSMatches) and pilot/pkg/model/virtualservice.go SelectVirtualServices.
import type { MeshConfig } from "./mesh-config.js";
import type { ConnectionPoolSettings, Sidecar, VirtualService } from "../proxy/api/networking.js";
import { hostMatches, hostSubsumes, isWildcardHost, resolveHostName } from "../proxy/route/host-name.js";
import { ROUTE_SEMANTICS_ANNOTATION } from "../proxy/route/virtual-service-selection.js";

/** A service (or ServiceEntry host) as scoping sees it. */
export interface ScopedHost {
  readonly fqdn: string;
  readonly namespace: string;
  /** A ServiceEntry's `exportTo` ("." its own namespace, "*" all, "~" none, or namespace names); absent: all. */
  readonly exportTo?: readonly string[];
}

/**
 * Is a host exported to proxies of `namespace`? A ServiceEntry's `exportTo` limits the namespaces whose
 * proxies learn its hosts; elsewhere the host is unknown (PassthroughCluster or BlackHoleCluster).
 * Empty or absent: MeshConfig defaultServiceExportTo, Istio's default "*".
 * istio/istio pilot/pkg/model/push_context.go (IsServiceVisible, serviceExportTo: Public, or Private
 * and the same namespace, or the namespace named).
 */
export function exportedTo(h: ScopedHost, namespace: string): boolean {
  const e = h.exportTo;
  if (e === undefined || e.length === 0 || e.includes("*")) return true;
  if (e.includes("~")) return false;
  return e.some((x) => (x === "." ? h.namespace : x) === namespace);
}

export interface SidecarScope {
  /** The Sidecar resource that applies ("ns/name"), or "" for none (everything visible). */
  readonly sidecar: string;
  /** The hosts this proxy has clusters and routes for. */
  readonly hosts: ReadonlySet<string>;
  /**
   * The namespaces of those hosts: with the proxy's own and the root namespace, the namespaces whose
   * PeerAuthentications istiod selects for this scope (SidecarScope.selectAuthnPolicies,
   * https://github.com/istio/istio/blob/master/pilot/pkg/model/sidecar.go).
   */
  readonly namespaces: ReadonlySet<string>;
  /** Per-Sidecar outboundTrafficPolicy, when it sets one. */
  readonly outboundTrafficPolicy: "ALLOW_ANY" | "REGISTRY_ONLY" | undefined;
  /** The Sidecar's inbound connection pools: `ingress[].connectionPool` by port, and `inboundConnectionPool`. */
  readonly inboundPools: InboundPools | undefined;
  /**
   * The VirtualServices the egress hosts import (every one when no Sidecar applies): one of its hosts
   * admitted in the VirtualService's own namespace or "*", and not excluded (SelectVirtualServices).
   */
  readonly virtualServices: readonly VirtualService[];
}

/** What a Sidecar says about its workload's inbound clusters' connection pools. */
export interface InboundPools {
  readonly byPort: ReadonlyMap<number, ConnectionPoolSettings>;
  readonly all: ConnectionPoolSettings | undefined;
}

/**
 * The Sidecar's connection pool for the inbound cluster of container port `port`: the ingress entry
 * of that port's own, else `inboundConnectionPool`, else none (the DestinationRule's stays).
 * istio/istio pilot/pkg/model/sidecar.go (SidecarScope.InboundConnectionPoolForPort)
 */
export function inboundConnectionPoolForPort(scope: SidecarScope, port: number): ConnectionPoolSettings | undefined {
  const p = scope.inboundPools;
  return p === undefined ? undefined : (p.byPort.get(port) ?? p.all);
}

function inboundPoolsOf(sc: Sidecar | undefined): InboundPools | undefined {
  if (sc === undefined) return undefined;
  const byPort = new Map<number, ConnectionPoolSettings>();
  // The first ingress entry of a port wins, as Istio's loop returns at the first match.
  for (const i of sc.spec.ingress ?? []) if (i.connectionPool !== undefined && !byPort.has(i.port.number)) byPort.set(i.port.number, i.connectionPool);
  const all = sc.spec.inboundConnectionPool;
  return byPort.size === 0 && all === undefined ? undefined : { byPort, all };
}

function selectorMatches(sel: Readonly<Record<string, string>>, labels: Readonly<Record<string, string>>): boolean {
  for (const k in sel) if (labels[k] !== sel[k]) return false;
  return true;
}

function oldest(list: readonly Sidecar[]): Sidecar | undefined {
  let best: Sidecar | undefined;
  for (const s of list) if (best === undefined || s.metadata.creationIndex < best.metadata.creationIndex) best = s;
  return best;
}

/** The Sidecar resource that applies to a workload (several candidates: the oldest, as Istio does). */
export function sidecarFor(
  sidecars: readonly Sidecar[], namespace: string, labels: Readonly<Record<string, string>>, rootNamespace: string,
): Sidecar | undefined {
  const inNs = sidecars.filter((s) => s.metadata.namespace === namespace);
  const selected = oldest(inNs.filter((s) => s.spec.workloadSelector !== undefined && selectorMatches(s.spec.workloadSelector.labels, labels)));
  if (selected !== undefined) return selected;
  const nsDefault = oldest(inNs.filter((s) => s.spec.workloadSelector === undefined));
  if (nsDefault !== undefined) return nsDefault;
  return oldest(sidecars.filter((s) => s.metadata.namespace === rootNamespace && s.spec.workloadSelector === undefined));
}

/** One egress `hosts` entry read as istiod reads it (convertIstioListenerToWrapper). */
interface EgressEntry {
  /** "*" any namespace, else a namespace name ("." already replaced by the proxy's). */
  readonly ns: string;
  readonly dns: string;
  /** "~" prefix: the entry excludes what it names instead of importing it. */
  readonly excluded: boolean;
}

function parseEntry(entry: string, proxyNamespace: string): EgressEntry {
  const slash = entry.indexOf("/");
  let ns = slash < 0 ? "*" : entry.slice(0, slash);
  const dns = slash < 0 ? entry : entry.slice(slash + 1);
  // "~ns/host" excludes host from ns; a bare "~" is every namespace (excludePrefix in sidecar.go).
  const excluded = ns.startsWith("~");
  if (excluded) ns = ns.slice(1) === "" ? "*" : ns.slice(1);
  if (ns === ".") ns = proxyNamespace;
  return { ns, dns, excluded };
}

/**
 * Does an egress `hosts` entry admit a host of `hostNamespace`, for a proxy in `proxyNamespace`?
 * "." is the proxy's own namespace (for a mesh-wide default in the root namespace too: "./*" keeps
 * every namespace to itself), "*" any; the DNS part is an FQDN or a wildcard. A "~" entry admits nothing.
 */
export function egressAdmits(entry: string, host: ScopedHost, proxyNamespace: string): boolean {
  const e = parseEntry(entry, proxyNamespace);
  if (e.excluded || (e.ns !== "*" && e.ns !== host.namespace)) return false;
  return hostMatches(e.dns, host.fqdn);
}

/**
 * Does a "~" entry exclude the host (its name within the entry's, in the host's namespace or "*")?
 * istio/istio pilot/pkg/model/sidecar.go hostClassification.Excluded (host.SubsetOf), selectServices.
 */
export function egressExcludes(entry: string, host: ScopedHost, proxyNamespace: string): boolean {
  const e = parseEntry(entry, proxyNamespace);
  if (!e.excluded || (e.ns !== "*" && e.ns !== host.namespace)) return false;
  return hostSubsumes(e.dns, host.fqdn);
}

/**
 * Does the imported egress host `imported` select a VirtualService host `vsHost`? An exact pair must be
 * equal; with a wildcard on either side, istiod's bidirectional host.Matches, except for routes
 * generated from Gateway API (vsHost must be within `imported`, as a service's name is).
 * istio/istio pilot/pkg/model/sidecar.go hostClassification.VSMatches.
 */
function vsHostMatches(vsHost: string, imported: string, gatewaySemantics: boolean): boolean {
  if (!isWildcardHost(vsHost) && !isWildcardHost(imported)) return vsHost.toLowerCase() === imported.toLowerCase();
  if (gatewaySemantics) return hostSubsumes(imported, vsHost);
  return hostSubsumes(imported, vsHost) || hostSubsumes(vsHost, imported);
}

/**
 * Do these egress entries import the VirtualService? One of its hosts (short names resolved in its
 * namespace) is admitted by an entry of its own namespace or "*", and not excluded by a "~" entry there.
 * istio/istio pilot/pkg/model/virtualservice.go SelectVirtualServices (addVirtualService).
 */
export function egressImportsVirtualService(entries: readonly string[], vs: VirtualService, proxyNamespace: string): boolean {
  const parsed = entries.map((e) => parseEntry(e, proxyNamespace));
  const vsNs = vs.metadata.namespace;
  const gatewaySemantics = vs.metadata.annotations[ROUTE_SEMANTICS_ANNOTATION] === "gateway";
  const inScope = (e: EgressEntry) => e.ns === "*" || e.ns === vsNs;
  for (const raw of vs.spec.hosts) {
    const h = resolveHostName(raw, vsNs);
    if (!parsed.some((e) => !e.excluded && inScope(e) && vsHostMatches(h, e.dns, gatewaySemantics))) continue;
    if (parsed.some((e) => e.excluded && inScope(e) && hostSubsumes(e.dns, h))) continue;
    return true;
  }
  return false;
}

/**
 * The hosts a VirtualService's HTTP rules route and mirror to (short names resolved in its namespace),
 * skipping rules whose matches all name another sourceNamespace. istio/istio pilot/pkg/model/push_context.go
 * virtualServiceDestinationsFilteredBySourceNamespace.
 */
export function virtualServiceDestinations(vs: VirtualService, proxyNamespace: string): string[] {
  const out: string[] = [];
  const ns = vs.metadata.namespace;
  for (const rule of vs.spec.http ?? []) {
    const withNs = (rule.match ?? []).filter((m) => m.sourceNamespace !== undefined && m.sourceNamespace !== "");
    if (withNs.length > 0 && !withNs.some((m) => m.sourceNamespace === proxyNamespace)) continue;
    for (const r of rule.route ?? []) out.push(resolveHostName(r.destination.host, ns));
    if (rule.mirror !== undefined) out.push(resolveHostName(rule.mirror.host, ns));
    for (const m of rule.mirrors ?? []) out.push(resolveHostName(m.destination.host, ns));
  }
  return out;
}

// Keyed by the host list too: gateways pass one shared Sidecar-less config for every world and
// version (world.ts NO_SIDECARS), so a key of the config alone served one run's hosts to the next.
const cache = new WeakMap<MeshConfig, WeakMap<readonly ScopedHost[], Map<string, SidecarScope>>>();

/** The scope of a proxy under a config version (cached per version, host list, Sidecar and namespace). */
export function sidecarScope(
  config: MeshConfig, all: readonly ScopedHost[], namespace: string, labels: Readonly<Record<string, string>>, rootNamespace: string,
): SidecarScope {
  const sc = config.sidecars.length === 0 ? undefined : sidecarFor(config.sidecars, namespace, labels, rootNamespace);
  const name = sc === undefined ? "" : `${sc.metadata.namespace}/${sc.metadata.name}`;
  const key = `${name}|${namespace}`;
  let byHosts = cache.get(config);
  if (byHosts === undefined) cache.set(config, (byHosts = new WeakMap()));
  let perConfig = byHosts.get(all);
  if (perConfig === undefined) byHosts.set(all, (perConfig = new Map()));
  // The set depends on the Sidecar and, through "./", on the proxy's namespace (both in the key).
  let scope = perConfig.get(key);
  if (scope === undefined) {
    const hosts = new Set<string>();
    const namespaces = new Set<string>();
    const egress = sc?.spec.egress;
    // Per-port egress listeners are not modelled: their hosts are taken together.
    const entries = egress === undefined || egress.length === 0 ? undefined : egress.flatMap((e) => e.hosts);
    for (const h of all) {
      if (!exportedTo(h, namespace)) continue;
      if (entries === undefined || (entries.some((entry) => egressAdmits(entry, h, namespace)) && !entries.some((entry) => egressExcludes(entry, h, namespace)))) {
        hosts.add(h.fqdn);
        namespaces.add(h.namespace);
      }
    }
    const virtualServices = entries === undefined ? config.virtualServices
      : config.virtualServices.filter((vs) => egressImportsVirtualService(entries, vs, namespace));
    if (entries !== undefined) {
      // The services an imported VirtualService routes or mirrors to join the scope even when no
      // egress host names them (istiod's collectImportedServices: "Infer more possible destinations
      // from virtual services").
      const byFqdn = new Map<string, ScopedHost[]>();
      for (const h of all) {
        const l = byFqdn.get(h.fqdn);
        if (l === undefined) byFqdn.set(h.fqdn, [h]);
        else l.push(h);
      }
      for (const vs of virtualServices) {
        for (const fqdn of virtualServiceDestinations(vs, namespace)) {
          for (const h of byFqdn.get(fqdn) ?? []) {
            hosts.add(h.fqdn);
            namespaces.add(h.namespace);
          }
        }
      }
    }
    scope = { sidecar: name, hosts, namespaces, outboundTrafficPolicy: sc?.spec.outboundTrafficPolicy?.mode, inboundPools: inboundPoolsOf(sc), virtualServices };
    perConfig.set(key, scope);
  }
  return scope;
}
