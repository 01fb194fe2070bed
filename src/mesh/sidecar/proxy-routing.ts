// What one proxy routes by: for each host it is asked for, the virtual host istiod's translation gave
// it (xds/translation/route-configurations.ts, the same one `meshsim explain` prints), the first route
// that matches (proxy/route/route-walk.ts), a destination by weight, and its upstream cluster. Built
// lazily from the config version the proxy holds of each xDS type.
import type { MeshConfig } from "../../config/mesh-config.js";
import type { CallTarget } from "../../scenario/model.js";
import type { ProxyXds, Translation } from "./proxy-xds.js";
import { MATCH_PREFIX, pickDestination, walkRoutes, type CompiledDestination, type CompiledRoute } from "../../proxy/route/index.js";
import type { CompiledFault } from "../../proxy/route/fault-injection.js";
import type { AttemptOutcome, RetryPolicy } from "../../proxy/route/retry-policy.js";
import type { VirtualHost } from "../../proxy/config/virtual-host.js";
import type { DownstreamTls } from "../../proxy/security/downstream-tls.js";
import type { Pod } from "../kube/pod.js";
import type { OutgoingRequest } from "../transport.js";
import type { EndpointSource, UpstreamCluster, UpstreamClusters } from "./upstream-cluster.js";
import type { DestinationRule, ServiceEntry, TrafficPolicy } from "../../proxy/api/networking.js";
import type { ExternalEndpoints } from "./external-endpoints.js";
import { IdentityFirstMap } from "./identity-first-map.js";
import { corsAnswersPreflight } from "../../proxy/route/cors-policy.js";
import type { RouteSinks } from "../route-sinks.js";
import type { ServiceState } from "../kube/service-registry.js";

export type RoutedRequest =
  | { readonly kind: "local"; readonly status: number; readonly flags: string; readonly service: string }
  | ExternalRoute
  | ClusterRoute;

/** A host outside the cluster: PassthroughCluster, or a ServiceEntry's host with its VirtualService's timeout. */
export interface ExternalRoute {
  readonly kind: "external";
  /** PassthroughCluster, or the ServiceEntry host (Istio's destination_service). */
  readonly service: string;
  /**
   * The ServiceEntry's namespace, Istio's destination_service_namespace (its cluster's istio.services
   * metadata: pilot/pkg/networking/core/cluster.go buildServiceMetadata); "" for PassthroughCluster.
   */
  readonly serviceNamespace: string;
  /** 0: none (PassthroughCluster never has one). */
  readonly timeoutMs: number;
  /** The round trip to the host and back (when it is one endpoint). */
  readonly roundTrip: () => number;
  /** A ServiceEntry's STATIC/DNS endpoints, each with its own round trip; null: one endpoint. */
  readonly endpoints: ExternalEndpoints | null;
}

export interface ClusterRoute {
  readonly kind: "cluster";
  /** Istio's destination_service: the host the request was addressed to. */
  readonly service: string;
  readonly route: CompiledRoute;
  readonly destination: CompiledDestination;
  /** undefined: the route names a cluster the proxy does not have (503 NC). */
  readonly cluster: UpstreamCluster | undefined;
  readonly fault: CompiledFault | undefined;
  readonly retryPolicy: RetryPolicy | undefined;
  /** 0: no route timeout (Istio's default). */
  readonly timeoutMs: number;
  /** Its hops' telemetry sinks by host, made by the router at its first request (mesh/route-sinks.ts). */
  sinks: RouteSinks | null;
  /**
   * The last try outcome the router judged under `retryPolicy` and whether the policy's retry_on
   * takes it (Router.decide): outcomes are shared frozen objects (one per answer status), so most
   * answers to a route are the one seen last and need no walk of retry_on (null: none yet).
   */
  judged: AttemptOutcome | null;
  judgedRetriable: boolean;
}

/**
 * Where virtualOutbound's catch-all TCP chain sends a connection under ALLOW_ANY: PassthroughCluster,
 * an ORIGINAL_DST cluster, connects to the address the app dialled.
 */
export interface PassthroughTarget {
  /** The round trip to a host outside the cluster. */
  readonly roundTrip: () => number;
  /**
   * A Service of the cluster outside the Sidecar scope: the app dialled its ClusterIP, which the
   * client node's kube-proxy DNATs to one of its pods once the sidecar's own connection leaves
   * (null: a host outside the cluster).
   */
  readonly service: ServiceState | null;
}

