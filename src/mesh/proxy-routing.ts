// What one sidecar knows: the routes for each host it can call (from the VirtualServices it sees, or
// istiod's default route) and its upstream clusters. Built lazily from the config version the proxy
// holds, with the same pure functions `meshsim explain` uses, so what is explained is what runs.
import type { MeshConfig } from "../config/mesh-config.js";
import type { CallTarget } from "../scenario/model.js";
import type { SourceContext } from "../proxy/http-request.js";
import type { SidecarScope } from "../config/sidecar-scope.js";
import type { ProxyXds } from "./proxy-xds.js";
import {
  unknownHostRoutes,
  compileRoutes, defaultServiceRoutes, matchRoute, pickDestination, selectVirtualService,
  type CompiledDestination, type CompiledRoute,
} from "../proxy/route/index.js";
import type { CompiledFault } from "../proxy/route/fault-injection.js";
import type { RetryPolicy } from "../proxy/route/retry-policy.js";
import type { Pod } from "./pod.js";
import type { OutgoingRequest } from "./transport.js";
import type { EndpointSource, UpstreamCluster, UpstreamClusters } from "./upstream-cluster.js";
import { hostMatches } from "../proxy/route/host-name.js";
import type { ServiceEntry } from "../proxy/api/networking.js";
import { destinationRuleFor, effectivePolicy, usesConsistentHash } from "../proxy/destination-rule.js";
import type { TrafficPolicy } from "../proxy/api/networking.js";
import type { ExternalEndpoints } from "./external-endpoints.js";
import type { CompileOptions } from "../proxy/route/compile-routes.js";

export type RoutedRequest =
  | { readonly kind: "local"; readonly status: number; readonly flags: string; readonly service: string }
  | ExternalRoute
  | ClusterRoute;

/** A host outside the cluster: PassthroughCluster, or a ServiceEntry's host with its VirtualService's timeout. */
export interface ExternalRoute {
  readonly kind: "external";
  /** PassthroughCluster, or the ServiceEntry host (Istio's destination_service). */
  readonly service: string;
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
}

/** The routes of one virtual host (a service host and port) and the decisions built from them. */
class VirtualHost {
  private readonly targets = new Map<CompiledDestination, ClusterRoute>();
  private readonly externals = new Map<CompiledRoute, ExternalRoute>();
  readonly notFound: RoutedRequest;
  /** A service outside the Sidecar scope reached through PassthroughCluster (its FQDN), or "". */
  passthroughFqdn = "";
  passthroughPort = 0;
  passthroughTruth: EndpointSource | null = null;
  constructor(
    readonly service: string,
    readonly routes: readonly CompiledRoute[],
    /** A gateway's virtual host: each route reports its destination's host as the service. */
    private readonly serviceFromDestination = false,
  ) {
    this.notFound = { kind: "local", status: 404, flags: "NR", service };
  }
  target(route: CompiledRoute, d: CompiledDestination, clusters: UpstreamClusters): ClusterRoute {
    let t = this.targets.get(d);
    if (t === undefined) {
      t = {
        kind: "cluster", service: this.serviceFromDestination ? d.host : this.service, route, destination: d,
        cluster: this.passthroughTruth !== null ? clusters.passthrough(this.passthroughFqdn, this.passthroughPort, this.passthroughTruth) : clusters.get(d), fault: route.fault, retryPolicy: route.retryPolicy, timeoutMs: route.timeoutMs ?? 0,
      };
      this.targets.set(d, t);
    }
    return t;
  }
  external(route: CompiledRoute, roundTrip: () => number, endpoints: ExternalEndpoints | null): ExternalRoute {
    let t = this.externals.get(route);
    if (t === undefined) {
      t = { kind: "external", service: this.service, timeoutMs: route.timeoutMs ?? 0, roundTrip, endpoints };
      this.externals.set(route, t);
    }
    return t;
  }
}

