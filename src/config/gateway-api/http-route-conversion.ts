// One HTTPRoute or GRPCRoute rule (with one of its matches) turned into the VirtualService rule
// istiod generates for it, field by field as istiod does: route name "<ns>.<route>.<rule index>"
// unless the rule is named; PathPrefix "/x/" → prefix "/x" (Envoy path_separated_prefix under gateway
// semantics, see compile-routes.ts); filters → headers / redirect / rewrite / mirrors; `retry` →
// HTTPRetry on "connect-failure,refused-stream,unavailable,cancelled" + the codes, attempts default 2;
// `timeouts.request` → timeout, `backendRequest` → perTryTimeout (or the timeout when no retry);
// backendRefs weighted (default 1, 0 dropped), a total of 0 → direct response 500; an unresolvable
// or unpermitted backendRef → a destination with no host (cluster "UnknownService", 500 for its share).
// istio/istio pilot/pkg/config/kube/gateway/conversion.go (convertHTTPRoute, convertGRPCRoute,
// buildHTTPDestination, buildDestination, createRedirectFilter, createRewriteFilter,
// createMirrorFilter, createURIMatch, createGRPCURIMatch).
import type {
  BackendObjectReference, GRPCRouteMatch, HTTPBackendRef, HTTPCORSFilter, HTTPHeaderFilter, HTTPHeaderMatch, HTTPRouteFilter,
  HTTPRouteMatch, HTTPRouteRetry, HTTPRouteTimeouts,
} from "../../proxy/api/gateway-api.js";
import type {
  CorsPolicy, Destination, HeaderOperations, HTTPMatchRequest, HTTPRoute as IstioHTTPRoute, HTTPRouteDestination, StringMatch,
} from "../../proxy/api/networking.js";
import { backendAllowed } from "./reference-grant.js";
import type { ReferenceGrant } from "../../proxy/api/gateway-api.js";

/** A reason a route's references did not resolve (Gateway API's ResolvedRefs reasons). */
export interface ConfigError {
  readonly reason: "BackendNotFound" | "RefNotPermitted" | "InvalidKind" | "InvalidDestination" | "InvalidFilter";
  readonly message: string;
}

/** What the conversion reads besides the route: which Services exist and the ReferenceGrants. */
export interface ConversionContext {
  /** "namespace/name" of every Service. */
  readonly services: ReadonlySet<string>;
  readonly grants: readonly ReferenceGrant[];
  readonly domainSuffix: string;
  /**
   * Check ReferenceGrants for cross-namespace backends: istiod does for routes of a Gateway, not for
   * mesh (GAMMA) routes (`convertHTTPRoute(ctx, r, obj, n, !mesh)` in route_collections.go).
   */
  readonly enforceRefGrant: boolean;
}

export interface RouteOwner {
  readonly kind: "HTTPRoute" | "GRPCRoute";
  readonly namespace: string;
  readonly name: string;
}

// "Implementations SHOULD retry on connection errors (disconnect, reset, timeout, TCP failure) if a
// retry stanza is configured." (conversion.go convertHTTPRoute)
const RETRY_ON_CONNECTION = ["connect-failure", "refused-stream", "unavailable", "cancelled"];

function exact(s: string): StringMatch { return { exact: s }; }

function stringMatch(m: HTTPHeaderMatch): StringMatch {
  return m.type === "RegularExpression" ? { regex: m.value } : exact(m.value);
}

/**
 * createHeadersMatch / createQueryParamsMatch: keyed by the name as written. The spec says of header
 * matches "foo" and "Foo" that only the first counts; istiod keeps both, and Envoy (header names
 * case-insensitive) then requires both. meshsim models istiod.
 */
function headerMap(list: readonly HTTPHeaderMatch[] | undefined): Record<string, StringMatch> | undefined {
  if (list === undefined || list.length === 0) return undefined;
  const out: Record<string, StringMatch> = {};
  for (const h of list) out[h.name] = stringMatch(h);
  return out;
}

/** createURIMatch: PathPrefix drops a trailing "/" (except "/" itself). */
export function uriMatch(m: HTTPRouteMatch): StringMatch {
  const { type, value } = m.path;
  if (type === "Exact") return { exact: value };
  if (type === "RegularExpression") return { regex: value };
  return { prefix: value !== "/" && value.endsWith("/") ? value.slice(0, -1) : value };
}