/** The virtual host a proxy holds for one call target under one config version, and what it has routed to. */
export class HeldVirtualHost {
  private readonly targets = new IdentityFirstMap<CompiledDestination, ClusterRoute>();
  private readonly externals = new Map<CompiledRoute, ExternalRoute>();
  private readonly locals = new Map<CompiledRoute, RoutedRequest>();
  readonly notFound: RoutedRequest;
  /** Istio's destination_service for local answers (a gateway's: "unknown"). */
  readonly service: string;
  constructor(
    readonly vh: VirtualHost,
    /** The ServiceEntry's round trip and endpoints (kind service-entry), else null. */
    readonly external: { roundTrip: () => number; endpoints: ExternalEndpoints | null } | null,
    /** The proxy's clusters under the same config version (ProxyState's). */
    readonly clusters: UpstreamClusters,
  ) {
    this.service = vh.kind === "gateway" ? "unknown" : vh.service;
    this.notFound = { kind: "local", status: 404, flags: "NR", service: this.service };
    this.corsPreflight = { kind: "local", status: 200, flags: "-", service: this.service };
    this.firstTakesAll = external === null && takesEveryPath(vh.routes[0]);
  }
  /**
   * The first route takes every path that starts with "/" (prefix "/" and no other condition:
   * route-match.ts matchHolds answers it from the path's first character), forwards to one
   * destination (no weight draw) and runs no CORS filter: then every such request gets the same
   * answer, `everyPath`, kept at the first one. A virtual host with no VirtualService is this one route.
   */
  readonly firstTakesAll: boolean;
  /** The answer to every request whose path starts with "/" (firstTakesAll; null: not yet, or never). */
  everyPath: RoutedRequest | null = null;
  /** A preflight the CORS filter answers (proxy/route/cors-policy.ts). */
  readonly corsPreflight: RoutedRequest;
  /** Its catch-all TCP chain's target (ProxyRouting.passthroughTcp), made once; undefined: not yet. */
  tcpTarget: PassthroughTarget | null | undefined = undefined;
  /** A redirect's or direct response's answer (one object per route). */
  local(route: CompiledRoute): RoutedRequest {
    let t = this.locals.get(route);
    if (t === undefined) {
      const status = route.action === "redirect" ? route.redirect?.code ?? 301 : route.directResponse?.status ?? 200;
      t = { kind: "local", status, flags: "-", service: this.service };
      this.locals.set(route, t);
    }
    return t;
  }
  /** The decision for a destination, made once (undefined: not yet). */
  cached(d: CompiledDestination): ClusterRoute | undefined {
    return this.targets.get(d);
  }
  target(route: CompiledRoute, d: CompiledDestination, cluster: UpstreamCluster | undefined): ClusterRoute {
    const t: ClusterRoute = {
      // Istio's destination_service is the upstream cluster's service (its istio.services metadata),
      // the route's destination host, not the host the request was addressed to: a VirtualService
      // or HTTPRoute on `reviews` that sends to `reviews-v1` reports `reviews-v1` (istio/proxy
      // istio_stats.cc populatePeerInfo; istio/istio cluster_builder.go buildCluster). Only a
      // PassthroughCluster (ALLOW_ANY to a service outside the scope) keeps the virtual host's name.
      kind: "cluster", service: this.vh.kind === "allow-any" ? this.service : d.host, route, destination: d,
      cluster, fault: route.fault, retryPolicy: route.retryPolicy, timeoutMs: route.timeoutMs ?? 0, sinks: null,
      judged: null, judgedRetriable: false,
    };
    this.targets.set(d, t);
    return t;
  }
  externalRoute(route: CompiledRoute, roundTrip: () => number, endpoints: ExternalEndpoints | null): ExternalRoute {
    let t = this.externals.get(route);
    if (t === undefined) {
      t = { kind: "external", service: this.service, serviceNamespace: this.vh.serviceEntry?.metadata.namespace ?? "", timeoutMs: route.timeoutMs ?? 0, roundTrip, endpoints };
      this.externals.set(route, t);
    }
    return t;
  }
}

/** One proxy's routing state for the config version it holds. */
export class ProxyState {
  readonly hosts = new IdentityFirstMap<CallTarget, HeldVirtualHost>();
  constructor(
    readonly config: MeshConfig,
    readonly clusterConfig: MeshConfig,
    readonly clusters: UpstreamClusters,
    /** The pod's xDS state (one object per pod for its life): its versions say when to rebuild. */
    readonly xds: ProxyXds,
  ) {}
}

export class ProxyRouting {
  private readonly passthrough: ExternalRoute;
  private readonly outside: PassthroughTarget;
  /** MeshConfig defaultTrafficPolicy has outlierDetection: every cluster may run a sweep timer. */
  meshOutlierDetection = false;

