// istiod's translation for the whole mesh: snapshot + endpoints + one proxy ⇒ that proxy's listeners,
// route configurations, clusters and endpoints, by xDS type. The simulation asks it which virtual host
// and cluster a proxy holds (mesh/sidecar/proxy-xds.ts Translation); proxy-config prints its full output;
// explain walks it; push sizing counts it. Nobody else derives what a proxy holds.
// istio/istio pilot/pkg/networking/core (ConfigGenerator: BuildClusters, BuildListeners, BuildHTTPRoutes)
import type { MeshConfig } from "../../config/mesh-config.js";
import type { SidecarScope } from "../../config/sidecar-scope.js";
import type { Pod } from "../../mesh/kube/pod.js";
import type { EndpointSnapshot, Translation } from "../../mesh/sidecar/proxy-xds.js";
import type { ServiceRegistry } from "../../mesh/kube/service-registry.js";
import type { H2UpgradePolicy, MeshDefaultTrafficPolicy, ServiceEntry } from "../../proxy/api/networking.js";
import type { Cluster } from "../../proxy/config/cluster.js";
import type { ClusterLoadAssignment } from "../../proxy/config/cluster-load-assignment.js";
import type { Listener } from "../../proxy/config/listener.js";
import type { RouteConfiguration, VirtualHost } from "../../proxy/config/virtual-host.js";
import type { OutboundTrafficPolicyMode } from "../../proxy/route/default-routes.js";
import type { CompiledDestination } from "../../proxy/route/destination.js";
import type { CallTarget } from "../../scenario/model.js";
import { clusters, inboundClusters, serviceCluster, serviceEntryCluster } from "./clusters.js";
import { loadAssignments } from "./cluster-load-assignments.js";
import { listeners } from "./listeners.js";
import type { ProxyInput } from "./proxy-input.js";
import { routeConfigurations, virtualHostFor } from "./route-configurations.js";

/** One proxy's whole config, by xDS type, each built from the version the proxy holds of that type. */
export interface ProxyConfig {
  readonly listeners: readonly Listener[];
  readonly routes: readonly RouteConfiguration[];
  readonly clusters: readonly Cluster[];
  readonly endpoints: readonly ClusterLoadAssignment[];
}

/** The config versions a proxy holds per xDS type (mesh/sidecar/proxy-xds.ts ProxyXds has this shape). */
export interface HeldVersions {
  readonly cds: MeshConfig;
  readonly eds: EndpointSnapshot;
  readonly lds: MeshConfig;
  readonly rds: MeshConfig;
}

/**
 * What a proxy's translation depends on besides the config: its namespace, labels and the Gateway it
 * serves (its Sidecar scope follows from them). Proxies of one shape get the same config.
 */
export function proxyShape(pod: Pod): string {
  return `${pod.namespace}\u0000${pod.gateway ?? ""}\u0000${JSON.stringify(pod.labels)}`;
}

export class Translator implements Translation {
  constructor(
    private readonly registry: ServiceRegistry,
    private readonly outboundPolicy: OutboundTrafficPolicyMode,
    /** The Sidecar scope of a proxy under a config version (gateways see every service). */
    private readonly scopeOf: (pod: Pod, config: MeshConfig) => SidecarScope,
    /** MeshConfig defaultTrafficPolicy (undefined: the scenario sets none). */
    private readonly meshDefaultPolicy: MeshDefaultTrafficPolicy | undefined = undefined,
    /** MeshConfig h2UpgradePolicy (undefined: DO_NOT_UPGRADE). */
    private readonly meshH2UpgradePolicy: H2UpgradePolicy | undefined = undefined,
  ) {}

  /**
   * What the translation of a pod's config reads under a config version. The last one made per pod
   * is kept: a proxy's first request translates its virtual host, its cluster and its inbound
   * clusters under the same version, and each asked for its Sidecar scope again (a string key and
   * three lookups: sidecar-scope.ts sidecarScope), 3,000 times at 1,000 proxies.
   */
  input(pod: Pod, config: MeshConfig): ProxyInput {
    const last = this.inputs.get(pod);
    return last !== undefined && last.config === config ? last : this.newInput(pod, config);
  }

  private readonly inputs = new WeakMap<Pod, ProxyInput>();

  private newInput(pod: Pod, config: MeshConfig): ProxyInput {
    const p: ProxyInput = { pod, config, scope: this.scopeOf(pod, config), registry: this.registry, outboundPolicy: this.outboundPolicy, meshDefaultPolicy: this.meshDefaultPolicy, meshH2UpgradePolicy: this.meshH2UpgradePolicy };
    this.inputs.set(pod, p);
    return p;
  }

