// Kubernetes Gateway API (gateway.networking.k8s.io v1, standard channel) as plain data: the field
// names and meanings of https://gateway-api.sigs.k8s.io/reference/spec/ (apis/v1/*_types.go in
// github.com/kubernetes-sigs/gateway-api). Durations are milliseconds (the loader converts them);
// defaults the CRDs write (path type PathPrefix, value "/", weight 1, group/kind) are filled in by the
// loader, so a reader of these objects sees what the API server would store.
import type { ObjectMeta } from "./networking.js";

export interface ParentReference {
  /** "" for core (a Service: GAMMA), "gateway.networking.k8s.io" (the default) for a Gateway. */
  group: string;
  /** "Gateway" (the default) or "Service". */
  kind: string;
  /** Defaults to the route's namespace. */
  namespace?: string;
  name: string;
  sectionName?: string;
  port?: number;
}

export interface BackendObjectReference {
  /** "" (core) by default. */
  group: string;
  /** "Service" by default. */
  kind: string;
  name: string;
  namespace?: string;
  port?: number;
}

export interface HTTPHeaderFilter {
  set?: { name: string; value: string }[];
  add?: { name: string; value: string }[];
  remove?: string[];
}

export type HTTPPathModifier =
  | { type: "ReplaceFullPath"; replaceFullPath: string }
  | { type: "ReplacePrefixMatch"; replacePrefixMatch: string };

export interface HTTPRequestRedirectFilter {
  scheme?: "http" | "https";
  hostname?: string;
  path?: HTTPPathModifier;
  port?: number;
  /** 301 or 302 (default 302). */
  statusCode?: number;
}

export interface HTTPURLRewriteFilter {
  hostname?: string;
  path?: HTTPPathModifier;
}

export interface HTTPRequestMirrorFilter {
  backendRef: BackendObjectReference;
  percent?: number;
  fraction?: { numerator: number; denominator: number };
}

/** HTTPCORSFilter (GEP-1767; experimental in v1.3–v1.4, standard since Gateway API v1.5). */
export interface HTTPCORSFilter {
  allowOrigins?: string[];
  allowCredentials?: boolean;
  allowMethods?: string[];
  allowHeaders?: string[];
  exposeHeaders?: string[];
  /** Seconds (the CRD's default is 5). */
  maxAge: number;
}

export type HTTPRouteFilter =
  | { type: "RequestHeaderModifier"; requestHeaderModifier: HTTPHeaderFilter }
  | { type: "ResponseHeaderModifier"; responseHeaderModifier: HTTPHeaderFilter }
  | { type: "RequestRedirect"; requestRedirect: HTTPRequestRedirectFilter }
  | { type: "URLRewrite"; urlRewrite: HTTPURLRewriteFilter }
  | { type: "RequestMirror"; requestMirror: HTTPRequestMirrorFilter }
  | { type: "CORS"; cors: HTTPCORSFilter }
  /** Filters the CRD admits that istiod does not convert (its InvalidFilter: the route gets no routes). */
  | { type: "ExtensionRef" | "ExternalAuth" };

export interface HTTPBackendRef extends BackendObjectReference {
  /** 0…1,000,000; the CRD's default is 1. */
  weight: number;
  filters?: HTTPRouteFilter[];
}

export type HTTPPathMatch = { type: "Exact" | "PathPrefix" | "RegularExpression"; value: string };

export interface HTTPHeaderMatch {
  type: "Exact" | "RegularExpression";
  /** As written; matching is case-insensitive on the name (the loader lowercases it). */
  name: string;
  value: string;
}

export interface HTTPRouteMatch {
  /** Defaulted by the CRD to {type: PathPrefix, value: "/"}. */
  path: HTTPPathMatch;
  headers?: HTTPHeaderMatch[];
  queryParams?: HTTPHeaderMatch[];
  method?: string;
}

export interface HTTPRouteTimeouts {
  requestMs?: number;
  backendRequestMs?: number;
}

/** GEP-1731 (standard since Gateway API v1.7). */
export interface HTTPRouteRetry {
  codes?: number[];
  attempts?: number;
  backoffMs?: number;
}

