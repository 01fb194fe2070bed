// Which services a sidecar is told about: istiod's SidecarScope. The Sidecar resource that applies to a
// proxy is the one in its namespace whose workloadSelector matches it, else its namespace's
// selector-less one, else the root namespace's selector-less one (the mesh default); without any,
// the proxy sees every service (`*/*`). Its egress `hosts` ("namespace/dnsName", "./*", "*/*") limit
// the clusters, routes and listeners the proxy receives, and which changes it is pushed at all.
// https://istio.io/latest/docs/reference/config/networking/sidecar/
import type { MeshConfig } from "./mesh-config.js";
import type { ConnectionPoolSettings, Sidecar } from "../proxy/api/networking.js";
import { hostMatches } from "../proxy/route/host-name.js";

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

/**
 * Does an egress `hosts` entry admit a host of `hostNamespace`, for a proxy in `proxyNamespace`?
 * "." is the proxy's own namespace (for a mesh-wide default in the root namespace too: "./*" keeps
 * every namespace to itself), "*" any, "~" none; the DNS part is an FQDN or a wildcard.
 */
export function egressAdmits(entry: string, host: ScopedHost, proxyNamespace: string): boolean {
  const slash = entry.indexOf("/");
  const ns = slash < 0 ? "*" : entry.slice(0, slash);
  const dns = slash < 0 ? entry : entry.slice(slash + 1);
  if (ns === "~") return false;
  if (ns !== "*" && (ns === "." ? proxyNamespace : ns) !== host.namespace) return false;
  return hostMatches(dns, host.fqdn);
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
    for (const h of all) {
      if (!exportedTo(h, namespace)) continue;
      if (sc === undefined || egress === undefined || egress.length === 0 || egress.some((e) => e.hosts.some((entry) => egressAdmits(entry, h, namespace)))) {
        hosts.add(h.fqdn);
        namespaces.add(h.namespace);
      }
    }
    scope = { sidecar: name, hosts, namespaces, outboundTrafficPolicy: sc?.spec.outboundTrafficPolicy?.mode, inboundPools: inboundPoolsOf(sc) };
    perConfig.set(key, scope);
  }
  return scope;
}
