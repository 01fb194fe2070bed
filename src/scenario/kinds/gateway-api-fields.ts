// The parts Gateway API routes and Gateways share (gateway.networking.k8s.io v1), read as the API
// server admits them: the CRDs' patterns, enums, bounds and CEL rules for references, hostnames,
// filters, backend references and header matches, each error at its file:line:column and field path.
// Rules and messages: config/crd/standard/gateway.networking.k8s.io_*.yaml and apis/v1/shared_types.go,
// httproute_types.go in github.com/kubernetes-sigs/gateway-api.
import type {
  BackendObjectReference, HTTPCORSFilter, HTTPBackendRef, HTTPHeaderFilter, HTTPHeaderMatch, HTTPPathModifier, HTTPRouteFilter, ParentReference,
} from "../../proxy/api/gateway-api.js";
import { GATEWAY_GROUP } from "../../proxy/api/gateway-api.js";
import { parseDuration } from "../duration.js";
import { checkRegex } from "./istio-fields.js";
import type { YamlMap, YamlValue } from "../yaml-value.js";

// apis/v1/shared_types.go: Hostname, PreciseHostname, SectionName, Kind, Group patterns.
export const HOSTNAME = /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
export const PRECISE_HOSTNAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
export const SECTION_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
export const GROUP = /^$|^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
export const KIND = /^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$/;
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/;
// Gateway API's Duration (GEP-2257): ^([0-9]{1,5}(h|m|s|ms)){1,4}$
const GW_DURATION = /^([0-9]{1,5}(h|m|s|ms)){1,4}$/;
export const METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"];
export const FILTERS = ["RequestHeaderModifier", "ResponseHeaderModifier", "RequestRedirect", "URLRewrite", "RequestMirror"];
// Filter types the CRD admits that istiod does not convert: kept for the conversion to refuse as
// istiod does (ExtensionRef, ExternalAuth). CORS is read (readCors).
const OTHER_FILTERS = ["ExtensionRef", "CORS", "ExternalAuth"];
// HTTPCORSFilter.allowOrigins items (the CRD's pattern).
const CORS_ORIGIN = /(^\*$)|(^(http(s)?):\/\/(((\*\.)?([a-zA-Z0-9-]+\.)*[a-zA-Z0-9-]+|\*)(:([0-9]{1,5}))?)$)/;

/** A list of the CORS filter: at most `max` distinct items, `*` alone (the CRD's set type and CEL rule). */
function corsList(v: YamlValue | undefined, field: string, max: number, item: (x: YamlValue) => string | undefined): string[] | undefined {
  if (v === undefined) return undefined;
  const out: string[] = [];
  const list = v.list() ?? [];
  if (list.length > max) v.error(`must have at most ${max} items`);
  for (const x of list) {
    const s = item(x);
    if (s === undefined) continue;
    if (out.includes(s)) x.error(`duplicate value ${JSON.stringify(s)}`);
    out.push(s);
  }
  if (out.includes("*") && out.length > 1) v.error(`${field} cannot contain '*' alongside other ${field === "AllowOrigins" ? "origins" : field === "AllowMethods" ? "methods" : "headers"}`);
  return out;
}

/** HTTPCORSFilter as the CRD admits it (config/crd/standard/gateway.networking.k8s.io_httproutes.yaml). */
function readCors(v: YamlValue): HTTPCORSFilter | undefined {
  const m = v.map();
  if (!m) return undefined;
  const header = (x: YamlValue) => pattern(x, HEADER_NAME, "header name", 256);
  const allowOrigins = corsList(m.get("allowOrigins"), "AllowOrigins", 64, (x) => pattern(x, CORS_ORIGIN, "origin"));
  const allowMethods = corsList(m.get("allowMethods"), "AllowMethods", 9, (x) => oneOf(x, [...METHODS, "*"]));
  const allowHeaders = corsList(m.get("allowHeaders"), "AllowHeaders", 64, header);
  const exposeHeaders = corsList(m.get("exposeHeaders"), "ExposeHeaders", 64, header);
  const allowCredentials = m.get("allowCredentials")?.bool();
  const maxAge = m.has("maxAge") ? m.get("maxAge")?.int({ min: 1 }) : 5;
  m.done();
  const out: HTTPCORSFilter = { maxAge: maxAge ?? 5 };
  if (allowOrigins !== undefined) out.allowOrigins = allowOrigins;
  if (allowCredentials !== undefined) out.allowCredentials = allowCredentials;
  if (allowMethods !== undefined) out.allowMethods = allowMethods;
  if (allowHeaders !== undefined) out.allowHeaders = allowHeaders;
  if (exposeHeaders !== undefined) out.exposeHeaders = exposeHeaders;
  return out;
}

