// HTTPRoute and GRPCRoute specs (gateway.networking.k8s.io v1) read as the API server admits them: the
// CRDs' OpenAPI schema and CEL rules, each error at its file:line:column and field path. Shared parts
// (references, filters, backendRefs, header matches) in gateway-api-fields.ts. Rules and messages:
// config/crd/standard/gateway.networking.k8s.io_{httproutes,grpcroutes}.yaml and apis/v1/*_types.go in
// github.com/kubernetes-sigs/gateway-api (retry: apis/v1/httproute_types.go HTTPRouteRetry, GEP-1731).
import type {
  GRPCRouteMatch, GRPCRouteRule, GRPCRouteSpec, HTTPRouteMatch, HTTPRouteRule, HTTPRouteSpec,
} from "../../proxy/api/gateway-api.js";
import { checkRegex } from "./istio-fields.js";
import type { YamlMap, YamlValue } from "../yaml-value.js";
import {
  SECTION_NAME, METHODS, FILTERS, pattern, oneOf, gwDuration, readParentRefs, readHostnames, readFilters, readBackendRefs, readHeaderMatches,
} from "./gateway-api-fields.js";

function readHttpMatch(v: YamlValue): HTTPRouteMatch | undefined {
  const m = v.map();
  if (!m) return undefined;
  let path: HTTPRouteMatch["path"] = { type: "PathPrefix", value: "/" };
  const pm = m.get("path")?.map();
  if (pm) {
    const type = pm.has("type") ? oneOf(pm.get("type"), ["Exact", "PathPrefix", "RegularExpression"] as const) : "PathPrefix";
    const valueV = pm.get("value");
    const value = valueV ? valueV.str() : "/";
    pm.done();
    if (type === undefined || value === undefined) return undefined;
    if (value.length > 1024) return valueV!.error("must be at most 1024 characters");
    if (type === "RegularExpression") {
      if (!checkRegex(valueV ?? pm.value, value)) return undefined;
    } else {
      // The CRD's CEL rules on HTTPPathMatch, in its order and words.
      const at = valueV ?? pm.value;
      if (!value.startsWith("/")) return at.error(`value must be an absolute path and start with '/' when type one of ['Exact', 'PathPrefix']`);
      for (const bad of ["//", "/./", "/../", "%2f", "%2F", "#"]) {
        if (value.includes(bad)) return at.error(`must not contain '${bad}' when type one of ['Exact', 'PathPrefix']`);
      }
      for (const bad of ["/..", "/."]) {
        if (value.endsWith(bad)) return at.error(`must not end with '${bad}' when type one of ['Exact', 'PathPrefix']`);
      }
      if (!/^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|%[0-9a-fA-F]{2})+$/.test(value)) {
        return at.error(`must only contain valid characters (matching ^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|[%][0-9a-fA-F]{2})+$) for types ['Exact', 'PathPrefix']`);
      }
    }
    path = { type, value };
  }
  const headers = readHeaderMatches(m.get("headers"), "header");
  const queryParams = readHeaderMatches(m.get("queryParams"), "query parameter");
  const method = m.has("method") ? oneOf(m.get("method"), METHODS) : undefined;
  m.done();
  const out: HTTPRouteMatch = { path };
  if (headers && headers.length > 0) out.headers = headers;
  if (queryParams && queryParams.length > 0) out.queryParams = queryParams;
  if (method !== undefined) out.method = method;
  return out;
}

