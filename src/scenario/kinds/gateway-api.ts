// Gateway API resources (gateway.networking.k8s.io v1; v1beta1 where the CRDs still serve it) read as
// the API server would admit them: the CRDs' OpenAPI schema (enums, patterns, min/max, defaults) and
// their CEL rules (x-kubernetes-validations), each error at its file:line:column and field path.
// Rules and messages: config/crd/standard/gateway.networking.k8s.io_{gateways,httproutes,grpcroutes,
// referencegrants,gatewayclasses}.yaml and apis/v1/*_types.go in github.com/kubernetes-sigs/gateway-api
// (retry: apis/v1/httproute_types.go HTTPRouteRetry, GEP-1731).
import type {
  BackendObjectReference, GatewayClassSpec, GatewaySpecV1, GRPCRouteMatch, GRPCRouteRule, GRPCRouteSpec,
  HTTPBackendRef, HTTPHeaderFilter, HTTPHeaderMatch, HTTPPathModifier, HTTPRouteFilter, HTTPRouteMatch,
  HTTPRouteRule, HTTPRouteSpec, Listener, ParentReference, ReferenceGrantSpec,
} from "../../proxy/api/gateway-api.js";
import { GATEWAY_GROUP } from "../../proxy/api/gateway-api.js";
import { parseDuration } from "../duration.js";
import type { YamlMap, YamlValue } from "../yaml-value.js";
import { checkRegex } from "./istio-fields.js";

// apis/v1/shared_types.go: Hostname, PreciseHostname, SectionName, Kind, Group patterns.
const HOSTNAME = /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const PRECISE_HOSTNAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const SECTION_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const GROUP = /^$|^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const KIND = /^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$/;
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/;
// Gateway API's Duration (GEP-2257): ^([0-9]{1,5}(h|m|s|ms)){1,4}$
const GW_DURATION = /^([0-9]{1,5}(h|m|s|ms)){1,4}$/;
const METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"];
const FILTERS = ["RequestHeaderModifier", "ResponseHeaderModifier", "RequestRedirect", "URLRewrite", "RequestMirror"];
// Filter types the CRD admits that meshsim does not model: a warning, and the filter is dropped.
const OTHER_FILTERS = ["ExtensionRef", "CORS", "ExternalAuth"];

function pattern(v: YamlValue | undefined, re: RegExp, what: string, max = 253): string | undefined {
  const s = v?.str();
  if (s === undefined) return undefined;
  if (s.length > max) return v!.error(`must be at most ${max} characters`);
  if (!re.test(s)) return v!.error(`${JSON.stringify(s)} is not a valid ${what} (pattern ${re.source})`);
  return s;
}

function oneOf<T extends string>(v: YamlValue | undefined, values: readonly T[]): T | undefined {
  const s = v?.str();
  if (s === undefined) return undefined;
  if (!(values as readonly string[]).includes(s)) return v!.error(`must be one of ${values.join(", ")}; got ${JSON.stringify(s)}`);
  return s as T;
}

/** A Gateway API Duration: the GEP-2257 pattern, in milliseconds. */
function gwDuration(v: YamlValue | undefined): number | undefined {
  const s = v?.str();
  if (s === undefined) return undefined;
  if (!GW_DURATION.test(s)) return v!.error(`${JSON.stringify(s)} is not a Gateway API duration (pattern ^([0-9]{1,5}(h|m|s|ms)){1,4}$, e.g. "10s", "500ms", "1m30s")`);
  return parseDuration(s);
}

function readParentRef(v: YamlValue): ParentReference | undefined {
  const m = v.map();
  if (!m) return undefined;
  const group = m.has("group") ? pattern(m.get("group"), GROUP, "group") : GATEWAY_GROUP;
  const kind = m.has("kind") ? pattern(m.get("kind"), KIND, "kind", 63) : "Gateway";
  const namespace = m.has("namespace") ? pattern(m.get("namespace"), PRECISE_HOSTNAME, "namespace", 63) : undefined;
  const name = m.req("name")?.nonEmptyStr();
  const sectionName = m.has("sectionName") ? pattern(m.get("sectionName"), SECTION_NAME, "section name") : undefined;
  const port = m.has("port") ? m.get("port")?.port() : undefined;
  m.done();
  if (group === undefined || kind === undefined || name === undefined) return undefined;
  const out: ParentReference = { group, kind, name };
  if (namespace !== undefined) out.namespace = namespace;
  if (sectionName !== undefined) out.sectionName = sectionName;
  if (port !== undefined) out.port = port;
  return out;
}

