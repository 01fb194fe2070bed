// The translation's objects in Envoy's own JSON shapes, as `istioctl proxy-config ... -o json` prints
// them (protobuf JSON: lowerCamelCase field names, durations as "3s"/"0.025s", 64-bit integers as
// strings), so that jq recipes written for istioctl work on meshsim's output.
// https://www.envoyproxy.io/docs/envoy/latest/api-v3/config/route/v3/route.proto (RouteConfiguration),
// route_components.proto (VirtualHost, Route, RouteMatch, RouteAction, RetryPolicy),
// cluster/v3/cluster.proto, endpoint/v3/endpoint.proto (ClusterLoadAssignment), listener/v3/listener.proto
import type { Cluster } from "../../proxy/config/cluster.js";
import type { ClusterLoadAssignment } from "../../proxy/config/cluster-load-assignment.js";
import type { Listener } from "../../proxy/config/listener.js";
import type { RouteConfiguration, VirtualHost } from "../../proxy/config/virtual-host.js";
import { ENVOY_DEFAULT_MAX_CONCURRENT_STREAMS, poolLimits, type PoolLimits } from "../../proxy/pool-limits.js";
import { istioPanicThresholdPercent } from "../../proxy/lb/priority-load.js";
import type { CompiledRoute } from "../../proxy/route/compile-routes.js";
import type { CompiledMatch } from "../../proxy/route/route-match.js";
import { MATCH_EXACT, MATCH_PATH_SEPARATED_PREFIX, MATCH_PREFIX, MATCH_PRESENT, MATCH_REGEX, type CompiledStringMatch } from "../../proxy/route/string-match.js";
import type { Percent } from "../../proxy/api/networking.js";

type Json = Record<string, unknown>;

