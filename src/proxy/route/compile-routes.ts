// A VirtualService's `http` rules turned into the ordered Envoy route list one proxy gets on one
// port, and the first-match lookup over it. Config-time selectors (match port, sourceLabels,
// sourceNamespace, per-match gateways) drop match entries here, as istiod does; every remaining
// match entry becomes its own route (entries are OR'ed); emission stops after the first catch-all.
// istio/istio pilot/pkg/networking/core/route/route.go (BuildHTTPRoutesForVirtualService,
// sourceMatchHTTP, translateRoute); https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPRoute
import { compileCors, type CompiledCors } from "./cors-policy.js";
import type { HTTPMatchRequest, HTTPRetry, HTTPRoute, VirtualService } from "../api/networking.js";
import type { HttpRequest, SourceContext } from "../http-request.js";
import { compileDestination, type CompiledDestination } from "./destination.js";
import { compileDirectResponse, type CompiledDirectResponse } from "./direct-response.js";
import { compileFault, type CompiledFault } from "./fault-injection.js";
import { compileHeaders, type CompiledHeaders } from "./header-operations.js";
import { DEFAULT_DOMAIN_SUFFIX } from "./host-name.js";
import { istioCompat, type IstioCompat } from "./istio-compat.js";
import { compileMirrors, type CompiledMirror } from "./mirror.js";
import { compileRedirect, type CompiledRedirect } from "./redirect.js";
import { convertRetryPolicy, type RetryPolicy } from "./retry-policy.js";
import { compileRewrite, type CompiledRewrite } from "./rewrite.js";
import { compileMatch, matchHolds, type CompiledMatch } from "./route-match.js";
import { MATCH_EXACT, MATCH_PATH_SEPARATED_PREFIX, MATCH_PREFIX } from "./string-match.js";
import { MESH_GATEWAY, proxyGatewayName, resolveGatewayName, ROUTE_SEMANTICS_ANNOTATION } from "./virtual-service-selection.js";
import { cumulativeWeights, effectiveDestinations } from "./weighted-destination.js";

export type RouteActionKind = "route" | "redirect" | "direct-response";

export interface CompiledRoute {
  /** Position in the compiled list. */
  readonly index: number;
  /** Index of the rule in `spec.http`. */
  readonly ruleIndex: number;
  /** Index of the entry in the rule's `match`, -1 when the rule has no `match`. */
  readonly matchIndex: number;
  /** Envoy route name: rule name, plus "." + match name when both exist. */
  readonly name: string;
  readonly rule: HTTPRoute;
  readonly match: CompiledMatch;
  readonly catchAll: boolean;
  readonly action: RouteActionKind;
  /** Effective destinations (weight-0 dropped when several); empty for redirect/direct response. */
  readonly destinations: readonly CompiledDestination[];
  readonly cumulativeWeights: Float64Array;
  /** Route timeout; undefined = disabled (Istio writes 0s when `timeout` is unset or 0). */
  readonly timeoutMs: number | undefined;
  /** undefined = no retries (attempts <= 0). */
  readonly retryPolicy: RetryPolicy | undefined;
  readonly fault: CompiledFault | undefined;
  readonly mirrors: readonly CompiledMirror[];
  readonly rewrite: CompiledRewrite | undefined;
  readonly redirect: CompiledRedirect | undefined;
  readonly directResponse: CompiledDirectResponse | undefined;
  /** Route-level header operations. */
  readonly headers: CompiledHeaders | undefined;
  /** host_rewrite_literal: rewrite.authority, else a route-level ":authority"/"host" header set. */
  readonly hostRewrite: string | undefined;
  /**
   * Envoy's cluster_not_found_response_code: 503 (NC) by default; 500 for Gateway API routes, whose
   * invalid or unpermitted backendRefs name the cluster "UnknownService" (route.go GetDestinationCluster).
   */
  readonly clusterNotFoundStatus: 500 | 503;
  /** The route's CORS policy (Gateway API's CORS filter): preflights Envoy answers itself (cors-policy.ts). */
  readonly cors: CompiledCors | undefined;
  /**
   * A forwarding route with nothing for the router to do before its first try: no fault, no route
   * timeout, no mirror. Computed once here, so that a request tests one field instead of the three
   * (mesh/sidecar/router.ts Router.route).
   */
  readonly plainForward: boolean;
}