/** createGRPCURIMatch: gRPC's path is "/<service>/<method>". */
export function grpcUriMatch(m: GRPCRouteMatch): StringMatch | undefined {
  const mm = m.method;
  if (mm === undefined) return undefined;
  const { service, method } = mm;
  if (mm.type === "Exact") {
    if (method === undefined) return { prefix: `/${service}/` };
    if (service === undefined) return { regex: `/[^/]+/${method}` };
    return { exact: `/${service}/${method}` };
  }
  if (method === undefined) return { regex: `/${service}/.+` };
  if (service === undefined) return { regex: `/[^/]+/${method}` };
  return { regex: `/${service}/${method}` };
}

function headerOps(f: HTTPHeaderFilter): HeaderOperations {
  const out: HeaderOperations = {};
  const toMap = (l: { name: string; value: string }[] | undefined) => {
    if (l === undefined || l.length === 0) return undefined;
    const m: Record<string, string> = {};
    // headerListToMap: "Subsequent entries with an equivalent header name MUST be ignored" (first wins).
    for (const h of l) {
      const k = h.name.toLowerCase();
      if (!(k in m)) m[k] = h.value;
    }
    return m;
  };
  const set = toMap(f.set), add = toMap(f.add);
  if (set) out.set = set;
  if (add) out.add = add;
  if (f.remove && f.remove.length > 0) out.remove = f.remove.map((r) => r.toLowerCase());
  return out;
}

/** buildDestination: the Service's FQDN and port, or an error for the route's status (and a 500). */
export function buildDestination(
  ref: BackendObjectReference, owner: RouteOwner, ctx: ConversionContext,
): { destination: Destination; error: ConfigError | undefined } {
  const ns = ref.namespace ?? owner.namespace;
  if (ctx.enforceRefGrant && !backendAllowed(ctx.grants, owner.kind, owner.namespace, ref.group, ref.kind, ref.name, ns)) {
    return { destination: { host: "" }, error: { reason: "RefNotPermitted", message: `backendRef ${ref.name}/${ns} not accessible to a ${owner.kind} in namespace "${owner.namespace}" (missing a ReferenceGrant?)` } };
  }
  if (ref.group !== "" || ref.kind !== "Service") {
    return { destination: { host: "" }, error: { reason: "InvalidKind", message: `referencing unsupported backendRef: group "${ref.group}" kind "${ref.kind}"` } };
  }
  if (ref.name.includes(".")) {
    return { destination: { host: "" }, error: { reason: "InvalidDestination", message: "service name invalid; the name of the Service must be used, not the hostname." } };
  }
  const host = `${ref.name}.${ns}.svc.${ctx.domainSuffix}`;
  const destination: Destination = ref.port === undefined ? { host } : { host, port: { number: ref.port } };
  if (!ctx.services.has(`${ns}/${ref.name}`)) {
    return { destination: { host: "" }, error: { reason: "BackendNotFound", message: `backend(${host}) not found` } };
  }
  return { destination, error: undefined };
}

interface RuleParts {
  readonly name: string | undefined;
  readonly filters: readonly HTTPRouteFilter[] | undefined;
  readonly backendRefs: readonly HTTPBackendRef[] | undefined;
  readonly timeouts?: HTTPRouteTimeouts | undefined;
  readonly retry?: HTTPRouteRetry | undefined;
}

export interface ConvertedRule {
  readonly route: IstioHTTPRoute;
  /** The references that did not resolve (the rule still routes; that share answers 500): the last backend's and mirror's, joined. */
  readonly error: ConfigError | undefined;
  /**
   * An error istiod cannot convert past (convertHTTPRoute returns no route): the whole route then
   * yields no VirtualService for its parents of that kind (route_collections.go computeRoute, "This
   * was a hard error").
   */
  readonly hard?: ConfigError;
}

function weightSum(refs: readonly HTTPBackendRef[] | undefined): number {
  let s = 0;
  for (const r of refs ?? []) s += r.weight;
  return s;
}