/** One proxy's routing state for the config version it holds. */
class ProxyState {
  readonly hosts = new Map<CallTarget, VirtualHost>();
  /** Hosts outside the cluster: the virtual host of the ServiceEntry that admits them, or null. */
  readonly externalHosts = new Map<CallTarget, { vh: VirtualHost; roundTrip: () => number; endpoints: ExternalEndpoints | null } | null>();
  constructor(
    readonly config: MeshConfig,
    readonly clusterConfig: MeshConfig,
    readonly source: SourceContext,
    readonly clusters: UpstreamClusters,
    /** What the routes (RDS) know of: the Sidecar scope under the route config. */
    readonly scope: SidecarScope,
    /** The pod's xDS state (one object per pod for its life): its versions say when to rebuild. */
    readonly xds: ProxyXds,
  ) {}
  /** Destinations with a consistent-hash DestinationRule get retries without previous_hosts. */
  readonly compileOptions: CompileOptions = {
    consistentHash: (host, subset, port) =>
      usesConsistentHash(this.config.destinationRules, host, subset, port, this.source.namespace, this.source.labels),
  };
}

export class ProxyRouting {
  private readonly passthrough: ExternalRoute;
  private readonly blocked: RoutedRequest = { kind: "local", status: 502, flags: "-", service: "BlackHoleCluster" };

  constructor(
    /** The xDS state a proxy holds (the control plane decides when each type changes). */
    private readonly xdsOf: (pod: Pod) => ProxyXds,
    private readonly clustersOf: (pod: Pod, config: MeshConfig) => UpstreamClusters,
    private readonly outboundPolicy: "ALLOW_ANY" | "REGISTRY_ONLY",
    /** The round trip to the hosts of a ServiceEntry (or, for undefined, to any host outside). */
    private readonly externalLatency: (se: ServiceEntry | undefined) => () => number,
    private readonly scopeOf: (pod: Pod, config: MeshConfig) => SidecarScope,
    /** kube-proxy's view of endpoints (behind PassthroughCluster). */
    private readonly truth: EndpointSource,
    /** A proxy's own cluster of a ServiceEntry's endpoints, balanced by `lb` (null: one endpoint). */
    private readonly externalEndpoints: (se: ServiceEntry, policy: TrafficPolicy | undefined) => ExternalEndpoints | null = () => null,
  ) {
    this.passthrough = { kind: "external", service: "PassthroughCluster", timeoutMs: 0, roundTrip: externalLatency(undefined), endpoints: null };
  }

  private state(pod: Pod): ProxyState {
    let s = pod.routing as ProxyState | null;
    if (s === null || s.config !== s.xds.rds || s.clusterConfig !== s.xds.cds) {
      const x = this.xdsOf(pod);
      const source = pod.gateway === undefined
        ? { namespace: pod.namespace, labels: pod.labels }
        : { namespace: pod.namespace, labels: pod.labels, gateway: pod.gateway };
      s = new ProxyState(x.rds, x.cds, source, this.clustersOf(pod, x.cds), this.scopeOf(pod, x.rds), x);
      pod.routing = s;
    }
    return s;
  }

  /** Route one request; `u` draws the weighted destination. */
  route(pod: Pod, req: OutgoingRequest, u: () => number): RoutedRequest {
    const t = req.target;
    const s = this.state(pod);
    let vh = s.hosts.get(t);
    if (vh === undefined) {
      if (s.source.gateway !== undefined) vh = this.gatewayHost(s, t);
      else if (t.resolved.kind !== "service") return this.routeExternal(s, req);
      else vh = this.virtualHost(s, t.resolved.fqdn, t.port);
      s.hosts.set(t, vh);
    }
    const r = matchRoute(vh.routes, req);
    if (r === undefined) return vh.notFound;
    if (r.action === "redirect") return { kind: "local", status: r.redirect?.code ?? 301, flags: "-", service: vh.service };
    if (r.action === "direct-response") return { kind: "local", status: r.directResponse?.status ?? 200, flags: "-", service: vh.service };
    const d = pickDestination(r, r.destinations.length > 1 ? u() : 0);
    if (d === undefined) return vh.notFound;
    return vh.target(r, d, s.clusters);
  }

