// `redirect`: a local 3xx built by Envoy's RedirectAction. Default code 301; `uri` replaces the
// path (the request's query is kept unless `uri` has its own); `authority` replaces the host (and
// drops its port); `scheme`; `port` / `derivePort: FROM_REQUEST_PORT` (the listener port), omitted
// when it is the scheme's default. istio/istio route.go ApplyRedirect; envoy
// source/common/router/config_impl.cc newUri / processRequestHost;
// https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPRedirect
import type { HTTPRedirect } from "../api/networking.js";
import type { HttpRequest } from "../http-request.js";
import { authorityHostEnd } from "./host-name.js";
import { RouteCompileError } from "./re2.js";

const SUPPORTED_CODES = new Set([301, 302, 303, 307, 308]);

export interface CompiledRedirect {
  readonly code: number;
  readonly scheme: string | undefined;
  readonly authority: string | undefined;
  /** Port to put in Location; undefined = keep the request's (unless the scheme change drops it). */
  readonly port: number | undefined;
  readonly path: string | undefined;
  /** Envoy prefix_rewrite: replaces the matched prefix of the path (Gateway API ReplacePrefixMatch). */
  readonly prefixRewrite: string | undefined;
  /** How many leading characters of the path the route's match covered (what prefix_rewrite replaces). */
  readonly matchedLength: number;
}

/**
 * `matchedLength`: the length of the route's prefix or exact path match, the part of the path Envoy's
 * RedirectAction prefix_rewrite replaces ("the matched prefix (or path) should be swapped with this
 * value", route_components.proto RedirectAction.prefix_rewrite).
 */
export function compileRedirect(r: HTTPRedirect | undefined, listenerPort: number, isTls = false, matchedLength = 0): CompiledRedirect | undefined {
  if (r === undefined) return undefined;
  const code = r.redirectCode === undefined || r.redirectCode === 0 ? 301 : r.redirectCode;
  if (!SUPPORTED_CODES.has(code)) throw new RouteCompileError(`redirect code ${code} is not supported (301, 302, 303, 307, 308)`);
  let port: number | undefined;
  if (r.port !== undefined) port = r.port;
  else if (r.derivePort === "FROM_REQUEST_PORT") port = listenerPort;
  if (port !== undefined) {
    const scheme = r.scheme !== undefined && r.scheme !== "" ? r.scheme : isTls ? "https" : "http";
    if ((port === 80 && scheme === "http") || (port === 443 && scheme === "https")) port = undefined;
  }
  return Object.freeze({
    code,
    scheme: r.scheme !== undefined && r.scheme !== "" ? r.scheme : undefined,
    authority: r.authority !== undefined && r.authority !== "" ? r.authority : undefined,
    port,
    path: r.uri !== undefined && r.uri !== "" ? r.uri : undefined,
    prefixRewrite: r.prefixRewrite !== undefined && r.prefixRewrite !== "" ? r.prefixRewrite : undefined,
    matchedLength,
  });
}

/** The Location header of the redirect for this request. */
export function redirectLocation(r: CompiledRedirect, req: HttpRequest): string {
  const scheme = r.scheme ?? req.scheme;
  let host: string;
  if (r.authority !== undefined) {
    host = r.authority;
  } else {
    const a = req.authority;
    const end = authorityHostEnd(a);
    const reqPort = a.slice(end); // ":8080" or ""
    let strip = r.port !== undefined;
    if (scheme !== req.scheme) {
      strip ||= (req.scheme === "https" && reqPort === ":443") || (req.scheme === "http" && reqPort === ":80");
    }
    host = strip ? a.slice(0, end) : a;
  }
  const portPart = r.port !== undefined ? `:${r.port}` : "";
  let path = req.path;
  if (r.prefixRewrite !== undefined) {
    // Gateway API RequestRedirect ReplacePrefixMatch: "/original-prefix/lemon" → "/replacement-prefix/lemon"
    // (conformance httproute-redirect-path); the query stays, as it is part of the path Envoy rewrites.
    path = r.prefixRewrite + req.path.slice(r.matchedLength);
  } else if (r.path !== undefined) {
    const q = req.path.indexOf("?");
    path = r.path.includes("?") || q < 0 ? r.path : r.path + req.path.slice(q);
  }
  return `${scheme}://${host}${portPart}${path}`;
}
