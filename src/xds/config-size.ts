// How much config one proxy gets, per xDS type, under its Sidecar scope: what istiod generates and
// sends on a push (and what the proxy's memory grows with). Clusters: one per service port plus one
// per DestinationRule subset and port, plus BlackHole/Passthrough/InboundPassthrough; listeners: the
// two virtual ones plus one 0.0.0.0_<port> per outbound port; virtual hosts: one per service port.
// https://istio.io/latest/docs/ops/best-practices/traffic-management/#sidecar (scoping shrinks all of them)
import type { MeshConfig } from "../config/mesh-config.js";
import type { SidecarScope } from "../config/sidecar-scope.js";
import { resolveHostName } from "../proxy/route/host-name.js";

export interface ConfigSize {
  clusters: number;
  /** EDS clusters (outbound service clusters). */
  edsClusters: number;
  listeners: number;
  virtualHosts: number;
  /** EDS clusters per service (an incremental EDS push sends those of the changed services). */
  clustersOf: ReadonlyMap<string, number>;
}

const cache = new WeakMap<SidecarScope, WeakMap<MeshConfig, ConfigSize>>();

export function configSize(config: MeshConfig, scope: SidecarScope, portsOf: (fqdn: string) => number): ConfigSize {
  let perScope = cache.get(scope);
  if (perScope === undefined) cache.set(scope, (perScope = new WeakMap()));
  let size = perScope.get(config);
  if (size === undefined) {
    const subsets = new Map<string, number>();
    for (const dr of config.destinationRules) {
      const h = resolveHostName(dr.spec.host, dr.metadata.namespace);
      subsets.set(h, Math.max(subsets.get(h) ?? 0, dr.spec.subsets?.length ?? 0));
    }
    const clustersOf = new Map<string, number>();
    let eds = 0, vhosts = 0, ports = 0;
    for (const fqdn of scope.hosts) {
      const p = portsOf(fqdn);
      const n = p * (1 + (subsets.get(fqdn) ?? 0));
      clustersOf.set(fqdn, n);
      eds += n;
      vhosts += p;
      ports = Math.max(ports, p);
    }
    size = { clusters: eds + 3, edsClusters: eds, listeners: 2 + Math.max(1, ports), virtualHosts: vhosts, clustersOf };
    perScope.set(config, size);
  }
  return size;
}