  constructor(
    private readonly clustersOf: (pod: Pod, config: MeshConfig) => UpstreamClusters,
    /** istiod's translation: the virtual host and clusters a proxy holds under a config version. */
    private readonly translation: Translation,
    /** The round trip to the hosts of a ServiceEntry (or, for undefined, to any host outside). */
    private readonly externalLatency: (se: ServiceEntry | undefined) => () => number,
    /** kube-proxy's view of endpoints and Services (behind PassthroughCluster): the registry. */
    private readonly truth: EndpointSource & { readonly byFqdn: ReadonlyMap<string, ServiceState> },
    /** A proxy's own cluster of a ServiceEntry's endpoints, balanced by `lb` (null: one endpoint). */
    private readonly externalEndpoints: (se: ServiceEntry, policy: TrafficPolicy | undefined) => ExternalEndpoints | null = () => null,
  ) {
    this.passthrough = { kind: "external", service: "PassthroughCluster", serviceNamespace: "", timeoutMs: 0, roundTrip: externalLatency(undefined), endpoints: null };
    this.outside = { roundTrip: this.passthrough.roundTrip, service: null };
  }

  private state(pod: Pod): ProxyState {
    const sidecar = pod.proxy!;
    let s = sidecar.routing;
    if (s === null || s.config !== s.xds.rds || s.clusterConfig !== s.xds.cds) {
      const x = sidecar.xds;
      s = new ProxyState(x.rds, x.cds, this.clustersOf(pod, x.cds), x);
      sidecar.routing = s;
    }
    return s;
  }

  /** The virtual host the proxy holds for a target, from istiod's translation (built once per config version). */
  private held(pod: Pod, s: ProxyState, t: CallTarget): HeldVirtualHost {
    let h = s.hosts.get(t);
    if (h === undefined) {
      const vh = this.translation.virtualHost(pod, s.config, t);
      let external = null;
      if (vh.kind === "service-entry") {
        const se = vh.serviceEntry!;
        const policy = this.translation.serviceEntryCluster(pod, s.config, se, t.host, t.port).policy;
        external = { roundTrip: this.externalLatency(se), endpoints: this.externalEndpoints(se, policy) };
      }
      h = new HeldVirtualHost(vh, external, s.clusters);
      s.hosts.set(t, h);
    }
    return h;
  }

  /** At a gateway: what its listener does with the request's connection before HTTP (downstream-tls.ts). */
  downstreamTls(pod: Pod, req: OutgoingRequest, h = this.virtualHost(pod, req)): DownstreamTls | undefined {
    return h.vh.downstreamTls;
  }

  /**
   * The virtual host the proxy holds for the request's target. A sidecar reads it once per request
   * and hands it to the checks before the router and to `route` (no time passes between them, so
   * the config cannot change): the proxy's state and the target's lookup once, not twice.
   */
  virtualHost(pod: Pod, req: OutgoingRequest): HeldVirtualHost {
    return this.held(pod, this.state(pod), req.target);
  }

  /**
   * A sidecar's connection for an unknown host on a port without an outbound HTTP listener, under
   * REGISTRY_ONLY: virtualOutbound's catch-all TCP chain proxies it to BlackHoleCluster, which has no
   * endpoint, so tcp_proxy closes the connection at once with flag UH and the app gets no HTTP answer
   * (the block_all 502 exists only on ports with an HTTP listener). istio/istio
   * pilot/pkg/networking/core/listener_builder.go buildOutboundCatchAllNetworkFiltersOnly; envoyproxy/envoy
   * source/common/tcp_proxy/tcp_proxy.cc Filter::establishUpstreamConnection (NoHealthyUpstream).
   */
  blackholedTcp(pod: Pod, req: OutgoingRequest, h = this.virtualHost(pod, req)): boolean {
    const vh = h.vh;
    return vh.kind === "block-all" && vh.catchAllTcp === true;
  }

  /**
   * Where a connection goes under ALLOW_ANY on a port without an outbound HTTP listener:
   * virtualOutbound's catch-all TCP chain proxies it to PassthroughCluster (no HTTP routing), to a
   * host outside the cluster or, for a Service of the cluster outside the Sidecar scope
   * (`passthroughFqdn`), to its ClusterIP; null when the request goes through an HTTP listener.
   * istio/istio pilot/pkg/networking/core/listener_builder.go buildOutboundCatchAllNetworkFiltersOnly.
   */
  passthroughTcp(h: HeldVirtualHost): PassthroughTarget | null {
    let t = h.tcpTarget;
    if (t === undefined) {
      const vh = h.vh;
      const svc = vh.passthroughFqdn === "" ? undefined : this.truth.byFqdn.get(vh.passthroughFqdn);
      t = h.tcpTarget = vh.kind !== "allow-any" || vh.catchAllTcp !== true ? null
        : svc === undefined ? this.outside : { roundTrip: this.outside.roundTrip, service: svc };
    }
    return t;
  }