function readParentRefs(spec: YamlMap): ParentReference[] {
  const v = spec.get("parentRefs");
  const list = v?.list() ?? [];
  if (list.length > 32) v!.error("must have at most 32 items");
  const out: ParentReference[] = [];
  for (const p of list) { const r = readParentRef(p); if (r) out.push(r); }
  // CEL on spec.parentRefs: "sectionName or port must be specified when parentRefs includes 2 or more
  // references to the same parent", and "sectionName or port must be unique when parentRefs includes 2
  // or more references to the same parent".
  for (let i = 0; i < out.length; i++) {
    for (let j = i + 1; j < out.length; j++) {
      const a = out[i]!, b = out[j]!;
      if (a.group !== b.group || a.kind !== b.kind || a.name !== b.name || (a.namespace ?? "") !== (b.namespace ?? "")) continue;
      if ((a.sectionName ?? "") === "" && a.port === undefined || (b.sectionName ?? "") === "" && b.port === undefined) {
        v!.error("sectionName or port must be specified when parentRefs includes 2 or more references to the same parent");
      } else if ((a.sectionName ?? "") === (b.sectionName ?? "") && a.port === b.port) {
        v!.error("sectionName or port must be unique when parentRefs includes 2 or more references to the same parent");
      }
    }
  }
  return out;
}

function readHostnames(spec: YamlMap): string[] | undefined {
  const v = spec.get("hostnames");
  if (!v) return undefined;
  const list = v.list() ?? [];
  if (list.length > 16) v.error("must have at most 16 items");
  return list.map((h) => pattern(h, HOSTNAME, "hostname")).filter((h): h is string => h !== undefined);
}

function readBackendObjectRef(m: YamlMap): BackendObjectReference | undefined {
  const group = m.has("group") ? pattern(m.get("group"), GROUP, "group") : "";
  const kind = m.has("kind") ? pattern(m.get("kind"), KIND, "kind", 63) : "Service";
  const name = m.req("name")?.nonEmptyStr();
  const namespace = m.has("namespace") ? pattern(m.get("namespace"), PRECISE_HOSTNAME, "namespace", 63) : undefined;
  const port = m.has("port") ? m.get("port")?.port() : undefined;
  if (group === undefined || kind === undefined || name === undefined) return undefined;
  // CEL: "Must have port for Service reference".
  if (group === "" && kind === "Service" && port === undefined && !m.has("port")) {
    m.error("Must have port for Service reference");
    return undefined;
  }
  const out: BackendObjectReference = { group, kind, name };
  if (namespace !== undefined) out.namespace = namespace;
  if (port !== undefined) out.port = port;
  return out;
}

function readHeaderFilter(v: YamlValue | undefined): HTTPHeaderFilter | undefined {
  const m = v?.map();
  if (!m) return undefined;
  const out: HTTPHeaderFilter = {};
  for (const key of ["set", "add"] as const) {
    const l = m.get(key)?.list();
    if (!l) continue;
    const names = new Set<string>();
    out[key] = [];
    for (const hv of l) {
      const hm = hv.map();
      if (!hm) continue;
      const nameV = hm.req("name");
      const name = pattern(nameV, HEADER_NAME, "header name", 256);
      const value = hm.req("value")?.str();
      hm.done();
      if (name === undefined || value === undefined) continue;
      // listType map keyed by name: names must be unique (case-insensitively, per the field's doc).
      if (names.has(name.toLowerCase())) nameV!.error(`duplicate header name ${JSON.stringify(name)}`);
      names.add(name.toLowerCase());
      out[key]!.push({ name, value });
    }
  }
  const rm = m.get("remove")?.strList();
  if (rm) out.remove = rm;
  m.done();
  return out;
}