export interface CompileOptions {
  domainSuffix?: string;
  compat?: Partial<IstioCompat>;
  /** MeshConfig defaultHttpRetryPolicy. */
  meshDefaultRetryPolicy?: HTTPRetry;
  /** Does the DestinationRule for this destination use consistent hashing? (drops previous_hosts) */
  consistentHash?: (host: string, subset: string | undefined, port: number) => boolean;
  /** Listener terminates TLS (gateways); only affects redirect default-port stripping. */
  isTls?: boolean;
  /**
   * Rules istiod generated from Gateway API routes (annotation internal.istio.io/route-semantics:
   * gateway): PathPrefix is path_separated_prefix and a backend with no cluster answers 500.
   * istio/istio route.go (UseGatewaySemantics in TranslateRouteMatch and applyHTTPRouteDestination).
   */
  gatewaySemantics?: boolean;
  /** The port of a destination host's service when it has exactly one (route.go GetDestinationCluster). */
  onlyPort?: (host: string) => number | undefined;
}

/** istiod's sourceMatchHTTP: per-match gateways, else sourceLabels ⊆ proxy labels and sourceNamespace. */
export function matchAppliesToSource(m: HTTPMatchRequest, vsNamespace: string, source: SourceContext): boolean {
  if (m.gateways !== undefined && m.gateways.length > 0) {
    // Note istiod's quirk: when `gateways` is set, sourceLabels/sourceNamespace are not checked.
    const me = proxyGatewayName(source);
    for (const g of m.gateways) if ((g === MESH_GATEWAY ? g : resolveGatewayName(g, vsNamespace)) === me) return true;
    return false;
  }
  if (m.sourceLabels !== undefined) {
    for (const k of Object.keys(m.sourceLabels)) if (source.labels[k] !== m.sourceLabels[k]) return false;
  }
  return m.sourceNamespace === undefined || m.sourceNamespace === "" || m.sourceNamespace === source.namespace;
}

function compileOne(
  rule: HTTPRoute, ruleIndex: number, m: HTTPMatchRequest | undefined, matchIndex: number,
  index: number, vsNamespace: string, port: number, opts: CompileOptions, compat: IstioCompat,
): CompiledRoute {
  const match = compileMatch(m, opts.gatewaySemantics === true);
  const suffix = opts.domainSuffix ?? DEFAULT_DOMAIN_SUFFIX;
  const u = match.uri;
  const matched = u.kind === MATCH_PREFIX || u.kind === MATCH_PATH_SEPARATED_PREFIX || u.kind === MATCH_EXACT ? u.value.length : 0;
  const redirect = compileRedirect(rule.redirect, port, opts.isTls, matched);
  const directResponse = redirect === undefined ? compileDirectResponse(rule.directResponse) : undefined;
  const action: RouteActionKind = redirect !== undefined ? "redirect" : directResponse !== undefined ? "direct-response" : "route";
  const destinations = action === "route"
    ? effectiveDestinations(rule.route).map(({ d, weight }) => compileDestination(d.destination, weight, d.headers, vsNamespace, port, suffix, opts.onlyPort))
    : [];
  const headers = compileHeaders(rule.headers);
  const rewrite = action === "route" ? compileRewrite(rule.rewrite) : undefined;
  const lone = rule.route !== undefined && rule.route.length === 1 ? destinations[0] : undefined;
  // istiod looks for a consistent-hash DR only for a single-destination rule.
  const consistentHash = lone !== undefined && opts.consistentHash !== undefined && opts.consistentHash(lone.host, lone.subset, lone.port ?? port);
  let name = rule.name ?? "";
  if (m?.name !== undefined && m.name !== "") name = `${name}.${m.name}`;
  const timeoutMs = action === "route" && rule.timeoutMs !== undefined && rule.timeoutMs > 0 ? rule.timeoutMs : undefined;
  const fault = compileFault(rule.fault);
  const mirrors = action === "route" ? compileMirrors(rule, vsNamespace, port, suffix, opts.onlyPort) : [];
  return Object.freeze({
    index, ruleIndex, matchIndex, name, rule, match, catchAll: match.catchAll, action,
    destinations, cumulativeWeights: cumulativeWeights(destinations),
    timeoutMs,
    retryPolicy: action === "route"
      ? convertRetryPolicy(rule.retries ?? opts.meshDefaultRetryPolicy, { consistentHash, compat })
      : undefined,
    fault,
    mirrors,
    plainForward: action === "route" && fault === undefined && timeoutMs === undefined && mirrors.length === 0,
    rewrite, redirect, directResponse, headers,
    hostRewrite: rewrite?.authority ?? headers?.authority,
    clusterNotFoundStatus: opts.gatewaySemantics === true ? 500 : 503,
    cors: compileCors(rule.corsPolicy),
  });
}