export interface HTTPRouteRule {
  name?: string;
  /** Defaulted by the CRD to one match of PathPrefix "/". */
  matches: HTTPRouteMatch[];
  filters?: HTTPRouteFilter[];
  backendRefs?: HTTPBackendRef[];
  timeouts?: HTTPRouteTimeouts;
  retry?: HTTPRouteRetry;
}

export interface HTTPRouteSpec {
  parentRefs: ParentReference[];
  hostnames?: string[];
  rules: HTTPRouteRule[];
}

export interface GRPCMethodMatch {
  type: "Exact" | "RegularExpression";
  service?: string;
  method?: string;
}

export interface GRPCRouteMatch {
  method?: GRPCMethodMatch;
  headers?: HTTPHeaderMatch[];
}

export interface GRPCRouteRule {
  name?: string;
  matches: GRPCRouteMatch[];
  filters?: HTTPRouteFilter[];
  backendRefs?: HTTPBackendRef[];
}

export interface GRPCRouteSpec {
  parentRefs: ParentReference[];
  hostnames?: string[];
  rules: GRPCRouteRule[];
}

/** A Kubernetes LabelSelectorRequirement (metav1): In, NotIn, Exists, DoesNotExist. */
export interface LabelSelectorRequirement { key: string; operator: string; values: string[] }

/**
 * A Kubernetes LabelSelector as the CRD admits it: the operator is a free string there, so one that
 * metav1.LabelSelectorAsSelector refuses reaches the controller (label-selector.ts).
 */
export interface LabelSelector {
  matchLabels: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

export interface RouteNamespaces {
  /** "Same" (the default), "All" or "Selector". */
  from: "Same" | "All" | "Selector";
  selector?: LabelSelector;
}

/** A reference to a Secret (group "" and kind "Secret" are the CRD's defaults). */
export interface SecretObjectReference {
  group: string;
  kind: string;
  name: string;
  namespace?: string;
}

/** GatewayTLSConfig of a listener: Terminate (the default) or Passthrough, certificates, options. */
export interface ListenerTLSConfig {
  mode: "Terminate" | "Passthrough";
  certificateRefs: SecretObjectReference[];
  options: Record<string, string>;
}

export interface Listener {
  name: string;
  hostname?: string;
  port: number;
  protocol: string;
  tls?: ListenerTLSConfig;
  allowedRoutes: { namespaces: RouteNamespaces; kinds?: { group: string; kind: string }[] };
}

export interface GatewaySpecV1 {
  gatewayClassName: string;
  listeners: Listener[];
}

export interface GatewayClassSpec {
  controllerName: string;
}

export interface ReferenceGrantSpec {
  from: { group: string; kind: string; namespace: string }[];
  to: { group: string; kind: string; name?: string }[];
}

interface K8sResource<K extends string, S> {
  kind: K;
  apiVersion: string;
  metadata: ObjectMeta;
  spec: S;
}

export type GatewayClass = K8sResource<"GatewayClass", GatewayClassSpec>;
/**
 * Gateway API's Gateway. Its kind is "Gateway" in YAML; meshsim tags it `KubernetesGateway` (as
 * istiod's gvk.KubernetesGateway does) to tell it from Istio's networking.istio.io Gateway.
 */
export type KubernetesGateway = K8sResource<"KubernetesGateway", GatewaySpecV1>;
export type HTTPRoute = K8sResource<"HTTPRoute", HTTPRouteSpec>;
export type GRPCRoute = K8sResource<"GRPCRoute", GRPCRouteSpec>;
export type ReferenceGrant = K8sResource<"ReferenceGrant", ReferenceGrantSpec>;

export type GatewayApiResource = GatewayClass | KubernetesGateway | HTTPRoute | GRPCRoute | ReferenceGrant;

export const GATEWAY_GROUP = "gateway.networking.k8s.io";

const KINDS = new Set(["GatewayClass", "KubernetesGateway", "HTTPRoute", "GRPCRoute", "ReferenceGrant"]);

/** Is this resource (of any kind meshsim reads) a Gateway API one? */
export function isGatewayApiResource<R extends { kind: string }>(r: R): r is Extract<R, GatewayApiResource> {
  return KINDS.has(r.kind);
}