  /**
   * A host outside the cluster. A ServiceEntry in the proxy's config makes it a registry host, routed
   * by its VirtualService (timeouts on external hosts); otherwise it is unknown: PassthroughCluster
   * under ALLOW_ANY, the block_all route's 502 under REGISTRY_ONLY.
   * https://istio.io/latest/docs/tasks/traffic-management/egress/egress-control/
   */
  private routeExternal(s: ProxyState, req: OutgoingRequest): RoutedRequest {
    const t = req.target;
    let e = s.externalHosts.get(t);
    if (e === undefined) {
      const se = s.config.serviceEntries.find((x) =>
        x.spec.hosts.some((h) => hostMatches(h, t.host)) && (x.spec.ports === undefined || x.spec.ports.some((p) => p.number === t.port)));
      e = se === undefined ? null : {
        vh: this.virtualHost(s, t.host, t.port), roundTrip: this.externalLatency(se),
        endpoints: this.externalEndpoints(se, this.externalPolicy(s, se, t.host, t.port)),
      };
      s.externalHosts.set(t, e);
    }
    if (e === null) return (s.scope.outboundTrafficPolicy ?? this.outboundPolicy) === "ALLOW_ANY" ? this.passthrough : this.blocked;
    const r = matchRoute(e.vh.routes, req);
    if (r === undefined) return e.vh.notFound;
    if (r.action === "redirect") return { kind: "local", status: r.redirect?.code ?? 301, flags: "-", service: e.vh.service };
    if (r.action === "direct-response") return { kind: "local", status: r.directResponse?.status ?? 200, flags: "-", service: e.vh.service };
    return e.vh.external(r, e.roundTrip, e.endpoints);
  }

  /** The traffic policy of the DestinationRule this proxy applies to a ServiceEntry host. */
  private externalPolicy(s: ProxyState, se: ServiceEntry, host: string, port: number): TrafficPolicy | undefined {
    const dr = destinationRuleFor(s.config.destinationRules, host, s.source.namespace, s.source.labels, se.metadata.namespace);
    return dr === undefined ? undefined : effectivePolicy(dr, undefined, port);
  }

  /**
   * At an ingress gateway: the Gateway's servers decide which hosts and ports it listens for, and
   * only VirtualServices bound to that Gateway (`gateways:`) route; anything else is 404 NR.
   * Istio's destination_service is then the route's destination host.
   * https://istio.io/latest/docs/reference/config/networking/gateway/
   */
  private gatewayHost(s: ProxyState, t: CallTarget): VirtualHost {
    const name = s.source.gateway!;
    const gw = s.config.gateways.find((g) => `${g.metadata.namespace}/${g.metadata.name}` === name);
    const listens = gw?.spec.servers.some((sv) => listensOn(sv.port.number, t.port) && sv.hosts.some((h) => hostMatches(h.slice(h.indexOf("/") + 1), t.host)));
    const vs = listens === true ? selectVirtualService(s.config.virtualServices, t.host, s.source) : undefined;
    return new VirtualHost("unknown", vs ? compileRoutes(vs, s.source, t.port, s.compileOptions) : [], true);
  }

  private virtualHost(s: ProxyState, fqdn: string, port: number): VirtualHost {
    if (!s.scope.hosts.has(fqdn)) {
      // Outside the Sidecar's egress hosts the service is unknown to this proxy: the outbound
      // traffic policy decides (PassthroughCluster, or BlackHoleCluster's 502).
      // https://istio.io/latest/docs/reference/config/networking/sidecar/#OutboundTrafficPolicy
      if ((s.scope.outboundTrafficPolicy ?? this.outboundPolicy) === "REGISTRY_ONLY") {
        return new VirtualHost("BlackHoleCluster", unknownHostRoutes("REGISTRY_ONLY", port, s.source));
      }
      const vh = new VirtualHost("PassthroughCluster", unknownHostRoutes("ALLOW_ANY", port, s.source));
      vh.passthroughFqdn = fqdn;
      vh.passthroughPort = port;
      vh.passthroughTruth = this.truth;
      return vh;
    }
    const vs = selectVirtualService(s.config.virtualServices, fqdn, s.source);
    const routes = vs ? compileRoutes(vs, s.source, port, s.compileOptions) : defaultServiceRoutes(fqdn, port, s.compileOptions);
    return new VirtualHost(fqdn, routes);
  }

  /** The proxy's cluster for a destination (mirrors use it too). */
  clusterFor(pod: Pod, d: CompiledDestination): UpstreamCluster | undefined {
    return this.state(pod).clusters.get(d);
  }

  /** Drop the cached state of a proxy (it got a new config, or its pod stopped). */
  forget(pod: Pod): void {
    pod.routing = null;
  }
}

/**
 * Whether a Gateway server on `serverPort` takes a request sent to `port`: the same port, or the
 * istio-ingressgateway Service's default mapping of 80 → 8080 and 443 → 8443 (the gateway's Envoy
 * listens on the container ports, which is what Istio's samples put in `servers[].port`).
 */
function listensOn(serverPort: number, port: number): boolean {
  return serverPort === port || (port === 80 && serverPort === 8080) || (port === 443 && serverPort === 8443);
}
