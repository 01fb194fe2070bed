// The request as the client sidecar's router sees it, and who sent it. Plain data so property tests
// can build requests freely; route matching reads it without copying.

/** One HTTP request at the client-side proxy (Envoy's view after the HTTP connection manager). */
export interface HttpRequest {
  method: string;
  scheme: string;
  /** Host / :authority header exactly as sent; may include ":port". */
  authority: string;
  /** :path; may include "?query" (and "#fragment", which routing ignores). */
  path: string;
  /** Lowercase header names. One value per name (repeated headers are comma-joined). */
  headers: Readonly<Record<string, string>>;
}

/** The proxy a request leaves from: istiod filters routes for it at config time. */
export interface SourceContext {
  namespace: string;
  labels: Readonly<Record<string, string>>;
  /** "ns/name" when the proxy is a gateway; undefined for a sidecar (Istio's "mesh" gateway). */
  gateway?: string;
}

/**
 * Index where the path proper ends (first "?" or "#"), i.e. the part Envoy's path matchers see.
 * https://www.envoyproxy.io/docs/envoy/latest/api-v3/config/route/v3/route_components.proto#config-route-v3-routematch
 */
export function pathEnd(path: string): number {
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c === 63 /* ? */ || c === 35 /* # */) return i;
  }
  return path.length;
}

/** The path without query string or fragment (allocates only when there is one). */
export function pathWithoutQuery(path: string): string {
  const end = pathEnd(path);
  return end === path.length ? path : path.slice(0, end);
}

/**
 * Value of the first `name` parameter in the query string, "" for `?name` without "=", undefined
 * when absent. No percent-decoding: Envoy's route matcher compares the raw query
 * (Http::Utility::QueryParamsMulti::parseQueryString).
 */
export function queryParamValue(path: string, name: string): string | undefined {
  const at = queryParamValueStart(path, name);
  if (at < 0) return undefined;
  return path.slice(at, queryParamValueEnd(path, at));
}

/** Start index of the first `name` parameter's value (after "=", or the end of the key), -1 if absent. */
export function queryParamValueStart(path: string, name: string): number {
  const q = path.indexOf("?");
  if (q < 0) return -1;
  let end = path.indexOf("#", q);
  if (end < 0) end = path.length;
  let i = q + 1;
  while (i <= end) {
    let segEnd = path.indexOf("&", i);
    if (segEnd < 0 || segEnd > end) segEnd = end;
    const keyLen = name.length;
    if (segEnd - i >= keyLen && path.startsWith(name, i)) {
      const after = i + keyLen;
      if (after === segEnd) return after; // "?name" or "?name&..."
      if (path.charCodeAt(after) === 61 /* = */) return after + 1;
    }
    i = segEnd + 1;
  }
  return -1;
}

/** End of a query value that starts at `start` (next "&", "#" or end of path). */
export function queryParamValueEnd(path: string, start: number): number {
  for (let i = start; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c === 38 /* & */ || c === 35 /* # */) return i;
  }
  return path.length;
}
