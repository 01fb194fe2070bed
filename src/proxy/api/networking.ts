// Istio networking API (networking.istio.io v1alpha3/v1beta1/v1) as plain data: the field names and
// meanings of https://istio.io/latest/docs/reference/config/networking/. Durations are converted to
// milliseconds by the loader; everything else keeps Istio's spelling so users can read it back.

export interface ObjectMeta {
  name: string;
  namespace: string;
  labels: Readonly<Record<string, string>>;
  annotations: Readonly<Record<string, string>>;
  /** Order of appearance in the scenario; stands in for creationTimestamp ("oldest wins" rules). */
  creationIndex: number;
  /**
   * Gateway API resources: metadata.generation as the API server keeps it — 1 when created, +1 at each
   * timeline `apply` that changes the spec (absent: 1). A value in the YAML is ignored, as on create.
   */
  generation?: number;
}

/** Istio StringMatch: exactly one of exact, prefix, regex (RE2, full match). */
export type StringMatch = { exact: string } | { prefix: string } | { regex: string };

export interface PortSelector { number: number }

export interface HTTPMatchRequest {
  name?: string;
  uri?: StringMatch;
  scheme?: StringMatch;
  method?: StringMatch;
  authority?: StringMatch;
  /** Keys are lowercase header names. An empty object `{}` value means "header present". */
  headers?: Record<string, StringMatch | Record<string, never>>;
  withoutHeaders?: Record<string, StringMatch | Record<string, never>>;
  queryParams?: Record<string, StringMatch>;
  ignoreUriCase?: boolean;
  port?: number;
  sourceLabels?: Record<string, string>;
  sourceNamespace?: string;
  gateways?: string[];
}

export interface Destination {
  host: string;
  subset?: string;
  port?: PortSelector;
}

export interface HeaderOperations {
  set?: Record<string, string>;
  add?: Record<string, string>;
  remove?: string[];
}

export interface Headers {
  request?: HeaderOperations;
  response?: HeaderOperations;
}

export interface HTTPRouteDestination {
  destination: Destination;
  /** Relative weight; absent means 0 when there are several destinations, 100 when alone. */
  weight?: number;
  headers?: Headers;
}

export interface Percent { value: number }

export interface HTTPRedirect {
  uri?: string;
  authority?: string;
  port?: number;
  derivePort?: "FROM_PROTOCOL_DEFAULT" | "FROM_REQUEST_PORT";
  scheme?: string;
  redirectCode?: number;
  /**
   * Not in Istio's public API: istiod sets it on the VirtualServices it generates for a Gateway API
   * RequestRedirect with path.replacePrefixMatch (Envoy's RedirectAction prefix_rewrite).
   * istio/istio pilot/pkg/config/kube/gateway/conversion.go createRedirectFilter.
   */
  prefixRewrite?: string;
}

export interface HTTPDirectResponse {
  status: number;
  body?: { string?: string; bytes?: string };
}

export interface HTTPRewrite {
  uri?: string;
  authority?: string;
  uriRegexRewrite?: { match: string; rewrite: string };
}

export interface HTTPRetry {
  attempts: number;
  perTryTimeoutMs?: number;
  retryOn?: string;
  retryRemoteLocalities?: boolean;
  retryIgnorePreviousHosts?: boolean;
  /** Base back-off interval (Istio 1.26+ `backoff`); Envoy's default is 25 ms. */
  backoffMs?: number;
}

export interface HTTPFaultInjection {
  delay?: { fixedDelayMs: number; percentage?: Percent; percent?: number };
  abort?: { httpStatus?: number; grpcStatus?: string; percentage?: Percent };
}

export interface HTTPRoute {
  name?: string;
  match?: HTTPMatchRequest[];
  route?: HTTPRouteDestination[];
  redirect?: HTTPRedirect;
  directResponse?: HTTPDirectResponse;
  delegate?: { name: string; namespace?: string };
  rewrite?: HTTPRewrite;
  timeoutMs?: number;
  retries?: HTTPRetry;
  fault?: HTTPFaultInjection;
  mirror?: Destination;
  mirrorPercentage?: Percent;
  mirrors?: { destination: Destination; percentage?: Percent }[];
  headers?: Headers;
  /** Read from Gateway API CORS filters (a VirtualService's own corsPolicy is not read). */
  corsPolicy?: CorsPolicy;
}

/** Istio CorsPolicy (https://istio.io/latest/docs/reference/config/networking/virtual-service/#CorsPolicy). */
export interface CorsPolicy {
  allowOrigins: StringMatch[];
  allowMethods?: string[];
  allowHeaders?: string[];
  exposeHeaders?: string[];
  maxAgeMs?: number;
  allowCredentials?: boolean;
  /** FORWARD (the API's default): a preflight from an origin not allowed goes to the upstream; IGNORE: Envoy answers it. */
  unmatchedPreflights: "FORWARD" | "IGNORE";
}

export interface VirtualServiceSpec {
  hosts: string[];
  gateways?: string[];
  http?: HTTPRoute[];
  tcp?: unknown[];
  tls?: unknown[];
  exportTo?: string[];
}

export type SimpleLB = "UNSPECIFIED" | "LEAST_CONN" | "RANDOM" | "PASSTHROUGH" | "ROUND_ROBIN" | "LEAST_REQUEST";

export interface ConsistentHashLB {
  httpHeaderName?: string;
  httpCookie?: { name: string; path?: string; ttlMs?: number };
  useSourceIp?: boolean;
  httpQueryParameterName?: string;
  ringHash?: { minimumRingSize?: number };
  maglev?: { tableSize?: number };
  /** Deprecated top-level form of ringHash.minimumRingSize. */
  minimumRingSize?: number;
}

