// One HTTPMatchRequest compiled into Envoy's RouteMatch shape and evaluated against a request.
// Fields are AND'ed. Config-time fields (port, sourceLabels, sourceNamespace, gateways) are not
// here: compile-routes.ts drops the whole match entry instead, as istiod does.
// https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPMatchRequest
// istio/istio pilot/pkg/networking/core/route/route.go TranslateRouteMatch
import type { HTTPMatchRequest, StringMatch } from "../api/networking.js";
import type { HttpRequest } from "../http-request.js";
import { pathEnd, queryParamValueEnd, queryParamValueStart } from "../http-request.js";
import {
  compileStringMatch, matchString, matchStringRange, matchStringSlice,
  MATCH_EXACT, MATCH_PATH_SEPARATED_PREFIX, MATCH_PREFIX, MATCH_PRESENT, MATCH_REGEX, pathSeparatedPrefix, type CompiledStringMatch,
} from "./string-match.js";

export interface CompiledHeaderMatch {
  readonly name: string;
  readonly match: CompiledStringMatch;
  /** withoutHeaders: Envoy invert_match (+ treat_missing_header_as_empty unless presence). */
  readonly invert: boolean;
}

export interface CompiledQueryMatch {
  readonly name: string;
  readonly match: CompiledStringMatch;
}

export interface CompiledMatch {
  /** Path matcher; absent `uri` is Envoy's prefix "/". */
  readonly uri: CompiledStringMatch;
  readonly scheme: CompiledStringMatch | undefined;
  readonly method: CompiledStringMatch | undefined;
  readonly authority: CompiledStringMatch | undefined;
  readonly headers: readonly CompiledHeaderMatch[];
  readonly queryParams: readonly CompiledQueryMatch[];
  /** Prefix "/" (or regex ".*") with no header/query conditions: istiod stops emitting routes after it. */
  readonly catchAll: boolean;
}

// The API reference says "The keys uri, scheme, method, and authority will be ignored" in headers,
// but istiod's TranslateRouteMatch turns every key into an Envoy header matcher of that literal name
// (route.go translateHeaderMatch; validation.go ValidateHTTPHeaderNameOrJwtClaimRoute accepts them):
// `headers: {method: ...}` asks for a header called "method", which requests do not carry. A
// pseudo-header key (":method", ":authority", ":path", ":scheme") matches that part of the request,
// as Envoy's header matchers read pseudo-headers (source/common/http/header_utility.cc).

const ROOT_PREFIX: CompiledStringMatch = compileStringMatch({ prefix: "/" });

function compileHeaders(
  out: CompiledHeaderMatch[],
  headers: Record<string, StringMatch | Record<string, never>> | undefined,
  invert: boolean,
): void {
  if (headers === undefined) return;
  for (const name of Object.keys(headers).sort()) {
    out.push({ name: name.toLowerCase(), match: compileStringMatch(headers[name]), invert });
  }
}

/** Compile one match entry (undefined = the rule had no `match`, i.e. matches everything). */
export function compileMatch(m: HTTPMatchRequest | undefined, gatewaySemantics = false): CompiledMatch {
  if (m === undefined) {
    return { uri: ROOT_PREFIX, scheme: undefined, method: undefined, authority: undefined, headers: [], queryParams: [], catchAll: true };
  }
  const ignoreCase = m.ignoreUriCase === true;
  // Gateway API routes: a prefix other than "/" is Envoy's path_separated_prefix (route.go TranslateRouteMatch).
  const uri = m.uri === undefined ? ROOT_PREFIX
    : gatewaySemantics && "prefix" in m.uri && m.uri.prefix !== "/" ? pathSeparatedPrefix(m.uri.prefix.endsWith("/") ? m.uri.prefix.slice(0, -1) : m.uri.prefix)
    : compileStringMatch(m.uri, ignoreCase);
  const headers: CompiledHeaderMatch[] = [];
  compileHeaders(headers, m.headers, false);
  compileHeaders(headers, m.withoutHeaders, true);
  const queryParams: CompiledQueryMatch[] = [];
  if (m.queryParams !== undefined) {
    for (const name of Object.keys(m.queryParams).sort()) {
      queryParams.push({ name, match: compileStringMatch(m.queryParams[name]) });
    }
  }
  const scheme = m.scheme === undefined ? undefined : compileStringMatch(m.scheme);
  const method = m.method === undefined ? undefined : compileStringMatch(m.method);
  const authority = m.authority === undefined ? undefined : compileStringMatch(m.authority);
  // istio/istio route.go IsCatchAllRoute: prefix "/" or regex ".*", and no header/query matchers
  // (method/authority/scheme are header matchers in Envoy).
  const rootPath = (uri.kind === MATCH_PREFIX && uri.value === "/") || (uri.kind === MATCH_REGEX && uri.value === ".*");
  const catchAll = rootPath && headers.length === 0 && queryParams.length === 0
    && scheme === undefined && method === undefined && authority === undefined;
  return { uri, scheme, method, authority, headers, queryParams, catchAll };
}

/** A header's value as Envoy's matchers see it: pseudo-headers are the request's method, authority, path, scheme. */
function headerValue(name: string, req: HttpRequest): string | undefined {
  if (name.charCodeAt(0) !== 58 /* : */) return req.headers[name];
  switch (name) {
    case ":method": return req.method;
    case ":authority": return req.authority;
    case ":path": return req.path;
    case ":scheme": return req.scheme;
    default: return undefined;
  }
}