function readPathModifier(v: YamlValue | undefined): HTTPPathModifier | undefined {
  const m = v?.map();
  if (!m) return undefined;
  const type = oneOf(m.req("type"), ["ReplaceFullPath", "ReplacePrefixMatch"] as const);
  const full = m.get("replaceFullPath")?.str();
  const prefix = m.get("replacePrefixMatch")?.str();
  m.done();
  // CEL rules of HTTPPathModifier.
  if (type === "ReplaceFullPath") {
    if (full === undefined) return m.error("replaceFullPath must be specified when type is set to 'ReplaceFullPath'");
    if (m.has("replacePrefixMatch")) return m.error("type must be 'ReplacePrefixMatch' when replacePrefixMatch is set");
    return { type, replaceFullPath: full };
  }
  if (type === "ReplacePrefixMatch") {
    if (prefix === undefined) return m.error("replacePrefixMatch must be specified when type is set to 'ReplacePrefixMatch'");
    if (m.has("replaceFullPath")) return m.error("type must be 'ReplaceFullPath' when replaceFullPath is set");
    return { type, replacePrefixMatch: prefix };
  }
  return undefined;
}

function readFilter(v: YamlValue): HTTPRouteFilter | undefined {
  const m = v.map();
  if (!m) return undefined;
  const typeV = m.req("type");
  const type = oneOf(typeV, [...FILTERS, ...OTHER_FILTERS]);
  const fields: Record<string, string> = {
    RequestHeaderModifier: "requestHeaderModifier", ResponseHeaderModifier: "responseHeaderModifier",
    RequestRedirect: "requestRedirect", URLRewrite: "urlRewrite", RequestMirror: "requestMirror",
    ExtensionRef: "extensionRef", CORS: "cors", ExternalAuth: "externalAuth",
  };
  // CEL: "filter.<x> must be nil if the filter.type is not <X>" and "… must be specified for <X> filter.type".
  for (const [t, f] of Object.entries(fields)) {
    if (m.has(f) && type !== undefined && type !== t) m.error(`filter.${f} must be nil if the filter.type is not ${t}`);
  }
  if (type === undefined) { m.ignore(...m.keys()); return undefined; }
  const field = fields[type]!;
  const body = m.get(field);
  if (body === undefined) { m.ignore(...m.keys()); m.error(`filter.${field} must be specified for ${type} filter.type`); return undefined; }
  if (OTHER_FILTERS.includes(type)) {
    typeV!.warn(`filter type ${type} is not modelled; ignored`);
    m.ignore(...m.keys());
    return undefined;
  }
  let out: HTTPRouteFilter | undefined;
  switch (type) {
    case "RequestHeaderModifier": { const h = readHeaderFilter(body); if (h) out = { type, requestHeaderModifier: h }; break; }
    case "ResponseHeaderModifier": { const h = readHeaderFilter(body); if (h) out = { type, responseHeaderModifier: h }; break; }
    case "RequestRedirect": {
      const r = body.map();
      if (!r) break;
      const scheme = r.has("scheme") ? oneOf(r.get("scheme"), ["http", "https"] as const) : undefined;
      const hostname = r.has("hostname") ? pattern(r.get("hostname"), PRECISE_HOSTNAME, "hostname") : undefined;
      const path = readPathModifier(r.get("path"));
      const port = r.has("port") ? r.get("port")?.port() : undefined;
      const code = r.has("statusCode") ? r.get("statusCode")?.int() : undefined;
      if (code !== undefined && code !== 301 && code !== 302) r.get("statusCode")!.error(`must be one of 301, 302; got ${code}`);
      r.done();
      const rr: NonNullable<Extract<HTTPRouteFilter, { type: "RequestRedirect" }>["requestRedirect"]> = {};
      if (scheme) rr.scheme = scheme;
      if (hostname) rr.hostname = hostname;
      if (path) rr.path = path;
      if (port !== undefined) rr.port = port;
      if (code !== undefined) rr.statusCode = code;
      out = { type, requestRedirect: rr };
      break;
    }
    case "URLRewrite": {
      const r = body.map();
      if (!r) break;
      const hostname = r.has("hostname") ? pattern(r.get("hostname"), PRECISE_HOSTNAME, "hostname") : undefined;
      const path = readPathModifier(r.get("path"));
      r.done();
      const rw: Extract<HTTPRouteFilter, { type: "URLRewrite" }>["urlRewrite"] = {};
      if (hostname) rw.hostname = hostname;
      if (path) rw.path = path;
      out = { type, urlRewrite: rw };
      break;
    }
    case "RequestMirror": {
      const r = body.map();
      if (!r) break;
      const brm = r.req("backendRef")?.map();
      const backendRef = brm ? readBackendObjectRef(brm) : undefined;
      brm?.done();
      const percent = r.has("percent") ? r.get("percent")?.int({ min: 0, max: 100 }) : undefined;
      const fm = r.get("fraction")?.map();
      let fraction: { numerator: number; denominator: number } | undefined;
      if (fm) {
        const numerator = fm.req("numerator")?.int({ min: 0 });
        const denominator = fm.has("denominator") ? fm.get("denominator")?.int({ min: 1 }) : 100;
        fm.done();
        if (numerator !== undefined && denominator !== undefined) {
          if (numerator > denominator) fm.error("numerator must be less than or equal to denominator");
          else fraction = { numerator, denominator };
        }
      }
      if (r.has("percent") && r.has("fraction")) r.error("Only one of percent or fraction may be specified in HTTPRequestMirrorFilter");
      r.done();
      if (!backendRef) break;
      const rm: Extract<HTTPRouteFilter, { type: "RequestMirror" }>["requestMirror"] = { backendRef };
      if (percent !== undefined) rm.percent = percent;
      if (fraction) rm.fraction = fraction;
      out = { type, requestMirror: rm };
      break;
    }
  }
  m.done();
  return out;
}