function readHttpRule(v: YamlValue): HTTPRouteRule | undefined {
  const m = v.map();
  if (!m) return undefined;
  const name = m.has("name") ? pattern(m.get("name"), SECTION_NAME, "rule name") : undefined;
  const matchesV = m.get("matches");
  const matchList = matchesV?.list();
  if (matchList && matchList.length > 64) matchesV!.error("must have at most 64 items");
  const matches = matchList ? matchList.map(readHttpMatch).filter((x): x is HTTPRouteMatch => x !== undefined)
    : [{ path: { type: "PathPrefix" as const, value: "/" } }];
  // CORS: experimental in Gateway API v1.3–v1.4, standard since v1.5 (on a rule and on a backendRef).
  const filters = readFilters(m.get("filters"), [...FILTERS, "CORS"]);
  const backendRefs = readBackendRefs(m.get("backendRefs"), ["RequestHeaderModifier", "ResponseHeaderModifier", "RequestMirror", "RequestRedirect", "URLRewrite", "CORS"]);
  const out: HTTPRouteRule = { matches };
  if (name !== undefined) out.name = name;
  if (filters && filters.length > 0) out.filters = filters;
  if (backendRefs) out.backendRefs = backendRefs;
  const tm = m.get("timeouts")?.map();
  if (tm) {
    const requestMs = gwDuration(tm.get("request"));
    const backendRequestMs = gwDuration(tm.get("backendRequest"));
    tm.done();
    // CEL: "backendRequest timeout cannot be longer than request timeout" (unless request is 0s).
    if (requestMs !== undefined && backendRequestMs !== undefined && requestMs !== 0 && backendRequestMs > requestMs) {
      tm.error("backendRequest timeout cannot be longer than request timeout");
    }
    out.timeouts = {};
    if (requestMs !== undefined) out.timeouts.requestMs = requestMs;
    if (backendRequestMs !== undefined) out.timeouts.backendRequestMs = backendRequestMs;
  }
  const rm = m.get("retry")?.map();
  if (rm) {
    const codes = rm.get("codes")?.list()?.map((c) => c.int({ min: 400, max: 599 })).filter((c): c is number => c !== undefined);
    const attempts = rm.has("attempts") ? rm.get("attempts")?.int({ min: 0 }) : undefined;
    const backoffMs = gwDuration(rm.get("backoff"));
    rm.done();
    out.retry = {};
    if (codes) out.retry.codes = codes;
    if (attempts !== undefined) out.retry.attempts = attempts;
    if (backoffMs !== undefined) out.retry.backoffMs = backoffMs;
  }
  m.done();
  // Rule-level CEL rules.
  const hasRedirect = (out.filters ?? []).some((f) => f.type === "RequestRedirect");
  if ((out.backendRefs?.length ?? 0) > 0 && hasRedirect) m.error("RequestRedirect filter must not be used together with backendRefs");
  const prefixModifier = (out.filters ?? []).some((f) =>
    (f.type === "RequestRedirect" && f.requestRedirect.path?.type === "ReplacePrefixMatch")
    || (f.type === "URLRewrite" && f.urlRewrite.path?.type === "ReplacePrefixMatch"));
  if (prefixModifier && (out.matches.length !== 1 || out.matches[0]!.path.type !== "PathPrefix")) {
    const which = hasRedirect ? "RequestRedirect" : "URLRewrite";
    m.error(`When using ${which} filter with path.replacePrefixMatch, exactly one PathPrefix match must be specified`);
  }
  return out;
}

function countMatches(rulesV: YamlValue, rules: { matches: unknown[] }[]): void {
  // CEL on spec.rules: "While 16 rules and 64 matches per rule are allowed, the total number of
  // matches across all rules in a route must be less than 128".
  const total = rules.reduce((n, r) => n + r.matches.length, 0);
  if (total > 128) rulesV.error("While 16 rules and 64 matches per rule are allowed, the total number of matches across all rules in a route must be less than 128");
}