function headerHolds(h: CompiledHeaderMatch, req: HttpRequest): boolean {
  const v = headerValue(h.name, req);
  if (h.match.kind === MATCH_PRESENT) return (v !== undefined) !== h.invert;
  if (!h.invert) return v !== undefined && matchString(h.match, v);
  // withoutHeaders: a missing header is treated as "" (Envoy treat_missing_header_as_empty).
  return !matchString(h.match, v === undefined ? "" : v);
}

function queryHolds(q: CompiledQueryMatch, path: string): boolean {
  const start = queryParamValueStart(path, q.name);
  if (start < 0) return false;
  if (q.match.kind === MATCH_PRESENT) return true;
  return matchStringSlice(q.match, path, start, queryParamValueEnd(path, start));
}

/** Does the request satisfy every condition of this compiled match? Allocation-free except regex on a path with a query. */
export function matchHolds(m: CompiledMatch, req: HttpRequest): boolean {
  const path = req.path;
  // Prefix "/" and nothing else (every route without a match block): the path starts with "/", which
  // is what the general walk below concludes (the path before any "?" or "#" is then not empty).
  if (m.catchAll && m.uri.kind === MATCH_PREFIX) return path.charCodeAt(0) === 47;
  if (!matchStringRange(m.uri, path, pathEnd(path))) return false;
  if (m.method !== undefined && !matchString(m.method, req.method)) return false;
  if (m.authority !== undefined && !matchString(m.authority, req.authority)) return false;
  if (m.scheme !== undefined && !matchString(m.scheme, req.scheme)) return false;
  const hs = m.headers;
  for (let i = 0; i < hs.length; i++) if (!headerHolds(hs[i] as CompiledHeaderMatch, req)) return false;
  const qs = m.queryParams;
  for (let i = 0; i < qs.length; i++) if (!queryHolds(qs[i] as CompiledQueryMatch, path)) return false;
  return true;
}

function describeString(m: CompiledStringMatch): string {
  switch (m.kind) {
    case MATCH_PRESENT: return "present";
    case MATCH_PREFIX: return `prefix ${m.value}`;
    case MATCH_PATH_SEPARATED_PREFIX: return `path-separated prefix ${m.value}`;
    case MATCH_REGEX: return `regex ${m.value}`;
    default: return `exact ${m.value}`;
  }
}

/**
 * The first condition of `m` the request fails, in words ("" when it matches): what `meshsim
 * explain` prints beside a route that did not match. Checks the same conditions, in the same order,
 * as matchHolds (a test holds them equal).
 */
export function unmatchedCondition(m: CompiledMatch, req: HttpRequest): string {
  const path = req.path;
  if (!matchStringRange(m.uri, path, pathEnd(path))) return `path ${path.slice(0, pathEnd(path))} is not ${describeString(m.uri)}${m.uri.ignoreCase ? " (any case)" : ""}`;
  if (m.method !== undefined && !matchString(m.method, req.method)) return `method ${req.method} is not ${describeString(m.method)}`;
  if (m.authority !== undefined && !matchString(m.authority, req.authority)) return `authority ${req.authority} is not ${describeString(m.authority)}`;
  if (m.scheme !== undefined && !matchString(m.scheme, req.scheme)) return `scheme ${req.scheme} is not ${describeString(m.scheme)}`;
  for (const h of m.headers) {
    if (headerHolds(h, req)) continue;
    const v = headerValue(h.name, req);
    const has = v === undefined ? "is absent" : `is ${JSON.stringify(v)}`;
    return h.invert ? `header ${h.name} ${has}, and the route requires it not to be ${describeString(h.match)}` : `header ${h.name} ${has}, not ${describeString(h.match)}`;
  }
  for (const q of m.queryParams) if (!queryHolds(q, path)) return `query parameter ${q.name} is not ${describeString(q.match)}`;
  return "";
}

/**
 * A match as istioctl's routes table prints it in MATCH: the path (`/productpage`, `/api*` for a
 * prefix, `/*` for every path, `regex ...`), then each other condition (`header end-user=jason`).
 */
export function describeMatch(m: CompiledMatch): string {
  const u = m.uri;
  const parts = [u.kind === MATCH_PREFIX ? `${u.value}*` : u.kind === MATCH_PATH_SEPARATED_PREFIX ? `${u.value}/*` : u.kind === MATCH_REGEX ? `regex ${u.value}` : u.value];
  if (m.method !== undefined) parts.push(`method ${describeString(m.method)}`);
  if (m.authority !== undefined) parts.push(`authority ${describeString(m.authority)}`);
  if (m.scheme !== undefined) parts.push(`scheme ${describeString(m.scheme)}`);
  for (const h of m.headers) {
    const v = h.match.kind === MATCH_EXACT ? `=${h.match.value}` : h.match.kind === MATCH_PRESENT ? " present" : ` ${describeString(h.match)}`;
    parts.push(`${h.invert ? "without " : ""}header ${h.name}${v}`);
  }
  for (const q of m.queryParams) parts.push(`query ${q.name}${q.match.kind === MATCH_EXACT ? `=${q.match.value}` : ` ${describeString(q.match)}`}`);
  return parts.join(" ");
}