export interface LocalityLoadBalancerSetting {
  distribute?: { from: string; to: Record<string, number> }[];
  failover?: { from: string; to: string }[];
  failoverPriority?: string[];
  enabled?: boolean;
}

export interface LoadBalancerSettings {
  simple?: SimpleLB;
  consistentHash?: ConsistentHashLB;
  localityLbSetting?: LocalityLoadBalancerSetting;
  /** Slow start window: `warmup.duration`, else the deprecated `warmupDurationSecs`. */
  warmupDurationSecs?: number;
  /** `warmup.aggression` (Envoy slow_start_config.aggression; default 1.0). */
  warmupAggression?: number;
  /** `warmup.minimumPercent` (Envoy slow_start_config.min_weight_percent; default 10). */
  warmupMinimumPercent?: number;
}

/** MeshConfig.h2UpgradePolicy, and a DestinationRule's (which adds DEFAULT: the mesh's). */
export type H2UpgradePolicy = "DO_NOT_UPGRADE" | "UPGRADE";

export interface ConnectionPoolSettings {
  tcp?: {
    maxConnections?: number;
    connectTimeoutMs?: number;
    maxConnectionDurationMs?: number;
    idleTimeoutMs?: number;
  };
  http?: {
    http1MaxPendingRequests?: number;
    http2MaxRequests?: number;
    maxRequestsPerConnection?: number;
    maxRetries?: number;
    idleTimeoutMs?: number;
    h2UpgradePolicy?: "DEFAULT" | H2UpgradePolicy;
    useClientProtocol?: boolean;
    maxConcurrentStreams?: number;
  };
}

export interface OutlierDetection {
  consecutive5xxErrors?: number;
  consecutiveGatewayErrors?: number;
  consecutiveLocalOriginFailures?: number;
  splitExternalLocalOriginErrors?: boolean;
  intervalMs?: number;
  baseEjectionTimeMs?: number;
  maxEjectionPercent?: number;
  minHealthPercent?: number;
}

export interface ClientTLSSettings {
  mode: "DISABLE" | "SIMPLE" | "MUTUAL" | "ISTIO_MUTUAL";
  sni?: string;
  subjectAltNames?: string[];
}

export interface TrafficPolicy {
  loadBalancer?: LoadBalancerSettings;
  connectionPool?: ConnectionPoolSettings;
  outlierDetection?: OutlierDetection;
  tls?: ClientTLSSettings;
  /** Not in portLevelSettings (Istio's PortTrafficPolicy has no retryBudget). */
  retryBudget?: RetryBudget;
  portLevelSettings?: (Omit<TrafficPolicy, "portLevelSettings" | "retryBudget"> & { port: PortSelector })[];
}

/**
 * MeshConfig.defaultTrafficPolicy (Istio ≥ 1.31): the mesh-wide baseline under every DestinationRule,
 * block by block (a DR that sets a block replaces it whole). istio/api mesh/v1alpha1/config.proto
 */
export interface MeshDefaultTrafficPolicy {
  connectionPool?: ConnectionPoolSettings;
  outlierDetection?: OutlierDetection;
}

/** TrafficPolicy.RetryBudget: concurrent retries ≤ max(percent % of active + pending requests, minRetryConcurrency). */
export interface RetryBudget {
  /** Default 20. */
  percent?: number;
  /** Default 3. */
  minRetryConcurrency?: number;
}

export interface Subset {
  name: string;
  labels?: Record<string, string>;
  trafficPolicy?: TrafficPolicy;
}

export interface DestinationRuleSpec {
  host: string;
  trafficPolicy?: TrafficPolicy;
  subsets?: Subset[];
  exportTo?: string[];
  workloadSelector?: { matchLabels: Record<string, string> };
}

export interface GatewaySpec {
  selector: Record<string, string>;
  servers: { port: { number: number; protocol: string; name?: string }; hosts: string[]; tls?: unknown }[];
}

export interface ServiceEntrySpec {
  hosts: string[];
  addresses?: string[];
  ports?: { number: number; protocol?: string; name?: string; targetPort?: number }[];
  location?: "MESH_EXTERNAL" | "MESH_INTERNAL";
  resolution?: "NONE" | "STATIC" | "DNS" | "DNS_ROUND_ROBIN" | "DYNAMIC_DNS";
  endpoints?: { address?: string; ports?: Record<string, number>; labels?: Record<string, string>; locality?: string; weight?: number }[];
  workloadSelector?: { labels: Record<string, string> };
  exportTo?: string[];
}

export interface SidecarSpec {
  workloadSelector?: { labels: Record<string, string> };
  ingress?: { port: { number: number; protocol?: string; name?: string }; defaultEndpoint?: string; connectionPool?: ConnectionPoolSettings }[];
  egress?: { port?: { number: number; protocol?: string; name?: string }; hosts: string[] }[];
  outboundTrafficPolicy?: { mode: "ALLOW_ANY" | "REGISTRY_ONLY" };
  /** The connection pool of every inbound cluster of the workload (an ingress entry's own wins for its port). */
  inboundConnectionPool?: ConnectionPoolSettings;
}

/** A resource of any Istio kind, as loaded: meta plus the typed spec. */
export interface IstioResource<K extends string, S> {
  kind: K;
  apiVersion: string;
  metadata: ObjectMeta;
  spec: S;
}

export type VirtualService = IstioResource<"VirtualService", VirtualServiceSpec>;
export type DestinationRule = IstioResource<"DestinationRule", DestinationRuleSpec>;
export type Gateway = IstioResource<"Gateway", GatewaySpec>;
export type ServiceEntry = IstioResource<"ServiceEntry", ServiceEntrySpec>;
export type Sidecar = IstioResource<"Sidecar", SidecarSpec>;
