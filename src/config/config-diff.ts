// What a config change touched: the kinds of the resources added, changed or removed, and the hosts
// of the host-scoped ones (VirtualService hosts, DestinationRule host, ServiceEntry hosts), as
// istiod's PushRequest.ConfigsUpdated carries them for push scoping. Snapshots share unchanged
// resources (immer), so a changed resource is one that is not the same object.
// https://github.com/istio/istio/blob/master/pilot/pkg/model/push_context.go (PushRequest)
import type { MeshConfig } from "./mesh-config.js";
import { resolveHostName } from "../proxy/route/host-name.js";

export type ConfigKindName =
  | "VirtualService" | "DestinationRule" | "Gateway" | "ServiceEntry" | "Sidecar"
  | "PeerAuthentication" | "AuthorizationPolicy" | "RequestAuthentication";

export interface ConfigChange {
  readonly kinds: ReadonlySet<ConfigKindName>;
  /** Hosts (FQDNs or wildcards) of the changed host-scoped resources. */
  readonly hosts: ReadonlySet<string>;
  /** Namespaces of changed Sidecars (a Sidecar change reaches the proxies it may select). */
  readonly sidecarNamespaces: ReadonlySet<string>;
  /** The changed Sidecars, "namespace/name" (a proxy depends on the one its scope is built from). */
  readonly sidecars: ReadonlySet<string>;
  /**
   * Namespaces of the changed namespace-scoped security resources, by kind (AuthorizationPolicy,
   * RequestAuthentication, PeerAuthentication): istiod pushes them only to the proxies that depend on
   * that namespace (SidecarScope.DependsOnConfig, pilot/pkg/model/sidecar.go).
   */
  readonly securityNamespaces: ReadonlyMap<SecurityKindName, ReadonlySet<string>>;
}

export type SecurityKindName = "PeerAuthentication" | "AuthorizationPolicy" | "RequestAuthentication";
const SECURITY_KINDS: ReadonlySet<ConfigKindName> = new Set(["PeerAuthentication", "AuthorizationPolicy", "RequestAuthentication"]);

const FIELDS: readonly [ConfigKindName, keyof MeshConfig][] = [
  ["VirtualService", "virtualServices"], ["DestinationRule", "destinationRules"], ["Gateway", "gateways"],
  ["ServiceEntry", "serviceEntries"], ["Sidecar", "sidecars"], ["PeerAuthentication", "peerAuthentications"],
  ["AuthorizationPolicy", "authorizationPolicies"], ["RequestAuthentication", "requestAuthentications"],
];

interface AnyRes { metadata: { namespace: string; name: string }; spec: unknown }

function hostsOf(kind: ConfigKindName, r: AnyRes): string[] {
  const ns = r.metadata.namespace;
  const spec = r.spec as { hosts?: string[]; host?: string };
  if (kind === "VirtualService" || kind === "ServiceEntry") return (spec.hosts ?? []).map((h) => resolveHostName(h, ns));
  if (kind === "DestinationRule") return spec.host !== undefined ? [resolveHostName(spec.host, ns)] : [];
  return [];
}

export function diffConfig(before: MeshConfig, after: MeshConfig): ConfigChange {
  const kinds = new Set<ConfigKindName>();
  const hosts = new Set<string>();
  const sidecarNamespaces = new Set<string>();
  const sidecars = new Set<string>();
  const securityNamespaces = new Map<SecurityKindName, Set<string>>();
  for (const [kind, field] of FIELDS) {
    const a = before[field] as readonly AnyRes[];
    const b = after[field] as readonly AnyRes[];
    if (a === b) continue;
    const inA = new Set(a);
    const inB = new Set(b);
    const changed = [...a.filter((x) => !inB.has(x)), ...b.filter((x) => !inA.has(x))];
    if (changed.length === 0) continue;
    kinds.add(kind);
    for (const r of changed) {
      for (const h of hostsOf(kind, r)) hosts.add(h);
      if (kind === "Sidecar") {
        sidecarNamespaces.add(r.metadata.namespace);
        sidecars.add(`${r.metadata.namespace}/${r.metadata.name}`);
      }
      if (SECURITY_KINDS.has(kind)) {
        const k = kind as SecurityKindName;
        let set = securityNamespaces.get(k);
        if (set === undefined) securityNamespaces.set(k, (set = new Set()));
        set.add(r.metadata.namespace);
      }
    }
  }
  return { kinds, hosts, sidecarNamespaces, sidecars, securityNamespaces };
}