function readFilters(v: YamlValue | undefined, allowed: readonly string[]): HTTPRouteFilter[] | undefined {
  if (!v) return undefined;
  const list = v.list() ?? [];
  if (list.length > 16) v.error("must have at most 16 items");
  const out: HTTPRouteFilter[] = [];
  for (const fv of list) {
    const t = fv.map()?.get("type")?.str();
    if (t !== undefined && FILTERS.includes(t) && !allowed.includes(t)) { fv.map()?.get("type")?.error(`filter type ${t} is not allowed here (allowed: ${allowed.join(", ")})`); fv.map()?.ignore(...(fv.map()?.keys() ?? [])); continue; }
    const f = readFilter(fv);
    if (f) out.push(f);
  }
  // CEL: "RequestHeaderModifier filter cannot be repeated" (and the same for the other core filters).
  for (const t of ["RequestHeaderModifier", "ResponseHeaderModifier", "RequestRedirect", "URLRewrite"]) {
    if (out.filter((f) => f.type === t).length > 1) v.error(`${t} filter cannot be repeated`);
  }
  // CEL: "May specify either httpRouteFilterRequestRedirect or httpRouteFilterRequestRewrite, but not both".
  if (out.some((f) => f.type === "RequestRedirect") && out.some((f) => f.type === "URLRewrite")) {
    v.error("May specify either httpRouteFilterRequestRedirect or httpRouteFilterRequestRewrite, but not both");
  }
  return out;
}

function readBackendRefs(v: YamlValue | undefined, filterTypes: readonly string[]): HTTPBackendRef[] | undefined {
  if (!v) return undefined;
  const list = v.list() ?? [];
  if (list.length > 16) v.error("must have at most 16 items");
  const out: HTTPBackendRef[] = [];
  for (const bv of list) {
    const m = bv.map();
    if (!m) continue;
    const ref = readBackendObjectRef(m);
    // weight: "+kubebuilder:default=1, Minimum=0, Maximum=1000000".
    const weight = m.has("weight") ? m.get("weight")?.int({ min: 0, max: 1_000_000 }) : 1;
    const filters = readFilters(m.get("filters"), filterTypes);
    m.done();
    if (!ref || weight === undefined) continue;
    const b: HTTPBackendRef = { ...ref, weight };
    if (filters && filters.length > 0) b.filters = filters;
    out.push(b);
  }
  return out;
}