/** convertHTTPRoute / convertGRPCRoute after the match: filters, retry, timeouts, destinations. */
function convertRule(rule: RuleParts, pos: number, match: HTTPMatchRequest | undefined, owner: RouteOwner, ctx: ConversionContext): ConvertedRule {
  const vs: IstioHTTPRoute = { name: rule.name ?? `${owner.namespace}.${owner.name}.${pos}` };
  if (match !== undefined) vs.match = [match];
  // istiod keeps the last mirror error and the last backend error of a rule and joins the two
  // (convertHTTPRoute, buildHTTPDestination, joinErrors).
  let error: ConfigError | undefined;
  let backendError: ConfigError | undefined;
  for (const f of rule.filters ?? []) {
    switch (f.type) {
      case "RequestHeaderModifier": (vs.headers ??= {}).request = headerOps(f.requestHeaderModifier); break;
      case "ResponseHeaderModifier": (vs.headers ??= {}).response = headerOps(f.responseHeaderModifier); break;
      case "RequestRedirect": {
        const r = f.requestRedirect;
        // Gateway API's default code is 302 (Istio's is 301); "When empty, port (if specified) of the
        // request is used" — FROM_REQUEST_PORT, or the scheme's default when the scheme changes.
        vs.redirect = { redirectCode: r.statusCode ?? 302 };
        if (r.hostname !== undefined) vs.redirect.authority = r.hostname;
        if (r.scheme !== undefined) vs.redirect.scheme = r.scheme;
        if (r.port !== undefined) vs.redirect.port = r.port;
        else vs.redirect.derivePort = r.scheme !== undefined ? "FROM_PROTOCOL_DEFAULT" : "FROM_REQUEST_PORT";
        if (r.path?.type === "ReplaceFullPath") vs.redirect.uri = r.path.replaceFullPath;
        else if (r.path?.type === "ReplacePrefixMatch") vs.redirect.prefixRewrite = r.path.replacePrefixMatch;
        break;
      }
      case "URLRewrite": {
        const r = f.urlRewrite;
        const rw: NonNullable<IstioHTTPRoute["rewrite"]> = {};
        if (r.path?.type === "ReplacePrefixMatch") {
          const uri = r.path.replacePrefixMatch.endsWith("/") ? r.path.replacePrefixMatch.slice(0, -1) : r.path.replacePrefixMatch;
          const prefix = match?.uri !== undefined && "prefix" in match.uri ? match.uri.prefix : "/";
          // "/" removes the prefix: route.go emits regex_rewrite ^<prefix>(/?)(.*) → /\2 under gateway semantics.
          if (uri === "") rw.uriRegexRewrite = { match: `^${escapeRe2(prefix)}(/?)(.*)`, rewrite: "/\\2" };
          else rw.uri = uri;
        } else if (r.path?.type === "ReplaceFullPath") {
          rw.uriRegexRewrite = { match: "/.*", rewrite: r.path.replaceFullPath };
        }
        if (r.hostname !== undefined) rw.authority = r.hostname;
        if (rw.uri !== undefined || rw.uriRegexRewrite !== undefined || rw.authority !== undefined) vs.rewrite = rw;
        break;
      }
      case "CORS": vs.corsPolicy = corsPolicy(f.cors); break;
      case "ExtensionRef":
      case "ExternalAuth":
        return { route: vs, error, hard: { reason: "InvalidFilter", message: `unsupported filter type "${f.type}"` } };
      case "RequestMirror": {
        const m = f.requestMirror;
        const d = buildDestination(m.backendRef, owner, ctx);
        // A mirror that does not resolve is dropped for an HTTPRoute; for a GRPCRoute it fails the
        // route (convertGRPCRoute returns the error).
        if (d.error !== undefined && owner.kind === "GRPCRoute") return { route: vs, error, hard: d.error };
        if (d.error !== undefined) { error = d.error; break; }
        const value = m.fraction !== undefined ? (100 * m.fraction.numerator) / m.fraction.denominator : m.percent;
        (vs.mirrors ??= []).push(value === undefined ? { destination: d.destination } : { destination: d.destination, percentage: { value } });
        break;
      }
    }
  }
  if (rule.retry !== undefined) {
    const attempts = rule.retry.attempts ?? 2;
    vs.retries = { attempts, retryOn: attempts === 0 ? "" : [...RETRY_ON_CONNECTION, ...(rule.retry.codes ?? []).map(String)].join(",") };
    if (rule.retry.backoffMs !== undefined) vs.retries.backoffMs = rule.retry.backoffMs;
  }
  const t = rule.timeouts;
  if (t !== undefined) {
    if (t.requestMs !== undefined && t.requestMs !== 0) vs.timeoutMs = t.requestMs;
    if (t.backendRequestMs !== undefined && t.backendRequestMs !== 0) {
      if (vs.retries !== undefined) vs.retries.perTryTimeoutMs = t.backendRequestMs;
      else vs.timeoutMs = t.backendRequestMs;
    }
  }
  if (weightSum(rule.backendRefs) === 0 && vs.redirect === undefined) {
    // "when there are no >0 weight backends return 500" (the spec; conversion.go).
    vs.directResponse = { status: 500 };
    return { route: vs, error };
  }
  const refs = (rule.backendRefs ?? []).filter((b) => b.weight !== 0);
  if (refs.length === 0) return { route: vs, error };
  const route: HTTPRouteDestination[] = [];
  for (const b of refs) {
    const d = buildDestination(b, owner, ctx);
    // isInvalidBackend: RefNotPermitted, BackendNotFound and InvalidKind leave that backend answering
    // 500; InvalidDestination (a Service named by its hostname) is a hard error, as InvalidFilter.
    if (d.error?.reason === "InvalidDestination") return { route: vs, error, hard: d.error };
    if (d.error !== undefined) backendError = d.error;
    // A lone backend gets weight 0 in Istio's VirtualService (= all of it); several keep theirs.
    const rd: HTTPRouteDestination = { destination: d.destination, weight: refs.length === 1 ? 100 : b.weight };
    for (const f of b.filters ?? []) {
      if (f.type === "RequestHeaderModifier") (rd.headers ??= {}).request = headerOps(f.requestHeaderModifier);
      else if (f.type === "ResponseHeaderModifier") (rd.headers ??= {}).response = headerOps(f.responseHeaderModifier);
      // buildHTTPDestination converts only the header modifiers on a backendRef; any other filter the
      // CRD admits there (RequestMirror, RequestRedirect, URLRewrite) is InvalidFilter, a hard error.
      else return { route: vs, error, hard: { reason: "InvalidFilter", message: `unsupported filter type "${f.type}"` } };
    }
    route.push(rd);
  }
  vs.route = route;
  return { route: vs, error: joinErrors(backendError, error) };
}