export function readHTTPRouteSpec(spec: YamlMap): HTTPRouteSpec | undefined {
  const parentRefs = readParentRefs(spec);
  const hostnames = readHostnames(spec);
  const rulesV = spec.get("rules");
  const ruleList = rulesV?.list();
  if (ruleList && ruleList.length > 16) rulesV!.error("must have at most 16 items");
  // The CRD defaults `rules` to one rule matching PathPrefix "/"; with no backendRefs it answers 500
  // (the spec: no forwarding and no filter that answers ⇒ 500; istiod: a direct response 500).
  const rules = ruleList ? ruleList.map(readHttpRule).filter((r): r is HTTPRouteRule => r !== undefined)
    : [{ matches: [{ path: { type: "PathPrefix" as const, value: "/" } }] }];
  if (rulesV) countMatches(rulesV, rules);
  // CEL: rule names must be unique within the route.
  const names = rules.map((r) => r.name).filter((n): n is string => n !== undefined);
  if (rulesV && new Set(names).size !== names.length) rulesV.error("Rule name must be unique within the route");
  const out: HTTPRouteSpec = { parentRefs, rules };
  if (hostnames) out.hostnames = hostnames;
  return out;
}

function readGrpcMatch(v: YamlValue): GRPCRouteMatch | undefined {
  const m = v.map();
  if (!m) return undefined;
  const out: GRPCRouteMatch = {};
  const mm = m.get("method")?.map();
  if (mm) {
    const type = mm.has("type") ? oneOf(mm.get("type"), ["Exact", "RegularExpression"] as const) : "Exact";
    const service = mm.get("service")?.str();
    const method = mm.get("method")?.str();
    mm.done();
    if (type === undefined) return undefined;
    // CEL rules of GRPCMethodMatch.
    if (service === undefined && method === undefined) return mm.error("One or both of 'service' or 'method' must be specified");
    if (type === "Exact") {
      if (service !== undefined && !/^(?:[A-Za-z_][A-Za-z_0-9]*\.)*[A-Za-z_][A-Za-z_0-9]*$/.test(service)) return mm.get("service")!.error("service must only contain valid characters (matching ^(?i)\\.?[a-z_][a-z_0-9]*(\\.[a-z_][a-z_0-9]*)*$)");
      if (method !== undefined && !/^[A-Za-z_][A-Za-z_0-9]*$/.test(method)) return mm.get("method")!.error("method must only contain valid characters (matching ^[A-Za-z_][A-Za-z_0-9]*$)");
    } else {
      if (service !== undefined && !checkRegex(mm.get("service")!, service)) return undefined;
      if (method !== undefined && !checkRegex(mm.get("method")!, method)) return undefined;
    }
    out.method = { type };
    if (service !== undefined) out.method.service = service;
    if (method !== undefined) out.method.method = method;
  }
  const headers = readHeaderMatches(m.get("headers"), "header");
  if (headers && headers.length > 0) out.headers = headers;
  m.done();
  return out;
}

export function readGRPCRouteSpec(spec: YamlMap): GRPCRouteSpec | undefined {
  const parentRefs = readParentRefs(spec);
  const hostnames = readHostnames(spec);
  const rulesV = spec.get("rules");
  const rules: GRPCRouteRule[] = [];
  for (const rv of rulesV?.list() ?? []) {
    const m = rv.map();
    if (!m) continue;
    const name = m.has("name") ? pattern(m.get("name"), SECTION_NAME, "rule name") : undefined;
    const matches = (m.get("matches")?.list() ?? []).map(readGrpcMatch).filter((x): x is GRPCRouteMatch => x !== undefined);
    const filters = readFilters(m.get("filters"), ["RequestHeaderModifier", "ResponseHeaderModifier", "RequestMirror"]);
    const backendRefs = readBackendRefs(m.get("backendRefs"), ["RequestHeaderModifier", "ResponseHeaderModifier", "RequestMirror"]);
    m.done();
    const r: GRPCRouteRule = { matches };
    if (name !== undefined) r.name = name;
    if (filters && filters.length > 0) r.filters = filters;
    if (backendRefs) r.backendRefs = backendRefs;
    rules.push(r);
  }
  if (rulesV) countMatches(rulesV, rules);
  const out: GRPCRouteSpec = { parentRefs, rules };
  if (hostnames) out.hostnames = hostnames;
  return out;
}