function readHeaderMatches(v: YamlValue | undefined, what: "header" | "query parameter"): HTTPHeaderMatch[] | undefined {
  if (!v) return undefined;
  const list = v.list() ?? [];
  if (list.length > 16) v.error("must have at most 16 items");
  const out: HTTPHeaderMatch[] = [];
  const names = new Set<string>();
  for (const hv of list) {
    const m = hv.map();
    if (!m) continue;
    const type = m.has("type") ? oneOf(m.get("type"), ["Exact", "RegularExpression"] as const) : "Exact";
    const nameV = m.req("name");
    const name = pattern(nameV, HEADER_NAME, what === "header" ? "header name" : "query parameter name", 256);
    const valueV = m.req("value");
    const value = valueV?.str();
    m.done();
    if (type === undefined || name === undefined || value === undefined) continue;
    if (value.length < 1 || value.length > 4096) { valueV!.error("must be 1 to 4096 characters"); continue; }
    if (type === "RegularExpression" && !checkRegex(valueV!, value)) continue;
    // Headers match case-insensitively on the name; query parameter names are case-sensitive.
    const key = what === "header" ? name.toLowerCase() : name;
    if (names.has(key)) { nameV!.error(`duplicate ${what} match name ${JSON.stringify(name)} (the list is keyed by name)`); continue; }
    names.add(key);
    out.push({ type, name: key, value });
  }
  return out;
}

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
  const filters = readFilters(m.get("filters"), FILTERS);
  const backendRefs = readBackendRefs(m.get("backendRefs"), ["RequestHeaderModifier", "ResponseHeaderModifier", "RequestMirror", "RequestRedirect", "URLRewrite"]);
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