/**
 * createCorsFilter: each allowed origin as a StringMatch — `*` a regex for any well-formed origin,
 * no wildcard exact, one trailing `*` a prefix, other wildcards a regex — and unmatchedPreflights
 * IGNORE, so Envoy answers every preflight itself (forward_not_matching_preflights false).
 */
function corsPolicy(f: HTTPCORSFilter): CorsPolicy {
  const allowOrigins: StringMatch[] = [];
  for (const o of f.allowOrigins ?? []) {
    if (o === "*") allowOrigins.push({ regex: "^[a-zA-Z][a-zA-Z0-9+.-]*://[^/\\s?#]+$" });
    else if (!o.includes("*")) allowOrigins.push({ exact: o });
    else if (o.indexOf("*") === o.length - 1) allowOrigins.push({ prefix: o.slice(0, -1) });
    else allowOrigins.push({ regex: `^${escapeRe2(o).replaceAll("\\*", ".*")}$` });
  }
  const out: CorsPolicy = { allowOrigins, unmatchedPreflights: "IGNORE" };
  if (f.allowCredentials === true) out.allowCredentials = true;
  if (f.allowMethods !== undefined) out.allowMethods = f.allowMethods;
  if (f.allowHeaders !== undefined) out.allowHeaders = f.allowHeaders;
  if (f.exposeHeaders !== undefined) out.exposeHeaders = f.exposeHeaders;
  if (f.maxAge > 0) out.maxAgeMs = f.maxAge * 1000;
  return out;
}

/** joinErrors: the backend's reason, both messages. */
function joinErrors(a: ConfigError | undefined, b: ConfigError | undefined): ConfigError | undefined {
  if (b === undefined) return a;
  if (a === undefined) return b;
  return { reason: a.reason, message: `${a.message}; ${b.message}` };
}

function escapeRe2(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|]/g, "\\$&");
}

/** The VirtualService rule of match `match` (undefined: the rule has no matches) of rule `pos`. */
export function convertHTTPRouteRule(
  rule: { name?: string; filters?: HTTPRouteFilter[]; backendRefs?: HTTPBackendRef[]; timeouts?: HTTPRouteTimeouts; retry?: HTTPRouteRetry },
  pos: number, match: HTTPRouteMatch | undefined, owner: RouteOwner, ctx: ConversionContext,
): ConvertedRule {
  let m: HTTPMatchRequest | undefined;
  if (match !== undefined) {
    m = { uri: uriMatch(match) };
    const h = headerMap(match.headers), q = headerMap(match.queryParams);
    if (h) m.headers = h;
    if (q) m.queryParams = q;
    if (match.method !== undefined) m.method = exact(match.method);
  }
  return convertRule({ name: rule.name, filters: rule.filters, backendRefs: rule.backendRefs, timeouts: rule.timeouts, retry: rule.retry }, pos, m, owner, ctx);
}

export function convertGRPCRouteRule(
  rule: { name?: string; filters?: HTTPRouteFilter[]; backendRefs?: HTTPBackendRef[] },
  pos: number, match: GRPCRouteMatch | undefined, owner: RouteOwner, ctx: ConversionContext,
): ConvertedRule {
  let m: HTTPMatchRequest | undefined;
  if (match !== undefined) {
    m = {};
    const uri = grpcUriMatch(match);
    if (uri) m.uri = uri;
    const h = headerMap(match.headers);
    if (h) m.headers = h;
  }
  return convertRule({ name: rule.name, filters: rule.filters, backendRefs: rule.backendRefs }, pos, m, owner, ctx);
}