  /**
   * Virtual hosts per config version, proxy shape and call target. Proxies of one shape (the replicas
   * of a Deployment) hold the same route configuration, so each virtual host is translated once for
   * all of them and they share it (immutable data; what each proxy keeps of its own, its clusters and
   * decisions, is in mesh/sidecar/proxy-routing.ts). istiod caches route configurations likewise, by
   * what they are built from (route name, proxy version, services, VirtualServices, DestinationRules,
   * EnvoyFilters) rather than by proxy, and skips the cache when a VirtualService matches on source
   * labels or namespace; the shape (namespace, labels, Gateway) covers those too.
   * istio/istio pilot/pkg/networking/core/route/route_cache.go (Cache, Cacheable, Key)
   */
  private readonly virtualHosts = new WeakMap<MeshConfig, Map<string, Map<CallTarget, VirtualHost>>>();
  /** proxyShape of each pod (its namespace, labels and Gateway never change). */
  private readonly shapes = new WeakMap<Pod, string>();

  // virtualHost and cluster hand their misses (each proxy's first use) to methods of their own: a
  // 75-byte function is optimized at its first budget tick (V8 src/execution/tiering-manager.cc,
  // --max-bytecode-size-for-early-opt=81), which 1,000 first uses reach, so TurboFan compiled it
  // for nothing; split, neither half is (docs/performance.md, Goal 4, session 20).
  virtualHost(pod: Pod, config: MeshConfig, target: CallTarget): VirtualHost {
    const byTarget = this.ofShape(this.virtualHosts, pod, config);
    return byTarget.get(target) ?? this.translateVirtualHost(byTarget, pod, config, target);
  }

  private translateVirtualHost(byTarget: Map<CallTarget, VirtualHost>, pod: Pod, config: MeshConfig, target: CallTarget): VirtualHost {
    const vh = virtualHostFor(this.input(pod, config), target);
    byTarget.set(target, vh);
    return vh;
  }

  /** Clusters per config version, proxy shape and route destination, shared like virtual hosts (null: none). */
  private readonly serviceClusters = new WeakMap<MeshConfig, Map<string, Map<CompiledDestination, Cluster | null>>>();

  cluster(pod: Pod, config: MeshConfig, d: CompiledDestination): Cluster | undefined {
    const byDestination = this.ofShape(this.serviceClusters, pod, config);
    const c = byDestination.get(d);
    return c === undefined ? this.translateCluster(byDestination, pod, config, d) : c ?? undefined;
  }

  private translateCluster(byDestination: Map<CompiledDestination, Cluster | null>, pod: Pod, config: MeshConfig, d: CompiledDestination): Cluster | undefined {
    const c = serviceCluster(this.input(pod, config), d.host, d.subset, d.port, d.cluster);
    byDestination.set(d, c ?? null);
    return c;
  }

  /** The entries of a cache for a pod's shape under a config version. */
  private ofShape<K, V>(cache: WeakMap<MeshConfig, Map<string, Map<K, V>>>, pod: Pod, config: MeshConfig): Map<K, V> {
    let byShape = cache.get(config);
    if (byShape === undefined) cache.set(config, (byShape = new Map()));
    let shape = this.shapes.get(pod);
    if (shape === undefined) this.shapes.set(pod, (shape = proxyShape(pod)));
    let entries = byShape.get(shape);
    if (entries === undefined) byShape.set(shape, (entries = new Map()));
    return entries;
  }

  serviceEntryCluster(pod: Pod, config: MeshConfig, se: ServiceEntry, host: string, port: number): Cluster {
    return serviceEntryCluster(this.input(pod, config), se, host, port);
  }

  /** Route configurations per config version and proxy shape: every proxy of a shape gets the same. */
  private readonly routeCache = new WeakMap<MeshConfig, Map<string, RouteConfiguration[]>>();

  routeConfigurations(pod: Pod, config: MeshConfig): RouteConfiguration[] {
    let byShape = this.routeCache.get(config);
    if (byShape === undefined) this.routeCache.set(config, (byShape = new Map()));
    const key = proxyShape(pod);
    let rcs = byShape.get(key);
    if (rcs === undefined) {
      rcs = routeConfigurations(this.input(pod, config));
      byShape.set(key, rcs);
    }
    return rcs;
  }

  clusters(pod: Pod, config: MeshConfig): Cluster[] {
    return clusters(this.input(pod, config));
  }

  inboundClusters(pod: Pod, config: MeshConfig): Cluster[] {
    return inboundClusters(this.input(pod, config));
  }

  listeners(pod: Pod, config: MeshConfig): Listener[] {
    return listeners(this.input(pod, config), this.routeConfigurations(pod, config));
  }

  /** Everything the proxy holds: LDS and RDS from their versions, CDS and EDS from theirs. */
  proxyConfig(pod: Pod, held: HeldVersions): ProxyConfig {
    const cs = this.clusters(pod, held.cds);
    // The HTTP listeners follow the route configurations of the LDS version (one per outbound port).
    return {
      listeners: this.listeners(pod, held.lds),
      routes: this.routeConfigurations(pod, held.rds),
      clusters: cs,
      endpoints: loadAssignments(cs, held.eds),
    };
  }
}