  /**
   * Route one request through the config the proxy holds (the virtual host for its target, the first
   * route that matches, a destination by weight, its cluster); `u` draws the weighted destination.
   * Hosts outside the cluster: a ServiceEntry host is routed by its VirtualService (timeouts on
   * external hosts); an unknown one takes PassthroughCluster (ALLOW_ANY) or block_all's 502.
   * https://istio.io/latest/docs/tasks/traffic-management/egress/egress-control/
   */
  route(pod: Pod, req: OutgoingRequest, u: () => number, h = this.virtualHost(pod, req)): RoutedRequest {
    // The virtual host's one answer to every path from "/" (HeldVirtualHost.firstTakesAll): no walk.
    const rooted = req.path.charCodeAt(0) === 47;
    const all = h.everyPath;
    if (all !== null && rooted) return all;
    const routed = this.walk(req, u, h);
    if (h.firstTakesAll === true && rooted) h.everyPath = routed;
    return routed;
  }

  /** `route` through the virtual host's routes: the first that matches, its action, its destination. */
  private walk(req: OutgoingRequest, u: () => number, h: HeldVirtualHost): RoutedRequest {
    const t = req.target;
    const r = walkRoutes(h.vh.routes, req, null);
    if (r === undefined) return h.notFound;
    // The CORS filter runs before the router, on the route it picked.
    if (r.cors !== undefined && corsAnswersPreflight(r.cors, req)) return h.corsPreflight;
    if (r.action !== "route") return h.local(r);
    // A ServiceEntry host: the proxy's cluster of its endpoints (ExternalEndpoints balances them).
    if (h.external !== null) return h.externalRoute(r, h.external.roundTrip, h.external.endpoints);
    const d = pickDestination(r, r.destinations.length > 1 ? u() : 0);
    if (d === undefined) return h.notFound;
    const known = h.cached(d);
    if (known !== undefined) return known;
    if (h.vh.kind !== "allow-any") return h.target(r, d, h.clusters.get(d));
    // A service of the cluster outside the Sidecar scope: PassthroughCluster to its ClusterIP.
    const fqdn = h.vh.passthroughFqdn;
    if (fqdn === "") return this.passthrough;
    return h.target(r, d, h.clusters.passthrough(fqdn, t.port, this.truth));
  }

  /**
   * The proxy holds a new CDS version (or its first): the clusters that run a timer (outlier
   * detection) are created now. A config without outlier detection anywhere skips the translation.
   */
  clustersPushed(pod: Pod): void {
    const x = pod.proxy!.xds;
    if (!this.meshOutlierDetection && !x.cds.destinationRules.some((dr) => hasOutlierDetection(dr) || hasWarmup(dr))) return;
    this.state(pod).clusters.warm(this.translation.clusters(pod, x.cds));
  }

  /** The proxy holds a new EDS version: its clusters with slow start refresh their hosts now. */
  endpointsPushed(pod: Pod): void {
    const s = pod.proxy?.routing;
    if (s != null && s.clusterConfig === s.xds.cds) s.clusters.endpointsPushed();
  }

  /** The proxy's cluster for a destination (mirrors use it too). */
  clusterFor(pod: Pod, d: CompiledDestination): UpstreamCluster | undefined {
    return this.state(pod).clusters.get(d);
  }

  /** Drop the cached state of a proxy (it got a new config, or its pod stopped). */
  forget(pod: Pod): void {
    if (pod.proxy !== null) pod.proxy.routing = null;
  }
}

/**
 * A route that every path starting with "/" matches, forwarding to one destination, without CORS
 * (HeldVirtualHost.firstTakesAll). Its answer depends on nothing else of the request: matchHolds
 * reads only the path's first character for such a match, the CORS filter does not run, and
 * pickDestination draws nothing for one destination.
 */
function takesEveryPath(r: CompiledRoute | undefined): boolean {
  return r !== undefined && r.match.catchAll && r.match.uri.kind === MATCH_PREFIX && r.cors === undefined &&
    r.action === "route" && r.destinations.length === 1;
}

/** Does a DestinationRule configure outlier detection anywhere (top level, ports, subsets)? */
/** Slow start (warmup) anywhere in the rule: its clusters are created with CDS too (UpstreamClusters.warm). */
function hasWarmup(dr: DestinationRule): boolean {
  const on = (s: { loadBalancer?: { warmupDurationSecs?: number } }): boolean => (s.loadBalancer?.warmupDurationSecs ?? 0) > 0;
  const has = (p: TrafficPolicy | undefined): boolean => p !== undefined && (on(p) || (p.portLevelSettings ?? []).some(on));
  return has(dr.spec.trafficPolicy) || (dr.spec.subsets ?? []).some((x) => has(x.trafficPolicy));
}

function hasOutlierDetection(dr: DestinationRule): boolean {
  const has = (p: TrafficPolicy | undefined): boolean => p !== undefined && (p.outlierDetection !== undefined || (p.portLevelSettings ?? []).some((x) => x.outlierDetection !== undefined));
  return has(dr.spec.trafficPolicy) || (dr.spec.subsets ?? []).some((x) => has(x.trafficPolicy));
}