/** google.protobuf.Duration in JSON: seconds with 0, 3, 6 or 9 decimals. */
export function duration(ms: number): string {
  if (!Number.isFinite(ms)) return "0s";
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${(ms / 1000).toFixed(3)}s`;
}

const ADS = { ads: {}, initialFetchTimeout: "0s", resourceApiVersion: "V3" };

function stringMatcher(m: CompiledStringMatch): Json {
  switch (m.kind) {
    case MATCH_EXACT: return { exact: m.value, ...(m.ignoreCase ? { ignoreCase: true } : {}) };
    case MATCH_PREFIX: return { prefix: m.value, ...(m.ignoreCase ? { ignoreCase: true } : {}) };
    default: return { safeRegex: { regex: m.value } };
  }
}

function headerMatcher(name: string, m: CompiledStringMatch, invert: boolean): Json {
  const out: Json = { name };
  if (m.kind === MATCH_PRESENT) out.presentMatch = true;
  else out.stringMatch = stringMatcher(m);
  if (invert) out.invertMatch = true;
  return out;
}

/** route.v3.RouteMatch (istio/istio route.go TranslateRouteMatch). */
export function routeMatchJson(m: CompiledMatch): Json {
  const out: Json = {};
  const u = m.uri;
  if (u.kind === MATCH_EXACT) out.path = u.value;
  else if (u.kind === MATCH_REGEX) out.safeRegex = { regex: u.value };
  else if (u.kind === MATCH_PATH_SEPARATED_PREFIX) out.pathSeparatedPrefix = u.value;
  else out.prefix = u.kind === MATCH_PRESENT ? "/" : u.value;
  if (u.ignoreCase) out.caseSensitive = false;
  const headers: Json[] = [];
  if (m.method !== undefined) headers.push(headerMatcher(":method", m.method, false));
  if (m.authority !== undefined) headers.push(headerMatcher(":authority", m.authority, false));
  if (m.scheme !== undefined) headers.push(headerMatcher(":scheme", m.scheme, false));
  for (const h of m.headers) headers.push(headerMatcher(h.name, h.match, h.invert));
  if (headers.length > 0) out.headers = headers;
  if (m.queryParams.length > 0) {
    out.queryParameters = m.queryParams.map((q) => (q.match.kind === MATCH_PRESENT ? { name: q.name, presentMatch: true } : { name: q.name, stringMatch: stringMatcher(q.match) }));
  }
  return out;
}

/** type.v3.FractionalPercent of an Istio Percent (istiod writes MILLION). */
function fraction(p: Percent | undefined): Json {
  return { numerator: Math.round((p?.value ?? 0) * 10_000), denominator: "MILLION" };
}

function routeActionJson(r: CompiledRoute): Json {
  const out: Json = {};
  if (r.destinations.length === 1) out.cluster = r.destinations[0]!.cluster;
  else out.weightedClusters = { clusters: r.destinations.map((d) => ({ name: d.cluster, weight: d.weight })) };
  out.timeout = duration(r.timeoutMs ?? 0);
  // Gateway API routes: "return 500 for invalid backends" (istio route.go applyHTTPRouteDestination).
  if (r.clusterNotFoundStatus === 500) out.clusterNotFoundResponseCode = "INTERNAL_SERVER_ERROR";
  const p = r.retryPolicy;
  if (p !== undefined) {
    const rp: Json = { retryOn: p.retryOn, numRetries: p.numRetries };
    if (p.perTryTimeoutMs !== undefined) rp.perTryTimeout = duration(p.perTryTimeoutMs);
    if (p.previousHostsPredicate) {
      rp.retryHostPredicate = [{ name: "envoy.retry_host_predicates.previous_hosts", typedConfig: { "@type": "type.googleapis.com/envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate" } }];
    }
    rp.hostSelectionRetryMaxAttempts = String(p.hostSelectionRetryMaxAttempts);
    if (p.retriableStatusCodes.length > 0) rp.retriableStatusCodes = [...p.retriableStatusCodes];
    rp.retryBackOff = { baseInterval: duration(p.backoffBaseMs), maxInterval: duration(p.backoffMaxMs) };
    out.retryPolicy = rp;
  }
  if (r.mirrors.length > 0) {
    out.requestMirrorPolicies = r.mirrors.map((m) => ({ cluster: m.destination.cluster, runtimeFraction: { defaultValue: { numerator: m.numerator, denominator: m.denominator === 100 ? "HUNDRED" : m.denominator === 10_000 ? "TEN_THOUSAND" : "MILLION" } }, traceSampled: false }));
  }
  if (r.rewrite !== undefined && r.rewrite.uri !== "") out.prefixRewrite = r.rewrite.uri;
  if (r.hostRewrite !== undefined) out.hostRewriteLiteral = r.hostRewrite;
  return out;
}

/** route.v3.Route. */
export function routeJson(r: CompiledRoute, vh: VirtualHost): Json {
  const out: Json = { name: r.name === "" ? "default" : r.name, match: routeMatchJson(r.match) };
  if (r.action === "route") out.route = routeActionJson(r);
  else if (r.action === "redirect") {
    const d = r.redirect!;
    const codes: Record<number, string> = { 301: "MOVED_PERMANENTLY", 302: "FOUND", 303: "SEE_OTHER", 307: "TEMPORARY_REDIRECT", 308: "PERMANENT_REDIRECT" };
    out.redirect = {
      ...(d.scheme !== undefined ? { schemeRedirect: d.scheme } : {}), ...(d.authority !== undefined ? { hostRedirect: d.authority } : {}),
      ...(d.port !== undefined ? { portRedirect: d.port } : {}), ...(d.path !== undefined ? { pathRedirect: d.path } : {}),
      ...(d.prefixRewrite !== undefined ? { prefixRewrite: d.prefixRewrite } : {}),
      ...(d.code !== 301 ? { responseCode: codes[d.code] ?? "MOVED_PERMANENTLY" } : {}),
    };
  } else out.directResponse = { status: r.directResponse?.status ?? 200 };
  const f = r.rule.fault;
  if (r.fault !== undefined && f !== undefined) {
    const fault: Json = { "@type": "type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault" };
    if (f.delay !== undefined) fault.delay = { fixedDelay: duration(f.delay.fixedDelayMs), percentage: f.delay.percentage === undefined && f.delay.percent !== undefined ? { numerator: f.delay.percent * 10_000, denominator: "MILLION" } : fraction(f.delay.percentage) };
    if (f.abort !== undefined) fault.abort = { ...(f.abort.grpcStatus !== undefined ? { grpcStatus: r.fault.abortGrpcStatus } : { httpStatus: f.abort.httpStatus }), percentage: fraction(f.abort.percentage) };
    out.typedPerFilterConfig = { "envoy.filters.http.fault": fault };
  }
  out.decorator = { operation: `${vh.name}/*` };
  if (vh.virtualService !== "") {
    const [name, ns] = vh.virtualService.split(".");
    out.metadata = { filterMetadata: { istio: { config: `/apis/networking.istio.io/v1/namespaces/${ns}/virtual-service/${name}` } } };
  }
  return out;
}

/** route.v3.RouteConfiguration. */
export function routeConfigurationJson(rc: RouteConfiguration): Json {
  return {
    name: rc.name,
    virtualHosts: rc.virtualHosts.map((vh) => ({ name: vh.name, domains: [...vh.domains], routes: vh.routes.map((r) => routeJson(r, vh)), includeRequestAttemptCount: true })),
    validateClusters: false,
  };
}

const LB_POLICY: Record<string, string> = { ROUND_ROBIN: "ROUND_ROBIN", LEAST_REQUEST: "LEAST_REQUEST", LEAST_CONN: "LEAST_REQUEST", RANDOM: "RANDOM", PASSTHROUGH: "CLUSTER_PROVIDED" };

function transportSocket(c: Cluster): Json | undefined {
  const mode = c.policy.tls?.mode;
  if (mode === undefined || mode === "DISABLE") return undefined;
  return {
    name: "envoy.transport_sockets.tls",
    typedConfig: {
      "@type": "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext",
      commonTlsContext: mode === "ISTIO_MUTUAL" || mode === "MUTUAL"
        ? { tlsCertificateSdsSecretConfigs: [{ name: "default" }], combinedValidationContext: { validationContextSdsSecretConfig: { name: "ROOTCA" } }, alpnProtocols: ["istio-peer-exchange", "istio"] }
        : { combinedValidationContext: { validationContextSdsSecretConfig: { name: "ROOTCA" } } },
      ...(c.policy.tls?.sni !== undefined ? { sni: c.policy.tls.sni } : { sni: `${c.name}` }),
    },
  };
}

/**
 * An HTTP/2 cluster's Http2ProtocolOptions: empty (setH2Options), with max_concurrent_streams when the
 * pool sets one (cluster_traffic_policy.go applyConnectionPool).
 */
function http2Options(l: PoolLimits): Json {
  return l.maxConcurrentStreams !== ENVOY_DEFAULT_MAX_CONCURRENT_STREAMS ? { maxConcurrentStreams: l.maxConcurrentStreams } : {};
}

/** cluster.v3.Cluster (istio/istio cluster_builder.go). */
export function clusterJson(c: Cluster, cla?: ClusterLoadAssignment): Json {
  const out: Json = { name: c.name, type: c.type };
  if (c.type === "EDS") out.edsClusterConfig = { edsConfig: ADS, serviceName: c.name };
  const l = poolLimits(c.policy.connectionPool, c.http2);
  out.connectTimeout = duration(l.connectTimeoutMs);
  const lb = c.policy.loadBalancer;
  if (c.type === "ORIGINAL_DST") out.lbPolicy = "CLUSTER_PROVIDED";
  else if (lb?.consistentHash !== undefined) out.lbPolicy = lb.consistentHash.maglev !== undefined ? "MAGLEV" : "RING_HASH";
  else {
    // ROUND_ROBIN is the enum's zero value, which protobuf JSON leaves out.
    const p = LB_POLICY[lb?.simple ?? "LEAST_REQUEST"] ?? "LEAST_REQUEST";
    if (p !== "ROUND_ROBIN") out.lbPolicy = p;
  }
  if (c.name !== "BlackHoleCluster") {
    out.circuitBreakers = { thresholds: [{ maxConnections: l.maxConnections, maxPendingRequests: l.maxPendingRequests, maxRequests: l.maxRequests, maxRetries: l.maxRetries, trackRemaining: true }] };
  }
  const od = c.policy.outlierDetection;
  if (od !== undefined) {
    out.outlierDetection = {
      ...(od.consecutive5xxErrors !== undefined && od.consecutive5xxErrors > 0 ? { consecutive5xx: od.consecutive5xxErrors, enforcingConsecutive5xx: 100 } : { enforcingConsecutive5xx: 0 }),
      ...(od.consecutiveGatewayErrors !== undefined ? { consecutiveGatewayFailure: od.consecutiveGatewayErrors, enforcingConsecutiveGatewayFailure: 100 } : {}),
      interval: duration(od.intervalMs ?? 10_000), baseEjectionTime: duration(od.baseEjectionTimeMs ?? 30_000),
      maxEjectionPercent: od.maxEjectionPercent ?? 10, enforcingSuccessRate: 0,
    };
    out.commonLbConfig = { healthyPanicThreshold: { value: istioPanicThresholdPercent(od) } };
  }
  const ts = transportSocket(c);
  if (ts !== undefined) out.transportSocket = ts;
  else if (c.direction === "outbound" && c.policy.tls === undefined && c.serviceEntry === undefined) {
    // Auto mTLS: istiod gives the cluster both sockets; Envoy picks by the endpoint's tlsMode label.
    out.transportSocketMatches = [
      { name: "tlsMode-istio", match: { tlsMode: "istio" }, transportSocket: transportSocket({ ...c, policy: { ...c.policy, tls: { mode: "ISTIO_MUTUAL" } } }) },
      { name: "tlsMode-disabled", match: {}, transportSocket: { name: "envoy.transport_sockets.raw_buffer", typedConfig: { "@type": "type.googleapis.com/envoy.extensions.transport_sockets.raw_buffer.v3.RawBuffer" } } },
    ];
  }
  if (c.direction === "outbound") {
    const po = c.policy.connectionPool;
    out.typedExtensionProtocolOptions = {
      "envoy.extensions.upstreams.http.v3.HttpProtocolOptions": {
        "@type": "type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
        commonHttpProtocolOptions: {
          idleTimeout: duration(po?.http?.idleTimeoutMs ?? 3_600_000),
          ...(l.maxRequestsPerConnection > 0 ? { maxRequestsPerConnection: l.maxRequestsPerConnection } : {}),
        },
        ...(c.http2 && po?.http?.useClientProtocol !== true ? { explicitHttpConfig: { http2ProtocolOptions: http2Options(l) } } : { useDownstreamProtocolConfig: { httpProtocolOptions: {}, http2ProtocolOptions: {} } }),
      },
    };
    const [name, ns] = c.host.split(".");
    const istio: Json = { services: [{ host: c.host, name: c.serviceEntry === undefined ? name : c.host, namespace: c.serviceEntry?.metadata.namespace ?? ns }] };
    if (c.destinationRule !== "") {
      const [drName, drNs] = c.destinationRule.split(".");
      istio.config = `/apis/networking.istio.io/v1/namespaces/${drNs}/destination-rule/${drName}`;
    }
    if (c.subset !== "") istio.subset = c.subset;
    out.metadata = { filterMetadata: { istio } };
  }
  if (c.direction === "inbound") {
    // istiod writes HttpProtocolOptions on an inbound cluster when its pool sets an idle timeout or
    // max requests per connection, or the port is HTTP/2 (setH2Options); an HTTP/1 port gets no
    // explicit protocol. The DR's name goes in its metadata when a DR's policy applied.
    // (cluster_traffic_policy.go applyConnectionPool; cluster_builder.go setUpstreamProtocol, buildInboundCluster)
    const po = c.policy.connectionPool;
    const idle = po?.http?.idleTimeoutMs ?? po?.tcp?.idleTimeoutMs;
    if (idle !== undefined || l.maxRequestsPerConnection > 0 || c.http2) {
      out.typedExtensionProtocolOptions = {
        "envoy.extensions.upstreams.http.v3.HttpProtocolOptions": {
          "@type": "type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
          ...(idle !== undefined || l.maxRequestsPerConnection > 0 ? {
            commonHttpProtocolOptions: {
              ...(idle !== undefined ? { idleTimeout: duration(idle) } : {}),
              ...(l.maxRequestsPerConnection > 0 ? { maxRequestsPerConnection: l.maxRequestsPerConnection } : {}),
            },
          } : {}),
          ...(c.http2 ? { explicitHttpConfig: { http2ProtocolOptions: http2Options(l) } } : {}),
        },
      };
    }
    // The services on the port, for the stats filter's labels (cluster_builder.go buildCluster).
    const istio: Json = {};
    if (c.destinationRule !== "") {
      const [drName, drNs] = c.destinationRule.split(".");
      istio.config = `/apis/networking.istio.io/v1/namespaces/${drNs}/destination-rule/${drName}`;
    }
    if (c.statsServices !== undefined && c.statsServices.length > 0) {
      istio.services = c.statsServices.map((h) => ({ host: h, name: h.split(".")[0]!, namespace: h.split(".")[1]! }));
    }
    if (Object.keys(istio).length > 0) out.metadata = { filterMetadata: { istio } };
  }
  if (c.type === "STRICT_DNS" && cla !== undefined) out.loadAssignment = clusterLoadAssignmentJson(cla);
  return out;
}

/** endpoint.v3.ClusterLoadAssignment: endpoints grouped by locality. */
export function clusterLoadAssignmentJson(cla: ClusterLoadAssignment): Json {
  const byLocality = new Map<string, Json[]>();
  for (const e of cla.endpoints) {
    let l = byLocality.get(e.locality);
    if (l === undefined) byLocality.set(e.locality, (l = []));
    l.push({ endpoint: { address: { socketAddress: { address: e.address, portValue: e.port } } }, healthStatus: e.healthStatus, loadBalancingWeight: e.weight });
  }
  return {
    clusterName: cla.clusterName,
    endpoints: [...byLocality.entries()].map(([loc, lbEndpoints]) => {
      const [region, zone, subZone] = loc.split("/");
      const locality: Json = {};
      if (region) locality.region = region;
      if (zone) locality.zone = zone;
      if (subZone) locality.subZone = subZone;
      return { locality, lbEndpoints, loadBalancingWeight: lbEndpoints.reduce((s, e) => s + (e.loadBalancingWeight as number), 0) };
    }),
  };
}

/** listener.v3.Listener. */
export function listenerJson(l: Listener): Json {
  const address = { socketAddress: { address: l.address, portValue: l.port } };
  if (l.routeConfigName === "") {
    const cluster = l.defaultCluster;
    return {
      name: l.name, address, useOriginalDst: true, trafficDirection: l.direction,
      defaultFilterChain: {
        name: l.direction === "OUTBOUND" ? "PassthroughFilterChain" : "virtualInbound-catchall-http",
        filters: [{ name: "envoy.filters.network.tcp_proxy", typedConfig: { "@type": "type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy", statPrefix: cluster, cluster } }],
      },
    };
  }
  return {
    name: l.name, address, trafficDirection: l.direction, bindToPort: false,
    filterChains: [{
      filters: [{
        name: "envoy.filters.network.http_connection_manager",
        typedConfig: {
          "@type": "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager",
          statPrefix: `outbound_${l.address}_${l.port}`,
          rds: { configSource: ADS, routeConfigName: l.routeConfigName },
          httpFilters: [
            { name: "envoy.filters.http.fault", typedConfig: { "@type": "type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault" } },
            { name: "envoy.filters.http.router", typedConfig: { "@type": "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router" } },
          ],
        },
      }],
    }],
  };
}