/**
 * Compile `http` rules written in namespace `vsNamespace` for one proxy and listener port.
 * Rules with `delegate` are skipped (delegation is not modelled).
 */
export function compileHttpRoutes(
  http: readonly HTTPRoute[] | undefined, vsNamespace: string, source: SourceContext, port: number,
  opts: CompileOptions = {},
): CompiledRoute[] {
  const out: CompiledRoute[] = [];
  if (http === undefined) return out;
  const compat = istioCompat(opts.compat);
  for (let r = 0; r < http.length; r++) {
    const rule = http[r] as HTTPRoute;
    if (rule.delegate !== undefined) continue;
    const matches = rule.match;
    if (matches === undefined || matches.length === 0) {
      out.push(compileOne(rule, r, undefined, -1, out.length, vsNamespace, port, opts, compat));
      break; // a rule without match is a catch-all: nothing after it is emitted
    }
    let catchAll = false;
    for (let i = 0; i < matches.length; i++) {
      const m = matches[i] as HTTPMatchRequest;
      if (m.port !== undefined && m.port !== 0 && m.port !== port) continue;
      if (!matchAppliesToSource(m, vsNamespace, source)) continue;
      const route = compileOne(rule, r, m, i, out.length, vsNamespace, port, opts, compat);
      out.push(route);
      if (route.catchAll) {
        catchAll = true;
        break;
      }
    }
    if (catchAll) break;
  }
  return out;
}

/** The compiled route list of a VirtualService for one proxy (`source`) and listener port. */
export function compileRoutes(vs: VirtualService, source: SourceContext, port: number, opts: CompileOptions = {}): CompiledRoute[] {
  const gatewaySemantics = vs.metadata.annotations[ROUTE_SEMANTICS_ANNOTATION] === "gateway";
  return compileHttpRoutes(vs.spec.http, vs.metadata.namespace, source, port, gatewaySemantics ? { ...opts, gatewaySemantics } : opts);
}

/** First route whose match holds (its `.index` is its position), or undefined ⇒ 404 NR. No allocation. */
export function matchRoute(routes: readonly CompiledRoute[], req: HttpRequest): CompiledRoute | undefined {
  for (let i = 0; i < routes.length; i++) {
    const r = routes[i] as CompiledRoute;
    if (matchHolds(r.match, req)) return r;
  }
  return undefined;
}

/** A sidecar in "default" with no labels: the context matchHttpRoutes uses unless told otherwise. */
export const DEFAULT_SIDECAR: SourceContext = Object.freeze({ namespace: "default", labels: Object.freeze({}) });

const httpCache = new WeakMap<readonly HTTPRoute[], { source: SourceContext; port: number; routes: CompiledRoute[] }>();

/**
 * Convenience for property tests and `explain`: match a request directly against `http` rules
 * (compiled once per array, source and port). Returns the matched compiled route, whose
 * `ruleIndex`/`matchIndex` point back into `http`.
 */
export function matchHttpRoutes(
  http: readonly HTTPRoute[], req: HttpRequest, source: SourceContext = DEFAULT_SIDECAR, port = 80,
): CompiledRoute | undefined {
  let c = httpCache.get(http);
  if (c === undefined || c.source !== source || c.port !== port) {
    c = { source, port, routes: compileHttpRoutes(http, source.namespace, source, port) };
    httpCache.set(http, c);
  }
  return matchRoute(c.routes, req);
}