export function readGatewaySpecV1(spec: YamlMap): GatewaySpecV1 | undefined {
  const gatewayClassName = spec.req("gatewayClassName")?.nonEmptyStr();
  const lv = spec.req("listeners");
  const list = lv?.list() ?? [];
  if (lv && (list.length < 1 || list.length > 64)) lv.error("must have 1 to 64 items");
  const listeners: Listener[] = [];
  for (const v of list) {
    const m = v.map();
    if (!m) continue;
    const name = pattern(m.req("name"), SECTION_NAME, "listener name");
    const hostname = m.has("hostname") ? pattern(m.get("hostname"), HOSTNAME, "hostname") : undefined;
    const port = m.req("port")?.port();
    const protocolV = m.req("protocol");
    const protocol = pattern(protocolV, /^[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?$|[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/[A-Za-z0-9]+$/, "protocol", 255);
    const tls = m.get("tls");
    if (tls) { tls.warn("listener TLS is not modelled (the gateway is reached over plain HTTP); ignored"); m.ignore("tls"); }
    // CEL on listeners: tls must not be set for HTTP/TCP/UDP, hostname must be empty for TCP/UDP.
    if (protocol !== undefined && ["HTTP", "TCP", "UDP"].includes(protocol) && tls) m.error("tls must not be specified for protocols ['HTTP', 'TCP', 'UDP']");
    if (protocol !== undefined && ["TCP", "UDP"].includes(protocol) && hostname !== undefined) m.error("hostname must not be specified for protocols ['TCP', 'UDP']");
    // A waypoint's HBONE listener is modelled by the ambient data path (src/config/ambient/waypoint-gateway.ts).
    const waypointListener = protocol === "HBONE" && gatewayClassName === "istio-waypoint";
    if (protocol !== undefined && !["HTTP", "HTTPS"].includes(protocol) && !waypointListener) protocolV!.warn(`protocol ${protocol} is not modelled (HTTP and HTTPS are); the listener accepts no routes`);
    let allowed: Listener["allowedRoutes"] = { namespaces: { from: "Same" } };
    const am = m.get("allowedRoutes")?.map();
    if (am) {
      const nm = am.get("namespaces")?.map();
      if (nm) {
        const from = nm.has("from") ? oneOf(nm.get("from"), ["Same", "All", "Selector"] as const) : "Same";
        const sel = nm.get("selector")?.map();
        const matchLabels = sel?.get("matchLabels")?.strMap();
        if (sel) { sel.ignore("matchExpressions"); if (sel.has("matchExpressions")) sel.get("matchExpressions")!.warn("matchExpressions are not modelled; ignored"); sel.done(); }
        nm.done();
        if (from === "Selector" && !sel) nm.error("selector must be specified when from is Selector");
        if (from !== undefined) allowed = { namespaces: from === "Selector" ? { from, selector: { matchLabels: matchLabels ?? {} } } : { from } };
      }
      const kl = am.get("kinds")?.list();
      if (kl) {
        allowed.kinds = [];
        for (const kv of kl) {
          const km = kv.map();
          if (!km) continue;
          const group = km.has("group") ? pattern(km.get("group"), GROUP, "group") : GATEWAY_GROUP;
          const kind = pattern(km.req("kind"), KIND, "kind", 63);
          km.done();
          if (group !== undefined && kind !== undefined) allowed.kinds.push({ group, kind });
        }
      }
      am.done();
    }
    m.done();
    if (name === undefined || port === undefined || protocol === undefined) continue;
    const l: Listener = { name, port, protocol, allowedRoutes: allowed };
    if (hostname !== undefined) l.hostname = hostname;
    listeners.push(l);
  }
  // CEL: "Listener name must be unique within the Gateway", "Combination of port, protocol and
  // hostname must be unique for each listener".
  const names = listeners.map((l) => l.name);
  if (lv && new Set(names).size !== names.length) lv.error("Listener name must be unique within the Gateway");
  const combos = listeners.map((l) => `${l.port}/${l.protocol}/${l.hostname ?? ""}`);
  if (lv && new Set(combos).size !== combos.length) lv.error("Combination of port, protocol and hostname must be unique for each listener");
  for (const k of ["addresses", "infrastructure", "backendTLS", "allowedListeners"]) {
    if (spec.has(k)) { spec.get(k)!.warn(`${k} is not modelled; ignored`); spec.ignore(k); }
  }
  if (gatewayClassName === undefined) return undefined;
  return { gatewayClassName, listeners };
}

export function readGatewayClassSpec(spec: YamlMap): GatewayClassSpec | undefined {
  const controllerName = pattern(spec.req("controllerName"), /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/[A-Za-z0-9/\-._~%!$&'()*+,;=:]+$/, "controller name");
  for (const k of ["parametersRef", "description"]) spec.ignore(k);
  return controllerName === undefined ? undefined : { controllerName };
}

export function readReferenceGrantSpec(spec: YamlMap): ReferenceGrantSpec | undefined {
  const from: ReferenceGrantSpec["from"] = [];
  const to: ReferenceGrantSpec["to"] = [];
  const fv = spec.req("from");
  const fl = fv?.list() ?? [];
  if (fv && (fl.length < 1 || fl.length > 16)) fv.error("must have 1 to 16 items");
  for (const v of fl) {
    const m = v.map();
    if (!m) continue;
    const group = pattern(m.req("group"), GROUP, "group");
    const kind = pattern(m.req("kind"), KIND, "kind", 63);
    const namespace = pattern(m.req("namespace"), PRECISE_HOSTNAME, "namespace", 63);
    m.done();
    if (group !== undefined && kind !== undefined && namespace !== undefined) from.push({ group, kind, namespace });
  }
  const tv = spec.req("to");
  const tl = tv?.list() ?? [];
  if (tv && (tl.length < 1 || tl.length > 16)) tv.error("must have 1 to 16 items");
  for (const v of tl) {
    const m = v.map();
    if (!m) continue;
    const group = pattern(m.req("group"), GROUP, "group");
    const kind = pattern(m.req("kind"), KIND, "kind", 63);
    const name = m.has("name") ? m.get("name")?.nonEmptyStr() : undefined;
    m.done();
    if (group === undefined || kind === undefined) continue;
    to.push(name === undefined ? { group, kind } : { group, kind, name });
  }
  return { from, to };
}