export function pattern(v: YamlValue | undefined, re: RegExp, what: string, max = 253): string | undefined {
  const s = v?.str();
  if (s === undefined) return undefined;
  if (s.length > max) return v!.error(`must be at most ${max} characters`);
  if (!re.test(s)) return v!.error(`${JSON.stringify(s)} is not a valid ${what} (pattern ${re.source})`);
  return s;
}

export function oneOf<T extends string>(v: YamlValue | undefined, values: readonly T[]): T | undefined {
  const s = v?.str();
  if (s === undefined) return undefined;
  if (!(values as readonly string[]).includes(s)) return v!.error(`must be one of ${values.join(", ")}; got ${JSON.stringify(s)}`);
  return s as T;
}

/** A Gateway API Duration: the GEP-2257 pattern, in milliseconds. */
export function gwDuration(v: YamlValue | undefined): number | undefined {
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

export function readParentRefs(spec: YamlMap): ParentReference[] {
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

export function readHostnames(spec: YamlMap): string[] | undefined {
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
      // listType map keyed by name: the API server refuses the same name twice (compared as written).
      // "X-Foo" after "x-foo" is accepted; the spec and istiod ignore it (first entry wins, see headerOps).
      if (names.has(name)) { nameV!.error(`duplicate header name ${JSON.stringify(name)}`); continue; }
      names.add(name);
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
  if (type === "ExtensionRef" || type === "ExternalAuth") {
    // istiod's convertHTTPRoute/convertGRPCRoute refuse it ("unsupported filter type"): kept so the
    // conversion can do the same (the route's status says InvalidFilter and it gets no routes).
    typeV!.warn(`filter type ${type} is not supported by istiod: the route gets no routes (ResolvedRefs False, InvalidFilter)`);
    m.ignore(...m.keys());
    return { type };
  }
  let out: HTTPRouteFilter | undefined;
  switch (type) {
    case "CORS": { const c = readCors(body); if (c) out = { type, cors: c }; break; }
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

export function readFilters(v: YamlValue | undefined, allowed: readonly string[]): HTTPRouteFilter[] | undefined {
  if (!v) return undefined;
  const list = v.list() ?? [];
  if (list.length > 16) v.error("must have at most 16 items");
  const out: HTTPRouteFilter[] = [];
  for (const fv of list) {
    const t = fv.map()?.get("type")?.str();
    if (t !== undefined && (FILTERS.includes(t) || t === "CORS") && !allowed.includes(t)) { fv.map()?.get("type")?.error(`filter type ${t} is not allowed here (allowed: ${allowed.join(", ")})`); fv.map()?.ignore(...(fv.map()?.keys() ?? [])); continue; }
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

export function readBackendRefs(v: YamlValue | undefined, filterTypes: readonly string[]): HTTPBackendRef[] | undefined {
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

export function readHeaderMatches(v: YamlValue | undefined, what: "header" | "query parameter"): HTTPHeaderMatch[] | undefined {
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
    // listType map keyed by name: the API server refuses the same name twice, compared as written, so
    // header matches "foo" and "Foo" are both accepted (what istiod makes of them: http-route-conversion.ts).
    if (names.has(name)) { nameV!.error(`duplicate ${what} match name ${JSON.stringify(name)} (the list is keyed by name)`); continue; }
    names.add(name);
    out.push({ type, name, value });
  }
  return out;
}
