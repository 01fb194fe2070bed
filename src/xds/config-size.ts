// How much config one proxy gets, per xDS type: the number of resources istiod's translation
// (xds/translation/) produces for it — clusters (CDS), EDS clusters and which service each belongs to,
// listeners (LDS) and virtual hosts (RDS) — what a push generates and sends, and what its time grows with.
// Computed once per proxy shape (namespace, labels, Gateway) and config version under its Sidecar scope.
// https://istio.io/latest/docs/ops/best-practices/traffic-management/#sidecar (scoping shrinks all of them)
import type { MeshConfig } from "../config/mesh-config.js";
import type { Pod } from "../mesh/kube/pod.js";
import type { Translation } from "../mesh/sidecar/proxy-xds.js";
import { proxyShape } from "./translation/translator.js";
import { hostMatches, isWildcardHost } from "../proxy/route/host-name.js";
import { CDS, EDS, LDS } from "./push-request.js";

export interface ConfigSize {
  clusters: number;
  /** EDS clusters (services' and STATIC ServiceEntries' clusters). */
  edsClusters: number;
  listeners: number;
  virtualHosts: number;
  /** EDS clusters per service (an incremental EDS push sends those of the changed services). */
  clustersOf: ReadonlyMap<string, number>;
}

const cache = new WeakMap<MeshConfig, Map<string, ConfigSize>>();


export function configSize(t: Translation, pod: Pod, config: MeshConfig): ConfigSize {
  let perShape = cache.get(config);
  if (perShape === undefined) cache.set(config, (perShape = new Map()));
  const key = proxyShape(pod);
  let size = perShape.get(key);
  if (size === undefined) {
    const cs = t.clusters(pod, config);
    const clustersOf = new Map<string, number>();
    let eds = 0;
    for (const c of cs) {
      if (c.type !== "EDS") continue;
      eds++;
      clustersOf.set(c.host, (clustersOf.get(c.host) ?? 0) + 1);
    }
    let vhosts = 0;
    const routes = t.routeConfigurations(pod, config);
    for (const rc of routes) vhosts += rc.virtualHosts.length;
    size = { clusters: cs.length, edsClusters: eds, listeners: t.listeners(pod, config).length, virtualHosts: vhosts, clustersOf };
    perShape.set(key, size);
  }
  return size;
}

/** How many resources of xDS `type` a push sends a proxy of this size; `endpoints`: the hosts an EDS push is limited to (null: all). */
export function resourcesSent(size: ConfigSize, type: number, endpoints: ReadonlySet<string> | null): number {
  switch (type) {
    case CDS: return size.clusters;
    case EDS: {
      if (endpoints === null) return size.edsClusters;
      let n = 0;
      for (const h of endpoints) {
        if (!isWildcardHost(h)) n += size.clustersOf.get(h) ?? 0;
        else for (const [fqdn, k] of size.clustersOf) if (hostMatches(h, fqdn)) n += k;
      }
      return n;
    }
    case LDS: return size.listeners;
    default: return size.virtualHosts;
  }
}
